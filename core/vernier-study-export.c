#include "config.h"

#include <math.h>
#include <unistd.h>

#include "vernier-dbus-generated.h"
#include "vernier-study-export.h"

/**
 * VernierStudyExport:
 *
 * Exports a running #VernierStudy on a D-Bus connection as an object
 * implementing `io.github.vernier.Vernier.Study1`
 * (data/dbus/io.github.vernier.Vernier.Study1.xml): its properties follow
 * the study's signals, each finished trial is a `TrialFinished` signal,
 * and `Stop` and `Cancel` stop it. The process owns the bus name
 * `io.github.vernier.Vernier.Run_PID`, which is how `vernier status` finds
 * the studies running on the bus.
 */

struct _VernierStudyExport
{
  GObject             parent_instance;

  VernierStudy       *study;
  GDBusConnection    *connection;
  VernierDBusStudy1  *skeleton;
  guint               name_id;
};

G_DEFINE_FINAL_TYPE (VernierStudyExport, vernier_study_export, G_TYPE_OBJECT)

static void
vernier_study_export_dispose (GObject *object)
{
  VernierStudyExport *self = VERNIER_STUDY_EXPORT (object);

  if (self->name_id != 0)
    g_bus_unown_name (self->name_id);
  self->name_id = 0;
  if (self->skeleton != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_clear_object (&self->skeleton);
  if (self->study != NULL)
    g_signal_handlers_disconnect_by_data (self->study, self);
  g_clear_object (&self->study);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (vernier_study_export_parent_class)->dispose (object);
}

static void
vernier_study_export_class_init (VernierStudyExportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = vernier_study_export_dispose;
}

static void
vernier_study_export_init (VernierStudyExport *self)
{
}

static void
update_counts (VernierStudyExport *self)
{
  VernierDBusStudy1 *s = self->skeleton;
  VernierStudy *study = self->study;
  VernierTrial *best = vernier_study_get_best_trial (study);

  vernier_dbus_study1_set_finished (s, vernier_study_get_n_finished (study));
  vernier_dbus_study1_set_complete (s, vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE));
  vernier_dbus_study1_set_failed (s, vernier_study_count_state (study, VERNIER_TRIAL_STATE_FAILED));
  vernier_dbus_study1_set_pruned (s, vernier_study_count_state (study, VERNIER_TRIAL_STATE_PRUNED));
  vernier_dbus_study1_set_timed_out (s, vernier_study_count_state (study, VERNIER_TRIAL_STATE_TIMED_OUT));
  vernier_dbus_study1_set_running (s, vernier_study_get_n_running (study));
  if (best != NULL)
    {
      g_autofree gchar *params = vernier_trial_dup_params_json (best);

      vernier_dbus_study1_set_best_value (s, vernier_trial_get_value (best));
      vernier_dbus_study1_set_best_params (s, params);
    }
}

static void
on_trial_started (VernierStudy       *study,
                  VernierTrial       *trial,
                  VernierStudyExport *self)
{
  if (vernier_dbus_study1_get_start_time (self->skeleton) == 0)
    vernier_dbus_study1_set_start_time (self->skeleton, vernier_study_get_start_time (study));
  vernier_dbus_study1_set_running (self->skeleton, vernier_study_get_n_running (study));
}

static void
on_trial_finished (VernierStudy       *study,
                   VernierTrial       *trial,
                   VernierStudyExport *self)
{
  g_autofree gchar *params = vernier_trial_dup_params_json (trial);

  update_counts (self);
  vernier_dbus_study1_emit_trial_finished (self->skeleton, vernier_trial_get_number (trial),
                                           vernier_trial_state_to_nick (vernier_trial_get_state (trial)),
                                           vernier_trial_has_value (trial) ? vernier_trial_get_value (trial) : NAN,
                                           params);
}

static void
on_study_finished (VernierStudy       *study,
                   VernierTrial       *best,
                   const GError       *error,
                   VernierStudyExport *self)
{
  const gchar *state = error != NULL ? "failed" : "finished";

  update_counts (self);
  vernier_dbus_study1_set_state (self->skeleton, state);
  vernier_dbus_study1_emit_study_finished (self->skeleton, state, error != NULL ? error->message : "");
  /* Properties and signals leave now, not at the next iteration. */
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (self->skeleton));
}

static gboolean
on_handle_stop (VernierDBusStudy1     *skeleton,
                GDBusMethodInvocation *invocation,
                VernierStudyExport    *self)
{
  if (vernier_study_is_running (self->study))
    {
      vernier_dbus_study1_set_state (skeleton, "stopping");
      vernier_study_stop (self->study);
    }
  vernier_dbus_study1_complete_stop (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_cancel (VernierDBusStudy1     *skeleton,
                  GDBusMethodInvocation *invocation,
                  VernierStudyExport    *self)
{
  if (vernier_study_is_running (self->study))
    {
      g_autoptr(GError) reason = g_error_new (VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED,
                                              "study '%s' was cancelled over D-Bus by %s",
                                              vernier_study_get_name (self->study),
                                              g_dbus_method_invocation_get_sender (invocation));

      vernier_dbus_study1_set_state (skeleton, "stopping");
      vernier_study_cancel (self->study, reason);
    }
  vernier_dbus_study1_complete_cancel (skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* A study name as one element of an object path: letters, digits and
 * underscores, anything else as _XX. */
static gchar *
path_element (const gchar *name)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) name; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, "_%02x", *p);
    }
  if (out->len == 0)
    g_string_append (out, "_");
  return g_string_free (out, FALSE);
}

/**
 * vernier_study_export_new:
 * @study: a study, not finished yet
 * @connection: a D-Bus connection (the session bus)
 * @error: return location for a #GError
 *
 * Exports @study at `/io/github/vernier/Vernier/Study/NAME` and owns the
 * process's bus name. The export lasts as long as the returned object.
 *
 * Returns: (transfer full): the export, or %NULL with @error set
 */
VernierStudyExport *
vernier_study_export_new (VernierStudy     *study,
                          GDBusConnection  *connection,
                          GError          **error)
{
  g_autoptr(VernierStudyExport) self = g_object_new (VERNIER_TYPE_STUDY_EXPORT, NULL);
  g_autofree gchar *element = path_element (vernier_study_get_name (study));
  g_autofree gchar *path = g_strdup_printf ("%s/%s", VERNIER_STUDY_EXPORT_PATH_PREFIX, element);
  g_autofree gchar *bus_name = g_strdup_printf ("%s%d", VERNIER_STUDY_EXPORT_BUS_PREFIX, (int) getpid ());

  self->study = g_object_ref (study);
  self->connection = g_object_ref (connection);
  self->skeleton = vernier_dbus_study1_skeleton_new ();

  vernier_dbus_study1_set_name (self->skeleton, vernier_study_get_name (study));
  vernier_dbus_study1_set_state (self->skeleton, "running");
  vernier_dbus_study1_set_budget (self->skeleton, vernier_study_get_max_trials (study));
  vernier_dbus_study1_set_best_params (self->skeleton, "");
  vernier_dbus_study1_set_start_time (self->skeleton, g_get_real_time ());

  g_signal_connect (self->skeleton, "handle-stop", G_CALLBACK (on_handle_stop), self);
  g_signal_connect (self->skeleton, "handle-cancel", G_CALLBACK (on_handle_cancel), self);
  g_signal_connect (study, "trial-started", G_CALLBACK (on_trial_started), self);
  g_signal_connect (study, "trial-finished", G_CALLBACK (on_trial_finished), self);
  g_signal_connect (study, "study-finished", G_CALLBACK (on_study_finished), self);

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                         connection, path, error))
    return NULL;
  self->name_id = g_bus_own_name_on_connection (connection, bus_name,
                                                G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                NULL, NULL, NULL, NULL);
  return g_steal_pointer (&self);
}
