/* vernier-mock-trainer.c: a deterministic stand-in trainer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-mock-trainer.h"

/**
 * VernierMockTrainer:
 *
 * A trainer that evaluates nothing: a trial's value is a number in [0, 1)
 * hashed from its parameters (64-bit FNV-1a of their canonical JSON:
 * members sorted by name, numbers written alike whether integer or
 * double), so the same configuration always gets the same value. It can
 * take some time ([property@VernierMockTrainer:latency], a timer on the
 * main loop) and fail a deterministic share of the configurations
 * ([property@VernierMockTrainer:fail-rate]) with
 * %VERNIER_ERROR_TRAINING_FAILED. Handy to test studies, tuners, pruners
 * and observers.
 */
struct _VernierMockTrainer
{
  GObject parent_instance;

  gint64 latency;       /* microseconds */
  gdouble fail_rate;
};

enum {
  PROP_0,
  PROP_LATENCY,
  PROP_FAIL_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void trainer_iface_init (VernierTrainerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierMockTrainer, vernier_mock_trainer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_TRAINER,
                                                               trainer_iface_init))

/* One evaluation in flight: the timer and the cancellation watch, both
 * destroyed as soon as one of them completes the task. */
typedef struct
{
  VernierTrial *trial;
  gdouble value;
  gboolean fail;
  GSource *timer;
  GSource *cancel_watch;
} Run;

/* Drops both sources; they hold the references to the task. */
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

static guint64
fnv1a (const gchar *text)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      hash ^= *p;
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return hash;
}

/* A bijective 64-bit mixer (the finalizer of SplitMix64), to derive from
 * one hash a second number independent of the first. */
static guint64
mix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

/* The top 53 bits as a double in [0, 1). */
static gdouble
to_unit (guint64 x)
{
  return (gdouble) (x >> 11) * (1.0 / 9007199254740992.0);
}

static void
score_params (JsonObject *params,
              gdouble    *value,
              gdouble    *failure_draw)
{
  g_autofree gchar *text = params != NULL ? vernier_json_object_canonical (params)
                                           : g_strdup ("{}");
  guint64 hash;

  hash = fnv1a (text);
  *value = to_unit (hash);
  *failure_draw = to_unit (mix64 (hash));
}

static void
run_complete (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  run_stop_sources (run);

  if (run->fail)
    {
      g_autofree gchar *params = vernier_trial_dup_params_json (run->trial);

      g_task_return_new_error (task, VERNIER_ERROR,
                               VERNIER_ERROR_TRAINING_FAILED,
                               "trial %u: mock failure of configuration %s "
                               "(fail-rate %g)",
                               vernier_trial_get_number (run->trial),
                               params,
                               VERNIER_MOCK_TRAINER (g_task_get_source_object (task))->fail_rate);
      return;
    }

  vernier_trial_set_value (run->trial, run->value);
  g_task_return_boolean (task, TRUE);
}

static gboolean
on_timer (gpointer user_data)
{
  GTask *task = user_data;

  run_complete (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  /* the source being dispatched keeps the task alive until we return */
  run_stop_sources (run);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "trial %u: cancelled",
                           vernier_trial_get_number (run->trial));
  return G_SOURCE_REMOVE;
}

static void
vernier_mock_trainer_train_async (VernierTrainer      *trainer,
                                  VernierTrial        *trial,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  VernierMockTrainer *self = VERNIER_MOCK_TRAINER (trainer);
  g_autoptr(GTask) task = NULL;
  gdouble failure_draw;
  Run *run;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vernier_mock_trainer_train_async);
  g_task_set_name (task, "[vernier-mock] train");

  run = g_new0 (Run, 1);
  run->trial = g_object_ref (trial);
  score_params (vernier_trial_get_params (trial), &run->value, &failure_draw);
  run->fail = failure_draw < self->fail_rate;
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->latency <= 0)
    {
      /* g_task_return_*() defers the callback to a later iteration */
      run_complete (task);
      return;
    }

  run->timer = g_timeout_source_new ((guint) MIN ((self->latency + 999) / 1000,
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
vernier_mock_trainer_train_finish (VernierTrainer  *trainer,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, trainer), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
trainer_iface_init (VernierTrainerInterface *iface)
{
  iface->train_async = vernier_mock_trainer_train_async;
  iface->train_finish = vernier_mock_trainer_train_finish;
}

static void
vernier_mock_trainer_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  VernierMockTrainer *self = VERNIER_MOCK_TRAINER (object);

  switch (prop_id)
    {
    case PROP_LATENCY:
      g_value_set_int64 (value, self->latency);
      break;
    case PROP_FAIL_RATE:
      g_value_set_double (value, self->fail_rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_mock_trainer_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  VernierMockTrainer *self = VERNIER_MOCK_TRAINER (object);

  switch (prop_id)
    {
    case PROP_LATENCY:
      self->latency = g_value_get_int64 (value);
      break;
    case PROP_FAIL_RATE:
      self->fail_rate = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_mock_trainer_class_init (VernierMockTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = vernier_mock_trainer_get_property;
  object_class->set_property = vernier_mock_trainer_set_property;

  /**
   * VernierMockTrainer:latency:
   *
   * How long each evaluation takes, in microseconds (a study file writes
   * a duration: `250ms`, `2s`). The wait is a timer on the main loop.
   */
  properties[PROP_LATENCY] =
    vernier_param_spec_duration ("latency", "Latency",
                                 "Time each evaluation takes (duration, "
                                 "e.g. 250ms; 0 completes at once)",
                                 0, G_MAXINT64 / 2, 0,
                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                 G_PARAM_STATIC_STRINGS);

  /**
   * VernierMockTrainer:fail-rate:
   *
   * The share of configurations, between 0 and 1, whose evaluation fails
   * with %VERNIER_ERROR_TRAINING_FAILED. Which ones fail is decided by a
   * hash of the parameters: a configuration always fails or never does.
   */
  properties[PROP_FAIL_RATE] =
    g_param_spec_double ("fail-rate", "Failure rate",
                         "Share of configurations (0 to 1) that fail, "
                         "chosen deterministically from the parameters",
                         0.0, 1.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_mock_trainer_class_finalize (VernierMockTrainerClass *klass)
{
}

static void
vernier_mock_trainer_init (VernierMockTrainer *self)
{
}

static gboolean
mock_plugin_register (GTypeModule  *module,
                      GError      **error)
{
  vernier_mock_trainer_register_type (module);
  vernier_plugin_provide (module, "mock", VERNIER_TYPE_MOCK_TRAINER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("mock",
                       "A deterministic stand-in trainer: a score hashed "
                       "from the parameters",
                       mock_plugin_register)
