#include <stdarg.h>
#include <string.h>

#include <libpq-fe.h>

#include "vernier-postgresql-storage.h"

/**
 * VernierPostgresqlStorage:
 *
 * A #VernierStorage in a PostgreSQL database, for studies shared by
 * workers on many machines. The tables live in one schema (`vernier` by
 * default), created on first use:
 *
 * - `meta (key, value)`: the schema version under `schema-version`;
 * - `studies (id, name, description, created)`;
 * - `workers (id, study, host, pid, heartbeat)`, the heartbeat in
 *   microseconds since the Unix epoch;
 * - `trials (study, number, state, key, worker, lost, record)`: `record` is
 *   the trial's whole JSON record and the source of truth; the other
 *   columns repeat what the queries search on.
 *
 * Every method is one transaction (or one statement), and statements are
 * prepared once per connection; a claim is two round trips to the server,
 * an update one. When the connection is lost, the method reconnects once
 * and runs again, unless its transaction may have committed already and
 * running it again could do it twice: then it fails and says so.
 */

/* What went wrong in the last statement, for deciding whether to retry. */
typedef enum {
  FAILURE_NONE,
  /* Nothing of the transaction committed: safe to run it again. */
  FAILURE_RETRY,
  /* The connection was lost while committing: it may have committed. */
  FAILURE_UNCERTAIN,
  /* Anything else: an error to report. */
  FAILURE_FATAL,
} Failure;

typedef enum {
  STMT_LOCK_STUDY,
  STMT_CLAIM_STATE,
  STMT_DEQUEUE,
  STMT_NEXT_NUMBER,
  STMT_INSERT_TRIAL,
  STMT_UPDATE,
  STMT_TRIAL_STATE,
  STMT_LOCK_RUNNING,
  STMT_WORKER_HEARTBEAT,
  STMT_SET_RECORD,
  STMT_ADD_WORKER,
  STMT_HEARTBEAT,
  STMT_LOAD,
  STMT_LIST_RUNNING,
  STMT_FINISHED_SINCE,
  N_STATEMENTS
} Statement;

/* "{schema}" stands for the quoted name of the schema. */
static const struct {
  const gchar *name;
  gint         n_params;
  const gchar *sql;
} statements[N_STATEMENTS] = {
  [STMT_LOCK_STUDY] = { "vernier_lock_study", 1,
    "SELECT id FROM {schema}.studies WHERE id = $1 FOR NO KEY UPDATE" },
  /* The budget count, the next number, the first WAITING trial and,
   * when $2 (a key) is not null, whether a live trial has that key. */
  [STMT_CLAIM_STATE] = { "vernier_claim_state", 2,
    "SELECT c.n, m.next, w.number, w.record,"
    "       $2::text IS NOT NULL AND EXISTS ("
    "         SELECT 1 FROM {schema}.trials d"
    "         WHERE d.study = $1 AND md5 (d.key) = md5 ($2::text)"
    "           AND d.key = $2::text AND NOT d.lost)"
    "  FROM (SELECT count(*) AS n FROM {schema}.trials"
    "         WHERE study = $1 AND state <> 'waiting' AND NOT lost) c"
    "  CROSS JOIN (SELECT coalesce (max (number) + 1, 0) AS next"
    "                FROM {schema}.trials WHERE study = $1) m"
    "  LEFT JOIN LATERAL (SELECT number, record FROM {schema}.trials"
    "                      WHERE study = $1 AND state = 'waiting'"
    "                      ORDER BY number LIMIT 1"
    "                      FOR UPDATE SKIP LOCKED) w ON true" },
  [STMT_DEQUEUE] = { "vernier_dequeue", 4,
    "UPDATE {schema}.trials SET state = 'running', worker = $3, record = $4"
    " WHERE study = $1 AND number = $2 AND state = 'waiting'" },
  [STMT_NEXT_NUMBER] = { "vernier_next_number", 1,
    "SELECT coalesce (max (number) + 1, 0) FROM {schema}.trials WHERE study = $1" },
  [STMT_INSERT_TRIAL] = { "vernier_insert_trial", 7,
    "INSERT INTO {schema}.trials (study, number, state, key, worker, lost, record)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)" },
  /* Only the trial's worker may update it while it runs; writing the
   * record it already has is a no-op that succeeds, so that an update
   * whose commit was not acknowledged can run again. */
  [STMT_UPDATE] = { "vernier_update", 7,
    "UPDATE {schema}.trials SET state = $4, key = $5, worker = $3, lost = $6, record = $7"
    " WHERE study = $1 AND number = $2"
    "   AND ((state = 'running' AND worker = $3) OR record = $7)" },
  [STMT_TRIAL_STATE] = { "vernier_trial_state", 2,
    "SELECT state, worker, lost FROM {schema}.trials WHERE study = $1 AND number = $2" },
  [STMT_LOCK_RUNNING] = { "vernier_lock_running", 2,
    "SELECT worker, record FROM {schema}.trials"
    " WHERE study = $1 AND number = $2 AND state = 'running' FOR UPDATE" },
  /* FOR SHARE: a heartbeat of the worker waits until the take-over is
   * decided, and one that committed meanwhile is what this returns. */
  [STMT_WORKER_HEARTBEAT] = { "vernier_worker_heartbeat", 2,
    "SELECT heartbeat FROM {schema}.workers WHERE study = $1 AND id = $2 FOR SHARE" },
  [STMT_SET_RECORD] = { "vernier_set_record", 6,
    "UPDATE {schema}.trials SET state = $3, worker = $4, lost = $5, record = $6"
    " WHERE study = $1 AND number = $2" },
  [STMT_ADD_WORKER] = { "vernier_add_worker", 4,
    "INSERT INTO {schema}.workers (study, host, pid, heartbeat)"
    " VALUES ($1, $2, $3, $4) RETURNING id" },
  [STMT_HEARTBEAT] = { "vernier_heartbeat", 3,
    "UPDATE {schema}.workers SET heartbeat = $3 WHERE study = $1 AND id = $2" },
  [STMT_LOAD] = { "vernier_load", 1,
    "SELECT record FROM {schema}.trials WHERE study = $1 ORDER BY number" },
  [STMT_LIST_RUNNING] = { "vernier_list_running", 1,
    "SELECT t.number, t.worker, w.host, w.pid, w.heartbeat"
    "  FROM {schema}.trials t"
    "  LEFT JOIN {schema}.workers w ON w.id = t.worker AND w.study = t.study"
    " WHERE t.study = $1 AND t.state = 'running' ORDER BY t.number" },
  [STMT_FINISHED_SINCE] = { "vernier_finished_since", 3,
    "SELECT record FROM {schema}.trials"
    " WHERE study = $1 AND number >= $2"
    "   AND state NOT IN ('waiting', 'running')"
    "   AND worker IS DISTINCT FROM $3"
    " ORDER BY number" },
};

/* The tables, created in one transaction with the schema version, so that
 * a schema with a `meta` table is complete. */
static const gchar schema_sql[] =
  "CREATE TABLE {schema}.meta ("
  "  key text PRIMARY KEY,"
  "  value text NOT NULL);"
  "CREATE TABLE {schema}.studies ("
  "  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  name text NOT NULL UNIQUE,"
  "  description text NOT NULL,"
  "  created timestamptz NOT NULL DEFAULT now ());"
  "CREATE TABLE {schema}.workers ("
  "  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
  "  study integer NOT NULL REFERENCES {schema}.studies ON DELETE CASCADE,"
  "  host text NOT NULL,"
  "  pid bigint NOT NULL,"
  "  heartbeat bigint NOT NULL);"
  "CREATE TABLE {schema}.trials ("
  "  study integer NOT NULL REFERENCES {schema}.studies ON DELETE CASCADE,"
  "  number integer NOT NULL,"
  "  state text NOT NULL,"
  "  key text NOT NULL,"
  "  worker integer,"
  "  lost boolean NOT NULL DEFAULT false,"
  "  record text NOT NULL,"
  "  PRIMARY KEY (study, number));"
  /* The claim (the first WAITING trial) and list_running. */
  "CREATE INDEX trials_state ON {schema}.trials (study, state, number);"
  /* The budget: the trials that count. */
  "CREATE INDEX trials_counted ON {schema}.trials (study)"
  "  WHERE state <> 'waiting' AND NOT lost;"
  /* Duplicates; by digest, since a key may be longer than an index entry. */
  "CREATE INDEX trials_key ON {schema}.trials (study, md5 (key)) WHERE NOT lost;"
  /* finished_since. */
  "CREATE INDEX trials_finished ON {schema}.trials (study, number)"
  "  WHERE state NOT IN ('waiting', 'running');";

/* Two keys of pg_advisory_xact_lock(): "vern" and a hash of the schema. */
#define SCHEMA_LOCK_KEY "1986359918"

/* See ensure_connected(). */
#define IDLE_IN_TRANSACTION_TIMEOUT "60s"

#define RECONNECTS_MAX 1
#define ATTEMPTS_MAX   4

struct _VernierPostgresqlStorage
{
  GObject parent_instance;

  gchar    *uri;
  gint64    connect_timeout;
  gchar    *schema;

  PGconn   *conn;
  gchar    *server;     /* host:port/dbname, for messages */
  gchar    *quoted_schema;
  gboolean  prepared[N_STATEMENTS];
  gchar    *study_name;
  gint64    study;      /* the opened study's id, 0 before open */

  /* The call in progress */
  const gchar *doing;
  Failure      failure;
  gboolean     committing;
  gboolean     lost;        /* the connection is to be dropped */
};

enum {
  PROP_0,
  PROP_URI,
  PROP_CONNECT_TIMEOUT,
  PROP_SCHEMA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void storage_iface_init (VernierStorageInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierPostgresqlStorage, vernier_postgresql_storage,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_STORAGE,
                                                               storage_iface_init))

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

static void
vernier_postgresql_storage_finalize (GObject *object)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (object);

  g_clear_pointer (&self->conn, PQfinish);
  g_free (self->uri);
  g_free (self->schema);
  g_free (self->server);
  g_free (self->quoted_schema);
  g_free (self->study_name);

  G_OBJECT_CLASS (vernier_postgresql_storage_parent_class)->finalize (object);
}

static void
vernier_postgresql_storage_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_int64 (value, self->connect_timeout);
      break;
    case PROP_SCHEMA:
      g_value_set_string (value, self->schema);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_postgresql_storage_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_free (self->uri);
      self->uri = g_value_dup_string (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      self->connect_timeout = g_value_get_int64 (value);
      break;
    case PROP_SCHEMA:
      g_free (self->schema);
      self->schema = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_postgresql_storage_class_init (VernierPostgresqlStorageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_postgresql_storage_finalize;
  object_class->get_property = vernier_postgresql_storage_get_property;
  object_class->set_property = vernier_postgresql_storage_set_property;

  /**
   * VernierPostgresqlStorage:uri:
   *
   * The server and database, as a libpq connection URI
   * (`postgresql://user@host:port/dbname`) or `key=value` string. Empty,
   * libpq's defaults apply: the `PGHOST`, `PGPORT`, `PGDATABASE`,
   * `PGUSER`… environment variables, and the password from `PGPASSWORD`
   * or `~/.pgpass`.
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", "URI",
                         "Server and database as a libpq connection URI, "
                         "postgresql://user@host:port/dbname (empty: the "
                         "PG* environment variables and libpq's defaults)",
                         "",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * VernierPostgresqlStorage:connect-timeout:
   *
   * How long to wait for the server when connecting (in whole seconds; 0
   * waits forever). It also bounds how long sent data may stay
   * unacknowledged on a TCP connection before the server is given up for
   * lost. A `connect_timeout` in #VernierPostgresqlStorage:uri wins.
   */
  properties[PROP_CONNECT_TIMEOUT] =
    vernier_param_spec_duration ("connect-timeout", "Connect timeout",
                                 "How long to wait for the server when "
                                 "connecting, rounded up to whole seconds "
                                 "(0: forever)",
                                 0, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC, 10 * G_USEC_PER_SEC,
                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * VernierPostgresqlStorage:schema:
   *
   * The database schema that holds Vernier's tables, created with them
   * when missing. Studies of one schema are told apart by name.
   */
  properties[PROP_SCHEMA] =
    g_param_spec_string ("schema", "Schema",
                         "Database schema holding the tables (created when "
                         "missing)",
                         "vernier",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_postgresql_storage_class_finalize (VernierPostgresqlStorageClass *klass)
{
}

static void
vernier_postgresql_storage_init (VernierPostgresqlStorage *self)
{
  self->uri = g_strdup ("");
  self->connect_timeout = 10 * G_USEC_PER_SEC;
  self->schema = g_strdup ("vernier");
}

/* Errors */

static void
set_error (VernierPostgresqlStorage  *self,
           GError                   **error,
           const gchar               *format,
           ...) G_GNUC_PRINTF (3, 4);

/* An error naming the server, never with its password. */
static void
set_error (VernierPostgresqlStorage  *self,
           GError                   **error,
           const gchar               *format,
           ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE, "postgresql %s: %s",
               self->server != NULL ? self->server : "(not connected)", message);
}

/* libpq's messages end with a newline and may span indented lines. */
static gchar *
one_line (const gchar *text)
{
  GString *line = g_string_new (NULL);

  if (text == NULL || *text == '\0')
    text = "unknown error";
  for (const gchar *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        g_string_append_c (line, *p);
      else if (line->len > 0 && line->str[line->len - 1] != ' ')
        g_string_append_c (line, ' ');
    }
  if (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static gchar *
describe_server (PGconn *conn)
{
  const gchar *host = PQhost (conn);
  const gchar *port = PQport (conn);
  const gchar *db = PQdb (conn);

  return g_strdup_printf ("%s:%s/%s",
                          host != NULL && *host != '\0' ? host : "localhost",
                          port != NULL && *port != '\0' ? port : "5432",
                          db != NULL ? db : "");
}

static gchar *
quote_identifier (const gchar *name)
{
  GString *quoted = g_string_new ("\"");

  for (const gchar *p = name; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (quoted, '"');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');
  return g_string_free (quoted, FALSE);
}

static gchar *
with_schema (VernierPostgresqlStorage *self,
             const gchar              *sql)
{
  GString *text = g_string_new (sql);

  g_string_replace (text, "{schema}", self->quoted_schema, 0);
  return g_string_free (text, FALSE);
}

/* Connection */

static void
notice_receiver (void           *data,
                 const PGresult *result)
{
  g_autofree gchar *message = one_line (PQresultErrorMessage (result));

  g_debug ("%s", message);
}

static gboolean
ensure_connected (VernierPostgresqlStorage  *self,
                  GError                   **error)
{
  const gchar *keywords[12];
  const gchar *values[12];
  g_autofree gchar *timeout = NULL;
  g_autofree gchar *timeout_ms = NULL;
  gint64 seconds;
  guint n = 0;
  PGconn *conn;

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;

  g_clear_pointer (&self->conn, PQfinish);
  memset (self->prepared, 0, sizeof self->prepared);

  /* Ours first: what the URI says comes later and wins. */
  seconds = (self->connect_timeout + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  timeout = g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
  keywords[n] = "connect_timeout", values[n++] = timeout;
  if (seconds > 0)
    {
      timeout_ms = g_strdup_printf ("%" G_GINT64_FORMAT, seconds * 1000);
      keywords[n] = "tcp_user_timeout", values[n++] = timeout_ms;
      keywords[n] = "keepalives_idle", values[n++] = timeout;
      keywords[n] = "keepalives_interval", values[n++] = timeout;
    }
  keywords[n] = "fallback_application_name", values[n++] = "vernier";
  /* A transaction stays open between two round trips at most; one left
   * open longer is a client that vanished while holding the study's lock,
   * which the server would otherwise keep for as long as TCP takes to
   * notice (hours), stopping every other worker. */
  keywords[n] = "options", values[n++] = "-c idle_in_transaction_session_timeout="
                                         IDLE_IN_TRANSACTION_TIMEOUT;
  if (self->uri != NULL && *self->uri != '\0')
    keywords[n] = "dbname", values[n++] = self->uri;
  /* Records are UTF-8, whatever the URI asks. */
  keywords[n] = "client_encoding", values[n++] = "UTF8";
  keywords[n] = NULL, values[n] = NULL;

  conn = PQconnectdbParams (keywords, values, TRUE);
  if (conn == NULL)
    {
      set_error (self, error, "cannot connect: out of memory");
      return FALSE;
    }
  g_free (self->server);
  self->server = describe_server (conn);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree gchar *message = one_line (PQerrorMessage (conn));

      set_error (self, error, "cannot connect: %s", message);
      PQfinish (conn);
      return FALSE;
    }
  PQsetNoticeReceiver (conn, notice_receiver, NULL);
  self->conn = conn;
  return TRUE;
}

/* Statements */

static gboolean
check_result (VernierPostgresqlStorage  *self,
              PGresult                  *result,
              GError                   **error)
{
  ExecStatusType status = result != NULL ? PQresultStatus (result) : PGRES_FATAL_ERROR;
  const gchar *sqlstate;
  const gchar *primary;
  g_autofree gchar *message = NULL;

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return TRUE;

  sqlstate = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  primary = result != NULL ? PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  /* The connection is gone, or the server is ending it (class 08, or
   * shut down or restarting: 57P01-57P03). */
  if (PQstatus (self->conn) == CONNECTION_BAD ||
      (sqlstate != NULL && (g_str_has_prefix (sqlstate, "08") ||
                            g_str_equal (sqlstate, "57P01") ||
                            g_str_equal (sqlstate, "57P02") ||
                            g_str_equal (sqlstate, "57P03"))))
    {
      self->lost = TRUE;
      self->failure = self->committing ? FAILURE_UNCERTAIN : FAILURE_RETRY;
    }
  else if (g_strcmp0 (sqlstate, "40001") == 0 || g_strcmp0 (sqlstate, "40P01") == 0)
    /* A serialization failure or a deadlock rolled the transaction
     * back, even at its commit. */
    self->failure = FAILURE_RETRY;
  else
    self->failure = FAILURE_FATAL;

  message = one_line (primary != NULL ? primary
                      : result != NULL && *PQresultErrorMessage (result) != '\0'
                      ? PQresultErrorMessage (result)
                      : PQerrorMessage (self->conn));
  if (self->failure == FAILURE_UNCERTAIN)
    set_error (self, error, "%s: the connection was lost while committing, so whether "
               "it was recorded is unknown: %s", self->doing, message);
  else
    set_error (self, error, "%s: %s", self->doing, message);
  return FALSE;
}

static gboolean
exec_simple (VernierPostgresqlStorage  *self,
             const gchar               *sql,
             GError                   **error)
{
  g_autoptr(PGresult) result = PQexec (self->conn, sql);

  return check_result (self, result, error);
}

/* Runs a one-off statement with parameters (opening the store). */
static PGresult *
exec_params (VernierPostgresqlStorage  *self,
             const gchar               *sql,
             gint                       n_values,
             const gchar * const       *values,
             GError                   **error)
{
  g_autofree gchar *text = with_schema (self, sql);
  g_autoptr(PGresult) result = PQexecParams (self->conn, text, n_values, NULL, values,
                                             NULL, NULL, 0);

  if (!check_result (self, result, error))
    return NULL;
  return g_steal_pointer (&result);
}

static gboolean
prepare (VernierPostgresqlStorage  *self,
         Statement                  stmt,
         GError                   **error)
{
  g_autofree gchar *sql = NULL;
  g_autoptr(PGresult) result = NULL;

  if (self->prepared[stmt])
    return TRUE;
  sql = with_schema (self, statements[stmt].sql);
  result = PQprepare (self->conn, statements[stmt].name, sql, statements[stmt].n_params, NULL);
  if (!check_result (self, result, error))
    return FALSE;
  self->prepared[stmt] = TRUE;
  return TRUE;
}

static PGresult *
execute (VernierPostgresqlStorage  *self,
         Statement                  stmt,
         gint                       n_values,
         const gchar * const       *values,
         GError                   **error)
{
  g_autoptr(PGresult) result = NULL;

  g_assert (n_values == statements[stmt].n_params);

  if (!prepare (self, stmt, error))
    return NULL;

  /* Outside a transaction, the statement commits itself. */
  self->committing = PQtransactionStatus (self->conn) == PQTRANS_IDLE;
  result = PQexecPrepared (self->conn, statements[stmt].name, n_values, values,
                           NULL, NULL, 0);
  if (!check_result (self, result, error))
    return NULL;
  self->committing = FALSE;
  return g_steal_pointer (&result);
}

/* One statement of a batch: a prepared one, or @sql without parameters
 * when @stmt is N_STATEMENTS. */
typedef struct {
  Statement            stmt;
  const gchar         *sql;
  gint                 n_values;
  const gchar * const *values;
} Query;

#define BATCH_MAX 4

/* Sends @queries at once (libpq's pipeline mode) and reads their results:
 * one round trip to the server instead of one per statement. Statements
 * after one that failed do not run. @commits says whether the batch ends
 * the transaction, for what a lost connection means. Returns the results
 * in @results, or %FALSE with @error set from the first that failed. */
static gboolean
execute_batch (VernierPostgresqlStorage  *self,
               const Query               *queries,
               guint                      n_queries,
               gboolean                   commits,
               PGresult                 **results,
               GError                   **error)
{
  g_autoptr(GError) first_error = NULL;
  g_autoptr(PGresult) sync = NULL;
  guint n_sent = 0;

  g_assert (n_queries <= BATCH_MAX);
  memset (results, 0, n_queries * sizeof *results);

  for (guint i = 0; i < n_queries; i++)
    if (queries[i].stmt != N_STATEMENTS && !prepare (self, queries[i].stmt, error))
      return FALSE;

  if (!PQenterPipelineMode (self->conn))
    return check_result (self, NULL, error);

  self->committing = commits;
  for (; n_sent < n_queries; n_sent++)
    {
      const Query *query = &queries[n_sent];
      int sent;

      if (query->stmt != N_STATEMENTS)
        {
          g_assert (query->n_values == statements[query->stmt].n_params);
          sent = PQsendQueryPrepared (self->conn, statements[query->stmt].name,
                                      query->n_values, query->values, NULL, NULL, 0);
        }
      else
        sent = PQsendQueryParams (self->conn, query->sql, 0, NULL, NULL, NULL, NULL, 0);
      if (!sent)
        break;
    }
  if (n_sent < n_queries || !PQpipelineSync (self->conn))
    {
      /* Nothing can be read back from a connection that failed to send. */
      check_result (self, NULL, error);
      PQexitPipelineMode (self->conn);
      return FALSE;
    }

  for (guint i = 0; i < n_queries && PQstatus (self->conn) != CONNECTION_BAD; i++)
    {
      PGresult *result = PQgetResult (self->conn);
      PGresult *end;

      /* After the first error, the others were not run (aborted): the
       * first says what went wrong. */
      if (first_error != NULL)
        PQclear (result);
      else if (check_result (self, result, &first_error))
        results[i] = result;
      else
        PQclear (result);
      /* Each statement's results end with NULL. */
      if (result != NULL)
        while ((end = PQgetResult (self->conn)) != NULL)
          PQclear (end);
    }

  if (PQstatus (self->conn) == CONNECTION_BAD)
    {
      if (first_error == NULL)
        check_result (self, NULL, &first_error);
    }
  else
    {
      sync = PQgetResult (self->conn);
      if (PQresultStatus (sync) != PGRES_PIPELINE_SYNC && first_error == NULL)
        check_result (self, sync, &first_error);
      PQexitPipelineMode (self->conn);
    }

  if (first_error != NULL)
    {
      for (guint i = 0; i < n_queries; i++)
        g_clear_pointer (&results[i], PQclear);
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  self->committing = FALSE;
  return TRUE;
}

/* READ COMMITTED whatever the server's default: the claim relies on each
 * statement seeing what committed before it started. */
#define BEGIN_SQL "BEGIN ISOLATION LEVEL READ COMMITTED"

static gboolean
begin (VernierPostgresqlStorage  *self,
       GError                   **error)
{
  return exec_simple (self, BEGIN_SQL, error);
}

static gboolean
commit (VernierPostgresqlStorage  *self,
        GError                   **error)
{
  gboolean ok;

  self->committing = TRUE;
  ok = exec_simple (self, "COMMIT", error);
  self->committing = FALSE;
  return ok;
}

static gboolean
rollback (VernierPostgresqlStorage  *self,
          GError                   **error)
{
  return exec_simple (self, "ROLLBACK", error);
}

static gint64
get_int (PGresult *result,
         gint      row,
         gint      column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static gboolean
get_bool (PGresult *result,
          gint      row,
          gint      column)
{
  return PQgetvalue (result, row, column)[0] == 't';
}

static gboolean
affected_one (PGresult *result)
{
  return g_strcmp0 (PQcmdTuples (result), "1") == 0;
}

static gboolean
check_study_locked (VernierPostgresqlStorage  *self,
                    PGresult                  *locked,
                    GError                   **error)
{
  if (PQntuples (locked) == 1)
    return TRUE;
  self->failure = FAILURE_FATAL;
  set_error (self, error, "%s: study '%s' was deleted", self->doing, self->study_name);
  return FALSE;
}

/* Begins a transaction that holds the study's row locked until it ends:
 * see claim_method(). */
static gboolean
begin_locked (VernierPostgresqlStorage  *self,
              const gchar               *study,
              GError                   **error)
{
  const gchar *values[] = { study };
  const Query queries[] = {
    { N_STATEMENTS, BEGIN_SQL, 0, NULL },
    { STMT_LOCK_STUDY, NULL, G_N_ELEMENTS (values), values },
  };
  PGresult *results[G_N_ELEMENTS (queries)];
  g_autoptr(PGresult) begun = NULL;
  g_autoptr(PGresult) locked = NULL;

  if (!execute_batch (self, queries, G_N_ELEMENTS (queries), FALSE, results, error))
    return FALSE;
  begun = results[0];
  locked = results[1];
  return check_study_locked (self, locked, error);
}

/* Records */

static gchar *
record_text (JsonObject *record)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, record);
  return vernier_json_to_string (node, FALSE);
}

static JsonObject *
parse_record (VernierPostgresqlStorage  *self,
              PGresult                  *result,
              gint                       row,
              gint                       column,
              GError                   **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, PQgetvalue (result, row, column), -1, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      self->failure = FAILURE_FATAL;
      set_error (self, error, "%s: a trial record of study '%s' is not a JSON object%s%s",
                 self->doing, self->study_name,
                 local_error != NULL ? ": " : "",
                 local_error != NULL ? local_error->message : "");
      return NULL;
    }
  return json_node_dup_object (root);
}

static JsonArray *
records_of (VernierPostgresqlStorage  *self,
            PGresult                  *result,
            GError                   **error)
{
  gint n = PQntuples (result);
  g_autoptr(JsonArray) records = json_array_sized_new (n);

  for (gint i = 0; i < n; i++)
    {
      JsonObject *record = parse_record (self, result, i, 0, error);

      if (record == NULL)
        return NULL;
      json_array_add_object_element (records, record);
    }
  return g_steal_pointer (&records);
}

/* The record's parameters, or NULL when it has none. */
static JsonObject *
record_params (JsonObject *record)
{
  JsonNode *node = json_object_get_member (record, "params");

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}



/* Calls: every method runs through call(), which connects, retries what
 * is safe to retry and cleans up a transaction left open by an error. */

typedef gboolean (*Method) (VernierPostgresqlStorage  *self,
                            gpointer                   data,
                            GError                   **error);

static gboolean open_method (VernierPostgresqlStorage  *self,
                             gpointer                   data,
                             GError                   **error);

static gboolean
call (VernierPostgresqlStorage  *self,
      const gchar               *doing,
      gboolean                   idempotent,
      Method                     method,
      gpointer                   data,
      GError                   **error)
{
  guint reconnects = 0;

  if (self->study == 0 && method != open_method)
    {
      set_error (self, error, "%s: the study is not open", doing);
      return FALSE;
    }

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      Failure failure;
      gboolean retry;

      if (!ensure_connected (self, error))
        return FALSE;

      self->doing = doing;
      self->failure = FAILURE_NONE;
      self->committing = FALSE;
      self->lost = FALSE;
      if (method (self, data, &local_error))
        return TRUE;

      failure = self->failure != FAILURE_NONE ? self->failure : FAILURE_FATAL;
      /* A connection lost, or left in a state we cannot be sure of, is
       * dropped: the next attempt or call connects again. */
      if (self->lost || PQstatus (self->conn) != CONNECTION_OK ||
          PQpipelineStatus (self->conn) != PQ_PIPELINE_OFF)
        g_clear_pointer (&self->conn, PQfinish);
      else if (PQtransactionStatus (self->conn) != PQTRANS_IDLE &&
               !rollback (self, NULL))
        g_clear_pointer (&self->conn, PQfinish);

      retry = failure == FAILURE_RETRY || (failure == FAILURE_UNCERTAIN && idempotent);
      if (retry && self->lost)
        retry = reconnects++ < RECONNECTS_MAX;
      if (retry && attempt < ATTEMPTS_MAX)
        {
          g_debug ("%s; trying again", local_error->message);
          continue;
        }

      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
}

/* open */

typedef struct {
  const gchar *description;
  gboolean     create;
  gint64       study;
  gchar       *stored_description;
} OpenCall;

static gboolean
create_schema (VernierPostgresqlStorage  *self,
               GError                   **error)
{
  const gchar *values[] = { self->schema };
  g_autoptr(PGresult) exists = NULL;
  g_autofree gchar *tables = NULL;

  /* CREATE SCHEMA IF NOT EXISTS needs the right to create schemas even
   * when the schema exists: ask first. */
  exists = exec_params (self, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
                        G_N_ELEMENTS (values), values, error);
  if (exists == NULL)
    return FALSE;
  if (PQntuples (exists) == 0)
    {
      g_autofree gchar *sql = with_schema (self, "CREATE SCHEMA {schema}");

      if (!exec_simple (self, sql, error))
        return FALSE;
    }

  tables = with_schema (self, schema_sql);
  if (!exec_simple (self, tables, error))
    return FALSE;

  {
    g_autofree gchar *version = g_strdup_printf ("%d", VERNIER_STORAGE_SCHEMA_VERSION);
    const gchar *meta[] = { version };
    g_autoptr(PGresult) inserted =
      exec_params (self, "INSERT INTO {schema}.meta (key, value) VALUES ('schema-version', $1)",
                   G_N_ELEMENTS (meta), meta, error);

    return inserted != NULL;
  }
}

static gboolean
check_version (VernierPostgresqlStorage  *self,
               GError                   **error)
{
  g_autoptr(PGresult) result =
    exec_params (self, "SELECT value FROM {schema}.meta WHERE key = 'schema-version'",
                 0, NULL, error);
  gint64 version;
  gchar *end = NULL;

  if (result == NULL)
    return FALSE;
  if (PQntuples (result) != 1)
    {
      set_error (self, error, "%s: schema \"%s\" has no schema version in its meta table",
                 self->doing, self->schema);
      return FALSE;
    }
  version = g_ascii_strtoll (PQgetvalue (result, 0, 0), &end, 10);
  if (end == PQgetvalue (result, 0, 0) || *end != '\0' || version < 1)
    {
      set_error (self, error, "%s: schema \"%s\" has an invalid schema version '%s'",
                 self->doing, self->schema, PQgetvalue (result, 0, 0));
      return FALSE;
    }
  if (version > VERNIER_STORAGE_SCHEMA_VERSION)
    {
      set_error (self, error, "schema \"%s\" was written by a newer Vernier "
                 "(schema %" G_GINT64_FORMAT ", this one knows up to %d)",
                 self->schema, version, VERNIER_STORAGE_SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_method (VernierPostgresqlStorage  *self,
             gpointer                   data,
             GError                   **error)
{
  OpenCall *call_data = data;
  g_autofree gchar *lock_name = g_strconcat ("vernier schema ", self->schema, NULL);
  const gchar *lock_values[] = { lock_name };
  const gchar *schema_values[] = { self->schema };
  const gchar *name_values[] = { self->study_name };
  g_autoptr(PGresult) locked = NULL;
  g_autoptr(PGresult) has_meta = NULL;
  g_autoptr(PGresult) study = NULL;

  if (!begin (self, error))
    return FALSE;

  /* Creating the schema is no transaction of its own in PostgreSQL's
   * eyes: two processes creating it at once would collide. */
  locked = exec_params (self, "SELECT pg_advisory_xact_lock (" SCHEMA_LOCK_KEY ", hashtext ($1))",
                        G_N_ELEMENTS (lock_values), lock_values, error);
  if (locked == NULL)
    return FALSE;

  has_meta = exec_params (self,
                          "SELECT 1 FROM pg_catalog.pg_class c"
                          "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                          " WHERE n.nspname = $1 AND c.relname = 'meta'",
                          G_N_ELEMENTS (schema_values), schema_values, error);
  if (has_meta == NULL)
    return FALSE;
  if (PQntuples (has_meta) == 0 && !create_schema (self, error))
    return FALSE;
  if (!check_version (self, error))
    return FALSE;

  study = exec_params (self, "SELECT id, description FROM {schema}.studies WHERE name = $1",
                       G_N_ELEMENTS (name_values), name_values, error);
  if (study == NULL)
    return FALSE;
  if (PQntuples (study) == 0)
    {
      const gchar *values[] = { self->study_name, call_data->description };

      if (!call_data->create)
        {
          set_error (self, error, "no study '%s' in schema \"%s\"",
                     self->study_name, self->schema);
          return FALSE;
        }
      g_clear_pointer (&study, PQclear);
      study = exec_params (self,
                           "INSERT INTO {schema}.studies (name, description)"
                           " VALUES ($1, $2) RETURNING id, description",
                           G_N_ELEMENTS (values), values, error);
      if (study == NULL)
        return FALSE;
    }

  if (!commit (self, error))
    return FALSE;

  call_data->study = get_int (study, 0, 0);
  g_free (call_data->stored_description);
  call_data->stored_description = g_strdup (PQgetvalue (study, 0, 1));
  return TRUE;
}

static gboolean
postgresql_open (VernierStorage  *storage,
                 VernierContext  *context,
                 const gchar     *description,
                 gboolean         create,
                 gchar          **stored_description,
                 GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  OpenCall data = { description, create, 0, NULL };

  if (self->schema == NULL || *self->schema == '\0')
    {
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                           "postgresql storage: the property “schema” is empty "
                           "(the database schema to keep the tables in)");
      return FALSE;
    }
  /* PostgreSQL would cut a longer name short: another schema. */
  if (strlen (self->schema) > 63)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "postgresql storage: the schema name “%s” is longer than "
                   "PostgreSQL's 63 bytes", self->schema);
      return FALSE;
    }

  self->study = 0;
  g_free (self->quoted_schema);
  self->quoted_schema = quote_identifier (self->schema);
  g_free (self->study_name);
  self->study_name = g_strdup (vernier_context_get_study_name (context));
  /* Statements prepared for another schema are stale: a new connection. */
  g_clear_pointer (&self->conn, PQfinish);

  if (!call (self, "opening the study", TRUE, open_method, &data, error))
    return FALSE;

  self->study = data.study;
  if (stored_description != NULL)
    *stored_description = g_steal_pointer (&data.stored_description);
  g_free (data.stored_description);
  return TRUE;
}

/* add_worker */

typedef struct {
  const gchar *host;
  gint64       pid;
  guint        id;
} AddWorkerCall;

static gboolean
add_worker_method (VernierPostgresqlStorage  *self,
                   gpointer                   data,
                   GError                   **error)
{
  AddWorkerCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  g_autofree gchar *pid = g_strdup_printf ("%" G_GINT64_FORMAT, call_data->pid);
  g_autofree gchar *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time ());
  const gchar *values[] = { study, call_data->host, pid, now };
  g_autoptr(PGresult) result = execute (self, STMT_ADD_WORKER, G_N_ELEMENTS (values),
                                        values, error);

  if (result == NULL)
    return FALSE;
  call_data->id = get_int (result, 0, 0);
  return TRUE;
}

static guint
postgresql_add_worker (VernierStorage  *storage,
                       const gchar     *host,
                       gint64           pid,
                       GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  AddWorkerCall data = { host, pid, 0 };

  /* Running it again at worst leaves a worker that never works. */
  if (!call (self, "registering a worker", TRUE, add_worker_method, &data, error))
    return 0;
  return data.id;
}

/* load */

typedef struct {
  JsonArray *records;
} RecordsCall;

static gboolean
load_method (VernierPostgresqlStorage  *self,
             gpointer                   data,
             GError                   **error)
{
  RecordsCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  const gchar *values[] = { study };
  g_autoptr(PGresult) result = execute (self, STMT_LOAD, G_N_ELEMENTS (values), values, error);

  if (result == NULL)
    return FALSE;
  call_data->records = records_of (self, result, error);
  return call_data->records != NULL;
}

static JsonArray *
postgresql_load (VernierStorage  *storage,
                 GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  RecordsCall data = { NULL };

  if (!call (self, "loading the trials", TRUE, load_method, &data, error))
    return NULL;
  return data.records;
}

/* claim */

typedef struct {
  guint         worker;
  JsonObject   *proposal;
  gboolean      unique;
  guint         budget;
  VernierClaim  result;
  JsonObject   *record;
} ClaimCall;

/*
 * The claim is one READ COMMITTED transaction:
 *
 * 1. lock the study's row;
 * 2. in a new statement (hence a snapshot taken after the lock was
 *    granted, showing every claim that committed before): count the trials
 *    that count, find the next number, the first WAITING trial and a live
 *    duplicate of the proposal;
 * 3. turn the WAITING trial RUNNING, or insert the new trial;
 * 4. commit, which releases the lock.
 *
 * Steps 1 and 2 go to the server together, and so do 3 and 4: the lock is
 * held for one round trip between client and server.
 *
 * The study-row lock is what makes the budget and the numbers exact across
 * workers: every transaction that adds a trial or changes whether one
 * counts or waits (claim, release, take_over, enqueue) takes it first, so
 * they follow one another. Row locks on trials alone (FOR UPDATE SKIP
 * LOCKED) would keep two workers from dequeuing the same WAITING trial,
 * but not from both counting N-1 trials and both starting the N-th, nor
 * from both inserting number max+1, nor from both inserting one grid
 * point. The lock and the reading must be two statements: a statement
 * that waits for a row lock keeps the snapshot it started with, in which
 * the claim it waited for is not visible.
 */
/* Writes @query and commits, in one round trip. */
static gboolean
write_and_commit (VernierPostgresqlStorage  *self,
                  const Query               *query,
                  PGresult                 **written,
                  GError                   **error)
{
  const Query queries[] = { *query, { N_STATEMENTS, "COMMIT", 0, NULL } };
  PGresult *results[G_N_ELEMENTS (queries)];

  if (!execute_batch (self, queries, G_N_ELEMENTS (queries), TRUE, results, error))
    return FALSE;
  *written = results[0];
  PQclear (results[1]);
  return TRUE;
}

static gboolean
claim_method (VernierPostgresqlStorage  *self,
              gpointer                   data,
              GError                   **error)
{
  ClaimCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  g_autofree gchar *worker = g_strdup_printf ("%u", call_data->worker);
  g_autofree gchar *key = NULL;
  g_autoptr(PGresult) begun = NULL;
  g_autoptr(PGresult) locked = NULL;
  g_autoptr(PGresult) state = NULL;
  g_autoptr(PGresult) written = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree gchar *text = NULL;
  gint64 counted;

  g_clear_pointer (&call_data->record, json_object_unref);
  if (call_data->proposal != NULL)
    key = vernier_storage_record_key (call_data->proposal);

  /* Two round trips: begin, lock and read; then write and commit. */
  {
    const gchar *lock_values[] = { study };
    const gchar *state_values[] = { study, call_data->unique ? key : NULL };
    const Query queries[] = {
      { N_STATEMENTS, BEGIN_SQL, 0, NULL },
      { STMT_LOCK_STUDY, NULL, G_N_ELEMENTS (lock_values), lock_values },
      { STMT_CLAIM_STATE, NULL, G_N_ELEMENTS (state_values), state_values },
    };
    PGresult *results[G_N_ELEMENTS (queries)];

    if (!execute_batch (self, queries, G_N_ELEMENTS (queries), FALSE, results, error))
      return FALSE;
    begun = results[0];
    locked = results[1];
    state = results[2];
  }
  if (!check_study_locked (self, locked, error))
    return FALSE;

  counted = get_int (state, 0, 0);
  if (call_data->budget > 0 && counted >= call_data->budget)
    {
      call_data->result = VERNIER_CLAIM_SPENT;
      return rollback (self, error);
    }

  if (!PQgetisnull (state, 0, 2))
    {
      const gchar *number = PQgetvalue (state, 0, 2);

      record = parse_record (self, state, 0, 3, error);
      if (record == NULL)
        return FALSE;
      vernier_storage_record_mark_claimed (record, call_data->worker);
      text = record_text (record);

      {
        const gchar *values[] = { study, number, worker, text };
        const Query query = { STMT_DEQUEUE, NULL, G_N_ELEMENTS (values), values };

        if (!write_and_commit (self, &query, &written, error))
          return FALSE;
      }
      /* Only claims change a WAITING trial, and they wait for the lock. */
      if (!affected_one (written))
        {
          self->failure = FAILURE_FATAL;
          set_error (self, error, "%s: trial %s stopped waiting while the study was locked",
                     self->doing, number);
          return FALSE;
        }
      call_data->result = VERNIER_CLAIM_DEQUEUED;
    }
  else if (call_data->proposal == NULL)
    {
      call_data->result = VERNIER_CLAIM_EMPTY;
      return rollback (self, error);
    }
  else if (call_data->unique && get_bool (state, 0, 4))
    {
      call_data->result = VERNIER_CLAIM_DUPLICATE;
      return rollback (self, error);
    }
  else
    {
      const gchar *number = PQgetvalue (state, 0, 1);

      record = json_object_new ();
      json_object_set_int_member (record, "number", get_int (state, 0, 1));
      json_object_set_object_member (record, "params",
                                     vernier_json_object_copy (call_data->proposal));
      vernier_storage_record_mark_claimed (record, call_data->worker);
      text = record_text (record);

      {
        const gchar *values[] = { study, number, "running", key, worker, "f", text };
        const Query query = { STMT_INSERT_TRIAL, NULL, G_N_ELEMENTS (values), values };

        if (!write_and_commit (self, &query, &written, error))
          return FALSE;
      }
      call_data->result = VERNIER_CLAIM_STARTED;
    }

  call_data->record = g_steal_pointer (&record);
  return TRUE;
}

static VernierClaim
postgresql_claim (VernierStorage  *storage,
                  guint            worker,
                  JsonObject      *proposal,
                  gboolean         unique,
                  guint            budget,
                  JsonObject     **record,
                  GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  ClaimCall data = { worker, proposal, unique, budget, VERNIER_CLAIM_EMPTY, NULL };

  if (!call (self, "claiming a trial", FALSE, claim_method, &data, error))
    {
      g_clear_pointer (&data.record, json_object_unref);
      return VERNIER_CLAIM_EMPTY;
    }
  if (record != NULL)
    *record = g_steal_pointer (&data.record);
  g_clear_pointer (&data.record, json_object_unref);
  return data.result;
}

/* update */

typedef struct {
  guint       worker;
  gint64      number;
  const gchar *state;
  const gchar *key;
  gboolean    lost;
  const gchar *text;
} UpdateCall;

static gboolean
update_method (VernierPostgresqlStorage  *self,
               gpointer                   data,
               GError                   **error)
{
  UpdateCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  g_autofree gchar *number = g_strdup_printf ("%" G_GINT64_FORMAT, call_data->number);
  g_autofree gchar *worker = g_strdup_printf ("%u", call_data->worker);
  const gchar *values[] = { study, number, worker, call_data->state, call_data->key,
                            call_data->lost ? "t" : "f", call_data->text };
  const gchar *which[] = { study, number };
  g_autoptr(PGresult) updated = NULL;
  g_autoptr(PGresult) found = NULL;

  updated = execute (self, STMT_UPDATE, G_N_ELEMENTS (values), values, error);
  if (updated == NULL)
    return FALSE;
  if (affected_one (updated))
    return TRUE;

  /* Why not: for the message. */
  found = execute (self, STMT_TRIAL_STATE, G_N_ELEMENTS (which), which, error);
  if (found == NULL)
    return FALSE;
  self->failure = FAILURE_FATAL;
  if (PQntuples (found) == 0)
    set_error (self, error, "trial %s is not in study '%s'", number, self->study_name);
  else if (get_bool (found, 0, 2))
    set_error (self, error, "trial %s was taken over by another worker "
               "(worker %s was presumed dead): not updated", number, worker);
  else if (g_strcmp0 (PQgetvalue (found, 0, 0), "running") == 0)
    set_error (self, error, "trial %s is running for worker %s, not for worker %s: "
               "not updated", number, PQgetvalue (found, 0, 1), worker);
  else
    set_error (self, error, "trial %s is %s, not running for worker %s: not updated",
               number, PQgetvalue (found, 0, 0), worker);
  return FALSE;
}

static gboolean
postgresql_update (VernierStorage  *storage,
                   guint            worker,
                   JsonObject      *record,
                   GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  g_autoptr(JsonObject) copy = vernier_json_object_copy (record);
  JsonObject *params = record_params (copy);
  g_autofree gchar *key = NULL;
  g_autofree gchar *text = NULL;
  UpdateCall data = { worker, -1, NULL, NULL, FALSE, NULL };
  JsonNode *node;

  data.number = json_object_get_int_member_with_default (copy, "number", -1);
  if (data.number < 0 || data.number > G_MAXINT32 || params == NULL)
    {
      set_error (self, error, "updating a trial: the record has no valid 'number' and 'params'");
      return FALSE;
    }
  json_object_set_int_member (copy, "worker", worker);
  key = vernier_storage_record_key (params);
  text = record_text (copy);
  node = json_object_get_member (copy, "state");
  data.state = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
               json_node_get_value_type (node) == G_TYPE_STRING
               ? json_node_get_string (node) : "waiting";
  data.key = key;
  node = json_object_get_member (copy, "lost");
  data.lost = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
              json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
  data.text = text;

  /* Running it again writes the same record: see STMT_UPDATE. */
  return call (self, "updating a trial", TRUE, update_method, &data, error);
}

/* release */

typedef struct {
  guint worker;
  guint number;
} ReleaseCall;

static gboolean
release_method (VernierPostgresqlStorage  *self,
                gpointer                   data,
                GError                   **error)
{
  ReleaseCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  g_autofree gchar *number = g_strdup_printf ("%u", call_data->number);
  const gchar *which[] = { study, number };
  g_autoptr(PGresult) running = NULL;
  g_autoptr(PGresult) updated = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree gchar *text = NULL;

  /* The study lock: a RUNNING trial counts, a WAITING one does not. */
  if (!begin_locked (self, study, error))
    return FALSE;
  running = execute (self, STMT_LOCK_RUNNING, G_N_ELEMENTS (which), which, error);
  if (running == NULL)
    return FALSE;
  if (PQntuples (running) == 0 || PQgetisnull (running, 0, 0) ||
      get_int (running, 0, 0) != call_data->worker)
    return rollback (self, error);

  record = parse_record (self, running, 0, 1, error);
  if (record == NULL)
    return FALSE;
  json_object_set_string_member (record, "state", "waiting");
  json_object_remove_member (record, "start");
  json_object_remove_member (record, "worker");
  text = record_text (record);

  {
    const gchar *values[] = { study, number, "waiting", NULL, "f", text };

    updated = execute (self, STMT_SET_RECORD, G_N_ELEMENTS (values), values, error);
  }
  if (updated == NULL)
    return FALSE;
  return commit (self, error);
}

static gboolean
postgresql_release (VernierStorage  *storage,
                    guint            worker,
                    guint            number,
                    GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  ReleaseCall data = { worker, number };

  /* Running it again finds the trial waiting and leaves it alone. */
  return call (self, "releasing a trial", TRUE, release_method, &data, error);
}

/* heartbeat */

static gboolean
heartbeat_method (VernierPostgresqlStorage  *self,
                  gpointer                   data,
                  GError                   **error)
{
  guint *worker_id = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  g_autofree gchar *worker = g_strdup_printf ("%u", *worker_id);
  g_autofree gchar *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time ());
  const gchar *values[] = { study, worker, now };
  g_autoptr(PGresult) result = execute (self, STMT_HEARTBEAT, G_N_ELEMENTS (values),
                                        values, error);

  if (result == NULL)
    return FALSE;
  if (!affected_one (result))
    {
      self->failure = FAILURE_FATAL;
      set_error (self, error, "worker %s is not registered in study '%s'",
                 worker, self->study_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
postgresql_heartbeat (VernierStorage  *storage,
                      guint            worker,
                      GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);

  return call (self, "recording a heartbeat", TRUE, heartbeat_method, &worker, error);
}

/* list_running */

static gboolean
list_running_method (VernierPostgresqlStorage  *self,
                     gpointer                   data,
                     GError                   **error)
{
  RecordsCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  const gchar *values[] = { study };
  g_autoptr(PGresult) result = execute (self, STMT_LIST_RUNNING, G_N_ELEMENTS (values),
                                        values, error);
  gint n;

  if (result == NULL)
    return FALSE;
  n = PQntuples (result);
  call_data->records = json_array_sized_new (n);
  for (gint i = 0; i < n; i++)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_int_member (entry, "number", get_int (result, i, 0));
      json_object_set_int_member (entry, "worker",
                                  PQgetisnull (result, i, 1) ? 0 : get_int (result, i, 1));
      if (!PQgetisnull (result, i, 2))
        {
          json_object_set_string_member (entry, "host", PQgetvalue (result, i, 2));
          json_object_set_int_member (entry, "pid", get_int (result, i, 3));
          json_object_set_int_member (entry, "heartbeat", get_int (result, i, 4));
        }
      json_array_add_object_element (call_data->records, entry);
    }
  return TRUE;
}

static JsonArray *
postgresql_list_running (VernierStorage  *storage,
                         GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  RecordsCall data = { NULL };

  if (!call (self, "listing the running trials", TRUE, list_running_method, &data, error))
    return NULL;
  return data.records;
}

/* take_over */

typedef struct {
  guint        number;
  gint64       heartbeat;
  const gchar *message;
  gboolean     retry;
  gboolean     taken;
} TakeOverCall;

static gboolean
insert_waiting (VernierPostgresqlStorage  *self,
                const gchar               *study,
                JsonObject                *params,
                gint64                     retry_of,
                gint64                    *out_number,
                GError                   **error)
{
  const gchar *which[] = { study };
  g_autoptr(PGresult) next = NULL;
  g_autoptr(PGresult) inserted = NULL;
  g_autoptr(JsonObject) record = json_object_new ();
  g_autofree gchar *key = vernier_storage_record_key (params);
  g_autofree gchar *text = NULL;
  const gchar *number;

  next = execute (self, STMT_NEXT_NUMBER, G_N_ELEMENTS (which), which, error);
  if (next == NULL)
    return FALSE;
  number = PQgetvalue (next, 0, 0);

  json_object_set_int_member (record, "number", get_int (next, 0, 0));
  json_object_set_string_member (record, "state", "waiting");
  json_object_set_object_member (record, "params", vernier_json_object_copy (params));
  if (retry_of >= 0)
    json_object_set_int_member (record, "retry-of", retry_of);
  text = record_text (record);

  {
    const gchar *values[] = { study, number, "waiting", key, NULL, "f", text };

    inserted = execute (self, STMT_INSERT_TRIAL, G_N_ELEMENTS (values), values, error);
  }
  if (inserted == NULL)
    return FALSE;
  *out_number = get_int (next, 0, 0);
  return TRUE;
}

static gboolean
take_over_method (VernierPostgresqlStorage  *self,
                  gpointer                   data,
                  GError                   **error)
{
  TakeOverCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  g_autofree gchar *number = g_strdup_printf ("%u", call_data->number);
  const gchar *which[] = { study, number };
  g_autoptr(PGresult) running = NULL;
  g_autoptr(PGresult) heartbeat = NULL;
  g_autoptr(PGresult) updated = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree gchar *text = NULL;
  const gchar *worker;

  call_data->taken = FALSE;
  /* Locks in the order study, trial, worker, as every method does. */
  if (!begin_locked (self, study, error))
    return FALSE;
  running = execute (self, STMT_LOCK_RUNNING, G_N_ELEMENTS (which), which, error);
  if (running == NULL)
    return FALSE;
  if (PQntuples (running) == 0)
    return rollback (self, error);

  worker = PQgetisnull (running, 0, 0) ? NULL : PQgetvalue (running, 0, 0);
  if (worker != NULL)
    {
      const gchar *values[] = { study, worker };

      heartbeat = execute (self, STMT_WORKER_HEARTBEAT, G_N_ELEMENTS (values), values, error);
      if (heartbeat == NULL)
        return FALSE;
    }
  /* An unknown worker's heartbeat is 0, as list_running leaves it out. */
  if ((heartbeat != NULL && PQntuples (heartbeat) == 1 ? get_int (heartbeat, 0, 0) : 0) !=
      call_data->heartbeat)
    return rollback (self, error);

  record = parse_record (self, running, 0, 1, error);
  if (record == NULL)
    return FALSE;
  vernier_storage_record_mark_lost (record, call_data->message);
  text = record_text (record);

  {
    const gchar *values[] = { study, number, "failed", worker, "t", text };

    updated = execute (self, STMT_SET_RECORD, G_N_ELEMENTS (values), values, error);
  }
  if (updated == NULL)
    return FALSE;

  if (call_data->retry)
    {
      JsonObject *params = record_params (record);
      g_autoptr(JsonObject) empty = NULL;
      gint64 again;

      if (params == NULL)
        params = empty = json_object_new ();
      if (!insert_waiting (self, study, params, call_data->number, &again, error))
        return FALSE;
    }

  if (!commit (self, error))
    return FALSE;
  call_data->taken = TRUE;
  return TRUE;
}

static gboolean
postgresql_take_over (VernierStorage  *storage,
                      guint            number,
                      gint64           heartbeat,
                      const gchar     *message,
                      gboolean         retry,
                      GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  TakeOverCall data = { number, heartbeat, message, retry, FALSE };

  if (!call (self, "taking over a trial", FALSE, take_over_method, &data, error))
    return FALSE;
  return data.taken;
}

/* enqueue */

typedef struct {
  JsonObject *params;
  gint64      number;
} EnqueueCall;

static gboolean
enqueue_method (VernierPostgresqlStorage  *self,
                gpointer                   data,
                GError                   **error)
{
  EnqueueCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);

  if (!begin_locked (self, study, error))
    return FALSE;
  if (!insert_waiting (self, study, call_data->params, -1, &call_data->number, error))
    return FALSE;
  return commit (self, error);
}

static guint
postgresql_enqueue (VernierStorage  *storage,
                    JsonObject      *params,
                    GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  EnqueueCall data = { params, -1 };

  if (!call (self, "enqueuing a trial", FALSE, enqueue_method, &data, error))
    return G_MAXUINT;
  return data.number;
}

/* finished_since */

typedef struct {
  guint      worker;
  guint      since;
  JsonArray *records;
} FinishedCall;

static gboolean
finished_since_method (VernierPostgresqlStorage  *self,
                       gpointer                   data,
                       GError                   **error)
{
  FinishedCall *call_data = data;
  g_autofree gchar *study = g_strdup_printf ("%" G_GINT64_FORMAT, self->study);
  g_autofree gchar *since = g_strdup_printf ("%u", MIN (call_data->since, (guint) G_MAXINT32));
  g_autofree gchar *worker = g_strdup_printf ("%u", call_data->worker);
  const gchar *values[] = { study, since, worker };
  g_autoptr(PGresult) result = execute (self, STMT_FINISHED_SINCE, G_N_ELEMENTS (values),
                                        values, error);

  if (result == NULL)
    return FALSE;
  call_data->records = records_of (self, result, error);
  return call_data->records != NULL;
}

static JsonArray *
postgresql_finished_since (VernierStorage  *storage,
                           guint            worker,
                           guint            since,
                           GError         **error)
{
  VernierPostgresqlStorage *self = VERNIER_POSTGRESQL_STORAGE (storage);
  FinishedCall data = { worker, since, NULL };

  if (!call (self, "reading finished trials", TRUE, finished_since_method, &data, error))
    return NULL;
  return data.records;
}

static gboolean
postgresql_is_blocking (VernierStorage *storage)
{
  return TRUE;
}

static void
storage_iface_init (VernierStorageInterface *iface)
{
  iface->open = postgresql_open;
  iface->add_worker = postgresql_add_worker;
  iface->load = postgresql_load;
  iface->claim = postgresql_claim;
  iface->update = postgresql_update;
  iface->release = postgresql_release;
  iface->heartbeat = postgresql_heartbeat;
  iface->list_running = postgresql_list_running;
  iface->take_over = postgresql_take_over;
  iface->enqueue = postgresql_enqueue;
  iface->finished_since = postgresql_finished_since;
  iface->is_blocking = postgresql_is_blocking;
}

/* Plugin */

static gboolean
postgresql_plugin_register (GTypeModule  *module,
                            GError      **error)
{
  vernier_postgresql_storage_register_type (module);
  vernier_plugin_provide (module, "postgresql", VERNIER_TYPE_POSTGRESQL_STORAGE);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("postgresql",
                       "Keeps studies in a PostgreSQL database shared by workers on many machines",
                       postgresql_plugin_register)
