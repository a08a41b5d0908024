/* Tests of the command trainer, loaded through the registry and driven
 * with real child processes: the shell scripts in tests/data/command/. */

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vernier-core.h"

static VernierRegistry *registry;

typedef struct
{
  gchar          *tmpdir;
  gchar          *datadir;
  VernierContext *context;
  VernierTrainer *trainer;
} Fixture;

static VernierTrainer *
create_trainer (void)
{
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "trainer", "command", &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_TRAINER (object));
  return VERNIER_TRAINER (object);
}

/* A space with dimensions x (float), y (int) and name (categorical). */
static VernierSpace *
make_space (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(JsonArray) choices = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierDimension) x = NULL;
  g_autoptr(VernierDimension) y = NULL;
  g_autoptr(VernierDimension) name = NULL;

  json_array_add_string_element (choices, "adam");
  json_array_add_string_element (choices, "sgd");

  x = vernier_dimension_new_float ("x", 0, 1, FALSE, 0, &error);
  g_assert_no_error (error);
  y = vernier_dimension_new_int ("y", 0, 10, FALSE, 1, &error);
  g_assert_no_error (error);
  name = vernier_dimension_new_categorical ("name", choices, &error);
  g_assert_no_error (error);

  g_assert_true (vernier_space_add (space, x, &error));
  g_assert_true (vernier_space_add (space, y, &error));
  g_assert_true (vernier_space_add (space, name, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&space);
}

static VernierContext *
make_context (VernierSpace *space,
              const gchar  *base_dir)
{
  g_autoptr(VernierObjective) objective = NULL;

  objective = vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);
  return vernier_context_new ("command-test", space, objective, 42, base_dir);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierSpace) space = make_space ();

  f->tmpdir = g_dir_make_tmp ("vernier-command-XXXXXX", &error);
  g_assert_no_error (error);
  f->datadir = g_test_build_filename (G_TEST_DIST, "data", "command", NULL);
  f->context = make_context (space, f->datadir);
  f->trainer = create_trainer ();
}

static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->datadir);
  g_clear_object (&f->context);
  g_clear_object (&f->trainer);
}

static JsonObject *
params_from_json (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static VernierTrial *
new_trial (guint        number,
           const gchar *params_json)
{
  g_autoptr(JsonObject) params = params_from_json (params_json);
  VernierTrial *trial = vernier_trial_new (number, params);

  vernier_trial_mark_started (trial);
  return trial;
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
           const gchar *contents,
           gssize       len)
{
  g_autoptr(GError) error = NULL;
  gchar *path = tmp_path (f, name);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
prepare (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_no_error (error);
}

/* Makes the trainer run output.sh, which prints @stdout_text, prints
 * @stderr_text on standard error and exits with @status. */
static void
use_output (Fixture     *f,
            const gchar *stdout_text,
            gssize       stdout_len,
            gint         status,
            const gchar *stderr_text)
{
  g_autofree gchar *out = write_tmp (f, "stdout.txt", stdout_text, stdout_len);
  g_autofree gchar *err = write_tmp (f, "stderr.txt", stderr_text ? stderr_text : "", -1);
  g_autofree gchar *status_text = g_strdup_printf ("%d", status);
  const gchar *argv[] = { "/bin/sh", "output.sh", out, status_text, err, NULL };

  g_object_set (f->trainer, "argv", argv, NULL);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_trained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

typedef struct
{
  const gchar  *ready_path;
  GCancellable *cancellable;
  guint         poll_id;
} CancelWhenReady;

static gboolean
cancel_when_ready (gpointer user_data)
{
  CancelWhenReady *c = user_data;

  if (!g_file_test (c->ready_path, G_FILE_TEST_EXISTS))
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (c->cancellable);
  c->poll_id = 0;
  return G_SOURCE_REMOVE;
}

/* Runs @trial to the end; with @ready_path, cancels it once that file
 * exists (the child creates it when it is ready to be cancelled). */
static gboolean
train (Fixture       *f,
       VernierTrial  *trial,
       const gchar   *ready_path,
       GError       **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelWhenReady cancel = { ready_path, cancellable, 0 };
  Wait wait = { loop, NULL };
  gboolean ok;

  vernier_trainer_train_async (f->trainer, trial, cancellable, on_trained, &wait);
  if (ready_path != NULL)
    cancel.poll_id = g_timeout_add (10, cancel_when_ready, &cancel);
  g_main_loop_run (loop);
  g_clear_handle_id (&cancel.poll_id, g_source_remove);

  ok = vernier_trainer_train_finish (f->trainer, wait.result, error);
  g_object_unref (wait.result);
  return ok;
}

static gint64
get_int_attr (VernierTrial *trial,
              const gchar  *key)
{
  g_autoptr(JsonNode) node = vernier_trial_dup_user_attr (trial, key);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static gboolean
has_attr (VernierTrial *trial,
          const gchar  *key)
{
  g_autoptr(JsonNode) node = vernier_trial_dup_user_attr (trial, key);

  return node != NULL;
}

/* Whether a process is gone: no such process, or a zombie nobody reaped
 * yet (an orphan waiting for init). */
static gboolean
process_is_dead (pid_t pid)
{
  g_autofree gchar *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree gchar *stat = NULL;
  const gchar *state;

  if (kill (pid, 0) < 0 && errno == ESRCH)
    return TRUE;
  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return TRUE;
  /* "pid (comm) S ...": the state follows the last parenthesis. */
  state = strrchr (stat, ')');
  g_assert_nonnull (state);
  return state[2] == 'Z' || state[2] == 'X';
}

static pid_t
read_pid (Fixture     *f,
          const gchar *name)
{
  g_autofree gchar *path = tmp_path (f, name);
  g_autofree gchar *text = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pid;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  pid = g_ascii_strtoll (text, NULL, 10);
  g_assert_cmpint (pid, >, 1);
  return (pid_t) pid;
}

static void
test_json_value (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (0, "{\"x\": 0.5}");
  g_autoptr(GError) error = NULL;

  use_output (f,
              "starting\n"
              "{\"accuracy\": 0.9}\n"
              "{\"loss\": 0.75}\n"
              "  {\"loss\": 0.25, \"accuracy\": 0.95}  \n"
              "done\n", -1, 0, NULL);
  prepare (f);

  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vernier_trial_has_value (trial));
  g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 0.25);
  g_assert_cmpint (vernier_trial_get_n_reports (trial), ==, 0);
  g_assert_cmpint (get_int_attr (trial, "exit-status"), ==, 0);
  /* starting, the accuracy line, done */
  g_assert_cmpint (get_int_attr (trial, "ignored-lines"), ==, 3);
  g_assert_false (has_attr (trial, "signal"));
}

static void
test_intermediate (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (1, "{}");
  g_autoptr(GError) error = NULL;
  gint64 step;
  gdouble value;

  use_output (f,
              "{\"step\": 1, \"loss\": 3.5}\n"
              "{\"loss\": 2, \"step\": 2}\n"
              "{\"step\": 5, \"loss\": 1.25, \"lr\": 0.1}\n"
              "{\"loss\": 1.0}\n", -1, 0, NULL);
  prepare (f);

  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vernier_trial_get_n_reports (trial), ==, 3);
  g_assert_true (vernier_trial_get_report (trial, 0, &step, &value));
  g_assert_cmpint (step, ==, 1);
  g_assert_cmpfloat (value, ==, 3.5);
  g_assert_true (vernier_trial_get_report (trial, 1, &step, &value));
  g_assert_cmpint (step, ==, 2);
  g_assert_cmpfloat (value, ==, 2);
  g_assert_true (vernier_trial_get_report (trial, 2, &step, &value));
  g_assert_cmpint (step, ==, 5);
  g_assert_cmpfloat (value, ==, 1.25);
  g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 1.0);
}

/* Past max-reports, intermediate values are dropped and counted; the
 * final value is still read. */
static void
test_max_reports (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (1, "{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) dropped = NULL;
  gint64 step;
  gdouble value;

  use_output (f,
              "{\"step\": 1, \"loss\": 5}\n"
              "{\"step\": 2, \"loss\": 4}\n"
              "{\"step\": 3, \"loss\": 3}\n"
              "{\"step\": 3, \"loss\": 2.5}\n"
              "{\"step\": 4, \"loss\": 2}\n"
              "{\"step\": 5, \"loss\": 1}\n"
              "{\"loss\": 0.5}\n", -1, 0, NULL);
  g_object_set (f->trainer, "max-reports", 3, NULL);
  prepare (f);

  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vernier_trial_get_n_reports (trial), ==, 3);
  /* The last step kept may still be reported again. */
  g_assert_true (vernier_trial_get_last_report (trial, &step, &value));
  g_assert_cmpint (step, ==, 3);
  g_assert_cmpfloat (value, ==, 2.5);
  dropped = vernier_trial_dup_user_attr (trial, "dropped-reports");
  g_assert_nonnull (dropped);
  g_assert_cmpint (json_node_get_int (dropped), ==, 2);
  g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 0.5);
}

static void
test_regex (Fixture       *f,
            gconstpointer  data)
{
  const gchar *output =
    "epoch 1 val_loss=0.9 train_loss=1.2\n"
    "epoch 2 val_loss=0.4 train_loss=0.8\n"
    "epoch 3 val_loss=n/a\n"
    "finished\n";
  g_autoptr(GError) error = NULL;

  /* One unnamed group */
  {
    g_autoptr(VernierTrial) trial = new_trial (2, "{}");

    use_output (f, output, -1, 0, NULL);
    g_object_set (f->trainer, "regex", "val_loss=([0-9.]+)", NULL);
    prepare (f);
    g_assert_true (train (f, trial, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 0.4);
  }

  /* A group named value among others; the last match in a line wins */
  {
    g_autoptr(VernierTrial) trial = new_trial (3, "{}");

    g_object_set (f->trainer, "regex", "(val|train)_loss=(?<value>[0-9.]+)", NULL);
    prepare (f);
    g_assert_true (train (f, trial, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 0.8);
  }

  /* Invalid: the property is named */
  g_object_set (f->trainer, "regex", "val_loss=([0-9.]+", NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "'regex'"));
  g_clear_error (&error);

  /* Two groups, none named value: ambiguous */
  g_object_set (f->trainer, "regex", "(val|train)_loss=([0-9.]+)", NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "'regex'"));
  g_clear_error (&error);

  /* No group at all */
  g_object_set (f->trainer, "regex", "val_loss=[0-9.]+", NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
}

static void
test_plain_number (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* Alone on the last line, even without a newline and before blank lines */
  {
    g_autoptr(VernierTrial) trial = new_trial (4, "{}");

    use_output (f, "training...\n42\n -0.125 \n\n", -1, 0, NULL);
    prepare (f);
    g_assert_true (train (f, trial, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (vernier_trial_get_value (trial), ==, -0.125);
    g_assert_cmpint (get_int_attr (trial, "ignored-lines"), ==, 2);
  }
  {
    g_autoptr(VernierTrial) trial = new_trial (5, "{}");

    use_output (f, "{\"loss\": 5}\n7e-3", -1, 0, NULL);
    prepare (f);
    g_assert_true (train (f, trial, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 7e-3);
  }

  /* Not on the last line: not a value */
  {
    g_autoptr(VernierTrial) trial = new_trial (6, "{}");

    use_output (f, "0.5\nfinished\n", -1, 0, NULL);
    prepare (f);
    g_assert_false (train (f, trial, NULL, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
    g_assert_false (vernier_trial_has_value (trial));
    g_clear_error (&error);
  }
}

static void
test_placeholders (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierTrial) trial = NULL;
  g_autoptr(JsonObject) params = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) expected_argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *out = tmp_path (f, "argv.json");
  g_autofree gchar *out_env = g_strconcat ("VERNIER_TEST_OUT=", out, NULL);
  g_autofree gchar *pwned = tmp_path (f, "pwned");
  g_autofree gchar *removed = tmp_path (f, "x");
  g_autofree gchar *meta = NULL;
  g_autofree gchar *argv_json = NULL;
  g_autofree gchar *expected_json = NULL;
  g_autofree gchar *text = NULL;
  const gchar *env[] = { out_env, NULL };
  const gchar *argv[] = {
    "/bin/sh", "echo-argv.sh",
    "--x={x}", "{y}", "{name}-{{literal}}", "{x}{y}", "{cfg}", "{flag}",
    "{meta}", "{nothing}", "{{{name}}}", "", "plain", "{big}", NULL
  };

  meta = g_strdup_printf ("; rm -rf %s $(touch %s) `touch %s` | & > \"' \\ *",
                          removed, pwned, pwned);
  g_file_set_contents (removed, "", 0, &error);
  g_assert_no_error (error);

  /* A space of explicit candidates only: placeholders are checked per
   * trial. */
  {
    g_autoptr(JsonObject) o = json_object_new ();
    g_autoptr(JsonObject) cfg = params_from_json ("{\"a\": [1, 2], \"b\": \"c\"}");

    json_object_set_double_member (o, "x", 0.1);
    json_object_set_int_member (o, "y", 3);
    json_object_set_string_member (o, "name", "adam");
    json_object_set_object_member (o, "cfg", json_object_ref (cfg));
    json_object_set_boolean_member (o, "flag", TRUE);
    json_object_set_string_member (o, "meta", meta);
    json_object_set_null_member (o, "nothing");
    json_object_set_double_member (o, "big", 1e300);
    params = g_steal_pointer (&o);
  }
  g_assert_true (vernier_space_add_candidate (space, params, &error));
  g_assert_no_error (error);
  g_clear_object (&f->context);
  f->context = make_context (space, f->datadir);

  g_object_set (f->trainer, "argv", argv, "env", env, NULL);
  prepare (f);
  trial = vernier_trial_new (9, params);
  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);

  g_file_get_contents (out, &text, NULL, &error);
  g_assert_no_error (error);
  result = json_from_string (text, &error);
  g_assert_no_error (error);

  {
    g_autoptr(JsonArray) a = json_array_new ();
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

    json_array_add_string_element (a, "--x=0.1");
    json_array_add_string_element (a, "3");
    json_array_add_string_element (a, "adam-{literal}");
    json_array_add_string_element (a, "0.13");
    json_array_add_string_element (a, "{\"a\":[1,2],\"b\":\"c\"}");
    json_array_add_string_element (a, "true");
    json_array_add_string_element (a, meta);
    json_array_add_string_element (a, "null");
    json_array_add_string_element (a, "{adam}");
    json_array_add_string_element (a, "");
    json_array_add_string_element (a, "plain");
    json_array_add_string_element (a, "1e+300");
    json_node_set_array (node, a);
    expected_argv = g_steal_pointer (&node);
  }
  expected_json = json_to_string (expected_argv, FALSE);
  argv_json = json_to_string (json_object_get_member (json_node_get_object (result), "argv"), FALSE);
  g_assert_cmpstr (argv_json, ==, expected_json);

  /* Nothing of the metacharacters ran */
  g_assert_false (g_file_test (pwned, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (removed, G_FILE_TEST_EXISTS));
}

static void
test_placeholder_unknown (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const gchar *argv[] = { "/bin/sh", "output.sh", "--z={zeta}", NULL };

  /* A space with dimensions: caught by prepare */
  g_object_set (f->trainer, "argv", argv, NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "{zeta}"));
  g_clear_error (&error);

  /* Candidates only: the trial fails */
  {
    g_autoptr(VernierSpace) space = vernier_space_new ();
    g_autoptr(JsonObject) candidate = params_from_json ("{\"alpha\": 1}");
    g_autoptr(VernierTrial) trial = new_trial (4, "{\"alpha\": 1}");

    g_assert_true (vernier_space_add_candidate (space, candidate, &error));
    g_clear_object (&f->context);
    f->context = make_context (space, f->datadir);
    prepare (f);

    g_assert_false (train (f, trial, NULL, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
    g_assert_nonnull (strstr (error->message, "{zeta}"));
    g_assert_true (g_str_has_prefix (error->message, "trial 4: "));
    g_clear_error (&error);
  }
}

static void
test_placeholder_syntax (Fixture       *f,
                         gconstpointer  data)
{
  const gchar *bad[] = { "--x={x", "--x=x}", "{}", "{{x}", "{a{b}}" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const gchar *argv[] = { "/bin/sh", bad[i], NULL };

      g_object_set (f->trainer, "argv", argv, NULL);
      g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
      g_assert_nonnull (strstr (error->message, "'argv'"));
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
    }

  /* Empty */
  {
    const gchar *empty[] = { NULL };

    g_object_set (f->trainer, "argv", empty, NULL);
    g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
    g_assert_nonnull (strstr (error->message, "'argv'"));
    g_clear_error (&error);
  }
  g_object_set (f->trainer, "argv", NULL, NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
}

static void
test_placeholder_inactive (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(JsonArray) choices = json_array_new ();
  g_autoptr(VernierDimension) optimizer = NULL;
  g_autoptr(VernierDimension) momentum = NULL;
  g_autoptr(JsonNode) sgd = json_node_init_string (json_node_alloc (), "sgd");
  g_autoptr(VernierTrial) trial = new_trial (2, "{\"optimizer\": \"adam\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree gchar *out = tmp_path (f, "argv.json");
  g_autofree gchar *out_env = g_strconcat ("VERNIER_TEST_OUT=", out, NULL);
  g_autofree gchar *text = NULL;
  g_autofree gchar *argv_json = NULL;
  const gchar *env[] = { out_env, NULL };
  const gchar *argv[] = { "/bin/sh", "echo-argv.sh", "{optimizer}", "--momentum={momentum}", NULL };

  json_array_add_string_element (choices, "adam");
  json_array_add_string_element (choices, "sgd");
  optimizer = vernier_dimension_new_categorical ("optimizer", choices, &error);
  g_assert_no_error (error);
  momentum = vernier_dimension_new_float ("momentum", 0, 1, FALSE, 0, &error);
  g_assert_no_error (error);
  vernier_dimension_set_condition (momentum, "optimizer", sgd);
  g_assert_true (vernier_space_add (space, optimizer, &error));
  g_assert_true (vernier_space_add (space, momentum, &error));
  g_assert_no_error (error);
  g_clear_object (&f->context);
  f->context = make_context (space, f->datadir);

  g_object_set (f->trainer, "argv", argv, "env", env, NULL);
  prepare (f);
  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);

  g_file_get_contents (out, &text, NULL, &error);
  g_assert_no_error (error);
  result = json_from_string (text, &error);
  g_assert_no_error (error);
  argv_json = json_to_string (json_object_get_member (json_node_get_object (result), "argv"), FALSE);
  g_assert_cmpstr (argv_json, ==, "[\"adam\",\"--momentum=\"]");
}

static void
assert_same_dir (const gchar *a,
                 const gchar *b)
{
  g_autofree gchar *real_a = realpath (a, NULL);
  g_autofree gchar *real_b = realpath (b, NULL);

  g_assert_nonnull (real_a);
  g_assert_cmpstr (real_a, ==, real_b);
}

static void
test_environment (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (7, "{\"x\": 0.5, \"name\": \"sgd\", \"y\": 2}");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) expected_params = NULL;
  g_autofree gchar *out = tmp_path (f, "env.json");
  g_autofree gchar *out_env = g_strconcat ("VERNIER_TEST_OUT=", out, NULL);
  g_autofree gchar *text = NULL;
  g_autofree gchar *sub = tmp_path (f, "sub");
  g_autofree gchar *script = NULL;
  JsonObject *object;
  const gchar *env[] = { out_env, "VERNIER_TEST_EXTRA=a=b c", NULL };
  const gchar *argv[] = { "/bin/sh", "echo-argv.sh", NULL };

  g_object_set (f->trainer, "argv", argv, "env", env, NULL);
  prepare (f);
  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);

  g_file_get_contents (out, &text, NULL, &error);
  g_assert_no_error (error);
  result = json_from_string (text, &error);
  g_assert_no_error (error);
  object = json_node_get_object (result);

  expected_params = json_node_init_object (json_node_alloc (), vernier_trial_get_params (trial));
  g_assert_true (json_node_equal (json_object_get_member (object, "params"), expected_params));
  g_assert_cmpstr (json_object_get_string_member (object, "trial"), ==, "7");
  g_assert_cmpstr (json_object_get_string_member (object, "extra"), ==, "a=b c");
  g_assert_cmpstr (json_object_get_string_member (object, "inherited"), ==, "yes");
  /* By default the program runs in the study file's directory */
  assert_same_dir (json_object_get_string_member (object, "cwd"), f->datadir);

  /* workdir= is relative to the study file's directory */
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_clear_object (&f->context);
  {
    g_autoptr(VernierSpace) space = make_space ();
    f->context = make_context (space, f->tmpdir);
  }
  script = g_build_filename (f->datadir, "echo-argv.sh", NULL);
  argv[1] = script;
  g_object_set (f->trainer, "argv", argv, "workdir", "sub", NULL);
  prepare (f);
  g_clear_object (&trial);
  trial = new_trial (8, "{}");
  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&text, g_free);
  g_clear_pointer (&result, json_node_unref);
  g_file_get_contents (out, &text, NULL, &error);
  g_assert_no_error (error);
  result = json_from_string (text, &error);
  g_assert_no_error (error);
  assert_same_dir (json_object_get_string_member (json_node_get_object (result), "cwd"), sub);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (result), "trial"), ==, "8");
}

static void
test_bad_config (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const gchar *argv[] = { "/bin/sh", "output.sh", NULL };
  const gchar *env[] = { "GOOD=1", "NOEQUALS", NULL };
  g_autofree gchar *missing = tmp_path (f, "missing");
  gint64 kill_grace = 0;
  guint max_line = 0, tail = 0;

  g_object_get (f->trainer, "kill-grace", &kill_grace,
                "max-output-line", &max_line, "stderr-tail", &tail, NULL);
  g_assert_cmpint (kill_grace, ==, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (max_line, ==, 1024 * 1024);
  g_assert_cmpuint (tail, ==, 4096);

  g_object_set (f->trainer, "argv", argv, "env", env, NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "'env'"));
  g_assert_nonnull (strstr (error->message, "NOEQUALS"));
  g_clear_error (&error);

  g_object_set (f->trainer, "env", NULL, "workdir", missing, NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "'workdir'"));
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
}

static void
test_exit_status (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (12, "{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) err = g_string_new (NULL);

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (err, "noise line %u\n", i);
  g_string_append (err, "ValueError: boom at the end\n");

  use_output (f, "{\"loss\": 0.5}\n", -1, 3, err->str);
  g_object_set (f->trainer, "stderr-tail", 64, NULL);
  prepare (f);

  g_assert_false (train (f, trial, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "trial 12: "));
  g_assert_nonnull (strstr (error->message, "status 3"));
  g_assert_nonnull (strstr (error->message, "ValueError: boom at the end"));
  g_assert_null (strstr (error->message, "noise line 1\n"));
  g_assert_cmpuint (strlen (error->message), <, 200);
  g_assert_cmpint (get_int_attr (trial, "exit-status"), ==, 3);
  g_assert_false (vernier_trial_has_value (trial));
}

static void
test_signal (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (13, "{}");
  g_autoptr(GError) error = NULL;
  const gchar *argv[] = { "/bin/sh", "signal.sh", NULL };

  g_object_set (f->trainer, "argv", argv, NULL);
  prepare (f);

  g_assert_false (train (f, trial, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "trial 13: "));
  g_assert_nonnull (strstr (error->message, g_strsignal (SIGSEGV)));
  g_assert_nonnull (strstr (error->message, "about to crash"));
  g_assert_null (strstr (error->message, "still alive"));
  g_assert_cmpint (get_int_attr (trial, "signal"), ==, SIGSEGV);
  g_assert_false (has_attr (trial, "exit-status"));
}

static void
test_no_value (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(VernierTrial) trial = new_trial (5, "{}");

    use_output (f, "hello\n{\"accuracy\": 1}\n", -1, 0, NULL);
    prepare (f);
    g_assert_false (train (f, trial, NULL, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
    g_assert_cmpstr (error->message, ==,
                     "trial 5: `/bin/sh` printed no value for objective 'loss' "
                     "(expected a JSON line like {\"loss\": 0.37}, a plain "
                     "number on the last line, or set regex=)");
    g_assert_cmpint (get_int_attr (trial, "ignored-lines"), ==, 2);
    g_clear_error (&error);
  }

  /* Intermediate values alone are no final value */
  {
    g_autoptr(VernierTrial) trial = new_trial (6, "{}");

    use_output (f, "{\"step\": 1, \"loss\": 0.5}\n", -1, 0, NULL);
    prepare (f);
    g_assert_false (train (f, trial, NULL, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
    g_assert_nonnull (strstr (error->message, "printed no value"));
    g_assert_cmpint (vernier_trial_get_n_reports (trial), ==, 1);
    g_clear_error (&error);
  }

  /* Nothing at all */
  {
    g_autoptr(VernierTrial) trial = new_trial (7, "{}");

    use_output (f, "", 0, 0, NULL);
    prepare (f);
    g_assert_false (train (f, trial, NULL, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
    g_assert_nonnull (strstr (error->message, "printed no value"));
    g_clear_error (&error);
  }
}

static void
test_non_finite (Fixture       *f,
                 gconstpointer  data)
{
  const gchar *outputs[] = {
    "epoch 1\nnan\n",
    "{\"loss\": NaN}\n",
    "{\"loss\": 1}\n{\"loss\": -Infinity, \"accuracy\": 0}\n",
    "inf\n",
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autoptr(VernierTrial) trial = new_trial (i, "{}");

      use_output (f, outputs[i], -1, 0, NULL);
      prepare (f);
      g_assert_false (train (f, trial, NULL, &error));
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
      g_assert_nonnull (strstr (error->message, "non-finite"));
      g_assert_false (vernier_trial_has_value (trial));
      g_clear_error (&error);
    }

  /* A later finite value wins over an earlier NaN */
  {
    g_autoptr(VernierTrial) trial = new_trial (9, "{}");

    use_output (f, "{\"loss\": NaN}\n{\"loss\": 0.5}\n", -1, 0, NULL);
    prepare (f);
    g_assert_true (train (f, trial, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 0.5);
  }
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (3, "{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  static const gchar binary[] = "\x01\x02\xff\xfe\x00\x80{\"loss\": 9}\x00\n";
  const gchar *ignored_lines[] = {
    "{\"loss\": \n",
    "{\"loss\": \"0.3\"}\n",
    "{\"loss\": true}\n",
    "{\"loss\": [1]}\n",
    "{\"step\": \"one\", \"loss\": 4}\n",
    "[1, 2, 3]\n",
    "}}}{{{\n",
  };

  /* Binary, with NUL bytes */
  g_string_append_len (out, binary, sizeof binary - 1);
  /* Not objects, or no number for the objective */
  for (guint i = 0; i < G_N_ELEMENTS (ignored_lines); i++)
    g_string_append (out, ignored_lines[i]);
  /* Nested too deep for a line of metrics */
  g_string_append (out, "{\"a\": ");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (out, '[');
  g_string_append_c (out, '\n');
  g_string_append (out, "{\"loss\": 2.5}\n");
  /* Invalid UTF-8 */
  g_string_append (out, "\xc3\x28 not UTF-8 \x01\n");

  use_output (f, out->str, out->len, 0, NULL);
  prepare (f);

  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 2.5);
  g_assert_cmpint (get_int_attr (trial, "ignored-lines"), ==, G_N_ELEMENTS (ignored_lines) + 3);
  g_assert_cmpint (vernier_trial_get_n_reports (trial), ==, 0);
}

/* {"loss": VALUE, "pad": "..."}, @len bytes long */
static gchar *
padded_line (gint  value,
             gsize len)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_printf (line, "{\"loss\": %d, \"pad\": \"", value);
  while (line->len < len - 2)
    g_string_append_c (line, 'x');
  g_string_append (line, "\"}");
  g_assert_cmpuint (line->len, ==, len);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
test_long_line (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* Three MiB on one line, past the default limit of 1 MiB */
  {
    g_autoptr(VernierTrial) trial = new_trial (1, "{}");
    g_autoptr(GString) out = g_string_new ("{\"loss\": 99, \"pad\": \"");
    gsize len = 3 * 1024 * 1024;

    for (gsize i = 0; i < len; i++)
      g_string_append_c (out, 'a' + i % 26);
    g_string_append (out, "\"}\n{\"loss\": 1.25}\n");
    use_output (f, out->str, out->len, 0, NULL);
    prepare (f);

    g_assert_true (train (f, trial, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 1.25);
    g_assert_cmpint (get_int_attr (trial, "long-lines"), ==, 1);
  }

  /* A small limit: a line just within it is read, a longer one is not */
  {
    g_autoptr(VernierTrial) trial = new_trial (2, "{}");
    g_autofree gchar *fits = padded_line (3, 64);

    use_output (f, fits, -1, 0, NULL);
    g_object_set (f->trainer, "max-output-line", 64, NULL);
    prepare (f);
    g_assert_true (train (f, trial, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 3);
    g_assert_false (has_attr (trial, "long-lines"));
  }
  {
    g_autoptr(VernierTrial) trial = new_trial (3, "{}");
    g_autofree gchar *too_long = padded_line (7, 65);
    g_autofree gchar *text = g_strconcat (too_long, "\n", NULL);

    use_output (f, text, -1, 0, NULL);
    prepare (f);
    g_assert_false (train (f, trial, NULL, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
    g_assert_nonnull (strstr (error->message, "printed no value"));
    g_assert_nonnull (strstr (error->message, "max-output-line"));
    g_assert_cmpint (get_int_attr (trial, "long-lines"), ==, 1);
    g_clear_error (&error);
  }
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const gchar *argv[] = { "vernier-test-no-such-program", "--flag", NULL };
  const gchar *argv2[] = { "./no-such-script.sh", NULL };
  const gchar *argv3[] = { "vernier-{name}", NULL };

  /* A program named literally is looked for when the study starts. */
  g_object_set (f->trainer, "argv", argv, NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "vernier-test-no-such-program"));
  g_assert_nonnull (strstr (error->message, "PATH"));
  g_clear_error (&error);

  /* A relative path is relative to the working directory. */
  g_object_set (f->trainer, "argv", argv2, NULL);
  g_assert_false (vernier_trainer_prepare (f->trainer, f->context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "./no-such-script.sh"));
  g_assert_nonnull (strstr (error->message, f->datadir));
  g_clear_error (&error);

  /* A program from a parameter can only fail when it runs: then it is a
   * configuration error too, which stops the study. */
  {
    g_autoptr(VernierTrial) trial = new_trial (8, "{\"name\": \"adam\"}");

    g_object_set (f->trainer, "argv", argv3, NULL);
    g_assert_true (vernier_trainer_prepare (f->trainer, f->context, NULL));
    g_assert_false (train (f, trial, NULL, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
    g_assert_true (g_str_has_prefix (error->message, "trial 8: "));
    g_assert_nonnull (strstr (error->message, "vernier-adam"));
    g_assert_nonnull (strstr (error->message, f->datadir));
  }
}

static void
test_cancel_graceful (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (10, "{}");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *ready = tmp_path (f, "ready");
  g_autofree gchar *log = tmp_path (f, "log");
  g_autofree gchar *text = NULL;
  const gchar *argv[] = { "/bin/sh", "graceful.sh", f->tmpdir, NULL };

  /* An hour of grace: the trial ends only because SIGTERM stopped it. */
  g_object_set (f->trainer, "argv", argv, "kill-grace", G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, NULL);
  prepare (f);

  g_assert_false (train (f, trial, ready, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_str_has_prefix (error->message, "trial 10: "));
  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "term\n");
  g_assert_cmpint (get_int_attr (trial, "exit-status"), ==, 0);
}

static void
test_cancel_ignores_term (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (11, "{}");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *ready = tmp_path (f, "ready");
  const gchar *argv[] = { "/bin/sh", "ignore-term.sh", f->tmpdir, NULL };
  pid_t pid;

  g_object_set (f->trainer, "argv", argv, "kill-grace", 200 * G_TIME_SPAN_MILLISECOND, NULL);
  prepare (f);

  g_assert_false (train (f, trial, ready, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "SIGKILL"));
  g_assert_cmpint (get_int_attr (trial, "signal"), ==, SIGKILL);

  /* Reaped: not even a zombie is left */
  pid = read_pid (f, "pid");
  g_assert_cmpint (kill (pid, 0), <, 0);
  g_assert_cmpint (errno, ==, ESRCH);
}

static void
test_grandchild (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (14, "{}");
  g_autoptr(GError) error = NULL;
  const gchar *argv[] = { "/bin/sh", "grandchild.sh", f->tmpdir, NULL };

  g_object_set (f->trainer, "argv", argv, NULL);
  prepare (f);

  g_assert_true (train (f, trial, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (vernier_trial_get_value (trial), ==, 1.5);
  g_assert_true (process_is_dead (read_pid (f, "quiet.pid")));
  g_assert_true (process_is_dead (read_pid (f, "holding.pid")));
}

static void
test_cancel_grandchild (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(VernierTrial) trial = new_trial (15, "{}");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *ready = tmp_path (f, "ready");
  const gchar *argv[] = { "/bin/sh", "grandchild.sh", f->tmpdir, "wait", NULL };

  g_object_set (f->trainer, "argv", argv, NULL);
  prepare (f);

  g_assert_false (train (f, trial, ready, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (get_int_attr (trial, "signal"), ==, SIGTERM);
  g_assert_true (process_is_dead (read_pid (f, "quiet.pid")));
  g_assert_true (process_is_dead (read_pid (f, "holding.pid")));
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
} Parallel;

static void
on_parallel_trained (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Parallel *p = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_trainer_train_finish (VERNIER_TRAINER (source), result, &error));
  g_assert_no_error (error);
  if (--p->pending == 0)
    g_main_loop_quit (p->loop);
}

static gint64
read_time (Fixture     *f,
           const gchar *kind,
           guint        number)
{
  g_autofree gchar *name = g_strdup_printf ("%s.%u", kind, number);
  g_autofree gchar *path = tmp_path (f, name);
  g_autofree gchar *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
test_parallel (Fixture       *f,
               gconstpointer  data)
{
  enum { N = 3 };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree gchar *n_text = g_strdup_printf ("%d", N);
  const gchar *argv[] = { "/bin/sh", "parallel.sh", f->tmpdir, n_text, NULL };
  VernierTrial *trials[N];
  Parallel p = { loop, N };
  gint64 last_start = G_MININT64;
  gint64 first_end = G_MAXINT64;

  g_object_set (f->trainer, "argv", argv, NULL);
  prepare (f);

  for (guint i = 0; i < N; i++)
    {
      trials[i] = new_trial (20 + i, "{}");
      vernier_trainer_train_async (f->trainer, trials[i], NULL, on_parallel_trained, &p);
    }
  g_main_loop_run (loop);

  for (guint i = 0; i < N; i++)
    {
      last_start = MAX (last_start, read_time (f, "start", 20 + i));
      first_end = MIN (first_end, read_time (f, "end", 20 + i));
      /* Each trial got its own output */
      g_assert_cmpfloat (vernier_trial_get_value (trials[i]), ==, 20 + i);
      g_object_unref (trials[i]);
    }
  /* All were running at once: every one started before any ended. */
  g_assert_cmpint (last_start, <, first_end);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Set before any thread exists; the children must inherit it. */
  g_setenv ("VERNIER_TEST_INHERITED", "yes", TRUE);
  g_test_init (&argc, &argv, NULL);

  registry = vernier_registry_new ();

#define ADD(path, func) \
  g_test_add ("/vernier/command/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("json-value", test_json_value);
  ADD ("intermediate-values", test_intermediate);
  ADD ("max-reports", test_max_reports);
  ADD ("regex", test_regex);
  ADD ("plain-number", test_plain_number);
  ADD ("placeholders", test_placeholders);
  ADD ("placeholder-unknown", test_placeholder_unknown);
  ADD ("placeholder-syntax", test_placeholder_syntax);
  ADD ("placeholder-inactive", test_placeholder_inactive);
  ADD ("environment", test_environment);
  ADD ("bad-config", test_bad_config);
  ADD ("exit-status", test_exit_status);
  ADD ("signal", test_signal);
  ADD ("no-value", test_no_value);
  ADD ("non-finite", test_non_finite);
  ADD ("garbage", test_garbage);
  ADD ("long-line", test_long_line);
  ADD ("not-found", test_not_found);
  ADD ("cancel-graceful", test_cancel_graceful);
  ADD ("cancel-ignores-term", test_cancel_ignores_term);
  ADD ("grandchild", test_grandchild);
  ADD ("cancel-grandchild", test_cancel_grandchild);
  ADD ("parallel", test_parallel);

#undef ADD

  status = g_test_run ();
  g_clear_object (&registry);
  return status;
}
