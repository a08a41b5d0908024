/* Trials per second of whole studies, by storage, and their durability.
 *
 * Each case runs the built `vernier` program ($VERNIER_BINARY) on a study
 * file written for it: the `random` tuner, the `benchmark` trainer with
 * function=sphere and neither latency nor steps (a trial completes as soon
 * as it starts), x0 and x1 in [-5, 5], parallel=1, seed 42, and the
 * storage of the case:
 *
 *   memory              `vernier run`, storage=memory: the baseline
 *   sqlite              `vernier run`, a SQLite file in a temporary
 *                       directory
 *   sqlite-workers      --workers `vernier worker` processes on one
 *                       SQLite file
 *   postgresql-commits  no study: one-row INSERTs, each its own
 *                       transaction, two per trial of the budget, on one
 *                       connection: the server's pace for one process,
 *                       which bounds the rate of `postgresql` (a trial is
 *                       two commits at least)
 *   postgresql          `vernier run` against a PostgreSQL server
 *   postgresql-workers  --workers `vernier worker` processes against it
 *   optuna              the same study with Optuna (optuna_storage.py, by
 *                       /usr/bin/python3): in memory, on SQLite with its
 *                       defaults, and on SQLite in WAL mode; then Vernier
 *                       again in memory and on SQLite with Optuna's
 *                       budgets, for ratios at equal numbers of trials
 *
 * A case is timed from the start of its first process to the exit of its
 * last, so process start-up (about 10 ms) counts against Vernier; its
 * rate is the budget over that time. The table also gives when the last
 * trial ended (from the records in the database): workers of a shared
 * study may exit well after it. After the processes exited, the
 * database is opened with the SQLite or PostgreSQL client library and the
 * study's trials counted: every one of the budget must be there, COMPLETE
 * in its state column and in its JSON record, and no other trial. A case
 * that fails or loses a trial makes the program exit with status 1; no
 * time is asserted.
 *
 * The PostgreSQL cases need a server: --postgresql-uri, else
 * $VERNIER_TEST_POSTGRESQL_URI (what tests/with-postgresql.py exports);
 * each case keeps its tables in a schema of its own, dropped afterwards.
 * They are in the default cases only when a server is given.
 *
 *   bench-storage [--cases LIST] [--workers W] [--memory-trials N]
 *                 [--sqlite-trials N] [--postgresql-trials N]
 *                 [--optuna-memory-trials N] [--optuna-sqlite-trials N]
 *                 [--postgresql-uri URI] [--optuna-script FILE]
 *                 [--python PATH] [--json FILE] [--keep]
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "tuners/bench-util.h"

#define DEFAULT_WORKERS              4
#define DEFAULT_MEMORY_TRIALS        100000
#define DEFAULT_SQLITE_TRIALS        10000
#define DEFAULT_POSTGRESQL_TRIALS    2000
#define DEFAULT_OPTUNA_MEMORY_TRIALS 5000
#define DEFAULT_OPTUNA_SQLITE_TRIALS 300
#define SQLITE_GOAL                  20.0
#define STDERR_TAIL                  2000

typedef enum {
  STORE_MEMORY,
  STORE_SQLITE,
  STORE_POSTGRESQL,
} Store;

static const gchar *store_names[] = { "memory", "sqlite", "postgresql" };

typedef struct
{
  /* what to run */
  gchar   *id;
  gchar   *label;
  Store    store;
  guint    workers;
  guint    trials;

  /* what happened */
  gboolean ran;
  gdouble  seconds;
  gint64   reported;     /* COMPLETE trials the program reported, -1 unknown */
  gint64   stored;       /* trials of the study in the database, -1 n/a */
  gint64   complete;     /* of which COMPLETE, state column and record */
  gdouble  last_end;     /* when the last trial ended, s after the start; -1 n/a */
  gchar   *problem;      /* why the case failed, or NULL */
  gchar   *note;         /* the last column of a row that is no study */
} Case;

typedef struct
{
  gchar       *tmpdir;
  const gchar *vernier;
  const gchar *uri;      /* NULL: no server */
  gboolean     keep;
  guint        n_schemas;
} Bench;

static void
case_free (Case *c)
{
  g_free (c->id);
  g_free (c->label);
  g_free (c->problem);
  g_free (c->note);
  g_free (c);
}

static Case *
case_new (const gchar *id,
          Store        store,
          guint        workers,
          guint        trials,
          const gchar *label)
{
  Case *c = g_new0 (Case, 1);

  c->id = g_strdup (id);
  c->label = g_strdup (label);
  c->store = store;
  c->workers = workers;
  c->trials = trials;
  c->reported = -1;
  c->stored = -1;
  c->complete = -1;
  c->last_end = -1;
  return c;
}

static gdouble
case_rate (const Case *c)
{
  return c->ran && c->seconds > 0 ? c->trials / c->seconds : 0.0;
}

/* ---- files ------------------------------------------------------------ */

static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static gchar *
case_path (Bench       *bench,
           const Case  *c,
           const gchar *suffix)
{
  g_autofree gchar *name = g_strconcat (c->id, suffix, NULL);

  return g_build_filename (bench->tmpdir, name, NULL);
}

/* The last @max bytes of a file, for error messages. */
static gchar *
file_tail (const gchar *path,
           gsize        max)
{
  g_autofree gchar *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL) || length == 0)
    return g_strdup ("(nothing on stderr)");
  return g_strstrip (g_strdup (length > max ? contents + length - max : contents));
}

/* ---- the study file --------------------------------------------------- */

static gchar *
study_name (const Case *c)
{
  return g_strconcat ("bench-storage-", c->id, NULL);
}

/* A PostgreSQL schema per case: each starts with empty tables. */
static gchar *
schema_name (Bench      *bench,
             const Case *c)
{
  g_autofree gchar *id = g_strdelimit (g_strdup (c->id), "-", '_');

  return g_strdup_printf ("vernier_bench_%d_%u_%s", (gint) getpid (), bench->n_schemas, id);
}

static gboolean
write_study (Bench       *bench,
             const Case  *c,
             const gchar *schema,
             gchar      **path,
             GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *name = study_name (c);
  static const gchar *params[] = { "param x0", "param x1" };

  g_key_file_set_string (kf, "study", "name", name);
  g_key_file_set_string (kf, "study", "objective", "value");
  g_key_file_set_string (kf, "study", "direction", "minimize");
  g_key_file_set_uint64 (kf, "study", "trials", c->trials);
  g_key_file_set_uint64 (kf, "study", "parallel", 1);
  g_key_file_set_uint64 (kf, "study", "seed", 42);
  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    {
      g_key_file_set_string (kf, params[i], "type", "float");
      g_key_file_set_double (kf, params[i], "low", -5.0);
      g_key_file_set_double (kf, params[i], "high", 5.0);
    }
  g_key_file_set_string (kf, "tuner", "plugin", "random");
  g_key_file_set_string (kf, "trainer", "plugin", "benchmark");
  g_key_file_set_string (kf, "trainer", "function", "sphere");
  g_key_file_set_string (kf, "storage", "plugin", store_names[c->store]);
  if (c->store == STORE_SQLITE)
    {
      g_autofree gchar *db = case_path (bench, c, ".db");

      g_key_file_set_string (kf, "storage", "path", db);
    }
  else if (c->store == STORE_POSTGRESQL)
    {
      if (bench->uri != NULL && *bench->uri != '\0')
        g_key_file_set_string (kf, "storage", "uri", bench->uri);
      g_key_file_set_string (kf, "storage", "schema", schema);
    }

  *path = case_path (bench, c, ".ini");
  return g_key_file_save_to_file (kf, *path, error);
}

/* ---- counting in the database ----------------------------------------- */

/* Counts the study's trials, and those COMPLETE both in the state column
 * and in the JSON record (which is the truth, and has a value). */
static gboolean
count_sqlite (Bench   *bench,
              Case    *c,
              gint64   start,
              GError **error)
{
  g_autofree gchar *db_path = case_path (bench, c, ".db");
  g_autofree gchar *name = study_name (c);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  rc = sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db,
                             "SELECT count(*), coalesce(sum(t.state = 'complete'"
                             " AND json_extract(t.record, '$.state') = 'complete'"
                             " AND json_type(t.record, '$.value') IN ('real', 'integer')), 0),"
                             " (max(julianday(json_extract(t.record, '$.end'))) - 2440587.5) * 86400.0"
                             " FROM trials t JOIN studies s ON s.id = t.study"
                             " WHERE s.name = ?1",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      c->stored = sqlite3_column_int64 (stmt, 0);
      c->complete = sqlite3_column_int64 (stmt, 1);
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        c->last_end = sqlite3_column_double (stmt, 2) - start / 1e6;
      ok = TRUE;
    }
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", db_path,
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

static PGconn *
pg_connect (Bench   *bench,
            GError **error)
{
  PGconn *conn = PQconnectdb (bench->uri != NULL ? bench->uri : "");

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect to %s: %s",
                   bench->uri != NULL && *bench->uri != '\0' ? bench->uri : "the PG* server",
                   g_strstrip (PQerrorMessage (conn)));
      PQfinish (conn);
      return NULL;
    }
  /* DROP SCHEMA … CASCADE lists what it drops. */
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

static gboolean
count_postgresql (Bench       *bench,
                  Case        *c,
                  const gchar *schema,
                  gint64       start,
                  GError     **error)
{
  g_autofree gchar *name = study_name (c);
  g_autofree gchar *sql = NULL;
  const gchar *values[1] = { name };
  PGconn *conn;
  PGresult *result;
  gchar *quoted;
  gboolean ok = FALSE;

  if ((conn = pg_connect (bench, error)) == NULL)
    return FALSE;
  quoted = PQescapeIdentifier (conn, schema, strlen (schema));
  sql = g_strdup_printf ("SELECT count(*), count(*) FILTER (WHERE t.state = 'complete'"
                         " AND t.record::jsonb ->> 'state' = 'complete'"
                         " AND jsonb_typeof (t.record::jsonb -> 'value') = 'number'),"
                         " extract (epoch FROM max ((t.record::jsonb ->> 'end')::timestamptz))"
                         " FROM %s.trials t JOIN %s.studies s ON s.id = t.study"
                         " WHERE s.name = $1", quoted, quoted);
  PQfreemem (quoted);

  result = PQexecParams (conn, sql, 1, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    {
      c->stored = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      c->complete = g_ascii_strtoll (PQgetvalue (result, 0, 1), NULL, 10);
      if (!PQgetisnull (result, 0, 2))
        c->last_end = g_ascii_strtod (PQgetvalue (result, 0, 2), NULL) - start / 1e6;
      ok = TRUE;
    }
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "counting the trials in schema %s: %s",
                 schema, g_strstrip (PQresultErrorMessage (result)));
  PQclear (result);
  PQfinish (conn);
  return ok;
}

static void
drop_schema (Bench       *bench,
             const gchar *schema)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *sql = NULL;
  PGconn *conn;
  PGresult *result;
  gchar *quoted;

  if ((conn = pg_connect (bench, &error)) == NULL)
    {
      g_printerr ("bench-storage: cannot drop schema %s: %s\n", schema, error->message);
      return;
    }
  quoted = PQescapeIdentifier (conn, schema, strlen (schema));
  sql = g_strdup_printf ("DROP SCHEMA IF EXISTS %s CASCADE", quoted);
  PQfreemem (quoted);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_printerr ("bench-storage: cannot drop schema %s: %s", schema,
                PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (conn);
}

/* The server's own pace: @c->trials pairs of one-row INSERTs, each its
 * own transaction (autocommit), one after the other on one connection.
 * A trial costs Vernier two such commits at least (its claim and its
 * result), so this is the fastest a postgresql study could go. */
static void
time_bare_commits (Bench *bench,
                   Case  *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *schema = NULL;
  g_autofree gchar *create = NULL;
  g_autofree gchar *insert = NULL;
  g_autofree gchar *count = NULL;
  guint n_commits = 2 * c->trials;
  PGconn *conn;
  PGresult *result;
  gchar *quoted;
  gint64 start;

  bench->n_schemas++;
  schema = schema_name (bench, c);
  if ((conn = pg_connect (bench, &error)) == NULL)
    {
      c->problem = g_strdup (error->message);
      return;
    }
  quoted = PQescapeIdentifier (conn, schema, strlen (schema));
  create = g_strdup_printf ("CREATE SCHEMA %s; CREATE TABLE %s.commits (n integer NOT NULL)",
                            quoted, quoted);
  insert = g_strdup_printf ("INSERT INTO %s.commits VALUES ($1)", quoted);
  count = g_strdup_printf ("SELECT count(*) FROM %s.commits", quoted);
  PQfreemem (quoted);

  result = PQexec (conn, create);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    c->problem = g_strdup_printf ("creating schema %s: %s", schema,
                                  g_strstrip (PQresultErrorMessage (result)));
  PQclear (result);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_commits && c->problem == NULL; i++)
    {
      g_autofree gchar *value = g_strdup_printf ("%u", i);
      const gchar *values[1] = { value };

      result = PQexecParams (conn, insert, 1, NULL, values, NULL, NULL, 0);
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        c->problem = g_strdup_printf ("commit %u: %s", i,
                                      g_strstrip (PQresultErrorMessage (result)));
      PQclear (result);
    }
  c->seconds = (g_get_monotonic_time () - start) / 1e6;

  if (c->problem == NULL)
    {
      result = PQexec (conn, count);
      if (PQresultStatus (result) == PGRES_TUPLES_OK &&
          g_ascii_strtoull (PQgetvalue (result, 0, 0), NULL, 10) == n_commits)
        {
          c->ran = TRUE;
          c->note = g_strdup_printf ("n/a, %u one-row INSERT commits, 2 per trial", n_commits);
        }
      else
        c->problem = g_strdup_printf ("%s rows of %u committed", PQgetvalue (result, 0, 0),
                                      n_commits);
      PQclear (result);
    }
  PQfinish (conn);
  if (!bench->keep)
    drop_schema (bench, schema);
}

/* ---- running a case ---------------------------------------------------- */

/* The COMPLETE count and the state of `vernier … --json`'s output. */
static gboolean
read_summary (const gchar  *path,
              gint64       *complete,
              gchar       **state,
              GError      **error)
{
  g_autofree gchar *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *trials;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  root = json_from_string (text, error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      (trials = json_object_get_object_member (object = json_node_get_object (root), "trials")) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: not the JSON summary of a study", path);
      return FALSE;
    }
  *complete = json_object_get_int_member_with_default (trials, "complete", -1);
  *state = g_strdup (json_object_get_string_member_with_default (object, "state", "?"));
  return TRUE;
}

/* Runs the case's processes, times them, checks what they say and
 * counts the trials in the database. */
static void
run_processes (Bench       *bench,
               Case        *c,
               const gchar *schema)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gchar *study = NULL;
  const gchar *command = c->workers > 1 ? "worker" : "run";
  gint64 start, start_real;

  if (!write_study (bench, c, schema, &study, &error))
    {
      c->problem = g_strdup_printf ("cannot write the study file: %s", error->message);
      return;
    }

  start_real = g_get_real_time ();
  start = g_get_monotonic_time ();
  for (guint w = 1; w <= c->workers; w++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
      g_autofree gchar *out = case_path (bench, c, "");
      g_autofree gchar *out_path = g_strdup_printf ("%s.%u.out", out, w);
      g_autofree gchar *err_path = g_strdup_printf ("%s.%u.err", out, w);
      GSubprocess *process;

      g_subprocess_launcher_set_cwd (launcher, bench->tmpdir);
      g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
      g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
      process = g_subprocess_launcher_spawn (launcher, &error, bench->vernier, command,
                                             "--json", study, NULL);
      if (process == NULL)
        {
          c->problem = g_strdup_printf ("cannot run %s: %s", bench->vernier, error->message);
          break;
        }
      g_ptr_array_add (processes, process);
    }
  /* No pipes: a process that writes much cannot stall the others. */
  for (guint i = 0; i < processes->len; i++)
    g_subprocess_wait (g_ptr_array_index (processes, i), NULL, NULL);
  c->seconds = (g_get_monotonic_time () - start) / 1e6;
  if (c->problem != NULL)
    return;

  for (guint i = 0; i < processes->len && c->problem == NULL; i++)
    {
      GSubprocess *process = g_ptr_array_index (processes, i);
      g_autofree gchar *base = case_path (bench, c, "");
      g_autofree gchar *out_path = g_strdup_printf ("%s.%u.out", base, i + 1);
      g_autofree gchar *err_path = g_strdup_printf ("%s.%u.err", base, i + 1);
      g_autofree gchar *state = NULL;
      gint64 complete = -1;

      if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
        {
          g_autofree gchar *tail = file_tail (err_path, STDERR_TAIL);

          c->problem = g_strdup_printf ("vernier %s (process %u of %u) %s %d: %s", command,
                                        i + 1, c->workers,
                                        g_subprocess_get_if_exited (process)
                                          ? "exited with status" : "was killed by signal",
                                        g_subprocess_get_if_exited (process)
                                          ? g_subprocess_get_exit_status (process)
                                          : g_subprocess_get_term_sig (process),
                                        tail);
        }
      else if (!read_summary (out_path, &complete, &state, &error))
        c->problem = g_strdup (error->message);
      else if (!g_str_equal (state, "finished"))
        c->problem = g_strdup_printf ("vernier %s (process %u) says the study %s",
                                      command, i + 1, state);
      else
        /* A worker reports what it knows of the others' trials. */
        c->reported = MAX (c->reported, complete);
    }
  if (c->problem != NULL)
    return;
  c->ran = TRUE;

  if ((c->store == STORE_SQLITE && !count_sqlite (bench, c, start_real, &error)) ||
      (c->store == STORE_POSTGRESQL && !count_postgresql (bench, c, schema, start_real, &error)))
    c->problem = g_strdup (error->message);
  else if (c->workers == 1 && c->reported != c->trials)
    c->problem = g_strdup_printf ("the program reported %" G_GINT64_FORMAT " complete "
                                  "trials of %u", c->reported, c->trials);
  else if (c->store != STORE_MEMORY && (c->complete != c->trials || c->stored != c->trials))
    c->problem = g_strdup_printf ("after the processes exited, the database holds %"
                                  G_GINT64_FORMAT " trials of the study, %" G_GINT64_FORMAT
                                  " of them complete; the budget is %u",
                                  c->stored, c->complete, c->trials);
}

static void
run_case (Bench *bench,
          Case  *c)
{
  g_autofree gchar *schema = NULL;

  if (c->store == STORE_POSTGRESQL)
    {
      bench->n_schemas++;
      schema = schema_name (bench, c);
    }
  run_processes (bench, c, schema);

  if (bench->keep)
    return;
  if (c->store == STORE_POSTGRESQL)
    drop_schema (bench, schema);
  else if (c->store == STORE_SQLITE)
    {
      static const gchar *suffixes[] = { ".db", ".db-wal", ".db-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree gchar *path = case_path (bench, c, suffixes[i]);

          g_unlink (path);
        }
    }
}

static void
print_case_line (const Case *c)
{
  if (c->ran)
    g_print ("storage: %-34s %7u trials %8.2f s %9.1f trials/s%s%s\n", c->label, c->trials,
             c->seconds, case_rate (c), c->problem != NULL ? "  FAILED: " : "",
             c->problem != NULL ? c->problem : "");
  else
    g_print ("storage: %-34s FAILED: %s\n", c->label, c->problem);
  /* Before the next process writes to the same output. */
  fflush (stdout);
}

/* ---- Optuna ------------------------------------------------------------ */

/* Runs optuna_storage.py; returns its cases (label, trials, seconds,
 * durability) as Case structures, or NULL when Optuna did not run.
 * Sets *broken when the script failed in a way that is not Optuna's
 * absence. */
static GPtrArray *
run_optuna (Bench       *bench,
            const gchar *python,
            const gchar *script,
            guint        memory_trials,
            guint        sqlite_trials,
            gboolean    *broken)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree gchar *json_path = g_build_filename (bench->tmpdir, "optuna.json", NULL);
  g_autofree gchar *memory_arg = g_strdup_printf ("%u", memory_trials);
  g_autofree gchar *sqlite_arg = g_strdup_printf ("%u", sqlite_trials);
  g_autofree gchar *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  JsonObject *object;
  JsonArray *list;

  *broken = FALSE;
  if (!g_file_test (python, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("storage: %s not found: optuna not installed: Vernier's figures only\n", python);
      return NULL;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, python, script,
                              "--memory-trials", memory_arg, "--sqlite-trials", sqlite_arg,
                              "--dir", bench->tmpdir, "--json", json_path, NULL);
  if (process == NULL || !g_subprocess_wait (process, NULL, &error))
    {
      g_print ("storage: cannot run %s %s: %s\n", python, script, error->message);
      *broken = TRUE;
      return NULL;
    }
  if (!g_file_get_contents (json_path, &text, NULL, &error) ||
      (root = json_from_string (text, &error)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_print ("storage: the Optuna side (%s) %s and left no results: %s\n", script,
               g_subprocess_get_successful (process) ? "exited" : "failed",
               error != NULL ? error->message : "not a JSON object");
      *broken = TRUE;
      return NULL;
    }
  object = json_node_get_object (root);
  if (!json_object_get_boolean_member_with_default (object, "installed", FALSE))
    return NULL;

  cases = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
  list = json_object_get_array_member (object, "cases");
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *each = json_array_get_object_element (list, i);
      const gchar *storage = json_object_get_string_member_with_default (each, "storage", "?");
      g_autofree gchar *label = g_strdup_printf ("Optuna %s%s", storage,
                                                 g_str_equal (storage, "memory")
                                                   ? " (Optuna's baseline)" : "");
      Case *c = case_new (json_object_get_string_member_with_default (each, "id", "optuna"),
                          g_str_equal (storage, "memory") ? STORE_MEMORY : STORE_SQLITE, 1,
                          json_object_get_int_member_with_default (each, "trials", 0), label);
      JsonNode *durable = json_object_get_member (each, "durable");

      c->ran = TRUE;
      c->seconds = json_object_get_double_member_with_default (each, "seconds", 0.0);
      c->complete = json_object_get_int_member_with_default (each, "complete", -1);
      if (durable != NULL && !JSON_NODE_HOLDS_NULL (durable))
        c->stored = c->complete;
      if (durable != NULL && JSON_NODE_HOLDS_VALUE (durable) && !json_node_get_boolean (durable))
        c->problem = g_strdup_printf ("%" G_GINT64_FORMAT " of %u trials complete after "
                                      "reopening", c->complete, c->trials);
      g_ptr_array_add (cases, c);
    }
  if (!g_subprocess_get_successful (process) && cases->len == 0)
    *broken = TRUE;
  return g_steal_pointer (&cases);
}

/* ---- the report -------------------------------------------------------- */

static const Case *
find_case (GPtrArray   *cases,
           const gchar *id)
{
  for (guint i = 0; cases != NULL && i < cases->len; i++)
    {
      const Case *c = g_ptr_array_index (cases, i);

      if (g_str_equal (c->id, id))
        return c;
    }
  return NULL;
}

static gchar *
durability_text (const Case *c,
                 gboolean    optuna)
{
  if (!c->ran)
    return g_strdup_printf ("FAILED: %s", c->problem);
  if (c->note != NULL)
    return g_strdup (c->note);
  if (c->stored < 0 && c->problem != NULL)
    return g_strdup_printf ("FAILED: %s", c->problem);
  if (c->stored < 0)
    return g_strdup_printf ("n/a, nothing persisted (%" G_GINT64_FORMAT " reported complete)",
                            optuna ? c->complete : c->reported);
  if (c->problem != NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT "/%u complete%s: FAILED: %s", c->complete,
                            c->trials, optuna ? " on reopening" : " in the database",
                            c->problem);
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%u complete%s: ok", c->complete, c->trials,
                          optuna ? " on reopening" : " in the database");
}

static void
print_table (GPtrArray  *rows,
             const Case *baseline,
             gboolean    optuna,
             JsonArray  *json)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const Case *c = g_ptr_array_index (rows, i);
      g_autofree gchar *durable = durability_text (c, optuna);
      g_autofree gchar *ratio = baseline != NULL && baseline->ran && c->ran
        ? g_strdup_printf ("%.3f", case_rate (c) / case_rate (baseline))
        : g_strdup ("-");
      g_autofree gchar *last = c->ran && c->last_end >= 0
        ? g_strdup_printf ("%.2f", c->last_end)
        : g_strdup ("-");
      JsonObject *row = json_object_new ();

      if (c->ran)
        g_print ("%-36s %7u %8.2f %10.1f %7s %8s  %s\n", c->label, c->trials, c->seconds,
                 case_rate (c), ratio, last, durable);
      else
        g_print ("%-36s %7u %8s %10s %7s %8s  %s\n", c->label, c->trials, "-", "-", "-", "-",
                 durable);

      json_object_set_string_member (row, "id", c->id);
      json_object_set_string_member (row, "label", c->label);
      json_object_set_string_member (row, "side", optuna ? "optuna" : "vernier");
      json_object_set_string_member (row, "storage", store_names[c->store]);
      json_object_set_int_member (row, "workers", c->workers);
      json_object_set_int_member (row, "trials", c->trials);
      json_object_set_boolean_member (row, "ran", c->ran);
      json_object_set_double_member (row, "seconds", c->seconds);
      json_object_set_double_member (row, "trials_per_second", case_rate (c));
      if (baseline != NULL && baseline->ran && c->ran)
        json_object_set_double_member (row, "ratio_to_baseline", case_rate (c) / case_rate (baseline));
      if (c->last_end >= 0)
        json_object_set_double_member (row, "last_trial_end_seconds", c->last_end);
      if (c->stored >= 0)
        {
          json_object_set_int_member (row, "stored", c->stored);
          json_object_set_int_member (row, "complete", c->complete);
        }
      json_object_set_boolean_member (row, "ok", c->problem == NULL);
      if (c->problem != NULL)
        json_object_set_string_member (row, "problem", c->problem);
      json_array_add_object_element (json, row);
    }
}

/* Prints "Vernier / Optuna" for two cases and records it. */
static void
print_ratio (JsonObject  *ratios,
             const gchar *key,
             const gchar *what,
             const Case  *vernier,
             const Case  *optuna,
             gdouble      goal)
{
  gdouble ratio;

  if (vernier == NULL || optuna == NULL || !vernier->ran || !optuna->ran ||
      case_rate (optuna) <= 0)
    return;
  ratio = case_rate (vernier) / case_rate (optuna);
  json_object_set_double_member (ratios, key, ratio);
  if (goal > 0)
    g_print ("  %s: %.1fx (goal >= %.0fx: %s)\n", what, ratio, goal,
             ratio >= goal ? "met" : "NOT met");
  else
    g_print ("  %s: %.1fx\n", what, ratio);
}

/* ---- main --------------------------------------------------------------- */

static gboolean
check_positive (const gchar *option,
                gint         value)
{
  if (value >= 1)
    return TRUE;
  g_printerr ("bench-storage: %s takes a positive number\n", option);
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *cases_text = NULL;
  g_autofree gchar *json_path = NULL;
  g_autofree gchar *uri_option = NULL;
  g_autofree gchar *script = NULL;
  g_autofree gchar *python = NULL;
  g_auto(GStrv) selected = NULL;
  g_autoptr(GPtrArray) vernier_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) case_free);
  g_autoptr(GPtrArray) optuna_rows = NULL;
  g_autoptr(JsonObject) machine = NULL;
  g_autoptr(JsonObject) report = json_object_new ();
  g_autoptr(JsonObject) machine_end = NULL;
  JsonArray *json_cases = json_array_new ();
  JsonObject *ratios = json_object_new ();
  Bench bench = { 0, };
  gint workers = DEFAULT_WORKERS;
  gint memory_trials = DEFAULT_MEMORY_TRIALS;
  gint sqlite_trials = DEFAULT_SQLITE_TRIALS;
  gint postgresql_trials = DEFAULT_POSTGRESQL_TRIALS;
  gint optuna_memory_trials = DEFAULT_OPTUNA_MEMORY_TRIALS;
  gint optuna_sqlite_trials = DEFAULT_OPTUNA_SQLITE_TRIALS;
  gboolean optuna_broken = FALSE;
  gboolean all_ok = TRUE;
  const Case *baseline = NULL;
  const Case *floor_case = NULL;
  const GOptionEntry entries[] = {
    { "cases", 'c', 0, G_OPTION_ARG_STRING, &cases_text,
      "Comma-separated: memory, sqlite, sqlite-workers, postgresql-commits, postgresql, "
      "postgresql-workers, optuna (default: all but the postgresql ones, which join when "
      "a server is given)",
      "LIST" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &workers,
      "Processes of the *-workers cases (default 4)", "W" },
    { "memory-trials", 0, 0, G_OPTION_ARG_INT, &memory_trials,
      "Budget of the memory case (default 100000)", "N" },
    { "sqlite-trials", 0, 0, G_OPTION_ARG_INT, &sqlite_trials,
      "Budget of the sqlite cases (default 10000)", "N" },
    { "postgresql-trials", 0, 0, G_OPTION_ARG_INT, &postgresql_trials,
      "Budget of the postgresql cases (default 2000)", "N" },
    { "optuna-memory-trials", 0, 0, G_OPTION_ARG_INT, &optuna_memory_trials,
      "Budget of Optuna in memory, and of Vernier's case at the same budget (default 5000)", "N" },
    { "optuna-sqlite-trials", 0, 0, G_OPTION_ARG_INT, &optuna_sqlite_trials,
      "Budget of Optuna on SQLite, and of Vernier's case at the same budget (default 300)", "N" },
    { "postgresql-uri", 0, 0, G_OPTION_ARG_STRING, &uri_option,
      "PostgreSQL server (default: $VERNIER_TEST_POSTGRESQL_URI)", "URI" },
    { "optuna-script", 0, 0, G_OPTION_ARG_FILENAME, &script,
      "The Optuna side (default: optuna_storage.py of the source tree)", "FILE" },
    { "python", 0, 0, G_OPTION_ARG_FILENAME, &python,
      "The interpreter with python3-optuna (default /usr/bin/python3)", "PATH" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path,
      "Also write the results to FILE as JSON", "FILE" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &bench.keep,
      "Keep the temporary directory and the PostgreSQL schemas", NULL },
    { NULL }
  };
  static const gchar *known[] = {
    "memory", "sqlite", "sqlite-workers", "postgresql-commits", "postgresql",
    "postgresql-workers", "optuna", NULL
  };
  static const gchar *without_server[] = { "memory", "sqlite", "sqlite-workers", "optuna", NULL };
  static const gchar *with_server[] = {
    "memory", "sqlite", "sqlite-workers", "postgresql-commits", "postgresql",
    "postgresql-workers", "optuna", NULL
  };

  options = g_option_context_new ("— trials per second and durability of each storage");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("bench-storage: %s\n", error->message);
      return 2;
    }
  if (!check_positive ("--workers", workers) ||
      !check_positive ("--memory-trials", memory_trials) ||
      !check_positive ("--sqlite-trials", sqlite_trials) ||
      !check_positive ("--postgresql-trials", postgresql_trials) ||
      !check_positive ("--optuna-memory-trials", optuna_memory_trials) ||
      !check_positive ("--optuna-sqlite-trials", optuna_sqlite_trials))
    return 2;

  bench.uri = uri_option != NULL ? uri_option : g_getenv ("VERNIER_TEST_POSTGRESQL_URI");
  selected = bench_split_list (cases_text, bench.uri != NULL ? with_server : without_server);
  for (guint i = 0; selected[i] != NULL; i++)
    if (!g_strv_contains (known, selected[i]))
      {
        g_printerr ("bench-storage: unknown case '%s' (known: memory, sqlite, sqlite-workers, "
                    "postgresql-commits, postgresql, postgresql-workers, optuna)\n",
                    selected[i]);
        return 2;
      }

  /* Run directly, the build tree's program and plugins are the ones. */
  g_setenv ("VERNIER_PLUGIN_SYSTEM_PATH", BENCH_PLUGIN_PATH, FALSE);
  bench.vernier = g_getenv ("VERNIER_BINARY");
  if (bench.vernier == NULL || *bench.vernier == '\0')
    bench.vernier = BENCH_VERNIER_BINARY;
  if (script == NULL)
    script = g_build_filename (BENCH_SOURCE_DIR, "optuna_storage.py", NULL);
  if (python == NULL)
    python = g_strdup ("/usr/bin/python3");
  bench.tmpdir = g_dir_make_tmp ("vernier-bench-storage-XXXXXX", &error);
  if (bench.tmpdir == NULL)
    {
      g_printerr ("bench-storage: %s\n", error->message);
      return 1;
    }

  machine = bench_machine_describe ();
  bench_machine_print ("storage", machine);
  g_print ("storage: one study per case: random tuner, benchmark trainer (sphere, "
           "instant), 2 float parameters, parallel=1 per process, seed 42; timed from "
           "the first process's start to the last one's exit\n");
  fflush (stdout);

  /* Vernier's cases, the baseline first. */
  for (guint i = 0; known[i] != NULL; i++)
    {
      const gchar *id = known[i];
      g_autofree gchar *label = NULL;
      Case *c;

      if (!g_strv_contains ((const gchar * const *) selected, id) || g_str_equal (id, "optuna"))
        continue;
      if (g_str_equal (id, "memory"))
        c = case_new (id, STORE_MEMORY, 1, memory_trials, "memory (baseline)");
      else if (g_str_equal (id, "sqlite"))
        c = case_new (id, STORE_SQLITE, 1, sqlite_trials, "sqlite");
      else if (g_str_equal (id, "postgresql"))
        c = case_new (id, STORE_POSTGRESQL, 1, postgresql_trials, "postgresql");
      else if (g_str_equal (id, "postgresql-commits"))
        c = case_new (id, STORE_POSTGRESQL, 1, postgresql_trials,
                      "postgresql: 2 bare commits per trial");
      else
        {
          gboolean sqlite = g_str_has_prefix (id, "sqlite");

          label = g_strdup_printf ("%s, %d workers", sqlite ? "sqlite" : "postgresql", workers);
          c = case_new (id, sqlite ? STORE_SQLITE : STORE_POSTGRESQL, workers,
                        sqlite ? sqlite_trials : postgresql_trials, label);
        }
      if (g_str_equal (id, "postgresql-commits"))
        time_bare_commits (&bench, c);
      else
        run_case (&bench, c);
      print_case_line (c);
      g_ptr_array_add (vernier_rows, c);
    }

  if (g_strv_contains ((const gchar * const *) selected, "optuna"))
    {
      optuna_rows = run_optuna (&bench, python, script, optuna_memory_trials,
                                optuna_sqlite_trials, &optuna_broken);
      /* Vernier again with Optuna's budgets: equal numbers of trials. */
      if (optuna_rows != NULL)
        {
          static const struct { const gchar *id; Store store; const gchar *what; } again[] = {
            { "memory-at-optuna-budget", STORE_MEMORY, "memory" },
            { "sqlite-at-optuna-budget", STORE_SQLITE, "sqlite" },
          };

          for (guint i = 0; i < G_N_ELEMENTS (again); i++)
            {
              guint trials = again[i].store == STORE_MEMORY ? optuna_memory_trials
                                                            : optuna_sqlite_trials;
              g_autofree gchar *label = g_strdup_printf ("%s, Optuna's budget", again[i].what);
              Case *c = case_new (again[i].id, again[i].store, 1, trials, label);

              run_case (&bench, c);
              print_case_line (c);
              g_ptr_array_add (vernier_rows, c);
            }
        }
    }

  /* The table. */
  baseline = find_case (vernier_rows, "memory");
  g_print ("\nstorage: trials per second of a whole study (ratio: to the memory case "
           "of the same side)\n");
  g_print ("%-36s %7s %8s %10s %7s %8s  %s\n", "case", "trials", "seconds", "trials/s",
           "ratio", "last end", "every finished trial stored when the program returns");
  print_table (vernier_rows, baseline, FALSE, json_cases);
  if (optuna_rows != NULL)
    print_table (optuna_rows, find_case (optuna_rows, "optuna-memory"), TRUE, json_cases);
  g_print ("(seconds: from the first process's start to the last one's exit; last end: "
           "to the end of the last trial, from the trials' records in the database)\n");
  for (guint i = 0; i < vernier_rows->len; i++)
    {
      const Case *c = g_ptr_array_index (vernier_rows, i);

      if (c->workers > 1 && c->ran && c->last_end > 0)
        g_print ("storage: %s: %.1f trials/s up to the last trial's end; the workers "
                 "exited %.2f s after it (a worker that finds the budget spent while "
                 "others still run trials looks again after 20 ms, then less and "
                 "less often, at most once a heartbeat)\n",
                 c->label, c->trials / c->last_end, c->seconds - c->last_end);
    }
  floor_case = find_case (vernier_rows, "postgresql-commits");
  for (guint i = 0; floor_case != NULL && floor_case->ran && i < vernier_rows->len; i++)
    {
      const Case *c = g_ptr_array_index (vernier_rows, i);

      if (c->store == STORE_POSTGRESQL && c != floor_case && c->ran)
        g_print ("storage: %s: %.0f%% of the pace of bare commits in the same run "
                 "(%.1f trials/s at two commits per trial)\n",
                 c->label, 100.0 * case_rate (c) / case_rate (floor_case), case_rate (floor_case));
    }

  if (optuna_rows != NULL)
    {
      g_print ("\nstorage: Vernier / Optuna, trials per second\n");
      print_ratio (ratios, "sqlite", "sqlite, same number of trials",
                   find_case (vernier_rows, "sqlite-at-optuna-budget"),
                   find_case (optuna_rows, "optuna-sqlite"), SQLITE_GOAL);
      print_ratio (ratios, "sqlite-wal", "sqlite, Optuna in WAL mode with synchronous=NORMAL "
                   "as Vernier's, same number of trials",
                   find_case (vernier_rows, "sqlite-at-optuna-budget"),
                   find_case (optuna_rows, "optuna-sqlite-wal"), 0);
      print_ratio (ratios, "sqlite-full-budget", "sqlite, Vernier over its own (larger) budget",
                   find_case (vernier_rows, "sqlite"),
                   find_case (optuna_rows, "optuna-sqlite"), 0);
      print_ratio (ratios, "memory", "memory, same number of trials",
                   find_case (vernier_rows, "memory-at-optuna-budget"),
                   find_case (optuna_rows, "optuna-memory"), 0);
    }
  else if (g_strv_contains ((const gchar * const *) selected, "optuna"))
    g_print ("\nstorage: no Optuna figures: Vernier's figures only\n");

  for (guint i = 0; i < vernier_rows->len; i++)
    all_ok = all_ok && ((const Case *) g_ptr_array_index (vernier_rows, i))->problem == NULL;
  g_print ("\nstorage: every finished trial durable when the program returns (the study's "
           "trials counted in its database, COMPLETE in column and record, exactly the "
           "budget): %s\n", all_ok ? "ok" : "FAILED");

  machine_end = bench_machine_describe ();
  g_print ("storage: load average at the end: %s\n",
           json_object_get_string_member (machine_end, "loadavg"));

  if (json_path != NULL)
    {
      g_autoptr(JsonNode) root = json_node_alloc ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();

      json_object_set_object_member (report, "machine", g_steal_pointer (&machine));
      json_object_set_string_member (report, "loadavg_end",
                                     json_object_get_string_member (machine_end, "loadavg"));
      json_object_set_array_member (report, "cases", json_cases);
      json_object_set_object_member (report, "vernier_over_optuna", ratios);
      json_object_set_boolean_member (report, "durable", all_ok);
      json_node_init_object (root, report);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      if (!json_generator_to_file (generator, json_path, &error))
        {
          g_printerr ("bench-storage: %s\n", error->message);
          all_ok = FALSE;
        }
    }
  else
    {
      json_array_unref (json_cases);
      json_object_unref (ratios);
    }

  if (bench.keep)
    g_print ("storage: kept %s\n", bench.tmpdir);
  else
    remove_tree (bench.tmpdir);
  g_free (bench.tmpdir);
  return all_ok && !optuna_broken ? 0 : 1;
}
