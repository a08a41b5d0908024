/* bench-util.h: what the tuner, suggest and pruner benchmarks share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "vernier-core.h"

G_BEGIN_DECLS

/**
 * BenchFunction:
 * @name: the name in tables and on the command line
 * @function: the `function=` of the benchmark trainer
 * @dimensions: the `dimensions=` of the benchmark trainer
 * @low: the lower bound of every `x0`…`x{d-1}` (n-dimensional functions)
 * @high: the upper bound of every `x0`…`x{d-1}`
 * @minimum: the known global minimum
 * @minimizer: one known minimizer as a JSON object, for the cross-checks
 *
 * One function of the suite and its search space.
 */
typedef struct
{
  const gchar *name;
  const gchar *function;
  guint        dimensions;
  gdouble      low;
  gdouble      high;
  gdouble      minimum;
  const gchar *minimizer;
} BenchFunction;

const BenchFunction *bench_function_lookup          (const gchar          *name);
const gchar * const *bench_function_suite           (void);
gchar               *bench_function_params_text     (const BenchFunction  *function);
gchar               *bench_function_trainer_text    (const BenchFunction  *function,
                                                     const gchar          *extra);
JsonObject          *bench_function_random_point    (const BenchFunction  *function,
                                                     GRand                *rand);

GStrv                bench_split_list               (const gchar          *text,
                                                     const gchar * const  *fallback);

JsonObject          *bench_machine_describe         (void);
void                 bench_machine_print            (const gchar          *program,
                                                     JsonObject           *machine);

gdouble              bench_quantile                 (const gdouble        *values,
                                                     guint                 n,
                                                     gdouble               q);
gdouble              bench_mann_whitney_p           (const gdouble        *a,
                                                     guint                 na,
                                                     const gdouble        *b,
                                                     guint                 nb);

void                 bench_json_skip                (JsonArray            *skipped,
                                                     const gchar          *key,
                                                     const gchar          *name,
                                                     const gchar          *function,
                                                     const gchar          *reason);
JsonNode            *bench_json_number              (gdouble               value);
gboolean             bench_write_json               (JsonNode             *root,
                                                     const gchar          *path,
                                                     GError              **error);
VernierRegistry     *bench_registry_new             (void);
gboolean             bench_plugin_available         (VernierRegistry      *registry,
                                                     const gchar          *kind,
                                                     const gchar          *name,
                                                     gchar               **out_reason);

G_END_DECLS
