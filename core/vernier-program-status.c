/* vernier status: the studies running on the session bus. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "vernier-dbus-generated.h"
#include "vernier-program.h"
#include "vernier-study-export.h"

/* The object paths of the studies a process exports, from the bus's
 * introspection of their parent path. */
static GStrv
study_paths (GDBusConnection *bus,
             const gchar     *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  const gchar *xml;
  GStrvBuilder *paths = g_strv_builder_new ();

  reply = g_dbus_connection_call_sync (bus, name, VERNIER_STUDY_EXPORT_PATH_PREFIX,
                                       "org.freedesktop.DBus.Introspectable", "Introspect",
                                       NULL, G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply != NULL)
    {
      g_variant_get (reply, "(&s)", &xml);
      node = g_dbus_node_info_new_for_xml (xml, NULL);
    }
  for (guint i = 0; node != NULL && node->nodes != NULL && node->nodes[i] != NULL; i++)
    {
      g_autofree gchar *path = g_strdup_printf ("%s/%s", VERNIER_STUDY_EXPORT_PATH_PREFIX,
                                                node->nodes[i]->path);

      g_strv_builder_add (paths, path);
    }
  return g_strv_builder_end (paths);
}

gint
program_cmd_status (gint    argc,
                    gchar **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) names = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GVariantIter) iter = NULL;
  const gchar *name;
  gboolean json = FALSE;
  gint status = 0;
  guint n = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the studies as a JSON array", NULL },
    { NULL }
  };

  context = g_option_context_new ("— list the studies running on the session bus");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Lists the studies that `vernier run` and `vernier worker` processes are\n"
    "running for this user (on the D-Bus session bus): name, state, trials\n"
    "finished of the budget, trials running, best value, process id. Each\n"
    "study is the object /io/github/vernier/Vernier/Study/NAME of the bus name\n"
    "io.github.vernier.Vernier.Run_PID, interface\n"
    "io.github.vernier.Vernier.Study1: `gdbus introspect` and `gdbus monitor`\n"
    "show it, and its Stop and Cancel methods stop it.");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return program_usage_error ("status: no arguments expected");

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_autofree gchar *message = g_strdup_printf ("no session bus: %s", error->message);

      program_print_error (message);
      return EXIT_STUDY_FAILED;
    }
  names = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, &error);
  if (names == NULL)
    {
      program_print_error (error->message);
      return EXIT_STUDY_FAILED;
    }

  if (!json)
    g_print ("%-24s %-9s %15s %7s %14s %8s\n", "study", "state", "finished", "running",
             "best", "pid");
  json_builder_begin_array (b);
  g_variant_get (names, "(as)", &iter);
  while (g_variant_iter_next (iter, "&s", &name))
    {
      g_auto(GStrv) paths = NULL;
      const gchar *pid = name + strlen (VERNIER_STUDY_EXPORT_BUS_PREFIX);

      if (!g_str_has_prefix (name, VERNIER_STUDY_EXPORT_BUS_PREFIX))
        continue;
      paths = study_paths (bus, name);
      for (guint i = 0; paths[i] != NULL; i++)
        {
          g_autoptr(VernierDBusStudy1) study = NULL;
          g_autofree gchar *finished = NULL;
          g_autofree gchar *best = NULL;
          gdouble value;

          study = vernier_dbus_study1_proxy_new_sync (bus, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
                                                      name, paths[i], NULL, NULL);
          if (study == NULL || vernier_dbus_study1_get_name (study) == NULL)
            continue;
          n++;
          /* No best value before BestParams says there is a best trial. */
          value = g_strcmp0 (vernier_dbus_study1_get_best_params (study), "") != 0
            ? vernier_dbus_study1_get_best_value (study) : NAN;
          if (json)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "name");
              json_builder_add_string_value (b, vernier_dbus_study1_get_name (study));
              json_builder_set_member_name (b, "state");
              json_builder_add_string_value (b, vernier_dbus_study1_get_state (study));
              json_builder_set_member_name (b, "finished");
              json_builder_add_int_value (b, vernier_dbus_study1_get_finished (study));
              json_builder_set_member_name (b, "budget");
              json_builder_add_int_value (b, vernier_dbus_study1_get_budget (study));
              json_builder_set_member_name (b, "running");
              json_builder_add_int_value (b, vernier_dbus_study1_get_running (study));
              json_builder_set_member_name (b, "best");
              if (isfinite (value))
                json_builder_add_double_value (b, value);
              else
                json_builder_add_null_value (b);
              json_builder_set_member_name (b, "pid");
              json_builder_add_int_value (b, g_ascii_strtoll (pid, NULL, 10));
              json_builder_set_member_name (b, "bus-name");
              json_builder_add_string_value (b, name);
              json_builder_set_member_name (b, "path");
              json_builder_add_string_value (b, paths[i]);
              json_builder_end_object (b);
              continue;
            }
          finished = vernier_dbus_study1_get_budget (study) > 0
            ? g_strdup_printf ("%u/%u", vernier_dbus_study1_get_finished (study),
                               vernier_dbus_study1_get_budget (study))
            : g_strdup_printf ("%u", vernier_dbus_study1_get_finished (study));
          best = isfinite (value) ? g_strdup_printf ("%.6g", value) : g_strdup ("-");
          g_print ("%-24s %-9s %15s %7u %14s %8s\n", vernier_dbus_study1_get_name (study),
                   vernier_dbus_study1_get_state (study), finished,
                   vernier_dbus_study1_get_running (study), best, pid);
        }
    }
  json_builder_end_array (b);
  if (json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      g_autofree gchar *text = vernier_json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }
  else if (n == 0)
    g_print ("no study is running on the session bus\n");
  return 0;
}
