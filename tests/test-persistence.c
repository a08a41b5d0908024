/* End-to-end tests of persistent studies: the built `vernier` program
 * ($VERNIER_BINARY) run with GSubprocess on study files in a temporary
 * directory per test, with the SQLite storage, killed and resumed, and its
 * database read back with the SQLite C API. The trainers are the scripts
 * of tests/data/persistence/. */

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
#include <sqlite3.h>

#include "vernier-core.h"
#include "vernier-test-util.h"

/* How long the tests wait, at most, for something that should happen at
 * once (a trial to start): a bound so that a bug fails the test instead of
 * hanging it, never a measure of speed. */
#define WAIT_LIMIT_USEC (20 * G_USEC_PER_SEC)
#define POLL_USEC       1000

/* The crash test: its budget, how many times vernier is killed, and how
 * many finished trials a run may report before it is killed at the latest
 * (so that twenty runs never spend the whole budget, whatever the speed of
 * the machine: every run is really killed). */
#define CRASH_BUDGET    60
#define N_CRASHES       20
#define CRASH_MAX_DONE  2

typedef struct
{
  gchar *tmpdir;
  gchar *datadir;
} Fixture;


/* How a vernier process is started. */
typedef struct
{
  const gchar *cwd;             /* NULL: the fixture's directory */
  gboolean     default_storage; /* VERNIER_STORAGE unset: the real default */
  const gchar *debug;           /* G_MESSAGES_DEBUG, or NULL */
  const gchar *log;             /* stdout and stderr to LOG.out and LOG.err
                                 * in the fixture's directory, not pipes */
} Launch;

/* ---- fixture ---------------------------------------------------------- */


static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->tmpdir = vt_make_tmp_dir ("persistence");
  f->datadir = vt_data_dir ("persistence");
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
read_file (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* The names in @dir, sorted, joined by spaces. */
static gchar *
list_dir (const gchar *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (gchar **) names->pdata);
}

/* ---- running vernier -------------------------------------------------- */

static GSubprocess *
spawn_vernierv (Fixture             *f,
                const Launch        *launch,
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

  if (launch->log != NULL)
    {
      g_autofree gchar *out_name = g_strconcat (launch->log, ".out", NULL);
      g_autofree gchar *err_name = g_strconcat (launch->log, ".err", NULL);
      g_autofree gchar *out_path = tmp_path (f, out_name);
      g_autofree gchar *err_path = tmp_path (f, err_name);

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
      g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
    }
  else
    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, launch->cwd != NULL ? launch->cwd : f->tmpdir);
  if (launch->default_storage)
    g_subprocess_launcher_unsetenv (launcher, "VERNIER_STORAGE");
  if (launch->debug != NULL)
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", launch->debug, TRUE);

  return vt_spawn_tracked (launcher, (const gchar * const *) argv->pdata);
}



static void
run_vernier_va (Fixture      *f,
                const Launch *launch,
                VtOutcome      *o,
                va_list       ap)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  const gchar *arg;

  while ((arg = va_arg (ap, const gchar *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);

  process = spawn_vernierv (f, launch, (const gchar * const *) args->pdata);
  vt_collect (process, o);
}

/* Runs `vernier ARGS…` (NULL-terminated) in the fixture's directory. */
G_GNUC_NULL_TERMINATED
static void
run_vernier (Fixture *f,
             VtOutcome *o,
             ...)
{
  const Launch launch = { NULL, };
  va_list ap;

  va_start (ap, o);
  run_vernier_va (f, &launch, o, ap);
  va_end (ap);
}

/* Runs `vernier ARGS…` (NULL-terminated) as @launch says. */
G_GNUC_NULL_TERMINATED
static void
run_vernier_with (Fixture      *f,
                  const Launch *launch,
                  VtOutcome      *o,
                  ...)
{
  va_list ap;

  va_start (ap, o);
  run_vernier_va (f, launch, o, ap);
  va_end (ap);
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


/* ---- JSON ------------------------------------------------------------- */

static JsonNode *
parse_json (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  if (error != NULL)
    g_test_message ("not JSON:\n%s", text);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonArray *
parse_array (const gchar *text)
{
  g_autoptr(JsonNode) node = parse_json (text);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_ref (json_node_get_array (node));
}




static const gchar *
state_of (JsonObject *record)
{
  return json_object_get_string_member_with_default (record, "state", "");
}


static gint64
number_of (JsonObject *object,
           const gchar *member)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}


/* ---- the database ----------------------------------------------------- */

static sqlite3 *
open_db (const gchar *path)
{
  sqlite3 *db = NULL;
  int rc;

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    g_test_message ("%s: %s", path, sqlite3_errmsg (db));
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static void
db_exec (sqlite3     *db,
         const gchar *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_test_message ("%s: %s", sql, message);
  sqlite3_free (message);
  g_assert_cmpint (rc, ==, SQLITE_OK);
}

/* The one text a query gives: one row, one column. */
static gchar *
db_query_text (sqlite3     *db,
               const gchar *sql)
{
  sqlite3_stmt *stmt = NULL;
  gchar *text;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  return text;
}

/* Every trial record of the database at @path, by number, after checking
 * that the columns the storage indexes agree with the records. */
static JsonArray *
db_records (const gchar *path)
{
  sqlite3 *db = open_db (path);
  sqlite3_stmt *stmt = NULL;
  JsonArray *records = json_array_new ();
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT number, state, lost, record FROM trials "
                                       "ORDER BY number", -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) record = vt_parse_object ((const gchar *) sqlite3_column_text (stmt, 3));

      g_assert_cmpint (number_of (record, "number"), ==, sqlite3_column_int64 (stmt, 0));
      g_assert_cmpstr (state_of (record), ==, (const gchar *) sqlite3_column_text (stmt, 1));
      g_assert_cmpint (vt_is_lost (record), ==, sqlite3_column_int (stmt, 2) != 0);
      json_array_add_object_element (records, g_steal_pointer (&record));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return records;
}

static void
assert_integrity (const gchar *path)
{
  sqlite3 *db = open_db (path);
  g_autofree gchar *result = db_query_text (db, "PRAGMA integrity_check");

  g_assert_cmpstr (result, ==, "ok");
  sqlite3_close (db);
}

static JsonObject *
find_record (JsonArray *records,
             gint64     number)
{
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      if (number_of (record, "number") == number)
        return record;
    }
  return NULL;
}

/* What `vernier show FILE --json` prints is what the database holds. */
static void
assert_show_agrees (Fixture     *f,
                    const gchar *study,
                    JsonArray   *records)
{
  g_auto(VtOutcome) o = { 0, };
  g_autoptr(JsonArray) shown = NULL;

  run_vernier (f, &o, "show", study, "--json", NULL);
  assert_exit (&o, 0);
  shown = parse_array (o.out);
  g_assert_cmpuint (json_array_get_length (shown), ==, json_array_get_length (records));
  for (guint i = 0; i < json_array_get_length (records); i++)
    g_assert_true (vt_objects_equal (json_array_get_object_element (shown, i),
                                  json_array_get_object_element (records, i)));
}

/* ---- study files ------------------------------------------------------ */

#define RANDOM_TUNER "[tuner]\nplugin=random\n"

/* A study over x in [0, 1] and ms in [@ms_low, @ms_high] whose trainer is
 * trial.sh (sleeps ms milliseconds, loss = (x - 0.3)² + ms / 1000), with
 * the tuner groups @tuners and a jsonl observer writing run.jsonl;
 * @study_lines are added to [study]. */
static gchar *
trial_study (Fixture     *f,
             const gchar *name,
             const gchar *study_lines,
             gint         ms_low,
             gint         ms_high,
             const gchar *tuners)
{
  return g_strdup_printf ("[study]\n"
                          "name=%s\n"
                          "objective=loss\n"
                          "seed=5\n"
                          "%s"
                          "\n"
                          "[param x]\n"
                          "type=float\n"
                          "low=0\n"
                          "high=1\n"
                          "\n"
                          "[param ms]\n"
                          "type=int\n"
                          "low=%d\n"
                          "high=%d\n"
                          "\n"
                          "%s"
                          "\n"
                          "[trainer]\n"
                          "plugin=command\n"
                          "argv=/bin/sh;%s/trial.sh;{x};{ms}\n"
                          "\n"
                          "[observer log]\n"
                          "plugin=jsonl\n"
                          "path=run.jsonl\n",
                          name, study_lines, ms_low, ms_high, tuners, f->datadir);
}

static gdouble
expected_loss (JsonObject *params)
{
  gdouble x = json_object_get_double_member (params, "x");
  gdouble ms = (gdouble) json_object_get_int_member (params, "ms");

  return (x - 0.3) * (x - 0.3) + ms / 1000;
}

/* ---- crash and resume ------------------------------------------------- */

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  gboolean *exited = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *exited = TRUE;
}

static guint
count_lines_with (const gchar *path,
                  const gchar *needle)
{
  g_autofree gchar *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const gchar *p = strstr (contents, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
print_log (Fixture     *f,
           const gchar *log)
{
  g_autofree gchar *out_name = g_strconcat (log, ".out", NULL);
  g_autofree gchar *err_name = g_strconcat (log, ".err", NULL);
  g_autofree gchar *out_path = tmp_path (f, out_name);
  g_autofree gchar *err_path = tmp_path (f, err_name);
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  g_file_get_contents (out_path, &out, NULL, NULL);
  g_file_get_contents (err_path, &err, NULL, NULL);
  g_test_message ("%s: stdout:\n%s\nstderr:\n%s", log, out, err);
}

/* Runs the study once and kills it with SIGKILL at a random moment: after
 * a random delay, or as soon as it has reported CRASH_MAX_DONE finished
 * trials, whichever comes first. */
static void
run_and_kill (Fixture     *f,
              const gchar *study,
              guint        run)
{
  g_autofree gchar *log = g_strdup_printf ("run-%02u", run);
  g_autofree gchar *jsonl_name = g_strdup_printf ("%s.jsonl", log);
  g_autofree gchar *jsonl = tmp_path (f, jsonl_name);
  g_autofree gchar *set_log = g_strdup_printf ("observer log.path=%s", jsonl_name);
  const gchar *args[] = { "run", study, "--set", set_log, NULL };
  const Launch launch = { .log = log };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 delay = g_test_rand_int_range (20, 401) * (gint64) 1000;
  gint64 deadline;
  gboolean exited = FALSE;

  process = spawn_vernierv (f, &launch, args);
  deadline = g_get_monotonic_time () + delay;
  g_subprocess_wait_async (process, NULL, on_exited, &exited);
  while (!exited && g_get_monotonic_time () < deadline &&
         count_lines_with (jsonl, "\"event\":\"trial-finished\"") < CRASH_MAX_DONE)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (POLL_USEC);
    }

  g_test_message ("run %u: killed after %" G_GINT64_FORMAT " ms (of %" G_GINT64_FORMAT
                  "), %u trials reported finished", run,
                  (g_get_monotonic_time () - (deadline - delay)) / 1000, delay / 1000,
                  count_lines_with (jsonl, "\"event\":\"trial-finished\""));
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  while (!exited)
    g_main_context_iteration (NULL, TRUE);

  /* Every run is killed: the study must not have ended (or died) by
   * itself. */
  if (!g_subprocess_get_if_signaled (process) || g_subprocess_get_term_sig (process) != SIGKILL)
    print_log (f, log);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
}

/* The COMPLETE trials a run's jsonl file reported are added to
 * @reported. */
static void
add_reported (Fixture     *f,
              const gchar *jsonl_name,
              GPtrArray   *reported)
{
  g_autofree gchar *path = tmp_path (f, jsonl_name);
  g_autoptr(GPtrArray) finished = vt_read_events (path, "trial-finished");

  for (guint i = 0; i < finished->len; i++)
    {
      JsonObject *event = g_ptr_array_index (finished, i);

      if (g_str_equal (state_of (event), "complete"))
        g_ptr_array_add (reported, json_object_ref (event));
    }
}

/* How many times the parameters of @record have run: the trial and the
 * lost trials it retries. */
static guint
attempts_of (JsonArray  *records,
             JsonObject *record)
{
  guint attempts = 1;

  while (json_object_has_member (record, "retry-of"))
    {
      record = find_record (records, number_of (record, "retry-of"));
      g_assert_nonnull (record);
      attempts++;
    }
  return attempts;
}

static void
check_crash_database (Fixture     *f,
                      const gchar *study,
                      const gchar *db_path,
                      GPtrArray   *reported)
{
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GHashTable) reported_numbers = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_counted = 0;
  guint n_lost = 0;
  guint n_not_again = 0;

  assert_integrity (db_path);
  records = db_records (db_path);

  /* Whatever a run reported COMPLETE is there, once, as it was reported. */
  g_assert_cmpuint (reported->len, >, 0);
  for (guint i = 0; i < reported->len; i++)
    {
      JsonObject *event = g_ptr_array_index (reported, i);
      gint64 number = number_of (event, "trial");
      JsonObject *record = find_record (records, number);

      g_assert_false (g_hash_table_contains (reported_numbers, GINT_TO_POINTER (number)));
      g_hash_table_add (reported_numbers, GINT_TO_POINTER (number));
      g_assert_nonnull (record);
      g_assert_cmpstr (state_of (record), ==, "complete");
      g_assert_false (vt_is_lost (record));
      g_assert_cmpfloat (json_object_get_double_member (record, "value"), ==,
                         json_object_get_double_member (event, "value"));
      g_assert_true (vt_objects_equal (vt_params_of (record), vt_params_of (event)));
    }

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      const gchar *state = state_of (record);

      /* Numbers from 0, none skipped. */
      g_assert_cmpint (number_of (record, "number"), ==, i);
      g_assert_cmpstr (state, !=, "running");
      g_assert_cmpstr (state, !=, "waiting");

      if (vernier_storage_record_counts (record))
        {
          /* No configuration ran twice: a lost trial's retry is the only
           * repetition, and a lost trial does not count. */
          gchar *key = vernier_storage_record_key (vt_params_of (record));

          g_assert_false (g_hash_table_contains (keys, key));
          g_hash_table_add (keys, key);
          n_counted++;
          g_assert_cmpstr (state, ==, "complete");
          g_assert_cmpfloat_with_epsilon (json_object_get_double_member (record, "value"),
                                          expected_loss (vt_params_of (record)), 1e-9);
        }

      if (vt_is_lost (record))
        {
          gint64 number = number_of (record, "number");
          guint n_retries = 0;

          n_lost++;
          g_assert_cmpstr (state, ==, "failed");
          g_assert_false (g_hash_table_contains (reported_numbers, GINT_TO_POINTER (number)));
          vt_assert_contains (json_object_get_string_member_with_default (record, "error", ""),
                           "was lost");
          for (guint j = 0; j < json_array_get_length (records); j++)
            {
              JsonObject *other = json_array_get_object_element (records, j);

              if (json_object_has_member (other, "retry-of") &&
                  number_of (other, "retry-of") == number)
                {
                  g_assert_true (vt_objects_equal (vt_params_of (other), vt_params_of (record)));
                  g_assert_cmpint (number_of (other, "number"), >, number);
                  n_retries++;
                }
            }
          /* retries=1, the default: a lost trial runs again once, a lost
           * retry does not. */
          if (attempts_of (records, record) <= 1)
            g_assert_cmpuint (n_retries, ==, 1);
          else
            {
              g_assert_cmpuint (n_retries, ==, 0);
              n_not_again++;
              vt_assert_contains (json_object_get_string_member (record, "error"),
                               "not run again");
            }
        }
      else if (json_object_has_member (record, "retry-of"))
        g_assert_true (vt_is_lost (find_record (records, number_of (record, "retry-of"))));
    }

  g_assert_cmpuint (n_counted, ==, CRASH_BUDGET);
  /* Kills while trials ran left some lost. */
  g_assert_cmpuint (n_lost, >, 0);
  g_test_message ("%u trials in the database, %u lost (%u of them not run again), "
                  "%u reported complete", json_array_get_length (records), n_lost,
                  n_not_again, reported->len);

  assert_show_agrees (f, study, records);
}

static void
test_crash_resume (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree gchar *lines = g_strdup_printf ("trials=%d\nparallel=3\nstorage=sqlite\n",
                                             CRASH_BUDGET);
  g_autofree gchar *text = trial_study (f, "crash", lines, 20, 300, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "crash.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "crash.db");
  g_autoptr(GPtrArray) reported = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto(VtOutcome) o = { 0, };

  for (guint run = 0; run < N_CRASHES; run++)
    {
      g_autofree gchar *jsonl_name = g_strdup_printf ("run-%02u.jsonl", run);

      run_and_kill (f, study, run);
      add_reported (f, jsonl_name, reported);
    }

  /* Once more, to the end. */
  run_vernier (f, &o, "run", study, "--set", "observer log.path=run-last.jsonl", NULL);
  assert_exit (&o, 0);
  vt_assert_contains (o.out, "in this run)");
  add_reported (f, "run-last.jsonl", reported);

  check_crash_database (f, study, db_path, reported);
}

/* ---- resume ----------------------------------------------------------- */

/* The numbers of the trials a jsonl file says started. */
static GArray *
started_numbers (Fixture     *f,
                 const gchar *jsonl_name)
{
  g_autofree gchar *path = tmp_path (f, jsonl_name);
  g_autoptr(GPtrArray) started = vt_read_events (path, "trial-started");
  GArray *numbers = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < started->len; i++)
    {
      gint64 number = number_of (g_ptr_array_index (started, i), "trial");

      g_array_append_val (numbers, number);
    }
  return numbers;
}

static gint
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
assert_numbers (GArray *numbers,
                gint64  first,
                gint64  last)
{
  g_array_sort (numbers, compare_int64);
  g_assert_cmpuint (numbers->len, ==, last - first + 1);
  for (guint i = 0; i < numbers->len; i++)
    g_assert_cmpint (g_array_index (numbers, gint64, i), ==, first + i);
}

static void
test_resume_budget (Fixture       *f,
                    gconstpointer  data)
{
  /* The [storage] group with a path of its own, under the real default
   * (VERNIER_STORAGE unset). */
  g_autofree gchar *base = trial_study (f, "resume", "trials=25\nparallel=2\n", 0, 5, RANDOM_TUNER);
  g_autofree gchar *text = g_strconcat (base, "\n[storage]\nplugin=sqlite\npath=store.sqlite\n", NULL);
  g_autofree gchar *study = write_tmp (f, "resume.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "store.sqlite");
  g_autofree gchar *default_db = tmp_path (f, "resume.db");
  const Launch launch = { .default_storage = TRUE };
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) second = NULL;
  g_autoptr(JsonObject) best = NULL;
  JsonObject *min = NULL;
  g_auto(VtOutcome) o1 = { 0, };
  g_auto(VtOutcome) o2 = { 0, };
  g_auto(VtOutcome) o3 = { 0, };

  run_vernier_with (f, &launch, &o1, "run", study, "--set", "study.trials=10",
                    "--set", "observer log.path=run-1.jsonl", NULL);
  assert_exit (&o1, 0);
  g_assert_null (strstr (o1.out, "in this run"));
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (default_db, G_FILE_TEST_EXISTS));

  run_vernier_with (f, &launch, &o2, "run", study,
                    "--set", "observer log.path=run-2.jsonl", NULL);
  assert_exit (&o2, 0);
  vt_assert_contains (o2.out, "after 25 trials (15 in this run)");

  first = started_numbers (f, "run-1.jsonl");
  assert_numbers (first, 0, 9);
  second = started_numbers (f, "run-2.jsonl");
  assert_numbers (second, 10, 24);

  /* The best of both runs. */
  records = db_records (db_path);
  g_assert_cmpuint (json_array_get_length (records), ==, 25);
  for (guint i = 0; i < 25; i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      g_assert_cmpstr (state_of (record), ==, "complete");
      if (min == NULL ||
          json_object_get_double_member (record, "value") <
          json_object_get_double_member (min, "value"))
        min = record;
    }
  run_vernier_with (f, &launch, &o3, "best", study, "--json", NULL);
  assert_exit (&o3, 0);
  best = vt_parse_object (o3.out);
  g_assert_cmpint (number_of (best, "number"), ==, number_of (min, "number"));
  g_assert_cmpfloat (json_object_get_double_member (best, "value"), ==,
                     json_object_get_double_member (min, "value"));
  g_assert_true (vt_objects_equal (vt_params_of (best), vt_params_of (min)));
}

static void
test_resume_grid (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree gchar *text =
    g_strdup_printf ("[study]\n"
                     "name=grid\n"
                     "objective=loss\n"
                     "trials=100\n"
                     "parallel=2\n"
                     "storage=sqlite\n"
                     "\n"
                     "[param a]\n"
                     "type=int\n"
                     "low=1\n"
                     "high=3\n"
                     "\n"
                     "[param b]\n"
                     "type=categorical\n"
                     "choices=p;q;r;s\n"
                     "\n"
                     "[tuner]\n"
                     "plugin=grid\n"
                     "\n"
                     "[trainer]\n"
                     "plugin=command\n"
                     "argv=/bin/sh;%s/trial.sh;{a};0\n"
                     "\n"
                     "[observer log]\n"
                     "plugin=jsonl\n"
                     "path=run.jsonl\n",
                     f->datadir);
  g_autofree gchar *study = write_tmp (f, "grid.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "grid.db");
  g_autofree gchar *run1 = tmp_path (f, "run-1.jsonl");
  g_autofree gchar *run2 = tmp_path (f, "run-2.jsonl");
  const Launch debug = { .debug = "Vernier" };
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) started1 = NULL;
  g_autoptr(GPtrArray) started2 = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_auto(VtOutcome) o1 = { 0, };
  g_auto(VtOutcome) o2 = { 0, };

  run_vernier (f, &o1, "run", study, "--set", "study.trials=5",
               "--set", "observer log.path=run-1.jsonl", NULL);
  assert_exit (&o1, 0);
  run_vernier_with (f, &debug, &o2, "run", study,
                    "--set", "observer log.path=run-2.jsonl", NULL);
  assert_exit (&o2, 0);
  vt_assert_contains (o2.out, "after 12 trials (7 in this run)");
  /* Ended by the grid, not by the budget of 100 (GLib writes debug
   * messages to stdout or stderr, depending on its version). */
  if (strstr (o2.err, "the tuners have nothing more to suggest") == NULL)
    vt_assert_contains (o2.out, "the tuners have nothing more to suggest");

  started1 = vt_read_events (run1, "trial-started");
  started2 = vt_read_events (run2, "trial-started");
  g_assert_cmpuint (started1->len, ==, 5);
  g_assert_cmpuint (started2->len, ==, 7);
  for (guint i = 0; i < started1->len + started2->len; i++)
    {
      JsonObject *event = i < started1->len
        ? g_ptr_array_index (started1, i)
        : g_ptr_array_index (started2, i - started1->len);
      gchar *key = vernier_storage_record_key (vt_params_of (event));

      /* No point twice. */
      g_assert_false (g_hash_table_contains (keys, key));
      g_hash_table_add (keys, key);
    }

  records = db_records (db_path);
  g_assert_cmpuint (json_array_get_length (records), ==, 12);
  for (guint i = 0; i < 12; i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      g_autofree gchar *key = vernier_storage_record_key (vt_params_of (record));

      g_assert_cmpstr (state_of (record), ==, "complete");
      g_assert_true (g_hash_table_contains (keys, key));
    }
}

static void
test_resume_chain (Fixture       *f,
                   gconstpointer  data)
{
  /* Sobol for four trials, then random. */
  g_autofree gchar *text = trial_study (f, "chain", "trials=10\nparallel=2\nstorage=sqlite\n",
                                        0, 5,
                                        "[tuner 1]\nplugin=sobol\ntrials=4\n\n"
                                        "[tuner 2]\nplugin=random\n");
  g_autofree gchar *study = write_tmp (f, "chain.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "chain.db");
  g_autoptr(JsonArray) records = NULL;
  g_auto(VtOutcome) o1 = { 0, };
  g_auto(VtOutcome) o2 = { 0, };
  g_auto(VtOutcome) o3 = { 0, };

  /* Three sobol trials; one more, then two random ones; four random. */
  run_vernier (f, &o1, "run", study, "--set", "study.trials=3", NULL);
  assert_exit (&o1, 0);
  run_vernier (f, &o2, "run", study, "--set", "study.trials=6", NULL);
  assert_exit (&o2, 0);
  run_vernier (f, &o3, "run", study, NULL);
  assert_exit (&o3, 0);
  vt_assert_contains (o3.out, "after 10 trials (4 in this run)");

  records = db_records (db_path);
  g_assert_cmpuint (json_array_get_length (records), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      g_assert_cmpstr (state_of (record), ==, "complete");
      g_assert_cmpstr (json_object_get_string_member_with_default (record, "tuner", ""), ==,
                       i < 4 ? "[tuner 1]" : "[tuner 2]");
    }
}

/* ---- refusals --------------------------------------------------------- */

/* @text with its first @from replaced by @to. */
static gchar *
replace_once (const gchar *text,
              const gchar *from,
              const gchar *to)
{
  g_autoptr(GString) s = g_string_new (text);

  g_assert_nonnull (strstr (text, from));
  g_string_replace (s, from, to, 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GBytes *
file_bytes (const gchar *path)
{
  gchar *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static void
test_mismatch (Fixture       *f,
               gconstpointer  data)
{
  g_autofree gchar *text = trial_study (f, "mix", "trials=3\nstorage=sqlite\n", 0, 2, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "mix.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "mix.db");
  g_autoptr(GBytes) before = NULL;
  g_auto(VtOutcome) o = { 0, };
  struct {
    const gchar *from;
    const gchar *to;
    const gchar *named;
  } changes[] = {
    { "[param x]\ntype=float\nlow=0\nhigh=1\n", "[param x]\ntype=float\nlow=0\nhigh=2\n",
      "parameter 'x'" },
    { "[param ms]\ntype=int\nlow=0\n", "[param ms]\ntype=int\nlow=1\n", "parameter 'ms'" },
    { "[tuner]", "[param extra]\ntype=float\nlow=0\nhigh=1\n\n[tuner]", "parameter 'extra'" },
    { "[param ms]\ntype=int\nlow=0\nhigh=2\n", "", "parameter 'ms'" },
    { "objective=loss\n", "objective=accuracy\n", "objective" },
    { "objective=loss\n", "objective=loss\ndirection=maximize\n", "direction" },
  };

  run_vernier (f, &o, "run", study, NULL);
  assert_exit (&o, 0);
  before = file_bytes (db_path);

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      g_autofree gchar *changed = replace_once (text, changes[i].from, changes[i].to);
      g_autofree gchar *name = g_strdup_printf ("mix-%u.ini", i);
      g_autofree gchar *path = write_tmp (f, name, changed);
      g_autofree gchar *listing = list_dir (f->tmpdir);
      g_autofree gchar *listing_after = NULL;
      g_autoptr(GBytes) after = NULL;
      g_auto(VtOutcome) run = { 0, };
      g_auto(VtOutcome) enqueue = { 0, };

      /* Same study name, so same database: refused, not mixed. */
      run_vernier (f, &run, "run", path, NULL);
      assert_exit (&run, 2);
      vt_assert_contains (run.err, "study 'mix'");
      vt_assert_contains (run.err, changes[i].named);

      run_vernier (f, &enqueue, "enqueue", path, "{\"x\": 0.5, \"ms\": 1}", NULL);
      g_assert_true (enqueue.exited);
      g_assert_cmpint (enqueue.status, !=, 0);
      g_assert_null (strstr (enqueue.out, "waiting"));

      /* Nothing written. */
      after = file_bytes (db_path);
      g_assert_true (g_bytes_equal (before, after));
      listing_after = list_dir (f->tmpdir);
      g_assert_cmpstr (listing_after, ==, listing);
    }
}

static void
test_newer_schema (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree gchar *text = trial_study (f, "future", "trials=2\nstorage=sqlite\n", 0, 2, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "future.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "future.db");
  g_autofree gchar *bump = g_strdup_printf ("UPDATE meta SET value = %d WHERE key = 'schema-version'",
                                            VERNIER_STORAGE_SCHEMA_VERSION + 1);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_auto(VtOutcome) o = { 0, };
  const gchar *commands[][2] = {
    { "run", NULL }, { "show", NULL }, { "best", NULL }, { "export", NULL },
    { "enqueue", "{\"x\": 0.5, \"ms\": 1}" },
  };
  sqlite3 *db;

  run_vernier (f, &o, "run", study, NULL);
  assert_exit (&o, 0);

  /* As a later Vernier would leave it. */
  db = open_db (db_path);
  db_exec (db, bump);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
  before = file_bytes (db_path);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(VtOutcome) refused = { 0, };

      run_vernier (f, &refused, commands[i][0], study, commands[i][1], NULL);
      if (!refused.exited || refused.status == 0 || strstr (refused.err, "newer") == NULL)
        g_test_message ("vernier %s: status %d\nstdout:\n%s\nstderr:\n%s", commands[i][0],
                        refused.status, refused.out, refused.err);
      g_assert_true (refused.exited);
      g_assert_cmpint (refused.status, !=, 0);
      vt_assert_contains (refused.err, "newer");
      g_assert_null (strstr (refused.err, "CRITICAL"));
      g_assert_null (strstr (refused.err, "WARNING"));
    }

  after = file_bytes (db_path);
  g_assert_true (g_bytes_equal (before, after));
}

/* ---- enqueue ---------------------------------------------------------- */

static void
test_enqueue (Fixture       *f,
              gconstpointer  data)
{
  g_autofree gchar *text = trial_study (f, "queue", "trials=5\nparallel=1\nstorage=sqlite\n",
                                        0, 3, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "queue.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "queue.db");
  g_autofree gchar *lines = write_tmp (f, "known.jsonl",
                                       "{\"x\": 0.5, \"ms\": 2}\n"
                                       "\n"
                                       "# tried by hand\n"
                                       "{\"x\": 0.75, \"ms\": 3}\n");
  g_autofree gchar *run1 = tmp_path (f, "run-1.jsonl");
  const gchar *queued[] = {
    "{\"x\":0.25,\"ms\":1}", "{\"x\":0.5,\"ms\":2}", "{\"x\":0.75,\"ms\":3}",
    "{\"x\":0.125,\"ms\":0}", "{\"x\":0.875,\"ms\":0}",
  };
  g_autoptr(GPtrArray) started = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(JsonArray) shown = NULL;
  g_auto(VtOutcome) o1 = { 0, };
  g_auto(VtOutcome) o2 = { 0, };
  g_auto(VtOutcome) o3 = { 0, };
  g_auto(VtOutcome) o4 = { 0, };
  g_auto(VtOutcome) o5 = { 0, };
  g_auto(VtOutcome) o6 = { 0, };
  g_auto(VtOutcome) o7 = { 0, };
  g_auto(VtOutcome) o8 = { 0, };

  /* Before the study ever ran: an argument, then a JSON-lines file. */
  run_vernier (f, &o1, "enqueue", study, "{\"x\": 0.25, \"ms\": 1}", NULL);
  assert_exit (&o1, 0);
  vt_assert_contains (o1.out, "trial 0 waiting");
  run_vernier (f, &o2, "enqueue", study, "--file", lines, NULL);
  assert_exit (&o2, 0);
  vt_assert_contains (o2.out, "trial 1 waiting");
  vt_assert_contains (o2.out, "trial 2 waiting");
  g_assert_null (strstr (o2.out, "trial 3"));

  run_vernier (f, &o3, "show", study, NULL);
  assert_exit (&o3, 0);
  vt_assert_contains (o3.out, "3 trials: 0 complete, 0 pruned, 0 failed, 0 timed out, "
                   "0 lost, 0 running, 3 waiting");

  /* They run first, with their numbers, and count: 3 + 2 of the tuner. */
  run_vernier (f, &o4, "run", study, "--set", "observer log.path=run-1.jsonl", NULL);
  assert_exit (&o4, 0);
  vt_assert_contains (o4.out, "after 5 trials in");
  started = vt_read_events (run1, "trial-started");
  g_assert_cmpuint (started->len, ==, 5);
  for (guint i = 0; i < started->len; i++)
    g_assert_cmpint (number_of (g_ptr_array_index (started, i), "trial"), ==, i);
  records = db_records (db_path);
  g_assert_cmpuint (json_array_get_length (records), ==, 5);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) expected = vt_parse_object (queued[i]);
      JsonObject *record = json_array_get_object_element (records, i);

      g_assert_true (vt_objects_equal (vt_params_of (g_ptr_array_index (started, i)), expected));
      g_assert_true (vt_objects_equal (vt_params_of (record), expected));
      g_assert_cmpstr (state_of (record), ==, "complete");
    }

  /* Beyond the budget: they wait. */
  run_vernier (f, &o5, "enqueue", study, queued[3], queued[4], NULL);
  assert_exit (&o5, 0);
  vt_assert_contains (o5.out, "trial 5 waiting");
  vt_assert_contains (o5.out, "trial 6 waiting");
  run_vernier (f, &o6, "run", study, "--set", "observer log.path=run-2.jsonl", NULL);
  assert_exit (&o6, 0);
  vt_assert_contains (o6.out, "(0 in this run)");

  run_vernier (f, &o7, "show", study, NULL);
  assert_exit (&o7, 0);
  vt_assert_contains (o7.out, "7 trials: 5 complete, 0 pruned, 0 failed, 0 timed out, "
                   "0 lost, 0 running, 2 waiting");
  run_vernier (f, &o8, "show", study, "--json", NULL);
  assert_exit (&o8, 0);
  shown = parse_array (o8.out);
  g_assert_cmpuint (json_array_get_length (shown), ==, 7);
  for (guint i = 5; i < 7; i++)
    {
      g_autoptr(JsonObject) expected = vt_parse_object (queued[i - 2]);
      JsonObject *record = json_array_get_object_element (shown, i);

      g_assert_cmpint (number_of (record, "number"), ==, i);
      g_assert_cmpstr (state_of (record), ==, "waiting");
      g_assert_true (vt_objects_equal (vt_params_of (record), expected));
    }
}

static void
test_enqueue_errors (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree gchar *text = trial_study (f, "queue", "trials=5\nstorage=sqlite\n", 0, 3, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "queue.ini", text);
  g_autofree gchar *bad_json = write_tmp (f, "bad.jsonl",
                                          "{\"x\": 0.5, \"ms\": 2}\n"
                                          "\n"
                                          "{\"x\": 0.5,\n");
  g_autofree gchar *outside = write_tmp (f, "outside.jsonl",
                                         "{\"x\": 0.5, \"ms\": 2}\n"
                                         "{\"x\": 1.5, \"ms\": 2}\n");
  struct {
    const gchar *args[4];
    const gchar *where;
    const gchar *what;
  } cases[] = {
    { { "not json", NULL }, "argument 1", "JSON object" },
    { { "{\"x\": 0.5, \"ms\": 1}", "[0.5, 1]", NULL }, "argument 2", "JSON object" },
    { { "{\"x\": 0.5, \"ms\": 9}", NULL }, "argument 1", "'ms'" },
    { { "--file", bad_json, NULL }, "bad.jsonl:3", "JSON object" },
    { { "--file", outside, NULL }, "outside.jsonl:2", "'x'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(VtOutcome) o = { 0, };

      run_vernier (f, &o, "enqueue", study, cases[i].args[0], cases[i].args[1],
                   cases[i].args[2], cases[i].args[3], NULL);
      assert_exit (&o, 2);
      vt_assert_contains (o.err, cases[i].where);
      vt_assert_contains (o.err, cases[i].what);
    }
}

/* A bad configuration among good ones queues none of them: the user fixes
 * it and enqueues again without duplicating the others. */
static void
test_enqueue_all_or_nothing (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree gchar *text = trial_study (f, "queue", "trials=5\nstorage=sqlite\n", 0, 3, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "queue.ini", text);
  g_autofree gchar *outside = write_tmp (f, "outside.jsonl",
                                         "{\"x\": 0.5, \"ms\": 2}\n"
                                         "{\"x\": 1.5, \"ms\": 2}\n");
  g_autoptr(JsonArray) shown = NULL;
  g_auto(VtOutcome) o1 = { 0, };
  g_auto(VtOutcome) o2 = { 0, };
  g_auto(VtOutcome) o3 = { 0, };
  g_auto(VtOutcome) o4 = { 0, };

  run_vernier (f, &o1, "enqueue", study, "{\"x\": 0.25, \"ms\": 1}", NULL);
  assert_exit (&o1, 0);

  run_vernier (f, &o2, "enqueue", study, "{\"x\": 0.5, \"ms\": 1}", "{\"x\": 2}", NULL);
  assert_exit (&o2, 2);
  run_vernier (f, &o3, "enqueue", study, "--file", outside, NULL);
  assert_exit (&o3, 2);

  run_vernier (f, &o4, "show", study, "--json", NULL);
  assert_exit (&o4, 0);
  shown = parse_array (o4.out);
  g_assert_cmpuint (json_array_get_length (shown), ==, 1);
}

/* ---- show, best, export ----------------------------------------------- */

/* A study whose parameters are not in alphabetical order, with a choice
 * holding a comma, whose trainer fails with a message holding a comma and
 * quotes when alpha is that choice. */
static gchar *
report_study (Fixture     *f,
              const gchar *name,
              guint        trials)
{
  return g_strdup_printf ("[study]\n"
                          "name=%s\n"
                          "objective=loss\n"
                          "trials=%u\n"
                          "parallel=1\n"
                          "storage=sqlite\n"
                          "\n"
                          "[param zeta]\n"
                          "type=float\n"
                          "low=0\n"
                          "high=10\n"
                          "\n"
                          "[param alpha]\n"
                          "type=categorical\n"
                          "choices=plain;with,comma\n"
                          "\n"
                          "[param mid]\n"
                          "type=int\n"
                          "low=1\n"
                          "high=5\n"
                          "\n"
                          "[tuner]\n"
                          "plugin=random\n"
                          "\n"
                          "[trainer]\n"
                          "plugin=command\n"
                          "argv=/bin/sh;%s/report.sh;{zeta};{alpha};{mid}\n",
                          name, trials, f->datadir);
}

/* RFC 4180: records end with CRLF, a field in quotes may hold commas,
 * line breaks and doubled quotes. */
static GPtrArray *
parse_csv (const gchar *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) row = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const gchar *p = text;

  while (*p != '\0')
    {
      if (*p == '"' && field->len == 0)
        {
          for (p++; !(*p == '"' && p[1] != '"'); p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"')
                p++;
              g_string_append_c (field, *p);
            }
          p++;
          /* A closing quote ends the field. */
          g_assert_true (*p == ',' || *p == '\r');
          continue;
        }
      if (*p == ',' || *p == '\r')
        {
          g_ptr_array_add (row, g_strdup (field->str));
          g_string_truncate (field, 0);
          if (*p == '\r')
            {
              g_assert_cmpint (p[1], ==, '\n');
              g_ptr_array_add (row, NULL);
              g_ptr_array_add (rows, g_ptr_array_steal (row, NULL));
              p++;
            }
          p++;
          continue;
        }
      /* A bare line feed or quote is not RFC 4180. */
      g_assert_cmpint (*p, !=, '\n');
      g_assert_cmpint (*p, !=, '"');
      g_string_append_c (field, *p++);
    }
  g_assert_cmpuint (row->len, ==, 0);
  g_assert_cmpuint (field->len, ==, 0);
  return rows;
}

/* The blank-separated words of a line of `vernier show`. */
static gchar **
words_of (const gchar *line)
{
  g_auto(GStrv) parts = g_strsplit (line, " ", -1);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (words, g_strdup (parts[i]));
  g_ptr_array_add (words, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

static void
test_show_best_export (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree gchar *text = report_study (f, "report", 3);
  g_autofree gchar *study = write_tmp (f, "report.ini", text);
  g_autofree gchar *csv_path = tmp_path (f, "trials.csv");
  g_autofree gchar *json_path = tmp_path (f, "trials.json");
  g_autofree gchar *csv_file = NULL;
  g_autofree gchar *json_file = NULL;
  g_auto(GStrv) table = NULL;
  g_auto(GStrv) header_words = NULL;
  g_autoptr(JsonArray) shown = NULL;
  g_autoptr(JsonArray) exported = NULL;
  g_autoptr(JsonObject) best = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  const gchar *error_message;
  const gchar *header[] = {
    "number", "state", "value", "duration", "start", "end", "zeta", "alpha", "mid", "error", NULL
  };
  const gchar *table_header[] = { "trial", "state", "value", "duration", "parameters", NULL };
  g_auto(VtOutcome) enqueue = { 0, };
  g_auto(VtOutcome) run = { 0, };
  g_auto(VtOutcome) show = { 0, };
  g_auto(VtOutcome) show_json = { 0, };
  g_auto(VtOutcome) best_text = { 0, };
  g_auto(VtOutcome) best_json = { 0, };
  g_auto(VtOutcome) csv = { 0, };
  g_auto(VtOutcome) json = { 0, };
  g_auto(VtOutcome) csv_out = { 0, };
  g_auto(VtOutcome) json_out = { 0, };
  g_auto(VtOutcome) bad_format = { 0, };

  /* Known configurations, so that trial 1 fails and trial 2 is best. */
  run_vernier (f, &enqueue, "enqueue", study,
               "{\"zeta\": 0.75, \"alpha\": \"plain\", \"mid\": 4}",
               "{\"zeta\": 0.5, \"alpha\": \"with,comma\", \"mid\": 1}",
               "{\"zeta\": 2.5, \"alpha\": \"plain\", \"mid\": 1}", NULL);
  assert_exit (&enqueue, 0);
  run_vernier (f, &run, "run", study, NULL);
  assert_exit (&run, 0);

  /* The table. */
  run_vernier (f, &show, "show", study, NULL);
  assert_exit (&show, 0);
  table = g_strsplit (show.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (table), ==, 6);
  header_words = words_of (table[0]);
  g_assert_cmpstrv (header_words, table_header);
  for (guint i = 0; i < 3; i++)
    {
      static const gchar *states[] = { "complete", "failed", "complete" };
      static const gchar *values[] = { "3", "-", "2.5" };
      static const gchar *params[] = {
        "{\"zeta\":0.75,\"alpha\":\"plain\",\"mid\":4}",
        "{\"zeta\":0.5,\"alpha\":\"with,comma\",\"mid\":1}",
        "{\"zeta\":2.5,\"alpha\":\"plain\",\"mid\":1}",
      };
      g_auto(GStrv) cells = words_of (table[i + 1]);
      g_autofree gchar *number = g_strdup_printf ("%u", i);

      g_assert_cmpuint (g_strv_length (cells), ==, 5);
      g_assert_cmpstr (cells[0], ==, number);
      g_assert_cmpstr (cells[1], ==, states[i]);
      g_assert_cmpstr (cells[2], ==, values[i]);
      g_assert_cmpstr (cells[4], ==, params[i]);
    }
  g_assert_cmpstr (table[4], ==, "3 trials: 2 complete, 0 pruned, 1 failed, 0 timed out, "
                   "0 lost, 0 running, 0 waiting");

  run_vernier (f, &show_json, "show", study, "--json", NULL);
  assert_exit (&show_json, 0);
  shown = parse_array (show_json.out);
  g_assert_cmpuint (json_array_get_length (shown), ==, 3);
  error_message = json_object_get_string_member (json_array_get_object_element (shown, 1), "error");
  vt_assert_contains (error_message, "bad input, \"with,comma\" refused");

  /* The best. */
  run_vernier (f, &best_text, "best", study, NULL);
  assert_exit (&best_text, 0);
  vt_assert_contains (best_text.out, "Best trial 2: loss = 2.5\n");
  vt_assert_contains (best_text.out, "  zeta = 2.5\n  alpha = \"plain\"\n  mid = 1\n");
  run_vernier (f, &best_json, "best", study, "--json", NULL);
  assert_exit (&best_json, 0);
  best = vt_parse_object (best_json.out);
  g_assert_true (vt_objects_equal (best, json_array_get_object_element (shown, 2)));

  /* CSV: the header, then a row per trial, parameters in the file's
   * order, fields quoted as they need. */
  run_vernier (f, &csv, "export", study, "--format", "csv", NULL);
  assert_exit (&csv, 0);
  g_assert_true (g_str_has_prefix (csv.out, "number,state,value,duration,start,end,"
                                   "zeta,alpha,mid,error\r\n"));
  vt_assert_contains (csv.out, ",\"with,comma\",");
  vt_assert_contains (csv.out, "bad input, \"\"with,comma\"\" refused");
  rows = parse_csv (csv.out);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpstrv (g_ptr_array_index (rows, 0), header);
  for (guint i = 1; i < rows->len; i++)
    {
      gchar **row = g_ptr_array_index (rows, i);
      JsonObject *record = json_array_get_object_element (shown, i - 1);
      JsonObject *params = vt_params_of (record);
      g_autofree gchar *number = g_strdup_printf ("%u", i - 1);

      g_assert_cmpuint (g_strv_length (row), ==, 10);
      g_assert_cmpstr (row[0], ==, number);
      g_assert_cmpstr (row[1], ==, state_of (record));
      if (json_object_has_member (record, "value"))
        g_assert_cmpfloat (g_ascii_strtod (row[2], NULL), ==,
                           json_object_get_double_member (record, "value"));
      else
        g_assert_cmpstr (row[2], ==, "");
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[3], NULL),
                                      json_object_get_double_member (record, "duration"), 1e-6);
      g_assert_cmpstr (row[4], ==, json_object_get_string_member (record, "start"));
      g_assert_cmpstr (row[5], ==, json_object_get_string_member (record, "end"));
      g_assert_cmpfloat (g_ascii_strtod (row[6], NULL), ==,
                         json_object_get_double_member (params, "zeta"));
      g_assert_cmpstr (row[7], ==, json_object_get_string_member (params, "alpha"));
      g_assert_cmpint (g_ascii_strtoll (row[8], NULL, 10), ==,
                       json_object_get_int_member (params, "mid"));
      g_assert_cmpstr (row[9], ==,
                       json_object_get_string_member_with_default (record, "error", ""));
    }

  /* JSON: the records, as show --json. */
  run_vernier (f, &json, "export", study, "--format", "json", NULL);
  assert_exit (&json, 0);
  exported = parse_array (json.out);
  g_assert_cmpuint (json_array_get_length (exported), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (vt_objects_equal (json_array_get_object_element (exported, i),
                                  json_array_get_object_element (shown, i)));

  /* -o: the same, into a file. */
  run_vernier (f, &csv_out, "export", study, "-o", csv_path, NULL);
  assert_exit (&csv_out, 0);
  g_assert_cmpstr (csv_out.out, ==, "");
  csv_file = read_file (csv_path);
  g_assert_cmpstr (csv_file, ==, csv.out);
  run_vernier (f, &json_out, "export", study, "--format", "json", "-o", json_path, NULL);
  assert_exit (&json_out, 0);
  g_assert_cmpstr (json_out.out, ==, "");
  json_file = read_file (json_path);
  g_assert_cmpstr (json_file, ==, json.out);

  run_vernier (f, &bad_format, "export", study, "--format", "xml", NULL);
  assert_exit (&bad_format, 2);
  vt_assert_contains (bad_format.err, "xml");
}

static void
test_best_none_complete (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree gchar *text = report_study (f, "failing", 1);
  g_autofree gchar *study = write_tmp (f, "failing.ini", text);
  g_auto(VtOutcome) enqueue = { 0, };
  g_auto(VtOutcome) waiting = { 0, };
  g_auto(VtOutcome) run = { 0, };
  g_auto(VtOutcome) best = { 0, };

  run_vernier (f, &enqueue, "enqueue", study,
               "{\"zeta\": 0.5, \"alpha\": \"with,comma\", \"mid\": 1}", NULL);
  assert_exit (&enqueue, 0);
  run_vernier (f, &waiting, "best", study, NULL);
  assert_exit (&waiting, 1);
  vt_assert_contains (waiting.err, "no complete trial");

  run_vernier (f, &run, "run", study, NULL);
  assert_exit (&run, 1);
  run_vernier (f, &best, "best", study, "--json", NULL);
  assert_exit (&best, 1);
  vt_assert_contains (best.err, "no complete trial");
  g_assert_cmpstr (best.out, ==, "");
}

static void
test_missing_study (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree gchar *text = trial_study (f, "missing", "trials=2\nstorage=sqlite\n", 0, 2, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "missing.ini", text);
  g_autofree gchar *listing = list_dir (f->tmpdir);
  const gchar *commands[] = { "show", "best", "export" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree gchar *listing_after = NULL;
      g_auto(VtOutcome) o = { 0, };

      run_vernier (f, &o, commands[i], study, NULL);
      assert_exit (&o, 1);
      vt_assert_contains (o.err, "missing.db");
      g_assert_cmpstr (o.out, ==, "");
      listing_after = list_dir (f->tmpdir);
      g_assert_cmpstr (listing_after, ==, listing);
    }
}

/* ---- interruption ----------------------------------------------------- */

static void
test_interrupt (Fixture       *f,
                gconstpointer  data)
{
  g_autofree gchar *text = trial_study (f, "pause", "trials=3\nparallel=1\nstorage=sqlite\n",
                                        0, 2, RANDOM_TUNER);
  g_autofree gchar *study = write_tmp (f, "pause.ini", text);
  g_autofree gchar *db_path = tmp_path (f, "pause.db");
  g_autofree gchar *run1 = tmp_path (f, "run-1.jsonl");
  g_autofree gchar *run2 = tmp_path (f, "run-2.jsonl");
  /* The trainer sleeps 10 s. */
  g_autofree gchar *slow = g_strdup_printf ("trainer.argv=/bin/sh;%s/trial.sh;{x};10000", f->datadir);
  const gchar *args[] = { "run", study, "--set", slow, "--set", "observer log.path=run-1.jsonl", NULL };
  const Launch launch = { NULL, };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) started = NULL;
  g_autoptr(GPtrArray) started2 = NULL;
  g_autoptr(JsonArray) shown = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_auto(GStrv) table = NULL;
  JsonObject *interrupted;
  gint64 deadline;
  g_auto(VtOutcome) o1 = { 0, };
  g_auto(VtOutcome) o2 = { 0, };
  g_auto(VtOutcome) o3 = { 0, };
  g_auto(VtOutcome) o4 = { 0, };

  process = spawn_vernierv (f, &launch, args);
  deadline = g_get_monotonic_time () + WAIT_LIMIT_USEC;
  while (count_lines_with (run1, "\"event\":\"trial-started\"") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * POLL_USEC);
    }
  g_subprocess_send_signal (process, SIGINT);
  vt_collect (process, &o1);
  assert_exit (&o1, 130);
  vt_assert_contains (o1.err, "SIGINT");

  started = vt_read_events (run1, "trial-started");
  g_assert_cmpuint (started->len, ==, 1);
  interrupted = g_ptr_array_index (started, 0);
  g_assert_cmpint (number_of (interrupted, "trial"), ==, 0);

  /* Back in the queue, not failed, not lost. */
  run_vernier (f, &o2, "show", study, "--json", NULL);
  assert_exit (&o2, 0);
  shown = parse_array (o2.out);
  g_assert_cmpuint (json_array_get_length (shown), ==, 1);
  g_assert_cmpstr (state_of (json_array_get_object_element (shown, 0)), ==, "waiting");
  g_assert_false (vt_is_lost (json_array_get_object_element (shown, 0)));
  g_assert_true (vt_objects_equal (vt_params_of (json_array_get_object_element (shown, 0)),
                                vt_params_of (interrupted)));
  run_vernier (f, &o3, "show", study, NULL);
  assert_exit (&o3, 0);
  table = g_strsplit (o3.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (table), >=, 3);
  g_assert_true (g_str_has_prefix (g_strchug (table[1]), "0  waiting "));
  vt_assert_contains (o3.out, "1 trials: 0 complete, 0 pruned, 0 failed, 0 timed out, "
                   "0 lost, 0 running, 1 waiting");

  /* The next run runs it first, with its number. */
  run_vernier (f, &o4, "run", study, "--set", "observer log.path=run-2.jsonl", NULL);
  assert_exit (&o4, 0);
  started2 = vt_read_events (run2, "trial-started");
  g_assert_cmpuint (started2->len, ==, 3);
  g_assert_cmpint (number_of (g_ptr_array_index (started2, 0), "trial"), ==, 0);
  g_assert_true (vt_objects_equal (vt_params_of (g_ptr_array_index (started2, 0)),
                                vt_params_of (interrupted)));

  records = db_records (db_path);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      g_assert_cmpstr (state_of (record), ==, "complete");
      g_assert_false (json_object_has_member (record, "retry-of"));
    }
  g_assert_true (vt_objects_equal (vt_params_of (json_array_get_object_element (records, 0)),
                                vt_params_of (interrupted)));
}

/* ---- the default database --------------------------------------------- */

static void
test_default_path (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree gchar *studies = tmp_path (f, "studies");
  g_autofree gchar *elsewhere = tmp_path (f, "elsewhere");
  g_autofree gchar *text = trial_study (f, "defpath", "trials=3\n", 0, 2, RANDOM_TUNER);
  g_autofree gchar *study_path = NULL;
  g_autofree gchar *db_path = NULL;
  g_autofree gchar *cwd_listing = NULL;
  g_autofree gchar *root_listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) records = NULL;
  /* The real default: no storage key, VERNIER_STORAGE unset. */
  const Launch launch = { .cwd = elsewhere, .default_storage = TRUE };
  g_auto(VtOutcome) run = { 0, };
  g_auto(VtOutcome) show = { 0, };

  g_assert_cmpint (g_mkdir (studies, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (elsewhere, 0700), ==, 0);
  study_path = g_build_filename (studies, "def.ini", NULL);
  g_file_set_contents (study_path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (text, "storage"));

  run_vernier_with (f, &launch, &run, "run", "../studies/def.ini", NULL);
  assert_exit (&run, 0);

  /* Beside the study file; nothing in the working directory. */
  db_path = g_build_filename (studies, "defpath.db", NULL);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));
  cwd_listing = list_dir (elsewhere);
  g_assert_cmpstr (cwd_listing, ==, "");
  root_listing = list_dir (f->tmpdir);
  g_assert_cmpstr (root_listing, ==, "elsewhere studies");

  records = db_records (db_path);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);

  run_vernier_with (f, &launch, &show, "show", "../studies/def.ini", NULL);
  assert_exit (&show, 0);
  vt_assert_contains (show.out, "3 trials: 3 complete");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* Orphans of killed vernier processes come to this process. */
  vt_become_subreaper ();

  if (g_getenv ("VERNIER_BINARY") == NULL)
    g_error ("VERNIER_BINARY must be set: run this test with `meson test persistence`");

#define ADD(path, func) \
  g_test_add ("/vernier/persistence/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("crash-resume", test_crash_resume);
  ADD ("resume/budget", test_resume_budget);
  ADD ("resume/grid", test_resume_grid);
  ADD ("resume/tuner-chain", test_resume_chain);
  ADD ("refuse/mismatch", test_mismatch);
  ADD ("refuse/newer-schema", test_newer_schema);
  ADD ("show-best-export", test_show_best_export);
  ADD ("best/no-complete-trial", test_best_none_complete);
  ADD ("missing-study", test_missing_study);
  ADD ("interrupt/back-to-queue", test_interrupt);
  ADD ("default-path", test_default_path);
  ADD ("enqueue/run-first", test_enqueue);
  ADD ("enqueue/errors", test_enqueue_errors);
  ADD ("enqueue/all-or-nothing", test_enqueue_all_or_nothing);

#undef ADD

  return g_test_run ();
}
