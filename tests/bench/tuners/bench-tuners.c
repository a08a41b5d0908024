/* Sample efficiency of the tuners.
 *
 * Every tuner (random, sobol, tpe, tpe with multivariate=true, cmaes) on
 * every function of the suite (branin 2-D, hartmann6 6-D, rosenbrock 4-D,
 * ackley 10-D, styblinski-tang 8-D, and mixed float/int/categorical), for
 * each seed 1…N: a study of T trials, parallel=1, run in-process through
 * the core (a study file built in memory, the benchmark trainer). The
 * regret of a trial is its value minus the function's known minimum; the
 * best regret so far is recorded after every trial from `trial-finished`.
 * The table gives its median and quartiles over the seeds after T/4, T/2
 * and T trials, and the median wall time of a whole study.
 *
 * A tuner whose plugin is not built is reported as such and skipped;
 * cmaes cannot search a categorical dimension, so mixed is "n/a" for it.
 *
 * Before the studies, the benchmark trainer is evaluated at a known
 * minimizer and at three random points of each function; with --json
 * these values go to the file too, so that the Optuna side can check its
 * own formulas against them.
 *
 * --set LABEL:KEY=VALUE adds a key to the [tuner] group of one tuner
 * (e.g. `--set tpe:ei-candidates=24`), to measure a property's effect;
 * --first-seed runs seeds F..F+N-1 instead of 1..N, a second sample to
 * check that a result does not belong to one set of seeds.
 *
 *   bench-tuners [--seeds N] [--first-seed F] [--trials T] [--functions a,b]
 *                [--tuners a,b] [--set LABEL:KEY=VALUE]... [--json FILE]
 */

#include <math.h>
#include <string.h>

#include "bench-util.h"

#define DEFAULT_SEEDS  20
#define DEFAULT_TRIALS 100
#define N_CHECKPOINTS  3
#define N_RANDOM_CHECKS 3

typedef struct
{
  const gchar *label;     /* in tables and --tuners */
  const gchar *plugin;
  const gchar *keys;      /* more keys of the [tuner] group */
  gboolean     categorical;
} TunerSpec;

static const TunerSpec tuner_specs[] = {
  { "random", "random", NULL, TRUE },
  { "sobol", "sobol", NULL, TRUE },
  { "tpe", "tpe", NULL, TRUE },
  { "tpe-mv", "tpe", "multivariate=true\n", TRUE },
  { "cmaes", "cmaes", NULL, FALSE },
};

static const gchar * const default_tuners[] = {
  "random", "sobol", "tpe", "tpe-mv", "cmaes", NULL
};

static const TunerSpec *
tuner_spec_lookup (const gchar *label)
{
  for (guint i = 0; i < G_N_ELEMENTS (tuner_specs); i++)
    if (g_str_equal (tuner_specs[i].label, label))
      return &tuner_specs[i];
  return NULL;
}

/* ---- the cross-check points ------------------------------------------ */

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Wait;

static void
on_evaluated (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Wait *wait = data;

  wait->ok = vernier_trainer_train_finish (VERNIER_TRAINER (source), result, &wait->error);
  wait->done = TRUE;
}

/* The benchmark trainer's value of @function at @params. */
static gboolean
evaluate_point (VernierRegistry      *registry,
                const BenchFunction  *function,
                JsonObject           *params,
                gdouble              *out_value,
                GError              **error)
{
  g_autofree gchar *text = bench_function_trainer_text (function, NULL);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GObject) trainer = NULL;
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("value", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTrial) trial = NULL;
  Wait wait = { FALSE, FALSE, NULL };

  if (!g_key_file_load_from_data (key_file, text, -1, G_KEY_FILE_NONE, error))
    return FALSE;
  trainer = vernier_config_create_plugin (registry, "trainer", key_file, "trainer",
                                          NULL, "bench-tuners", error);
  if (trainer == NULL)
    return FALSE;
  context = vernier_context_new ("bench-tuners-check", space, objective, 1, NULL);
  if (!vernier_trainer_prepare (VERNIER_TRAINER (trainer), context, error))
    return FALSE;

  trial = vernier_trial_new (0, params);
  vernier_trainer_train_async (VERNIER_TRAINER (trainer), trial, NULL, on_evaluated, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  if (!wait.ok)
    {
      g_propagate_error (error, wait.error);
      return FALSE;
    }
  *out_value = vernier_trial_get_value (trial);
  return TRUE;
}

/* Evaluates a minimizer and random points of each function; prints them
 * and returns them for the JSON file. */
static JsonArray *
run_checks (VernierRegistry *registry,
            GStrv            function_names)
{
  JsonArray *checks = json_array_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240301);

  g_print ("\nbench-tuners: the benchmark trainer at a known minimizer and at "
           "%u random points\n", N_RANDOM_CHECKS);
  g_print ("%-16s %-10s %24s %24s\n", "function", "point", "value", "value - minimum");
  for (guint f = 0; function_names[f] != NULL; f++)
    {
      const BenchFunction *function = bench_function_lookup (function_names[f]);

      for (guint i = 0; i <= N_RANDOM_CHECKS; i++)
        {
          g_autoptr(JsonObject) params = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree gchar *label = NULL;
          JsonObject *check;
          gdouble value;

          if (i == 0)
            {
              g_autoptr(JsonNode) node = json_from_string (function->minimizer, &error);

              g_assert_no_error (error);
              params = json_object_ref (json_node_get_object (node));
              label = g_strdup ("minimizer");
            }
          else
            {
              params = bench_function_random_point (function, rand);
              label = g_strdup_printf ("random %u", i);
            }

          if (!evaluate_point (registry, function, params, &value, &error))
            {
              g_print ("%-16s %-10s error: %s\n", function->name, label, error->message);
              continue;
            }
          g_print ("%-16s %-10s %24.17g %24.17g\n", function->name, label,
                   value, value - function->minimum);

          check = json_object_new ();
          json_object_set_string_member (check, "function", function->name);
          json_object_set_string_member (check, "point", label);
          json_object_set_object_member (check, "params", json_object_ref (params));
          json_object_set_double_member (check, "value", value);
          json_object_set_double_member (check, "minimum", function->minimum);
          json_array_add_object_element (checks, check);
        }
    }
  return checks;
}

/* ---- one study -------------------------------------------------------- */

typedef struct
{
  gdouble best;
  GArray *curve;        /* gdouble: best regret after each trial */
} Recorder;

static void
on_trial_finished (VernierStudy *study,
                   VernierTrial *trial,
                   Recorder     *recorder)
{
  if (vernier_trial_get_state (trial) == VERNIER_TRIAL_STATE_COMPLETE)
    {
      g_autoptr(JsonNode) node = vernier_trial_dup_user_attr (trial, "regret");
      gdouble regret;

      if (node != NULL && vernier_json_node_get_number (node, &regret) &&
          regret < recorder->best)
        recorder->best = regret;
    }
  g_array_append_val (recorder->curve, recorder->best);
}

/* Runs one study; returns the best regret after each trial. */
static GArray *
run_study (VernierRegistry      *registry,
           const TunerSpec      *tuner,
           const gchar          *extra_keys,
           const BenchFunction  *function,
           guint                 seed,
           guint                 trials,
           gint64               *out_wall_us,
           GError              **error)
{
  g_autofree gchar *params = bench_function_params_text (function);
  g_autofree gchar *trainer = bench_function_trainer_text (function, NULL);
  g_autofree gchar *path = g_strdup_printf ("bench-tuners-%s-%s-%u.ini",
                                            tuner->label, function->name, seed);
  g_autofree gchar *text = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(GArray) curve = g_array_new (FALSE, FALSE, sizeof (gdouble));
  Recorder recorder = { INFINITY, curve };
  gint64 start;

  text = g_strdup_printf ("[study]\nname=%s-%s-%u\nobjective=value\n"
                          "direction=minimize\ntrials=%u\nparallel=1\nseed=%u\nstorage=memory\n\n"
                          "%s[tuner]\nplugin=%s\n%s%s\n%s",
                          tuner->label, function->name, seed, trials, seed,
                          params, tuner->plugin, tuner->keys ? tuner->keys : "",
                          extra_keys != NULL ? extra_keys : "", trainer);

  config = vernier_config_new_from_data (text, -1, path, NULL, error);
  if (config == NULL)
    return NULL;
  study = vernier_config_create_study (config, registry, error);
  if (study == NULL)
    return NULL;
  g_signal_connect (study, "trial-finished", G_CALLBACK (on_trial_finished), &recorder);

  start = g_get_monotonic_time ();
  best = vernier_study_run (study, NULL, error);
  *out_wall_us = g_get_monotonic_time () - start;
  if (best == NULL)
    return NULL;

  /* a tuner that ran out early keeps its best for the rest of the budget */
  while (curve->len > 0 && curve->len < trials)
    g_array_append_val (curve, recorder.best);
  return g_steal_pointer (&curve);
}

/* ---- tables ----------------------------------------------------------- */

static void
print_header (const guint *checkpoints)
{
  g_print ("\n%-16s %-7s %5s", "function", "tuner", "seeds");
  for (guint c = 0; c < N_CHECKPOINTS; c++)
    {
      g_autofree gchar *title = g_strdup_printf ("regret after %u: median [q1, q3]",
                                                 checkpoints[c]);
      g_print ("  %-32s", title);
    }
  g_print ("  %9s\n", "study ms");
}

static void
print_row (const BenchFunction *function,
           const TunerSpec     *tuner,
           GPtrArray           *curves,
           GArray              *walls,
           const guint         *checkpoints)
{
  g_autofree gdouble *at = g_new (gdouble, curves->len);

  g_print ("%-16s %-7s %5u", function->name, tuner->label, curves->len);
  for (guint c = 0; c < N_CHECKPOINTS; c++)
    {
      for (guint s = 0; s < curves->len; s++)
        {
          GArray *curve = g_ptr_array_index (curves, s);

          at[s] = g_array_index (curve, gdouble, MIN (checkpoints[c], curve->len) - 1);
        }
      g_print ("  %10.3e [%9.3e, %9.3e]",
               bench_quantile (at, curves->len, 0.5),
               bench_quantile (at, curves->len, 0.25),
               bench_quantile (at, curves->len, 0.75));
    }
  g_print ("  %9.1f\n",
           bench_quantile ((gdouble *) walls->data, walls->len, 0.5) / 1000.0);
}

/* ---- main ------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierRegistry) registry = NULL;
  g_autoptr(JsonObject) machine = NULL;
  g_autoptr(JsonArray) runs = json_array_new ();
  g_autoptr(JsonArray) skipped = json_array_new ();
  g_autoptr(JsonArray) checks = NULL;
  g_autoptr(GPtrArray) tuners = g_ptr_array_new ();
  g_auto(GStrv) function_names = NULL;
  g_auto(GStrv) tuner_names = NULL;
  g_autofree gchar *functions_opt = NULL;
  g_autofree gchar *tuners_opt = NULL;
  g_autofree gchar *json_path = NULL;
  g_auto(GStrv) sets = NULL;
  g_autoptr(GHashTable) extra_keys = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                            g_free, g_free);
  gint seeds = DEFAULT_SEEDS;
  gint first_seed = 1;
  gint trials = DEFAULT_TRIALS;
  guint checkpoints[N_CHECKPOINTS];
  gint64 total_start = g_get_monotonic_time ();
  const GOptionEntry entries[] = {
    { "seeds", 's', 0, G_OPTION_ARG_INT, &seeds, "Seeds 1..N per tuner and function (default 20)", "N" },
    { "first-seed", 0, 0, G_OPTION_ARG_INT, &first_seed, "Seeds F..F+N-1 instead of 1..N", "F" },
    { "trials", 'n', 0, G_OPTION_ARG_INT, &trials, "Trials per study (default 100)", "T" },
    { "functions", 'f', 0, G_OPTION_ARG_STRING, &functions_opt,
      "Functions, comma-separated (default: branin,hartmann6,rosenbrock,ackley,"
      "styblinski-tang,mixed; also: sphere)", "LIST" },
    { "tuners", 't', 0, G_OPTION_ARG_STRING, &tuners_opt,
      "Tuners, comma-separated (default: random,sobol,tpe,tpe-mv,cmaes)", "LIST" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "Add KEY=VALUE to the [tuner] group of tuner LABEL (repeatable)", "LABEL:KEY=VALUE" },
    { "json", 'j', 0, G_OPTION_ARG_FILENAME, &json_path, "Write every run's curve to FILE", "FILE" },
    { NULL }
  };

  options = g_option_context_new ("— sample efficiency of the tuners");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-tuners: %s\n", error->message);
      return 2;
    }
  if (seeds < 1 || first_seed < 1 || trials < 4)
    {
      g_printerr ("bench-tuners: --seeds and --first-seed take a positive number, "
                  "--trials at least 4\n");
      return 2;
    }
  checkpoints[0] = trials / 4;
  checkpoints[1] = trials / 2;
  checkpoints[2] = trials;

  function_names = bench_split_list (functions_opt, bench_function_suite ());
  for (guint f = 0; function_names[f] != NULL; f++)
    if (bench_function_lookup (function_names[f]) == NULL)
      {
        g_printerr ("bench-tuners: unknown function '%s'\n", function_names[f]);
        return 2;
      }
  tuner_names = bench_split_list (tuners_opt, default_tuners);
  for (guint t = 0; tuner_names[t] != NULL; t++)
    if (tuner_spec_lookup (tuner_names[t]) == NULL)
      {
        g_printerr ("bench-tuners: unknown tuner '%s' (known: random, sobol, "
                    "tpe, tpe-mv, cmaes)\n", tuner_names[t]);
        return 2;
      }

  for (guint i = 0; sets != NULL && sets[i] != NULL; i++)
    {
      const gchar *colon = strchr (sets[i], ':');
      g_autofree gchar *label = NULL;
      gchar *keys;

      if (colon == NULL || strchr (colon, '=') == NULL)
        {
          g_printerr ("bench-tuners: --set takes LABEL:KEY=VALUE, not '%s'\n", sets[i]);
          return 2;
        }
      label = g_strndup (sets[i], colon - sets[i]);
      if (tuner_spec_lookup (label) == NULL)
        {
          g_printerr ("bench-tuners: --set: unknown tuner '%s'\n", label);
          return 2;
        }
      keys = g_strconcat (g_hash_table_contains (extra_keys, label)
                          ? (const gchar *) g_hash_table_lookup (extra_keys, label) : "",
                          colon + 1, "\n", NULL);
      g_hash_table_replace (extra_keys, g_steal_pointer (&label), keys);
    }

  registry = bench_registry_new ();
  machine = bench_machine_describe ();
  bench_machine_print ("bench-tuners", machine);
  g_print ("bench-tuners: %d seeds (%d..%d), %d trials per study, parallel=1, "
           "regret = best value - known minimum\n", seeds, first_seed,
           first_seed + seeds - 1, trials);

  for (guint t = 0; tuner_names[t] != NULL; t++)
    {
      const TunerSpec *spec = tuner_spec_lookup (tuner_names[t]);
      g_autofree gchar *reason = NULL;

      if (bench_plugin_available (registry, "tuner", spec->plugin, &reason))
        {
          g_ptr_array_add (tuners, (gpointer) spec);
          continue;
        }
      g_print ("%s: not built\n", spec->label);
      g_debug ("%s: %s", spec->label, reason);
      bench_json_skip (skipped, "tuner", spec->label, NULL, "not built");
    }

  checks = run_checks (registry, function_names);

  print_header (checkpoints);
  for (guint f = 0; function_names[f] != NULL; f++)
    {
      const BenchFunction *function = bench_function_lookup (function_names[f]);

      for (guint t = 0; t < tuners->len; t++)
        {
          const TunerSpec *tuner = g_ptr_array_index (tuners, t);
          g_autoptr(GPtrArray) curves = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
          g_autoptr(GArray) walls = g_array_new (FALSE, FALSE, sizeof (gdouble));
          g_autoptr(GError) run_error = NULL;

          if (!tuner->categorical && g_str_equal (function->function, "mixed"))
            {
              g_print ("%-16s %-7s %5s  n/a (no categorical dimensions)\n",
                       function->name, tuner->label, "-");
              bench_json_skip (skipped, "tuner", tuner->label, function->name, "n/a");
              continue;
            }

          for (gint seed = first_seed; seed < first_seed + seeds; seed++)
            {
              gint64 wall_us = 0;
              GArray *curve = run_study (registry, tuner,
                                         g_hash_table_lookup (extra_keys, tuner->label),
                                         function, seed, trials, &wall_us, &run_error);
              JsonObject *run;
              JsonArray *points;
              gdouble wall = wall_us;

              if (curve == NULL)
                {
                  g_prefix_error (&run_error, "seed %d: ", seed);
                  break;
                }
              g_ptr_array_add (curves, curve);
              g_array_append_val (walls, wall);

              run = json_object_new ();
              points = json_array_new ();
              json_object_set_string_member (run, "tuner", tuner->label);
              json_object_set_string_member (run, "function", function->name);
              json_object_set_int_member (run, "seed", seed);
              json_object_set_int_member (run, "wall_us", wall_us);
              for (guint i = 0; i < curve->len; i++)
                json_array_add_element (points, bench_json_number (g_array_index (curve, gdouble, i)));
              json_object_set_array_member (run, "best_regret", points);
              json_array_add_object_element (runs, run);
            }

          if (run_error != NULL)
            {
              g_print ("%-16s %-7s %5s  error: %s\n", function->name, tuner->label, "-",
                       run_error->message);
              bench_json_skip (skipped, "tuner", tuner->label, function->name,
                               run_error->message);
              continue;
            }
          print_row (function, tuner, curves, walls, checkpoints);
        }
    }

  g_print ("\nbench-tuners: done in %.1f s\n",
           (g_get_monotonic_time () - total_start) / (gdouble) G_USEC_PER_SEC);

  if (json_path != NULL)
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      JsonArray *checkpoint_array = json_array_new ();

      for (guint c = 0; c < N_CHECKPOINTS; c++)
        json_array_add_int_element (checkpoint_array, checkpoints[c]);
      json_object_set_string_member (root, "program", "bench-tuners");
      json_object_set_object_member (root, "machine", json_object_ref (machine));
      json_object_set_int_member (root, "seeds", seeds);
      json_object_set_int_member (root, "first_seed", first_seed);
      if (sets != NULL)
        {
          JsonArray *set_array = json_array_new ();

          for (guint i = 0; sets[i] != NULL; i++)
            json_array_add_string_element (set_array, sets[i]);
          json_object_set_array_member (root, "set", set_array);
        }
      json_object_set_int_member (root, "trials", trials);
      json_object_set_array_member (root, "checkpoints", checkpoint_array);
      json_object_set_array_member (root, "checks", json_array_ref (checks));
      json_object_set_array_member (root, "skipped", json_array_ref (skipped));
      json_object_set_array_member (root, "runs", json_array_ref (runs));
      json_node_set_object (node, root);
      if (!bench_write_json (node, json_path, &error))
        {
          g_printerr ("bench-tuners: %s\n", error->message);
          return 1;
        }
      g_print ("bench-tuners: wrote %s\n", json_path);
    }
  return 0;
}
