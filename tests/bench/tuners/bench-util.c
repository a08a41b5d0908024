/* bench-util.c: what the tuner, suggest and pruner benchmarks share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <stdlib.h>

#include "bench-util.h"

/* The suite of issue 3, then the extras one may name with --functions.
 * The minima are those the benchmark trainer knows (its `minimum` user
 * attribute); they are repeated here for the cross-checks with Optuna's
 * side, which must agree with them. */
static const BenchFunction functions[] = {
  { "branin", "branin", 0, -5.0, 10.0, 0.39788735772973816,
    "{\"x\": -3.141592653589793, \"y\": 12.275}" },
  { "hartmann6", "hartmann6", 6, 0.0, 1.0, -3.32236801141551,
    "{\"x0\": 0.20169, \"x1\": 0.150011, \"x2\": 0.476874, "
    "\"x3\": 0.275332, \"x4\": 0.311652, \"x5\": 0.6573}" },
  { "rosenbrock", "rosenbrock", 4, -5.0, 10.0, 0.0,
    "{\"x0\": 1, \"x1\": 1, \"x2\": 1, \"x3\": 1}" },
  { "ackley", "ackley", 10, -32.768, 32.768, 0.0,
    "{\"x0\": 0, \"x1\": 0, \"x2\": 0, \"x3\": 0, \"x4\": 0, "
    "\"x5\": 0, \"x6\": 0, \"x7\": 0, \"x8\": 0, \"x9\": 0}" },
  { "styblinski-tang", "styblinski-tang", 8, -5.0, 5.0, -39.16616570377142 * 8,
    "{\"x0\": -2.903534, \"x1\": -2.903534, \"x2\": -2.903534, "
    "\"x3\": -2.903534, \"x4\": -2.903534, \"x5\": -2.903534, "
    "\"x6\": -2.903534, \"x7\": -2.903534}" },
  { "mixed", "mixed", 0, -5.0, 5.0, 0.0,
    "{\"x\": 2.0, \"n\": 3, \"kind\": \"b\"}" },
  { "sphere", "sphere", 4, -5.12, 5.12, 0.0,
    "{\"x0\": 0, \"x1\": 0, \"x2\": 0, \"x3\": 0}" },
};

static const gchar * const suite[] = {
  "branin", "hartmann6", "rosenbrock", "ackley", "styblinski-tang", "mixed", NULL
};

/**
 * bench_function_lookup:
 * @name: a function's name
 *
 * Returns: (transfer none) (nullable): the function, or %NULL if unknown
 */
const BenchFunction *
bench_function_lookup (const gchar *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    if (g_str_equal (functions[i].name, name))
      return &functions[i];
  return NULL;
}

/**
 * bench_function_suite:
 *
 * Returns: (transfer none): the names of the functions of issue 3's suite
 */
const gchar * const *
bench_function_suite (void)
{
  return suite;
}

static void
append_float_param (GString     *out,
                    const gchar *name,
                    gdouble      low,
                    gdouble      high)
{
  gchar lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, "[param %s]\ntype=float\nlow=%s\nhigh=%s\n\n", name,
                          g_ascii_dtostr (lo, sizeof lo, low),
                          g_ascii_dtostr (hi, sizeof hi, high));
}

/**
 * bench_function_params_text:
 * @function: a function
 *
 * Returns: (transfer full): the `[param NAME]` groups of @function's
 *   search space, as a study file writes them
 */
gchar *
bench_function_params_text (const BenchFunction *function)
{
  GString *out = g_string_new (NULL);

  if (g_str_equal (function->function, "branin"))
    {
      append_float_param (out, "x", -5.0, 10.0);
      append_float_param (out, "y", 0.0, 15.0);
    }
  else if (g_str_equal (function->function, "mixed"))
    {
      append_float_param (out, "x", -5.0, 5.0);
      g_string_append (out, "[param n]\ntype=int\nlow=0\nhigh=10\n\n"
                            "[param kind]\ntype=categorical\nchoices=a;b;c\n\n");
    }
  else
    {
      for (guint i = 0; i < function->dimensions; i++)
        {
          g_autofree gchar *name = g_strdup_printf ("x%u", i);

          append_float_param (out, name, function->low, function->high);
        }
    }
  return g_string_free (out, FALSE);
}

/**
 * bench_function_trainer_text:
 * @function: a function
 * @extra: (nullable): more keys for the group, each ending in a newline
 *
 * Returns: (transfer full): the `[trainer]` group evaluating @function
 *   with the benchmark trainer
 */
gchar *
bench_function_trainer_text (const BenchFunction *function,
                             const gchar         *extra)
{
  GString *out = g_string_new ("[trainer]\nplugin=benchmark\n");

  g_string_append_printf (out, "function=%s\n", function->function);
  if (function->dimensions > 0)
    g_string_append_printf (out, "dimensions=%u\n", function->dimensions);
  if (extra != NULL)
    g_string_append (out, extra);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/**
 * bench_function_random_point:
 * @function: a function
 * @rand: where the draws come from
 *
 * Returns: (transfer full): a point drawn uniformly in @function's domain
 */
JsonObject *
bench_function_random_point (const BenchFunction *function,
                             GRand               *rand)
{
  JsonObject *point = json_object_new ();

  if (g_str_equal (function->function, "branin"))
    {
      json_object_set_double_member (point, "x", g_rand_double_range (rand, -5.0, 10.0));
      json_object_set_double_member (point, "y", g_rand_double_range (rand, 0.0, 15.0));
    }
  else if (g_str_equal (function->function, "mixed"))
    {
      static const gchar *kinds[] = { "a", "b", "c" };

      json_object_set_double_member (point, "x", g_rand_double_range (rand, -5.0, 5.0));
      json_object_set_int_member (point, "n", g_rand_int_range (rand, 0, 11));
      json_object_set_string_member (point, "kind", kinds[g_rand_int_range (rand, 0, 3)]);
    }
  else
    {
      for (guint i = 0; i < function->dimensions; i++)
        {
          g_autofree gchar *name = g_strdup_printf ("x%u", i);

          json_object_set_double_member (point, name,
                                         g_rand_double_range (rand, function->low,
                                                              function->high));
        }
    }
  return point;
}

/**
 * bench_split_list:
 * @text: (nullable): a comma-separated list, as given on the command line
 * @fallback: the list to use when @text is %NULL
 *
 * Returns: (transfer full): the items, blanks trimmed, empty ones dropped
 */
GStrv
bench_split_list (const gchar         *text,
                  const gchar * const *fallback)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) items = NULL;

  if (text == NULL)
    return g_strdupv ((gchar **) fallback);
  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    if (*g_strstrip (items[i]) != '\0')
      g_strv_builder_add (builder, items[i]);
  return g_strv_builder_end (builder);
}

static gchar *
read_cpu_model (void)
{
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "model name"))
      {
        const gchar *colon = strchr (lines[i], ':');

        if (colon != NULL)
          return g_strstrip (g_strdup (colon + 1));
      }
  return g_strdup ("unknown");
}

static gchar *
read_load_average (void)
{
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return g_strdup ("unknown");
  fields = g_strsplit (g_strstrip (contents), " ", 4);
  if (g_strv_length (fields) < 3)
    return g_strdup ("unknown");
  return g_strdup_printf ("%s %s %s", fields[0], fields[1], fields[2]);
}

/**
 * bench_machine_describe:
 *
 * Returns: (transfer full): the machine a benchmark runs on: `nproc`,
 *   `cpu` (the model in /proc/cpuinfo), `loadavg` (the load averages
 *   over 1, 5 and 15 minutes as the benchmark starts: other work on the
 *   machine skews timings), `date` (ISO 8601, local time), `glib` (the
 *   run-time GLib version)
 */
JsonObject *
bench_machine_describe (void)
{
  JsonObject *machine = json_object_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree gchar *cpu = read_cpu_model ();
  g_autofree gchar *load = read_load_average ();
  g_autofree gchar *date = g_date_time_format_iso8601 (now);
  g_autofree gchar *glib = g_strdup_printf ("%u.%u.%u", glib_major_version,
                                            glib_minor_version, glib_micro_version);

  json_object_set_int_member (machine, "nproc", g_get_num_processors ());
  json_object_set_string_member (machine, "cpu", cpu);
  json_object_set_string_member (machine, "loadavg", load);
  json_object_set_string_member (machine, "date", date);
  json_object_set_string_member (machine, "glib", glib);
  return machine;
}

/**
 * bench_machine_print:
 * @program: the benchmark's name
 * @machine: what bench_machine_describe() returned
 *
 * Prints the machine line that heads every table.
 */
void
bench_machine_print (const gchar *program,
                     JsonObject  *machine)
{
  g_print ("%s: machine: %" G_GINT64_FORMAT " CPUs (nproc), %s; load average %s; "
           "GLib %s; %s\n",
           program,
           json_object_get_int_member (machine, "nproc"),
           json_object_get_string_member (machine, "cpu"),
           json_object_get_string_member (machine, "loadavg"),
           json_object_get_string_member (machine, "glib"),
           json_object_get_string_member (machine, "date"));
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

/**
 * bench_quantile:
 * @values: (array length=n): numbers, in any order
 * @n: how many
 * @q: the quantile, in [0, 1]
 *
 * The quantile by linear interpolation between order statistics (the
 * "type 7" of Hyndman and Fan, the default of R and NumPy).
 *
 * Returns: the quantile, NaN when @n is 0
 */
gdouble
bench_quantile (const gdouble *values,
                guint          n,
                gdouble        q)
{
  g_autofree gdouble *sorted = NULL;
  gdouble h;
  guint lo;

  if (n == 0)
    return NAN;
  sorted = g_memdup2 (values, n * sizeof (gdouble));
  qsort (sorted, n, sizeof (gdouble), compare_doubles);
  h = (n - 1) * q;
  lo = (guint) floor (h);
  if (lo + 1 >= n)
    return sorted[n - 1];
  return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

typedef struct
{
  gdouble value;
  guint   group;
} Ranked;

static gint
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  return compare_doubles (&((const Ranked *) a)->value, &((const Ranked *) b)->value);
}

/**
 * bench_mann_whitney_p:
 * @a: (array length=na): the first sample
 * @na: its size
 * @b: (array length=nb): the second sample
 * @nb: its size
 *
 * The two-sided p-value of the Mann–Whitney U test that @a and @b come
 * from the same distribution: average ranks for ties, the normal
 * approximation of U with the tie correction of its variance and a
 * continuity correction of 1/2 (as scipy.stats.mannwhitneyu with
 * `method="asymptotic"`).
 *
 * Returns: the p-value, 1 when the samples cannot be told apart at all
 */
gdouble
bench_mann_whitney_p (const gdouble *a,
                      guint          na,
                      const gdouble *b,
                      guint          nb)
{
  guint n = na + nb;
  g_autofree Ranked *all = g_new (Ranked, n);
  gdouble rank_sum_a = 0.0, ties = 0.0, u, mu, sigma, z;

  if (na == 0 || nb == 0)
    return 1.0;
  for (guint i = 0; i < na; i++)
    all[i] = (Ranked) { a[i], 0 };
  for (guint i = 0; i < nb; i++)
    all[na + i] = (Ranked) { b[i], 1 };
  qsort (all, n, sizeof (Ranked), compare_ranked);

  for (guint i = 0; i < n;)
    {
      guint j = i;
      gdouble rank, t;

      while (j + 1 < n && all[j + 1].value == all[i].value)
        j++;
      rank = (i + j) / 2.0 + 1.0;     /* ranks i+1 … j+1, averaged */
      for (guint k = i; k <= j; k++)
        if (all[k].group == 0)
          rank_sum_a += rank;
      t = j - i + 1;
      ties += t * t * t - t;
      i = j + 1;
    }

  u = rank_sum_a - na * (na + 1) / 2.0;
  mu = na * (gdouble) nb / 2.0;
  sigma = sqrt (na * (gdouble) nb / 12.0 * ((n + 1) - ties / (n * (gdouble) (n - 1))));
  if (!(sigma > 0.0))
    return 1.0;
  z = MAX (fabs (u - mu) - 0.5, 0.0) / sigma;
  return MIN (erfc (z / G_SQRT2), 1.0);
}

/**
 * bench_json_skip:
 * @skipped: the list of what a benchmark could not run
 * @key: what @name is: `tuner`, `pruner`, `case`
 * @name: the tuner, pruner or case
 * @function: (nullable): the function it could not run on, or %NULL for all
 * @reason: `not built`, `n/a` or an error message
 *
 * Appends `{KEY: NAME, "function": FUNCTION, "reason": REASON}` to @skipped.
 */
void
bench_json_skip (JsonArray   *skipped,
                 const gchar *key,
                 const gchar *name,
                 const gchar *function,
                 const gchar *reason)
{
  JsonObject *skip = json_object_new ();

  json_object_set_string_member (skip, key, name);
  if (function != NULL)
    json_object_set_string_member (skip, "function", function);
  json_object_set_string_member (skip, "reason", reason);
  json_array_add_object_element (skipped, skip);
}

/**
 * bench_json_number:
 * @value: a number
 *
 * Returns: (transfer full): a JSON number, or null when @value is not
 *   finite (JSON has no infinity)
 */
JsonNode *
bench_json_number (gdouble value)
{
  JsonNode *node = json_node_alloc ();

  if (isfinite (value))
    return json_node_init_double (node, value);
  return json_node_init_null (node);
}

/**
 * bench_write_json:
 * @root: the document
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Writes @root, pretty-printed, to @path.
 *
 * Returns: %TRUE on success
 */
gboolean
bench_write_json (JsonNode     *root,
                  const gchar  *path,
                  GError      **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_file (generator, path, error);
}

/**
 * bench_registry_new:
 *
 * A registry of the build tree's plugins when run directly (the test
 * environment of `meson test` says the same).
 *
 * Returns: (transfer full): a new #VernierRegistry
 */
VernierRegistry *
bench_registry_new (void)
{
  g_setenv ("VERNIER_PLUGIN_SYSTEM_PATH", BENCH_PLUGIN_PATH, FALSE);
  return vernier_registry_new ();
}

/**
 * bench_plugin_available:
 * @registry: a registry
 * @kind: `tuner`, `trainer`, `pruner` or `observer`
 * @name: the plugin's name
 * @out_reason: (out) (optional) (transfer full): why not, when it is not
 *
 * Loads a plugin's type to learn whether a benchmark can use it.
 *
 * Returns: %TRUE if @name can be created
 */
gboolean
bench_plugin_available (VernierRegistry  *registry,
                        const gchar      *kind,
                        const gchar      *name,
                        gchar           **out_reason)
{
  g_autoptr(GError) error = NULL;

  if (vernier_registry_lookup_type (registry, kind, name, &error) != G_TYPE_INVALID)
    return TRUE;
  if (out_reason != NULL)
    *out_reason = g_strdup (error->message);
  return FALSE;
}
