/* The cost of a suggestion.
 *
 * Each case (tpe on 2 and 10 float dimensions, tpe multivariate and cmaes
 * on 10) creates its tuner through the registry, prepares it with a
 * context, then fills the context's history with N finished trials of
 * uniformly random parameters and values, each added to the context and
 * told to the tuner (vernier_context_add_trial() and
 * vernier_tuner_observe(), as the run loop does). Then M suggestions are
 * timed one by one, each followed by the tell of a finished trial at the
 * suggested parameters so that the tuner's state moves on; the tell is
 * timed apart. The table gives µs per suggestion (mean and median over
 * the M) and µs per tell, at each N.
 *
 *   bench-suggest [--history 100,1000,10000] [--suggestions M]
 *                 [--cases LIST] [--json FILE]
 */

#include <math.h>

#include "bench-util.h"

#define DEFAULT_SUGGESTIONS 100

typedef struct
{
  const gchar *label;     /* in tables and --cases */
  const gchar *plugin;
  const gchar *keys;      /* more keys of the tuner's group */
  guint        dimensions;
} SuggestCase;

static const SuggestCase cases[] = {
  { "tpe-2d", "tpe", "", 2 },
  { "tpe-10d", "tpe", "", 10 },
  { "tpe-mv-10d", "tpe", "multivariate=true\n", 10 },
  { "cmaes-10d", "cmaes", "", 10 },
};

static const gchar * const default_history[] = { "100", "1000", "10000", NULL };

static const SuggestCase *
case_lookup (const gchar *label)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (g_str_equal (cases[i].label, label))
      return &cases[i];
  return NULL;
}

static VernierContext *
make_context (guint dimensions)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("value", VERNIER_DIRECTION_MINIMIZE);

  for (guint i = 0; i < dimensions; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("x%u", i);
      g_autoptr(VernierDimension) dim = vernier_dimension_new_float (name, -5.0, 5.0, FALSE, 0.0, NULL);

      vernier_space_add (space, dim, NULL);
    }
  return vernier_context_new ("bench-suggest", space, objective, 1, NULL);
}

static VernierTuner *
make_tuner (VernierRegistry    *registry,
            const SuggestCase  *spec,
            GError            **error)
{
  g_autofree gchar *text = g_strdup_printf ("[tuner]\nplugin=%s\n%s", spec->plugin, spec->keys);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  if (!g_key_file_load_from_data (key_file, text, -1, G_KEY_FILE_NONE, error))
    return NULL;
  return VERNIER_TUNER (vernier_config_create_plugin (registry, "tuner", key_file, "tuner",
                                                      NULL, "bench-suggest", error));
}

/* Adds a finished trial to the history and tells the tuner. */
static void
tell (VernierContext *context,
      VernierTuner   *tuner,
      guint           number,
      JsonObject     *params,
      gdouble         value)
{
  g_autoptr(VernierTrial) trial = vernier_trial_new (number, params);

  vernier_trial_mark_started (trial);
  vernier_trial_set_value (trial, value);
  vernier_trial_mark_finished (trial, VERNIER_TRIAL_STATE_COMPLETE);
  vernier_context_add_trial (context, trial);
  vernier_tuner_observe (tuner, trial);
}

static JsonObject *
random_params (GRand *rand,
               guint  dimensions)
{
  JsonObject *params = json_object_new ();

  for (guint i = 0; i < dimensions; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("x%u", i);

      json_object_set_double_member (params, name, g_rand_double_range (rand, -5.0, 5.0));
    }
  return params;
}

typedef struct
{
  gdouble suggest_mean;
  gdouble suggest_median;
  gdouble tell_mean;
  gdouble fill_us;
} Timing;

static gboolean
measure (VernierRegistry    *registry,
         const SuggestCase  *spec,
         guint               history,
         guint               suggestions,
         Timing             *out,
         GError            **error)
{
  g_autoptr(VernierContext) context = make_context (spec->dimensions);
  g_autoptr(VernierTuner) tuner = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (history);
  g_autofree gdouble *suggest_us = g_new (gdouble, suggestions);
  gdouble suggest_total = 0.0, tell_total = 0.0;
  guint number = 0;
  gint64 start;

  tuner = make_tuner (registry, spec, error);
  if (tuner == NULL || !vernier_tuner_prepare (tuner, context, error))
    return FALSE;

  start = g_get_monotonic_time ();
  for (; number < history; number++)
    {
      g_autoptr(JsonObject) params = random_params (rand, spec->dimensions);

      tell (context, tuner, number, params, g_rand_double (rand));
    }
  out->fill_us = g_get_monotonic_time () - start;

  /* one untimed round: whatever a tuner does lazily on its first suggestion */
  for (guint i = 0; i <= suggestions; i++)
    {
      g_autoptr(JsonObject) params = NULL;
      gint64 t0, t1, t2;

      t0 = g_get_monotonic_time ();
      params = vernier_tuner_suggest (tuner, error);
      t1 = g_get_monotonic_time ();
      if (params == NULL)
        {
          g_prefix_error (error, "suggestion %u after %u trials: ", i, history);
          return FALSE;
        }
      tell (context, tuner, number++, params, g_rand_double (rand));
      t2 = g_get_monotonic_time ();

      if (i == 0)
        continue;
      suggest_us[i - 1] = t1 - t0;
      suggest_total += t1 - t0;
      tell_total += t2 - t1;
    }

  out->suggest_mean = suggest_total / suggestions;
  out->suggest_median = bench_quantile (suggest_us, suggestions, 0.5);
  out->tell_mean = tell_total / suggestions;
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierRegistry) registry = NULL;
  g_autoptr(JsonObject) machine = NULL;
  g_autoptr(JsonArray) results = json_array_new ();
  g_autoptr(JsonArray) skipped = json_array_new ();
  g_autofree gchar *history_opt = NULL;
  g_autofree gchar *cases_opt = NULL;
  g_autofree gchar *json_path = NULL;
  g_auto(GStrv) history_items = NULL;
  g_auto(GStrv) case_names = NULL;
  g_autoptr(GArray) histories = g_array_new (FALSE, FALSE, sizeof (guint));
  gint suggestions = DEFAULT_SUGGESTIONS;
  const gchar * const default_cases[] = { "tpe-2d", "tpe-10d", "tpe-mv-10d", "cmaes-10d", NULL };
  const GOptionEntry entries[] = {
    { "history", 'H', 0, G_OPTION_ARG_STRING, &history_opt,
      "Finished trials before timing, comma-separated (default 100,1000,10000)", "LIST" },
    { "suggestions", 'm', 0, G_OPTION_ARG_INT, &suggestions,
      "Suggestions timed at each history size (default 100)", "M" },
    { "cases", 'c', 0, G_OPTION_ARG_STRING, &cases_opt,
      "Cases, comma-separated (default: tpe-2d,tpe-10d,tpe-mv-10d,cmaes-10d)", "LIST" },
    { "json", 'j', 0, G_OPTION_ARG_FILENAME, &json_path, "Write the figures to FILE", "FILE" },
    { NULL }
  };

  options = g_option_context_new ("— time per suggestion of the model-based tuners");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-suggest: %s\n", error->message);
      return 2;
    }
  if (suggestions < 1)
    {
      g_printerr ("bench-suggest: --suggestions takes a positive number\n");
      return 2;
    }
  history_items = bench_split_list (history_opt, default_history);
  for (guint i = 0; history_items[i] != NULL; i++)
    {
      guint64 n;
      guint value;

      if (!g_ascii_string_to_unsigned (history_items[i], 10, 0, G_MAXUINT / 2, &n, NULL))
        {
          g_printerr ("bench-suggest: --history: '%s' is not a number of trials\n",
                      history_items[i]);
          return 2;
        }
      value = (guint) n;
      g_array_append_val (histories, value);
    }
  case_names = bench_split_list (cases_opt, default_cases);
  for (guint c = 0; case_names[c] != NULL; c++)
    if (case_lookup (case_names[c]) == NULL)
      {
        g_printerr ("bench-suggest: unknown case '%s'\n", case_names[c]);
        return 2;
      }

  registry = bench_registry_new ();
  machine = bench_machine_describe ();
  bench_machine_print ("bench-suggest", machine);
  g_print ("bench-suggest: %d timed suggestions per row, each followed by a tell; "
           "history of uniformly random finished trials\n\n", suggestions);
  g_print ("%-11s %-7s %4s %8s  %14s %16s  %12s  %12s\n", "case", "tuner", "dims",
           "history", "suggest us/mean", "suggest us/median", "tell us/mean",
           "fill ms");

  for (guint c = 0; case_names[c] != NULL; c++)
    {
      const SuggestCase *spec = case_lookup (case_names[c]);
      g_autofree gchar *reason = NULL;

      if (!bench_plugin_available (registry, "tuner", spec->plugin, &reason))
        {
          g_print ("%s: not built\n", spec->plugin);
          g_debug ("%s: %s", spec->plugin, reason);
          bench_json_skip (skipped, "case", spec->label, NULL, "not built");
          continue;
        }

      for (guint h = 0; h < histories->len; h++)
        {
          guint history = g_array_index (histories, guint, h);
          g_autoptr(GError) run_error = NULL;
          Timing timing = { 0, };
          JsonObject *result;

          if (!measure (registry, spec, history, suggestions, &timing, &run_error))
            {
              g_autofree gchar *why = g_strdup_printf ("after %u trials: %s", history,
                                                       run_error->message);

              g_print ("%-11s %-7s %4u %8u  error: %s\n", spec->label, spec->plugin,
                       spec->dimensions, history, run_error->message);
              bench_json_skip (skipped, "case", spec->label, NULL, why);
              continue;
            }

          g_print ("%-11s %-7s %4u %8u  %14.1f %16.1f  %12.1f  %12.1f\n", spec->label,
                   spec->plugin, spec->dimensions, history, timing.suggest_mean,
                   timing.suggest_median, timing.tell_mean, timing.fill_us / 1000.0);

          result = json_object_new ();
          json_object_set_string_member (result, "case", spec->label);
          json_object_set_string_member (result, "tuner", spec->plugin);
          json_object_set_int_member (result, "dimensions", spec->dimensions);
          json_object_set_int_member (result, "history", history);
          json_object_set_int_member (result, "suggestions", suggestions);
          json_object_set_double_member (result, "suggest_us_mean", timing.suggest_mean);
          json_object_set_double_member (result, "suggest_us_median", timing.suggest_median);
          json_object_set_double_member (result, "tell_us_mean", timing.tell_mean);
          json_object_set_double_member (result, "fill_us", timing.fill_us);
          json_array_add_object_element (results, result);
        }
    }

  if (json_path != NULL)
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_object_set_string_member (root, "program", "bench-suggest");
      json_object_set_object_member (root, "machine", json_object_ref (machine));
      json_object_set_array_member (root, "skipped", json_array_ref (skipped));
      json_object_set_array_member (root, "results", json_array_ref (results));
      json_node_set_object (node, root);
      if (!bench_write_json (node, json_path, &error))
        {
          g_printerr ("bench-suggest: %s\n", error->message);
          return 1;
        }
      g_print ("\nbench-suggest: wrote %s\n", json_path);
    }
  return 0;
}
