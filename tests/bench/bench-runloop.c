/* Throughput of the study's run loop.
 *
 * A VernierStudy with the built-in `random` tuner (through the registry),
 * an instant in-process trainer and no observers runs N trials at
 * parallel=1 and parallel=8. The baseline, measured in the same run, is
 * the work the engine cannot avoid for N trials: a suggestion from the
 * same tuner, a trial object, and one GTask round trip through the main
 * loop with the same trainer, without the study. What the study costs
 * above that is the engine's own time per trial.
 *
 *   bench-runloop [--trials N] [--repeat R]
 */

#include <stdlib.h>
#include <sys/resource.h>

#include "vernier-core.h"

#define DEFAULT_TRIALS 100000
#define DEFAULT_REPEAT 3
#define WARMUP_TRIALS  2000
#define ENGINE_GOAL_US 5.0

/* ---- a trainer that answers at once ----------------------------------- */

#define BENCH_TYPE_INSTANT_TRAINER (bench_instant_trainer_get_type ())
G_DECLARE_FINAL_TYPE (BenchInstantTrainer, bench_instant_trainer, BENCH, INSTANT_TRAINER, GObject)

struct _BenchInstantTrainer
{
  GObject parent_instance;
};

static void bench_instant_trainer_iface_init (VernierTrainerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BenchInstantTrainer, bench_instant_trainer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_TRAINER,
                                                      bench_instant_trainer_iface_init))

static void
bench_instant_trainer_train_async (VernierTrainer      *trainer,
                                   VernierTrial        *trial,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  JsonObject *params = vernier_trial_get_params (trial);
  gdouble x = json_object_get_double_member_with_default (params, "x", 0.0);
  gdouble y = json_object_get_double_member_with_default (params, "y", 0.0);
  GTask *task;

  task = g_task_new (trainer, cancellable, callback, user_data);
  g_task_set_source_tag (task, bench_instant_trainer_train_async);
  vernier_trial_set_value (trial, x * x + y * y);
  /* Returned in the iteration that created it: GTask calls back from an
   * idle, a round trip through the main loop. */
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
bench_instant_trainer_train_finish (VernierTrainer  *trainer,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
bench_instant_trainer_iface_init (VernierTrainerInterface *iface)
{
  iface->train_async = bench_instant_trainer_train_async;
  iface->train_finish = bench_instant_trainer_train_finish;
}

static void
bench_instant_trainer_class_init (BenchInstantTrainerClass *klass)
{
}

static void
bench_instant_trainer_init (BenchInstantTrainer *self)
{
}

/* ---- set-up ----------------------------------------------------------- */

static VernierContext *
make_context (guint64 seed)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("value", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(GError) error = NULL;
  static const gchar *names[] = { "x", "y" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(VernierDimension) dim = vernier_dimension_new_float (names[i], -5, 5, FALSE, 0, &error);

      if (dim == NULL || !vernier_space_add (space, dim, &error))
        g_error ("cannot build the search space: %s", error->message);
    }
  return vernier_context_new ("bench-runloop", space, objective, seed, NULL);
}

static VernierTuner *
make_tuner (VernierRegistry *registry)
{
  g_autoptr(GError) error = NULL;
  GObject *object = vernier_registry_create (registry, "tuner", "random", &error);

  if (object == NULL)
    g_error ("cannot load the random tuner: %s", error->message);
  return VERNIER_TUNER (object);
}

static gdouble
peak_rss_mib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  /* KiB on Linux */
}

/* ---- the study -------------------------------------------------------- */

/* Runs @n trials through a study; returns the wall time in µs. */
static gint64
time_study (VernierRegistry *registry,
            VernierTrainer  *trainer,
            guint            n,
            guint            parallel)
{
  g_autoptr(VernierContext) context = make_context (42);
  g_autoptr(VernierTuner) tuner = make_tuner (registry);
  g_autoptr(VernierStudy) study = vernier_study_new (context);
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;

  vernier_study_set_trainer (study, trainer);
  vernier_study_add_tuner (study, tuner, "[tuner]", 0);
  vernier_study_set_max_trials (study, n);
  vernier_study_set_parallel (study, parallel);

  start = g_get_monotonic_time ();
  best = vernier_study_run (study, NULL, &error);
  elapsed = g_get_monotonic_time () - start;

  if (best == NULL)
    g_error ("the study failed: %s", error->message);
  if (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE) != n)
    g_error ("the study completed %u trials of %u",
             vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), n);
  return elapsed;
}

/* ---- the baseline ----------------------------------------------------- */

typedef struct
{
  VernierTuner   *tuner;
  VernierTrainer *trainer;
  guint           n;
  guint           parallel;
  guint           started;
  guint           finished;
  guint           running;
} Baseline;

static void baseline_fill (Baseline *b);

static void
baseline_trained (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  Baseline *b = g_object_get_data (source, "bench-baseline");
  g_autoptr(VernierTrial) trial = data;
  g_autoptr(GError) error = NULL;

  if (!vernier_trainer_train_finish (VERNIER_TRAINER (source), result, &error))
    g_error ("baseline trial %u failed: %s", vernier_trial_get_number (trial), error->message);
  b->running--;
  b->finished++;
  baseline_fill (b);
}

static void
baseline_fill (Baseline *b)
{
  while (b->running < b->parallel && b->started < b->n)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) params = vernier_tuner_suggest (b->tuner, &error);
      VernierTrial *trial;

      if (params == NULL)
        g_error ("the random tuner failed: %s", error->message);
      trial = vernier_trial_new (b->started++, params);
      b->running++;
      vernier_trainer_train_async (b->trainer, trial, NULL, baseline_trained, trial);
    }
}

/* The same number of suggestions, trials and GTask round trips through
 * the main loop, @parallel in flight, without the study. */
static gint64
time_baseline (VernierRegistry *registry,
               VernierTrainer  *trainer,
               guint            n,
               guint            parallel)
{
  g_autoptr(VernierContext) context = make_context (42);
  g_autoptr(VernierTuner) tuner = make_tuner (registry);
  g_autoptr(GError) error = NULL;
  GMainContext *main_context = g_main_context_default ();
  Baseline b = { tuner, trainer, n, parallel, 0, 0, 0 };
  gint64 start, elapsed;

  if (!vernier_tuner_prepare (tuner, context, &error))
    g_error ("cannot prepare the random tuner: %s", error->message);
  g_object_set_data (G_OBJECT (trainer), "bench-baseline", &b);

  start = g_get_monotonic_time ();
  baseline_fill (&b);
  while (b.finished < n)
    g_main_context_iteration (main_context, TRUE);
  elapsed = g_get_monotonic_time () - start;

  g_object_set_data (G_OBJECT (trainer), "bench-baseline", NULL);
  return elapsed;
}

/* ---- main ------------------------------------------------------------- */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierRegistry) registry = NULL;
  g_autoptr(VernierTrainer) trainer = NULL;
  gint trials = DEFAULT_TRIALS;
  gint repeat = DEFAULT_REPEAT;
  static const guint parallels[] = { 1, 8 };
  const GOptionEntry entries[] = {
    { "trials", 'n', 0, G_OPTION_ARG_INT, &trials, "Trials per run (default 100000)", "N" },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, "Runs of each; the fastest counts (default 3)", "R" },
    { NULL }
  };
  gdouble rss_before;
  gboolean goal_met = TRUE;

  options = g_option_context_new ("— throughput of the study's run loop");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-runloop: %s\n", error->message);
      return 2;
    }
  if (trials < 1 || repeat < 1)
    {
      g_printerr ("bench-runloop: --trials and --repeat take a positive number\n");
      return 2;
    }

  /* Run directly, the build tree's plugins are the ones to load. */
  g_setenv ("VERNIER_PLUGIN_SYSTEM_PATH", BENCH_PLUGIN_PATH, FALSE);
  registry = vernier_registry_new ();
  trainer = g_object_new (BENCH_TYPE_INSTANT_TRAINER, NULL);

  rss_before = peak_rss_mib ();
  g_print ("runloop: %d trials per run, best of %d; random tuner, instant "
           "in-process trainer, no observers\n", trials, repeat);

  /* Warm up: load the plugin, fill the allocator's caches. */
  time_study (registry, trainer, WARMUP_TRIALS, 1);
  time_baseline (registry, trainer, WARMUP_TRIALS, 1);

  for (guint p = 0; p < G_N_ELEMENTS (parallels); p++)
    {
      gint64 best_study = G_MAXINT64, best_baseline = G_MAXINT64;
      gdouble study_us, baseline_us, engine_us;

      for (gint r = 0; r < repeat; r++)
        {
          best_baseline = MIN (best_baseline, time_baseline (registry, trainer, trials, parallels[p]));
          best_study = MIN (best_study, time_study (registry, trainer, trials, parallels[p]));
        }

      study_us = (gdouble) best_study / trials;
      baseline_us = (gdouble) best_baseline / trials;
      engine_us = study_us - baseline_us;
      goal_met = goal_met && engine_us < ENGINE_GOAL_US;
      g_print ("runloop parallel=%u: %.2f us/trial (baseline %.2f us, ratio %.2f, "
               "engine %.2f us/trial)\n",
               parallels[p], study_us, baseline_us, study_us / baseline_us, engine_us);
    }

  g_print ("runloop peak RSS: %.1f MiB before, %.1f MiB after\n",
           rss_before, peak_rss_mib ());
  g_print ("runloop goal (engine time under %.0f us/trial): %s\n",
           ENGINE_GOAL_US, goal_met ? "met" : "NOT met");
  return 0;
}
