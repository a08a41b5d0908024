/* vernier-benchmark-trainer.c: test functions of optimization as a trainer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "vernier-benchmark-function.h"
#include "vernier-benchmark-trainer.h"

/**
 * VernierBenchmarkTrainer:
 *
 * A trainer that evaluates a classic test function of optimization at the
 * trial's parameters (see #VernierBenchmarkFunction for the functions, the
 * parameters each reads and their known minimum). The value is to be
 * minimized. Each trial gets the user attribute `regret`: the noise-free
 * value minus the function's known minimum (0 at an optimum), and
 * `minimum`, that minimum.
 *
 * With [property@VernierBenchmarkTrainer:steps], an evaluation reports
 * intermediate values like a training run: step 1 to `steps`, each
 * `latency / steps` apart, decreasing towards the final value, which the
 * last step reports exactly. The gap at the start grows with the final
 * value, so pruners can tell bad trials early. Every trial converges at
 * the same rate, so two learning curves never cross and pruning on an
 * early step costs nothing. With
 * [property@VernierBenchmarkTrainer:crossing], each trial converges at
 * its own rate, drawn from the study's seed and the trial number: curves
 * cross, and a slow starter may end best, as in real training.
 */
struct _VernierBenchmarkTrainer
{
  GObject parent_instance;

  /* properties */
  VernierBenchmarkFunction function;
  guint dimensions;
  gint64 latency;       /* microseconds */
  gdouble noise;
  guint steps;
  gboolean crossing;

  guint64 seed;
};

enum {
  PROP_0,
  PROP_FUNCTION,
  PROP_DIMENSIONS,
  PROP_LATENCY,
  PROP_NOISE,
  PROP_STEPS,
  PROP_CROSSING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void trainer_iface_init (VernierTrainerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierBenchmarkTrainer, vernier_benchmark_trainer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_TRAINER,
                                                               trainer_iface_init))

/* How fast the intermediate values approach the final one: the gap left
 * at fraction t of the steps is (e^(-kt) - e^(-k)) / (1 - e^(-k)), which is
 * 1 at t = 0 and exactly 0 at t = 1. */
#define DECAY_RATE 3.0
/* With crossing curves, each trial's rate is drawn log-uniformly from
 * [CROSSING_RATE_MIN, CROSSING_RATE_MAX]: at a fifth of the steps the
 * slowest trial still has 76 % of its gap to go, the fastest 14 %. */
#define CROSSING_RATE_MIN 0.5
#define CROSSING_RATE_MAX 10.0
/* Keeps the draws of the rate apart from those of the noise. */
#define CROSSING_STREAM 0x6372u

/* One evaluation in flight: the timer and the cancellation watch, both
 * destroyed as soon as one of them completes the task. */
typedef struct
{
  VernierTrial *trial;
  gdouble value;        /* with noise */
  gdouble regret;
  gdouble minimum;
  gdouble gap;
  gdouble rate;         /* of the decay of the gap */
  guint steps;
  guint step;           /* steps reported so far */
  GSource *timer;
  GSource *cancel_watch;
} Run;

static void
run_stop_sources (Run *run)
{
  if (run->timer != NULL)
    {
      g_source_destroy (run->timer);
      g_clear_pointer (&run->timer, g_source_unref);
    }
  if (run->cancel_watch != NULL)
    {
      g_source_destroy (run->cancel_watch);
      g_clear_pointer (&run->cancel_watch, g_source_unref);
    }
}

static void
run_free (Run *run)
{
  run_stop_sources (run);
  g_clear_object (&run->trial);
  g_free (run);
}

/* A normal draw (Box-Muller) from @rand. */
static gdouble
gaussian (GRand *rand)
{
  gdouble u1 = 1.0 - g_rand_double (rand);      /* in (0, 1] */
  gdouble u2 = g_rand_double (rand);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

static void
run_complete (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run_stop_sources (run);

  vernier_trial_set_user_attr (run->trial, "regret",
                               json_node_init_double (json_node_alloc (),
                                                      run->regret));
  vernier_trial_set_user_attr (run->trial, "minimum",
                               json_node_init_double (json_node_alloc (),
                                                      run->minimum));
  vernier_trial_set_value (run->trial, run->value);
  g_task_return_boolean (task, TRUE);
}

static void
run_return_cancelled (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run_stop_sources (run);
  if (run->steps > 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "trial %u: cancelled after step %u of %u",
                             vernier_trial_get_number (run->trial),
                             run->step, run->steps);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "trial %u: cancelled",
                             vernier_trial_get_number (run->trial));
}

static gboolean
on_timer (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  gdouble t, remaining;

  if (run->steps == 0)
    {
      run_complete (task);
      return G_SOURCE_REMOVE;
    }

  run->step++;
  t = (gdouble) run->step / run->steps;
  remaining = (exp (-run->rate * t) - exp (-run->rate)) /
              (1.0 - exp (-run->rate));
  vernier_trial_report (run->trial, run->step,
                        run->step == run->steps
                          ? run->value : run->value + run->gap * remaining);

  /* a pruner may have cancelled the trial on this very report */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      run_return_cancelled (task);
      return G_SOURCE_REMOVE;
    }

  if (run->step == run->steps)
    {
      run_complete (task);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  /* the source being dispatched keeps the task alive until we return */
  run_return_cancelled (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
vernier_benchmark_trainer_prepare (VernierTrainer  *trainer,
                                   VernierContext  *context,
                                   GError         **error)
{
  VernierBenchmarkTrainer *self = VERNIER_BENCHMARK_TRAINER (trainer);
  VernierSpace *space = vernier_context_get_space (context);
  guint n = vernier_space_get_n_dimensions (space);

  self->seed = vernier_context_get_seed (context);

  /* Evaluate the middle of the space once, so that a space without the
   * function's parameters is refused now rather than failing every trial. */
  if (n > 0)
    {
      g_autoptr(JsonObject) probe = json_object_new ();
      g_autoptr(GError) local_error = NULL;
      gdouble value;

      for (guint i = 0; i < n; i++)
        {
          VernierDimension *dim = vernier_space_get_dimension (space, i);

          if (vernier_space_is_active (space, dim, probe))
            json_object_set_member (probe, vernier_dimension_get_name (dim),
                                    vernier_dimension_value_from_unit (dim, 0.5));
        }
      if (!vernier_benchmark_function_evaluate (self->function, self->dimensions,
                                                probe, &value, &local_error))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "the search space does not fit function '%s': %s",
                       vernier_benchmark_function_to_nick (self->function),
                       local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

static void
vernier_benchmark_trainer_train_async (VernierTrainer      *trainer,
                                       VernierTrial        *trial,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  VernierBenchmarkTrainer *self = VERNIER_BENCHMARK_TRAINER (trainer);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  gdouble value;
  gint64 interval;
  Run *run;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vernier_benchmark_trainer_train_async);
  g_task_set_name (task, "[vernier-benchmark] train");

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!vernier_benchmark_function_evaluate (self->function, self->dimensions,
                                            vernier_trial_get_params (trial),
                                            &value, &error))
    {
      g_prefix_error (&error, "trial %u: ", vernier_trial_get_number (trial));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  run = g_new0 (Run, 1);
  run->trial = g_object_ref (trial);
  run->minimum = vernier_benchmark_function_get_minimum (self->function,
                                                         self->dimensions);
  run->regret = value - run->minimum;
  run->gap = 1.0 + fabs (run->regret);
  run->steps = self->steps;
  run->rate = DECAY_RATE;
  run->value = value;
  if (self->crossing)
    {
      guint32 seed_array[4] = {
        (guint32) self->seed, (guint32) (self->seed >> 32),
        vernier_trial_get_number (trial), CROSSING_STREAM
      };
      g_autoptr(GRand) rand = g_rand_new_with_seed_array (seed_array,
                                                          G_N_ELEMENTS (seed_array));

      run->rate = exp (g_rand_double_range (rand, log (CROSSING_RATE_MIN),
                                            log (CROSSING_RATE_MAX)));
    }
  if (self->noise > 0)
    {
      guint number = vernier_trial_get_number (trial);
      guint32 seed_array[3] = {
        (guint32) self->seed, (guint32) (self->seed >> 32), number
      };
      g_autoptr(GRand) rand = g_rand_new_with_seed_array (seed_array,
                                                          G_N_ELEMENTS (seed_array));

      run->value += self->noise * gaussian (rand);
    }
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  if (self->latency <= 0 && self->steps == 0)
    {
      /* g_task_return_*() defers the callback to a later iteration */
      run_complete (task);
      return;
    }

  /* milliseconds between steps (or before the single result), rounded up */
  interval = self->steps > 0 ? self->latency / self->steps : self->latency;
  run->timer = g_timeout_source_new ((guint) MIN ((interval + 999) / 1000,
                                                  G_MAXUINT));
  g_task_attach_source (task, run->timer, on_timer);

  if (cancellable != NULL)
    {
      run->cancel_watch = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, run->cancel_watch,
                            (GSourceFunc) G_CALLBACK (on_cancelled));
    }
}

static gboolean
vernier_benchmark_trainer_train_finish (VernierTrainer  *trainer,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, trainer), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
trainer_iface_init (VernierTrainerInterface *iface)
{
  iface->prepare = vernier_benchmark_trainer_prepare;
  iface->train_async = vernier_benchmark_trainer_train_async;
  iface->train_finish = vernier_benchmark_trainer_train_finish;
}

static void
vernier_benchmark_trainer_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  VernierBenchmarkTrainer *self = VERNIER_BENCHMARK_TRAINER (object);

  switch (prop_id)
    {
    case PROP_FUNCTION:
      g_value_set_enum (value, self->function);
      break;
    case PROP_DIMENSIONS:
      g_value_set_uint (value, self->dimensions);
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, self->latency);
      break;
    case PROP_NOISE:
      g_value_set_double (value, self->noise);
      break;
    case PROP_STEPS:
      g_value_set_uint (value, self->steps);
      break;
    case PROP_CROSSING:
      g_value_set_boolean (value, self->crossing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_benchmark_trainer_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  VernierBenchmarkTrainer *self = VERNIER_BENCHMARK_TRAINER (object);

  switch (prop_id)
    {
    case PROP_FUNCTION:
      self->function = g_value_get_enum (value);
      break;
    case PROP_DIMENSIONS:
      self->dimensions = g_value_get_uint (value);
      break;
    case PROP_LATENCY:
      self->latency = g_value_get_int64 (value);
      break;
    case PROP_NOISE:
      self->noise = g_value_get_double (value);
      break;
    case PROP_STEPS:
      self->steps = g_value_get_uint (value);
      break;
    case PROP_CROSSING:
      self->crossing = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_benchmark_trainer_class_init (VernierBenchmarkTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vernier_benchmark_trainer_get_property;
  object_class->set_property = vernier_benchmark_trainer_set_property;

  /**
   * VernierBenchmarkTrainer:function:
   *
   * The test function to evaluate: `branin` (params `x`, `y`),
   * `hartmann6` (`x0`…`x5`), `rosenbrock`, `ackley`, `styblinski-tang`,
   * `sphere` (`x0`…`x{d-1}`, d = [property@VernierBenchmarkTrainer:dimensions])
   * or `mixed` (`x`, `n`, `kind`).
   */
  properties[PROP_FUNCTION] =
    g_param_spec_enum ("function", "Function",
                       "Test function: branin (x, y), hartmann6 (x0..x5), "
                       "rosenbrock, ackley, styblinski-tang, sphere "
                       "(x0..x{dimensions-1}) or mixed (x, n, kind)",
                       VERNIER_TYPE_BENCHMARK_FUNCTION,
                       VERNIER_BENCHMARK_FUNCTION_BRANIN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * VernierBenchmarkTrainer:dimensions:
   *
   * The number of parameters of the n-dimensional functions (rosenbrock
   * needs at least 2); ignored by `branin`, `hartmann6` and `mixed`.
   */
  properties[PROP_DIMENSIONS] =
    g_param_spec_uint ("dimensions", "Dimensions",
                       "Parameters x0..x{d-1} of rosenbrock, ackley, "
                       "styblinski-tang and sphere (ignored by the others)",
                       1, 1000, 2,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * VernierBenchmarkTrainer:latency:
   *
   * How long each evaluation takes, in microseconds (a study file writes
   * a duration: `250ms`, `2s`); in step-wise mode, spread over the steps.
   */
  properties[PROP_LATENCY] =
    vernier_param_spec_duration ("latency", "Latency",
                                 "Time each evaluation takes (duration, "
                                 "e.g. 250ms), spread over the steps",
                                 0, G_MAXINT64 / 2, 0,
                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                 G_PARAM_STATIC_STRINGS);

  /**
   * VernierBenchmarkTrainer:noise:
   *
   * The standard deviation of a Gaussian noise added to the value, drawn
   * from the study's seed and the trial number (a trial gets the same
   * noise every time).
   */
  properties[PROP_NOISE] =
    g_param_spec_double ("noise", "Noise",
                         "Standard deviation of Gaussian noise added to the "
                         "value (seeded by the trial number)",
                         0.0, 1e9, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * VernierBenchmarkTrainer:steps:
   *
   * When positive, the evaluation reports this many intermediate values
   * (steps 1 to `steps`) converging to the final value, for pruners.
   */
  properties[PROP_STEPS] =
    g_param_spec_uint ("steps", "Steps",
                       "Intermediate values reported before the result "
                       "(0: none), latency/steps apart",
                       0, 1000000, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * VernierBenchmarkTrainer:crossing:
   *
   * With [property@VernierBenchmarkTrainer:steps]: whether each trial's
   * intermediate values approach its final value at the trial's own
   * rate (drawn log-uniformly between 0.5 and 10 from the study's seed
   * and the trial number) instead of one rate for all (3). Learning
   * curves then cross: a trial that starts slowly may end best, so
   * pruning on early steps can stop it.
   */
  properties[PROP_CROSSING] =
    g_param_spec_boolean ("crossing", "Crossing curves",
                          "Step-wise: each trial converges at its own rate "
                          "(0.5 to 10, drawn from the seed and trial number), "
                          "so learning curves cross",
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_benchmark_trainer_class_finalize (VernierBenchmarkTrainerClass *klass)
{
}

static void
vernier_benchmark_trainer_init (VernierBenchmarkTrainer *self)
{
  self->function = VERNIER_BENCHMARK_FUNCTION_BRANIN;
  self->dimensions = 2;
}

static gboolean
benchmark_plugin_register (GTypeModule  *module,
                           GError      **error)
{
  vernier_benchmark_function_register_type (module);
  vernier_benchmark_trainer_register_type (module);
  vernier_plugin_provide (module, "benchmark", VERNIER_TYPE_BENCHMARK_TRAINER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("benchmark",
                       "Classic optimization test functions (Branin, "
                       "Hartmann6, Rosenbrock, ...) as a trainer",
                       benchmark_plugin_register)
