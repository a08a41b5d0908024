#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>

#include <vernier-sdk-private.h>

#include "vernier-storage-queue.h"
#include "vernier-study.h"

/**
 * VernierStudy:
 *
 * Runs trials on the main loop: asks the tuner chain for parameters, hands
 * each trial to the trainer with its own #GCancellable, enforces the
 * per-trial timeout, asks the pruners when a trial reports, tells the
 * tuners every result, and stops on the budget (trials, time, target),
 * when the tuners are exhausted, or when asked to.
 *
 * Every event is a signal: #VernierStudy::trial-started,
 * #VernierStudy::trial-finished (detailed by the state's nick, as in
 * `trial-finished::failed`) and #VernierStudy::study-finished. Observers
 * are connected to them in the order they are added.
 */

typedef struct
{
  VernierTuner *tuner;
  gchar        *label;
  guint         quota;     /* 0: no quota */
  guint         used;
  gboolean      exhausted;
} TunerSlot;

/* A tuner's suggestion that a claim did not use yet: it keeps who made
 * it, for the record and for a grid's uniqueness. */
typedef struct
{
  JsonObject *params;
  gchar      *tuner;
  gboolean    unique;
} Proposal;

static void
proposal_free (Proposal *proposal)
{
  g_clear_pointer (&proposal->params, json_object_unref);
  g_free (proposal->tuner);
  g_free (proposal);
}

typedef enum
{
  CANCEL_NONE,
  CANCEL_TIMEOUT,
  CANCEL_PRUNE,
  CANCEL_INTERRUPT,
} CancelReason;

typedef struct
{
  VernierStudy *study;     /* strong */
  VernierTrial *trial;     /* strong */
  GSource      *timeout;
  GSource      *grace;
  gulong        reported_id;
  CancelReason  reason;
  gboolean      abandoned;
  gboolean      stored;    /* abandoned, and its record saved */
  gboolean      trained;   /* abandoned, and its trainer called back */
  gchar        *tuner;     /* the suggesting tuner's group, for the record */
  gint64        retry_of;  /* -1: not a retry */
} Running;

struct _VernierStudy
{
  GObject          parent_instance;

  VernierContext  *context;
  VernierTrainer  *trainer;
  GArray          *tuners;       /* TunerSlot */
  guint            current_tuner;
  GPtrArray       *observers;
  GPtrArray       *pruners;

  guint            max_trials;   /* 0: no limit */
  guint            parallel;
  gint64           time_budget;  /* µs, 0: none */
  gint64           trial_timeout;
  gint64           cancel_grace;
  gboolean         has_target;
  gdouble          target;

  /* run state */
  GTask           *task;
  GPtrArray       *running;      /* Running*, borrowed */
  gint64           start_time;
  gint64           start_monotonic;
  gint64           end_monotonic;
  GSource         *time_source;
  GSource         *finish_source;
  GSource         *cancel_source;
  gboolean         stopping;
  gboolean         waiting;      /* a tuner said PENDING */
  gboolean         filling;
  gboolean         refill;
  gboolean         finished;
  GError          *fatal;        /* stops the study as failed */
  GError          *interrupt;    /* set by vernier_study_cancel() */
  gchar           *stop_reason;

  /* storage */
  VernierStorage      *storage;
  VernierStorageQueue *queue;
  guint            retries;
  gint64           heartbeat;    /* µs */
  gchar           *host;
  guint            worker;       /* this process's id in the storage */
  GQueue           leftovers;    /* Proposal* a claim did not use */
  GHashTable      *known;        /* numbers of the trials in the history */
  guint            sync_from;    /* every trial below is in the history or ours */
  guint            n_claiming;
  guint            n_storing;
  guint            n_resumed;    /* finished trials found in the storage at start */
  guint            n_taken_over;
  guint            n_counted;    /* trials counting towards the budget, as far as known here */
  gboolean         idle_wait;    /* nothing to claim while other workers run trials */
  GSource         *idle_source;  /* looks again while idle_wait */
  gint64           idle_delay;   /* µs, grows while nothing changes */
  gboolean         beat_pending;
  gboolean         opening;      /* the storage is not open yet */
  GHashTable      *beats;        /* worker id → Beat, storage thread only */
  GSource         *heartbeat_source;
};

G_DEFINE_FINAL_TYPE (VernierStudy, vernier_study, G_TYPE_OBJECT)

enum {
  SIGNAL_TRIAL_STARTED,
  SIGNAL_TRIAL_FINISHED,
  SIGNAL_STUDY_FINISHED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];
static GQuark state_quarks[VERNIER_TRIAL_STATE_TIMED_OUT + 1];

enum {
  PROP_0,
  PROP_NAME,
  PROP_CONTEXT,
  PROP_N_RUNNING,
  PROP_N_FINISHED,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void fill (VernierStudy *self);
static void maybe_finish (VernierStudy *self);
static void storage_failed (VernierStudy *self, GError *error);
static void wait_for_others (VernierStudy *self);

static void
tuner_slot_clear (gpointer data)
{
  TunerSlot *slot = data;

  g_clear_object (&slot->tuner);
  g_clear_pointer (&slot->label, g_free);
}

static void
vernier_study_dispose (GObject *object)
{
  VernierStudy *self = VERNIER_STUDY (object);

  if (self->time_source != NULL)
    {
      g_source_destroy (self->time_source);
      g_clear_pointer (&self->time_source, g_source_unref);
    }
  if (self->finish_source != NULL)
    {
      g_source_destroy (self->finish_source);
      g_clear_pointer (&self->finish_source, g_source_unref);
    }
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  if (self->heartbeat_source != NULL)
    {
      g_source_destroy (self->heartbeat_source);
      g_clear_pointer (&self->heartbeat_source, g_source_unref);
    }
  if (self->idle_source != NULL)
    {
      g_source_destroy (self->idle_source);
      g_clear_pointer (&self->idle_source, g_source_unref);
    }
  g_clear_pointer (&self->observers, g_ptr_array_unref);
  g_clear_pointer (&self->pruners, g_ptr_array_unref);

  G_OBJECT_CLASS (vernier_study_parent_class)->dispose (object);
}

static void
vernier_study_finalize (GObject *object)
{
  VernierStudy *self = VERNIER_STUDY (object);

  g_clear_object (&self->context);
  g_clear_object (&self->trainer);
  g_clear_pointer (&self->tuners, g_array_unref);
  g_clear_pointer (&self->running, g_ptr_array_unref);
  g_clear_object (&self->task);
  g_clear_error (&self->fatal);
  g_clear_error (&self->interrupt);
  g_free (self->stop_reason);
  g_clear_object (&self->storage);
  g_clear_object (&self->queue);
  g_free (self->host);
  g_queue_clear_full (&self->leftovers, (GDestroyNotify) proposal_free);
  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->beats, g_hash_table_unref);

  G_OBJECT_CLASS (vernier_study_parent_class)->finalize (object);
}

static void
vernier_study_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VernierStudy *self = VERNIER_STUDY (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, vernier_study_get_name (self));
      break;
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    case PROP_N_RUNNING:
      g_value_set_uint (value, self->running->len);
      break;
    case PROP_N_FINISHED:
      g_value_set_uint (value, vernier_study_get_n_finished (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_study_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  VernierStudy *self = VERNIER_STUDY (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_study_class_init (VernierStudyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vernier_study_dispose;
  object_class->finalize = vernier_study_finalize;
  object_class->get_property = vernier_study_get_property;
  object_class->set_property = vernier_study_set_property;

  /**
   * VernierStudy:name:
   *
   * The study's name.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * VernierStudy:context:
   *
   * The study as its plugins see it: space, objective, seed, history.
   */
  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, VERNIER_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VernierStudy:n-running:
   *
   * How many trials are in flight.
   */
  properties[PROP_N_RUNNING] =
    g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * VernierStudy:n-finished:
   *
   * How many trials have finished, whatever their state.
   */
  properties[PROP_N_FINISHED] =
    g_param_spec_uint ("n-finished", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VernierStudy::trial-started:
   * @self: the study
   * @trial: the trial, now RUNNING
   *
   * A trial has been handed to the trainer.
   */
  signals[SIGNAL_TRIAL_STARTED] =
    g_signal_new ("trial-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VERNIER_TYPE_TRIAL);

  /**
   * VernierStudy::trial-finished:
   * @self: the study
   * @trial: the trial, in its final state
   *
   * A trial has finished. The detail is the state's nick: `complete`,
   * `pruned`, `failed` or `timed-out`.
   */
  signals[SIGNAL_TRIAL_FINISHED] =
    g_signal_new ("trial-finished", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, VERNIER_TYPE_TRIAL);

  /**
   * VernierStudy::study-finished:
   * @self: the study
   * @best: (nullable): the best trial, or %NULL
   * @error: (nullable): why the study failed, or %NULL
   *
   * The study is over: no trial is running any more.
   */
  signals[SIGNAL_STUDY_FINISHED] =
    g_signal_new ("study-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, VERNIER_TYPE_TRIAL, G_TYPE_ERROR);

  for (guint i = 0; i < G_N_ELEMENTS (state_quarks); i++)
    state_quarks[i] = g_quark_from_static_string (vernier_trial_state_to_nick (i));
}

static void
vernier_study_init (VernierStudy *self)
{
  self->tuners = g_array_new (FALSE, TRUE, sizeof (TunerSlot));
  g_array_set_clear_func (self->tuners, tuner_slot_clear);
  self->observers = g_ptr_array_new_with_free_func (g_object_unref);
  self->pruners = g_ptr_array_new_with_free_func (g_object_unref);
  self->running = g_ptr_array_new ();
  self->parallel = 1;
  self->cancel_grace = 30 * G_USEC_PER_SEC;
  self->retries = 1;
  self->heartbeat = 10 * G_USEC_PER_SEC;
  self->known = g_hash_table_new (NULL, NULL);
  self->beats = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_queue_init (&self->leftovers);
}

/**
 * vernier_study_new:
 * @context: the study's context (name, space, objective, seed)
 *
 * Creates a study. Give it a trainer and at least one tuner, then run it.
 *
 * Returns: (transfer full): a new #VernierStudy
 */
VernierStudy *
vernier_study_new (VernierContext *context)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (context), NULL);

  return g_object_new (VERNIER_TYPE_STUDY, "context", context, NULL);
}

/**
 * vernier_study_get_context:
 * @self: a #VernierStudy
 *
 * Returns: (transfer none): the study's context
 */
VernierContext *
vernier_study_get_context (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), NULL);
  return self->context;
}

/**
 * vernier_study_get_name:
 * @self: a #VernierStudy
 *
 * Returns: the study's name
 */
const gchar *
vernier_study_get_name (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), NULL);
  return vernier_context_get_study_name (self->context);
}

/**
 * vernier_study_set_trainer:
 * @self: a #VernierStudy not running yet
 * @trainer: the trainer
 *
 * Sets the trainer that evaluates every trial.
 */
void
vernier_study_set_trainer (VernierStudy   *self,
                           VernierTrainer *trainer)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (VERNIER_IS_TRAINER (trainer));
  g_return_if_fail (self->task == NULL);

  g_set_object (&self->trainer, trainer);
}

/**
 * vernier_study_get_trainer:
 * @self: a #VernierStudy
 *
 * Returns: (transfer none) (nullable): the trainer
 */
VernierTrainer *
vernier_study_get_trainer (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), NULL);
  return self->trainer;
}


static void
on_tuner_ready (VernierTuner *tuner,
                VernierStudy *self)
{
  if (!vernier_study_is_running (self))
    return;
  self->waiting = FALSE;
  fill (self);
}

/**
 * vernier_study_add_tuner:
 * @self: a #VernierStudy not running yet
 * @tuner: a tuner
 * @label: (nullable): a name for messages, such as the study file's group
 * @quota: how many trials this tuner may suggest before the next one takes
 *   over, or 0 for as many as it has
 *
 * Appends a tuner to the chain. Tuners are asked in order: each until it
 * is exhausted or has used its quota. Every tuner is told every result.
 */
void
vernier_study_add_tuner (VernierStudy *self,
                         VernierTuner *tuner,
                         const gchar  *label,
                         guint         quota)
{
  TunerSlot slot = { 0, };

  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (VERNIER_IS_TUNER (tuner));
  g_return_if_fail (self->task == NULL);

  slot.tuner = g_object_ref (tuner);
  g_signal_connect_object (tuner, "ready", G_CALLBACK (on_tuner_ready), self, 0);
  slot.label = g_strdup (label != NULL ? label : G_OBJECT_TYPE_NAME (tuner));
  slot.quota = quota;
  g_array_append_val (self->tuners, slot);
}

static void
observer_trial_started (VernierStudy    *study,
                        VernierTrial    *trial,
                        VernierObserver *observer)
{
  vernier_observer_trial_started (observer, trial);
}

static void
observer_trial_finished (VernierStudy    *study,
                         VernierTrial    *trial,
                         VernierObserver *observer)
{
  vernier_observer_trial_finished (observer, trial);
}

static void
observer_study_finished (VernierStudy    *study,
                         VernierTrial    *best,
                         const GError    *error,
                         VernierObserver *observer)
{
  vernier_observer_study_finished (observer, best, error);
}

/**
 * vernier_study_add_observer:
 * @self: a #VernierStudy
 * @observer: an observer
 *
 * Connects an observer to the study's signals, after those connected
 * before.
 */
void
vernier_study_add_observer (VernierStudy    *self,
                            VernierObserver *observer)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (VERNIER_IS_OBSERVER (observer));

  g_ptr_array_add (self->observers, g_object_ref (observer));
  g_signal_connect_object (self, "trial-started",
                           G_CALLBACK (observer_trial_started), observer, 0);
  g_signal_connect_object (self, "trial-finished",
                           G_CALLBACK (observer_trial_finished), observer, 0);
  g_signal_connect_object (self, "study-finished",
                           G_CALLBACK (observer_study_finished), observer, 0);
}

/**
 * vernier_study_add_pruner:
 * @self: a #VernierStudy not running yet
 * @pruner: a pruner
 *
 * Adds a pruner. A trial is pruned when any pruner says so.
 */
void
vernier_study_add_pruner (VernierStudy  *self,
                          VernierPruner *pruner)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (VERNIER_IS_PRUNER (pruner));
  g_return_if_fail (self->task == NULL);

  g_ptr_array_add (self->pruners, g_object_ref (pruner));
}

/**
 * vernier_study_set_max_trials:
 * @self: a #VernierStudy
 * @max_trials: the budget of trials, or 0 for no limit
 *
 * Sets how many trials the study runs at most.
 */
void
vernier_study_set_max_trials (VernierStudy *self,
                              guint         max_trials)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  self->max_trials = max_trials;
}

/**
 * vernier_study_get_max_trials:
 * @self: a #VernierStudy
 *
 * Returns: the budget of trials, 0 for no limit
 */
guint
vernier_study_get_max_trials (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);
  return self->max_trials;
}

/**
 * vernier_study_set_parallel:
 * @self: a #VernierStudy
 * @parallel: how many trials may be in flight at once, at least 1
 *
 * Sets the parallelism.
 */
void
vernier_study_set_parallel (VernierStudy *self,
                            guint         parallel)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (parallel >= 1);
  self->parallel = parallel;
}

/**
 * vernier_study_get_parallel:
 * @self: a #VernierStudy
 *
 * Returns: how many trials may be in flight at once
 */
guint
vernier_study_get_parallel (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 1);
  return self->parallel;
}

/**
 * vernier_study_set_time_budget:
 * @self: a #VernierStudy
 * @usec: the time budget in microseconds, or 0 for none
 *
 * After this much time no new trial starts; running ones finish.
 */
void
vernier_study_set_time_budget (VernierStudy *self,
                               gint64        usec)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  self->time_budget = MAX (usec, 0);
}

/**
 * vernier_study_set_trial_timeout:
 * @self: a #VernierStudy
 * @usec: the time limit of one trial in microseconds, or 0 for none
 *
 * A trial still running after this long is cancelled and ends TIMED_OUT.
 */
void
vernier_study_set_trial_timeout (VernierStudy *self,
                                 gint64        usec)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  self->trial_timeout = MAX (usec, 0);
}

/**
 * vernier_study_set_cancel_grace:
 * @self: a #VernierStudy
 * @usec: microseconds
 *
 * How long a trainer has to give up a cancelled trial before the study
 * abandons it and goes on. The default is 30 seconds.
 */
void
vernier_study_set_cancel_grace (VernierStudy *self,
                                gint64        usec)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  self->cancel_grace = MAX (usec, 0);
}

/**
 * vernier_study_set_target:
 * @self: a #VernierStudy
 * @target: an objective value
 *
 * The study stops (running trials finish) as soon as a trial reaches
 * the value @target (at or below it when minimizing, at or above when
 * maximizing).
 */
void
vernier_study_set_target (VernierStudy *self,
                          gdouble       target)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  self->has_target = TRUE;
  self->target = target;
}

/**
 * vernier_study_unset_target:
 * @self: a #VernierStudy
 *
 * Removes the target.
 */
void
vernier_study_unset_target (VernierStudy *self)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  self->has_target = FALSE;
}

/**
 * vernier_study_set_storage:
 * @self: a #VernierStudy not running yet
 * @storage: (nullable): where the study's trials live, %NULL for memory
 *
 * Sets the study's storage. A study resumes what its storage holds:
 * finished trials are in the history before the tuners are prepared and
 * count towards the budget, WAITING trials run first, and trials left
 * RUNNING by a worker that died are taken over. Without a storage the
 * study lives in memory (#VernierMemoryStorage).
 */
void
vernier_study_set_storage (VernierStudy   *self,
                           VernierStorage *storage)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (storage == NULL || VERNIER_IS_STORAGE (storage));
  g_return_if_fail (self->task == NULL);

  g_set_object (&self->storage, storage);
}

/**
 * vernier_study_get_storage:
 * @self: a #VernierStudy
 *
 * Returns: (transfer none) (nullable): the storage, if one was set or the
 *   study has started
 */
VernierStorage *
vernier_study_get_storage (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), NULL);
  return self->storage;
}

/**
 * vernier_study_set_retries:
 * @self: a #VernierStudy
 * @retries: how many times the parameters of a lost trial run again
 *
 * A trial is lost when the worker running it dies (a crash, a killed
 * process, a machine gone). The default is 1.
 */
void
vernier_study_set_retries (VernierStudy *self,
                           guint         retries)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  self->retries = retries;
}

/**
 * vernier_study_set_heartbeat:
 * @self: a #VernierStudy not running yet
 * @usec: microseconds between heartbeats, more than 0
 *
 * While the study runs, it tells the storage every @usec that it is alive,
 * and looks for workers that stopped doing so for three times as long:
 * their RUNNING trials are taken over. The default is 10 seconds.
 */
void
vernier_study_set_heartbeat (VernierStudy *self,
                             gint64        usec)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (usec > 0);
  self->heartbeat = usec;
}

/**
 * vernier_study_get_n_resumed:
 * @self: a #VernierStudy
 *
 * Returns: how many finished trials the storage held when the study
 *   started
 */
guint
vernier_study_get_n_resumed (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);
  return self->n_resumed;
}

/**
 * vernier_study_get_n_taken_over:
 * @self: a #VernierStudy
 *
 * Returns: how many trials of dead workers this study took over
 */
guint
vernier_study_get_n_taken_over (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);
  return self->n_taken_over;
}

/**
 * vernier_study_describe:
 * @self: a #VernierStudy
 *
 * What a storage keeps to refuse mixing trials of different studies: the
 * search space and the objective, as canonical JSON text.
 *
 * Returns: (transfer full): the description
 */
gchar *
vernier_study_describe (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), NULL);
  return vernier_study_describe_context (self->context);
}

static gint
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object ((JsonNode *) a), "name", ""),
                    json_object_get_string_member_with_default (json_node_get_object ((JsonNode *) b), "name", ""));
}

/**
 * vernier_study_describe_context:
 * @context: a study's context
 *
 * Like vernier_study_describe(), for a context.
 *
 * Returns: (transfer full): the description
 */
gchar *
vernier_study_describe_context (VernierContext *context)
{
  VernierObjective *objective;
  g_autofree gchar *space = NULL;
  g_autoptr(JsonNode) dimensions = NULL;
  GList *sorted;
  JsonArray *sorted_array;
  g_autoptr(JsonObject) description = json_object_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (VERNIER_IS_CONTEXT (context), NULL);

  objective = vernier_context_get_objective (context);
  space = vernier_space_fingerprint (vernier_context_get_space (context));
  /* Our own JSON, as deep as the deepest choice: not through the reader of
   * others' text and its depth limit. */
  dimensions = json_from_string (space, NULL);
  g_assert (dimensions != NULL && JSON_NODE_HOLDS_ARRAY (dimensions));
  /* The order of [param] groups in the file does not change the space. */
  sorted = json_array_get_elements (json_node_get_array (dimensions));
  sorted = g_list_sort (sorted, compare_by_name);
  sorted_array = json_array_new ();
  for (GList *l = sorted; l != NULL; l = l->next)
    json_array_add_element (sorted_array, json_node_copy (l->data));
  g_list_free (sorted);
  json_object_set_array_member (description, "space", sorted_array);
  json_object_set_string_member (description, "objective", vernier_objective_get_name (objective));
  json_object_set_string_member (description, "direction",
                                 vernier_objective_get_direction (objective) == VERNIER_DIRECTION_MAXIMIZE
                                 ? "maximize" : "minimize");
  root = json_node_init_object (json_node_alloc (), description);
  return vernier_json_to_string (root, FALSE);
}

/* ---- the run loop ---------------------------------------------------- */

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
running_free (Running *r)
{
  destroy_source (&r->timeout);
  destroy_source (&r->grace);
  if (r->reported_id != 0)
    g_signal_handler_disconnect (r->trial, r->reported_id);
  g_object_unref (r->trial);
  g_object_unref (r->study);
  g_free (r->tuner);
  g_free (r);
}

static GSource *
add_timeout (gint64       usec,
             GSourceFunc  func,
             gpointer     data)
{
  GSource *source = g_timeout_source_new ((guint) MIN (MAX (usec / 1000, 1), G_MAXUINT));

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_task_get_context (((Running *) data)->study->task));
  return source;
}

/* The timer may fire late on a busy loop: the clock decides. */
static gboolean
budget_left_in_time (VernierStudy *self)
{
  return self->time_budget <= 0 ||
         g_get_monotonic_time () - self->start_monotonic < self->time_budget;
}

static void
stop_with (VernierStudy *self,
           const gchar  *reason)
{
  if (!self->stopping)
    {
      self->stopping = TRUE;
      self->stop_reason = g_strdup (reason);
      g_debug ("study '%s': %s", vernier_study_get_name (self), reason);
    }
}

static void
fail_study (VernierStudy *self,
            GError       *error)
{
  if (self->fatal == NULL)
    self->fatal = error;
  else
    g_error_free (error);
  stop_with (self, self->fatal->message);
}

/* The group of a tuner's label ("FILE: [tuner 2]" → "[tuner 2]"): what a
 * record keeps, the same whichever path the file was given by. */
static const gchar *
tuner_key (const gchar *label)
{
  const gchar *bracket = label != NULL ? strstr (label, ": [") : NULL;

  return bracket != NULL ? bracket + 2 : label;
}

static void
check_target (VernierStudy *self,
              VernierTrial *trial)
{
  VernierObjective *objective = vernier_context_get_objective (self->context);
  gdouble value;

  if (!self->has_target || vernier_trial_get_state (trial) != VERNIER_TRIAL_STATE_COMPLETE)
    return;
  value = vernier_trial_get_value (trial);
  if (value == self->target || vernier_objective_is_better (objective, value, self->target))
    {
      g_autofree gchar *why = g_strdup_printf ("target %g reached by trial %u",
                                               self->target,
                                               vernier_trial_get_number (trial));
      stop_with (self, why);
    }
}

/* A trial joins the history: every tuner is told, and the sync
 * watermark moves past it. */
static void
add_to_history (VernierStudy *self,
                VernierTrial *trial)
{
  vernier_context_add_trial (self->context, trial);
  g_hash_table_add (self->known, GUINT_TO_POINTER (vernier_trial_get_number (trial)));
  while (g_hash_table_contains (self->known, GUINT_TO_POINTER (self->sync_from)))
    self->sync_from++;
}

typedef struct
{
  Running    *r;
  JsonObject *record;
  guint       worker;
  gboolean    release;   /* interrupted: back to the queue */
  GError     *error;
} StoreJob;

static void
store_run (VernierStorage *storage,
           gpointer        data)
{
  StoreJob *job = data;

  if (job->release)
    vernier_storage_release (storage, job->worker,
                             json_object_get_int_member (job->record, "number"), &job->error);
  else
    vernier_storage_update (storage, job->worker, job->record, &job->error);
}

static void
store_done (gpointer data,
            gpointer queue)
{
  StoreJob *job = data;
  Running *r = job->r;
  VernierStudy *self = g_object_ref (r->study);
  VernierTrial *trial = r->trial;

  self->n_storing--;
  vernier_context_remove_running (self->context, trial);

  if (job->error != NULL && self->fatal == NULL)
    /* Nothing can be saved any more, or another worker took the trial
     * over: either way its result is not the study's. */
    storage_failed (self, g_error_new (VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                                       "trial %u could not be saved: %s",
                                       vernier_trial_get_number (trial), job->error->message));
  else if (job->error == NULL)
    {
      add_to_history (self, trial);
      for (guint i = 0; i < self->tuners->len; i++)
        vernier_tuner_observe (g_array_index (self->tuners, TunerSlot, i).tuner, trial);

      g_signal_emit (self, signals[SIGNAL_TRIAL_FINISHED],
                     state_quarks[vernier_trial_get_state (trial)], trial);
      check_target (self, trial);
    }

  self->waiting = FALSE;
  g_clear_error (&job->error);
  json_object_unref (job->record);
  g_free (job);
  /* An abandoned trial's trainer may still call back: the last of the
   * two frees it. */
  r->stored = TRUE;
  if (!r->abandoned || r->trained)
    running_free (r);
  fill (self);
  g_object_unref (self);
}

/* The trial's record as the storage keeps it. */
static JsonObject *
trial_record (Running *r)
{
  g_autoptr(JsonNode) node = vernier_trial_to_json (r->trial);
  JsonObject *record = json_object_ref (json_node_get_object (node));

  if (r->tuner != NULL)
    json_object_set_string_member (record, "tuner", r->tuner);
  if (r->retry_of >= 0)
    json_object_set_int_member (record, "retry-of", r->retry_of);
  return record;
}

/* The trial is over: saved first, and only then told to the tuners and
 * announced, so that whatever a user saw finish survives a crash. */
static void
finish_trial (Running           *r,
              VernierTrialState  state,
              const gchar       *message)
{
  VernierStudy *self = r->study;
  VernierTrial *trial = r->trial;
  StoreJob *job;

  g_ptr_array_remove_fast (self->running, r);
  destroy_source (&r->timeout);
  destroy_source (&r->grace);
  /* A report arriving while the record is saved must not reach the
   * pruners: the trial is over. */
  if (r->reported_id != 0)
    {
      g_signal_handler_disconnect (trial, r->reported_id);
      r->reported_id = 0;
    }

  if (message != NULL)
    vernier_trial_set_error_message (trial, message);
  vernier_trial_mark_finished (trial, state);

  job = g_new0 (StoreJob, 1);
  job->r = r;
  job->record = trial_record (r);
  job->worker = self->worker;
  /* A trial the user interrupted did not fail: it runs again, first, when
   * the study resumes. */
  job->release = r->reason == CANCEL_INTERRUPT && state != VERNIER_TRIAL_STATE_COMPLETE;
  if (job->release && self->n_counted > 0)
    self->n_counted--;
  self->n_storing++;
  vernier_storage_queue_push (self->queue, store_run, store_done, job);
}

/* What messages call a plugin: the study file's group when the plugin
 * came from one (see vernier_config_create_plugin()), else its kind. */
static const gchar *
label_of (gpointer     object,
          const gchar *fallback)
{
  const gchar *label = g_object_get_data (G_OBJECT (object), "vernier-label");

  return label != NULL ? label : fallback;
}

static void
abandon_trial (Running *r)
{
  g_autofree gchar *grace = vernier_format_duration (r->study->cancel_grace);
  g_autofree gchar *message = NULL;
  VernierTrialState state;

  state = r->reason == CANCEL_TIMEOUT ? VERNIER_TRIAL_STATE_TIMED_OUT :
          r->reason == CANCEL_PRUNE ? VERNIER_TRIAL_STATE_PRUNED :
          VERNIER_TRIAL_STATE_FAILED;
  message = g_strdup_printf ("trial %u: the trainer did not stop within %s of "
                             "being cancelled; the trial was abandoned",
                             vernier_trial_get_number (r->trial),
                             r->study->interrupt != NULL ? "a second interruption" : grace);
  g_message ("%s", message);

  r->abandoned = TRUE;
  /* @r itself is freed when the trainer calls back, if ever. */
  finish_trial (r, state, message);
}

static gboolean
on_grace_expired (gpointer data)
{
  Running *r = data;
  VernierStudy *self = g_object_ref (r->study);

  g_clear_pointer (&r->grace, g_source_unref);
  abandon_trial (r);
  fill (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
cancel_trial (Running      *r,
              CancelReason  reason)
{
  g_autoptr(GCancellable) cancellable = NULL;

  if (r->reason != CANCEL_NONE)
    return;
  r->reason = reason;
  destroy_source (&r->timeout);
  if (r->study->cancel_grace > 0 && r->grace == NULL && !r->abandoned)
    r->grace = add_timeout (r->study->cancel_grace, on_grace_expired, r);

  /* A trainer may complete from inside cancel(), which frees @r: touch
   * nothing of it afterwards. */
  cancellable = g_object_ref (vernier_trial_get_cancellable (r->trial));
  g_cancellable_cancel (cancellable);
}

static gboolean
on_trial_timeout (gpointer data)
{
  Running *r = data;

  g_clear_pointer (&r->timeout, g_source_unref);
  cancel_trial (r, CANCEL_TIMEOUT);
  return G_SOURCE_REMOVE;
}

/* Cancels every running trial. Cancelling may complete a trial at once,
 * and its handlers may cancel the study again: always look at the live
 * list, never at a copy. */
static void
cancel_running (VernierStudy *self)
{
  for (;;)
    {
      Running *next = NULL;

      for (guint i = 0; i < self->running->len && next == NULL; i++)
        {
          Running *r = g_ptr_array_index (self->running, i);

          if (r->reason == CANCEL_NONE)
            next = r;
        }
      if (next == NULL)
        break;
      cancel_trial (next, CANCEL_INTERRUPT);
    }
}

/* The storage failed: nothing more can be saved. The study stops, its
 * running trials are cancelled (their results could not be kept) and it
 * stops heart-beating, so that another worker takes them over. */
static void
storage_failed (VernierStudy *self,
                GError       *error)
{
  fail_study (self, error);
  destroy_source (&self->heartbeat_source);
  cancel_running (self);
}

static void
on_trial_reported (VernierTrial *trial,
                   gint64        step,
                   gdouble       value,
                   Running      *r)
{
  gboolean prune = FALSE;

  if (r->reason != CANCEL_NONE || r->abandoned)
    return;
  /* Every pruner sees every report (some keep rung tables), and the
   * trial stops if any says so. */
  for (guint i = 0; i < r->study->pruners->len; i++)
    prune |= vernier_pruner_should_prune (g_ptr_array_index (r->study->pruners, i), trial);
  if (prune)
    cancel_trial (r, CANCEL_PRUNE);
}

/* Trainers call back with a serial number, not a pointer: a trainer that
 * calls back twice (a plugin bug) then finds nothing the second time,
 * rather than freed memory. */
G_LOCK_DEFINE_STATIC (calls);
static GHashTable *calls;     /* serial → Running */
static guint next_call;

static gpointer
call_register (Running *r)
{
  gpointer token;

  G_LOCK (calls);
  if (calls == NULL)
    calls = g_hash_table_new (g_direct_hash, g_direct_equal);
  do
    token = GUINT_TO_POINTER (++next_call);
  while (token == NULL || g_hash_table_contains (calls, token));
  g_hash_table_insert (calls, token, r);
  G_UNLOCK (calls);
  return token;
}

static Running *
call_take (gpointer token)
{
  Running *r;

  G_LOCK (calls);
  r = g_hash_table_lookup (calls, token);
  g_hash_table_remove (calls, token);
  G_UNLOCK (calls);
  return r;
}

static void
on_trained (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Running *r = call_take (data);
  VernierStudy *self;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *message = NULL;
  VernierTrialState state;
  gboolean ok;

  if (r == NULL)
    {
      g_warning ("%s (%s) completed a trial a second time; the second "
                 "completion was ignored (a bug of the trainer plugin)",
                 label_of (source, "trainer"), G_OBJECT_TYPE_NAME (source));
      return;
    }
  self = r->study;

  ok = vernier_trainer_train_finish (VERNIER_TRAINER (source), result, &error);

  if (r->abandoned)
    {
      r->trained = TRUE;
      if (r->stored)
        running_free (r);
      return;
    }

  if (ok && vernier_trial_has_value (r->trial) &&
      isfinite (vernier_trial_get_value (r->trial)))
    /* Finished with a value, even if a timeout or a pruner raced it:
     * the result is real. */
    state = VERNIER_TRIAL_STATE_COMPLETE;
  else if (r->reason == CANCEL_TIMEOUT)
    {
      g_autofree gchar *limit = vernier_format_duration (self->trial_timeout);

      state = VERNIER_TRIAL_STATE_TIMED_OUT;
      message = g_strdup_printf ("trial %u timed out after %s",
                                 vernier_trial_get_number (r->trial), limit);
      /* How the trainer stopped it (a program that ignored SIGTERM…). */
      if (error != NULL)
        {
          g_autofree gchar *prefix = g_strdup_printf ("trial %u: ",
                                                      vernier_trial_get_number (r->trial));
          const gchar *detail = error->message;
          gchar *full;

          /* Only a message of the trainer's own ("trial N: …"), not a
           * bare "Operation was cancelled". */
          if (g_str_has_prefix (detail, prefix))
            {
              full = g_strdup_printf ("%s (%s)", message, detail + strlen (prefix));
              g_free (message);
              message = full;
            }
        }
    }
  else if (r->reason == CANCEL_PRUNE ||
           g_error_matches (error, VERNIER_ERROR, VERNIER_ERROR_PRUNED))
    state = VERNIER_TRIAL_STATE_PRUNED;
  else if (r->reason == CANCEL_INTERRUPT)
    {
      state = VERNIER_TRIAL_STATE_FAILED;
      message = g_strdup_printf ("trial %u was cancelled: %s",
                                 vernier_trial_get_number (r->trial),
                                 self->interrupt ? self->interrupt->message : "study cancelled");
    }
  else if (!ok)
    {
      state = VERNIER_TRIAL_STATE_FAILED;
      message = g_strdup (error ? error->message : "the trainer failed without a reason");
      /* A configuration the trainer cannot run (a program that does not
       * exist…) fails every trial alike: stop rather than burn the budget. */
      if (g_error_matches (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG))
        fail_study (self, g_error_new (VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG, "%s: %s",
                                       label_of (self->trainer, "trainer"), error->message));
    }
  else
    {
      state = VERNIER_TRIAL_STATE_FAILED;
      message = vernier_trial_has_value (r->trial)
        ? g_strdup_printf ("trial %u: the trainer gave a value that is not a "
                           "finite number (%g)", vernier_trial_get_number (r->trial),
                           vernier_trial_get_value (r->trial))
        : g_strdup_printf ("trial %u: the trainer succeeded without setting a value",
                           vernier_trial_get_number (r->trial));
    }

  if (state == VERNIER_TRIAL_STATE_FAILED)
    g_debug ("%s", message);

  g_object_ref (self);
  finish_trial (r, state, message);
  fill (self);
  g_object_unref (self);
}

static JsonObject *
ask (VernierStudy  *self,
     GError       **error)
{
  while (self->current_tuner < self->tuners->len)
    {
      TunerSlot *slot = &g_array_index (self->tuners, TunerSlot, self->current_tuner);
      g_autoptr(GError) local_error = NULL;
      JsonObject *params;

      if (slot->exhausted || (slot->quota > 0 && slot->used >= slot->quota))
        {
          self->current_tuner++;
          continue;
        }

      params = vernier_tuner_suggest (slot->tuner, &local_error);
      if (params != NULL)
        {
          slot->used++;
          return params;
        }

      if (g_error_matches (local_error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED))
        {
          g_debug ("tuner %s exhausted after %u trials", slot->label, slot->used);
          slot->exhausted = TRUE;
          self->current_tuner++;
          continue;
        }

      if (g_error_matches (local_error, VERNIER_ERROR, VERNIER_ERROR_PENDING))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                   "tuner %s failed: %s", slot->label, local_error->message);
      return NULL;
    }

  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED,
               "every tuner is exhausted");
  return NULL;
}

static void release_trial (VernierStudy *self,
                           guint         number);

static void
start_trial (VernierStudy *self,
             JsonObject   *record,
             const gchar  *tuner)
{
  JsonObject *params = json_object_get_object_member (record, "params");
  guint number = json_object_get_int_member (record, "number");
  g_autoptr(VernierTrial) trial = vernier_trial_new (number, params);
  Running *r;

  /* A claim may come back after the time budget is spent (a busy loop, a
   * slow storage): the budget is judged on the start time the trial
   * records, and no trial starts after it. */
  vernier_trial_mark_started (trial);
  if (self->time_budget > 0 &&
      vernier_trial_get_start_time (trial) - self->start_time >= self->time_budget)
    {
      stop_with (self, "the time budget is spent");
      release_trial (self, number);
      return;
    }

  r = g_new0 (Running, 1);
  r->study = g_object_ref (self);
  r->trial = g_steal_pointer (&trial);
  r->tuner = g_strdup (tuner);
  r->retry_of = json_object_get_int_member_with_default (record, "retry-of", -1);
  g_ptr_array_add (self->running, r);

  if (self->pruners->len > 0)
    r->reported_id = g_signal_connect (r->trial, "reported",
                                       G_CALLBACK (on_trial_reported), r);

  vernier_context_add_running (self->context, r->trial);
  g_signal_emit (self, signals[SIGNAL_TRIAL_STARTED], 0, r->trial);

  if (self->trial_timeout > 0)
    r->timeout = add_timeout (self->trial_timeout, on_trial_timeout, r);

  vernier_trainer_train_async (self->trainer, r->trial,
                               vernier_trial_get_cancellable (r->trial),
                               on_trained, call_register (r));
}

/* Other workers' finished trials join the history and reach the tuners. */
static void
sync_records (VernierStudy *self,
              JsonArray    *records)
{
  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      g_autoptr(VernierTrial) trial = NULL;
      g_autoptr(GError) error = NULL;

      if (g_hash_table_contains (self->known,
                                 GUINT_TO_POINTER (json_object_get_int_member_with_default (record, "number", 0))))
        continue;
      trial = vernier_trial_new_from_json (record, &error);
      if (trial == NULL)
        {
          g_warning ("study '%s': skipping a record of another worker: %s",
                     vernier_study_get_name (self), error->message);
          continue;
        }
      add_to_history (self, trial);
      for (guint t = 0; t < self->tuners->len; t++)
        vernier_tuner_observe (g_array_index (self->tuners, TunerSlot, t).tuner, trial);
    }
}

/* The RUNNING trials of other workers in a list_running() answer. */
static guint
count_others (VernierStudy *self,
              JsonArray    *running)
{
  guint n = 0;

  for (guint i = 0; running != NULL && i < json_array_get_length (running); i++)
    if ((guint) json_object_get_int_member_with_default (json_array_get_object_element (running, i),
                                                         "worker", 0) != self->worker)
      n++;
  return n;
}

typedef struct
{
  VernierStudy *study;      /* strong */
  JsonObject   *proposal;   /* nullable */
  gchar        *tuner;
  gboolean      unique;
  gboolean      spent_here;  /* no proposal: the budget looked spent */
  guint         since;
  VernierClaim  result;
  JsonObject   *record;
  JsonArray    *finished;
  guint         n_others;
  GError       *error;
} ClaimJob;

static void
claim_run (VernierStorage *storage,
           gpointer        data)
{
  ClaimJob *job = data;
  VernierStudy *self = job->study;
  g_autoptr(JsonArray) running = NULL;

  job->finished = vernier_storage_finished_since (storage, self->worker, job->since, &job->error);
  if (job->finished == NULL)
    return;
  job->result = vernier_storage_claim (storage, self->worker, job->proposal, job->unique,
                                       self->max_trials, &job->record, &job->error);
  if (job->error != NULL)
    return;
  if (job->result == VERNIER_CLAIM_SPENT || job->result == VERNIER_CLAIM_EMPTY)
    {
      running = vernier_storage_list_running (storage, &job->error);
      job->n_others = count_others (self, running);
      /* This worker may stop now: a trial that another worker finished
       * since the first look must be in the history it ends with. */
      if (running != NULL && job->n_others == 0)
        {
          g_clear_pointer (&job->finished, json_array_unref);
          job->finished = vernier_storage_finished_since (storage, self->worker, job->since,
                                                          &job->error);
        }
    }
}

typedef struct
{
  VernierStudy *study;   /* strong */
  guint         worker;
  guint         number;
  GError       *error;
} ReleaseJob;

static void
release_run (VernierStorage *storage,
             gpointer        data)
{
  ReleaseJob *job = data;

  vernier_storage_release (storage, job->worker, job->number, &job->error);
}

static void
release_done (gpointer data,
              gpointer queue)
{
  ReleaseJob *job = data;

  if (job->error != NULL)
    g_message ("trial %u could not be put back in the queue (it is taken over "
               "when the study runs again): %s", job->number, job->error->message);
  g_clear_error (&job->error);
  /* The study may have been waiting for this last job to finish. */
  maybe_finish (job->study);
  g_object_unref (job->study);
  g_free (job);
}

static void
release_trial (VernierStudy *self,
               guint         number)
{
  ReleaseJob *job = g_new0 (ReleaseJob, 1);

  if (self->n_counted > 0)
    self->n_counted--;
  job->study = g_object_ref (self);
  job->worker = self->worker;
  job->number = number;
  vernier_storage_queue_push (self->queue, release_run, release_done, job);
}

static void
claim_done (gpointer data,
            gpointer queue)
{
  ClaimJob *job = data;
  VernierStudy *self = job->study;

  self->n_claiming--;
  if (job->error != NULL)
    {
      storage_failed (self, g_error_new (VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                                         "study '%s': %s", vernier_study_get_name (self),
                                         job->error->message));
      g_clear_pointer (&job->proposal, json_object_unref);
    }
  else
    {
      sync_records (self, job->finished);

      /* A proposal the storage did not use waits for the next claim. */
      if (job->proposal != NULL &&
          (job->result == VERNIER_CLAIM_DEQUEUED || job->result == VERNIER_CLAIM_SPENT))
        {
          Proposal *left = g_new0 (Proposal, 1);

          left->params = g_steal_pointer (&job->proposal);
          left->tuner = g_strdup (job->tuner);
          left->unique = job->unique;
          g_queue_push_tail (&self->leftovers, left);
        }

      switch (job->result)
        {
        case VERNIER_CLAIM_STARTED:
        case VERNIER_CLAIM_DEQUEUED:
          self->n_counted++;
          self->idle_delay = 0;
          if (self->stopping || self->finished)
            release_trial (self, json_object_get_int_member (job->record, "number"));
          else
            start_trial (self, job->record,
                         job->result == VERNIER_CLAIM_STARTED ? job->tuner : NULL);
          break;
        case VERNIER_CLAIM_DUPLICATE:
          g_debug ("study '%s': another worker has %s's suggestion already",
                   vernier_study_get_name (self), job->tuner);
          break;
        case VERNIER_CLAIM_EMPTY:
          if (job->spent_here)
            {
              /* Trials this worker counted were lost meanwhile: the
               * budget is not spent after all, the tuners are asked. */
              self->n_counted = 0;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case VERNIER_CLAIM_SPENT:
          if (job->n_others > 0)
            /* A worker that dies now leaves trials to take over: stay
             * until the others are done, looking again soon, then less
             * and less often (at most once a heartbeat). */
            wait_for_others (self);
          else if (job->result == VERNIER_CLAIM_SPENT)
            stop_with (self, "the trial budget is spent");
          else
            stop_with (self, "the tuners have nothing more to suggest");
          break;
        }
    }

  g_clear_pointer (&job->proposal, json_object_unref);
  g_clear_pointer (&job->record, json_object_unref);
  g_clear_pointer (&job->finished, json_array_unref);
  g_clear_error (&job->error);
  g_free (job->tuner);
  g_free (job);

  fill (self);
  g_object_unref (self);
}

static gboolean
on_idle_wait_over (gpointer data)
{
  VernierStudy *self = data;

  g_clear_pointer (&self->idle_source, g_source_unref);
  self->idle_wait = FALSE;
  fill (self);
  return G_SOURCE_REMOVE;
}

static void
wait_for_others (VernierStudy *self)
{
  self->idle_wait = TRUE;
  self->idle_delay = CLAMP (self->idle_delay * 2, 20 * 1000, self->heartbeat);
  destroy_source (&self->idle_source);
  self->idle_source = g_timeout_source_new ((guint) MAX (self->idle_delay / 1000, 1));
  g_source_set_callback (self->idle_source, on_idle_wait_over, self, NULL);
  g_source_attach (self->idle_source, g_task_get_context (self->task));
}

static void
claim (VernierStudy *self,
       JsonObject   *proposal,
       const gchar  *tuner,
       gboolean      unique,
       gboolean      spent_here)
{
  ClaimJob *job = g_new0 (ClaimJob, 1);

  job->spent_here = spent_here;
  job->study = g_object_ref (self);
  job->proposal = proposal;
  job->tuner = g_strdup (tuner);
  job->unique = unique;
  job->since = self->sync_from;
  self->n_claiming++;
  vernier_storage_queue_push (self->queue, claim_run, claim_done, job);
}

/* The trial budget is the storage's to enforce (a claim answers SPENT),
 * since other workers spend it too; here only never more claims in flight
 * than the budget, and the time budget. */
static gboolean
budget_left (VernierStudy *self)
{
  if (self->max_trials > 0 && self->n_claiming >= self->max_trials)
    return FALSE;
  return budget_left_in_time (self);
}

static void
fill (VernierStudy *self)
{
  if (self->finished || self->queue == NULL)
    return;
  if (self->filling)
    {
      self->refill = TRUE;
      return;
    }

  self->filling = TRUE;
  do
    {
      self->refill = FALSE;
      while (!self->stopping && !self->waiting && !self->idle_wait &&
             self->running->len + self->n_claiming < self->parallel && budget_left (self))
        {
          g_autoptr(GError) error = NULL;
          JsonObject *params = NULL;
          TunerSlot *slot = NULL;

          /* Spent as far as this worker knows: ask the storage, not the
           * tuners (queued trials may still be over the budget's edge). */
          if (self->max_trials > 0 && self->n_counted + self->n_claiming >= self->max_trials)
            {
              if (self->n_claiming == 0)
                claim (self, NULL, NULL, FALSE, TRUE);
              break;
            }

          if (!g_queue_is_empty (&self->leftovers))
            {
              Proposal *left = g_queue_pop_head (&self->leftovers);

              claim (self, g_steal_pointer (&left->params), left->tuner, left->unique, FALSE);
              proposal_free (left);
              continue;
            }

          params = ask (self, &error);
          if (params == NULL && g_error_matches (error, VERNIER_ERROR, VERNIER_ERROR_PENDING))
            {
              /* Asked again when a trial finishes or the tuner is ready. */
              self->waiting = TRUE;
              break;
            }
          if (params == NULL && !g_error_matches (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED))
            {
              fail_study (self, g_steal_pointer (&error));
              break;
            }
          /* Exhausted: the queue may still hold WAITING trials. */
          if (params == NULL && self->n_claiming > 0)
            break;

          if (params != NULL && self->current_tuner < self->tuners->len)
            slot = &g_array_index (self->tuners, TunerSlot, self->current_tuner);
          if (params != NULL && slot != NULL &&
              !vernier_space_validate (vernier_context_get_space (self->context), params, &error))
            {
              fail_study (self, g_error_new (VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                                             "tuner %s suggested parameters outside "
                                             "the search space: %s", slot->label,
                                             error->message));
              json_object_unref (params);
              break;
            }

          claim (self, params,
                 slot != NULL ? tuner_key (slot->label) : NULL,
                 slot != NULL && (vernier_tuner_get_flags (slot->tuner) & VERNIER_TUNER_FLAGS_UNIQUE),
                 FALSE);
        }

      if (!self->stopping && !budget_left_in_time (self))
        stop_with (self, "the time budget is spent");
    }
  while (self->refill && !self->finished);
  self->filling = FALSE;

  maybe_finish (self);
}

/* ---- the storage: opening, taking over, heartbeats -------------------- */

typedef struct
{
  gint64 heartbeat;   /* the worker's own clock */
  gint64 seen;        /* ours (monotonic) when it took that value */
} Beat;

/* Whether the worker running a trial died: its process is gone (on this
 * host), or its heartbeat has not changed for three heartbeats by this
 * worker's clock. Heartbeats are compared with earlier values of the same
 * worker, never with this machine's time: clocks of machines differ.
 * Runs on the storage thread, which alone touches self->beats. */
static gboolean
worker_is_dead (VernierStudy  *self,
                JsonObject    *entry,
                gchar        **why)
{
  guint worker = json_object_get_int_member_with_default (entry, "worker", 0);
  const gchar *host = json_object_get_string_member_with_default (entry, "host", "");
  gint64 pid = json_object_get_int_member_with_default (entry, "pid", 0);
  gint64 heartbeat = json_object_get_int_member_with_default (entry, "heartbeat", 0);
  gint64 now = g_get_monotonic_time ();
  Beat *beat;

  if (worker == self->worker)
    return FALSE;
  if (g_strcmp0 (host, self->host) == 0 && pid > 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    {
      *why = g_strdup_printf ("its worker (process %" G_GINT64_FORMAT " on %s) is gone",
                              pid, host);
      return TRUE;
    }

  beat = g_hash_table_lookup (self->beats, GUINT_TO_POINTER (worker));
  if (beat == NULL)
    {
      beat = g_new (Beat, 1);
      g_hash_table_insert (self->beats, GUINT_TO_POINTER (worker), beat);
    }
  else if (beat->heartbeat == heartbeat && now - beat->seen > 3 * self->heartbeat)
    {
      g_autofree gchar *how_long = vernier_format_duration (now - beat->seen);

      *why = g_strdup_printf ("its worker (process %" G_GINT64_FORMAT " on %s) sent no "
                              "heartbeat for %s", pid, host, how_long);
      return TRUE;
    }
  else if (beat->heartbeat == heartbeat)
    return FALSE;
  beat->heartbeat = heartbeat;
  beat->seen = now;
  return FALSE;
}

/* How many times a trial's parameters have run: the trial and those it
 * retries. */
static guint
attempts_of (JsonArray *records,
             gint64     number)
{
  g_autoptr(GHashTable) by_number = g_hash_table_new (NULL, NULL);
  guint attempts = 0;

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      g_hash_table_insert (by_number,
                           GINT_TO_POINTER (json_object_get_int_member_with_default (record, "number", -1)),
                           record);
    }
  while (number >= 0 && attempts < G_MAXUINT)
    {
      JsonObject *record = g_hash_table_lookup (by_number, GINT_TO_POINTER (number));

      attempts++;
      if (record == NULL)
        break;
      number = json_object_get_int_member_with_default (record, "retry-of", -1);
    }
  return attempts;
}

/* Runs on the storage's thread: takes over the RUNNING trials of dead
 * workers. */
static guint
take_over_dead (VernierStudy    *self,
                VernierStorage  *storage,
                JsonArray       *running,
                GError         **error)
{
  g_autoptr(JsonArray) records = NULL;
  guint n = 0;

  for (guint i = 0; running != NULL && i < json_array_get_length (running); i++)
    {
      JsonObject *entry = json_array_get_object_element (running, i);
      gint64 number = json_object_get_int_member_with_default (entry, "number", -1);
      g_autofree gchar *why = NULL;
      g_autofree gchar *message = NULL;
      gboolean retry;

      if (!worker_is_dead (self, entry, &why))
        continue;
      if (records == NULL && (records = vernier_storage_load (storage, error)) == NULL)
        return n;
      retry = attempts_of (records, number) <= self->retries;
      message = retry
        ? g_strdup_printf ("trial %" G_GINT64_FORMAT " was lost: %s; its parameters run again",
                           number, why)
        : g_strdup_printf ("trial %" G_GINT64_FORMAT " was lost: %s; not run again "
                           "(retries=%u)", number, why, self->retries);
      if (vernier_storage_take_over (storage, number,
                                     json_object_get_int_member_with_default (entry, "heartbeat", 0),
                                     message, retry, error))
        {
          g_message ("%s", message);
          n++;
        }
      else if (error != NULL && *error != NULL)
        return n;
    }
  return n;
}

typedef struct
{
  VernierStudy *study;        /* strong */
  gchar        *description;
  gchar        *stored;
  JsonArray    *records;
  guint         n_taken;
  GError       *error;
} OpenJob;

static void
open_run (VernierStorage *storage,
          gpointer        data)
{
  OpenJob *job = data;
  VernierStudy *self = job->study;
  g_autoptr(JsonArray) running = NULL;

  if (!vernier_storage_open (storage, self->context, job->description, TRUE,
                             &job->stored, &job->error) ||
      g_strcmp0 (job->stored, job->description) != 0)
    return;
  self->worker = vernier_storage_add_worker (storage, self->host, getpid (), &job->error);
  if (self->worker == 0)
    return;
  running = vernier_storage_list_running (storage, &job->error);
  if (running == NULL)
    return;
  job->n_taken = take_over_dead (self, storage, running, &job->error);
  if (job->error == NULL)
    job->records = vernier_storage_load (storage, &job->error);
}

/* What differs between the study in the storage and the study file, in
 * words: the first parameter or objective that does not match. */
static gchar *
describe_mismatch (const gchar *stored,
                   const gchar *ours)
{
  g_autoptr(JsonNode) a = json_from_string (stored, NULL);
  g_autoptr(JsonNode) b = json_from_string (ours, NULL);
  JsonObject *sa, *sb;
  JsonArray *da, *db;

  if (a == NULL || !JSON_NODE_HOLDS_OBJECT (a) || b == NULL || !JSON_NODE_HOLDS_OBJECT (b))
    return g_strdup ("it was created by another program");
  sa = json_node_get_object (a);
  sb = json_node_get_object (b);

  for (guint k = 0; k < 2; k++)
    {
      const gchar *key = k == 0 ? "objective" : "direction";
      const gchar *va = json_object_get_string_member_with_default (sa, key, "");
      const gchar *vb = json_object_get_string_member_with_default (sb, key, "");

      if (!g_str_equal (va, vb))
        return g_strdup_printf ("the %s is '%s' there and '%s' in the study file", key, va, vb);
    }

  da = json_object_get_array_member (sa, "space");
  db = json_object_get_array_member (sb, "space");
  for (guint pass = 0; pass < 2 && da != NULL && db != NULL; pass++)
    {
      /* First what the storage has (missing or different here), then
       * what only the study file has. */
      JsonArray *from = pass == 0 ? da : db;
      JsonArray *to = pass == 0 ? db : da;

      for (guint i = 0; i < json_array_get_length (from); i++)
        {
          JsonObject *pa = json_array_get_object_element (from, i);
          const gchar *name = json_object_get_string_member_with_default (pa, "name", "?");
          JsonObject *pb = NULL;

          for (guint j = 0; j < json_array_get_length (to) && pb == NULL; j++)
            if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (to, j), "name", NULL), name) == 0)
              pb = json_array_get_object_element (to, j);

          if (pb == NULL)
            return g_strdup_printf (pass == 0 ? "parameter '%s' is missing from the study file"
                                              : "parameter '%s' is new in the study file", name);
          if (pass == 0)
            {
              g_autofree gchar *ta = vernier_json_object_canonical (pa);
              g_autofree gchar *tb = vernier_json_object_canonical (pb);

              if (!g_str_equal (ta, tb))
                return g_strdup_printf ("parameter '%s' is %s there and %s in the study file",
                                        name, ta, tb);
            }
        }
    }
  return g_strdup ("the search spaces differ");
}

static void
fail_start (VernierStudy *self,
            GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  /* The study never started: vernier_study_get_start_time() says so. */
  self->finished = TRUE;
  self->start_time = 0;
  self->start_monotonic = 0;
  destroy_source (&self->time_source);
  destroy_source (&self->cancel_source);
  destroy_source (&self->heartbeat_source);
  destroy_source (&self->idle_source);
  g_task_return_error (task, error);
}

static gboolean prepare_plugins (VernierStudy *self, GError **error);

typedef struct
{
  VernierStudy *study;   /* strong */
  guint         n_taken;
  gboolean      ok;
} BeatJob;

static void
beat_run (VernierStorage *storage,
          gpointer        data)
{
  BeatJob *job = data;
  VernierStudy *self = job->study;
  g_autoptr(JsonArray) running = NULL;
  g_autoptr(GError) error = NULL;

  if (vernier_storage_heartbeat (storage, self->worker, &error) &&
      (running = vernier_storage_list_running (storage, &error)) != NULL)
    job->n_taken = take_over_dead (self, storage, running, &error);
  if (error != NULL)
    /* A storage out of reach for a while is not the end of the study:
     * the next state change says so if it lasts. */
    g_warning ("study '%s': heartbeat: %s", vernier_study_get_name (self), error->message);
}

static void
beat_done (gpointer data,
           gpointer queue)
{
  BeatJob *job = data;
  VernierStudy *self = job->study;

  self->n_taken_over += job->n_taken;
  self->n_counted -= MIN (self->n_counted, job->n_taken);
  self->beat_pending = FALSE;
  if (self->idle_wait)
    {
      /* Look again: the others finished, or left a trial to take over. */
      self->idle_wait = FALSE;
      fill (self);
    }
  maybe_finish (self);
  g_object_unref (self);
  g_free (job);
}

static gboolean
on_heartbeat (gpointer data)
{
  VernierStudy *self = data;
  BeatJob *job;

  if (self->beat_pending || self->finished)
    return G_SOURCE_CONTINUE;
  job = g_new0 (BeatJob, 1);
  job->study = g_object_ref (self);
  self->beat_pending = TRUE;
  vernier_storage_queue_push (self->queue, beat_run, beat_done, job);
  return G_SOURCE_CONTINUE;
}

static void
open_done (gpointer data,
           gpointer queue)
{
  OpenJob *job = data;
  VernierStudy *self = job->study;
  g_autoptr(GError) error = NULL;
  VernierTrial *best;

  self->opening = FALSE;
  if (self->finished || self->task == NULL)
    ;
  else if (job->error != NULL)
    error = g_error_new (VERNIER_ERROR, VERNIER_ERROR_STORAGE, "study '%s': %s",
                         vernier_study_get_name (self), job->error->message);
  else if (job->stored == NULL)
    error = g_error_new (VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                         "study '%s': the storage %s opened the study without "
                         "saying what it holds", vernier_study_get_name (self),
                         G_OBJECT_TYPE_NAME (self->storage));
  else if (g_strcmp0 (job->stored, job->description) != 0)
    {
      g_autofree gchar *what = describe_mismatch (job->stored, job->description);

      error = g_error_new (VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                           "study '%s' in the storage is not this study: %s; give this "
                           "study another name, or its storage another place",
                           vernier_study_get_name (self), what);
    }

  if (self->finished || self->task == NULL)
    ;
  else if (error == NULL)
    {
      self->n_taken_over = job->n_taken;
      for (guint i = 0; i < json_array_get_length (job->records); i++)
        {
          JsonObject *record = json_array_get_object_element (job->records, i);
          const gchar *tuner = json_object_get_string_member_with_default (record, "tuner", NULL);
          g_autoptr(VernierTrial) trial = NULL;

          /* A chain resumes where it was: each tuner has used its share. */
          for (guint t = 0; tuner != NULL && t < self->tuners->len; t++)
            {
              TunerSlot *slot = &g_array_index (self->tuners, TunerSlot, t);

              if (g_strcmp0 (tuner_key (slot->label), tuner) == 0 &&
                  vernier_storage_record_counts (record))
                slot->used++;
            }

          if (vernier_storage_record_counts (record))
            self->n_counted++;
          trial = vernier_trial_new_from_json (record, &error);
          if (trial == NULL)
            {
              g_prefix_error (&error, "study '%s': ", vernier_study_get_name (self));
              break;
            }
          if (vernier_trial_is_finished (trial))
            {
              add_to_history (self, trial);
              self->n_resumed++;
            }
        }
    }

  if (self->finished || self->task == NULL)
    ;
  else if (error != NULL || !prepare_plugins (self, &error))
    fail_start (self, g_steal_pointer (&error));
  else
    {
      if (self->n_resumed > 0)
        g_debug ("study '%s': resuming with %u finished trials",
                 vernier_study_get_name (self), self->n_resumed);
      best = vernier_context_get_best_trial (self->context);
      if (best != NULL)
        check_target (self, best);

      self->heartbeat_source = g_timeout_source_new ((guint) MIN (MAX (self->heartbeat / 1000, 1), G_MAXUINT));
      g_source_set_callback (self->heartbeat_source, on_heartbeat, self, NULL);
      g_source_attach (self->heartbeat_source, g_task_get_context (self->task));
      fill (self);
    }

  g_clear_pointer (&job->records, json_array_unref);
  g_free (job->description);
  g_free (job->stored);
  g_clear_error (&job->error);
  g_object_unref (self);
  g_free (job);
}

static gboolean
finish_now (gpointer data)
{
  VernierStudy *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  VernierTrial *best;
  guint n_finished;

  g_clear_pointer (&self->finish_source, g_source_unref);
  if (self->finished)
    return G_SOURCE_REMOVE;
  self->finished = TRUE;
  self->end_monotonic = g_get_monotonic_time ();
  destroy_source (&self->time_source);
  destroy_source (&self->cancel_source);
  destroy_source (&self->heartbeat_source);
  destroy_source (&self->idle_source);

  best = vernier_context_get_best_trial (self->context);
  n_finished = vernier_context_get_n_trials (self->context);

  if (self->fatal != NULL)
    error = g_error_copy (self->fatal);
  else if (self->interrupt != NULL)
    error = g_error_copy (self->interrupt);
  else if (best == NULL && n_finished == 0)
    error = g_error_new (VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED,
                         "study '%s': no trial ran (%s)", vernier_study_get_name (self),
                         self->stop_reason ? self->stop_reason : "nothing to do");
  else if (best == NULL)
    error = g_error_new (VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                         "study '%s': all %u trials failed (%u failed, %u timed out, "
                         "%u pruned)", vernier_study_get_name (self), n_finished,
                         vernier_context_count_state (self->context, VERNIER_TRIAL_STATE_FAILED),
                         vernier_context_count_state (self->context, VERNIER_TRIAL_STATE_TIMED_OUT),
                         vernier_context_count_state (self->context, VERNIER_TRIAL_STATE_PRUNED));

  g_signal_emit (self, signals[SIGNAL_STUDY_FINISHED], 0,
                 error != NULL ? NULL : best, error);

  task = g_steal_pointer (&self->task);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_object_ref (best), g_object_unref);
  return G_SOURCE_REMOVE;
}

static void
maybe_finish (VernierStudy *self)
{
  if (self->finished || self->finish_source != NULL || self->task == NULL)
    return;
  if (self->running->len > 0 || self->n_claiming > 0 || self->n_storing > 0 || self->opening)
    return;
  if (self->queue != NULL && vernier_storage_queue_get_n_pending (self->queue) > 0)
    return;
  if (!self->stopping)
    return;

  /* Finish from an idle so that signal handlers of the last trial
   * return before the study's end is announced. */
  self->finish_source = g_idle_source_new ();
  g_source_set_priority (self->finish_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->finish_source, finish_now, self, NULL);
  g_source_attach (self->finish_source, g_task_get_context (self->task));
}

static gboolean
on_time_budget (gpointer data)
{
  VernierStudy *self = data;
  g_autofree gchar *budget = vernier_format_duration (self->time_budget);
  g_autofree gchar *why = g_strdup_printf ("the time budget of %s is spent", budget);

  g_clear_pointer (&self->time_source, g_source_unref);
  stop_with (self, why);
  maybe_finish (self);
  return G_SOURCE_REMOVE;
}

/* Opening starts from the main loop, as trials did before storages: a
 * caller of run_async() sees nothing happen before it returns. */
static gboolean
start_in_idle (gpointer data)
{
  VernierStudy *self = data;
  OpenJob *job;

  if (self->finished)
    return G_SOURCE_REMOVE;
  if (self->stopping)
    {
      /* Stopped or cancelled before it started: nothing to open. */
      self->opening = FALSE;
      maybe_finish (self);
      return G_SOURCE_REMOVE;
    }
  job = g_new0 (OpenJob, 1);
  job->study = g_object_ref (self);
  job->description = vernier_study_describe (self);
  vernier_storage_queue_push (self->queue, open_run, open_done, job);
  return G_SOURCE_REMOVE;
}

/* Tuners of a chain get their own seeds; a second worker, or a resumed
 * run, gets others still, so that it does not repeat the first one's
 * suggestions. */
static guint64
tuner_seed (VernierStudy *self,
            guint         index)
{
  guint64 seed = vernier_context_get_seed (self->context) + index;
  guint64 z;

  if (self->worker <= 1)
    return seed;
  z = seed + (guint64) self->worker * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static gboolean
check_plugins (VernierStudy  *self,
               GError       **error)
{
  if (self->trainer == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "study '%s' has no trainer", vernier_study_get_name (self));
      return FALSE;
    }
  if (self->tuners->len == 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "study '%s' has no tuner", vernier_study_get_name (self));
      return FALSE;
    }
  if (vernier_space_is_empty (vernier_context_get_space (self->context)))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE,
                   "study '%s' has an empty search space: add [param NAME] "
                   "groups or [candidates]", vernier_study_get_name (self));
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare_plugins (VernierStudy  *self,
                 GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; i < self->tuners->len; i++)
    {
      TunerSlot *slot = &g_array_index (self->tuners, TunerSlot, i);
      g_autoptr(VernierContext) ctx = vernier_context_derive (self->context, tuner_seed (self, i));

      if (!vernier_tuner_prepare (slot->tuner, ctx, &local_error))
        {
          g_set_error (error, VERNIER_ERROR, local_error->domain == VERNIER_ERROR
                       ? local_error->code : VERNIER_ERROR_INVALID_CONFIG,
                       "%s: %s", slot->label, local_error->message);
          return FALSE;
        }
    }

  if (!vernier_trainer_prepare (self->trainer, self->context, &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "%s: %s", label_of (self->trainer, "trainer"), local_error->message);
      return FALSE;
    }

  for (guint i = 0; i < self->pruners->len; i++)
    if (!vernier_pruner_prepare (g_ptr_array_index (self->pruners, i), self->context, &local_error))
      {
        g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG, "%s: %s",
                     label_of (g_ptr_array_index (self->pruners, i), "pruner"),
                     local_error->message);
        return FALSE;
      }

  for (guint i = 0; i < self->observers->len; i++)
    if (!vernier_observer_prepare (g_ptr_array_index (self->observers, i), self->context, &local_error))
      {
        g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG, "%s: %s",
                     label_of (g_ptr_array_index (self->observers, i), "observer"),
                     local_error->message);
        return FALSE;
      }

  return TRUE;
}

static gboolean
on_run_cancelled (GCancellable *cancellable,
                  gpointer      data)
{
  VernierStudy *self = data;

  g_clear_pointer (&self->cancel_source, g_source_unref);
  vernier_study_cancel (self, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * vernier_study_run_async:
 * @self: a #VernierStudy that has not run yet
 * @cancellable: (nullable): cancels the study like vernier_study_cancel()
 * @callback: (scope async): called when the study is over
 * @user_data: data for @callback
 *
 * Runs the study on the thread-default main context. Plugins are prepared
 * first; the first trials start from the main loop.
 */
void
vernier_study_run_async (VernierStudy        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GSource *idle;

  g_return_if_fail (VERNIER_IS_STUDY (self));
  g_return_if_fail (self->task == NULL && !self->finished);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, vernier_study_run_async);

  if (!check_plugins (self, &error))
    {
      self->finished = TRUE;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->task = g_object_ref (task);
  self->start_time = g_get_real_time ();
  self->start_monotonic = g_get_monotonic_time ();

  /* A source, not the ::cancelled signal: it fires on the study's own
   * main context whichever thread cancels, and at once if the cancellable
   * is cancelled already. */
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, (GSourceFunc) G_CALLBACK (on_run_cancelled),
                             self, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (task));
    }

  if (self->time_budget > 0)
    {
      self->time_source = g_timeout_source_new ((guint) MIN (self->time_budget / 1000, G_MAXUINT));
      g_source_set_callback (self->time_source, on_time_budget, self, NULL);
      g_source_attach (self->time_source, g_task_get_context (task));
    }

  /* Open the storage, take over what dead workers left, load the history,
   * then prepare the plugins (they see the history) and start. */
  if (self->storage == NULL)
    self->storage = vernier_memory_storage_new ();
  self->queue = vernier_storage_queue_new (self->storage, g_task_get_context (task));
  self->host = g_strdup (g_get_host_name ());
  self->opening = TRUE;

  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, start_in_idle, g_object_ref (self), g_object_unref);
  g_source_attach (idle, g_task_get_context (task));
  g_source_unref (idle);
}

/**
 * vernier_study_run_finish:
 * @self: a #VernierStudy
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes vernier_study_run_async().
 *
 * Returns: (transfer full): the best trial, or %NULL with @error set when
 *   the study failed (no trial completed, a tuner failed, it was
 *   interrupted: the best trial so far is then
 *   vernier_study_get_best_trial())
 */
VernierTrial *
vernier_study_run_finish (VernierStudy  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
run_sync_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/**
 * vernier_study_run:
 * @self: a #VernierStudy that has not run yet
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Runs the study, iterating the thread-default main context until it is
 * over.
 *
 * Returns: (transfer full): the best trial, or %NULL with @error set
 */
VernierTrial *
vernier_study_run (VernierStudy  *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GMainContext *context = g_main_context_ref_thread_default ();

  vernier_study_run_async (self, cancellable, run_sync_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_unref (context);

  return vernier_study_run_finish (self, result, error);
}

/**
 * vernier_study_stop:
 * @self: a #VernierStudy
 *
 * Starts no new trial; the study ends when the running ones have finished.
 */
void
vernier_study_stop (VernierStudy *self)
{
  g_return_if_fail (VERNIER_IS_STUDY (self));

  stop_with (self, "stopped");
  maybe_finish (self);
}

/**
 * vernier_study_cancel:
 * @self: a #VernierStudy
 * @reason: (nullable): why, for messages; %VERNIER_ERROR_INTERRUPTED is
 *   used when %NULL
 *
 * Starts no new trial and cancels the running ones (a command trainer kills
 * their processes). The study then fails with @reason.
 */
void
vernier_study_cancel (VernierStudy *self,
                      const GError *reason)
{
  gboolean again;

  g_return_if_fail (VERNIER_IS_STUDY (self));

  if (self->finished)
    return;
  again = self->interrupt != NULL;
  if (self->interrupt == NULL)
    self->interrupt = reason != NULL ? g_error_copy (reason)
      : g_error_new (VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED,
                     "study '%s' was interrupted", vernier_study_get_name (self));
  stop_with (self, self->interrupt->message);
  cancel_running (self);

  /* Asked twice (a second Ctrl-C): do not wait for trainers any more. */
  if (again)
    {
      g_object_ref (self);
      while (self->running->len > 0)
        {
          Running *r = g_ptr_array_index (self->running, 0);

          destroy_source (&r->grace);
          abandon_trial (r);
        }
      fill (self);
      g_object_unref (self);
    }

  maybe_finish (self);
}

/**
 * vernier_study_is_running:
 * @self: a #VernierStudy
 *
 * Returns: %TRUE between vernier_study_run_async() and the end of the study
 */
gboolean
vernier_study_is_running (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), FALSE);
  return self->task != NULL && !self->finished;
}

/**
 * vernier_study_get_n_running:
 * @self: a #VernierStudy
 *
 * Returns: how many trials are in flight
 */
guint
vernier_study_get_n_running (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);
  return self->running->len;
}

/**
 * vernier_study_get_n_finished:
 * @self: a #VernierStudy
 *
 * Returns: how many trials have finished
 */
guint
vernier_study_get_n_finished (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);
  return vernier_context_get_n_trials (self->context);
}

/**
 * vernier_study_count_state:
 * @self: a #VernierStudy
 * @state: a final state
 *
 * Returns: how many finished trials are in @state
 */
guint
vernier_study_count_state (VernierStudy      *self,
                           VernierTrialState  state)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);
  return vernier_context_count_state (self->context, state);
}

/**
 * vernier_study_get_best_trial:
 * @self: a #VernierStudy
 *
 * Returns: (transfer none) (nullable): the best COMPLETE trial so far
 */
VernierTrial *
vernier_study_get_best_trial (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), NULL);
  return vernier_context_get_best_trial (self->context);
}

/**
 * vernier_study_get_start_time:
 * @self: a #VernierStudy
 *
 * Returns: when the study started, in microseconds since the epoch, or 0
 */
gint64
vernier_study_get_start_time (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);
  return self->start_time;
}

/**
 * vernier_study_get_elapsed:
 * @self: a #VernierStudy
 *
 * Returns: how long the study has run (or ran), in microseconds
 */
gint64
vernier_study_get_elapsed (VernierStudy *self)
{
  g_return_val_if_fail (VERNIER_IS_STUDY (self), 0);

  if (self->start_monotonic == 0)
    return 0;
  if (self->end_monotonic != 0)
    return self->end_monotonic - self->start_monotonic;
  return g_get_monotonic_time () - self->start_monotonic;
}
