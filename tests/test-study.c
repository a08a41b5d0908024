/* Tests of the run loop: budgets, parallelism, timeouts, failures,
 * cancellation, tuner chains, pruning and the order and payload of the
 * study's signals. The tuner, trainer, pruner and observer used here are
 * defined below so that each test controls exactly what happens. */

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "vernier-core.h"

/* ---- a counting tuner: x = 0, 1, 2, … up to a limit ------------------- */

#define TEST_TYPE_TUNER (test_tuner_get_type ())
G_DECLARE_FINAL_TYPE (TestTuner, test_tuner, TEST, TUNER, GObject)

struct _TestTuner
{
  GObject  parent_instance;
  gint     next;
  gint     limit;        /* exhausted after this many; -1: never */
  gint     tag;          /* added as "tag" when >= 0 */
  gint     pending_every;/* PENDING while a trial runs every n-th ask */
  gboolean out_of_space;
  guint    observed;
  VernierContext *context;
};

static void test_tuner_iface_init (VernierTunerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestTuner, test_tuner, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_TUNER, test_tuner_iface_init))

static void
test_tuner_finalize (GObject *object)
{
  g_clear_object (&TEST_TUNER (object)->context);
  G_OBJECT_CLASS (test_tuner_parent_class)->finalize (object);
}

static void
test_tuner_class_init (TestTunerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_tuner_finalize;
}

static void
test_tuner_init (TestTuner *self)
{
  self->limit = -1;
  self->tag = -1;
}

static gboolean
test_tuner_prepare (VernierTuner *tuner, VernierContext *context, GError **error)
{
  g_set_object (&TEST_TUNER (tuner)->context, context);
  return TRUE;
}

static JsonObject *
test_tuner_suggest (VernierTuner *tuner, GError **error)
{
  TestTuner *self = TEST_TUNER (tuner);
  JsonObject *params;

  if (self->limit >= 0 && self->next >= self->limit)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED, "done");
      return NULL;
    }
  if (self->pending_every > 0 && self->next > 0 && self->next % self->pending_every == 0 &&
      vernier_context_get_n_trials (self->context) < (guint) self->next)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PENDING, "waiting for results");
      return NULL;
    }
  params = json_object_new ();
  json_object_set_int_member (params, "x", self->out_of_space ? -1 : self->next);
  if (self->tag >= 0)
    json_object_set_int_member (params, "tag", self->tag);
  self->next++;
  return params;
}

static void
test_tuner_observe (VernierTuner *tuner, VernierTrial *trial)
{
  TEST_TUNER (tuner)->observed++;
}

static void
test_tuner_iface_init (VernierTunerInterface *iface)
{
  iface->prepare = test_tuner_prepare;
  iface->suggest = test_tuner_suggest;
  iface->observe = test_tuner_observe;
}

/* ---- a trainer whose behaviour depends on x --------------------------- */

typedef enum
{
  MODE_VALUE,        /* value = x, after delay */
  MODE_FAIL_ODD,     /* odd x fail */
  MODE_FAIL_ALL,
  MODE_HANG,         /* never finishes unless cancelled */
  MODE_DEAF,         /* never finishes, ignores cancellation */
  MODE_STEPS,        /* reports x + 10 - step for 10 steps, then value x */
  MODE_TWICE,        /* as MODE_VALUE, then calls back a second time */
} TrainerMode;

#define TEST_TYPE_TRAINER (test_trainer_get_type ())
G_DECLARE_FINAL_TYPE (TestTrainer, test_trainer, TEST, TRAINER, GObject)

struct _TestTrainer
{
  GObject      parent_instance;
  TrainerMode  mode;
  guint        delay_ms;
  gint64       max_overlap;
  gint64       running;
  guint        n_twins;     /* second callbacks made (MODE_TWICE) */
};

static void test_trainer_iface_init (VernierTrainerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestTrainer, test_trainer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_TRAINER, test_trainer_iface_init))

static void test_trainer_class_init (TestTrainerClass *klass) { }
static void test_trainer_init (TestTrainer *self) { }

typedef struct
{
  TestTrainer  *trainer;
  VernierTrial *trial;
  GSource      *timer;
  gulong        cancel_id;
  gint          step;
  gboolean      done;
  GAsyncReadyCallback callback;   /* MODE_TWICE calls it again */
  gpointer      user_data;
} Job;

static void
job_free (Job *job)
{
  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_source_unref (job->timer);
    }
  g_object_unref (job->trial);
  g_free (job);
}

/* A careless trainer's second callback for the same trial. */
static gboolean
on_twin (gpointer data)
{
  GTask *twin = data;

  TEST_TRAINER (g_task_get_source_object (twin))->n_twins++;
  g_task_return_boolean (twin, TRUE);
  g_object_unref (twin);
  return G_SOURCE_REMOVE;
}

static void
task_done (GTask *task, gboolean cancelled)
{
  Job *job = g_task_get_task_data (task);
  gint64 x = json_object_get_int_member (vernier_trial_get_params (job->trial), "x");

  job->done = TRUE;
  job->trainer->running--;
  if (job->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), job->cancel_id);
      job->cancel_id = 0;
    }
  if (cancelled)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  else if (job->trainer->mode == MODE_FAIL_ALL ||
           (job->trainer->mode == MODE_FAIL_ODD && x % 2 == 1))
    g_task_return_new_error (task, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                             "x=%" G_GINT64_FORMAT " is odd", x);
  else
    {
      vernier_trial_set_value (job->trial, (gdouble) x);
      g_task_return_boolean (task, TRUE);
    }
  if (job->trainer->mode == MODE_TWICE)
    g_idle_add (on_twin, g_task_new (job->trainer, NULL, job->callback, job->user_data));
}

static gboolean
on_job_timer (gpointer data)
{
  /* Reporting may prune the trial, which completes the task from inside
   * the report: hold it until this callback returns. */
  g_autoptr(GTask) task = g_object_ref (data);
  Job *job = g_task_get_task_data (task);
  gint64 x = json_object_get_int_member (vernier_trial_get_params (job->trial), "x");

  if (job->trainer->mode == MODE_STEPS && job->step < 10)
    {
      job->step++;
      vernier_trial_report (job->trial, job->step, (gdouble) (x + 10 - job->step));
      return job->done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
    }

  g_clear_pointer (&job->timer, g_source_unref);
  task_done (task, FALSE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
on_job_cancelled (GCancellable *cancellable, GTask *task)
{
  Job *job = g_task_get_task_data (task);

  if (job->trainer->mode == MODE_DEAF)
    return;
  if (job->timer != NULL)
    {
      g_source_destroy (job->timer);
      g_clear_pointer (&job->timer, g_source_unref);
    }
  /* Inside the handler: disconnecting now would deadlock. Completing
   * right here, synchronously, is what a careless trainer does; the
   * study must cope. */
  job->cancel_id = 0;
  task_done (task, TRUE);
  g_object_unref (task);
}

static void
test_trainer_train_async (VernierTrainer *trainer, VernierTrial *trial, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  TestTrainer *self = TEST_TRAINER (trainer);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);


  job->trainer = self;
  job->trial = g_object_ref (trial);
  job->callback = callback;
  job->user_data = user_data;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  self->running++;
  self->max_overlap = MAX (self->max_overlap, self->running);

  if (self->mode == MODE_HANG || self->mode == MODE_DEAF)
    {
      /* the task's reference stays with the cancel handler */
    }
  else
    {
      job->timer = self->mode == MODE_STEPS ? g_timeout_source_new (1)
                                            : g_timeout_source_new (self->delay_ms);
      g_source_set_callback (job->timer, on_job_timer, task, NULL);
      g_source_attach (job->timer, NULL);
    }
  job->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_job_cancelled), task, NULL);
}

static gboolean
test_trainer_train_finish (VernierTrainer *trainer, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_trainer_iface_init (VernierTrainerInterface *iface)
{
  iface->train_async = test_trainer_train_async;
  iface->train_finish = test_trainer_train_finish;
}

/* ---- a pruner: prunes when the intermediate value is above a bound ---- */

#define TEST_TYPE_PRUNER (test_pruner_get_type ())
G_DECLARE_FINAL_TYPE (TestPruner, test_pruner, TEST, PRUNER, GObject)

struct _TestPruner
{
  GObject parent_instance;
  gdouble bound;
  guint   asked;
};

static void test_pruner_iface_init (VernierPrunerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestPruner, test_pruner, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_PRUNER, test_pruner_iface_init))

static void test_pruner_class_init (TestPrunerClass *klass) { }
static void test_pruner_init (TestPruner *self) { }

static gboolean
test_pruner_should_prune (VernierPruner *pruner, VernierTrial *trial)
{
  TestPruner *self = TEST_PRUNER (pruner);
  gdouble value;

  self->asked++;
  return vernier_trial_get_last_report (trial, NULL, &value) && value > self->bound;
}

static void
test_pruner_iface_init (VernierPrunerInterface *iface)
{
  iface->should_prune = test_pruner_should_prune;
}

/* ---- an observer that records events into a shared log --------------- */

#define TEST_TYPE_OBSERVER (test_observer_get_type ())
G_DECLARE_FINAL_TYPE (TestObserver, test_observer, TEST, OBSERVER, GObject)

struct _TestObserver
{
  GObject  parent_instance;
  gchar   *name;
  GString *log;   /* borrowed */
  gulong   sleep_us;  /* in trial_finished: a slow observer */
  const gint64 *running;   /* nullable: trials in flight, watched… */
  guint    watch;          /* …in the first this many trial_finished… */
  gint64   min_running;    /* …and the fewest seen there */
  guint    n_finished;
};

static void test_observer_iface_init (VernierObserverInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestObserver, test_observer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_OBSERVER, test_observer_iface_init))

static void
test_observer_finalize (GObject *object)
{
  g_free (TEST_OBSERVER (object)->name);
  G_OBJECT_CLASS (test_observer_parent_class)->finalize (object);
}

static void test_observer_class_init (TestObserverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_observer_finalize;
}
static void test_observer_init (TestObserver *self) { }

static void
test_observer_trial_started (VernierObserver *observer, VernierTrial *trial)
{
  TestObserver *self = TEST_OBSERVER (observer);
  g_string_append_printf (self->log, "%s:start%u ", self->name, vernier_trial_get_number (trial));
}

static void
test_observer_trial_finished (VernierObserver *observer, VernierTrial *trial)
{
  TestObserver *self = TEST_OBSERVER (observer);
  g_string_append_printf (self->log, "%s:end%u ", self->name, vernier_trial_get_number (trial));
  if (self->running != NULL && self->n_finished++ < self->watch)
    self->min_running = MIN (self->min_running, *self->running);
  if (self->sleep_us > 0)
    g_usleep (self->sleep_us);
}

static void
test_observer_study_finished (VernierObserver *observer, VernierTrial *best, const GError *error)
{
  TestObserver *self = TEST_OBSERVER (observer);
  g_string_append_printf (self->log, "%s:done ", self->name);
}

static void
test_observer_iface_init (VernierObserverInterface *iface)
{
  iface->trial_started = test_observer_trial_started;
  iface->trial_finished = test_observer_trial_finished;
  iface->study_finished = test_observer_study_finished;
}

/* ---- helpers ---------------------------------------------------------- */

static VernierStudy *
make_study (VernierDirection direction,
            TestTuner      **out_tuner,
            TestTrainer    **out_trainer)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierDimension) x = vernier_dimension_new_int ("x", 0, 100000, FALSE, 1, NULL);
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", direction);
  g_autoptr(VernierContext) context = NULL;
  VernierStudy *study;
  TestTuner *tuner = g_object_new (TEST_TYPE_TUNER, NULL);
  TestTrainer *trainer = g_object_new (TEST_TYPE_TRAINER, NULL);

  g_assert_true (vernier_space_add (space, x, NULL));
  context = vernier_context_new ("test", space, objective, 42, NULL);
  study = vernier_study_new (context);
  vernier_study_add_tuner (study, VERNIER_TUNER (tuner), "[tuner]", 0);
  vernier_study_set_trainer (study, VERNIER_TRAINER (trainer));
  *out_tuner = tuner;
  *out_trainer = trainer;
  return study;
}

static VernierStudy *
make_study_with_tag (TestTuner **out_tuner, TestTrainer **out_trainer)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierDimension) x = vernier_dimension_new_int ("x", 0, 100000, FALSE, 1, NULL);
  g_autoptr(VernierDimension) tag = vernier_dimension_new_int ("tag", 0, 10, FALSE, 1, NULL);
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) context = NULL;
  VernierStudy *study;

  g_assert_true (vernier_space_add (space, x, NULL));
  g_assert_true (vernier_space_add (space, tag, NULL));
  context = vernier_context_new ("tagged", space, objective, 1, NULL);
  study = vernier_study_new (context);
  *out_trainer = g_object_new (TEST_TYPE_TRAINER, NULL);
  vernier_study_set_trainer (study, VERNIER_TRAINER (*out_trainer));
  *out_tuner = NULL;
  return study;
}

/* ---- tests ------------------------------------------------------------ */

static void
test_budget (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MAXIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  vernier_study_set_max_trials (study, 20);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 20);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 20);
  g_assert_cmpuint (tuner->next, ==, 20);
  g_assert_cmpuint (tuner->observed, ==, 20);
  /* maximize: x = 19 is best */
  g_assert_cmpfloat (vernier_trial_get_value (best), ==, 19);
  g_assert_false (vernier_study_is_running (study));
  g_object_unref (tuner);
  g_object_unref (trainer);
}

typedef struct
{
  gint64 start, end;
} Span;

static void
on_finished_span (VernierStudy *study, VernierTrial *trial, GArray *spans)
{
  Span s = { vernier_trial_get_start_time (trial), vernier_trial_get_end_time (trial) };
  g_array_append_val (spans, s);
}

static void
test_parallel_overlap (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (Span));
  guint max_overlap = 0;

  trainer->delay_ms = 30;
  vernier_study_set_max_trials (study, 16);
  vernier_study_set_parallel (study, 4);
  g_signal_connect (study, "trial-finished", G_CALLBACK (on_finished_span), spans);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spans->len, ==, 16);

  /* The trainer saw at most 4 at once, and did see 4 at once. */
  g_assert_cmpint (trainer->max_overlap, ==, 4);
  /* The recorded start/end times agree: count the spans open at each
   * start. */
  for (guint i = 0; i < spans->len; i++)
    {
      Span *a = &g_array_index (spans, Span, i);
      guint open = 0;

      for (guint j = 0; j < spans->len; j++)
        {
          Span *b = &g_array_index (spans, Span, j);
          if (b->start <= a->start && a->start < b->end)
            open++;
        }
      max_overlap = MAX (max_overlap, open);
    }
  g_assert_cmpuint (max_overlap, <=, 4);
  g_assert_cmpuint (max_overlap, >=, 2);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_timeout (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierTrial *t;

  trainer->mode = MODE_HANG;
  vernier_study_set_max_trials (study, 3);
  vernier_study_set_parallel (study, 3);
  vernier_study_set_trial_timeout (study, 20 * 1000);
  best = vernier_study_run (study, NULL, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  g_assert_nonnull (strstr (error->message, "3 timed out"));
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_TIMED_OUT), ==, 3);
  t = vernier_context_get_trial (vernier_study_get_context (study), 0);
  g_assert_nonnull (strstr (vernier_trial_get_error_message (t), "timed out after 20ms"));
  g_assert_cmpint (trainer->running, ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_failures_go_on (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MAXIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;

  trainer->mode = MODE_FAIL_ODD;
  vernier_study_set_max_trials (study, 10);
  vernier_study_set_parallel (study, 2);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_FAILED), ==, 5);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 5);
  g_assert_cmpfloat (vernier_trial_get_value (best), ==, 8);

  ctx = vernier_study_get_context (study);
  for (guint i = 0; i < vernier_context_get_n_trials (ctx); i++)
    {
      VernierTrial *t = vernier_context_get_trial (ctx, i);
      if (vernier_trial_get_state (t) == VERNIER_TRIAL_STATE_FAILED)
        g_assert_nonnull (strstr (vernier_trial_get_error_message (t), "is odd"));
    }
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_all_failed (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  trainer->mode = MODE_FAIL_ALL;
  vernier_study_set_max_trials (study, 4);
  best = vernier_study_run (study, NULL, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  g_assert_nonnull (strstr (error->message, "all 4 trials failed"));
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_target (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MAXIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  vernier_study_set_max_trials (study, 1000);
  vernier_study_set_target (study, 5);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (vernier_trial_get_value (best), ==, 5);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 6);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_time_budget (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;
  gint64 start, budget = 100 * 1000;

  trainer->delay_ms = 10;
  vernier_study_set_time_budget (study, budget);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  ctx = vernier_study_get_context (study);
  g_assert_cmpuint (vernier_context_get_n_trials (ctx), >=, 1);
  /* No trial started after the budget was spent. */
  start = vernier_study_get_start_time (study);
  for (guint i = 0; i < vernier_context_get_n_trials (ctx); i++)
    g_assert_cmpint (vernier_trial_get_start_time (vernier_context_get_trial (ctx, i)) - start,
                     <, budget);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_exhausted (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  tuner->limit = 5;
  vernier_study_set_max_trials (study, 100);
  vernier_study_set_parallel (study, 3);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 5);
  g_assert_cmpfloat (vernier_trial_get_value (best), ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_nothing_to_do (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  tuner->limit = 0;
  best = vernier_study_run (study, NULL, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED);
  g_assert_nonnull (strstr (error->message, "no trial ran"));
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_chain_quota (void)
{
  TestTuner *unused;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study_with_tag (&unused, &trainer);
  g_autoptr(TestTuner) first = g_object_new (TEST_TYPE_TUNER, NULL);
  g_autoptr(TestTuner) second = g_object_new (TEST_TYPE_TUNER, NULL);
  g_autoptr(TestTuner) third = g_object_new (TEST_TYPE_TUNER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;
  guint per_tag[3] = { 0, };

  first->tag = 0;
  second->tag = 1;
  second->limit = 2;      /* exhausted after 2 */
  third->tag = 2;
  vernier_study_add_tuner (study, VERNIER_TUNER (first), "[tuner 1]", 3);
  vernier_study_add_tuner (study, VERNIER_TUNER (second), "[tuner 2]", 0);
  vernier_study_add_tuner (study, VERNIER_TUNER (third), "[tuner 3]", 0);
  vernier_study_set_max_trials (study, 10);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);

  ctx = vernier_study_get_context (study);
  for (guint i = 0; i < vernier_context_get_n_trials (ctx); i++)
    {
      VernierTrial *t = vernier_context_get_trial (ctx, i);
      gint64 tag = json_object_get_int_member (vernier_trial_get_params (t), "tag");
      guint n = vernier_trial_get_number (t);

      per_tag[tag]++;
      /* trials in order: 3 from the first, 2 from the second, the rest
       * from the third */
      g_assert_cmpint (tag, ==, n < 3 ? 0 : n < 5 ? 1 : 2);
    }
  g_assert_cmpuint (per_tag[0], ==, 3);
  g_assert_cmpuint (per_tag[1], ==, 2);
  g_assert_cmpuint (per_tag[2], ==, 5);
  /* every tuner is told every result */
  g_assert_cmpuint (first->observed, ==, 10);
  g_assert_cmpuint (second->observed, ==, 10);
  g_assert_cmpuint (third->observed, ==, 10);
  g_object_unref (trainer);
}

typedef struct
{
  GString *log;
  guint    failed_detail;
  gboolean study_done;
  gboolean best_ok;
} SignalLog;

static void
on_started (VernierStudy *study, VernierTrial *trial, SignalLog *log)
{
  g_assert_cmpint (vernier_trial_get_state (trial), ==, VERNIER_TRIAL_STATE_RUNNING);
  g_string_append_printf (log->log, "test:start%u ", vernier_trial_get_number (trial));
}

static void
on_finished (VernierStudy *study, VernierTrial *trial, SignalLog *log)
{
  g_assert_true (vernier_trial_is_finished (trial));
  g_string_append_printf (log->log, "test:end%u ", vernier_trial_get_number (trial));
}

static void
on_failed (VernierStudy *study, VernierTrial *trial, SignalLog *log)
{
  g_assert_cmpint (vernier_trial_get_state (trial), ==, VERNIER_TRIAL_STATE_FAILED);
  log->failed_detail++;
}

static void
on_study_finished (VernierStudy *study, VernierTrial *best, GError *error, SignalLog *log)
{
  g_assert_no_error (error);
  g_assert_false (log->study_done);
  log->study_done = TRUE;
  log->best_ok = best != NULL && vernier_trial_get_value (best) == 0;
  g_string_append (log->log, "test:done");
}

static void
test_signals (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(TestObserver) a = g_object_new (TEST_TYPE_OBSERVER, NULL);
  g_autoptr(TestObserver) b = g_object_new (TEST_TYPE_OBSERVER, NULL);
  SignalLog log = { text, 0, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  a->name = g_strdup ("a");
  a->log = text;
  b->name = g_strdup ("b");
  b->log = text;
  vernier_study_add_observer (study, VERNIER_OBSERVER (a));
  vernier_study_add_observer (study, VERNIER_OBSERVER (b));
  g_signal_connect (study, "trial-started", G_CALLBACK (on_started), &log);
  g_signal_connect (study, "trial-finished", G_CALLBACK (on_finished), &log);
  g_signal_connect (study, "trial-finished::failed", G_CALLBACK (on_failed), &log);
  g_signal_connect (study, "study-finished", G_CALLBACK (on_study_finished), &log);

  trainer->mode = MODE_FAIL_ODD;
  vernier_study_set_max_trials (study, 3);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);

  /* Observers in the order added, then the test's handlers; each
   * trial's start before its end; the study's end last. */
  g_assert_cmpstr (text->str, ==,
                   "a:start0 b:start0 test:start0 a:end0 b:end0 test:end0 "
                   "a:start1 b:start1 test:start1 a:end1 b:end1 test:end1 "
                   "a:start2 b:start2 test:start2 a:end2 b:end2 test:end2 "
                   "a:done b:done test:done");
  g_assert_cmpuint (log.failed_detail, ==, 1);
  g_assert_true (log.study_done);
  g_assert_true (log.best_ok);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static gboolean
cancel_later (gpointer data)
{
  vernier_study_cancel (VERNIER_STUDY (data), NULL);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;

  trainer->mode = MODE_HANG;
  vernier_study_set_max_trials (study, 10);
  vernier_study_set_parallel (study, 3);
  g_timeout_add (30, cancel_later, study);
  best = vernier_study_run (study, NULL, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  ctx = vernier_study_get_context (study);
  /* the three in flight were cancelled; no new trial started */
  g_assert_cmpuint (vernier_context_get_n_trials (ctx), ==, 3);
  g_assert_cmpuint (tuner->next, ==, 3);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_FAILED), ==, 3);
  g_assert_nonnull (strstr (vernier_trial_get_error_message (vernier_context_get_trial (ctx, 0)),
                            "interrupted"));
  g_assert_cmpint (trainer->running, ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
cancel_cancellable (gpointer data)
{
  g_cancellable_cancel (data);
}

static void
test_cancellable (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  trainer->mode = MODE_HANG;
  g_timeout_add_once (20, cancel_cancellable, cancellable);
  best = vernier_study_run (study, cancellable, &error);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static gboolean
stop_later (gpointer data)
{
  vernier_study_stop (VERNIER_STUDY (data));
  return G_SOURCE_REMOVE;
}

static void
test_stop_lets_trials_finish (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  trainer->delay_ms = 50;
  vernier_study_set_parallel (study, 2);
  g_timeout_add (20, stop_later, study);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 2);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 2);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_abandon_deaf_trainer (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;

  trainer->mode = MODE_DEAF;
  vernier_study_set_max_trials (study, 2);
  vernier_study_set_trial_timeout (study, 10 * 1000);
  vernier_study_set_cancel_grace (study, 20 * 1000);
  best = vernier_study_run (study, NULL, &error);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  ctx = vernier_study_get_context (study);
  g_assert_cmpuint (vernier_context_get_n_trials (ctx), ==, 2);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_TIMED_OUT), ==, 2);
  g_assert_nonnull (strstr (vernier_trial_get_error_message (vernier_context_get_trial (ctx, 0)),
                            "abandoned"));
  /* The two deaf jobs are still out there; that is the trainer's bug. */
  g_assert_cmpint (trainer->running, ==, 2);
  g_object_unref (tuner);
  /* trainer intentionally kept: its hung jobs still point at it */
}

/* A trainer that calls back twice for each trial: the second call is
 * ignored with a warning naming the trainer, and nothing is counted or
 * freed twice. */
static void
test_trainer_completes_twice (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  trainer->mode = MODE_TWICE;
  trainer->delay_ms = 2;
  vernier_study_set_max_trials (study, 6);
  vernier_study_set_parallel (study, 2);
  for (guint i = 0; i < 6; i++)
    g_test_expect_message ("Vernier", G_LOG_LEVEL_WARNING,
                           "trainer (TestTrainer) completed a trial a second time*");

  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 6);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 6);
  g_assert_cmpuint (tuner->observed, ==, 6);

  /* The late calls may come after the study is over, and even gone. */
  g_clear_object (&study);
  while (trainer->n_twins < 6)
    g_main_context_iteration (NULL, TRUE);
  g_test_assert_expected_messages ();
  g_object_unref (tuner);
  g_object_unref (trainer);
}

/* An observer that takes its time on every finished trial holds the loop
 * for its own callback only: each time it is called, the trials that
 * finished before were replaced already, so all but the one just finished
 * are in flight. */
static void
test_slow_observer (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  TestObserver *slow = g_object_new (TEST_TYPE_OBSERVER, NULL);
  TestObserver *quick = g_object_new (TEST_TYPE_OBSERVER, NULL);

  slow->name = g_strdup ("slow");
  slow->log = log;
  slow->sleep_us = 20 * G_TIME_SPAN_MILLISECOND;
  slow->running = &trainer->running;
  slow->watch = 16 - 4;   /* until the budget's tail */
  slow->min_running = G_MAXINT64;
  quick->name = g_strdup ("quick");
  quick->log = log;
  vernier_study_add_observer (study, VERNIER_OBSERVER (slow));
  vernier_study_add_observer (study, VERNIER_OBSERVER (quick));

  trainer->delay_ms = 5;
  vernier_study_set_max_trials (study, 16);
  vernier_study_set_parallel (study, 4);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 16);
  g_assert_cmpint (trainer->max_overlap, ==, 4);
  g_assert_cmpint (slow->min_running, ==, 4 - 1);
  /* Both observers saw every trial, each trial's events in order. */
  for (guint i = 0; i < 16; i++)
    {
      g_autofree gchar *slow_end = g_strdup_printf ("slow:end%u ", i);
      g_autofree gchar *quick_end = g_strdup_printf ("quick:end%u ", i);
      const gchar *at = strstr (log->str, slow_end);

      g_assert_nonnull (at);
      g_assert_true (g_str_has_prefix (at + strlen (slow_end), quick_end));
    }
  g_object_unref (slow);
  g_object_unref (quick);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_invalid_params (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  tuner->out_of_space = TRUE;
  vernier_study_set_max_trials (study, 5);
  best = vernier_study_run (study, NULL, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS);
  g_assert_nonnull (strstr (error->message, "[tuner]"));
  g_assert_nonnull (strstr (error->message, "outside"));
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_pending (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  /* Generations of 3: the fourth ask waits until the three are told. */
  tuner->pending_every = 3;
  trainer->delay_ms = 5;
  vernier_study_set_max_trials (study, 9);
  vernier_study_set_parallel (study, 8);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 9);
  g_assert_cmpint (trainer->max_overlap, ==, 3);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_pruning (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(TestPruner) pruner = g_object_new (TEST_TYPE_PRUNER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;

  /* Trial x reports x+9, x+8, … x; pruned once a report is above 12:
   * x = 0..3 complete, x >= 4 are pruned at their first report. */
  pruner->bound = 12.5;
  trainer->mode = MODE_STEPS;
  vernier_study_add_pruner (study, VERNIER_PRUNER (pruner));
  vernier_study_set_max_trials (study, 8);
  vernier_study_set_parallel (study, 2);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 4);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_PRUNED), ==, 4);
  ctx = vernier_study_get_context (study);
  for (guint i = 0; i < vernier_context_get_n_trials (ctx); i++)
    {
      VernierTrial *t = vernier_context_get_trial (ctx, i);
      if (vernier_trial_get_state (t) == VERNIER_TRIAL_STATE_PRUNED)
        g_assert_cmpuint (vernier_trial_get_n_reports (t), ==, 1);
      else
        g_assert_cmpuint (vernier_trial_get_n_reports (t), ==, 10);
    }
  g_assert_cmpuint (pruner->asked, >=, 4 * 10 + 4);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_prepare_errors (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) context = vernier_context_new ("empty", space, objective, 1, NULL);
  g_autoptr(VernierStudy) study = vernier_study_new (context);
  g_autoptr(TestTuner) tuner = g_object_new (TEST_TYPE_TUNER, NULL);
  g_autoptr(TestTrainer) trainer = g_object_new (TEST_TYPE_TRAINER, NULL);
  g_autoptr(GError) e1 = NULL, e2 = NULL;
  g_autoptr(VernierStudy) study2 = vernier_study_new (context);

  g_assert_null (vernier_study_run (study, NULL, &e1));
  g_assert_error (e1, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (e1->message, "no trainer"));

  vernier_study_set_trainer (study2, VERNIER_TRAINER (trainer));
  vernier_study_add_tuner (study2, VERNIER_TUNER (tuner), NULL, 0);
  g_assert_null (vernier_study_run (study2, NULL, &e2));
  g_assert_error (e2, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE);
}

/* An observer-like handler that cancels the study again from inside a
 * trial's end, while the study is cancelling its trials one by one. */
static void
cancel_again (VernierStudy *study, VernierTrial *trial, gpointer data)
{
  vernier_study_cancel (study, NULL);
}

static void
test_cancel_reentrant (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  /* The hanging trainer completes from inside cancel(). */
  trainer->mode = MODE_HANG;
  vernier_study_set_parallel (study, 4);
  g_signal_connect (study, "trial-finished", G_CALLBACK (cancel_again), NULL);
  g_timeout_add (20, cancel_later, study);
  best = vernier_study_run (study, NULL, &error);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 4);
  g_assert_cmpint (trainer->running, ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_precancelled (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  trainer->mode = MODE_HANG;
  g_cancellable_cancel (cancellable);
  best = vernier_study_run (study, cancellable, &error);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  g_assert_cmpint (trainer->running, ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static gpointer
cancel_from_thread (gpointer data)
{
  g_usleep (20000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_from_thread (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  GThread *thread;

  trainer->mode = MODE_HANG;
  vernier_study_set_parallel (study, 2);
  thread = g_thread_new ("canceller", cancel_from_thread, cancellable);
  best = vernier_study_run (study, cancellable, &error);
  g_thread_join (thread);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 2);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_second_cancel_abandons (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;

  /* A trainer deaf to cancellation, a long grace: the second cancel does
   * not wait for it. */
  trainer->mode = MODE_DEAF;
  vernier_study_set_parallel (study, 2);
  vernier_study_set_cancel_grace (study, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_timeout_add (20, cancel_later, study);
  g_timeout_add (40, cancel_later, study);
  best = vernier_study_run (study, NULL, &error);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  ctx = vernier_study_get_context (study);
  g_assert_cmpuint (vernier_context_get_n_trials (ctx), ==, 2);
  g_assert_nonnull (strstr (vernier_trial_get_error_message (vernier_context_get_trial (ctx, 0)),
                            "abandoned"));
  g_object_unref (tuner);
  /* trainer intentionally kept: its deaf jobs still point at it */
}

static gboolean
make_ready (gpointer data)
{
  TestTuner *tuner = data;

  tuner->pending_every = 0;
  vernier_tuner_ready (VERNIER_TUNER (tuner));
  return G_SOURCE_REMOVE;
}

static void
test_ready_wakes_pending (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  /* PENDING from the first ask, with nothing running: the study waits
   * for ::ready instead of failing. */
  tuner->pending_every = 1;
  tuner->next = 1;
  vernier_study_set_max_trials (study, 3);
  g_timeout_add (20, make_ready, tuner);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 3);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
check_running_visible (VernierStudy *study, VernierTrial *trial, gpointer data)
{
  VernierContext *ctx = vernier_study_get_context (study);
  gboolean found = FALSE;

  for (guint i = 0; i < vernier_context_get_n_running (ctx); i++)
    found |= vernier_context_get_running_trial (ctx, i) == trial;
  g_assert_true (found);
  g_assert_cmpuint (vernier_context_get_n_running (ctx), <=, 3);
}

static void
test_running_in_context (void)
{
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_study (VERNIER_DIRECTION_MINIMIZE, &tuner, &trainer);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;

  trainer->delay_ms = 5;
  vernier_study_set_max_trials (study, 9);
  vernier_study_set_parallel (study, 3);
  g_signal_connect (study, "trial-started", G_CALLBACK (check_running_visible), NULL);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_context_get_n_running (vernier_study_get_context (study)), ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}


/* ---- storage: resume, queue, take-over, ordering ---------------------- */

/* A study of the counting tuner and the value trainer on @storage. */
static VernierStudy *
make_stored_study (VernierStorage  *storage,
                   guint            budget,
                   TestTuner      **tuner,
                   TestTrainer    **trainer)
{
  VernierStudy *study = make_study (VERNIER_DIRECTION_MINIMIZE, tuner, trainer);

  vernier_study_set_storage (study, storage);
  vernier_study_set_max_trials (study, budget);
  return study;
}

static JsonObject *
record_of (JsonArray *records,
           guint      number)
{
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      if (json_object_get_int_member (record, "number") == number)
        return record;
    }
  g_assert_not_reached ();
}

static gint64
record_x (JsonObject *record)
{
  return json_object_get_int_member (json_object_get_object_member (record, "params"), "x");
}

static void
open_like (VernierStorage *storage,
           VernierStudy   *study)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *description = vernier_study_describe (study);

  g_assert_true (vernier_storage_open (storage, vernier_study_get_context (study),
                                       description, TRUE, NULL, &error));
  g_assert_no_error (error);
}

static void
test_storage_resume (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) records = NULL;
  TestTuner *tuner1, *tuner2;
  TestTrainer *trainer1, *trainer2;
  g_autoptr(VernierStudy) first = make_stored_study (storage, 5, &tuner1, &trainer1);
  g_autoptr(VernierStudy) second = make_stored_study (storage, 8, &tuner2, &trainer2);
  g_autoptr(VernierTrial) best1 = NULL;
  g_autoptr(VernierTrial) best2 = NULL;

  best1 = vernier_study_run (first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_resumed (first), ==, 0);

  /* The second run counts the first's trials towards its budget, starts
   * with them in the history its tuner is prepared with, and numbers its
   * own after them. */
  best2 = vernier_study_run (second, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_resumed (second), ==, 5);
  g_assert_cmpuint (vernier_study_get_n_finished (second), ==, 8);
  g_assert_cmpint (tuner2->next, ==, 3);
  g_assert_cmpuint (tuner2->observed, ==, 3);
  g_assert_cmpuint (vernier_trial_get_number (best2), ==, 0);

  records = vernier_storage_load (storage, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (records), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      JsonObject *record = record_of (records, i);

      g_assert_cmpstr (json_object_get_string_member (record, "state"), ==, "complete");
      g_assert_cmpint (record_x (record), ==, i < 5 ? i : i - 5);
      g_assert_cmpstr (json_object_get_string_member (record, "tuner"), ==, "[tuner]");
    }

  g_object_unref (tuner1);
  g_object_unref (trainer1);
  g_object_unref (tuner2);
  g_object_unref (trainer2);
}

static void
check_saved_before_announced (VernierStudy *study,
                              VernierTrial *trial,
                              gpointer      data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) records = vernier_storage_load (vernier_study_get_storage (study), &error);
  JsonObject *record;

  g_assert_no_error (error);
  record = record_of (records, vernier_trial_get_number (trial));
  g_assert_cmpstr (json_object_get_string_member (record, "state"), ==,
                   vernier_trial_state_to_nick (vernier_trial_get_state (trial)));
  (*(guint *) data)++;
}

static void
test_storage_saved_before_announced (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (storage, 6, &tuner, &trainer);
  guint checked = 0;

  trainer->mode = MODE_FAIL_ODD;
  vernier_study_set_parallel (study, 3);
  g_signal_connect (study, "trial-finished", G_CALLBACK (check_saved_before_announced), &checked);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checked, ==, 6);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_storage_enqueued_first (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(JsonArray) records = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (storage, 3, &tuner, &trainer);

  open_like (storage, study);
  json_object_set_int_member (params, "x", 777);
  g_assert_cmpuint (vernier_storage_enqueue (storage, params, &error), ==, 0);
  g_assert_no_error (error);

  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  /* The queued configuration ran first and counted: the tuner was asked
   * for the other two only. */
  g_assert_cmpint (tuner->next, ==, 2);
  records = vernier_storage_load (storage, &error);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  g_assert_cmpint (record_x (record_of (records, 0)), ==, 777);
  g_assert_false (json_object_has_member (record_of (records, 0), "tuner"));
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_storage_mismatch (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  TestTuner *tuner, *other_tuner;
  TestTrainer *trainer, *other_trainer;
  g_autoptr(VernierStudy) study = make_stored_study (storage, 3, &tuner, &trainer);
  g_autoptr(VernierStudy) other = make_study_with_tag (&other_tuner, &other_trainer);

  open_like (storage, other);
  best = vernier_study_run (study, NULL, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "is not this study"));
  g_assert_nonnull (strstr (error->message, "parameter 'tag'"));
  g_assert_cmpint (tuner->next, ==, 0);
  g_assert_cmpint (vernier_study_get_start_time (study), ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
  g_object_unref (other_trainer);
}

static void
test_storage_interrupted_requeued (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(JsonArray) records = NULL;
  TestTuner *tuner, *tuner2;
  TestTrainer *trainer, *trainer2;
  g_autoptr(VernierStudy) study = make_stored_study (storage, 4, &tuner, &trainer);
  g_autoptr(VernierStudy) again = make_stored_study (storage, 4, &tuner2, &trainer2);

  trainer->mode = MODE_HANG;
  vernier_study_set_parallel (study, 2);
  g_timeout_add (30, cancel_later, study);
  best = vernier_study_run (study, NULL, &error);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  g_clear_error (&error);

  /* Interrupted trials did not fail: they wait to run again. */
  records = vernier_storage_load (storage, &error);
  g_assert_cmpuint (json_array_get_length (records), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (record_of (records, 0), "state"), ==, "waiting");
  g_assert_cmpstr (json_object_get_string_member (record_of (records, 1), "state"), ==, "waiting");
  g_clear_pointer (&records, json_array_unref);

  best = vernier_study_run (again, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tuner2->next, ==, 2);
  records = vernier_storage_load (storage, &error);
  g_assert_cmpuint (json_array_get_length (records), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (json_object_get_string_member (record_of (records, i), "state"), ==, "complete");
  g_object_unref (tuner);
  g_object_unref (trainer);
  g_object_unref (tuner2);
  g_object_unref (trainer2);
}

/* A worker of the study that holds trial 0 ({"x": @x}) RUNNING. */
static guint
add_other_worker (VernierStorage *storage,
                  VernierStudy   *study,
                  const gchar    *host,
                  gint64          pid,
                  gint            x)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(JsonObject) record = NULL;
  guint worker;

  open_like (storage, study);
  worker = vernier_storage_add_worker (storage, host, pid, &error);
  g_assert_no_error (error);
  json_object_set_int_member (params, "x", x);
  g_assert_cmpint (vernier_storage_claim (storage, worker, params, FALSE, 0, &record, &error),
                   ==, VERNIER_CLAIM_STARTED);
  g_assert_cmpint (json_object_get_int_member (record, "number"), ==, 0);
  return worker;
}

static gint64
dead_pid (void)
{
  g_autoptr(GSubprocess) child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, NULL, "cat", NULL);
  gint64 pid;

  /* cat waits for its input: its pid is known before it exits. */
  g_assert_nonnull (child);
  pid = atoll (g_subprocess_get_identifier (child));
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (child), NULL, NULL));
  g_assert_true (g_subprocess_wait (child, NULL, NULL));
  return pid;
}

static void
test_storage_take_over_dead_process (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(JsonArray) records = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (storage, 3, &tuner, &trainer);
  JsonObject *lost, *retry;

  add_other_worker (storage, study, g_get_host_name (), dead_pid (), 500);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_taken_over (study), ==, 1);

  /* Trial 0 is lost, its parameters ran again as trial 1, and the budget
   * counts exactly three trials besides the lost one. */
  records = vernier_storage_load (storage, &error);
  g_assert_cmpuint (json_array_get_length (records), ==, 4);
  lost = record_of (records, 0);
  g_assert_cmpstr (json_object_get_string_member (lost, "state"), ==, "failed");
  g_assert_true (json_object_get_boolean_member (lost, "lost"));
  g_assert_nonnull (strstr (json_object_get_string_member (lost, "error"), "is gone"));
  retry = record_of (records, 1);
  g_assert_cmpstr (json_object_get_string_member (retry, "state"), ==, "complete");
  g_assert_cmpint (record_x (retry), ==, 500);
  g_assert_cmpint (json_object_get_int_member (retry, "retry-of"), ==, 0);
  g_assert_cmpint (tuner->next, ==, 2);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

typedef struct
{
  VernierStorage *storage;
  guint           worker;
  gboolean        done;
} OtherWorker;

/* The other worker finishes its trial. */
static gboolean
finish_other (gpointer data)
{
  OtherWorker *other = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) records = vernier_storage_load (other->storage, &error);
  g_autoptr(JsonObject) record = vernier_json_object_copy (record_of (records, 0));

  json_object_set_string_member (record, "state", "complete");
  json_object_set_double_member (record, "value", -1);
  g_assert_true (vernier_storage_update (other->storage, other->worker, record, &error));
  g_assert_no_error (error);
  other->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* The other worker is alive: it sends heartbeats. */
static gboolean
beat_other (gpointer data)
{
  OtherWorker *other = data;

  if (other->done)
    return G_SOURCE_REMOVE;
  g_assert_true (vernier_storage_heartbeat (other->storage, other->worker, NULL));
  return G_SOURCE_CONTINUE;
}

static void
check_other_done (VernierStudy *study,
                  VernierTrial *best,
                  GError       *error,
                  OtherWorker  *other)
{
  g_assert_true (other->done);
}

static void
test_storage_waits_for_others (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (storage, 2, &tuner, &trainer);
  OtherWorker other = { storage, 0, FALSE };

  /* A live worker (this very process) runs trial 0; the budget is spent
   * once this study has run one: it must not leave while trial 0 may
   * still be lost, and it learns trial 0's result when it ends. */
  other.worker = add_other_worker (storage, study, g_get_host_name (), getpid (), 900);
  vernier_study_set_heartbeat (study, 20 * 1000);
  g_timeout_add (150, finish_other, &other);
  g_timeout_add (10, beat_other, &other);
  g_signal_connect (study, "study-finished", G_CALLBACK (check_other_done), &other);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (other.done);
  g_assert_cmpint (tuner->next, ==, 1);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 2);
  g_assert_cmpuint (vernier_trial_get_number (best), ==, 0);
  g_assert_cmpfloat (vernier_trial_get_value (best), ==, -1);
  g_assert_cmpuint (vernier_study_get_n_taken_over (study), ==, 0);
  /* @other lives on this stack: its sources must not outlive the test
   * (beat_other may still be due once). */
  while (g_source_remove_by_user_data (&other))
    ;
  g_object_unref (tuner);
  g_object_unref (trainer);
}

static void
test_storage_take_over_silent_worker (void)
{
  g_autoptr(VernierStorage) storage = vernier_memory_storage_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(JsonArray) records = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (storage, 2, &tuner, &trainer);

  /* A worker on another machine that sends no heartbeat: after three
   * heartbeats' time its trial is lost; retries=0 does not re-queue it. */
  add_other_worker (storage, study, "elsewhere.example", 1, 900);
  vernier_study_set_heartbeat (study, 20 * 1000);
  vernier_study_set_retries (study, 0);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_n_taken_over (study), ==, 1);
  records = vernier_storage_load (storage, &error);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  g_assert_true (json_object_get_boolean_member (record_of (records, 0), "lost"));
  g_assert_nonnull (strstr (json_object_get_string_member (record_of (records, 0), "error"),
                            "sent no heartbeat"));
  g_assert_nonnull (strstr (json_object_get_string_member (record_of (records, 0), "error"),
                            "not run again"));
  g_assert_cmpint (tuner->next, ==, 2);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

/* ---- a storage whose disk fills up after a few trials ----------------- */

#define TEST_TYPE_FULL_STORAGE (test_full_storage_get_type ())
G_DECLARE_FINAL_TYPE (TestFullStorage, test_full_storage, TEST, FULL_STORAGE, GObject)

struct _TestFullStorage
{
  GObject         parent_instance;
  VernierStorage *inner;
  guint           updates_left;
  guint           open_ms;      /* how long open() and update() take */
  guint           update_ms;
};

static void test_full_storage_iface_init (VernierStorageInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestFullStorage, test_full_storage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_STORAGE, test_full_storage_iface_init))

static void
test_full_storage_finalize (GObject *object)
{
  g_clear_object (&TEST_FULL_STORAGE (object)->inner);
  G_OBJECT_CLASS (test_full_storage_parent_class)->finalize (object);
}

static void
test_full_storage_class_init (TestFullStorageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_full_storage_finalize;
}

static void
test_full_storage_init (TestFullStorage *self)
{
  self->inner = vernier_memory_storage_new ();
}

static gboolean
full_update (VernierStorage *storage, guint worker, JsonObject *record, GError **error)
{
  TestFullStorage *self = TEST_FULL_STORAGE (storage);

  g_usleep (self->update_ms * 1000);
  if (self->updates_left == 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE, "test disk: no space left");
      return FALSE;
    }
  self->updates_left--;
  return vernier_storage_update (self->inner, worker, record, error);
}

#define FORWARD(name, ret, args, call)                                   \
  static ret full_##name args { return vernier_storage_##name call; }

static gboolean
full_open (VernierStorage *storage, VernierContext *context, const gchar *description,
           gboolean create, gchar **stored, GError **error)
{
  g_usleep (TEST_FULL_STORAGE (storage)->open_ms * 1000);
  return vernier_storage_open (TEST_FULL_STORAGE (storage)->inner, context, description,
                               create, stored, error);
}

FORWARD (add_worker, guint, (VernierStorage *s, const gchar *h, gint64 p, GError **e),
         (TEST_FULL_STORAGE (s)->inner, h, p, e))
FORWARD (load, JsonArray *, (VernierStorage *s, GError **e), (TEST_FULL_STORAGE (s)->inner, e))
FORWARD (claim, VernierClaim, (VernierStorage *s, guint w, JsonObject *p, gboolean u, guint b, JsonObject **r, GError **e),
         (TEST_FULL_STORAGE (s)->inner, w, p, u, b, r, e))
FORWARD (release, gboolean, (VernierStorage *s, guint w, guint n, GError **e),
         (TEST_FULL_STORAGE (s)->inner, w, n, e))
FORWARD (heartbeat, gboolean, (VernierStorage *s, guint w, GError **e), (TEST_FULL_STORAGE (s)->inner, w, e))
FORWARD (list_running, JsonArray *, (VernierStorage *s, GError **e), (TEST_FULL_STORAGE (s)->inner, e))
FORWARD (finished_since, JsonArray *, (VernierStorage *s, guint w, guint n, GError **e),
         (TEST_FULL_STORAGE (s)->inner, w, n, e))

static void
test_full_storage_iface_init (VernierStorageInterface *iface)
{
  iface->open = full_open;
  iface->add_worker = full_add_worker;
  iface->load = full_load;
  iface->claim = full_claim;
  iface->update = full_update;
  iface->release = full_release;
  iface->heartbeat = full_heartbeat;
  iface->list_running = full_list_running;
  iface->finished_since = full_finished_since;
}

static void
test_storage_failure_stops (void)
{
  g_autoptr(TestFullStorage) storage = g_object_new (TEST_TYPE_FULL_STORAGE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (VERNIER_STORAGE (storage), 10, &tuner, &trainer);
  guint announced = 0;

  /* A blocking storage (the default): calls run on the storage thread. */
  storage->updates_left = 3;
  g_signal_connect (study, "trial-finished", G_CALLBACK (check_saved_before_announced), &announced);
  best = vernier_study_run (study, NULL, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "trial 3 could not be saved: test disk: no space left"));
  /* What could not be saved was not announced. */
  g_assert_cmpuint (announced, ==, 3);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

/* With a blocking storage, claims are in flight when the loop looks at
 * its budgets: a time budget must not take them for its end. */
static void
test_storage_blocking_time_budget (void)
{
  g_autoptr(TestFullStorage) storage = g_object_new (TEST_TYPE_FULL_STORAGE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (VERNIER_STORAGE (storage), 3, &tuner, &trainer);

  storage->updates_left = G_MAXUINT;
  vernier_study_set_parallel (study, 4);
  vernier_study_set_time_budget (study, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 3);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

/* Cancelled before the storage is even open: the study ends, and nothing
 * happens afterwards (no plugin prepared, no source left behind). */
static void
test_storage_precancelled_while_opening (void)
{
  g_autoptr(TestFullStorage) storage = g_object_new (TEST_TYPE_FULL_STORAGE, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (VERNIER_STORAGE (storage), 3, &tuner, &trainer);
  gint64 until;

  storage->open_ms = 50;
  g_cancellable_cancel (cancellable);
  best = vernier_study_run (study, cancellable, &error);
  g_assert_null (best);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED);
  until = g_get_monotonic_time () + 150 * 1000;
  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_null (tuner->context);
  g_assert_cmpint (tuner->next, ==, 0);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

/* ---- a trainer that reports once more after giving its result -------- */

#define TEST_TYPE_LATE_TRAINER (test_late_trainer_get_type ())
G_DECLARE_FINAL_TYPE (TestLateTrainer, test_late_trainer, TEST, LATE_TRAINER, GObject)

struct _TestLateTrainer
{
  GObject parent_instance;
};

static void test_late_trainer_iface_init (VernierTrainerInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestLateTrainer, test_late_trainer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_TRAINER, test_late_trainer_iface_init))

static void test_late_trainer_class_init (TestLateTrainerClass *klass) { }
static void test_late_trainer_init (TestLateTrainer *self) { }

static gboolean
late_complete (gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(VernierTrial) trial = g_object_ref (g_task_get_task_data (task));

  vernier_trial_set_value (trial, 1.0);
  g_task_return_boolean (task, TRUE);
  vernier_trial_report (trial, 1, 5.0);
  return G_SOURCE_REMOVE;
}

static void
late_train_async (VernierTrainer *trainer, VernierTrial *trial, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer data)
{
  GTask *task = g_task_new (trainer, NULL, callback, data);

  g_task_set_task_data (task, g_object_ref (trial), g_object_unref);
  g_timeout_add (5, late_complete, task);
}

static gboolean
late_train_finish (VernierTrainer *trainer, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_late_trainer_iface_init (VernierTrainerInterface *iface)
{
  iface->train_async = late_train_async;
  iface->train_finish = late_train_finish;
}

static void
check_complete (VernierStudy *study, VernierTrial *trial, gpointer data)
{
  g_assert_cmpint (vernier_trial_get_state (trial), ==, VERNIER_TRIAL_STATE_COMPLETE);
}

/* A report that arrives while the finished trial is being saved does not
 * reach the pruners (which would prune, then abandon, a finished trial). */
static void
test_storage_report_while_saving (void)
{
  g_autoptr(TestFullStorage) storage = g_object_new (TEST_TYPE_FULL_STORAGE, NULL);
  g_autoptr(TestLateTrainer) late = g_object_new (TEST_TYPE_LATE_TRAINER, NULL);
  g_autoptr(TestPruner) pruner = g_object_new (TEST_TYPE_PRUNER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) best = NULL;
  TestTuner *tuner;
  TestTrainer *trainer;
  g_autoptr(VernierStudy) study = make_stored_study (VERNIER_STORAGE (storage), 2, &tuner, &trainer);

  storage->updates_left = G_MAXUINT;
  storage->update_ms = 60;
  pruner->bound = 0;
  vernier_study_set_trainer (study, VERNIER_TRAINER (late));
  vernier_study_add_pruner (study, VERNIER_PRUNER (pruner));
  vernier_study_set_cancel_grace (study, 10 * 1000);
  g_signal_connect (study, "trial-finished", G_CALLBACK (check_complete), NULL);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 2);
  g_object_unref (tuner);
  g_object_unref (trainer);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/study/budget", test_budget);
  g_test_add_func ("/vernier/study/parallel-overlap", test_parallel_overlap);
  g_test_add_func ("/vernier/study/timeout", test_timeout);
  g_test_add_func ("/vernier/study/failures-go-on", test_failures_go_on);
  g_test_add_func ("/vernier/study/all-failed", test_all_failed);
  g_test_add_func ("/vernier/study/target", test_target);
  g_test_add_func ("/vernier/study/time-budget", test_time_budget);
  g_test_add_func ("/vernier/study/exhausted", test_exhausted);
  g_test_add_func ("/vernier/study/nothing-to-do", test_nothing_to_do);
  g_test_add_func ("/vernier/study/chain-quota", test_chain_quota);
  g_test_add_func ("/vernier/study/signals", test_signals);
  g_test_add_func ("/vernier/study/cancel", test_cancel);
  g_test_add_func ("/vernier/study/cancellable", test_cancellable);
  g_test_add_func ("/vernier/study/stop", test_stop_lets_trials_finish);
  g_test_add_func ("/vernier/study/abandon-deaf-trainer", test_abandon_deaf_trainer);
  g_test_add_func ("/vernier/study/invalid-params", test_invalid_params);
  g_test_add_func ("/vernier/study/trainer-completes-twice", test_trainer_completes_twice);
  g_test_add_func ("/vernier/study/slow-observer", test_slow_observer);
  g_test_add_func ("/vernier/study/pending", test_pending);
  g_test_add_func ("/vernier/study/pruning", test_pruning);
  g_test_add_func ("/vernier/study/prepare-errors", test_prepare_errors);
  g_test_add_func ("/vernier/study/cancel-reentrant", test_cancel_reentrant);
  g_test_add_func ("/vernier/study/precancelled", test_precancelled);
  g_test_add_func ("/vernier/study/cancel-from-thread", test_cancel_from_thread);
  g_test_add_func ("/vernier/study/second-cancel-abandons", test_second_cancel_abandons);
  g_test_add_func ("/vernier/study/ready-wakes-pending", test_ready_wakes_pending);
  g_test_add_func ("/vernier/study/running-in-context", test_running_in_context);
  g_test_add_func ("/vernier/study/storage/resume", test_storage_resume);
  g_test_add_func ("/vernier/study/storage/saved-before-announced", test_storage_saved_before_announced);
  g_test_add_func ("/vernier/study/storage/enqueued-first", test_storage_enqueued_first);
  g_test_add_func ("/vernier/study/storage/mismatch", test_storage_mismatch);
  g_test_add_func ("/vernier/study/storage/interrupted-requeued", test_storage_interrupted_requeued);
  g_test_add_func ("/vernier/study/storage/take-over-dead-process", test_storage_take_over_dead_process);
  g_test_add_func ("/vernier/study/storage/take-over-silent-worker", test_storage_take_over_silent_worker);
  g_test_add_func ("/vernier/study/storage/waits-for-others", test_storage_waits_for_others);
  g_test_add_func ("/vernier/study/storage/failure-stops", test_storage_failure_stops);
  g_test_add_func ("/vernier/study/storage/blocking-time-budget", test_storage_blocking_time_budget);
  g_test_add_func ("/vernier/study/storage/precancelled-while-opening", test_storage_precancelled_while_opening);
  g_test_add_func ("/vernier/study/storage/report-while-saving", test_storage_report_while_saving);

  return g_test_run ();
}
