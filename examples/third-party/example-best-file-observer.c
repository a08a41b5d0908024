#include <math.h>

#include "example-best-file-observer.h"

/**
 * ExampleBestFileObserver:
 *
 * An observer that keeps the best trial of a study so far in a file, as
 * one JSON object:
 *
 * |[
 * {"study":"demo","trial":7,"value":0.0123,"params":{"x":1.5}}
 * ]|
 *
 * The file is replaced atomically (written beside, then renamed over) each
 * time a trial beats the best so far, so a script polling it never reads
 * half a file.
 */
struct _ExampleBestFileObserver
{
  GObject parent_instance;

  gchar *path;

  gchar *resolved_path;
  gchar *study_name;
  VernierObjective *objective;

  gboolean has_best;
  gdouble best_value;
  gboolean write_failed;
};

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void observer_iface_init (VernierObserverInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (ExampleBestFileObserver, example_best_file_observer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_OBSERVER,
                                                               observer_iface_init))

static void
example_best_file_observer_finalize (GObject *object)
{
  ExampleBestFileObserver *self = EXAMPLE_BEST_FILE_OBSERVER (object);

  g_free (self->path);
  g_free (self->resolved_path);
  g_free (self->study_name);
  g_clear_object (&self->objective);

  G_OBJECT_CLASS (example_best_file_observer_parent_class)->finalize (object);
}

static void
example_best_file_observer_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  ExampleBestFileObserver *self = EXAMPLE_BEST_FILE_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
example_best_file_observer_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  ExampleBestFileObserver *self = EXAMPLE_BEST_FILE_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
example_best_file_observer_class_init (ExampleBestFileObserverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = example_best_file_observer_finalize;
  object_class->get_property = example_best_file_observer_get_property;
  object_class->set_property = example_best_file_observer_set_property;

  /**
   * ExampleBestFileObserver:path:
   *
   * The file that holds the best trial so far. A relative path is relative
   * to the directory of the study file. Required.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", "Path",
                         "File holding the best trial so far as JSON "
                         "(required; relative to the study file's directory)",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
example_best_file_observer_class_finalize (ExampleBestFileObserverClass *klass)
{
}

static void
example_best_file_observer_init (ExampleBestFileObserver *self)
{
}

/* Replaces the file with @trial, which has a value. */
static void
write_best (ExampleBestFileObserver *self,
            VernierTrial            *trial)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *contents = NULL;
  JsonNode *params;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "study");
  if (self->study_name != NULL)
    json_builder_add_string_value (builder, self->study_name);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "trial");
  json_builder_add_int_value (builder, vernier_trial_get_number (trial));
  json_builder_set_member_name (builder, "value");
  json_builder_add_double_value (builder, vernier_trial_get_value (trial));
  json_builder_set_member_name (builder, "params");
  params = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (params, vernier_trial_get_params (trial));
  json_builder_add_value (builder, params);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = vernier_json_to_string (root, FALSE);
  contents = g_strconcat (text, "\n", NULL);

  if (!g_file_set_contents (self->resolved_path, contents, -1, &error))
    {
      /* An observer must not stop the study; say it once, not per trial. */
      if (!self->write_failed)
        g_message ("best-file: %s", error->message);
      self->write_failed = TRUE;
    }
}

static void
consider (ExampleBestFileObserver *self,
          VernierTrial            *trial)
{
  gdouble value;

  if (self->resolved_path == NULL ||
      vernier_trial_get_state (trial) != VERNIER_TRIAL_STATE_COMPLETE ||
      !vernier_trial_has_value (trial) ||
      !isfinite (vernier_trial_get_value (trial)))
    return;

  value = vernier_trial_get_value (trial);
  if (self->has_best &&
      !(self->objective != NULL
        ? vernier_objective_is_better (self->objective, value, self->best_value)
        : value < self->best_value))
    return;

  self->has_best = TRUE;
  self->best_value = value;
  write_best (self, trial);
}

static gboolean
example_best_file_observer_prepare (VernierObserver  *observer,
                                    VernierContext   *context,
                                    GError          **error)
{
  ExampleBestFileObserver *self = EXAMPLE_BEST_FILE_OBSERVER (observer);
  g_autofree gchar *resolved = NULL;
  g_autofree gchar *dir = NULL;
  VernierTrial *best;

  if (self->path == NULL || *self->path == '\0')
    {
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                           "best-file observer: the property “path” is "
                           "required (the file to keep the best trial in)");
      return FALSE;
    }

  resolved = vernier_context_resolve_path (context, self->path);
  dir = g_path_get_dirname (resolved);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "best-file observer: cannot write “%s”: “%s” is not a "
                   "directory", resolved, dir);
      return FALSE;
    }

  g_free (self->resolved_path);
  self->resolved_path = g_steal_pointer (&resolved);
  g_free (self->study_name);
  self->study_name = g_strdup (vernier_context_get_study_name (context));
  g_set_object (&self->objective, vernier_context_get_objective (context));
  self->has_best = FALSE;
  self->write_failed = FALSE;

  /* A resumed study already has a best trial. */
  best = vernier_context_get_best_trial (context);
  if (best != NULL)
    consider (self, best);

  return TRUE;
}

static void
example_best_file_observer_trial_finished (VernierObserver *observer,
                                           VernierTrial    *trial)
{
  consider (EXAMPLE_BEST_FILE_OBSERVER (observer), trial);
}

static void
example_best_file_observer_study_finished (VernierObserver *observer,
                                           VernierTrial    *best,
                                           const GError    *error)
{
  /* The study's verdict has the last word. */
  if (best != NULL)
    consider (EXAMPLE_BEST_FILE_OBSERVER (observer), best);
}

static void
observer_iface_init (VernierObserverInterface *iface)
{
  iface->prepare = example_best_file_observer_prepare;
  iface->trial_finished = example_best_file_observer_trial_finished;
  iface->study_finished = example_best_file_observer_study_finished;
}

/* The plugin: registers its types when Vernier loads it. */

static gboolean
best_file_plugin_register (GTypeModule  *module,
                           GError      **error)
{
  example_best_file_observer_register_type (module);
  vernier_plugin_provide (module, "best-file", EXAMPLE_TYPE_BEST_FILE_OBSERVER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("best-file",
                       "Keeps the best trial so far in a file, replaced atomically on each new best",
                       best_file_plugin_register)
