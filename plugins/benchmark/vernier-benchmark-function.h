#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierBenchmarkFunction:
 * @VERNIER_BENCHMARK_FUNCTION_BRANIN: Branin-Hoo, params `x` in [-5, 10]
 *   and `y` in [0, 15], minimum 5/(4π) ≈ 0.397887
 * @VERNIER_BENCHMARK_FUNCTION_HARTMANN6: Hartmann 6-D, params `x0`…`x5` in
 *   [0, 1], minimum ≈ -3.32237
 * @VERNIER_BENCHMARK_FUNCTION_ROSENBROCK: Rosenbrock, params `x0`…`x{d-1}`
 *   in [-5, 10], minimum 0 at (1, …, 1)
 * @VERNIER_BENCHMARK_FUNCTION_ACKLEY: Ackley, params `x0`…`x{d-1}` in
 *   [-32.768, 32.768], minimum 0 at the origin
 * @VERNIER_BENCHMARK_FUNCTION_STYBLINSKI_TANG: Styblinski-Tang, params
 *   `x0`…`x{d-1}` in [-5, 5], minimum ≈ -39.16617·d at (-2.903534, …)
 * @VERNIER_BENCHMARK_FUNCTION_SPHERE: sphere (sum of squares), params
 *   `x0`…`x{d-1}` in [-5.12, 5.12], minimum 0 at the origin
 * @VERNIER_BENCHMARK_FUNCTION_MIXED: a function of a float `x` in [-5, 5],
 *   an integer `n` in [0, 10] and a categorical `kind` in {"a", "b", "c"},
 *   minimum 0 at x = 2, n = 3, kind = "b"
 *
 * The test functions of the `benchmark` trainer, all to be minimized.
 */
typedef enum {
  VERNIER_BENCHMARK_FUNCTION_BRANIN,
  VERNIER_BENCHMARK_FUNCTION_HARTMANN6,
  VERNIER_BENCHMARK_FUNCTION_ROSENBROCK,
  VERNIER_BENCHMARK_FUNCTION_ACKLEY,
  VERNIER_BENCHMARK_FUNCTION_STYBLINSKI_TANG,
  VERNIER_BENCHMARK_FUNCTION_SPHERE,
  VERNIER_BENCHMARK_FUNCTION_MIXED,
} VernierBenchmarkFunction;

#define VERNIER_TYPE_BENCHMARK_FUNCTION (vernier_benchmark_function_get_type ())

G_GNUC_INTERNAL
GType     vernier_benchmark_function_get_type        (void);
G_GNUC_INTERNAL
void      vernier_benchmark_function_register_type   (GTypeModule              *module);

G_GNUC_INTERNAL
const gchar *vernier_benchmark_function_to_nick      (VernierBenchmarkFunction  function);
G_GNUC_INTERNAL
gdouble   vernier_benchmark_function_get_minimum     (VernierBenchmarkFunction  function,
                                                      guint                     dimensions);
G_GNUC_INTERNAL
gchar    *vernier_benchmark_function_describe_params (VernierBenchmarkFunction  function,
                                                      guint                     dimensions);
G_GNUC_INTERNAL
gboolean  vernier_benchmark_function_evaluate        (VernierBenchmarkFunction  function,
                                                      guint                     dimensions,
                                                      JsonObject               *params,
                                                      gdouble                  *out_value,
                                                      GError                  **error);

G_END_DECLS
