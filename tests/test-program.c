/* End-to-end tests of the `vernier` program: the built binary
 * ($VERNIER_BINARY) run with GSubprocess in a temporary directory per test,
 * on study files written there, with the child scripts of
 * tests/data/program/ as trainers. */

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#endif

#include <glib/gstdio.h>

#include "vernier-core.h"
#include "vernier-test-util.h"

/* How long the tests wait, at most, for something that should happen at
 * once: a trial to start, a killed process to disappear. A bound so that a
 * bug fails the test instead of hanging it; never a measure of speed. */
#define WAIT_LIMIT_USEC (20 * G_USEC_PER_SEC)
#define POLL_USEC       (50 * 1000)

typedef struct
{
  gchar *tmpdir;
  gchar *datadir;
} Fixture;


static const struct
{
  const gchar *name;
  const gchar *kind;
} builtin_plugins[] = {
  { "grid", "tuner" },
  { "random", "tuner" },
  { "mock", "trainer" },
  { "benchmark", "trainer" },
  { "command", "trainer" },
  { "log", "observer" },
  { "jsonl", "observer" },
  { "progress", "observer" },
};

/* ---- fixture ---------------------------------------------------------- */


static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tmpdir = vt_make_tmp_dir ("program");
  f->datadir = vt_data_dir ("program");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  vt_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->datadir);
}

static gchar *
tmp_path (Fixture     *f,
          const gchar *name)
{
  return g_build_filename (f->tmpdir, name, NULL);
}

static gchar *
write_tmp (Fixture     *f,
           const gchar *name,
           const gchar *contents)
{
  return vt_write_file (f->tmpdir, name, contents);
}

static gchar *
source_path (const gchar *first,
             ...)
{
  const gchar *root = g_getenv ("VERNIER_SOURCE_ROOT");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const gchar *part;
  va_list args;

  g_assert_nonnull (root);
  g_ptr_array_add (parts, (gpointer) root);
  va_start (args, first);
  for (part = first; part != NULL; part = va_arg (args, const gchar *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((gchar **) parts->pdata);
}

/* Whether @pid is gone: no such process, not even a zombie. Waits a
 * bounded time for a process that was just killed to disappear. */
static gboolean
process_gone (pid_t pid)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_USEC;

  for (;;)
    {
      if (kill (pid, 0) == -1 && errno == ESRCH)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (POLL_USEC);
    }
}

/* ---- running vernier -------------------------------------------------- */

static GSubprocess *
spawn_vernierv (Fixture             *f,
                const gchar * const *args)
{
  const gchar *binary = g_getenv ("VERNIER_BINARY");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, f->tmpdir);

  return vt_spawn_tracked (launcher, (const gchar * const *) argv->pdata);
}



/* Runs `vernier ARGS…` (NULL-terminated) in the fixture's directory. */
G_GNUC_NULL_TERMINATED
static void
run_vernier (Fixture *f,
             VtOutcome *o,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  const gchar *arg;
  va_list ap;

  va_start (ap, o);
  while ((arg = va_arg (ap, const gchar *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  process = spawn_vernierv (f, (const gchar * const *) args->pdata);
  vt_collect (process, o);
}

/* vernier exited normally (not killed by a signal: with
 * G_DEBUG=fatal-warnings a GLib warning aborts it) with @expected, and
 * printed no GLib warning or critical. */
static void
assert_exit (VtOutcome *o,
             gint     expected)
{
  if (!o->exited || o->status != expected)
    g_test_message ("exited %d, status %d, signal %d\nstdout:\n%s\nstderr:\n%s",
                    o->exited, o->status, o->term_sig, o->out, o->err);
  g_assert_true (o->exited);
  g_assert_cmpint (o->term_sig, ==, 0);
  g_assert_cmpint (o->status, ==, expected);
  g_assert_null (strstr (o->err, "CRITICAL"));
  g_assert_null (strstr (o->err, "WARNING"));
}


/* Whether @text is exactly one JSON object or array, blanks around it
 * aside: json-glib would accept a second value after the first. */
static gboolean
is_single_json_value (const gchar *text)
{
  const gchar *p = text;
  gint depth = 0;
  gboolean in_string = FALSE;
  gboolean closed = FALSE;

  while (g_ascii_isspace (*p))
    p++;
  if (*p != '{' && *p != '[')
    return FALSE;
  for (; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        depth++;
      else if (*p == '}' || *p == ']')
        depth--;
      if (depth == 0 && !in_string)
        {
          closed = TRUE;
          p++;
          break;
        }
    }
  while (g_ascii_isspace (*p))
    p++;
  return closed && *p == '\0';
}

/* The single JSON object vernier printed on stdout. */
static JsonObject *
parse_object (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!is_single_json_value (text))
    g_test_message ("not one JSON value:\n%s", text);
  g_assert_true (is_single_json_value (text));
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static gint64
get_int_member (JsonObject  *object,
                const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static const gchar *
get_string_member (JsonObject  *object,
                   const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  return json_node_get_string (node);
}

static JsonObject *
get_object_member (JsonObject  *object,
                   const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* The seed a result reports, as text: a JSON string, or an integer. */
static gchar *
dup_seed_text (JsonObject *result)
{
  JsonNode *seed = json_object_get_member (result, "seed");

  g_assert_nonnull (seed);
  if (json_node_get_value_type (seed) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (seed));
  g_assert_cmpint (json_node_get_value_type (seed), ==, G_TYPE_INT64);
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (seed));
}

/* Sum of the result's trial counts, after checking each state's count. */
static gint64
count_trials (JsonObject *result)
{
  JsonObject *trials = get_object_member (result, "trials");
  static const gchar *states[] = { "complete", "pruned", "failed", "timed-out" };
  gint64 sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      gint64 n = get_int_member (trials, states[i]);

      g_assert_cmpint (n, >=, 0);
      sum += n;
    }
  return sum;
}

static gint64
count_state (JsonObject  *result,
             const gchar *state)
{
  return get_int_member (get_object_member (result, "trials"), state);
}

/* A study with a random tuner and the mock trainer; @extra_study and
 * @extra_trainer are lines appended to those groups. */
static gchar *
mock_study (const gchar *name,
            const gchar *extra_study,
            const gchar *extra_trainer)
{
  return g_strdup_printf ("[study]\n"
                          "name=%s\n"
                          "trials=5\n"
                          "seed=1\n"
                          "%s"
                          "\n"
                          "[param x]\n"
                          "type=float\n"
                          "low=0\n"
                          "high=1\n"
                          "\n"
                          "[tuner]\n"
                          "plugin=random\n"
                          "\n"
                          "[trainer]\n"
                          "plugin=mock\n"
                          "%s",
                          name, extra_study, extra_trainer);
}

/* Replaces the first @from in @text (consumed) with @to. */
static gchar *
replace_once (gchar       *text,
              const gchar *from,
              const gchar *to)
{
  g_autoptr(GString) s = g_string_new (text);

  g_free (text);
  g_assert_nonnull (strstr (s->str, from));
  g_string_replace (s, from, to, 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* A study whose trainer runs `/bin/sh DATADIR/SCRIPT ARGS` with the
 * command trainer, over one float parameter x. */
static gchar *
command_study (Fixture     *f,
               const gchar *name,
               const gchar *study_lines,
               const gchar *script_and_args)
{
  return g_strdup_printf ("[study]\n"
                          "name=%s\n"
                          "seed=7\n"
                          "%s"
                          "\n"
                          "[param x]\n"
                          "type=float\n"
                          "low=0\n"
                          "high=1\n"
                          "\n"
                          "[tuner]\n"
                          "plugin=random\n"
                          "\n"
                          "[trainer]\n"
                          "plugin=command\n"
                          "argv=/bin/sh;%s/%s\n",
                          name, study_lines, f->datadir, script_and_args);
}

/* ---- processes -------------------------------------------------------- */

/* The pids sleeper.sh wrote to pid.N files in the fixture's directory:
 * the shell and its sleep. Returns how many files there were. */
static guint
read_sleeper_pids (Fixture *f,
                   GArray  *pids)
{
  g_autoptr(GDir) dir = g_dir_open (f->tmpdir, 0, NULL);
  const gchar *name;
  guint n_files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = NULL;
      g_autofree gchar *text = NULL;
      g_auto(GStrv) fields = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_prefix (name, "pid.") || g_str_has_suffix (name, ".tmp"))
        continue;
      path = tmp_path (f, name);
      g_file_get_contents (path, &text, NULL, &error);
      g_assert_no_error (error);
      fields = g_strsplit (g_strstrip (text), " ", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      for (guint i = 0; i < 2; i++)
        {
          gint64 pid = g_ascii_strtoll (fields[i], NULL, 10);
          pid_t p;

          g_assert_cmpint (pid, >, 1);
          p = (pid_t) pid;
          g_array_append_val (pids, p);
        }
      n_files++;
    }
  return n_files;
}

static void
assert_all_gone (GArray *pids)
{
  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);

      if (!process_gone (pid))
        g_test_message ("process %d outlived the study", (int) pid);
      g_assert_true (process_gone (pid));
    }
}

/* ---- command line ----------------------------------------------------- */

static void
test_version (Fixture       *f,
              gconstpointer  data)
{
  g_auto(VtOutcome) o = { 0, };

  run_vernier (f, &o, "--version", NULL);
  assert_exit (&o, 0);
  g_assert_true (g_str_has_prefix (o.out, "vernier "));
  vt_assert_contains (o.out, VERNIER_VERSION_STRING);
}

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  const gchar *forms[] = { "--help", "-h", "help" };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_auto(VtOutcome) o = { 0, };

      run_vernier (f, &o, forms[i], NULL);
      assert_exit (&o, 0);
      vt_assert_contains (o.out, "Usage:");
      vt_assert_contains (o.out, "vernier COMMAND");
      vt_assert_contains (o.out, "run");
      vt_assert_contains (o.out, "plugins");
      vt_assert_contains (o.out, "inspect");
    }
}

static void
test_command_help (Fixture       *f,
                   gconstpointer  data)
{
  static const struct
  {
    const gchar *command;
    const gchar *argument;
  } commands[] = {
    { "run", "FILE" },
    { "plugins", NULL },
    { "inspect", "NAME" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree gchar *usage = g_strdup_printf ("vernier %s", commands[i].command);
      g_auto(VtOutcome) o = { 0, };

      run_vernier (f, &o, commands[i].command, "--help", NULL);
      assert_exit (&o, 0);
      vt_assert_contains (o.out, "Usage:");
      vt_assert_contains (o.out, usage);
      if (commands[i].argument != NULL)
        vt_assert_contains (o.out, commands[i].argument);
    }
}

/* `vernier help COMMAND` says what `vernier COMMAND --help` says. */
static void
test_help_alias (Fixture       *f,
                 gconstpointer  data)
{
  static const gchar *commands[] = { "run", "plugins", "inspect" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(VtOutcome) o = { 0, };
      g_auto(VtOutcome) h = { 0, };

      run_vernier (f, &o, commands[i], "--help", NULL);
      assert_exit (&o, 0);
      run_vernier (f, &h, "help", commands[i], NULL);
      assert_exit (&h, 0);
      g_assert_cmpstr (h.out, ==, o.out);
    }
}

static void
test_unknown_command (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(VtOutcome) o = { 0, };
  g_auto(VtOutcome) none = { 0, };

  run_vernier (f, &o, "frobnicate", NULL);
  assert_exit (&o, 2);
  vt_assert_contains (o.err, "frobnicate");
  /* Helpful: it says what the commands are. */
  vt_assert_contains (o.err, "run");
  vt_assert_contains (o.err, "inspect");
  g_assert_cmpstr (o.out, ==, "");

  run_vernier (f, &none, NULL);
  assert_exit (&none, 2);
  vt_assert_contains (none.err, "Usage:");
}

static void
test_run_without_file (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(VtOutcome) o = { 0, };
  g_auto(VtOutcome) two = { 0, };
  g_auto(VtOutcome) option = { 0, };

  run_vernier (f, &o, "run", NULL);
  assert_exit (&o, 2);
  vt_assert_contains (o.err, "file");
  vt_assert_contains (o.err, "--help");
  g_assert_cmpstr (o.out, ==, "");

  run_vernier (f, &two, "run", "a.ini", "b.ini", NULL);
  assert_exit (&two, 2);

  run_vernier (f, &option, "run", "--no-such-option", "a.ini", NULL);
  assert_exit (&option, 2);
  vt_assert_contains (option.err, "--no-such-option");
}

/* ---- plugins and inspect ---------------------------------------------- */

static void
test_plugins (Fixture       *f,
              gconstpointer  data)
{
  g_auto(VtOutcome) o = { 0, };
  g_auto(GStrv) lines = NULL;

  run_vernier (f, &o, "plugins", NULL);
  assert_exit (&o, 0);

  lines = g_strsplit (o.out, "\n", -1);
  for (guint i = 0; i < G_N_ELEMENTS (builtin_plugins); i++)
    {
      gboolean found = FALSE;

      for (guint l = 0; lines[l] != NULL && !found; l++)
        {
          g_auto(GStrv) words = g_strsplit_set (lines[l], " \t", -1);
          const gchar *first = NULL, *second = NULL;

          /* The first two words of the line: name, kind. */
          for (guint w = 0; words[w] != NULL; w++)
            if (words[w][0] != '\0')
              {
                if (first == NULL)
                  first = words[w];
                else if (second == NULL)
                  second = words[w];
              }
          found = first != NULL && second != NULL &&
                  g_str_equal (first, builtin_plugins[i].name) &&
                  g_str_equal (second, builtin_plugins[i].kind);
        }
      if (!found)
        g_test_message ("no line '%s %s' in:\n%s", builtin_plugins[i].name,
                        builtin_plugins[i].kind, o.out);
      g_assert_true (found);
    }
}

static void
test_plugins_json (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(VtOutcome) o = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  run_vernier (f, &o, "plugins", "--json", NULL);
  assert_exit (&o, 0);
  g_assert_true (is_single_json_value (o.out));
  root = json_from_string (o.out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_plugins); i++)
    {
      g_autofree gchar *provide = g_strdup_printf ("%s:%s", builtin_plugins[i].kind,
                                                   builtin_plugins[i].name);
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (array) && !found; j++)
        {
          JsonObject *plugin = json_array_get_object_element (array, j);
          JsonArray *provides;

          g_assert_nonnull (plugin);
          if (!g_str_equal (get_string_member (plugin, "name"), builtin_plugins[i].name))
            continue;
          provides = json_object_get_array_member (plugin, "provides");
          g_assert_nonnull (provides);
          for (guint k = 0; k < json_array_get_length (provides); k++)
            if (g_str_equal (json_array_get_string_element (provides, k), provide))
              found = TRUE;
          g_assert_cmpstr (get_string_member (plugin, "description"), !=, "");
        }
      if (!found)
        g_test_message ("%s not listed", provide);
      g_assert_true (found);
    }
}

static void
test_inspect_mock (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTypeClass) klass = NULL;
  g_auto(VtOutcome) o = { 0, };
  g_autofree gchar *default_text = NULL;
  g_autofree gchar *expected_default = NULL;
  GParamSpec *pspec;
  const gchar *at;
  GType type;

  /* The default as the plugin declares it, not as written here. */
  type = vernier_registry_lookup_type (registry, "trainer", "mock", &error);
  g_assert_no_error (error);
  klass = g_type_class_ref (type);
  pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), "latency");
  g_assert_nonnull (pspec);
  g_assert_true (vernier_param_spec_is_duration (pspec));
  default_text = vernier_format_duration (G_PARAM_SPEC_INT64 (pspec)->default_value);
  expected_default = g_strdup_printf ("default %s", default_text);

  run_vernier (f, &o, "inspect", "mock", NULL);
  assert_exit (&o, 0);
  vt_assert_contains (o.out, "trainer mock");

  /* The property's entry: its name, then its description. */
  at = strstr (o.out, "latency");
  g_assert_nonnull (at);
  vt_assert_contains (at, "duration");
  vt_assert_contains (at, expected_default);
  vt_assert_contains (o.out, "fail-rate");
}

static void
test_inspect_command (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(VtOutcome) o = { 0, };

  run_vernier (f, &o, "inspect", "command", NULL);
  assert_exit (&o, 0);
  vt_assert_contains (o.out, "trainer command");
  vt_assert_contains (o.out, "argv");
  vt_assert_contains (o.out, "list of strings");
}

static void
test_inspect_unknown (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(VtOutcome) o = { 0, };
  g_auto(VtOutcome) none = { 0, };

  run_vernier (f, &o, "inspect", "nosuch", NULL);
  assert_exit (&o, 2);
  vt_assert_contains (o.err, "nosuch");
  vt_assert_contains (o.err, "vernier plugins");

  run_vernier (f, &none, "inspect", NULL);
  assert_exit (&none, 2);
}

/* ---- run -------------------------------------------------------------- */

/* Checks a --json result against the study file it came from: the name,
 * the budget, the best trial's parameters within the [param] groups. */
static void
check_against_file (JsonObject  *result,
                    const gchar *path)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gchar *name = NULL;
  g_auto(GStrv) groups = NULL;
  JsonObject *best, *params;
  guint64 trials;
  guint n_params = 0;

  g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  name = g_key_file_get_string (kf, "study", "name", &error);
  g_assert_no_error (error);
  trials = g_key_file_get_uint64 (kf, "study", "trials", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trials, >, 0);

  g_assert_cmpstr (get_string_member (result, "study"), ==, name);
  g_assert_cmpstr (get_string_member (result, "state"), ==, "finished");
  g_assert_cmpint (count_trials (result), ==, (gint64) trials);
  g_assert_cmpint (count_state (result, "complete"), >, 0);

  best = get_object_member (result, "best");
  g_assert_cmpint (get_int_member (best, "number"), >=, 0);
  g_assert_cmpint (get_int_member (best, "number"), <, (gint64) trials);
  g_assert_true (isfinite (json_object_get_double_member (best, "value")));
  params = get_object_member (best, "params");

  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const gchar *param;
      g_autofree gchar *type = NULL;
      JsonNode *value;

      if (!g_str_has_prefix (groups[i], "param "))
        continue;
      param = groups[i] + strlen ("param ");
      type = g_key_file_get_string (kf, groups[i], "type", NULL);
      value = json_object_get_member (params, param);
      g_assert_nonnull (value);
      n_params++;

      if (g_strcmp0 (type, "float") == 0 || g_strcmp0 (type, "int") == 0)
        {
          gdouble low = g_key_file_get_double (kf, groups[i], "low", &error);
          gdouble high;
          gdouble v;

          g_assert_no_error (error);
          high = g_key_file_get_double (kf, groups[i], "high", &error);
          g_assert_no_error (error);
          g_assert_true (vernier_json_node_get_number (value, &v));
          g_assert_cmpfloat (v, >=, low);
          g_assert_cmpfloat (v, <=, high);
        }
    }
  g_assert_cmpuint (n_params, >, 0);
  g_assert_cmpuint (json_object_get_size (params), ==, n_params);
}

static void
test_run_quickstart_json (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree gchar *path = source_path ("data", "examples", "quickstart.ini", NULL);
  g_auto(VtOutcome) o = { 0, };
  g_autoptr(JsonObject) result = NULL;

  run_vernier (f, &o, "run", path, "--json", NULL);
  assert_exit (&o, 0);
  result = parse_object (o.out);
  check_against_file (result, path);
}

static gboolean
same_best (JsonObject *a,
           JsonObject *b)
{
  JsonObject *best_a = get_object_member (a, "best");
  JsonObject *best_b = get_object_member (b, "best");
  g_autoptr(JsonNode) params_a = json_node_init_object (json_node_alloc (),
                                                        get_object_member (best_a, "params"));
  g_autoptr(JsonNode) params_b = json_node_init_object (json_node_alloc (),
                                                        get_object_member (best_b, "params"));

  return get_int_member (best_a, "number") == get_int_member (best_b, "number") &&
         json_object_get_double_member (best_a, "value") ==
           json_object_get_double_member (best_b, "value") &&
         json_node_equal (params_a, params_b);
}

static void
test_run_deterministic (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree gchar *path = source_path ("data", "examples", "quickstart.ini", NULL);
  g_auto(VtOutcome) first = { 0, };
  g_auto(VtOutcome) second = { 0, };
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;
  g_autofree gchar *seed_a = NULL;
  g_autofree gchar *seed_b = NULL;

  run_vernier (f, &first, "run", path, "--json", NULL);
  run_vernier (f, &second, "run", path, "--json", NULL);
  assert_exit (&first, 0);
  assert_exit (&second, 0);
  a = parse_object (first.out);
  b = parse_object (second.out);
  seed_a = dup_seed_text (a);
  seed_b = dup_seed_text (b);
  g_assert_cmpstr (seed_a, ==, seed_b);
  g_assert_true (same_best (a, b));
}

static void
test_run_text (Fixture       *f,
               gconstpointer  data)
{
  g_autofree gchar *path = source_path ("data", "examples", "quickstart.ini", NULL);
  g_auto(VtOutcome) json = { 0, };
  g_auto(VtOutcome) text = { 0, };
  g_autoptr(JsonObject) result = NULL;
  g_autofree gchar *best_line = NULL;
  JsonObject *best;
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *value;

  run_vernier (f, &json, "run", path, "--json", NULL);
  assert_exit (&json, 0);
  result = parse_object (json.out);
  best = get_object_member (result, "best");

  run_vernier (f, &text, "run", path, NULL);
  assert_exit (&text, 0);
  g_assert_false (is_single_json_value (text.out));
  vt_assert_contains (text.out, "quickstart");
  best_line = g_strdup_printf ("Best trial %" G_GINT64_FORMAT,
                               get_int_member (best, "number"));
  vt_assert_contains (text.out, best_line);

  /* Every parameter of the best trial, by name, after that line. */
  json_object_iter_init (&iter, get_object_member (best, "params"));
  while (json_object_iter_next (&iter, &name, &value))
    {
      g_autofree gchar *param = g_strdup_printf ("%s = ", name);

      vt_assert_contains (strstr (text.out, best_line), param);
    }
}

static void
test_run_set_trials (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree gchar *path = source_path ("data", "examples", "quickstart.ini", NULL);
  g_auto(VtOutcome) o = { 0, };
  g_auto(VtOutcome) s = { 0, };
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(JsonObject) short_result = NULL;

  run_vernier (f, &o, "run", path, "--set", "study.trials=7", "--json", NULL);
  assert_exit (&o, 0);
  result = parse_object (o.out);
  g_assert_cmpint (count_trials (result), ==, 7);
  g_assert_cmpint (get_int_member (get_object_member (result, "best"), "number"), <, 7);

  run_vernier (f, &s, "run", path, "-s", "study.trials=3", "--json", NULL);
  assert_exit (&s, 0);
  short_result = parse_object (s.out);
  g_assert_cmpint (count_trials (short_result), ==, 3);
}

static void
test_run_set_malformed (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree gchar *path = source_path ("data", "examples", "quickstart.ini", NULL);
  const gchar *bad[] = { "study.trials", "trials=7", ".trials=7", "study.=7" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(VtOutcome) o = { 0, };

      run_vernier (f, &o, "run", path, "--set", bad[i], "--json", NULL);
      assert_exit (&o, 2);
      vt_assert_contains (o.err, bad[i]);
      vt_assert_contains (o.err, "GROUP.KEY=VALUE");
      g_assert_cmpstr (o.out, ==, "");
    }
}

static gchar *
writable_properties (const gchar *kind,
                     const gchar *name)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GTypeClass) klass = NULL;
  g_autofree GParamSpec **pspecs = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  GType type;
  guint n = 0;

  type = vernier_registry_lookup_type (registry, kind, name, &error);
  g_assert_no_error (error);
  klass = g_type_class_ref (type);
  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n);
  for (guint i = 0; i < n; i++)
    if (pspecs[i]->flags & G_PARAM_WRITABLE)
      g_strv_builder_add (builder, pspecs[i]->name);
  names = g_strv_builder_end (builder);
  g_assert_nonnull (names[0]);
  return g_strjoinv ("\n", names);
}

static void
test_run_config_errors (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree gchar *mock_properties = writable_properties ("trainer", "mock");
  g_auto(GStrv) mock_property_list = g_strsplit (mock_properties, "\n", -1);
  struct
  {
    const gchar *file;
    gchar       *contents;
    const gchar *expected[4];
    gboolean     list_mock_properties;
  } cases[] = {
    { "unknown-key.ini", mock_study ("unknown-key", "bogus=1\n", ""),
      { "[study]", "bogus", "trials", NULL }, FALSE },
    { "bad-parallel.ini", mock_study ("bad-parallel", "parallel=-3\n", ""),
      { "[study]", "parallel", "-3", NULL }, FALSE },
    { "unknown-plugin.ini", replace_once (mock_study ("unknown-plugin", "", ""),
                                          "plugin=random", "plugin=nosuch"),
      { "[tuner]", "plugin", "nosuch", NULL }, FALSE },
    { "bad-value.ini", mock_study ("bad-value", "", "latency=fast\n"),
      { "[trainer]", "latency", "fast", NULL }, FALSE },
    { "unknown-property.ini", mock_study ("unknown-property", "", "speed=3\n"),
      { "[trainer]", "speed", "mock", NULL }, TRUE },
    { "bad-param.ini", replace_once (mock_study ("bad-param", "", ""),
                                     "high=1", "high=one"),
      { "[param x]", "high", NULL }, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* written for its side effect: the study file the case runs */
      G_GNUC_UNUSED g_autofree gchar *path = write_tmp (f, cases[i].file, cases[i].contents);
      g_auto(VtOutcome) o = { 0, };

      g_test_message ("case %s", cases[i].file);
      /* Relative to the working directory: the message names the file as
       * the user wrote it. */
      run_vernier (f, &o, "run", cases[i].file, "--json", NULL);
      assert_exit (&o, 2);
      g_assert_cmpstr (o.out, ==, "");
      vt_assert_contains (o.err, cases[i].file);
      for (guint j = 0; cases[i].expected[j] != NULL; j++)
        vt_assert_contains (o.err, cases[i].expected[j]);
      if (cases[i].list_mock_properties)
        for (guint j = 0; mock_property_list[j] != NULL; j++)
          vt_assert_contains (o.err, mock_property_list[j]);
      g_free (cases[i].contents);
    }

  /* A file that is not there. */
  {
    g_auto(VtOutcome) o = { 0, };

    run_vernier (f, &o, "run", "missing.ini", NULL);
    assert_exit (&o, 2);
    vt_assert_contains (o.err, "missing.ini");
  }
}

static void
test_run_all_failed (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree gchar *contents = mock_study ("doomed", "", "fail-rate=1\n");
  g_autofree gchar *path = write_tmp (f, "doomed.ini", contents);
  g_auto(VtOutcome) o = { 0, };
  g_auto(VtOutcome) text = { 0, };
  g_autoptr(JsonObject) result = NULL;

  run_vernier (f, &o, "run", path, "--json", NULL);
  assert_exit (&o, 1);
  result = parse_object (o.out);
  g_assert_cmpstr (get_string_member (result, "state"), ==, "failed");
  g_assert_cmpstr (get_string_member (result, "error"), !=, "");
  g_assert_cmpint (count_state (result, "failed"), ==, 5);
  g_assert_cmpint (count_trials (result), ==, 5);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (result, "best")));

  run_vernier (f, &text, "run", path, NULL);
  assert_exit (&text, 1);
  vt_assert_contains (text.out, "doomed");
  g_assert_null (strstr (text.out, "Best trial"));
  vt_assert_contains (text.err, "failed");
}

/* The seed the result reports runs the same study again: a user
 * reproduces a run from its --json output. */
static void
test_run_seed_reproduces (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree gchar *contents = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *seed_text = NULL;
  g_autofree gchar *set_seed = NULL;
  g_autofree gchar *unseeded = NULL;
  g_auto(VtOutcome) first = { 0, };
  g_auto(VtOutcome) again = { 0, };
  g_autoptr(JsonObject) a = NULL;
  g_autoptr(JsonObject) b = NULL;

  /* A seed above G_MAXINT64: [study] seed takes any 64-bit number, and so
   * does the random seed of a study without one. */
  contents = replace_once (mock_study ("big-seed", "", ""),
                           "seed=1\n", "seed=18446744073709551557\n");
  path = write_tmp (f, "big-seed.ini", contents);

  run_vernier (f, &first, "run", path, "--json", NULL);
  assert_exit (&first, 0);
  a = parse_object (first.out);
  seed_text = dup_seed_text (a);
  g_test_message ("reported seed: %s", seed_text);
  g_assert_cmpstr (seed_text, ==, "18446744073709551557");

  /* Fed back, with the seed taken out of the file. */
  unseeded = replace_once (g_strdup (contents), "seed=18446744073709551557\n", "");
  g_free (path);
  path = write_tmp (f, "big-seed.ini", unseeded);
  set_seed = g_strdup_printf ("study.seed=%s", seed_text);
  run_vernier (f, &again, "run", path, "--set", set_seed, "--json", NULL);
  assert_exit (&again, 0);
  b = parse_object (again.out);
  g_assert_true (same_best (a, b));
}

/* ---- trials as processes ---------------------------------------------- */

typedef struct
{
  gdouble time;
  gint    delta;
} Event;

static gint
compare_events (gconstpointer a,
                gconstpointer b)
{
  const Event *x = a, *y = b;

  if (x->time < y->time)
    return -1;
  if (x->time > y->time)
    return 1;
  /* An interval that ends when another starts does not overlap it. */
  return x->delta - y->delta;
}

static void
test_run_parallel (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree gchar *contents = command_study (f, "parallel",
                                              "trials=6\nparallel=3\n",
                                              "record.sh;3");
  g_autofree gchar *path = write_tmp (f, "parallel.ini", contents);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (Event));
  g_autoptr(JsonObject) result = NULL;
  g_auto(VtOutcome) o = { 0, };
  gint running = 0, most = 0;

  run_vernier (f, &o, "run", path, "--json", NULL);
  assert_exit (&o, 0);
  result = parse_object (o.out);
  g_assert_cmpint (count_state (result, "complete"), ==, 6);

  for (guint i = 0; i < 6; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("times.%u", i);
      g_autofree gchar *times_path = tmp_path (f, name);
      g_autofree gchar *text = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) fields = NULL;
      Event start = { 0, +1 }, end = { 0, -1 };

      g_file_get_contents (times_path, &text, NULL, &error);
      g_assert_no_error (error);
      fields = g_strsplit (g_strstrip (text), " ", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      start.time = g_ascii_strtod (fields[0], NULL);
      end.time = g_ascii_strtod (fields[1], NULL);
      g_assert_cmpfloat (start.time, >, 0);
      g_assert_cmpfloat (end.time, >=, start.time);
      g_array_append_val (events, start);
      g_array_append_val (events, end);
    }

  g_array_sort (events, compare_events);
  for (guint i = 0; i < events->len; i++)
    {
      running += g_array_index (events, Event, i).delta;
      most = MAX (most, running);
    }
  g_assert_cmpint (running, ==, 0);
  g_test_message ("at most %d trials ran at once", most);
  g_assert_cmpint (most, ==, 3);
}

static void
test_run_timeout (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree gchar *contents = command_study (f, "slow",
                                              "trials=2\nparallel=2\ntrial-timeout=300ms\n",
                                              "sleeper.sh");
  g_autofree gchar *path = write_tmp (f, "slow.ini", contents);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr(JsonObject) result = NULL;
  g_auto(VtOutcome) o = { 0, };

  run_vernier (f, &o, "run", path, "--json", NULL);
  assert_exit (&o, 1);
  result = parse_object (o.out);
  g_assert_cmpstr (get_string_member (result, "state"), ==, "failed");
  g_assert_cmpint (count_state (result, "timed-out"), ==, 2);
  g_assert_cmpint (count_trials (result), ==, 2);
  vt_assert_contains (o.err, "timed out");
  /* The trainer gave the trials up itself, without the study abandoning
   * them after [study] cancel-grace. */
  g_assert_null (strstr (o.err, "abandoned"));

  g_assert_cmpuint (read_sleeper_pids (f, pids), >=, 1);
  assert_all_gone (pids);
}

static void
check_interrupt (Fixture     *f,
                 int          signum,
                 gboolean     json)
{
  g_autofree gchar *contents = command_study (f, "interrupted",
                                              "trials=4\nparallel=2\n",
                                              "sleeper.sh");
  g_autofree gchar *path = write_tmp (f, "interrupted.ini", contents);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr(GSubprocess) process = NULL;
  g_auto(VtOutcome) o = { 0, };
  const gchar *args_text[] = { "run", path, NULL };
  const gchar *args_json[] = { "run", path, "--json", NULL };
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_USEC;
  gboolean started = FALSE;
  guint n_started;

  process = spawn_vernierv (f, json ? args_json : args_text);

  /* Until a trial's process has written its pid. */
  while (!started && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) early = g_array_new (FALSE, FALSE, sizeof (pid_t));

      started = read_sleeper_pids (f, early) > 0;
      if (!started)
        g_usleep (POLL_USEC);
    }
  g_assert_true (started);

  g_subprocess_send_signal (process, signum);
  vt_collect (process, &o);
  assert_exit (&o, 128 + signum);

  /* The summary is still printed. */
  if (json)
    {
      g_autoptr(JsonObject) result = parse_object (o.out);

      g_assert_cmpstr (get_string_member (result, "state"), ==, "failed");
      vt_assert_contains (get_string_member (result, "error"),
                       signum == SIGINT ? "SIGINT" : "SIGTERM");
      g_assert_cmpint (count_state (result, "complete"), ==, 0);
    }
  else
    {
      vt_assert_contains (o.out, "Study 'interrupted'");
      vt_assert_contains (o.err, signum == SIGINT ? "SIGINT" : "SIGTERM");
    }

  g_assert_null (strstr (o.err, "abandoned"));

  /* No trial started after the signal, and none survived it. */
  n_started = read_sleeper_pids (f, pids);
  g_assert_cmpuint (n_started, >=, 1);
  g_assert_cmpuint (n_started, <=, 2);
  assert_all_gone (pids);
}

static void
test_run_sigint (Fixture       *f,
                 gconstpointer  data)
{
  check_interrupt (f, SIGINT, FALSE);
}

static void
test_run_sigterm (Fixture       *f,
                  gconstpointer  data)
{
  check_interrupt (f, SIGTERM, TRUE);
}

static void
test_run_shell_metacharacters (Fixture       *f,
                               gconstpointer  data)
{
  static const gchar *choices[] = {
    "a; rm -rf victim",
    "$(touch PWNED)",
    "`touch PWNED2`",
    "x > redirected",
  };
  g_autofree gchar *contents = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *victim = write_tmp (f, "victim", "still here");
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_auto(VtOutcome) o = { 0, };
  static const gchar *never[] = { "PWNED", "PWNED2", "redirected" };

  /* JSON strings in the key file's list; the ';' inside is escaped for
   * GKeyFile. */
  contents = g_strdup_printf ("[study]\n"
                              "name=quoting\n"
                              "trials=4\n"
                              "\n"
                              "[param mode]\n"
                              "type=categorical\n"
                              "choices=\"a\\; rm -rf victim\";\"$(touch PWNED)\";"
                              "\"`touch PWNED2`\";\"x > redirected\"\n"
                              "\n"
                              "[tuner]\n"
                              "plugin=grid\n"
                              "\n"
                              "[trainer]\n"
                              "plugin=command\n"
                              "argv=/bin/sh;%s/write-arg.sh;{mode}\n",
                              f->datadir);
  path = write_tmp (f, "quoting.ini", contents);

  run_vernier (f, &o, "run", path, "--json", NULL);
  assert_exit (&o, 0);
  result = parse_object (o.out);
  g_assert_cmpint (count_state (result, "complete"), ==, G_N_ELEMENTS (choices));

  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      g_autofree gchar *name = g_strdup_printf ("arg.%u", i);
      g_autofree gchar *arg_path = tmp_path (f, name);
      gchar *text = NULL;
      g_autoptr(GError) error = NULL;

      g_file_get_contents (arg_path, &text, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (seen, text);
    }
  /* Each value reached the program as one literal argument. */
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < seen->len; j++)
        if (g_str_equal (g_ptr_array_index (seen, j), choices[i]))
          found = TRUE;
      if (!found)
        g_test_message ("no trial received '%s'", choices[i]);
      g_assert_true (found);
    }

  g_assert_true (g_file_test (victim, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < G_N_ELEMENTS (never); i++)
    {
      g_autofree gchar *never_path = tmp_path (f, never[i]);

      g_assert_false (g_file_test (never_path, G_FILE_TEST_EXISTS));
    }
}

static guint
count_lines_with (const gchar *text,
                  const gchar *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;
  return n;
}

static void
check_misbehaving (Fixture     *f,
                   const gchar *choices,
                   guint        n_bad,
                   gboolean     one_ok)
{
  g_autofree gchar *contents = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_auto(VtOutcome) o = { 0, };

  contents = g_strdup_printf ("[study]\n"
                              "name=misbehaving\n"
                              "parallel=2\n"
                              "\n"
                              "[param behave]\n"
                              "type=categorical\n"
                              "choices=%s\n"
                              "\n"
                              "[tuner]\n"
                              "plugin=grid\n"
                              "\n"
                              "[trainer]\n"
                              "plugin=command\n"
                              "argv=/bin/sh;%s/misbehave.sh;{behave}\n",
                              choices, f->datadir);
  path = write_tmp (f, "misbehaving.ini", contents);

  run_vernier (f, &o, "run", path, "--json", NULL);
  /* Exited on its own, without a GLib warning or critical. */
  assert_exit (&o, one_ok ? 0 : 1);
  result = parse_object (o.out);

  /* The study went on past every bad trial. */
  g_assert_cmpint (count_state (result, "failed"), ==, n_bad);
  g_assert_cmpint (count_state (result, "complete"), ==, one_ok ? 1 : 0);
  g_assert_cmpint (count_trials (result), ==, n_bad + (one_ok ? 1 : 0));
  g_assert_cmpuint (count_lines_with (o.err, "vernier: trial "), ==, n_bad);
  vt_assert_contains (o.err, "signal");

  if (one_ok)
    {
      JsonObject *best = get_object_member (result, "best");

      g_assert_cmpstr (get_string_member (result, "state"), ==, "finished");
      g_assert_cmpfloat (json_object_get_double_member (best, "value"), ==, 2.5);
      g_assert_cmpstr (get_string_member (get_object_member (best, "params"), "behave"),
                       ==, "ok");
    }
  else
    {
      g_assert_cmpstr (get_string_member (result, "state"), ==, "failed");
      g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (result, "best")));
    }
}

static void
test_run_misbehaving (Fixture       *f,
                      gconstpointer  data)
{
  check_misbehaving (f, "crash;garbage;nothing;ok", 3, TRUE);
}

static void
test_run_all_misbehaving (Fixture       *f,
                          gconstpointer  data)
{
  check_misbehaving (f, "crash;garbage;nothing", 3, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* Orphans of vernier's trials come to this process. */
  vt_become_subreaper ();

  if (g_getenv ("VERNIER_BINARY") == NULL || g_getenv ("VERNIER_SOURCE_ROOT") == NULL)
    g_error ("VERNIER_BINARY and VERNIER_SOURCE_ROOT must be set: "
             "run this test with `meson test program`");

#define ADD(path, func) \
  g_test_add ("/vernier/program/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("version", test_version);
  ADD ("help", test_help);
  ADD ("command-help", test_command_help);
  ADD ("unknown-command", test_unknown_command);
  ADD ("run-without-file", test_run_without_file);
  ADD ("plugins", test_plugins);
  ADD ("plugins-json", test_plugins_json);
  ADD ("inspect-mock", test_inspect_mock);
  ADD ("inspect-command", test_inspect_command);
  ADD ("inspect-unknown", test_inspect_unknown);
  ADD ("run/quickstart-json", test_run_quickstart_json);
  ADD ("run/deterministic", test_run_deterministic);
  ADD ("run/text", test_run_text);
  ADD ("run/set-trials", test_run_set_trials);
  ADD ("run/set-malformed", test_run_set_malformed);
  ADD ("run/config-errors", test_run_config_errors);
  ADD ("run/all-failed", test_run_all_failed);
  ADD ("run/parallel", test_run_parallel);
  ADD ("run/timeout", test_run_timeout);
  ADD ("run/sigint", test_run_sigint);
  ADD ("run/sigterm", test_run_sigterm);
  ADD ("run/shell-metacharacters", test_run_shell_metacharacters);
  ADD ("run/misbehaving-trainers", test_run_misbehaving);
  ADD ("run/all-trainers-misbehave", test_run_all_misbehaving);
  ADD ("help/command-alias", test_help_alias);
  ADD ("json/seed-reproduces", test_run_seed_reproduces);

#undef ADD

  return g_test_run ();
}
