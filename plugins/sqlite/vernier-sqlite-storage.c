/* vernier-sqlite-storage.c: a study kept in a SQLite database file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "vernier-sqlite-storage.h"

/**
 * VernierSqliteStorage:
 *
 * A #VernierStorage that keeps studies in a SQLite database file: the
 * default storage of a study. The file holds any number of studies, by
 * name; several processes (runs and workers on one machine, or on
 * machines sharing a local file system that supports SQLite's locks) may
 * work on one study at once.
 *
 * Every method is one SQLite transaction; those that write begin with
 * `BEGIN IMMEDIATE`, which takes the database's write lock first, so
 * that a claim reads the queue and the budget and hands out a trial
 * without another process coming in between. A process that finds the
 * lock taken waits up to [property@VernierSqliteStorage:busy-timeout]
 * before it fails.
 *
 * The database is in WAL mode with `synchronous=NORMAL`: a transaction
 * is in the write-ahead log, handed to the operating system, when its
 * method returns, so it survives the crash of the process (and of any
 * other process); only a crash of the operating system or a power cut may
 * lose the last transactions, never the database's integrity.
 *
 * Each trial's record (a JSON object) is stored whole as text and is the
 * source of truth; the columns beside it (state, worker, lost, the key of
 * its parameters) repeat what the claim, the duplicate check and the
 * budget look up, and every write sets them from the record.
 */

/* The tables, made once per database file. The record is the truth; the
 * other columns of trials are derived from it to be indexed:
 * trials_by_state finds the first WAITING trial and the RUNNING ones,
 * trials_by_key the duplicates of a proposal, and the primary key serves
 * finished_since (a range of numbers). The budget's count is derived
 * (see STMT_COUNT) with trials_by_state and trials_lost, which holds
 * only the few lost trials. */
static const gchar schema_sql[] =
  "CREATE TABLE IF NOT EXISTS meta ("
  "  key TEXT PRIMARY KEY,"
  "  value NOT NULL);"
  "CREATE TABLE IF NOT EXISTS studies ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  description TEXT NOT NULL,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS workers ("
  "  id INTEGER PRIMARY KEY,"
  "  study INTEGER NOT NULL REFERENCES studies (id),"
  "  host TEXT NOT NULL,"
  "  pid INTEGER NOT NULL,"
  "  heartbeat INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS trials ("
  "  study INTEGER NOT NULL REFERENCES studies (id),"
  "  number INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  key TEXT,"
  "  worker INTEGER,"
  "  lost INTEGER NOT NULL DEFAULT 0,"
  "  record TEXT NOT NULL,"
  "  PRIMARY KEY (study, number));"
  "CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study, state, number);"
  "CREATE INDEX IF NOT EXISTS trials_by_key ON trials (study, key);"
  "CREATE INDEX IF NOT EXISTS trials_lost ON trials (study)"
  "  WHERE lost = 1 AND state <> 'waiting';";

typedef enum {
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_ADD_WORKER,
  STMT_HEARTBEAT,
  STMT_LOAD,
  STMT_COUNT,
  STMT_FIRST_WAITING,
  STMT_FIND_KEY,
  STMT_NEXT_NUMBER,
  STMT_GET,
  STMT_INSERT,
  STMT_REPLACE,
  STMT_LIST_RUNNING,
  STMT_FINISHED_SINCE,
  N_STMTS
} Stmt;

/* Prepared once per opened database, reset after every use. STMT_INSERT
 * and STMT_REPLACE take the same parameters (see write_record()).
 *
 * STMT_COUNT counts the trials that count towards the budget without
 * reading them all: numbers are dense from 0 and no trial is ever
 * deleted, so they are the highest number plus one, less the WAITING
 * trials and the lost ones, two small sets that indexes find (the WHERE
 * of the lost ones is that of trials_lost, word for word). */
static const gchar * const stmt_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_ADD_WORKER] =
    "INSERT INTO workers (study, host, pid, heartbeat) VALUES (?1, ?2, ?3, ?4)",
  [STMT_HEARTBEAT] =
    "UPDATE workers SET heartbeat = max(?3, heartbeat + 1)"
    " WHERE study = ?1 AND id = ?2",
  [STMT_LOAD] =
    "SELECT number, record FROM trials WHERE study = ?1 ORDER BY number",
  [STMT_COUNT] =
    "SELECT (SELECT coalesce(max(number) + 1, 0) FROM trials WHERE study = ?1)"
    " - (SELECT count(*) FROM trials WHERE study = ?1 AND state = 'waiting')"
    " - (SELECT count(*) FROM trials WHERE study = ?1 AND lost = 1 AND state <> 'waiting')",
  [STMT_FIRST_WAITING] =
    "SELECT number, record FROM trials"
    " WHERE study = ?1 AND state = 'waiting' ORDER BY number LIMIT 1",
  [STMT_FIND_KEY] =
    "SELECT 1 FROM trials WHERE study = ?1 AND key = ?2 AND lost = 0 LIMIT 1",
  [STMT_NEXT_NUMBER] =
    "SELECT coalesce(max(number) + 1, 0) FROM trials WHERE study = ?1",
  [STMT_GET] =
    "SELECT t.state, coalesce(t.worker, 0), coalesce(w.heartbeat, 0), t.record"
    " FROM trials AS t LEFT JOIN workers AS w ON w.id = t.worker"
    " WHERE t.study = ?1 AND t.number = ?2",
  [STMT_INSERT] =
    "INSERT INTO trials (study, number, state, key, worker, lost, record)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
  [STMT_REPLACE] =
    "UPDATE trials SET state = ?3, key = ?4, worker = ?5, lost = ?6, record = ?7"
    " WHERE study = ?1 AND number = ?2",
  [STMT_LIST_RUNNING] =
    "SELECT t.number, coalesce(t.worker, 0), w.host, w.pid, w.heartbeat"
    " FROM trials AS t LEFT JOIN workers AS w ON w.id = t.worker"
    " WHERE t.study = ?1 AND t.state = 'running' ORDER BY t.number",
  [STMT_FINISHED_SINCE] =
    "SELECT number, record FROM trials"
    " WHERE study = ?1 AND number >= ?2 AND state NOT IN ('waiting', 'running')"
    " AND worker IS NOT ?3 ORDER BY number",
};

#define SCHEMA_VERSION_KEY "schema-version"
#define DEFAULT_BUSY_TIMEOUT (30 * G_USEC_PER_SEC)
#define MAX_BUSY_TIMEOUT (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

struct _VernierSqliteStorage
{
  GObject parent_instance;

  /* properties */
  gchar *path;
  gint64 busy_timeout;

  /* set by open */
  gchar *file;                  /* the resolved path, for messages too */
  sqlite3 *db;
  sqlite3_stmt *stmts[N_STMTS];
  sqlite3_int64 study;          /* studies.id, 0 until open succeeds */
  JsonParser *parser;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_BUSY_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void storage_iface_init (VernierStorageInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierSqliteStorage, vernier_sqlite_storage,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_STORAGE,
                                                               storage_iface_init))

/* A prepared statement in use: reset when it goes out of scope, so that
 * no statement keeps a read transaction open between calls, and its
 * parameters cleared, since they may point to freed text. */
typedef sqlite3_stmt Statement;

static void
statement_release (Statement *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Statement, statement_release)

static void
close_database (VernierSqliteStorage *self)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  self->study = 0;
}

static void
vernier_sqlite_storage_finalize (GObject *object)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (object);

  close_database (self);
  g_free (self->path);
  g_free (self->file);
  g_clear_object (&self->parser);

  G_OBJECT_CLASS (vernier_sqlite_storage_parent_class)->finalize (object);
}

static void
vernier_sqlite_storage_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_BUSY_TIMEOUT:
      g_value_set_int64 (value, self->busy_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_sqlite_storage_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_BUSY_TIMEOUT:
      self->busy_timeout = g_value_get_int64 (value);
      if (self->db != NULL)
        sqlite3_busy_timeout (self->db, (int) (self->busy_timeout / 1000));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_sqlite_storage_class_init (VernierSqliteStorageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_sqlite_storage_finalize;
  object_class->get_property = vernier_sqlite_storage_get_property;
  object_class->set_property = vernier_sqlite_storage_set_property;

  /**
   * VernierSqliteStorage:path:
   *
   * The database file. A relative path is relative to the directory of
   * the study file. When empty (the default), the file is `NAME.db`
   * beside the study file, NAME being the study's name with every `/`
   * replaced by `_`. A study that is created creates the file and its
   * missing parent directories.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", "Path",
                         "Database file, relative to the study file's "
                         "directory (default: NAME.db beside the study "
                         "file)",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * VernierSqliteStorage:busy-timeout:
   *
   * How long a call waits for another process to release the database's
   * lock before it fails, in microseconds (a study file writes `30s`).
   */
  properties[PROP_BUSY_TIMEOUT] =
    vernier_param_spec_duration ("busy-timeout", "Busy timeout",
                                 "How long to wait for another process's "
                                 "lock on the database before failing",
                                 0, MAX_BUSY_TIMEOUT, DEFAULT_BUSY_TIMEOUT,
                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_sqlite_storage_class_finalize (VernierSqliteStorageClass *klass)
{
}

static void
vernier_sqlite_storage_init (VernierSqliteStorage *self)
{
  self->busy_timeout = DEFAULT_BUSY_TIMEOUT;
  self->parser = json_parser_new ();
}

/* Errors. The helpers below set the detail of an error; each method of
 * the interface prefixes it with the file and what it was doing. */

static void
set_sql_error (VernierSqliteStorage  *self,
               int                    rc,
               GError               **error)
{
  if (rc == SQLITE_BUSY_SNAPSHOT)
    {
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                           "another process changed the database during "
                           "the transaction");
      return;
    }
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      {
        g_autofree gchar *timeout = vernier_format_duration (self->busy_timeout);

        g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                     "database is locked after %s: another process kept it "
                     "busy that long (the property busy-timeout says how long "
                     "to wait)", timeout);
      }
      break;
    case SQLITE_NOTADB:
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                           "not a SQLite database");
      break;
    default:
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE, "%s",
                   self->db != NULL && sqlite3_extended_errcode (self->db) == rc
                     ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
    }
}

static gboolean
not_open (VernierSqliteStorage  *self,
          GError               **error)
{
  if (self->study != 0)
    return FALSE;
  g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "the study is not open (vernier_storage_open() has "
                       "not succeeded)");
  return TRUE;
}

static const gchar *
display_file (VernierSqliteStorage *self)
{
  return self->file != NULL ? self->file : "(no file)";
}

/* Statements */

static Statement *
use_statement (VernierSqliteStorage *self,
               Stmt                  id)
{
  sqlite3_stmt *stmt = self->stmts[id];

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, self->study);
  return stmt;
}

/* Steps a statement that returns at most one row: TRUE with *found set,
 * FALSE on error. */
static gboolean
next_row (VernierSqliteStorage  *self,
          Statement             *stmt,
          gboolean              *found,
          GError               **error)
{
  int rc = sqlite3_step (stmt);

  *found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  set_sql_error (self, rc, error);
  return FALSE;
}

/* Steps a statement that returns no row. */
static gboolean
run_statement (VernierSqliteStorage  *self,
               Statement             *stmt,
               GError               **error)
{
  gboolean found;

  return next_row (self, stmt, &found, error);
}

static gboolean
transaction_begin (VernierSqliteStorage  *self,
                   GError               **error)
{
  g_autoptr(Statement) stmt = self->stmts[STMT_BEGIN];

  sqlite3_reset (stmt);
  return run_statement (self, stmt, error);
}

/* Ends the transaction that transaction_begin() began: commits it if
 * @ok, else (or if the commit fails) rolls it back. */
static gboolean
transaction_end (VernierSqliteStorage  *self,
                 gboolean               ok,
                 GError               **error)
{
  if (ok)
    {
      g_autoptr(Statement) commit = self->stmts[STMT_COMMIT];

      sqlite3_reset (commit);
      ok = run_statement (self, commit, error);
    }
  if (!sqlite3_get_autocommit (self->db))
    {
      g_autoptr(Statement) rollback = self->stmts[STMT_ROLLBACK];

      sqlite3_reset (rollback);
      /* Fails only when SQLite rolled back by itself already. */
      sqlite3_step (rollback);
    }
  return ok;
}

/* Records */


static JsonObject *
column_record (VernierSqliteStorage  *self,
               Statement             *stmt,
               int                    column,
               gint64                 number,
               GError               **error)
{
  const gchar *text = (const gchar *) sqlite3_column_text (stmt, column);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (text == NULL ||
      !json_parser_load_from_data (self->parser, text, sqlite3_column_bytes (stmt, column),
                                   &local_error) ||
      (root = json_parser_get_root (self->parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "the record of trial %" G_GINT64_FORMAT " is not a JSON "
                   "object%s%s", number,
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return NULL;
    }
  return json_node_dup_object (root);
}

/* Appends the records that @stmt returns (number, record) to a new
 * array. */
static JsonArray *
collect_records (VernierSqliteStorage  *self,
                 Statement             *stmt,
                 GError               **error)
{
  g_autoptr(JsonArray) records = json_array_new ();
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *record = column_record (self, stmt, 1, sqlite3_column_int64 (stmt, 0), error);

      if (record == NULL)
        return NULL;
      json_array_add_object_element (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      set_sql_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&records);
}

/* Inserts (STMT_INSERT) or replaces (STMT_REPLACE) the row of @record,
 * its columns taken from it. */
static gboolean
write_record (VernierSqliteStorage  *self,
              Stmt                   id,
              gint64                 number,
              JsonObject            *record,
              GError               **error)
{
  g_autoptr(Statement) stmt = use_statement (self, id);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), record);
  g_autofree gchar *text = vernier_json_to_string (node, FALSE);
  g_autofree gchar *key = NULL;
  JsonNode *params = json_object_get_member (record, "params");
  gint64 worker = json_object_get_int_member_with_default (record, "worker", 0);

  if (params != NULL && JSON_NODE_HOLDS_OBJECT (params))
    key = vernier_storage_record_key (json_node_get_object (params));

  sqlite3_bind_int64 (stmt, 2, number);
  sqlite3_bind_text (stmt, 3,
                     json_object_get_string_member_with_default (record, "state", "waiting"),
                     -1, SQLITE_TRANSIENT);
  if (key != NULL)
    sqlite3_bind_text (stmt, 4, key, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  if (worker > 0)
    sqlite3_bind_int64 (stmt, 5, worker);
  else
    sqlite3_bind_null (stmt, 5);
  sqlite3_bind_int (stmt, 6,
                    json_object_get_boolean_member_with_default (record, "lost", FALSE));
  sqlite3_bind_text (stmt, 7, text, -1, SQLITE_STATIC);

  return run_statement (self, stmt, error);
}

static gboolean
next_number (VernierSqliteStorage  *self,
             gint64                *number,
             GError               **error)
{
  g_autoptr(Statement) stmt = use_statement (self, STMT_NEXT_NUMBER);
  gboolean found;

  if (!next_row (self, stmt, &found, error))
    return FALSE;
  *number = found ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

/* Adds a WAITING trial with @params (and `retry-of` when @retry_of is
 * not negative) under the next number. */
static gboolean
insert_waiting (VernierSqliteStorage  *self,
                JsonObject            *params,
                gint64                 retry_of,
                gint64                *number,
                GError               **error)
{
  g_autoptr(JsonObject) record = json_object_new ();

  if (!next_number (self, number, error))
    return FALSE;
  json_object_set_int_member (record, "number", *number);
  json_object_set_string_member (record, "state", "waiting");
  json_object_set_object_member (record, "params", vernier_json_object_copy (params));
  if (retry_of >= 0)
    json_object_set_int_member (record, "retry-of", retry_of);
  return write_record (self, STMT_INSERT, *number, record, error);
}

/* A trial's row, as STMT_GET reads it. */
typedef struct
{
  gboolean found;
  gboolean running;
  gchar state[16];
  gint64 worker;
  gint64 heartbeat;
} Row;

static gboolean
get_row (VernierSqliteStorage  *self,
         Statement             *stmt,
         gint64                 number,
         Row                   *row,
         GError               **error)
{
  sqlite3_bind_int64 (stmt, 2, number);
  if (!next_row (self, stmt, &row->found, error))
    return FALSE;
  if (row->found)
    {
      const gchar *state = (const gchar *) sqlite3_column_text (stmt, 0);

      g_strlcpy (row->state, state != NULL ? state : "", sizeof row->state);
      row->running = g_strcmp0 (state, "running") == 0;
      row->worker = sqlite3_column_int64 (stmt, 1);
      row->heartbeat = sqlite3_column_int64 (stmt, 2);
    }
  return TRUE;
}

/* Opening */

/* Runs @sql, which returns one integer, or none (0). */
static gboolean
query_int (VernierSqliteStorage  *self,
           const gchar           *sql,
           gint64                *value,
           GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      *value = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
      if (rc == SQLITE_ROW)
        rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    set_sql_error (self, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
exec_sql (VernierSqliteStorage  *self,
          const gchar           *sql,
          GError               **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;
  set_sql_error (self, rc, error);
  return FALSE;
}

static gchar *
default_file_name (VernierContext *context)
{
  g_autofree gchar *name = g_strdup (vernier_context_get_study_name (context));

  g_strdelimit (name, "/", '_');
  return g_strconcat (*name != '\0' ? name : "study", ".db", NULL);
}

/* Opens the file and sets the connection up, before any table is read:
 * the file must be a database that SQLite can lock. */
static gboolean
connect_database (VernierSqliteStorage  *self,
                  const gchar           *name,
                  gboolean               create,
                  GError               **error)
{
  g_autofree gchar *mode = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (g_file_test (self->file, G_FILE_TEST_IS_DIR))
    {
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                           "is a directory, not a database file");
      return FALSE;
    }
  if (!g_file_test (self->file, G_FILE_TEST_EXISTS))
    {
      g_autofree gchar *dir = g_path_get_dirname (self->file);

      if (!create)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "no such database file, so no study '%s'", name);
          return FALSE;
        }
      if (g_mkdir_with_parents (dir, 0777) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "cannot create the directory %s: %s", dir,
                       g_strerror (saved_errno));
          return FALSE;
        }
      flags |= SQLITE_OPEN_CREATE;
    }

  rc = sqlite3_open_v2 (self->file, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self, rc, error);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, (int) (self->busy_timeout / 1000));

  /* WAL: readers never wait for the writer, and a commit appends to the
   * log instead of rewriting pages. The first statement to read the file
   * is this one: a file that is not a database fails here. */
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      /* Switching a new file to WAL needs it alone for a moment, and
       * SQLite answers BUSY at once, without its busy handler, when
       * another process opening the same new file holds it: retry until
       * the busy timeout. */
      gint64 deadline = g_get_monotonic_time () + self->busy_timeout;

      while (((rc = sqlite3_step (stmt)) & 0xff) == SQLITE_BUSY &&
             g_get_monotonic_time () < deadline)
        {
          sqlite3_reset (stmt);
          g_usleep (5 * 1000);
        }
      if (rc == SQLITE_ROW)
        {
          mode = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    set_sql_error (self, rc, error);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return FALSE;
  if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "cannot use write-ahead logging on this file system "
                   "(journal mode stays '%s')", mode != NULL ? mode : "unknown");
      return FALSE;
    }

  /* In WAL mode, NORMAL syncs the log only at checkpoints: a committed
   * transaction is in the log, written to the operating system, so it is
   * durable against the crash of the process, which is what the storage
   * contract asks; a power cut may lose the last commits but never
   * corrupts the file. */
  if (!exec_sql (self, "PRAGMA synchronous = NORMAL", error))
    return FALSE;

  for (Stmt id = STMT_BEGIN; id <= STMT_ROLLBACK; id++)
    {
      rc = sqlite3_prepare_v3 (self->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                               &self->stmts[id], NULL);
      if (rc != SQLITE_OK)
        {
          set_sql_error (self, rc, error);
          return FALSE;
        }
    }
  return TRUE;
}

/* Checks the schema version, creating the schema in a new database when
 * @create. In the open transaction. */
static gboolean
check_schema (VernierSqliteStorage  *self,
              gboolean               create,
              gboolean              *empty,
              GError               **error)
{
  gint64 has_meta = 0;
  gint64 n_tables = 0;
  gint64 version = 0;

  *empty = FALSE;
  if (!query_int (self,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                  &has_meta, error))
    return FALSE;

  if (has_meta)
    {
      if (!query_int (self,
                      "SELECT value FROM meta WHERE key = '" SCHEMA_VERSION_KEY "'",
                      &version, error))
        return FALSE;
      if (version > VERNIER_STORAGE_SCHEMA_VERSION)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "written by a newer Vernier (schema %" G_GINT64_FORMAT
                       ", this one knows up to %d)",
                       version, VERNIER_STORAGE_SCHEMA_VERSION);
          return FALSE;
        }
      if (version == VERNIER_STORAGE_SCHEMA_VERSION)
        return TRUE;
      if (version > 0)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "unknown schema %" G_GINT64_FORMAT " (this Vernier "
                       "knows schema %d)", version, VERNIER_STORAGE_SCHEMA_VERSION);
          return FALSE;
        }
    }

  if (!query_int (self, "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                  &n_tables, error))
    return FALSE;
  if (n_tables > has_meta)
    {
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                           "not a Vernier database: it holds tables of "
                           "another program");
      return FALSE;
    }
  if (!create)
    {
      *empty = TRUE;
      return TRUE;
    }
  return exec_sql (self, schema_sql, error) &&
         exec_sql (self,
                   "INSERT OR REPLACE INTO meta (key, value) VALUES ('"
                   SCHEMA_VERSION_KEY "', "
                   G_STRINGIFY (VERNIER_STORAGE_SCHEMA_VERSION) ")",
                   error);
}

/* Finds the study, or creates it when @create. In the open
 * transaction. */
static gboolean
find_study (VernierSqliteStorage  *self,
            const gchar           *name,
            const gchar           *description,
            gboolean               create,
            gchar                **stored_description,
            GError               **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT id, description FROM studies WHERE name = ?1",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          self->study = sqlite3_column_int64 (stmt, 0);
          if (stored_description != NULL)
            *stored_description = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
          rc = SQLITE_DONE;
        }
      else if (rc == SQLITE_DONE && create)
        {
          sqlite3_finalize (stmt);
          stmt = NULL;
          rc = sqlite3_prepare_v2 (self->db,
                                   "INSERT INTO studies (name, description, created)"
                                   " VALUES (?1, ?2, ?3)",
                                   -1, &stmt, NULL);
          if (rc == SQLITE_OK)
            {
              sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
              sqlite3_bind_text (stmt, 2, description, -1, SQLITE_STATIC);
              sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
              rc = sqlite3_step (stmt);
            }
          if (rc == SQLITE_DONE)
            {
              self->study = sqlite3_last_insert_rowid (self->db);
              if (stored_description != NULL)
                *stored_description = g_strdup (description);
            }
        }
    }
  if (rc != SQLITE_DONE)
    set_sql_error (self, rc, error);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;
  if (self->study == 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "no study '%s' in this database", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare_statements (VernierSqliteStorage  *self,
                    GError               **error)
{
  for (Stmt id = 0; id < N_STMTS; id++)
    {
      int rc;

      if (self->stmts[id] != NULL)
        continue;
      rc = sqlite3_prepare_v3 (self->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                               &self->stmts[id], NULL);
      if (rc != SQLITE_OK)
        {
          set_sql_error (self, rc, error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
open_study (VernierSqliteStorage  *self,
            VernierContext        *context,
            const gchar           *description,
            gboolean               create,
            gchar                **stored_description,
            GError               **error)
{
  const gchar *name = vernier_context_get_study_name (context);
  g_autofree gchar *stored = NULL;
  gboolean empty = FALSE;
  gboolean ok;

  if (!connect_database (self, name, create, error))
    return FALSE;

  /* A study that is not to be created is only read: no write lock. */
  if (create)
    ok = transaction_begin (self, error);
  else
    ok = exec_sql (self, "BEGIN DEFERRED", error);
  if (!ok)
    return FALSE;
  ok = check_schema (self, create, &empty, error);
  if (ok && empty)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "no study '%s' in this database", name);
      ok = FALSE;
    }
  ok = ok && find_study (self, name, description, create, &stored, error);
  if (!transaction_end (self, ok, error))
    {
      self->study = 0;
      return FALSE;
    }

  if (!prepare_statements (self, error))
    {
      self->study = 0;
      return FALSE;
    }
  if (stored_description != NULL)
    *stored_description = g_steal_pointer (&stored);
  return TRUE;
}

static gboolean
vernier_sqlite_storage_open (VernierStorage  *storage,
                             VernierContext  *context,
                             const gchar     *description,
                             gboolean         create,
                             gchar          **stored_description,
                             GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);

  close_database (self);
  g_free (self->file);
  if (self->path != NULL && *self->path != '\0')
    self->file = vernier_context_resolve_path (context, self->path);
  else
    {
      g_autofree gchar *name = default_file_name (context);

      self->file = vernier_context_resolve_path (context, name);
    }

  if (!open_study (self, context, description, create, stored_description, error))
    {
      g_prefix_error (error, "sqlite %s: ", self->file);
      close_database (self);
      return FALSE;
    }
  return TRUE;
}

/* The other methods */

static guint
vernier_sqlite_storage_add_worker (VernierStorage  *storage,
                                   const gchar     *host,
                                   gint64           pid,
                                   GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  sqlite3_int64 id = 0;
  gboolean ok;

  ok = !not_open (self, error) && transaction_begin (self, error);
  if (ok)
    {
      g_autoptr(Statement) stmt = use_statement (self, STMT_ADD_WORKER);

      sqlite3_bind_text (stmt, 2, host, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, pid);
      sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
      ok = run_statement (self, stmt, error);
      id = sqlite3_last_insert_rowid (self->db);
      if (ok && (id <= 0 || id > G_MAXUINT))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "worker id %" G_GINT64_FORMAT " is out of range", (gint64) id);
          ok = FALSE;
        }
      ok = transaction_end (self, ok, error);
    }
  if (!ok)
    {
      g_prefix_error (error, "sqlite %s: registering a worker: ", display_file (self));
      return 0;
    }
  return (guint) id;
}

static JsonArray *
vernier_sqlite_storage_load (VernierStorage  *storage,
                             GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  JsonArray *records = NULL;

  /* One statement: one read transaction, a consistent snapshot. */
  if (!not_open (self, error))
    {
      g_autoptr(Statement) stmt = use_statement (self, STMT_LOAD);

      records = collect_records (self, stmt, error);
    }
  if (records == NULL)
    g_prefix_error (error, "sqlite %s: loading the trials: ", display_file (self));
  return records;
}


/* The claim, in its transaction: FALSE on error. */
static gboolean
claim_trial (VernierSqliteStorage  *self,
             guint                  worker,
             JsonObject            *proposal,
             gboolean               unique,
             guint                  budget,
             VernierClaim          *result,
             JsonObject           **record,
             GError               **error)
{
  g_autoptr(JsonObject) claimed = NULL;
  gint64 number = 0;
  gboolean found;

  if (budget > 0)
    {
      g_autoptr(Statement) stmt = use_statement (self, STMT_COUNT);

      if (!next_row (self, stmt, &found, error))
        return FALSE;
      if (found && sqlite3_column_int64 (stmt, 0) >= budget)
        {
          *result = VERNIER_CLAIM_SPENT;
          return TRUE;
        }
    }

  {
    g_autoptr(Statement) stmt = use_statement (self, STMT_FIRST_WAITING);

    if (!next_row (self, stmt, &found, error))
      return FALSE;
    if (found)
      {
        number = sqlite3_column_int64 (stmt, 0);
        claimed = column_record (self, stmt, 1, number, error);
        if (claimed == NULL)
          return FALSE;
      }
  }

  if (claimed != NULL)
    {
      vernier_storage_record_mark_claimed (claimed, worker);
      if (!write_record (self, STMT_REPLACE, number, claimed, error))
        return FALSE;
      *result = VERNIER_CLAIM_DEQUEUED;
    }
  else if (proposal == NULL)
    {
      *result = VERNIER_CLAIM_EMPTY;
      return TRUE;
    }
  else
    {
      if (unique)
        {
          g_autoptr(Statement) stmt = use_statement (self, STMT_FIND_KEY);
          g_autofree gchar *key = vernier_storage_record_key (proposal);

          sqlite3_bind_text (stmt, 2, key, -1, SQLITE_STATIC);
          if (!next_row (self, stmt, &found, error))
            return FALSE;
          if (found)
            {
              *result = VERNIER_CLAIM_DUPLICATE;
              return TRUE;
            }
        }
      if (!next_number (self, &number, error))
        return FALSE;
      claimed = json_object_new ();
      json_object_set_int_member (claimed, "number", number);
      json_object_set_object_member (claimed, "params", vernier_json_object_copy (proposal));
      vernier_storage_record_mark_claimed (claimed, worker);
      if (!write_record (self, STMT_INSERT, number, claimed, error))
        return FALSE;
      *result = VERNIER_CLAIM_STARTED;
    }

  if (record != NULL)
    *record = g_steal_pointer (&claimed);
  return TRUE;
}

static VernierClaim
vernier_sqlite_storage_claim (VernierStorage  *storage,
                              guint            worker,
                              JsonObject      *proposal,
                              gboolean         unique,
                              guint            budget,
                              JsonObject     **record,
                              GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  g_autoptr(JsonObject) claimed = NULL;
  VernierClaim result = VERNIER_CLAIM_EMPTY;

  if (not_open (self, error) ||
      !transaction_begin (self, error) ||
      !transaction_end (self,
                        claim_trial (self, worker, proposal, unique, budget,
                                     &result, &claimed, error),
                        error))
    {
      g_prefix_error (error, "sqlite %s: claiming a trial for worker %u: ",
                      display_file (self), worker);
      return VERNIER_CLAIM_EMPTY;
    }
  if (record != NULL)
    *record = g_steal_pointer (&claimed);
  return result;
}

/* Checks that trial @number is RUNNING for @worker, in the open
 * transaction. */
static gboolean
check_owner (VernierSqliteStorage  *self,
             guint                  worker,
             gint64                 number,
             GError               **error)
{
  g_autoptr(Statement) stmt = use_statement (self, STMT_GET);
  Row row;

  if (!get_row (self, stmt, number, &row, error))
    return FALSE;
  if (!row.found)
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                 "trial %" G_GINT64_FORMAT " is not in the study", number);
  else if (!row.running)
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                 "trial %" G_GINT64_FORMAT " is no longer running (it is %s): "
                 "it was taken over by another worker, or it had finished",
                 number, row.state);
  else if (row.worker != worker)
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                 "trial %" G_GINT64_FORMAT " runs for worker %" G_GINT64_FORMAT
                 ", not for worker %u", number, row.worker, worker);
  else
    return TRUE;
  return FALSE;
}

static gboolean
update_trial (VernierSqliteStorage  *self,
              guint                  worker,
              gint64                 number,
              JsonObject            *record,
              GError               **error)
{
  g_autoptr(JsonObject) copy = NULL;

  if (!check_owner (self, worker, number, error))
    return FALSE;
  copy = vernier_json_object_copy (record);
  json_object_set_int_member (copy, "worker", worker);
  return write_record (self, STMT_REPLACE, number, copy, error);
}

static gboolean
vernier_sqlite_storage_update (VernierStorage  *storage,
                               guint            worker,
                               JsonObject      *record,
                               GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  JsonNode *member = json_object_get_member (record, "number");
  gint64 number = -1;

  if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
      json_node_get_value_type (member) == G_TYPE_INT64)
    number = json_node_get_int (member);
  if (number < 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "sqlite %s: updating a trial: the record has no trial number",
                   display_file (self));
      return FALSE;
    }

  if (not_open (self, error) ||
      !transaction_begin (self, error) ||
      !transaction_end (self, update_trial (self, worker, number, record, error), error))
    {
      g_prefix_error (error, "sqlite %s: updating trial %" G_GINT64_FORMAT ": ",
                      display_file (self), number);
      return FALSE;
    }
  return TRUE;
}

static gboolean
release_trial (VernierSqliteStorage  *self,
               guint                  worker,
               guint                  number,
               GError               **error)
{
  g_autoptr(Statement) stmt = use_statement (self, STMT_GET);
  g_autoptr(JsonObject) record = NULL;
  Row row;

  if (!get_row (self, stmt, number, &row, error))
    return FALSE;
  if (!row.found || !row.running || row.worker != worker)
    return TRUE;
  record = column_record (self, stmt, 3, number, error);
  if (record == NULL)
    return FALSE;
  sqlite3_reset (stmt);

  json_object_set_string_member (record, "state", "waiting");
  json_object_remove_member (record, "start");
  json_object_remove_member (record, "worker");
  return write_record (self, STMT_REPLACE, number, record, error);
}

static gboolean
vernier_sqlite_storage_release (VernierStorage  *storage,
                                guint            worker,
                                guint            number,
                                GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);

  if (not_open (self, error) ||
      !transaction_begin (self, error) ||
      !transaction_end (self, release_trial (self, worker, number, error), error))
    {
      g_prefix_error (error, "sqlite %s: releasing trial %u: ", display_file (self), number);
      return FALSE;
    }
  return TRUE;
}

static gboolean
vernier_sqlite_storage_heartbeat (VernierStorage  *storage,
                                  guint            worker,
                                  GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  gboolean ok;

  ok = !not_open (self, error) && transaction_begin (self, error);
  if (ok)
    {
      g_autoptr(Statement) stmt = use_statement (self, STMT_HEARTBEAT);

      /* Strictly increasing, even if the clock steps back: take_over()
       * compares heartbeats to know that the worker did not come back. */
      sqlite3_bind_int64 (stmt, 2, worker);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
      ok = run_statement (self, stmt, error);
      if (ok && sqlite3_changes (self->db) == 0)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "worker %u is not registered for this study", worker);
          ok = FALSE;
        }
      ok = transaction_end (self, ok, error);
    }
  if (!ok)
    g_prefix_error (error, "sqlite %s: heartbeat of worker %u: ", display_file (self), worker);
  return ok;
}

static JsonArray *
vernier_sqlite_storage_list_running (VernierStorage  *storage,
                                     GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  g_autoptr(JsonArray) running = NULL;
  int rc = SQLITE_DONE;

  if (!not_open (self, error))
    {
      g_autoptr(Statement) stmt = use_statement (self, STMT_LIST_RUNNING);

      running = json_array_new ();
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          JsonObject *entry = json_object_new ();

          json_object_set_int_member (entry, "number", sqlite3_column_int64 (stmt, 0));
          json_object_set_int_member (entry, "worker", sqlite3_column_int64 (stmt, 1));
          if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
            {
              json_object_set_string_member (entry, "host",
                                             (const gchar *) sqlite3_column_text (stmt, 2));
              json_object_set_int_member (entry, "pid", sqlite3_column_int64 (stmt, 3));
              json_object_set_int_member (entry, "heartbeat", sqlite3_column_int64 (stmt, 4));
            }
          json_array_add_object_element (running, entry);
        }
      if (rc != SQLITE_DONE)
        {
          set_sql_error (self, rc, error);
          g_clear_pointer (&running, json_array_unref);
        }
    }
  if (running == NULL)
    g_prefix_error (error, "sqlite %s: listing the running trials: ", display_file (self));
  return g_steal_pointer (&running);
}

static gboolean
take_over_trial (VernierSqliteStorage  *self,
                 guint                  number,
                 gint64                 heartbeat,
                 const gchar           *message,
                 gboolean               retry,
                 gboolean              *taken,
                 GError               **error)
{
  g_autoptr(Statement) stmt = use_statement (self, STMT_GET);
  g_autoptr(JsonObject) record = NULL;
  JsonNode *params;
  gint64 again;
  Row row;

  *taken = FALSE;
  if (!get_row (self, stmt, number, &row, error))
    return FALSE;
  if (!row.found || !row.running || row.heartbeat != heartbeat)
    return TRUE;
  record = column_record (self, stmt, 3, number, error);
  if (record == NULL)
    return FALSE;
  sqlite3_reset (stmt);

  vernier_storage_record_mark_lost (record, message);
  if (!write_record (self, STMT_REPLACE, number, record, error))
    return FALSE;

  params = json_object_get_member (record, "params");
  if (retry && params != NULL && JSON_NODE_HOLDS_OBJECT (params) &&
      !insert_waiting (self, json_node_get_object (params), number, &again, error))
    return FALSE;
  *taken = TRUE;
  return TRUE;
}

static gboolean
vernier_sqlite_storage_take_over (VernierStorage  *storage,
                                  guint            number,
                                  gint64           heartbeat,
                                  const gchar     *message,
                                  gboolean         retry,
                                  GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  gboolean taken = FALSE;

  if (not_open (self, error) ||
      !transaction_begin (self, error) ||
      !transaction_end (self,
                        take_over_trial (self, number, heartbeat, message, retry, &taken, error),
                        error))
    {
      g_prefix_error (error, "sqlite %s: taking over trial %u: ", display_file (self), number);
      return FALSE;
    }
  return taken;
}

static guint
vernier_sqlite_storage_enqueue (VernierStorage  *storage,
                                JsonObject      *params,
                                GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  gint64 number = -1;

  if (not_open (self, error) ||
      !transaction_begin (self, error) ||
      !transaction_end (self, insert_waiting (self, params, -1, &number, error), error))
    {
      g_prefix_error (error, "sqlite %s: enqueuing a trial: ", display_file (self));
      return G_MAXUINT;
    }
  return (guint) number;
}

static JsonArray *
vernier_sqlite_storage_finished_since (VernierStorage  *storage,
                                       guint            worker,
                                       guint            since,
                                       GError         **error)
{
  VernierSqliteStorage *self = VERNIER_SQLITE_STORAGE (storage);
  JsonArray *records = NULL;

  if (!not_open (self, error))
    {
      g_autoptr(Statement) stmt = use_statement (self, STMT_FINISHED_SINCE);

      sqlite3_bind_int64 (stmt, 2, since);
      sqlite3_bind_int64 (stmt, 3, worker);
      records = collect_records (self, stmt, error);
    }
  if (records == NULL)
    g_prefix_error (error, "sqlite %s: reading the trials finished since %u: ",
                    display_file (self), since);
  return records;
}

static gboolean
vernier_sqlite_storage_is_blocking (VernierStorage *storage)
{
  return TRUE;
}

static void
storage_iface_init (VernierStorageInterface *iface)
{
  iface->open = vernier_sqlite_storage_open;
  iface->add_worker = vernier_sqlite_storage_add_worker;
  iface->load = vernier_sqlite_storage_load;
  iface->claim = vernier_sqlite_storage_claim;
  iface->update = vernier_sqlite_storage_update;
  iface->release = vernier_sqlite_storage_release;
  iface->heartbeat = vernier_sqlite_storage_heartbeat;
  iface->list_running = vernier_sqlite_storage_list_running;
  iface->take_over = vernier_sqlite_storage_take_over;
  iface->enqueue = vernier_sqlite_storage_enqueue;
  iface->finished_since = vernier_sqlite_storage_finished_since;
  iface->is_blocking = vernier_sqlite_storage_is_blocking;
}

/* Plugin */

static gboolean
sqlite_plugin_register (GTypeModule  *module,
                        GError      **error)
{
  vernier_sqlite_storage_register_type (module);
  vernier_plugin_provide (module, "sqlite", VERNIER_TYPE_SQLITE_STORAGE);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("sqlite",
                       "Keeps the study in a SQLite database file, shared safely by several processes",
                       sqlite_plugin_register)
