#include "vernier-log-observer.h"

/**
 * VernierLogObserver:
 *
 * An observer that logs every event of a study with GLib structured
 * logging (g_log_structured_array()), in the `Vernier-log` domain, so that
 * the events reach the systemd journal or stderr like any other message of
 * the program.
 *
 * Besides `MESSAGE`, `PRIORITY` and `GLIB_DOMAIN`, each record has the
 * fields `VERNIER_EVENT` (`trial-started`, `trial-finished`,
 * `study-finished`), `VERNIER_STUDY`, `VERNIER_OBJECTIVE` and, where they
 * apply, `VERNIER_TRIAL` (the trial's number), `VERNIER_PARAMS` (JSON),
 * `VERNIER_STATE`, `VERNIER_VALUE`, `VERNIER_DURATION` (seconds) and
 * `VERNIER_ERROR`. For the end of the study `VERNIER_TRIAL` is the best
 * trial's number.
 *
 * Trial events are logged at #VernierLogObserver:level (`info` by default),
 * failed trials included; the result of the study at %G_LOG_LEVEL_MESSAGE.
 * Nothing is ever logged as a warning or a critical.
 */
struct _VernierLogObserver
{
  GObject parent_instance;

  VernierLogObserverLevel level;

  gchar *study_name;
  gchar *objective_name;
};

enum {
  PROP_0,
  PROP_LEVEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void observer_iface_init (VernierObserverInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierLogObserver, vernier_log_observer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_OBSERVER,
                                                               observer_iface_init))

/* VernierLogObserverLevel, registered with the plugin's type module so that
 * it survives the module being unloaded and loaded again. */

static GType level_type = G_TYPE_INVALID;

static const GEnumValue level_values[] = {
  { VERNIER_LOG_OBSERVER_LEVEL_DEBUG, "VERNIER_LOG_OBSERVER_LEVEL_DEBUG", "debug" },
  { VERNIER_LOG_OBSERVER_LEVEL_INFO, "VERNIER_LOG_OBSERVER_LEVEL_INFO", "info" },
  { VERNIER_LOG_OBSERVER_LEVEL_MESSAGE, "VERNIER_LOG_OBSERVER_LEVEL_MESSAGE", "message" },
  { 0, NULL, NULL }
};

static void
level_register_type (GTypeModule *module)
{
  level_type = g_type_module_register_enum (module, "VernierLogObserverLevel",
                                            level_values);
}

/**
 * vernier_log_observer_level_get_type:
 *
 * The #GType of #VernierLogObserverLevel. Valid once the plugin is loaded.
 *
 * Returns: the type
 */
GType
vernier_log_observer_level_get_type (void)
{
  return level_type;
}

static GLogLevelFlags
level_to_flags (VernierLogObserverLevel level)
{
  switch (level)
    {
    case VERNIER_LOG_OBSERVER_LEVEL_DEBUG:
      return G_LOG_LEVEL_DEBUG;
    case VERNIER_LOG_OBSERVER_LEVEL_MESSAGE:
      return G_LOG_LEVEL_MESSAGE;
    case VERNIER_LOG_OBSERVER_LEVEL_INFO:
    default:
      return G_LOG_LEVEL_INFO;
    }
}

/* The syslog priority journald expects in the PRIORITY field. */
static const gchar *
flags_to_priority (GLogLevelFlags flags)
{
  if (flags & G_LOG_LEVEL_DEBUG)
    return "7";
  if (flags & G_LOG_LEVEL_INFO)
    return "6";
  return "5";
}

/* GObject */

static void
vernier_log_observer_finalize (GObject *object)
{
  VernierLogObserver *self = VERNIER_LOG_OBSERVER (object);

  g_free (self->study_name);
  g_free (self->objective_name);

  G_OBJECT_CLASS (vernier_log_observer_parent_class)->finalize (object);
}

static void
vernier_log_observer_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  VernierLogObserver *self = VERNIER_LOG_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_LEVEL:
      g_value_set_enum (value, self->level);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_log_observer_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  VernierLogObserver *self = VERNIER_LOG_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_LEVEL:
      self->level = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_log_observer_class_init (VernierLogObserverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_log_observer_finalize;
  object_class->get_property = vernier_log_observer_get_property;
  object_class->set_property = vernier_log_observer_set_property;

  /**
   * VernierLogObserver:level:
   *
   * The log level of the trial events: `debug`, `info` or `message`. The
   * result of the study is always logged at `message`.
   */
  properties[PROP_LEVEL] =
    g_param_spec_enum ("level", "Level",
                       "Log level of the trial events: debug, info or "
                       "message (the study's result is always a message)",
                       VERNIER_TYPE_LOG_OBSERVER_LEVEL,
                       VERNIER_LOG_OBSERVER_LEVEL_INFO,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_log_observer_class_finalize (VernierLogObserverClass *klass)
{
}

static void
vernier_log_observer_init (VernierLogObserver *self)
{
  self->level = VERNIER_LOG_OBSERVER_LEVEL_INFO;
}

/* Logging */

typedef struct
{
  GLogField fields[16];
  gsize n_fields;
} LogRecord;

static void
record_add (LogRecord   *record,
            const gchar *key,
            const gchar *value)
{
  if (value == NULL)
    return;
  g_assert (record->n_fields < G_N_ELEMENTS (record->fields));
  record->fields[record->n_fields].key = key;
  record->fields[record->n_fields].value = value;
  record->fields[record->n_fields].length = -1;
  record->n_fields++;
}

static void
record_init (VernierLogObserver *self,
             LogRecord          *record,
             GLogLevelFlags      level,
             const gchar        *event)
{
  record->n_fields = 0;
  record_add (record, "PRIORITY", flags_to_priority (level));
  record_add (record, "GLIB_DOMAIN", G_LOG_DOMAIN);
  record_add (record, "VERNIER_EVENT", event);
  record_add (record, "VERNIER_STUDY", self->study_name);
  record_add (record, "VERNIER_OBJECTIVE", self->objective_name);
}

static const gchar *
objective_name (VernierLogObserver *self)
{
  return self->objective_name != NULL ? self->objective_name : "value";
}

/* A value as written in a message: short, locale independent. */
static gchar *
format_short (gdouble value)
{
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}

/* A value as written in a field: exact, locale independent. */
static gchar *
format_exact (gdouble value)
{
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, value));
}

static gchar *
format_seconds (gint64 usec)
{
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.3f",
                                    usec / (gdouble) G_USEC_PER_SEC));
}

static gchar *
format_params (VernierTrial *trial)
{
  gchar *params = vernier_trial_dup_params_json (trial);

  return params != NULL ? params : g_strdup ("{}");
}

/* VernierObserver */

static gboolean
vernier_log_observer_prepare (VernierObserver  *observer,
                              VernierContext   *context,
                              GError          **error)
{
  VernierLogObserver *self = VERNIER_LOG_OBSERVER (observer);
  VernierObjective *objective;

  g_free (self->study_name);
  self->study_name = g_strdup (vernier_context_get_study_name (context));

  g_clear_pointer (&self->objective_name, g_free);
  objective = vernier_context_get_objective (context);
  if (objective != NULL)
    self->objective_name = g_strdup (vernier_objective_get_name (objective));

  return TRUE;
}

static void
vernier_log_observer_trial_started (VernierObserver *observer,
                                    VernierTrial    *trial)
{
  VernierLogObserver *self = VERNIER_LOG_OBSERVER (observer);
  GLogLevelFlags level = level_to_flags (self->level);
  g_autofree gchar *number = NULL;
  g_autofree gchar *params = NULL;
  g_autofree gchar *message = NULL;
  LogRecord record;

  number = g_strdup_printf ("%u", vernier_trial_get_number (trial));
  params = format_params (trial);
  message = g_strdup_printf ("Trial %s started: %s", number, params);

  record_init (self, &record, level, "trial-started");
  record_add (&record, "MESSAGE", message);
  record_add (&record, "VERNIER_TRIAL", number);
  record_add (&record, "VERNIER_STATE",
              vernier_trial_state_to_nick (vernier_trial_get_state (trial)));
  record_add (&record, "VERNIER_PARAMS", params);

  g_log_structured_array (level, record.fields, record.n_fields);
}

static void
vernier_log_observer_trial_finished (VernierObserver *observer,
                                     VernierTrial    *trial)
{
  VernierLogObserver *self = VERNIER_LOG_OBSERVER (observer);
  GLogLevelFlags level = level_to_flags (self->level);
  VernierTrialState state = vernier_trial_get_state (trial);
  const gchar *state_nick = vernier_trial_state_to_nick (state);
  const gchar *error_message = vernier_trial_get_error_message (trial);
  g_autofree gchar *number = NULL;
  g_autofree gchar *params = NULL;
  g_autofree gchar *value = NULL;
  g_autofree gchar *short_value = NULL;
  g_autofree gchar *seconds = NULL;
  g_autoptr(GString) message = NULL;
  gint64 duration;
  LogRecord record;

  number = g_strdup_printf ("%u", vernier_trial_get_number (trial));
  params = format_params (trial);
  duration = vernier_trial_get_duration (trial);
  if (duration >= 0)
    seconds = format_seconds (duration);
  if (vernier_trial_has_value (trial))
    {
      value = format_exact (vernier_trial_get_value (trial));
      short_value = format_short (vernier_trial_get_value (trial));
    }

  message = g_string_new (NULL);
  g_string_append_printf (message, "Trial %s %s", number, state_nick);
  if (short_value != NULL)
    g_string_append_printf (message, ": %s = %s", objective_name (self),
                            short_value);
  if (seconds != NULL)
    g_string_append_printf (message, " after %s s", seconds);
  if (error_message != NULL)
    g_string_append_printf (message, ": %s", error_message);
  g_string_append_printf (message, " (%s)", params);

  record_init (self, &record, level, "trial-finished");
  record_add (&record, "MESSAGE", message->str);
  record_add (&record, "VERNIER_TRIAL", number);
  record_add (&record, "VERNIER_STATE", state_nick);
  record_add (&record, "VERNIER_VALUE", value);
  record_add (&record, "VERNIER_DURATION", seconds);
  record_add (&record, "VERNIER_ERROR", error_message);
  record_add (&record, "VERNIER_PARAMS", params);

  g_log_structured_array (level, record.fields, record.n_fields);
}

static void
vernier_log_observer_study_finished (VernierObserver *observer,
                                     VernierTrial    *best,
                                     const GError    *error)
{
  VernierLogObserver *self = VERNIER_LOG_OBSERVER (observer);
  const GLogLevelFlags level = G_LOG_LEVEL_MESSAGE;
  const gchar *study = self->study_name != NULL ? self->study_name : "study";
  g_autofree gchar *number = NULL;
  g_autofree gchar *params = NULL;
  g_autofree gchar *value = NULL;
  g_autofree gchar *short_value = NULL;
  g_autofree gchar *message = NULL;
  LogRecord record;

  if (best != NULL)
    {
      number = g_strdup_printf ("%u", vernier_trial_get_number (best));
      params = format_params (best);
      if (vernier_trial_has_value (best))
        {
          value = format_exact (vernier_trial_get_value (best));
          short_value = format_short (vernier_trial_get_value (best));
        }
    }

  if (error != NULL)
    message = g_strdup_printf ("Study “%s” failed: %s", study, error->message);
  else if (best != NULL)
    message = g_strdup_printf ("Study “%s” finished: best trial %s, %s = %s, "
                               "params %s",
                               study, number, objective_name (self),
                               short_value != NULL ? short_value : "none",
                               params);
  else
    message = g_strdup_printf ("Study “%s” finished without a complete trial",
                               study);

  record_init (self, &record, level, "study-finished");
  record_add (&record, "MESSAGE", message);
  record_add (&record, "VERNIER_STATE", error != NULL ? "failed" : "finished");
  record_add (&record, "VERNIER_TRIAL", number);
  record_add (&record, "VERNIER_VALUE", value);
  record_add (&record, "VERNIER_PARAMS", params);
  record_add (&record, "VERNIER_ERROR", error != NULL ? error->message : NULL);

  g_log_structured_array (level, record.fields, record.n_fields);
}

static void
observer_iface_init (VernierObserverInterface *iface)
{
  iface->prepare = vernier_log_observer_prepare;
  iface->trial_started = vernier_log_observer_trial_started;
  iface->trial_finished = vernier_log_observer_trial_finished;
  iface->study_finished = vernier_log_observer_study_finished;
}

/* Plugin */

static gboolean
log_plugin_register (GTypeModule  *module,
                     GError      **error)
{
  level_register_type (module);
  vernier_log_observer_register_type (module);
  vernier_plugin_provide (module, "log", VERNIER_TYPE_LOG_OBSERVER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("log",
                       "Logs every event of a study with GLib structured logging",
                       log_plugin_register)
