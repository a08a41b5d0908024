/* Several `vernier worker` processes ($VERNIER_BINARY, run with
 * GSubprocess) sharing studies in a real PostgreSQL server: the one
 * tests/with-postgresql.py starts and names in
 * $VERNIER_TEST_POSTGRESQL_URI. Workers are killed (SIGKILL) or frozen
 * (SIGSTOP) in the middle of a trial; the database is then read back with
 * libpq and checked against what each worker reported in its jsonl file
 * and its --json summary.
 *
 * The trainer is tests/data/workers/trial.sh. A worker started with
 * WORKERS_STALL_FROM and WORKERS_STALL_MARK in its environment stalls in
 * its first trial numbered WORKERS_STALL_FROM or above and says so in the
 * mark file: the test knows which trial was running when it stopped the
 * worker, without guessing at timings. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "vernier-core.h"
#include "vernier-test-util.h"

/* How long the tests wait, at most, for something that must happen (a
 * worker to stall, the workers to finish): a bound so that a bug fails
 * the test instead of hanging it, never a measure of speed. */
#define WAIT_LIMIT_USEC (120 * G_USEC_PER_SEC)
#define POLL_USEC       2000

#define N_WORKERS 4

/* The worker that is killed (its index), in the tests that kill one. */
#define VICTIM 1

typedef struct
{
  gchar       *tmpdir;
  gchar       *datadir;
  const gchar *uri;
  gchar       *schema;
  PGconn      *conn;
} Fixture;

typedef struct
{
  gchar       *name;      /* w1, w2… */
  GSubprocess *process;
  gint64       pid;
  gboolean     exited;
  gchar       *jsonl;     /* paths in the fixture's directory */
  gchar       *out;
  gchar       *err;
} Worker;

/* ---- fixture ---------------------------------------------------------- */


static PGresult *db_exec (Fixture *f, const gchar *sql_with_schema, gint n_values,
                          const gchar * const *values);

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const gchar *test = data;

  f->tmpdir = vt_make_tmp_dir ("workers");
  f->datadir = vt_data_dir ("workers");

  /* No server is no reason to skip: with-postgresql.py gives one. */
  f->uri = g_getenv ("VERNIER_TEST_POSTGRESQL_URI");
  if (f->uri == NULL || *f->uri == '\0')
    g_test_message ("VERNIER_TEST_POSTGRESQL_URI is not set: run this test with "
                    "`meson test workers`, which starts a PostgreSQL server "
                    "(tests/with-postgresql.py)");
  g_assert_nonnull (f->uri);
  g_assert_cmpstr (f->uri, !=, "");
  f->conn = PQconnectdb (f->uri);
  if (PQstatus (f->conn) != CONNECTION_OK)
    g_test_message ("cannot connect to %s: %s", f->uri, PQerrorMessage (f->conn));
  g_assert_cmpint (PQstatus (f->conn), ==, CONNECTION_OK);
  /* Quiet about the schemas dropped, in the TAP output. */
  PQclear (PQexec (f->conn, "SET client_min_messages TO warning"));

  /* A schema of its own per test and per test process, so that neither
   * another test nor an earlier run against the same server is seen. */
  f->schema = g_strdup_printf ("workers_%s_%d", test, (int) getpid ());
  PQclear (db_exec (f, "DROP SCHEMA IF EXISTS {schema} CASCADE", 0, NULL));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  PQclear (db_exec (f, "DROP SCHEMA IF EXISTS {schema} CASCADE", 0, NULL));
  g_clear_pointer (&f->conn, PQfinish);
  vt_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->datadir);
  g_free (f->schema);
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


/* ---- JSON ------------------------------------------------------------- */




static const gchar *
state_of (JsonObject *record)
{
  return json_object_get_string_member_with_default (record, "state", "");
}


static gint64
number_of (JsonObject  *object,
           const gchar *member)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

/* The loss trial.sh prints for @params. */
static gdouble
expected_loss (JsonObject *params)
{
  gdouble x = json_object_get_double_member (params, "x");
  gdouble ms = json_object_get_double_member (params, "ms");

  return (x - 0.3) * (x - 0.3) + ms / 1000;
}

static gint64
time_of (JsonObject  *record,
         const gchar *member)
{
  const gchar *text = json_object_get_string_member_with_default (record, member, "");
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (when);
  return g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
}


/* ---- the database ----------------------------------------------------- */

/* Runs @sql_with_schema, "{schema}" standing for the fixture's schema. */
static PGresult *
db_exec (Fixture             *f,
         const gchar         *sql_with_schema,
         gint                 n_values,
         const gchar * const *values)
{
  g_autoptr(GString) sql = g_string_new (sql_with_schema);
  gchar *quoted = PQescapeIdentifier (f->conn, f->schema, strlen (f->schema));
  PGresult *result;
  ExecStatusType status;

  g_assert_nonnull (quoted);
  g_string_replace (sql, "{schema}", quoted, 0);
  PQfreemem (quoted);
  result = PQexecParams (f->conn, sql->str, n_values, NULL, values, NULL, NULL, 0);
  status = PQresultStatus (result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    g_test_message ("%s: %s", sql->str, PQresultErrorMessage (result));
  g_assert_true (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK);
  return result;
}

static gint64
get_int (PGresult *result,
         gint      row,
         gint      column)
{
  g_assert_false (PQgetisnull (result, row, column));
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

/* Every trial record of @study, by number, after checking that the
 * columns the storage searches on agree with the records. */
static JsonArray *
db_records (Fixture     *f,
            const gchar *study)
{
  const gchar *values[] = { study };
  PGresult *result = db_exec (f,
                              "SELECT t.number, t.state, t.worker, t.lost, t.record"
                              "  FROM {schema}.trials t"
                              "  JOIN {schema}.studies s ON s.id = t.study"
                              " WHERE s.name = $1 ORDER BY t.number",
                              1, values);
  JsonArray *records = json_array_new ();

  for (gint i = 0; i < PQntuples (result); i++)
    {
      g_autoptr(JsonObject) record = vt_parse_object (PQgetvalue (result, i, 4));

      g_assert_cmpint (number_of (record, "number"), ==, get_int (result, i, 0));
      g_assert_cmpstr (state_of (record), ==, PQgetvalue (result, i, 1));
      g_assert_cmpint (vt_is_lost (record), ==, PQgetvalue (result, i, 3)[0] == 't');
      if (json_object_has_member (record, "worker"))
        g_assert_cmpint (number_of (record, "worker"), ==, get_int (result, i, 2));
      json_array_add_object_element (records, g_steal_pointer (&record));
    }
  PQclear (result);
  return records;
}

/* How many trials of @study are finished (neither waiting nor running). */
static guint
db_count_finished (Fixture     *f,
                   const gchar *study)
{
  const gchar *values[] = { study };
  PGresult *result = db_exec (f,
                              "SELECT count(*) FROM {schema}.trials t"
                              "  JOIN {schema}.studies s ON s.id = t.study"
                              " WHERE s.name = $1 AND t.state NOT IN ('waiting', 'running')",
                              1, values);
  guint n = get_int (result, 0, 0);

  PQclear (result);
  return n;
}

/* The id the storage gave the worker whose process is @pid, 0 if it did
 * not register. */
static guint
db_worker_id (Fixture     *f,
              const gchar *study,
              gint64       pid)
{
  g_autofree gchar *pid_text = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  const gchar *values[] = { study, pid_text };
  PGresult *result = db_exec (f,
                              "SELECT w.id FROM {schema}.workers w"
                              "  JOIN {schema}.studies s ON s.id = w.study"
                              " WHERE s.name = $1 AND w.pid = $2",
                              2, values);
  guint id = 0;

  g_assert_cmpint (PQntuples (result), <=, 1);
  if (PQntuples (result) == 1)
    id = get_int (result, 0, 0);
  PQclear (result);
  return id;
}

/* The last heartbeat of worker @id. */
static gint64
db_heartbeat (Fixture *f,
              guint    id)
{
  g_autofree gchar *id_text = g_strdup_printf ("%u", id);
  const gchar *values[] = { id_text };
  PGresult *result = db_exec (f, "SELECT heartbeat FROM {schema}.workers WHERE id = $1",
                              1, values);
  gint64 heartbeat;

  g_assert_cmpint (PQntuples (result), ==, 1);
  heartbeat = get_int (result, 0, 0);
  PQclear (result);
  return heartbeat;
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

/* ---- workers ---------------------------------------------------------- */

static void
worker_free (Worker *w)
{
  g_clear_object (&w->process);
  g_free (w->name);
  g_free (w->jsonl);
  g_free (w->out);
  g_free (w->err);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Worker, worker_free)

static void
child_setup (gpointer data)
{
#ifdef __linux__
  /* A worker does not outlive a test that failed and stopped. */
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
#endif
}

static void
on_worker_exited (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  Worker *w = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  w->exited = TRUE;
}

/* Starts `vernier worker STUDY --json` as worker @index (its files are
 * wINDEX.out, .err and .jsonl); when @stall_from is not negative, it
 * stalls in its first trial numbered @stall_from or above (trial.sh). */
static Worker *
spawn_worker (Fixture     *f,
              const gchar *study,
              guint        index,
              gint         stall_from)
{
  const gchar *binary = g_getenv ("VERNIER_BINARY");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *jsonl_name = NULL;
  g_autofree gchar *set_log = NULL;
  g_autofree gchar *name = NULL;
  Worker *w = g_new0 (Worker, 1);

  g_assert_nonnull (binary);
  w->name = g_strdup_printf ("w%u", index + 1);
  jsonl_name = g_strconcat (w->name, ".jsonl", NULL);
  w->jsonl = tmp_path (f, jsonl_name);
  name = g_strconcat (w->name, ".out", NULL);
  w->out = tmp_path (f, name);
  g_free (name);
  name = g_strconcat (w->name, ".err", NULL);
  w->err = tmp_path (f, name);
  set_log = g_strdup_printf ("observer log.path=%s", jsonl_name);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_cwd (launcher, f->tmpdir);
  g_subprocess_launcher_set_stdout_file_path (launcher, w->out);
  g_subprocess_launcher_set_stderr_file_path (launcher, w->err);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  if (stall_from >= 0)
    {
      g_autofree gchar *from = g_strdup_printf ("%d", stall_from);
      g_autofree gchar *mark = tmp_path (f, "stall.mark");

      g_subprocess_launcher_setenv (launcher, "WORKERS_STALL_FROM", from, TRUE);
      g_subprocess_launcher_setenv (launcher, "WORKERS_STALL_MARK", mark, TRUE);
    }

  w->process = g_subprocess_launcher_spawn (launcher, &error, binary, "worker", study,
                                            "--json", "--set", set_log, NULL);
  g_assert_no_error (error);
  w->pid = g_ascii_strtoll (g_subprocess_get_identifier (w->process), NULL, 10);
  g_subprocess_wait_async (w->process, NULL, on_worker_exited, w);
  return w;
}

static void
print_worker (Worker *w)
{
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  g_file_get_contents (w->out, &out, NULL, NULL);
  g_file_get_contents (w->err, &err, NULL, NULL);
  g_test_message ("%s (process %" G_GINT64_FORMAT ", %s): stdout:\n%s\nstderr:\n%s",
                  w->name, w->pid, w->exited ? "exited" : "running",
                  out != NULL ? out : "", err != NULL ? err : "");
}

static void
print_workers (GPtrArray *workers)
{
  for (guint i = 0; i < workers->len; i++)
    print_worker (g_ptr_array_index (workers, i));
}

/* Lets GLib see the workers that exited, then sleeps a little. */
static void
pump (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_usleep (POLL_USEC);
}

/* Fails the test, saying what the workers said, when @deadline passed
 * while waiting for @what. */
static void
check_deadline (GPtrArray   *workers,
                gint64       deadline,
                const gchar *what)
{
  if (g_get_monotonic_time () <= deadline)
    return;
  print_workers (workers);
  g_test_message ("gave up waiting for %s", what);
  g_assert_cmpint (g_get_monotonic_time (), <=, deadline);
}

/* Fails the test when @w exited, which it must not have done yet. */
static void
assert_running (GPtrArray   *workers,
                Worker      *w,
                const gchar *why)
{
  if (w->exited)
    {
      print_workers (workers);
      g_test_message ("%s exited %s", w->name, why);
    }
  g_assert_false (w->exited);
}

/* Waits for every worker but @skip (NULL for none) to exit, and checks
 * that each exited with status 0, printed no GLib warning or critical
 * (with G_DEBUG=fatal-warnings one would have aborted it) and says in
 * its --json summary that the study finished. */
static void
wait_workers_done (GPtrArray *workers,
                   Worker    *skip)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_USEC;

  for (guint i = 0; i < workers->len; i++)
    {
      Worker *w = g_ptr_array_index (workers, i);

      while (w != skip && !w->exited)
        {
          check_deadline (workers, deadline, "the workers to finish");
          pump ();
        }
    }

  for (guint i = 0; i < workers->len; i++)
    {
      Worker *w = g_ptr_array_index (workers, i);
      g_autofree gchar *out = NULL;
      g_autofree gchar *err = NULL;
      g_autoptr(JsonObject) summary = NULL;

      if (w == skip)
        continue;
      if (!g_subprocess_get_if_exited (w->process) ||
          g_subprocess_get_exit_status (w->process) != 0)
        print_workers (workers);
      g_assert_true (g_subprocess_get_if_exited (w->process));
      g_assert_cmpint (g_subprocess_get_exit_status (w->process), ==, 0);

      g_assert_true (g_file_get_contents (w->out, &out, NULL, NULL));
      g_assert_true (g_file_get_contents (w->err, &err, NULL, NULL));
      g_assert_null (strstr (err, "CRITICAL"));
      g_assert_null (strstr (err, "WARNING"));
      summary = vt_parse_object (out);
      g_assert_cmpstr (json_object_get_string_member_with_default (summary, "state", ""), ==,
                       "finished");
    }
}

/* What trial.sh wrote when it stalled: the process that stalls, and its
 * trial's number. */
typedef struct
{
  gint64 pid;
  gint64 trial;
} Stall;

/* Waits until @victim stalls in a trial. */
static Stall
wait_stall (Fixture   *f,
            GPtrArray *workers,
            Worker    *victim)
{
  g_autofree gchar *mark = tmp_path (f, "stall.mark");
  g_autofree gchar *contents = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_USEC;
  Stall stall = { 0, -1 };
  gchar *end = NULL;

  while (!g_file_get_contents (mark, &contents, NULL, NULL))
    {
      assert_running (workers, victim, "before it stalled in a trial");
      check_deadline (workers, deadline, "the worker to stall in a trial");
      pump ();
    }
  stall.pid = g_ascii_strtoll (contents, &end, 10);
  stall.trial = g_ascii_strtoll (end, NULL, 10);
  g_assert_cmpint (stall.pid, >, 1);
  g_assert_cmpint (stall.trial, >=, 0);
  return stall;
}

/* Checks that @victim is in the middle of trial @stall: RUNNING for it in
 * the database, started and not finished in its jsonl file. */
static void
assert_mid_trial (Fixture     *f,
                  const gchar *study,
                  Worker      *victim,
                  Stall        stall)
{
  g_autoptr(JsonArray) records = db_records (f, study);
  JsonObject *record = find_record (records, stall.trial);
  g_autoptr(GPtrArray) started = vt_read_events (victim->jsonl, "trial-started");
  g_autoptr(GPtrArray) finished = vt_read_events (victim->jsonl, "trial-finished");
  gboolean seen = FALSE;

  g_assert_nonnull (record);
  g_assert_cmpstr (state_of (record), ==, "running");
  g_assert_cmpint (number_of (record, "worker"), ==, db_worker_id (f, study, victim->pid));
  for (guint i = 0; i < started->len; i++)
    seen |= number_of (g_ptr_array_index (started, i), "trial") == stall.trial;
  g_assert_true (seen);
  for (guint i = 0; i < finished->len; i++)
    g_assert_cmpint (number_of (g_ptr_array_index (finished, i), "trial"), !=, stall.trial);
}

/* Kills @victim with SIGKILL, and then the trial it was running (which,
 * in a process group of its own, outlives it; as this process is a child
 * subreaper, see main(), the orphan is reaped here). */
static void
kill_victim (Worker *victim,
             Stall   stall)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (victim->process, SIGKILL);
  g_subprocess_wait (victim->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (victim->process));
  g_assert_cmpint (g_subprocess_get_term_sig (victim->process), ==, SIGKILL);
  while (!victim->exited)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (kill ((pid_t) stall.pid, SIGKILL), ==, 0);
  while (waitpid ((pid_t) stall.pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* ---- the durability checks -------------------------------------------- */

typedef struct
{
  guint    budget;
  Worker  *victim;       /* NULL when no worker was killed */
  Stall    stall;        /* the trial it was killed in */
  gboolean expect_time_overlap;
} Expect;

/* The trials that worker @w reported COMPLETE in its jsonl file are in
 * @records, each once in all of @seen, complete, run by @w (@id) and with
 * the value and parameters reported. Returns how many there are. */
static guint
check_reported (JsonArray  *records,
                Worker     *w,
                guint       id,
                GHashTable *seen)
{
  g_autoptr(GPtrArray) finished = vt_read_events (w->jsonl, "trial-finished");
  guint n = 0;

  for (guint i = 0; i < finished->len; i++)
    {
      JsonObject *event = g_ptr_array_index (finished, i);
      gint64 number = number_of (event, "trial");
      JsonObject *record;

      if (!g_str_equal (state_of (event), "complete"))
        continue;
      g_assert_false (g_hash_table_contains (seen, GINT_TO_POINTER (number)));
      g_hash_table_add (seen, GINT_TO_POINTER (number));
      record = find_record (records, number);
      g_assert_nonnull (record);
      g_assert_cmpstr (state_of (record), ==, "complete");
      g_assert_false (vt_is_lost (record));
      g_assert_cmpint (number_of (record, "worker"), ==, id);
      g_assert_cmpfloat (json_object_get_double_member (record, "value"), ==,
                         json_object_get_double_member (event, "value"));
      g_assert_true (vt_objects_equal (vt_params_of (record), vt_params_of (event)));
      n++;
    }
  return n;
}

/* The checks every test of many workers makes once they are done. */
static JsonArray *
check_study (Fixture      *f,
             const gchar  *study,
             GPtrArray    *workers,
             const Expect *expect)
{
  g_autoptr(JsonArray) records = db_records (f, study);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) survivors = g_hash_table_new (NULL, NULL);
  guint victim_id = 0;
  guint n_counted = 0;
  guint n_reported = 0;
  guint n_lost = 0;
  guint n_retries = 0;
  gboolean overlap = FALSE;

  for (guint i = 0; i < workers->len; i++)
    {
      Worker *w = g_ptr_array_index (workers, i);
      guint id = db_worker_id (f, study, w->pid);

      g_assert_cmpuint (id, >, 0);
      if (w == expect->victim)
        victim_id = id;
      else
        g_hash_table_add (survivors, GUINT_TO_POINTER (id));
      /* Including what the killed worker reported before it died. */
      n_reported += check_reported (records, w, id, seen);
    }

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      const gchar *state = state_of (record);

      /* Numbers from 0, none skipped; nothing left behind. */
      g_assert_cmpint (number_of (record, "number"), ==, i);
      g_assert_cmpstr (state, !=, "running");
      g_assert_cmpstr (state, !=, "waiting");

      if (vernier_storage_record_counts (record))
        {
          /* No configuration counts twice: a lost trial's retry is the
           * only repetition, and a lost trial does not count. */
          gchar *key = vernier_storage_record_key (vt_params_of (record));

          if (g_hash_table_contains (keys, key))
            g_test_message ("parameters %s ran twice (trial %u)", key, i);
          g_assert_false (g_hash_table_contains (keys, key));
          g_hash_table_add (keys, key);
          n_counted++;
          g_assert_cmpstr (state, ==, "complete");
          g_assert_cmpfloat_with_epsilon (json_object_get_double_member (record, "value"),
                                          expected_loss (vt_params_of (record)), 1e-9);
          /* Everything a worker finished is in its own jsonl file. */
          g_assert_true (g_hash_table_contains (seen, GUINT_TO_POINTER (i)));
        }

      if (vt_is_lost (record))
        {
          n_lost++;
          g_assert_nonnull (expect->victim);
          g_assert_cmpint (number_of (record, "number"), ==, expect->stall.trial);
          g_assert_cmpint (number_of (record, "worker"), ==, victim_id);
          g_assert_cmpstr (state, ==, "failed");
          vt_assert_contains (json_object_get_string_member_with_default (record, "error", ""),
                           "was lost");
        }

      if (json_object_has_member (record, "retry-of"))
        {
          /* The killed worker's trial ran again, once, on another. */
          n_retries++;
          g_assert_nonnull (expect->victim);
          g_assert_cmpint (number_of (record, "retry-of"), ==, expect->stall.trial);
          g_assert_cmpint (number_of (record, "number"), >, expect->stall.trial);
          g_assert_true (vt_objects_equal (vt_params_of (record),
                                        vt_params_of (find_record (records, expect->stall.trial))));
          g_assert_cmpstr (state, ==, "complete");
          g_assert_true (g_hash_table_contains (survivors,
                                                GUINT_TO_POINTER (number_of (record, "worker"))));
        }

      /* Workers really worked at once: trials of two of them overlap. */
      for (guint j = 0; j < i && !overlap && vernier_storage_record_counts (record); j++)
        {
          JsonObject *other = json_array_get_object_element (records, j);

          overlap = vernier_storage_record_counts (other) &&
                    number_of (other, "worker") != number_of (record, "worker") &&
                    time_of (other, "start") < time_of (record, "end") &&
                    time_of (record, "start") < time_of (other, "end");
        }
    }

  g_test_message ("%u trials in the database, %u count, %u lost, %u reported complete",
                  json_array_get_length (records), n_counted, n_lost, n_reported);
  g_assert_cmpuint (n_counted, ==, expect->budget);
  g_assert_cmpuint (n_reported, ==, n_counted);
  g_assert_cmpuint (n_lost, ==, expect->victim != NULL ? 1 : 0);
  g_assert_cmpuint (n_retries, ==, n_lost);
  g_assert_cmpuint (json_array_get_length (records), ==, expect->budget + n_lost);
  if (expect->expect_time_overlap)
    g_assert_true (overlap);

  /* One of the survivors took the dead worker's trial over, and said so. */
  if (expect->victim != NULL)
    {
      g_autofree gchar *lost = g_strdup_printf ("trial %" G_GINT64_FORMAT " was lost",
                                                expect->stall.trial);
      gboolean said = FALSE;

      for (guint i = 0; i < workers->len; i++)
        {
          Worker *w = g_ptr_array_index (workers, i);
          g_autofree gchar *err = NULL;

          if (w != expect->victim && g_file_get_contents (w->err, &err, NULL, NULL))
            said |= strstr (err, lost) != NULL;
        }
      if (!said)
        print_workers (workers);
      g_assert_true (said);
    }

  return g_steal_pointer (&records);
}

/* ---- study files ------------------------------------------------------ */

/* A study of trial.sh over x and ms (@params: their [param] groups) with
 * @tuner, shared in the fixture's schema; @study_lines are added to
 * [study]. */
static gchar *
write_study (Fixture     *f,
             const gchar *name,
             const gchar *study_lines,
             const gchar *params,
             const gchar *tuner)
{
  g_autofree gchar *file_name = g_strconcat (name, ".ini", NULL);
  g_autofree gchar *text =
    g_strdup_printf ("[study]\n"
                     "name=%s\n"
                     "objective=loss\n"
                     "seed=7\n"
                     "heartbeat=200ms\n"
                     "retries=1\n"
                     "%s"
                     "\n"
                     "[storage]\n"
                     "plugin=postgresql\n"
                     "uri=%s\n"
                     "schema=%s\n"
                     "\n"
                     "%s"
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
                     name, study_lines, f->uri, f->schema, params, tuner, f->datadir);

  return write_tmp (f, file_name, text);
}

/* 12 × 4 = 48 grid points; trials sleep 20 to 80 ms. */
#define GRID_PARAMS \
  "[param x]\ntype=int\nlow=0\nhigh=11\n\n" \
  "[param ms]\ntype=int\nlow=20\nhigh=80\nstep=20\n"

/* Two floats; trials sleep 20 to 100 ms. */
#define FLOAT_PARAMS \
  "[param x]\ntype=float\nlow=0\nhigh=1\n\n" \
  "[param ms]\ntype=float\nlow=20\nhigh=100\n"

/* ---- tests ------------------------------------------------------------ */

/* Four workers, one killed in the middle of a trial: the others finish
 * the study, take the dead worker's trial over and run it again. */
static JsonArray *
run_with_a_kill (Fixture     *f,
                 const gchar *name,
                 const gchar *study,
                 guint        budget,
                 gint         stall_from,
                 GPtrArray   *workers)
{
  Worker *victim;
  Expect expect = { budget, NULL, { 0, -1 }, TRUE };

  for (guint i = 0; i < N_WORKERS; i++)
    g_ptr_array_add (workers, spawn_worker (f, study, i, i == VICTIM ? stall_from : -1));
  victim = g_ptr_array_index (workers, VICTIM);

  expect.victim = victim;
  expect.stall = wait_stall (f, workers, victim);
  g_test_message ("%s stalled in trial %" G_GINT64_FORMAT " with %u trials finished",
                  victim->name, expect.stall.trial, db_count_finished (f, name));
  assert_mid_trial (f, name, victim, expect.stall);
  kill_victim (victim, expect.stall);

  wait_workers_done (workers, victim);
  return check_study (f, name, workers, &expect);
}

static void
test_grid (Fixture       *f,
           gconstpointer  data)
{
  g_autofree gchar *study = write_study (f, "grid", "trials=40\n", GRID_PARAMS,
                                         "[tuner]\nplugin=grid\n");
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  g_autoptr(JsonArray) records = NULL;

  /* Stalls with about a quarter of the budget done. */
  records = run_with_a_kill (f, "grid", study, 40, 10, workers);

  /* Grid points only, and no point twice (check_study): the grid's
   * points, not something else, were shared out. */
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *params = vt_params_of (json_array_get_object_element (records, i));
      gint64 x = json_object_get_int_member (params, "x");
      gint64 ms = json_object_get_int_member (params, "ms");

      g_assert_cmpuint (json_object_get_size (params), ==, 2);
      g_assert_cmpint (x, >=, 0);
      g_assert_cmpint (x, <=, 11);
      g_assert_true (ms == 20 || ms == 40 || ms == 60 || ms == 80);
    }
}

static void
test_tpe (Fixture       *f,
          gconstpointer  data)
{
  /* Every worker reads the same seed=7: without a seed of their own they
   * would all draw the same startup configurations, which check_study
   * finds as configurations counted twice. */
  g_autofree gchar *study = write_study (f, "tpe", "trials=40\n", FLOAT_PARAMS,
                                         "[tuner]\nplugin=tpe\nstartup-trials=10\n");
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  g_autoptr(JsonArray) records = NULL;

  /* Stalls once the model is in use. */
  records = run_with_a_kill (f, "tpe", study, 40, 15, workers);

  /* The tuners learnt from each other's trials. Told of every worker's
   * trials, each TPE leaves its startup after about ten trials of the
   * study and puts the later ones where the loss is low; told only of its
   * own worker's, it would still be drawing most of its ten random
   * startup trials (about ten trials per worker here). A uniformly random
   * configuration has a loss below 0.1 with probability 0.38 (7.5 of 20
   * expected). Of the last 20 trials, tuners that saw only their own
   * worker's trials put 9 to 11 below 0.1 in each of our runs, tuners
   * that share 16 to 20 (in 58 runs): the bound lies between. */
  {
    guint n_counted = 0;
    guint n_late = 0;
    guint n_good = 0;

    for (guint i = 0; i < json_array_get_length (records); i++)
      {
        JsonObject *record = json_array_get_object_element (records, i);

        if (!vernier_storage_record_counts (record) || n_counted++ < 20)
          continue;
        n_late++;
        if (json_object_get_double_member (record, "value") < 0.1)
          n_good++;
      }
    g_test_message ("%u of the last %u trials have a loss below 0.1", n_good, n_late);
    g_assert_cmpuint (n_late, ==, 20);
    g_assert_cmpuint (n_good, >=, 13);
  }

  /* Each surviving worker knew the others' trials: its summary counts
   * more complete trials than it ran itself, and its best trial is one
   * of the study, as the database has it. */
  for (guint i = 0; i < workers->len; i++)
    {
      Worker *w = g_ptr_array_index (workers, i);
      g_autofree gchar *out = NULL;
      g_autoptr(JsonObject) summary = NULL;
      g_autoptr(GPtrArray) finished = vt_read_events (w->jsonl, "trial-finished");
      JsonObject *best;
      JsonObject *record;

      if (i == VICTIM)
        continue;
      g_assert_true (g_file_get_contents (w->out, &out, NULL, NULL));
      summary = vt_parse_object (out);
      g_test_message ("%s ran %u trials and knew of %" G_GINT64_FORMAT " complete ones",
                      w->name, finished->len,
                      json_object_get_int_member (json_object_get_object_member (summary, "trials"),
                                                  "complete"));
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (summary, "trials"),
                                                   "complete"), >, finished->len);
      best = json_object_get_object_member (summary, "best");
      g_assert_nonnull (best);
      record = find_record (records, number_of (best, "number"));
      g_assert_nonnull (record);
      g_assert_cmpfloat (json_object_get_double_member (record, "value"), ==,
                         json_object_get_double_member (best, "value"));
      g_assert_true (vt_objects_equal (vt_params_of (record), vt_params_of (best)));
    }
}

/* A study of 100 trials of an instant trainer (sphere: x0² + x1²) with a
 * random tuner, four trials in flight per worker. */
static gchar *
instant_study (Fixture     *f,
               const gchar *name)
{
  g_autofree gchar *file_name = g_strconcat (name, ".ini", NULL);
  g_autofree gchar *text =
    g_strdup_printf ("[study]\n"
                     "name=%s\n"
                     "objective=loss\n"
                     "trials=100\n"
                     "parallel=4\n"
                     "seed=7\n"
                     "heartbeat=200ms\n"
                     "\n"
                     "[storage]\n"
                     "plugin=postgresql\n"
                     "uri=%s\n"
                     "schema=%s\n"
                     "\n"
                     "[param x0]\ntype=float\nlow=-1\nhigh=1\n\n"
                     "[param x1]\ntype=float\nlow=-1\nhigh=1\n\n"
                     "[tuner]\nplugin=random\n\n"
                     "[trainer]\nplugin=benchmark\nfunction=sphere\n\n"
                     "[observer log]\nplugin=jsonl\npath=run.jsonl\n",
                     name, f->uri, f->schema);

  return write_tmp (f, file_name, text);
}

/* Four workers, an instant trainer and four claims in flight per worker:
 * sixteen claims compete for the last trials of the budget, and exactly
 * the budget runs. */
static void
test_budget (Fixture       *f,
             gconstpointer  data)
{
  g_autofree gchar *study = instant_study (f, "budget");
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint n_reported = 0;

  for (guint i = 0; i < N_WORKERS; i++)
    g_ptr_array_add (workers, spawn_worker (f, study, i, -1));
  wait_workers_done (workers, NULL);

  /* Exactly the budget: not one trial more, none waiting, none lost. */
  records = db_records (f, "budget");
  g_assert_cmpuint (json_array_get_length (records), ==, 100);
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonObject *params = vt_params_of (record);
      gdouble x0 = json_object_get_double_member (params, "x0");
      gdouble x1 = json_object_get_double_member (params, "x1");

      g_assert_cmpint (number_of (record, "number"), ==, i);
      g_assert_cmpstr (state_of (record), ==, "complete");
      g_assert_false (vt_is_lost (record));
      g_assert_false (json_object_has_member (record, "retry-of"));
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (record, "value"),
                                      x0 * x0 + x1 * x1, 1e-12);
    }

  /* Every trial was run, and reported, by the one worker it was handed
   * to. */
  for (guint i = 0; i < workers->len; i++)
    {
      Worker *w = g_ptr_array_index (workers, i);
      g_autoptr(GPtrArray) finished = vt_read_events (w->jsonl, "trial-finished");

      g_test_message ("%s ran %u trials", w->name, finished->len);
      n_reported += finished->len;
      for (guint j = 0; j < finished->len; j++)
        {
          JsonObject *event = g_ptr_array_index (finished, j);
          JsonObject *record = find_record (records, number_of (event, "trial"));

          g_assert_nonnull (record);
          g_assert_false (g_hash_table_contains (seen, GINT_TO_POINTER (number_of (event, "trial"))));
          g_hash_table_add (seen, GINT_TO_POINTER (number_of (event, "trial")));
          g_assert_cmpint (number_of (record, "worker"), ==, db_worker_id (f, "budget", w->pid));
          g_assert_cmpfloat (json_object_get_double_member (record, "value"), ==,
                             json_object_get_double_member (event, "value"));
        }
    }
  g_assert_cmpuint (n_reported, ==, 100);
}

/* The budget is spent while a live worker still runs the last trial: the
 * others wait for it instead of leaving. When that worker is killed, they
 * take its trial over and run it again. */
static void
test_wait_for_dead (Fixture       *f,
                    gconstpointer  data)
{
  const guint budget = 12;
  g_autofree gchar *study = write_study (f, "wait", "trials=12\n", GRID_PARAMS,
                                         "[tuner]\nplugin=grid\n");
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  g_autoptr(JsonArray) records = NULL;
  gint64 deadline;
  Worker *victim;
  Stall stall;
  Expect expect = { budget, NULL, { 0, -1 }, FALSE };

  /* The victim first: it stalls in trial 0. */
  g_ptr_array_add (workers, spawn_worker (f, study, 0, 0));
  victim = g_ptr_array_index (workers, 0);
  stall = wait_stall (f, workers, victim);
  g_assert_cmpint (stall.trial, ==, 0);
  assert_mid_trial (f, "wait", victim, stall);

  for (guint i = 1; i < N_WORKERS; i++)
    g_ptr_array_add (workers, spawn_worker (f, study, i, -1));

  /* The others spend the rest of the budget… */
  deadline = g_get_monotonic_time () + WAIT_LIMIT_USEC;
  while (db_count_finished (f, "wait") < budget - 1)
    {
      for (guint i = 0; i < workers->len; i++)
        assert_running (workers, g_ptr_array_index (workers, i),
                        "while another worker's trial still ran");
      check_deadline (workers, deadline, "the budget but one trial to be spent");
      pump ();
    }

  /* …and stay, beating twice more, while the last trial runs. */
  for (guint i = 1; i < workers->len; i++)
    {
      Worker *w = g_ptr_array_index (workers, i);
      guint id = db_worker_id (f, "wait", w->pid);
      gint64 last;

      g_assert_cmpuint (id, >, 0);
      last = db_heartbeat (f, id);
      for (guint beats = 0; beats < 2; )
        {
          gint64 now = db_heartbeat (f, id);

          if (now != last)
            beats++, last = now;
          for (guint j = 0; j < workers->len; j++)
            assert_running (workers, g_ptr_array_index (workers, j),
                            "while another worker's trial ran");
          check_deadline (workers, deadline, "the workers' heartbeats");
          pump ();
        }
    }
  /* A live worker's trial is left alone. */
  g_assert_cmpuint (db_count_finished (f, "wait"), ==, budget - 1);
  assert_mid_trial (f, "wait", victim, stall);

  kill_victim (victim, stall);
  wait_workers_done (workers, victim);

  expect.victim = victim;
  expect.stall = stall;
  records = check_study (f, "wait", workers, &expect);
  /* The last trial is the retry. */
  g_assert_cmpint (number_of (json_array_get_object_element (records, budget), "retry-of"),
                   ==, 0);
}

/* When a worker returns, it knows every trial of the study: its summary
 * counts them all and names the study's best trial, as `vernier show`
 * would. An instant trainer makes the last trials of the workers finish
 * together; three studies in a row give the end of a study three
 * chances to go wrong. */
static void
test_final_sync (Fixture       *f,
                 gconstpointer  data)
{
  for (guint round = 1; round <= 3; round++)
    {
      g_autofree gchar *name = g_strdup_printf ("sync-%u", round);
      g_autofree gchar *study = instant_study (f, name);
      g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
      g_autoptr(JsonArray) records = NULL;
      gint64 best = -1;
      gdouble best_value = G_MAXDOUBLE;

      /* Each round has its own files. */
      for (guint i = 0; i < N_WORKERS; i++)
        {
          Worker *w = spawn_worker (f, study, i + round * N_WORKERS, -1);

          g_ptr_array_add (workers, w);
        }
      wait_workers_done (workers, NULL);

      records = db_records (f, name);
      g_assert_cmpuint (json_array_get_length (records), ==, 100);
      for (guint i = 0; i < json_array_get_length (records); i++)
        {
          JsonObject *record = json_array_get_object_element (records, i);
          gdouble value = json_object_get_double_member (record, "value");

          if (value < best_value)
            best = i, best_value = value;
        }

      for (guint i = 0; i < workers->len; i++)
        {
          Worker *w = g_ptr_array_index (workers, i);
          g_autofree gchar *out = NULL;
          g_autoptr(JsonObject) summary = NULL;
          gint64 complete;

          g_assert_true (g_file_get_contents (w->out, &out, NULL, NULL));
          summary = vt_parse_object (out);
          complete = json_object_get_int_member (json_object_get_object_member (summary, "trials"),
                                                 "complete");
          if (complete != 100)
            g_test_message ("round %u: %s returned knowing %" G_GINT64_FORMAT
                            " of the study's 100 complete trials", round, w->name, complete);
          g_assert_cmpint (complete, ==, 100);
          g_assert_cmpint (number_of (json_object_get_object_member (summary, "best"), "number"),
                           ==, best);
        }
    }
}

/* A worker that stops beating without dying (a machine that hangs, a
 * network cut: here SIGSTOP, since on one machine a dead process is seen
 * at once) is presumed dead after three heartbeats: its trial is taken
 * over. When it comes back, it cannot overwrite the trial, and stops. */
static void
test_frozen (Fixture       *f,
             gconstpointer  data)
{
  g_autofree gchar *study = write_study (f, "frozen", "trials=16\n", GRID_PARAMS,
                                         "[tuner]\nplugin=grid\n");
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(JsonArray) after = NULL;
  g_autoptr(JsonNode) before_node = NULL;
  g_autoptr(JsonNode) after_node = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr(GError) error = NULL;
  Expect expect = { 16, NULL, { 0, -1 }, TRUE };
  JsonObject *lost;
  Worker *victim;

  for (guint i = 0; i < N_WORKERS; i++)
    g_ptr_array_add (workers, spawn_worker (f, study, i, i == VICTIM ? 4 : -1));
  victim = g_ptr_array_index (workers, VICTIM);
  expect.victim = victim;
  expect.stall = wait_stall (f, workers, victim);
  assert_mid_trial (f, "frozen", victim, expect.stall);

  g_subprocess_send_signal (victim->process, SIGSTOP);
  wait_workers_done (workers, victim);
  records = check_study (f, "frozen", workers, &expect);
  lost = find_record (records, expect.stall.trial);
  vt_assert_contains (json_object_get_string_member (lost, "error"), "sent no heartbeat");

  /* It comes back, and its trial ends (failed: its program is killed). */
  g_assert_false (victim->exited);
  g_assert_cmpint (kill ((pid_t) expect.stall.pid, SIGKILL), ==, 0);
  g_subprocess_send_signal (victim->process, SIGCONT);
  g_subprocess_wait (victim->process, NULL, &error);
  g_assert_no_error (error);
  while (!victim->exited)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (g_file_get_contents (victim->out, &out, NULL, NULL));
  g_assert_true (g_file_get_contents (victim->err, &err, NULL, NULL));
  if (!g_subprocess_get_if_exited (victim->process) ||
      g_subprocess_get_exit_status (victim->process) != 1)
    print_worker (victim);
  g_assert_true (g_subprocess_get_if_exited (victim->process));
  g_assert_cmpint (g_subprocess_get_exit_status (victim->process), ==, 1);
  g_test_message ("%s came back: %s", victim->name, out);
  vt_assert_contains (out, "taken over");
  g_assert_null (strstr (err, "CRITICAL"));

  /* Nothing it did after it came back reached the database. */
  after = db_records (f, "frozen");
  before_node = json_node_init_array (json_node_alloc (), records);
  after_node = json_node_init_array (json_node_alloc (), after);
  g_assert_true (json_node_equal (before_node, after_node));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#ifdef __linux__
  /* The trial of a killed worker comes to this process: kill_victim()
   * reaps it. */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif

  if (g_getenv ("VERNIER_BINARY") == NULL)
    g_error ("VERNIER_BINARY must be set: run this test with `meson test workers`");

#define ADD(path, name, func) \
  g_test_add ("/vernier/workers/" path, Fixture, name, fixture_set_up, func, fixture_tear_down)

  ADD ("grid/kill-one", "grid", test_grid);
  ADD ("tpe/kill-one", "tpe", test_tpe);
  ADD ("budget/exact", "budget", test_budget);
  ADD ("dead/wait-for-its-trial", "wait", test_wait_for_dead);
  ADD ("frozen/taken-over", "frozen", test_frozen);
  ADD ("summary/knows-every-trial", "sync", test_final_sync);

#undef ADD

  return g_test_run ();
}
