/* Early stopping: steps saved and quality kept.
 *
 * The benchmark trainer in step-wise mode (each trial reports `steps`
 * intermediate values converging to its final value) on branin and
 * hartmann6, the random tuner, T trials, seeds 1…N: once without a
 * pruner and once with each of median, percentile (25th), asha and
 * hyperband. The random tuner draws the same configurations whatever is
 * pruned, so the runs of one seed differ only by the pruner.
 *
 * For each pruner: the steps spent (the sum over trials of their reports),
 * the trials pruned, the best regret at the end (the noise-free regret of
 * the completed trial of best value; median and quartiles over the seeds),
 * and against the unpruned run: the step ratio (steps without / steps
 * with, summed over seeds), the regret ratio (median with / median
 * without), in how many seeds the very same best was found, and the
 * two-sided Mann–Whitney U p-value of the best regrets over the seeds.
 * The goal is a step ratio of at least 2 with a best regret within the
 * noise of the unpruned run, i.e. not told apart from it at p < 0.05.
 *
 * Two kinds of learning curves: `parallel` (every trial converges at the
 * same rate, so curves never cross and pruning on an early step costs
 * nothing by construction) and `crossing` (the trainer's crossing=true:
 * each trial converges at its own rate, so a slow starter may end best
 * and a pruner may stop it).
 *
 *   bench-pruners [--seeds N] [--trials T] [--steps S] [--noise SD]
 *                 [--curves parallel,crossing] [--functions a,b]
 *                 [--pruners a,b] [--json FILE]
 */

#include <math.h>

#include "bench-util.h"

#define DEFAULT_SEEDS  10
#define DEFAULT_TRIALS 100
#define DEFAULT_STEPS  20
#define STEP_GOAL      2.0
#define P_THRESHOLD    0.05

typedef struct
{
  const gchar *label;     /* in tables and --pruners */
  const gchar *plugin;    /* NULL: no pruner */
  const gchar *keys;      /* more keys of the [pruner] group */
} PrunerSpec;

static const PrunerSpec pruner_specs[] = {
  { "none", NULL, NULL },
  { "median", "median", NULL },
  { "percentile", "percentile", "percentile=25\n" },
  { "asha", "asha", NULL },
  { "hyperband", "hyperband", NULL },
};

static const gchar * const default_pruners[] = {
  "median", "percentile", "asha", "hyperband", NULL
};

static const gchar * const default_functions[] = { "branin", "hartmann6", NULL };

static const gchar * const default_curves[] = { "parallel", "crossing", NULL };

static const PrunerSpec *
pruner_spec_lookup (const gchar *label)
{
  for (guint i = 0; i < G_N_ELEMENTS (pruner_specs); i++)
    if (g_str_equal (pruner_specs[i].label, label))
      return &pruner_specs[i];
  return NULL;
}

typedef struct
{
  guint64 steps;
  guint   pruned;
  guint   complete;
  gdouble best_value;
  gdouble best;         /* the regret of the trial of best_value */
} Outcome;

static void
on_trial_finished (VernierStudy *study,
                   VernierTrial *trial,
                   Outcome      *outcome)
{
  outcome->steps += vernier_trial_get_n_reports (trial);
  switch (vernier_trial_get_state (trial))
    {
    case VERNIER_TRIAL_STATE_COMPLETE:
      {
        g_autoptr(JsonNode) node = vernier_trial_dup_user_attr (trial, "regret");
        gdouble regret;

        outcome->complete++;
        if (vernier_trial_get_value (trial) < outcome->best_value &&
            node != NULL && vernier_json_node_get_number (node, &regret))
          {
            outcome->best_value = vernier_trial_get_value (trial);
            outcome->best = regret;
          }
      }
      break;
    case VERNIER_TRIAL_STATE_PRUNED:
      outcome->pruned++;
      break;
    case VERNIER_TRIAL_STATE_WAITING:
    case VERNIER_TRIAL_STATE_RUNNING:
    case VERNIER_TRIAL_STATE_FAILED:
    case VERNIER_TRIAL_STATE_TIMED_OUT:
    default:
      break;
    }
}

static gboolean
run_study (VernierRegistry      *registry,
           const PrunerSpec     *pruner,
           const BenchFunction  *function,
           guint                 seed,
           guint                 trials,
           guint                 steps,
           gdouble               noise,
           gboolean              crossing,
           Outcome              *outcome,
           GError              **error)
{
  gchar noise_text[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree gchar *extra = g_strdup_printf ("steps=%u\nnoise=%s\ncrossing=%s\n", steps,
                                             g_ascii_dtostr (noise_text, sizeof noise_text, noise),
                                             crossing ? "true" : "false");
  g_autofree gchar *params = bench_function_params_text (function);
  g_autofree gchar *trainer = bench_function_trainer_text (function, extra);
  g_autofree gchar *pruner_group = NULL;
  g_autofree gchar *path = g_strdup_printf ("bench-pruners-%s-%s-%u.ini",
                                            pruner->label, function->name, seed);
  g_autofree gchar *text = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;

  pruner_group = pruner->plugin == NULL ? g_strdup ("")
    : g_strdup_printf ("[pruner]\nplugin=%s\n%s\n", pruner->plugin,
                       pruner->keys ? pruner->keys : "");
  text = g_strdup_printf ("[study]\nname=%s-%s-%u\nobjective=value\n"
                          "direction=minimize\ntrials=%u\nparallel=1\nseed=%u\nstorage=memory\n\n"
                          "%s[tuner]\nplugin=random\n\n%s%s",
                          pruner->label, function->name, seed, trials, seed,
                          params, trainer, pruner_group);

  config = vernier_config_new_from_data (text, -1, path, NULL, error);
  if (config == NULL)
    return FALSE;
  study = vernier_config_create_study (config, registry, error);
  if (study == NULL)
    return FALSE;

  *outcome = (Outcome) { 0, 0, 0, INFINITY, INFINITY };
  g_signal_connect (study, "trial-finished", G_CALLBACK (on_trial_finished), outcome);
  best = vernier_study_run (study, NULL, error);
  return best != NULL;
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
  g_autoptr(JsonArray) results = json_array_new ();
  g_autoptr(JsonArray) skipped = json_array_new ();
  g_autoptr(GPtrArray) pruners = g_ptr_array_new ();
  g_auto(GStrv) function_names = NULL;
  g_auto(GStrv) pruner_names = NULL;
  g_auto(GStrv) curve_names = NULL;
  g_autofree gchar *curves_opt = NULL;
  g_autofree gchar *functions_opt = NULL;
  g_autofree gchar *pruners_opt = NULL;
  g_autofree gchar *json_path = NULL;
  gint seeds = DEFAULT_SEEDS;
  gint trials = DEFAULT_TRIALS;
  gint steps = DEFAULT_STEPS;
  gdouble noise = 0.0;
  gint64 total_start = g_get_monotonic_time ();
  const GOptionEntry entries[] = {
    { "seeds", 's', 0, G_OPTION_ARG_INT, &seeds, "Seeds 1..N per function and pruner (default 10)", "N" },
    { "trials", 'n', 0, G_OPTION_ARG_INT, &trials, "Trials per study (default 100)", "T" },
    { "steps", 'S', 0, G_OPTION_ARG_INT, &steps, "Steps per trial (default 20)", "S" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &noise, "Noise of the final values (default 0)", "SD" },
    { "curves", 0, 0, G_OPTION_ARG_STRING, &curves_opt,
      "Learning curves, comma-separated (default: parallel,crossing)", "LIST" },
    { "functions", 'f', 0, G_OPTION_ARG_STRING, &functions_opt,
      "Functions, comma-separated (default: branin,hartmann6)", "LIST" },
    { "pruners", 'p', 0, G_OPTION_ARG_STRING, &pruners_opt,
      "Pruners, comma-separated (default: median,percentile,asha,hyperband)", "LIST" },
    { "json", 'j', 0, G_OPTION_ARG_FILENAME, &json_path, "Write the figures to FILE", "FILE" },
    { NULL }
  };

  options = g_option_context_new ("— steps saved and quality kept by the pruners");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-pruners: %s\n", error->message);
      return 2;
    }
  if (seeds < 1 || trials < 1 || steps < 1 || !(noise >= 0.0))
    {
      g_printerr ("bench-pruners: --seeds, --trials and --steps take positive "
                  "numbers, --noise a non-negative one\n");
      return 2;
    }

  function_names = bench_split_list (functions_opt, default_functions);
  for (guint f = 0; function_names[f] != NULL; f++)
    if (bench_function_lookup (function_names[f]) == NULL)
      {
        g_printerr ("bench-pruners: unknown function '%s'\n", function_names[f]);
        return 2;
      }
  curve_names = bench_split_list (curves_opt, default_curves);
  for (guint c = 0; curve_names[c] != NULL; c++)
    if (!g_str_equal (curve_names[c], "parallel") && !g_str_equal (curve_names[c], "crossing"))
      {
        g_printerr ("bench-pruners: unknown curves '%s' (known: parallel, crossing)\n",
                    curve_names[c]);
        return 2;
      }
  pruner_names = bench_split_list (pruners_opt, default_pruners);
  for (guint p = 0; pruner_names[p] != NULL; p++)
    if (pruner_spec_lookup (pruner_names[p]) == NULL)
      {
        g_printerr ("bench-pruners: unknown pruner '%s' (known: median, percentile, "
                    "asha, hyperband)\n", pruner_names[p]);
        return 2;
      }

  registry = bench_registry_new ();
  machine = bench_machine_describe ();
  bench_machine_print ("bench-pruners", machine);
  g_print ("bench-pruners: random tuner, %d trials of %d steps, noise %g, seeds 1..%d, "
           "parallel=1\n", trials, steps, noise, seeds);

  g_ptr_array_add (pruners, (gpointer) pruner_spec_lookup ("none"));
  for (guint p = 0; pruner_names[p] != NULL; p++)
    {
      const PrunerSpec *spec = pruner_spec_lookup (pruner_names[p]);
      g_autofree gchar *reason = NULL;

      if (spec->plugin == NULL)
        continue;
      if (bench_plugin_available (registry, "pruner", spec->plugin, &reason))
        {
          g_ptr_array_add (pruners, (gpointer) spec);
          continue;
        }
      g_print ("%s: not built\n", spec->label);
      g_debug ("%s: %s", spec->label, reason);
      bench_json_skip (skipped, "pruner", spec->label, NULL, "not built");
    }

  g_print ("\n%-9s %-10s %-10s %5s %9s %6s %7s  %-34s %6s %5s %6s  %s\n",
           "curves", "function", "pruner", "seeds", "steps", "ratio", "pruned",
           "best regret: median [q1, q3]", "ratio", "same", "p", "goal");

  for (guint c = 0; curve_names[c] != NULL; c++)
  for (guint f = 0; function_names[f] != NULL; f++)
    {
      const gchar *curves = curve_names[c];
      gboolean crossing = g_str_equal (curves, "crossing");
      const BenchFunction *function = bench_function_lookup (function_names[f]);
      g_autofree gdouble *base_best = g_new0 (gdouble, seeds);
      gdouble base_steps = NAN, base_median = NAN;

      for (guint p = 0; p < pruners->len; p++)
        {
          const PrunerSpec *pruner = g_ptr_array_index (pruners, p);
          g_autofree gdouble *best = g_new (gdouble, seeds);
          g_autofree gdouble *pruned = g_new (gdouble, seeds);
          g_autoptr(GError) run_error = NULL;
          gdouble total_steps = 0.0, median, step_ratio, regret_ratio, pvalue;
          guint same = 0;
          const gchar *goal;
          JsonObject *result;
          JsonArray *best_array, *steps_array;

          best_array = json_array_new ();
          steps_array = json_array_new ();
          for (gint seed = 1; seed <= seeds && run_error == NULL; seed++)
            {
              Outcome outcome;

              if (!run_study (registry, pruner, function, seed, trials, steps, noise,
                              crossing, &outcome, &run_error))
                {
                  g_prefix_error (&run_error, "seed %d: ", seed);
                  break;
                }
              total_steps += outcome.steps;
              best[seed - 1] = outcome.best;
              pruned[seed - 1] = outcome.pruned;
              json_array_add_element (best_array, bench_json_number (outcome.best));
              json_array_add_int_element (steps_array, outcome.steps);
            }

          if (run_error != NULL)
            {
              g_print ("%-9s %-10s %-10s error: %s\n", curves, function->name,
                       pruner->label, run_error->message);
              bench_json_skip (skipped, "pruner", pruner->label, function->name,
                               run_error->message);
              json_array_unref (best_array);
              json_array_unref (steps_array);
              continue;
            }

          median = bench_quantile (best, seeds, 0.5);
          if (pruner->plugin == NULL)
            {
              memcpy (base_best, best, seeds * sizeof (gdouble));
              base_steps = total_steps;
              base_median = median;
            }
          for (gint s = 0; s < seeds; s++)
            same += best[s] == base_best[s];
          step_ratio = base_steps / total_steps;
          regret_ratio = base_median > 0.0 ? median / base_median : NAN;
          pvalue = bench_mann_whitney_p (best, seeds, base_best, seeds);
          goal = pruner->plugin == NULL ? "-"
               : step_ratio >= STEP_GOAL && pvalue >= P_THRESHOLD ? "met"
               : "NOT met";

          g_print ("%-9s %-10s %-10s %5d %9.0f %6.2f %7.1f  %10.3e [%9.3e, %9.3e] %6.2f %2u/%-2d %6.3f  %s\n",
                   curves, function->name, pruner->label, seeds, total_steps / seeds, step_ratio,
                   bench_quantile (pruned, seeds, 0.5), median,
                   bench_quantile (best, seeds, 0.25), bench_quantile (best, seeds, 0.75),
                   regret_ratio, same, seeds, pvalue, goal);

          result = json_object_new ();
          json_object_set_string_member (result, "curves", curves);
          json_object_set_string_member (result, "function", function->name);
          json_object_set_string_member (result, "pruner", pruner->label);
          json_object_set_array_member (result, "best_regret", best_array);
          json_object_set_array_member (result, "steps", steps_array);
          json_object_set_double_member (result, "step_ratio", step_ratio);
          json_object_set_double_member (result, "mann_whitney_p", pvalue);
          json_array_add_object_element (results, result);
        }
    }

  g_print ("\nsteps: mean per study; ratio: steps without pruning / with; pruned: "
           "median trials pruned per study;\nbest regret ratio: median with / "
           "without; same: seeds whose best is the unpruned one's; p: two-sided\n"
           "Mann-Whitney U of the best regrets against no pruning; goal: ratio >= %.0f "
           "and p >= %.2f\n", STEP_GOAL, P_THRESHOLD);
  g_print ("bench-pruners: done in %.1f s\n",
           (g_get_monotonic_time () - total_start) / (gdouble) G_USEC_PER_SEC);

  if (json_path != NULL)
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_object_set_string_member (root, "program", "bench-pruners");
      json_object_set_object_member (root, "machine", json_object_ref (machine));
      json_object_set_int_member (root, "seeds", seeds);
      json_object_set_int_member (root, "trials", trials);
      json_object_set_int_member (root, "steps", steps);
      json_object_set_array_member (root, "skipped", json_array_ref (skipped));
      json_object_set_array_member (root, "results", json_array_ref (results));
      json_node_set_object (node, root);
      if (!bench_write_json (node, json_path, &error))
        {
          g_printerr ("bench-pruners: %s\n", error->message);
          return 1;
        }
      g_print ("bench-pruners: wrote %s\n", json_path);
    }
  return 0;
}
