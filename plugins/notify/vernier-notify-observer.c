#include "vernier-notify-observer.h"

/**
 * VernierNotifyObserver:
 *
 * An observer that shows a desktop notification (#GNotification) when the
 * study finishes or fails, with the best value in its body, and, with
 * #VernierNotifyObserver:on-new-best, each time a trial beats the best so
 * far. It notifies through the program's #GApplication (the `vernier`
 * program is one); without one, or without a session bus, it stays quiet
 * and says so once. The user's `notifications` setting (GSettings schema
 * `io.github.vernier.Vernier`) set to false silences it.
 */
struct _VernierNotifyObserver
{
  GObject  parent_instance;

  gboolean on_new_best;
  gboolean on_finish;

  VernierContext *context;
  gchar   *study_name;
  gchar   *objective_name;
  gboolean warned;
};

enum {
  PROP_0,
  PROP_ON_NEW_BEST,
  PROP_ON_FINISH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void observer_iface_init (VernierObserverInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierNotifyObserver, vernier_notify_observer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_OBSERVER,
                                                               observer_iface_init))

static void
vernier_notify_observer_finalize (GObject *object)
{
  VernierNotifyObserver *self = VERNIER_NOTIFY_OBSERVER (object);

  g_clear_object (&self->context);
  g_free (self->study_name);
  g_free (self->objective_name);

  G_OBJECT_CLASS (vernier_notify_observer_parent_class)->finalize (object);
}

static void
vernier_notify_observer_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  VernierNotifyObserver *self = VERNIER_NOTIFY_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_ON_NEW_BEST:
      g_value_set_boolean (value, self->on_new_best);
      break;
    case PROP_ON_FINISH:
      g_value_set_boolean (value, self->on_finish);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_notify_observer_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  VernierNotifyObserver *self = VERNIER_NOTIFY_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_ON_NEW_BEST:
      self->on_new_best = g_value_get_boolean (value);
      break;
    case PROP_ON_FINISH:
      self->on_finish = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_notify_observer_class_init (VernierNotifyObserverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_notify_observer_finalize;
  object_class->get_property = vernier_notify_observer_get_property;
  object_class->set_property = vernier_notify_observer_set_property;

  /**
   * VernierNotifyObserver:on-new-best:
   *
   * Also notify each time a trial beats the best so far.
   */
  properties[PROP_ON_NEW_BEST] =
    g_param_spec_boolean ("on-new-best", "On new best",
                          "Also notify each time a trial beats the best so far",
                          FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * VernierNotifyObserver:on-finish:
   *
   * Notify when the study finishes or fails.
   */
  properties[PROP_ON_FINISH] =
    g_param_spec_boolean ("on-finish", "On finish",
                          "Notify when the study finishes or fails",
                          TRUE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_notify_observer_class_finalize (VernierNotifyObserverClass *klass)
{
}

static void
vernier_notify_observer_init (VernierNotifyObserver *self)
{
  self->on_finish = TRUE;
}

/* The user's `notifications` setting (GSettings schema
 * io.github.vernier.Vernier), TRUE when the schema is not installed. */
static gboolean
notifications_allowed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "io.github.vernier.Vernier", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "notifications"))
    return TRUE;
  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_boolean (settings, "notifications");
}

/* Sends @notification through the program's application, if it can. */
static void
send (VernierNotifyObserver *self,
      const gchar           *id,
      GNotification         *notification)
{
  GApplication *app = g_application_get_default ();

  if (!notifications_allowed ())
    return;

  if (app == NULL || !g_application_get_is_registered (app) ||
      g_application_get_dbus_connection (app) == NULL)
    {
      if (!self->warned)
        g_message ("notify: no desktop notifications for study '%s': the program has "
                   "no application on a session bus", self->study_name);
      self->warned = TRUE;
      return;
    }
  g_application_send_notification (app, id, notification);
}

static gboolean
vernier_notify_observer_prepare (VernierObserver  *observer,
                                 VernierContext   *context,
                                 GError          **error)
{
  VernierNotifyObserver *self = VERNIER_NOTIFY_OBSERVER (observer);

  g_set_object (&self->context, context);
  g_free (self->study_name);
  g_free (self->objective_name);
  self->study_name = g_strdup (vernier_context_get_study_name (context));
  self->objective_name = g_strdup (vernier_objective_get_name (vernier_context_get_objective (context)));
  return TRUE;
}

static gchar *
describe_best (VernierNotifyObserver *self,
               VernierTrial          *best)
{
  g_autofree gchar *params = vernier_trial_dup_params_json (best);

  return g_strdup_printf ("Best %s = %.10g (trial %u)\n%s", self->objective_name,
                          vernier_trial_get_value (best), vernier_trial_get_number (best),
                          params);
}

static void
vernier_notify_observer_trial_finished (VernierObserver *observer,
                                        VernierTrial    *trial)
{
  VernierNotifyObserver *self = VERNIER_NOTIFY_OBSERVER (observer);
  g_autoptr(GNotification) notification = NULL;
  g_autofree gchar *title = NULL;
  g_autofree gchar *body = NULL;

  /* The engine adds a finished trial to the history before observers
   * hear of it: it is a new best when the history says it is the best. */
  if (!self->on_new_best || self->context == NULL ||
      vernier_trial_get_state (trial) != VERNIER_TRIAL_STATE_COMPLETE ||
      vernier_context_get_best_trial (self->context) != trial)
    return;

  title = g_strdup_printf ("New best in study '%s'", self->study_name);
  body = describe_best (self, trial);
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  send (self, "new-best", notification);
}

static void
vernier_notify_observer_study_finished (VernierObserver *observer,
                                        VernierTrial    *best,
                                        const GError    *error)
{
  VernierNotifyObserver *self = VERNIER_NOTIFY_OBSERVER (observer);
  g_autoptr(GNotification) notification = NULL;
  g_autofree gchar *title = NULL;
  g_autofree gchar *body = NULL;
  VernierTrial *so_far = best;

  if (!self->on_finish)
    return;
  if (so_far == NULL && self->context != NULL)
    so_far = vernier_context_get_best_trial (self->context);

  title = error != NULL ? g_strdup_printf ("Study '%s' failed", self->study_name)
                        : g_strdup_printf ("Study '%s' finished", self->study_name);
  if (error != NULL && so_far != NULL)
    {
      g_autofree gchar *described = describe_best (self, so_far);

      body = g_strdup_printf ("%s\n%s", error->message, described);
    }
  else if (error != NULL)
    body = g_strdup (error->message);
  else
    body = so_far != NULL ? describe_best (self, so_far) : g_strdup ("No trial completed.");

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  if (error != NULL)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  send (self, "finished", notification);
}

static void
observer_iface_init (VernierObserverInterface *iface)
{
  iface->prepare = vernier_notify_observer_prepare;
  iface->trial_finished = vernier_notify_observer_trial_finished;
  iface->study_finished = vernier_notify_observer_study_finished;
}

static gboolean
notify_plugin_register (GTypeModule  *module,
                        GError      **error)
{
  vernier_notify_observer_register_type (module);
  vernier_plugin_provide (module, "notify", VERNIER_TYPE_NOTIFY_OBSERVER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("notify", "Desktop notifications when a study ends, and optionally on each new best trial",
                       notify_plugin_register)
