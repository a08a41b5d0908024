#include "config.h"

#include <math.h>

#include "vernier-enum-types.h"
#include "vernier-error.h"
#include "vernier-sdk-private.h"
#include "vernier-trial.h"
#include "vernier-utils.h"

/**
 * VernierTrial:
 *
 * One evaluation of one configuration: its number, parameters, state,
 * objective value, intermediate values by step, user attributes, error
 * message, and start and end times.
 *
 * A trial belongs to the main context it was created in. Everything but
 * vernier_trial_report() must be called there; vernier_trial_report() may
 * be called from any thread, and the #VernierTrial::reported signal is
 * emitted in the trial's main context.
 */

typedef struct
{
  gint64  step;
  gdouble value;
} Report;

struct _VernierTrial
{
  GObject            parent_instance;

  guint              number;
  JsonObject        *params;
  VernierTrialState  state;
  gboolean           has_value;
  gdouble            value;
  gchar             *error_message;
  gint64             start_time;
  gint64             end_time;
  gint64             start_monotonic;
  gint64             duration;
  GCancellable      *cancellable;
  GMainContext      *context;
  GThread           *home_thread;

  GMutex             lock;
  GArray            *reports;     /* of Report, under lock */
  JsonObject        *user_attrs;  /* under lock */
  guint              report_pending;
};

G_DEFINE_FINAL_TYPE (VernierTrial, vernier_trial, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NUMBER,
  PROP_PARAMS,
  PROP_STATE,
  PROP_VALUE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_REPORTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
vernier_trial_finalize (GObject *object)
{
  VernierTrial *self = VERNIER_TRIAL (object);

  g_clear_pointer (&self->params, json_object_unref);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->reports, g_array_unref);
  g_clear_pointer (&self->user_attrs, json_object_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (vernier_trial_parent_class)->finalize (object);
}

static void
vernier_trial_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VernierTrial *self = VERNIER_TRIAL (object);

  switch (prop_id)
    {
    case PROP_NUMBER:
      g_value_set_uint (value, self->number);
      break;
    case PROP_PARAMS:
      g_value_set_boxed (value, self->params);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_VALUE:
      g_value_set_double (value, self->has_value ? self->value : NAN);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_trial_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  VernierTrial *self = VERNIER_TRIAL (object);

  switch (prop_id)
    {
    case PROP_NUMBER:
      self->number = g_value_get_uint (value);
      break;
    case PROP_PARAMS:
      g_clear_pointer (&self->params, json_object_unref);
      self->params = g_value_dup_boxed (value);
      if (self->params == NULL)
        self->params = json_object_new ();
      /* A trial's parameters never change; they are shared with the
       * tuner that made them and with the history. */
      json_object_seal (self->params);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_trial_class_init (VernierTrialClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_trial_finalize;
  object_class->get_property = vernier_trial_get_property;
  object_class->set_property = vernier_trial_set_property;

  /**
   * VernierTrial:number:
   *
   * The trial's number in its study, from 0.
   */
  properties[PROP_NUMBER] =
    g_param_spec_uint ("number", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VernierTrial:params:
   *
   * The trial's parameters.
   */
  properties[PROP_PARAMS] =
    g_param_spec_boxed ("params", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VernierTrial:state:
   *
   * The trial's state.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, VERNIER_TYPE_TRIAL_STATE,
                       VERNIER_TRIAL_STATE_WAITING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * VernierTrial:value:
   *
   * The objective value, NaN until there is one.
   */
  properties[PROP_VALUE] =
    g_param_spec_double ("value", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VernierTrial::reported:
   * @self: the trial
   * @step: the step of the intermediate value
   * @value: the intermediate value
   *
   * Emitted in the trial's main context after vernier_trial_report(). When
   * reports come from another thread faster than the main context runs,
   * one emission stands for several: read them all with
   * vernier_trial_get_report().
   */
  signals[SIGNAL_REPORTED] =
    g_signal_new ("reported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_DOUBLE);
}

static void
vernier_trial_init (VernierTrial *self)
{
  g_mutex_init (&self->lock);
  self->state = VERNIER_TRIAL_STATE_WAITING;
  self->context = g_main_context_ref_thread_default ();
  self->home_thread = g_thread_self ();
}

/**
 * vernier_trial_new:
 * @number: the trial's number in its study
 * @params: (nullable): the parameters (a reference is taken)
 *
 * Creates a WAITING trial in the thread-default main context. The
 * parameters are sealed (json_object_seal()): they never change again.
 *
 * Returns: (transfer full): a new #VernierTrial
 */
VernierTrial *
vernier_trial_new (guint       number,
                   JsonObject *params)
{
  return g_object_new (VERNIER_TYPE_TRIAL, "number", number, "params", params, NULL);
}

/**
 * vernier_trial_get_number:
 * @self: a #VernierTrial
 *
 * Returns: the trial's number
 */
guint
vernier_trial_get_number (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), 0);
  return self->number;
}

/**
 * vernier_trial_get_params:
 * @self: a #VernierTrial
 *
 * Returns: (transfer none): the trial's parameters; do not modify them
 */
JsonObject *
vernier_trial_get_params (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NULL);
  return self->params;
}

/**
 * vernier_trial_dup_params_json:
 * @self: a #VernierTrial
 *
 * Returns: (transfer full): the parameters as compact JSON text
 */
gchar *
vernier_trial_dup_params_json (VernierTrial *self)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NULL);

  node = json_node_init_object (json_node_alloc (), self->params);
  return vernier_json_to_string (node, FALSE);
}

/**
 * vernier_trial_get_state:
 * @self: a #VernierTrial
 *
 * Returns: the trial's state
 */
VernierTrialState
vernier_trial_get_state (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), VERNIER_TRIAL_STATE_WAITING);
  return self->state;
}

/**
 * vernier_trial_set_state:
 * @self: a #VernierTrial
 * @state: the new state
 *
 * Sets the state. The core does this; plugins rarely need to.
 */
void
vernier_trial_set_state (VernierTrial      *self,
                         VernierTrialState  state)
{
  g_return_if_fail (VERNIER_IS_TRIAL (self));

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * vernier_trial_is_finished:
 * @self: a #VernierTrial
 *
 * Returns: %TRUE if the trial is COMPLETE, PRUNED, FAILED or TIMED_OUT
 */
gboolean
vernier_trial_is_finished (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), FALSE);
  return self->state >= VERNIER_TRIAL_STATE_COMPLETE;
}

/**
 * vernier_trial_has_value:
 * @self: a #VernierTrial
 *
 * Returns: %TRUE if an objective value was set
 */
gboolean
vernier_trial_has_value (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), FALSE);
  return self->has_value;
}

/**
 * vernier_trial_get_value:
 * @self: a #VernierTrial
 *
 * Returns: the objective value, NaN if there is none
 */
gdouble
vernier_trial_get_value (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NAN);
  return self->has_value ? self->value : NAN;
}

/**
 * vernier_trial_set_value:
 * @self: a #VernierTrial
 * @value: the objective value
 *
 * Sets the objective value. A trainer calls this before it finishes. (No
 * notification is emitted: the value is read once the trial finishes.)
 */
void
vernier_trial_set_value (VernierTrial *self,
                         gdouble       value)
{
  g_return_if_fail (VERNIER_IS_TRIAL (self));

  self->value = value;
  self->has_value = TRUE;
}

static gboolean
emit_reported (gpointer data)
{
  VernierTrial *self = data;
  gint64 step = 0;
  gdouble value = 0;
  gboolean any;

  g_mutex_lock (&self->lock);
  self->report_pending = 0;
  any = self->reports->len > 0;
  if (any)
    {
      Report *r = &g_array_index (self->reports, Report, self->reports->len - 1);
      step = r->step;
      value = r->value;
    }
  g_mutex_unlock (&self->lock);

  if (any)
    g_signal_emit (self, signals[SIGNAL_REPORTED], 0, step, value);
  return G_SOURCE_REMOVE;
}

/**
 * vernier_trial_report:
 * @self: a #VernierTrial
 * @step: the step (epoch, iteration…) the value belongs to
 * @value: the intermediate value of the objective
 *
 * Reports an intermediate value. Thread-safe: a trainer may call it from a
 * worker thread. A pruner may then stop the trial by cancelling its
 * cancellable. Reporting a step again replaces its value.
 *
 * Called on the trial's own thread, the #VernierTrial::reported signal is
 * emitted before this returns, and a pruner may cancel the trial's
 * cancellable from it: a trainer must still hold what it needs (a
 * reference to its own state) when the call returns.
 */
void
vernier_trial_report (VernierTrial *self,
                      gint64        step,
                      gdouble       value)
{
  gboolean dispatch;

  g_return_if_fail (VERNIER_IS_TRIAL (self));

  g_mutex_lock (&self->lock);
  if (self->reports == NULL)
    self->reports = g_array_new (FALSE, FALSE, sizeof (Report));
  if (self->reports->len > 0 &&
      g_array_index (self->reports, Report, self->reports->len - 1).step == step)
    g_array_index (self->reports, Report, self->reports->len - 1).value = value;
  else
    g_array_append_val (self->reports, ((Report) { step, value }));
  dispatch = self->report_pending++ == 0;
  g_mutex_unlock (&self->lock);

  if (!dispatch)
    return;

  if (g_thread_self () == self->home_thread ||
      g_main_context_is_owner (self->context))
    emit_reported (self);
  else
    {
      /* Not g_main_context_invoke(): it would run here when the context
       * happens to be free, on the wrong thread. */
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, emit_reported, g_object_ref (self), g_object_unref);
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

/**
 * vernier_trial_get_n_reports:
 * @self: a #VernierTrial
 *
 * Returns: the number of intermediate values reported
 */
guint
vernier_trial_get_n_reports (VernierTrial *self)
{
  guint n;

  g_return_val_if_fail (VERNIER_IS_TRIAL (self), 0);

  g_mutex_lock (&self->lock);
  n = self->reports != NULL ? self->reports->len : 0;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * vernier_trial_get_report:
 * @self: a #VernierTrial
 * @index: which report, from 0
 * @step: (out) (optional): its step
 * @value: (out) (optional): its value
 *
 * Reads one intermediate value, in the order they were reported.
 *
 * Returns: %TRUE if @index is below vernier_trial_get_n_reports()
 */
gboolean
vernier_trial_get_report (VernierTrial *self,
                          guint         index,
                          gint64       *step,
                          gdouble      *value)
{
  gboolean ok;

  g_return_val_if_fail (VERNIER_IS_TRIAL (self), FALSE);

  g_mutex_lock (&self->lock);
  ok = self->reports != NULL && index < self->reports->len;
  if (ok)
    {
      Report *r = &g_array_index (self->reports, Report, index);
      if (step != NULL)
        *step = r->step;
      if (value != NULL)
        *value = r->value;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * vernier_trial_get_last_report:
 * @self: a #VernierTrial
 * @step: (out) (optional): the last step
 * @value: (out) (optional): its value
 *
 * Returns: %TRUE if anything was reported
 */
gboolean
vernier_trial_get_last_report (VernierTrial *self,
                               gint64       *step,
                               gdouble      *value)
{
  guint n = vernier_trial_get_n_reports (self);

  return n > 0 && vernier_trial_get_report (self, n - 1, step, value);
}

/**
 * vernier_trial_dup_user_attr:
 * @self: a #VernierTrial
 * @key: the attribute's name
 *
 * Returns: (transfer full) (nullable): a copy of the attribute, or %NULL
 */
JsonNode *
vernier_trial_dup_user_attr (VernierTrial *self,
                             const gchar  *key)
{
  JsonNode *node = NULL;

  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  g_mutex_lock (&self->lock);
  if (self->user_attrs != NULL && json_object_has_member (self->user_attrs, key))
    node = json_node_copy (json_object_get_member (self->user_attrs, key));
  g_mutex_unlock (&self->lock);
  return node;
}

/**
 * vernier_trial_set_user_attr:
 * @self: a #VernierTrial
 * @key: the attribute's name
 * @value: (transfer full): its value
 *
 * Attaches a JSON value to the trial (an exit status, a model path…).
 * Thread-safe.
 */
void
vernier_trial_set_user_attr (VernierTrial *self,
                             const gchar  *key,
                             JsonNode     *value)
{
  g_return_if_fail (VERNIER_IS_TRIAL (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (value != NULL);

  g_mutex_lock (&self->lock);
  if (self->user_attrs == NULL)
    self->user_attrs = json_object_new ();
  json_object_set_member (self->user_attrs, key, value);
  g_mutex_unlock (&self->lock);
}

/**
 * vernier_trial_dup_user_attrs:
 * @self: a #VernierTrial
 *
 * Returns: (transfer full): a copy of all user attributes
 */
JsonObject *
vernier_trial_dup_user_attrs (VernierTrial *self)
{
  JsonObject *copy;

  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->user_attrs != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), self->user_attrs);
      g_autoptr(JsonNode) dup = json_node_copy (node);
      copy = json_node_dup_object (dup);
    }
  else
    copy = json_object_new ();
  g_mutex_unlock (&self->lock);
  return copy;
}

/**
 * vernier_trial_get_error_message:
 * @self: a #VernierTrial
 *
 * Returns: (nullable): why the trial failed, or %NULL
 */
const gchar *
vernier_trial_get_error_message (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NULL);
  return self->error_message;
}

/**
 * vernier_trial_set_error_message:
 * @self: a #VernierTrial
 * @message: (nullable): why the trial failed
 *
 * Records why the trial failed.
 */
void
vernier_trial_set_error_message (VernierTrial *self,
                                 const gchar  *message)
{
  g_return_if_fail (VERNIER_IS_TRIAL (self));

  g_free (self->error_message);
  self->error_message = g_strdup (message);
}

/**
 * vernier_trial_get_start_time:
 * @self: a #VernierTrial
 *
 * Returns: when the trial started, in microseconds since the epoch, or 0
 */
gint64
vernier_trial_get_start_time (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), 0);
  return self->start_time;
}

/**
 * vernier_trial_get_end_time:
 * @self: a #VernierTrial
 *
 * Returns: when the trial finished, in microseconds since the epoch, or 0
 */
gint64
vernier_trial_get_end_time (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), 0);
  return self->end_time;
}

/**
 * vernier_trial_get_duration:
 * @self: a #VernierTrial
 *
 * Returns: how long the trial ran, in microseconds of monotonic time (so
 *   far, while it runs)
 */
gint64
vernier_trial_get_duration (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), 0);

  if (self->state == VERNIER_TRIAL_STATE_RUNNING && self->start_monotonic != 0)
    return g_get_monotonic_time () - self->start_monotonic;
  return self->duration;
}

/**
 * vernier_trial_mark_started:
 * @self: a WAITING #VernierTrial
 *
 * Marks the trial RUNNING and records its start time. The core does this.
 */
void
vernier_trial_mark_started (VernierTrial *self)
{
  g_return_if_fail (VERNIER_IS_TRIAL (self));

  self->start_time = g_get_real_time ();
  self->start_monotonic = g_get_monotonic_time ();
  vernier_trial_set_state (self, VERNIER_TRIAL_STATE_RUNNING);
}

/**
 * vernier_trial_mark_finished:
 * @self: a #VernierTrial
 * @state: its final state
 *
 * Records the end time and the final state. The core does this.
 */
void
vernier_trial_mark_finished (VernierTrial      *self,
                             VernierTrialState  state)
{
  g_return_if_fail (VERNIER_IS_TRIAL (self));
  g_return_if_fail (state >= VERNIER_TRIAL_STATE_COMPLETE);

  self->end_time = g_get_real_time ();
  if (self->start_monotonic != 0)
    self->duration = g_get_monotonic_time () - self->start_monotonic;
  vernier_trial_set_state (self, state);
}

/**
 * vernier_trial_get_cancellable:
 * @self: a #VernierTrial
 *
 * The cancellable the core passes to the trainer and cancels on timeout,
 * pruning or interruption.
 *
 * Returns: (transfer none): the trial's #GCancellable
 */
GCancellable *
vernier_trial_get_cancellable (VernierTrial *self)
{
  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NULL);

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  return self->cancellable;
}

/**
 * vernier_trial_state_to_nick:
 * @state: a #VernierTrialState
 *
 * Returns: the state's nick: `waiting`, `running`, `complete`, `pruned`,
 *   `failed` or `timed-out`
 */
const gchar *
vernier_trial_state_to_nick (VernierTrialState state)
{
  static const gchar *nicks[] = {
    "waiting", "running", "complete", "pruned", "failed", "timed-out"
  };

  if ((guint) state >= G_N_ELEMENTS (nicks))
    return "unknown";
  return nicks[state];
}

/**
 * vernier_trial_to_json:
 * @self: a #VernierTrial
 *
 * Describes the trial as a JSON object: `number`, `state`, `params`,
 * `value` (when set), `intermediate` (an array of `[step, value]`, when
 * any), `user-attrs` (when any), `error` (when failed), `start` and `end`
 * (ISO 8601, when known) and `duration` (seconds).
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
vernier_trial_to_json (VernierTrial *self)
{
  JsonObject *object;
  JsonNode *node;
  guint n;

  g_return_val_if_fail (VERNIER_IS_TRIAL (self), NULL);

  object = json_object_new ();
  json_object_set_int_member (object, "number", self->number);
  json_object_set_string_member (object, "state", vernier_trial_state_to_nick (self->state));
  json_object_set_object_member (object, "params", json_object_ref (self->params));
  if (self->has_value && isfinite (self->value))
    json_object_set_double_member (object, "value", self->value);
  else if (self->has_value)
    json_object_set_null_member (object, "value");

  n = vernier_trial_get_n_reports (self);
  if (n > 0)
    {
      JsonArray *reports = json_array_sized_new (n);

      for (guint i = 0; i < n; i++)
        {
          JsonArray *pair = json_array_sized_new (2);
          gint64 step;
          gdouble value;

          vernier_trial_get_report (self, i, &step, &value);
          json_array_add_int_element (pair, step);
          json_array_add_double_element (pair, value);
          json_array_add_array_element (reports, pair);
        }
      json_object_set_array_member (object, "intermediate", reports);
    }

  g_mutex_lock (&self->lock);
  if (self->user_attrs != NULL && json_object_get_size (self->user_attrs) > 0)
    json_object_set_object_member (object, "user-attrs", vernier_json_object_copy (self->user_attrs));
  g_mutex_unlock (&self->lock);

  if (self->error_message != NULL)
    json_object_set_string_member (object, "error", self->error_message);
  if (self->start_time != 0)
    {
      g_autofree gchar *iso = vernier_format_time (self->start_time);

      json_object_set_string_member (object, "start", iso);
    }
  if (self->end_time != 0)
    {
      g_autofree gchar *iso = vernier_format_time (self->end_time);

      json_object_set_string_member (object, "end", iso);
    }
  if (self->start_monotonic != 0 || self->duration != 0)
    json_object_set_double_member (object, "duration", vernier_trial_get_duration (self) / 1e6);

  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  return node;
}

static gboolean
time_member (JsonObject   *record,
             const gchar  *name,
             gint64       *usec,
             GError      **error)
{
  g_autoptr(GDateTime) t = NULL;
  const gchar *text;

  if (!json_object_has_member (record, name))
    return TRUE;
  text = json_object_get_string_member_with_default (record, name, NULL);
  if (text != NULL)
    t = g_date_time_new_from_iso8601 (text, NULL);
  if (t == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "'%s' is not an ISO 8601 time", name);
      return FALSE;
    }
  *usec = g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t);
  return TRUE;
}

static gboolean
state_from_nick (const gchar       *nick,
                 VernierTrialState *state)
{
  for (guint i = VERNIER_TRIAL_STATE_WAITING; i <= VERNIER_TRIAL_STATE_TIMED_OUT; i++)
    if (g_strcmp0 (nick, vernier_trial_state_to_nick (i)) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * vernier_trial_new_from_json:
 * @record: a JSON object as vernier_trial_to_json() writes it
 * @error: return location for a #GError
 *
 * Rebuilds a trial from its description: a trial loaded from a storage, or
 * run by another worker. Members it does not know are ignored.
 *
 * Returns: (transfer full): the trial, or %NULL with @error set
 *   (%VERNIER_ERROR_STORAGE) when @record is not a trial
 */
VernierTrial *
vernier_trial_new_from_json (JsonObject  *record,
                             GError     **error)
{
  static const gchar *scalar_members[] = { "number", "state", "error", "start", "end" };
  g_autoptr(VernierTrial) trial = NULL;
  JsonNode *node;
  JsonObject *params;
  gint64 number;
  VernierTrialState state;

  g_return_val_if_fail (record != NULL, NULL);

  /* The json-glib accessors below fail a precondition on an object or an
   * array: a record is checked first. */
  for (guint i = 0; i < G_N_ELEMENTS (scalar_members); i++)
    {
      node = json_object_get_member (record, scalar_members[i]);
      if (node != NULL && !JSON_NODE_HOLDS_VALUE (node) && !JSON_NODE_HOLDS_NULL (node))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "not a trial: its '%s' is not a number or a string",
                       scalar_members[i]);
          return NULL;
        }
    }

  number = json_object_get_int_member_with_default (record, "number", -1);
  node = json_object_get_member (record, "params");
  params = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (number < 0 || number > G_MAXUINT || params == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "not a trial: it needs a 'number' and 'params'");
      return NULL;
    }
  if (!state_from_nick (json_object_get_string_member_with_default (record, "state", ""), &state))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "trial %" G_GINT64_FORMAT ": unknown state '%s'", number,
                   json_object_get_string_member_with_default (record, "state", ""));
      return NULL;
    }

  trial = vernier_trial_new (number, params);
  trial->state = state;

  node = json_object_get_member (record, "value");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      trial->has_value = TRUE;
      trial->value = json_node_get_double (node);
    }
  else if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    {
      trial->has_value = TRUE;
      trial->value = NAN;
    }

  node = json_object_get_member (record, "intermediate");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *reports = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (reports); i++)
        {
          JsonNode *pair = json_array_get_element (reports, i);
          Report report;

          if (!JSON_NODE_HOLDS_ARRAY (pair) || json_array_get_length (json_node_get_array (pair)) != 2 ||
              !JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (pair), 0)) ||
              !JSON_NODE_HOLDS_VALUE (json_array_get_element (json_node_get_array (pair), 1)))
            continue;
          report.step = json_array_get_int_element (json_node_get_array (pair), 0);
          report.value = json_array_get_double_element (json_node_get_array (pair), 1);
          if (trial->reports == NULL)
            trial->reports = g_array_new (FALSE, FALSE, sizeof (Report));
          g_array_append_val (trial->reports, report);
        }
    }

  node = json_object_get_member (record, "user-attrs");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    trial->user_attrs = vernier_json_object_copy (json_node_get_object (node));

  trial->error_message = g_strdup (json_object_get_string_member_with_default (record, "error", NULL));
  if (!time_member (record, "start", &trial->start_time, error) ||
      !time_member (record, "end", &trial->end_time, error))
    {
      g_prefix_error (error, "trial %" G_GINT64_FORMAT ": ", number);
      return NULL;
    }
  node = json_object_get_member (record, "duration");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    trial->duration = (gint64) (json_node_get_double (node) * G_USEC_PER_SEC);
  else if (trial->end_time > trial->start_time && trial->start_time != 0)
    trial->duration = trial->end_time - trial->start_time;

  return g_steal_pointer (&trial);
}
