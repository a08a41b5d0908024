/* The running study on a private session bus (the test runs under
 * dbus-run-session): a real `vernier run` exports it, a D-Bus client sees
 * its properties change and its signals, and stops or cancels it. */

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "vernier-core.h"
#include "vernier-dbus-generated.h"
#include "vernier-test-util.h"

#define STUDY_PATH "/io/github/vernier/Vernier/Study/bus_20demo"

typedef struct
{
  gchar        *tmpdir;
  gchar        *study_file;
  GSubprocess  *process;
  gchar        *bus_name;
  GArray       *finished_numbers;  /* TrialFinished, in order */
  GArray       *finished_seen;     /* the Finished property, as it changed */
  gchar        *end_state;         /* StudyFinished */
  gboolean      exited;
  gboolean      cancelled;         /* Cancel was called: trials may fail */
  gpointer      extra;             /* a test's own state */
  gpointer      proxy;             /* borrowed, while a test watches it */
  gint          exit_status;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("vernier-dbus-XXXXXX", &error);
  g_assert_no_error (error);
  f->study_file = vt_write_file (f->tmpdir, "bus.ini",
                                 "[study]\nname=bus demo\ntrials=40\nstorage=memory\n"
                                 "[param x]\ntype=float\nlow=0\nhigh=1\n"
                                 "[tuner]\nplugin=random\n"
                                 "[trainer]\nplugin=mock\nlatency=100ms\n");
  f->finished_numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  f->finished_seen = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->process != NULL && !f->exited)
    g_subprocess_force_exit (f->process);
  g_clear_object (&f->process);
  vt_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->study_file);
  g_free (f->bus_name);
  g_free (f->end_state);
  g_array_unref (f->finished_numbers);
  g_array_unref (f->finished_seen);
}

/* Iterates until @done says so, failing the test after 20 s. */
static void
run_until (Fixture   *f,
           gboolean (*done) (Fixture *f))
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (f))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Fixture *f = data;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL));
  f->exited = TRUE;
  f->exit_status = g_subprocess_get_if_exited (G_SUBPROCESS (source))
    ? g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
}

/* The user's settings (GSettings, keyfile backend) for the vernier
 * processes a launcher starts: @keys are lines of the schema's group. */
static void
set_user_settings (Fixture             *f,
                   GSubprocessLauncher *launcher,
                   const gchar         *keys)
{
  g_autofree gchar *config = g_build_filename (f->tmpdir, "config", NULL);
  g_autofree gchar *dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree gchar *contents = g_strdup_printf ("[io/github/vernier/Vernier]\n%s\n", keys);
  g_autofree gchar *path = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = vt_write_file (dir, "keyfile", contents);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
}

static void
start_vernier_with (Fixture     *f,
                    const gchar *settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);

  if (settings != NULL)
    set_user_settings (f, launcher, settings);

  f->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("VERNIER_BINARY"),
                                            "run", f->study_file, NULL);
  g_assert_no_error (error);
  f->bus_name = g_strdup_printf ("io.github.vernier.Vernier.Run_%s",
                                 g_subprocess_get_identifier (f->process));
  g_subprocess_wait_async (f->process, NULL, on_exited, f);
}

static void
start_vernier (Fixture *f)
{
  start_vernier_with (f, NULL);
}

static gboolean
name_owned (Fixture *f)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", f->bus_name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);
  return has;
}

static void
on_trial_finished (VernierDBusStudy1 *study,
                   guint              number,
                   const gchar       *state,
                   gdouble            value,
                   const gchar       *params,
                   Fixture           *f)
{
  g_autoptr(JsonObject) object = vt_parse_object (params);

  /* A cancelled trial fails (with no value); the others complete. */
  if (f->cancelled && g_str_equal (state, "failed"))
    g_assert_true (isnan (value));
  else
    {
      g_assert_cmpstr (state, ==, "complete");
      g_assert_true (value >= 0 && value <= 1);
    }
  g_assert_true (json_object_has_member (object, "x"));
  g_array_append_val (f->finished_numbers, number);
}

static void
on_finished_changed (GObject    *object,
                     GParamSpec *pspec,
                     Fixture    *f)
{
  g_autoptr(GVariant) cached = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (object), "Finished");
  guint finished;

  /* When the process leaves the bus, the cached properties go. */
  if (cached == NULL)
    return;
  finished = g_variant_get_uint32 (cached);
  g_array_append_val (f->finished_seen, finished);
}

static void
on_study_finished (VernierDBusStudy1 *study,
                   const gchar       *state,
                   const gchar       *error,
                   Fixture           *f)
{
  g_free (f->end_state);
  f->end_state = g_strdup (state);
}

static gboolean
three_finished (Fixture *f)
{
  return f->finished_numbers->len >= 3;
}

static gboolean
over (Fixture *f)
{
  return f->exited && f->end_state != NULL;
}

static VernierDBusStudy1 *
connect_study (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  VernierDBusStudy1 *study;

  run_until (f, name_owned);
  study = vernier_dbus_study1_proxy_new_for_bus_sync (G_BUS_TYPE_SESSION, G_DBUS_PROXY_FLAGS_NONE,
                                                      f->bus_name, STUDY_PATH, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vernier_dbus_study1_get_name (study), ==, "bus demo");
  g_assert_cmpuint (vernier_dbus_study1_get_budget (study), ==, 40);
  g_signal_connect (study, "trial-finished", G_CALLBACK (on_trial_finished), f);
  g_signal_connect (study, "notify::finished", G_CALLBACK (on_finished_changed), f);
  g_signal_connect (study, "study-finished", G_CALLBACK (on_study_finished), f);
  return study;
}

static gchar *
vernier_output (const gchar *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  gchar *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              g_getenv ("VERNIER_BINARY"), command, "--json", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(VernierDBusStudy1) study = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *status = NULL;
  g_autoptr(JsonNode) listed = NULL;

  start_vernier (f);
  study = connect_study (f);
  run_until (f, three_finished);

  /* vernier status lists it while it runs. */
  status = vernier_output ("status");
  listed = json_from_string (status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (listed)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (listed), 0), "name"),
                   ==, "bus demo");

  g_assert_true (vernier_dbus_study1_call_stop_sync (study, NULL, &error));
  g_assert_no_error (error);
  run_until (f, over);

  /* It ended cleanly, well before its budget, and a client saw every trial
   * finish, in order, with the property following. */
  g_assert_cmpint (f->exit_status, ==, 0);
  g_assert_cmpstr (f->end_state, ==, "finished");
  g_assert_cmpuint (f->finished_numbers->len, <, 40);
  for (guint i = 0; i < f->finished_numbers->len; i++)
    g_assert_cmpuint (g_array_index (f->finished_numbers, guint, i), ==, i);
  g_assert_cmpuint (f->finished_seen->len, >=, 2);
  for (guint i = 1; i < f->finished_seen->len; i++)
    g_assert_cmpuint (g_array_index (f->finished_seen, guint, i), >, g_array_index (f->finished_seen, guint, i - 1));
  g_assert_cmpuint (g_array_index (f->finished_seen, guint, f->finished_seen->len - 1), ==,
                    f->finished_numbers->len);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(VernierDBusStudy1) study = NULL;
  g_autoptr(GError) error = NULL;

  start_vernier (f);
  study = connect_study (f);
  run_until (f, three_finished);
  f->cancelled = TRUE;
  g_assert_true (vernier_dbus_study1_call_cancel_sync (study, NULL, &error));
  g_assert_no_error (error);
  run_until (f, over);
  /* Cancelled: the study failed (exit 1), its running trial was stopped. */
  g_assert_cmpint (f->exit_status, ==, 1);
  g_assert_cmpstr (f->end_state, ==, "failed");
}

static void
test_no_bus (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  const gchar *first;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("VERNIER_BINARY"), "run",
                                         f->study_file, "--set", "study.trials=3",
                                         "--set", "trainer.latency=0", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  vt_assert_contains (out, "finished after 3 trials");
  first = strstr (err, "not shown on D-Bus");
  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, "not shown on D-Bus"));
}

/* ---- a notification server on the private bus ------------------------ */

static const gchar notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "<arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "</interface></node>";

typedef struct
{
  GPtrArray *summaries;
  GPtrArray *bodies;
  gboolean   owned;
} Notifications;

static void
on_notifications_call (GDBusConnection       *connection,
                       const gchar           *sender,
                       const gchar           *path,
                       const gchar           *interface,
                       const gchar           *method,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               data)
{
  Notifications *n = data;

  if (g_str_equal (method, "Notify"))
    {
      const gchar *summary, *body;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (n->summaries, g_strdup (summary));
      g_ptr_array_add (n->bodies, g_strdup (body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n->summaries->len));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const gchar *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "vernier", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
on_notifications_owned (GDBusConnection *connection,
                        const gchar     *name,
                        gpointer         data)
{
  ((Notifications *) data)->owned = TRUE;
}

static gboolean
notifications_ready (Fixture *f)
{
  return ((Notifications *) f->extra)->owned;
}

static gboolean
notified_twice_and_exited (Fixture *f)
{
  return f->exited && ((Notifications *) f->extra)->summaries->len >= 2;
}

/* The notify observer: a notification on each new best, and one at the
 * end with the best value, received by a notification server. */
static gboolean
exited (Fixture *f)
{
  return f->exited;
}

static void
test_notify (Fixture       *f,
             gconstpointer  data)
{
  gboolean silenced = data != NULL;
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree gchar *study = NULL;
  Notifications n = { g_ptr_array_new_with_free_func (g_free),
                      g_ptr_array_new_with_free_func (g_free), FALSE };
  guint registration, owner;
  const gchar *last_summary, *last_body;
  gchar *best_line;

  registration = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                    info->interfaces[0], &vtable, &n, NULL, &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                        G_BUS_NAME_OWNER_FLAGS_NONE,
                                        on_notifications_owned, NULL, &n, NULL);
  f->extra = &n;
  run_until (f, notifications_ready);

  study = vt_write_file (f->tmpdir, "notify.ini",
                         "[study]\nname=bus demo\ntrials=6\nstorage=memory\nseed=3\n"
                         "[param x]\ntype=float\nlow=0\nhigh=1\n"
                         "[tuner]\nplugin=random\n[trainer]\nplugin=mock\n"
                         "[observer desktop]\nplugin=notify\non-new-best=true\n");
  if (silenced)
    set_user_settings (f, launcher, "notifications=false");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("VERNIER_BINARY"),
                                         "run", study, "--json", NULL);
  g_assert_no_error (error);
  f->process = g_object_ref (process);
  g_subprocess_wait_async (process, NULL, on_exited, f);
  if (silenced)
    {
      /* The user turned notifications off: the server hears nothing. */
      run_until (f, exited);
      for (guint i = 0; i < 50; i++)
        g_main_context_iteration (NULL, FALSE);
      g_assert_cmpint (f->exit_status, ==, 0);
      g_assert_cmpuint (n.summaries->len, ==, 0);
      f->extra = NULL;
      g_bus_unown_name (owner);
      g_dbus_connection_unregister_object (bus, registration);
      g_ptr_array_unref (n.summaries);
      g_ptr_array_unref (n.bodies);
      return;
    }
  run_until (f, notified_twice_and_exited);
  g_assert_cmpint (f->exit_status, ==, 0);
  /* Notifications are sent before the process exits; let the last ones in. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  /* The last one says the study finished, with the best value the
   * program printed; the ones before announced new bests. */
  g_assert_cmpuint (n.summaries->len, >=, 2);
  last_summary = g_ptr_array_index (n.summaries, n.summaries->len - 1);
  last_body = g_ptr_array_index (n.bodies, n.bodies->len - 1);
  g_assert_cmpstr (last_summary, ==, "Study 'bus demo' finished");
  for (guint i = 0; i + 1 < n.summaries->len; i++)
    g_assert_cmpstr (g_ptr_array_index (n.summaries, i), ==, "New best in study 'bus demo'");
  {
    g_autoptr(GInputStream) stdout_pipe = g_object_ref (g_subprocess_get_stdout_pipe (process));
    gchar buffer[4096];
    gssize len = g_input_stream_read (stdout_pipe, buffer, sizeof buffer - 1, NULL, NULL);
    g_autoptr(JsonObject) result = NULL;
    g_autofree gchar *expected = NULL;

    g_assert_cmpint (len, >, 0);
    buffer[len] = '\0';
    result = vt_parse_object (buffer);
    expected = g_strdup_printf ("Best value = %.10g (trial %" G_GINT64_FORMAT ")",
                                json_object_get_double_member (json_object_get_object_member (result, "best"), "value"),
                                json_object_get_int_member (json_object_get_object_member (result, "best"), "number"));
    best_line = strstr (last_body, expected);
    if (best_line == NULL)
      g_test_message ("'%s' not in '%s'", expected, last_body);
    g_assert_nonnull (best_line);
  }

  f->extra = NULL;
  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (bus, registration);
  g_ptr_array_unref (n.summaries);
  g_ptr_array_unref (n.bodies);
}

static void
on_running_changed (GObject    *object,
                    GParamSpec *pspec,
                    Fixture    *f)
{
  g_autoptr(GVariant) cached = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (object), "Running");

  if (cached != NULL && g_variant_get_uint32 (cached) > GPOINTER_TO_UINT (f->extra))
    f->extra = GUINT_TO_POINTER (g_variant_get_uint32 (cached));
}

static gboolean
three_running (Fixture *f)
{
  /* Changes within one iteration of its loop reach us as one: look at
   * the value as it is, too. */
  if (f->proxy != NULL)
    on_running_changed (G_OBJECT (f->proxy), NULL, f);
  return GPOINTER_TO_UINT (f->extra) >= 3;
}

/* The user's `parallel` setting is the default of study files without
 * their own parallel= (this one has none). */
static void
test_parallel_setting (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(VernierDBusStudy1) study = NULL;
  g_autoptr(GError) error = NULL;

  start_vernier_with (f, "parallel=3");
  study = connect_study (f);
  g_signal_connect (study, "notify::running", G_CALLBACK (on_running_changed), f);
  f->proxy = study;
  run_until (f, three_running);
  f->proxy = NULL;
  f->cancelled = TRUE;
  g_assert_true (vernier_dbus_study1_call_cancel_sync (study, NULL, &error));
  g_assert_no_error (error);
  run_until (f, over);
  f->extra = NULL;
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/vernier/dbus/stop", Fixture, NULL, fixture_set_up, test_stop, fixture_tear_down);
  g_test_add ("/vernier/dbus/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/vernier/dbus/no-bus", Fixture, NULL, fixture_set_up, test_no_bus, fixture_tear_down);
  g_test_add ("/vernier/dbus/notify", Fixture, NULL, fixture_set_up, test_notify, fixture_tear_down);
  g_test_add ("/vernier/dbus/notify-off", Fixture, "off", fixture_set_up, test_notify, fixture_tear_down);
  g_test_add ("/vernier/dbus/parallel-setting", Fixture, NULL, fixture_set_up, test_parallel_setting,
              fixture_tear_down);

  return g_test_run ();
}
