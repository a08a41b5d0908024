/* Overhead of the command trainer over a bare spawn.
 *
 * A VernierStudy with the `random` tuner and the `command` trainer
 * (argv=/bin/echo;0.5: each trial completes with the value 0.5) runs N
 * trials at parallel=1. The baseline, measured in the same process and the
 * same run, spawns `/bin/echo 0.5` N times with GSubprocess, reads its
 * standard output and waits for it.
 *
 *   bench-command [--trials N] [--repeat R]
 */

#include <string.h>

#include "vernier-core.h"

#define DEFAULT_TRIALS 2000
#define DEFAULT_REPEAT 2
#define WARMUP_TRIALS  50
#define RATIO_GOAL     1.2

static const gchar *echo_argv[] = { "/bin/echo", "0.5", NULL };

static VernierContext *
make_context (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("value", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierDimension) x = NULL;
  g_autoptr(GError) error = NULL;

  x = vernier_dimension_new_float ("x", 0, 1, FALSE, 0, &error);
  if (x == NULL || !vernier_space_add (space, x, &error))
    g_error ("cannot build the search space: %s", error->message);
  return vernier_context_new ("bench-command", space, objective, 42, NULL);
}

static GObject *
create_plugin (VernierRegistry *registry,
               const gchar     *kind,
               const gchar     *name)
{
  g_autoptr(GError) error = NULL;
  GObject *object = vernier_registry_create (registry, kind, name, &error);

  if (object == NULL)
    g_error ("cannot load the %s %s: %s", name, kind, error->message);
  return object;
}

/* Runs @n trials of the command trainer through a study; returns the wall
 * time in µs. */
static gint64
time_study (VernierRegistry *registry,
            guint            n)
{
  g_autoptr(VernierContext) context = make_context ();
  g_autoptr(GObject) tuner = create_plugin (registry, "tuner", "random");
  g_autoptr(GObject) trainer = create_plugin (registry, "trainer", "command");
  g_autoptr(VernierStudy) study = vernier_study_new (context);
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;

  g_object_set (trainer, "argv", echo_argv, NULL);
  vernier_study_set_trainer (study, VERNIER_TRAINER (trainer));
  vernier_study_add_tuner (study, VERNIER_TUNER (tuner), "[tuner]", 0);
  vernier_study_set_max_trials (study, n);
  vernier_study_set_parallel (study, 1);

  start = g_get_monotonic_time ();
  best = vernier_study_run (study, NULL, &error);
  elapsed = g_get_monotonic_time () - start;

  if (best == NULL)
    g_error ("the study failed: %s", error->message);
  if (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE) != n ||
      vernier_trial_get_value (best) != 0.5)
    g_error ("the study completed %u trials of %u, best value %g",
             vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), n,
             vernier_trial_get_value (best));
  return elapsed;
}

/* Spawns /bin/echo 0.5 @n times, one after the other, reading its output
 * and waiting for it; returns the wall time in µs. */
static gint64
time_baseline (guint n)
{
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GBytes) out = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = 0;
      const gchar *data;

      process = g_subprocess_newv (echo_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      if (process == NULL ||
          !g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error))
        g_error ("cannot run /bin/echo: %s", error->message);
      data = g_bytes_get_data (out, &len);
      if (!g_subprocess_get_successful (process) || len != 4 || memcmp (data, "0.5\n", 4) != 0)
        g_error ("/bin/echo 0.5 did not print 0.5");
    }
  return g_get_monotonic_time () - start;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierRegistry) registry = NULL;
  gint trials = DEFAULT_TRIALS;
  gint repeat = DEFAULT_REPEAT;
  const GOptionEntry entries[] = {
    { "trials", 'n', 0, G_OPTION_ARG_INT, &trials, "Trials per run (default 2000)", "N" },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, "Runs of each; the fastest counts (default 2)", "R" },
    { NULL }
  };
  gint64 best_study = G_MAXINT64, best_baseline = G_MAXINT64;
  gdouble study_us, baseline_us, ratio;

  options = g_option_context_new ("— overhead of the command trainer over a bare spawn");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-command: %s\n", error->message);
      return 2;
    }
  if (trials < 1 || repeat < 1)
    {
      g_printerr ("bench-command: --trials and --repeat take a positive number\n");
      return 2;
    }

  /* Run directly, the build tree's plugins are the ones to load. */
  g_setenv ("VERNIER_PLUGIN_SYSTEM_PATH", BENCH_PLUGIN_PATH, FALSE);
  registry = vernier_registry_new ();

  g_print ("command: %d trials per run, parallel=1, best of %d; "
           "argv=/bin/echo;0.5\n", trials, repeat);

  time_study (registry, WARMUP_TRIALS);
  time_baseline (WARMUP_TRIALS);

  /* Interleaved, so that drift in the machine's load hits both. */
  for (gint r = 0; r < repeat; r++)
    {
      best_baseline = MIN (best_baseline, time_baseline (trials));
      best_study = MIN (best_study, time_study (registry, trials));
    }

  study_us = (gdouble) best_study / trials;
  baseline_us = (gdouble) best_baseline / trials;
  ratio = study_us / baseline_us;
  g_print ("command trainer parallel=1: %.1f us/trial (bare GSubprocess spawn+read+wait "
           "%.1f us, ratio %.2f)\n", study_us, baseline_us, ratio);
  g_print ("command goal (within %.1fx of a bare spawn): %s\n",
           RATIO_GOAL, ratio <= RATIO_GOAL ? "met" : "NOT met");
  return 0;
}
