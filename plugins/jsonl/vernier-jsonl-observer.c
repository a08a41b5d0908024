#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <glib/gstdio.h>

#include "vernier-jsonl-observer.h"

/**
 * VernierJsonlObserver:
 *
 * An observer that writes every event of a study to a file as one JSON
 * object per line (JSON Lines). Every object has `event`, `study` and
 * `time` (ISO 8601, UTC); then, by event:
 *
 * - `trial-started`: `trial` (its number) and `params`;
 * - `trial-finished`: `trial`, `params`, `state` (`complete`, `pruned`,
 *   `failed`, `timed-out`), `value` (or null), `duration` (seconds),
 *   `error` (or null), `intermediate` (`[[step, value], …]`, when the
 *   trial reported any) and `user-attrs`;
 * - `study-finished`: `state` (`finished` or `failed`), `best` (`number`,
 *   `value`, `params`, or null) and `error` (or null).
 *
 * Each line is flushed as soon as it is written, so a crash loses nothing
 * that was already reported. A write error (a full disk) is reported once
 * with g_message() and does not stop the study.
 */
struct _VernierJsonlObserver
{
  GObject parent_instance;

  gchar *path;
  gboolean append;

  gchar *study_name;
  gchar *resolved_path;
  FILE *stream;
  gboolean write_failed;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_APPEND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void observer_iface_init (VernierObserverInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierJsonlObserver, vernier_jsonl_observer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_OBSERVER,
                                                               observer_iface_init))

static void
close_stream (VernierJsonlObserver *self)
{
  if (self->stream != NULL)
    {
      fclose (self->stream);
      self->stream = NULL;
    }
}

static void
vernier_jsonl_observer_finalize (GObject *object)
{
  VernierJsonlObserver *self = VERNIER_JSONL_OBSERVER (object);

  close_stream (self);
  g_free (self->path);
  g_free (self->study_name);
  g_free (self->resolved_path);

  G_OBJECT_CLASS (vernier_jsonl_observer_parent_class)->finalize (object);
}

static void
vernier_jsonl_observer_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  VernierJsonlObserver *self = VERNIER_JSONL_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_APPEND:
      g_value_set_boolean (value, self->append);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_jsonl_observer_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  VernierJsonlObserver *self = VERNIER_JSONL_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_APPEND:
      self->append = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_jsonl_observer_class_init (VernierJsonlObserverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_jsonl_observer_finalize;
  object_class->get_property = vernier_jsonl_observer_get_property;
  object_class->set_property = vernier_jsonl_observer_set_property;

  /**
   * VernierJsonlObserver:path:
   *
   * The file the events are written to. A relative path is relative to
   * the directory of the study file. Required.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", "Path",
                         "File to write the events to, one JSON object per "
                         "line (required; relative to the study file's "
                         "directory)",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * VernierJsonlObserver:append:
   *
   * Whether to keep what the file already holds and add to its end (the
   * default), or to empty it when the study starts.
   */
  properties[PROP_APPEND] =
    g_param_spec_boolean ("append", "Append",
                          "Add to the end of an existing file instead of "
                          "truncating it when the study starts",
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_jsonl_observer_class_finalize (VernierJsonlObserverClass *klass)
{
}

static void
vernier_jsonl_observer_init (VernierJsonlObserver *self)
{
  self->append = TRUE;
}

/* Writing */

static void
write_line (VernierJsonlObserver *self,
            JsonBuilder          *builder)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;
  gsize length = 0;
  gboolean ok;
  int saved_errno;

  if (self->stream == NULL)
    return;

  root = json_builder_get_root (builder);
  /* Not json-glib's generator: it writes 1e+20 as 1e+20.0. */
  text = vernier_json_to_string (root, FALSE);
  length = strlen (text);

  errno = 0;
  ok = fwrite (text, 1, length, self->stream) == length &&
       fputc ('\n', self->stream) != EOF &&
       fflush (self->stream) == 0;
  saved_errno = errno;

  if (!ok)
    {
      clearerr (self->stream);
      /* Reported once: a full disk would otherwise say so on every line. */
      if (!self->write_failed)
        g_message ("Cannot write to “%s”: %s; further events may be lost",
                   self->resolved_path,
                   saved_errno != 0 ? g_strerror (saved_errno)
                                    : "write error");
      self->write_failed = TRUE;
    }
}

static void
add_double_or_null (JsonBuilder *builder,
                    gdouble      value)
{
  /* JSON has no NaN or infinities. */
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const gchar *value)
{
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_object (JsonBuilder *builder,
            JsonObject  *object)
{
  JsonNode *node;

  node = json_node_new (JSON_NODE_OBJECT);
  if (object != NULL)
    json_node_set_object (node, object);
  else
    json_node_take_object (node, json_object_new ());
  json_builder_add_value (builder, node);
}

static void
begin_event (VernierJsonlObserver *self,
             JsonBuilder          *builder,
             const gchar          *event)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree gchar *stamp = g_date_time_format_iso8601 (now);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  json_builder_set_member_name (builder, "study");
  add_string_or_null (builder, self->study_name);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, stamp);
}

static void
add_trial_summary (JsonBuilder  *builder,
                   VernierTrial *trial)
{
  json_builder_set_member_name (builder, "trial");
  json_builder_add_int_value (builder, vernier_trial_get_number (trial));
  json_builder_set_member_name (builder, "params");
  add_object (builder, vernier_trial_get_params (trial));
}

/* VernierObserver */

static gboolean
vernier_jsonl_observer_prepare (VernierObserver  *observer,
                                VernierContext   *context,
                                GError          **error)
{
  VernierJsonlObserver *self = VERNIER_JSONL_OBSERVER (observer);
  g_autofree gchar *resolved = NULL;
  FILE *stream;
  int saved_errno;

  if (self->path == NULL || *self->path == '\0')
    {
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                           "jsonl observer: the property “path” is required "
                           "(the file to write the events to)");
      return FALSE;
    }

  resolved = vernier_context_resolve_path (context, self->path);

  errno = 0;
  /* "e": the descriptor is not inherited by the trainers' processes. */
  stream = g_fopen (resolved, self->append ? "ae" : "we");
  saved_errno = errno;
  if (stream == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "jsonl observer: cannot open “%s” for writing: %s",
                   resolved, g_strerror (saved_errno));
      return FALSE;
    }

  close_stream (self);
  self->stream = stream;
  self->write_failed = FALSE;
  g_free (self->resolved_path);
  self->resolved_path = g_steal_pointer (&resolved);
  g_free (self->study_name);
  self->study_name = g_strdup (vernier_context_get_study_name (context));

  return TRUE;
}

static void
vernier_jsonl_observer_trial_started (VernierObserver *observer,
                                      VernierTrial    *trial)
{
  VernierJsonlObserver *self = VERNIER_JSONL_OBSERVER (observer);
  g_autoptr(JsonBuilder) builder = NULL;

  if (self->stream == NULL)
    return;

  builder = json_builder_new ();
  begin_event (self, builder, "trial-started");
  add_trial_summary (builder, trial);
  json_builder_end_object (builder);

  write_line (self, builder);
}

static void
vernier_jsonl_observer_trial_finished (VernierObserver *observer,
                                       VernierTrial    *trial)
{
  VernierJsonlObserver *self = VERNIER_JSONL_OBSERVER (observer);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonObject) user_attrs = NULL;
  guint n_reports;
  gint64 duration;

  if (self->stream == NULL)
    return;

  builder = json_builder_new ();
  begin_event (self, builder, "trial-finished");
  add_trial_summary (builder, trial);

  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 vernier_trial_state_to_nick (vernier_trial_get_state (trial)));

  json_builder_set_member_name (builder, "value");
  if (vernier_trial_has_value (trial))
    add_double_or_null (builder, vernier_trial_get_value (trial));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "duration");
  duration = vernier_trial_get_duration (trial);
  if (duration >= 0)
    json_builder_add_double_value (builder, duration / (gdouble) G_USEC_PER_SEC);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "error");
  add_string_or_null (builder, vernier_trial_get_error_message (trial));

  n_reports = vernier_trial_get_n_reports (trial);
  if (n_reports > 0)
    {
      json_builder_set_member_name (builder, "intermediate");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_reports; i++)
        {
          gint64 step;
          gdouble value;

          if (!vernier_trial_get_report (trial, i, &step, &value))
            continue;
          json_builder_begin_array (builder);
          json_builder_add_int_value (builder, step);
          add_double_or_null (builder, value);
          json_builder_end_array (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "user-attrs");
  user_attrs = vernier_trial_dup_user_attrs (trial);
  add_object (builder, user_attrs);

  json_builder_end_object (builder);

  write_line (self, builder);
}

static void
vernier_jsonl_observer_study_finished (VernierObserver *observer,
                                       VernierTrial    *best,
                                       const GError    *error)
{
  VernierJsonlObserver *self = VERNIER_JSONL_OBSERVER (observer);
  g_autoptr(JsonBuilder) builder = NULL;

  if (self->stream == NULL)
    return;

  builder = json_builder_new ();
  begin_event (self, builder, "study-finished");

  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, error != NULL ? "failed" : "finished");

  json_builder_set_member_name (builder, "best");
  if (best != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "number");
      json_builder_add_int_value (builder, vernier_trial_get_number (best));
      json_builder_set_member_name (builder, "value");
      if (vernier_trial_has_value (best))
        add_double_or_null (builder, vernier_trial_get_value (best));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "params");
      add_object (builder, vernier_trial_get_params (best));
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "error");
  add_string_or_null (builder, error != NULL ? error->message : NULL);

  json_builder_end_object (builder);

  write_line (self, builder);
}

static void
observer_iface_init (VernierObserverInterface *iface)
{
  iface->prepare = vernier_jsonl_observer_prepare;
  iface->trial_started = vernier_jsonl_observer_trial_started;
  iface->trial_finished = vernier_jsonl_observer_trial_finished;
  iface->study_finished = vernier_jsonl_observer_study_finished;
}

/* Plugin */

static gboolean
jsonl_plugin_register (GTypeModule  *module,
                       GError      **error)
{
  vernier_jsonl_observer_register_type (module);
  vernier_plugin_provide (module, "jsonl", VERNIER_TYPE_JSONL_OBSERVER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("jsonl",
                       "Writes every event of a study to a file, one JSON object per line",
                       jsonl_plugin_register)
