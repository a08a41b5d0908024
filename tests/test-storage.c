/* test-storage.c: the storage contract, checked against real storages
 *
 * One program for every storage: each test runs against the storages
 * named by `--storage NAME` (repeatable; by default memory and sqlite),
 * under /vernier/storage/NAME/. Each test gets a fresh temporary
 * directory and a study name of its own; a storage is made through the
 * registry as a study file would make it:
 *
 * - sqlite: `path=study.db`, relative to the test's directory;
 * - postgresql: `uri` from $VERNIER_TEST_POSTGRESQL_URI, the study name
 *   unique to the test.
 *
 * Storages whose instances share one store (all but memory) are also
 * checked across instances and processes: reopening, a SIGKILL right after
 * an update, several processes creating one study at once, and several
 * processes claiming from one study at once. The processes are this
 * program again, started with `--child ROLE`.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "vernier-test-util.h"
#include <vernier-core.h>

#define DESCRIPTION "space: x float [0, 1]; objective: loss, minimize"

typedef struct _Backend Backend;

typedef struct
{
  const Backend *backend;
  gchar *dir;                   /* a fresh temporary directory */
  gchar *study;                 /* a study name of the test's own */
  VernierContext *context;
} Fixture;

struct _Backend
{
  const gchar *name;
  /* Whether two instances configured alike see the same study. */
  gboolean shared;
  /* Sets the storage's properties for @fixture's store. */
  void (*configure) (GObject *storage, Fixture *fixture);
  /* Writes a schema version into the store by hand (newer-schema test). */
  void (*set_schema_version) (Fixture *fixture, gint64 version);
  /* Checks the store's own consistency after crashes and concurrency. */
  void (*check_integrity) (Fixture *fixture);
};

/* ---- SQLite, by hand --------------------------------------------------- */

static gchar *
sqlite_file (Fixture *fixture)
{
  return g_build_filename (fixture->dir, "study.db", NULL);
}

static sqlite3 *
sqlite_connect (const gchar *file)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (file, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  return db;
}

static void
sqlite_exec (sqlite3     *db,
             const gchar *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gchar *
sqlite_query_text (sqlite3     *db,
                   const gchar *sql)
{
  sqlite3_stmt *stmt = NULL;
  gchar *text;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  text = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static void
sqlite_configure (GObject *storage,
                  Fixture *fixture)
{
  /* Relative: resolved against the study file's directory. */
  g_object_set (storage, "path", "study.db", NULL);
}

static void
sqlite_set_schema_version (Fixture *fixture,
                           gint64   version)
{
  g_autofree gchar *file = sqlite_file (fixture);
  g_autofree gchar *sql =
    g_strdup_printf ("UPDATE meta SET value = %" G_GINT64_FORMAT
                     " WHERE key = 'schema-version'", version);
  sqlite3 *db = sqlite_connect (file);

  sqlite_exec (db, sql);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
}

static void
sqlite_check_integrity (Fixture *fixture)
{
  g_autofree gchar *file = sqlite_file (fixture);
  sqlite3 *db = sqlite_connect (file);
  g_autofree gchar *result = sqlite_query_text (db, "PRAGMA integrity_check");
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpstr (result, ==, "ok");

  /* The columns the queries search on say what the records say. */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT t.number, t.state, t.key, t.worker, t.lost, t.record"
                                       "  FROM trials AS t JOIN studies AS s ON s.id = t.study"
                                       " WHERE s.name = ?1 ORDER BY t.number",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, fixture->study, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = json_from_string ((const gchar *) sqlite3_column_text (stmt, 5),
                                                   NULL);
      JsonObject *record = json_node_get_object (node);
      g_autofree gchar *key = vernier_storage_record_key (json_object_get_object_member (record,
                                                                                         "params"));

      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==,
                       json_object_get_int_member (record, "number"));
      g_assert_cmpstr ((const gchar *) sqlite3_column_text (stmt, 1), ==,
                       json_object_get_string_member (record, "state"));
      g_assert_cmpstr ((const gchar *) sqlite3_column_text (stmt, 2), ==, key);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==,
                       json_object_get_int_member_with_default (record, "worker", 0));
      g_assert_cmpint (sqlite3_column_int (stmt, 4), ==,
                       json_object_get_boolean_member_with_default (record, "lost", FALSE));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* ---- PostgreSQL, by hand ----------------------------------------------- */

/* Each test has a schema of its own on the server, named after its study
 * (with a space and quotes, so that the plugin must quote it). */
static gchar *
postgresql_schema (Fixture *fixture)
{
  return g_strdup_printf ("%s \"s\"", fixture->study);
}

static const gchar *
postgresql_uri (void)
{
  const gchar *uri = g_getenv ("VERNIER_TEST_POSTGRESQL_URI");

  if (uri == NULL)
    g_test_message ("set VERNIER_TEST_POSTGRESQL_URI to a server's URI to "
                    "test the postgresql storage (tests/with-postgresql.py "
                    "starts one)");
  g_assert_nonnull (uri);
  return uri;
}

static PGconn *
postgresql_connect (void)
{
  PGconn *conn = PQconnectdb (postgresql_uri ());

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to %s: %s", postgresql_uri (), PQerrorMessage (conn));
  return conn;
}

/* Runs @sql_with_schema, "{schema}" replaced by the fixture's quoted schema. */
static PGresult *
postgresql_exec (PGconn      *conn,
                 Fixture     *fixture,
                 const gchar *sql_with_schema,
                 gint         n_values,
                 const gchar * const *values)
{
  g_autofree gchar *schema = postgresql_schema (fixture);
  gchar *quoted = PQescapeIdentifier (conn, schema, strlen (schema));
  g_autoptr(GString) sql = g_string_new (sql_with_schema);
  PGresult *result;

  g_string_replace (sql, "{schema}", quoted, 0);
  PQfreemem (quoted);
  result = PQexecParams (conn, sql->str, n_values, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql->str, PQresultErrorMessage (result));
  return result;
}

static void
postgresql_configure (GObject *storage,
                      Fixture *fixture)
{
  g_autofree gchar *schema = postgresql_schema (fixture);

  g_object_set (storage, "uri", postgresql_uri (), "schema", schema, NULL);
}

static void
postgresql_set_schema_version (Fixture *fixture,
                               gint64   version)
{
  g_autofree gchar *text = g_strdup_printf ("%" G_GINT64_FORMAT, version);
  const gchar *values[] = { text };
  PGconn *conn = postgresql_connect ();
  PGresult *result = postgresql_exec (conn, fixture,
                                      "UPDATE {schema}.meta SET value = $1"
                                      " WHERE key = 'schema-version'",
                                      G_N_ELEMENTS (values), values);

  g_assert_cmpstr (PQcmdTuples (result), ==, "1");
  PQclear (result);
  PQfinish (conn);
}

/* The columns the queries search on say what the records say. */
static void
postgresql_check_integrity (Fixture *fixture)
{
  const gchar *values[] = { fixture->study };
  PGconn *conn = postgresql_connect ();
  PGresult *result = postgresql_exec (conn, fixture,
                                      "SELECT t.number, t.state, t.key, t.worker, t.lost, t.record"
                                      "  FROM {schema}.trials t"
                                      "  JOIN {schema}.studies s ON s.id = t.study"
                                      " WHERE s.name = $1 ORDER BY t.number",
                                      G_N_ELEMENTS (values), values);

  for (gint i = 0; i < PQntuples (result); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (PQgetvalue (result, i, 5), NULL);
      JsonObject *record = json_node_get_object (node);
      g_autofree gchar *key = vernier_storage_record_key (json_object_get_object_member (record,
                                                                                         "params"));
      g_autofree gchar *worker = NULL;

      if (json_object_has_member (record, "worker"))
        worker = g_strdup_printf ("%" G_GINT64_FORMAT,
                                  json_object_get_int_member (record, "worker"));
      g_assert_cmpint (g_ascii_strtoll (PQgetvalue (result, i, 0), NULL, 10), ==,
                       json_object_get_int_member (record, "number"));
      g_assert_cmpstr (PQgetvalue (result, i, 1), ==,
                       json_object_get_string_member (record, "state"));
      g_assert_cmpstr (PQgetvalue (result, i, 2), ==, key);
      g_assert_cmpstr (PQgetisnull (result, i, 3) ? NULL : PQgetvalue (result, i, 3), ==, worker);
      g_assert_cmpint (PQgetvalue (result, i, 4)[0] == 't', ==,
                       json_object_get_boolean_member_with_default (record, "lost", FALSE));
    }
  PQclear (result);
  PQfinish (conn);
}

static const Backend backends[] = {
  { "memory", FALSE, NULL, NULL, NULL },
  { "sqlite", TRUE, sqlite_configure, sqlite_set_schema_version, sqlite_check_integrity },
  { "postgresql", TRUE, postgresql_configure, postgresql_set_schema_version,
    postgresql_check_integrity },
};

static const Backend *
find_backend (const gchar *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    if (g_str_equal (backends[i].name, name))
      return &backends[i];
  return NULL;
}

/* ---- helpers ----------------------------------------------------------- */


static VernierContext *
context_new (const gchar *study,
             const gchar *dir)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective =
    vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);

  vt_add_dimension (space, vt_float_dimension ("x", 0, 1, FALSE, 0));
  return vernier_context_new (study, space, objective, 1, dir);
}

static void
fixture_init (Fixture       *fixture,
              const Backend *backend,
              const gchar   *dir,
              const gchar   *study)
{
  fixture->backend = backend;
  fixture->dir = g_strdup (dir);
  fixture->study = g_strdup (study);
  fixture->context = context_new (study, dir);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("vernier-storage-XXXXXX", &error);
  g_autofree gchar *study = NULL;

  g_assert_no_error (error);
  /* Unique on a shared server too. */
  study = g_strdup_printf ("test-%d-%08x", (int) getpid (), g_random_int ());
  fixture_init (fixture, data, dir, study);
}

static void
fixture_clear (Fixture *fixture)
{
  g_clear_object (&fixture->context);
  g_clear_pointer (&fixture->study, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  vt_remove_tree (fixture->dir);
  fixture_clear (fixture);
}

/* A new instance of the fixture's storage, not opened. */
static VernierStorage *
storage_new (Fixture *fixture)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "storage", fixture->backend->name, &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_STORAGE (object));
  if (fixture->backend->configure != NULL)
    fixture->backend->configure (object, fixture);
  return VERNIER_STORAGE (object);
}

/* A new instance, the study opened (created if @create). */
static VernierStorage *
storage_open (Fixture  *fixture,
              gboolean  create)
{
  g_autoptr(VernierStorage) storage = storage_new (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *stored = NULL;

  g_assert_true (vernier_storage_open (storage, fixture->context, DESCRIPTION, create,
                                       &stored, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, DESCRIPTION);
  return g_steal_pointer (&storage);
}

static JsonObject *
object_from_json (const gchar *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_dup_object (node);
}

static gchar *
canonical (JsonObject *object)
{
  return vernier_json_object_canonical (object);
}

static void
assert_params (JsonObject  *record,
               const gchar *expected)
{
  g_autoptr(JsonObject) want = object_from_json (expected);
  g_autofree gchar *a = canonical (json_object_get_object_member (record, "params"));
  g_autofree gchar *b = canonical (want);

  g_assert_cmpstr (a, ==, b);
}

static guint
add_worker (VernierStorage *storage)
{
  g_autoptr(GError) error = NULL;
  guint id = vernier_storage_add_worker (storage, "host-a", 4242, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (id, >=, 1);
  return id;
}

/* Claims and checks what happened: for a trial handed out, its number,
 * state, worker and start; returns its record (or %NULL). */
static JsonObject *
claim (VernierStorage *storage,
       guint           worker,
       const gchar    *proposal,
       gboolean        unique,
       guint           budget,
       VernierClaim    expected,
       gint64          number)
{
  g_autoptr(JsonObject) params = proposal != NULL ? object_from_json (proposal) : NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  VernierClaim result;

  result = vernier_storage_claim (storage, worker, params, unique, budget, &record, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, expected);
  if (expected != VERNIER_CLAIM_STARTED && expected != VERNIER_CLAIM_DEQUEUED)
    {
      g_assert_null (record);
      return NULL;
    }
  g_assert_nonnull (record);
  g_assert_cmpint (json_object_get_int_member (record, "number"), ==, number);
  g_assert_cmpstr (json_object_get_string_member (record, "state"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (record, "worker"), ==, worker);
  g_assert_true (json_object_has_member (record, "start"));
  if (expected == VERNIER_CLAIM_STARTED)
    assert_params (record, proposal);
  return g_steal_pointer (&record);
}

static gchar *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

/* @record as its worker finishes it in @state with @value. */
static JsonObject *
finished (JsonObject  *record,
          const gchar *state,
          gdouble      value)
{
  JsonObject *copy = vernier_json_object_copy (record);
  g_autofree gchar *now = now_iso8601 ();

  json_object_set_string_member (copy, "state", state);
  json_object_set_double_member (copy, "value", value);
  json_object_set_string_member (copy, "end", now);
  return copy;
}

static void
finish (VernierStorage *storage,
        guint           worker,
        JsonObject     *record,
        const gchar    *state,
        gdouble         value)
{
  g_autoptr(JsonObject) done = finished (record, state, value);
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_storage_update (storage, worker, done, &error));
  g_assert_no_error (error);
}

static JsonArray *
load (VernierStorage *storage)
{
  g_autoptr(GError) error = NULL;
  JsonArray *records = vernier_storage_load (storage, &error);

  g_assert_no_error (error);
  g_assert_nonnull (records);
  /* Numbers from 0, dense, in order. */
  for (guint i = 0; i < json_array_get_length (records); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (records, i),
                                                 "number"), ==, i);
  return records;
}

/* A copy of trial @number's record, as the storage has it now. */
static JsonObject *
record_at (VernierStorage *storage,
           guint           number)
{
  g_autoptr(JsonArray) records = load (storage);

  g_assert_cmpuint (number, <, json_array_get_length (records));
  return vernier_json_object_copy (json_array_get_object_element (records, number));
}

static const gchar *
state_of (VernierStorage *storage,
          guint           number)
{
  g_autoptr(JsonObject) record = record_at (storage, number);

  return g_intern_string (json_object_get_string_member (record, "state"));
}

static guint
enqueue (VernierStorage *storage,
         const gchar    *params_json)
{
  g_autoptr(JsonObject) params = object_from_json (params_json);
  g_autoptr(GError) error = NULL;
  guint number = vernier_storage_enqueue (storage, params, &error);

  g_assert_no_error (error);
  return number;
}

static JsonArray *
list_running (VernierStorage *storage)
{
  g_autoptr(GError) error = NULL;
  JsonArray *running = vernier_storage_list_running (storage, &error);

  g_assert_no_error (error);
  g_assert_nonnull (running);
  return running;
}

/* The heartbeat list_running() gives for trial @number. */
static gint64
heartbeat_of (VernierStorage *storage,
              guint           number)
{
  g_autoptr(JsonArray) running = list_running (storage);

  for (guint i = 0; i < json_array_get_length (running); i++)
    {
      JsonObject *entry = json_array_get_object_element (running, i);

      if (json_object_get_int_member (entry, "number") == number)
        return json_object_get_int_member (entry, "heartbeat");
    }
  g_assert_not_reached ();
}

static gboolean
take_over (VernierStorage *storage,
           guint           number,
           gint64          heartbeat,
           gboolean        retry)
{
  g_autoptr(GError) error = NULL;
  gboolean taken = vernier_storage_take_over (storage, number, heartbeat,
                                              "worker died", retry, &error);

  g_assert_no_error (error);
  return taken;
}

/* The numbers of the records finished_since() returns. */
static gchar *
finished_since (VernierStorage *storage,
                guint           worker,
                guint           since)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) records = vernier_storage_finished_since (storage, worker, since, &error);
  GString *numbers = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (records);
  for (guint i = 0; i < json_array_get_length (records); i++)
    g_string_append_printf (numbers, "%s%" G_GINT64_FORMAT, i > 0 ? " " : "",
                            json_object_get_int_member (json_array_get_object_element (records, i),
                                                        "number"));
  return g_string_free (numbers, FALSE);
}

/* ---- the contract ------------------------------------------------------ */

static void
test_open (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_new (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *stored = NULL;

  /* A study that does not exist is not created unless asked. */
  g_assert_false (vernier_storage_open (storage, fixture->context, DESCRIPTION, FALSE,
                                        &stored, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, fixture->study));
  g_assert_null (stored);
  g_clear_error (&error);

  g_assert_true (vernier_storage_open (storage, fixture->context, DESCRIPTION, TRUE,
                                       &stored, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, DESCRIPTION);
  g_clear_pointer (&stored, g_free);

  /* Opened again, the description is the one it was created with: the
   * engine compares it. */
  g_assert_true (vernier_storage_open (storage, fixture->context, "another space", TRUE,
                                       &stored, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, DESCRIPTION);
  g_clear_pointer (&stored, g_free);

  if (fixture->backend->shared)
    {
      g_autoptr(VernierStorage) second = storage_new (fixture);
      g_autoptr(VernierStorage) third = storage_new (fixture);
      g_autofree gchar *other_name = g_strconcat (fixture->study, "-other", NULL);
      g_autoptr(VernierContext) other = context_new (other_name, fixture->dir);

      g_assert_true (vernier_storage_open (second, fixture->context, "another space", FALSE,
                                           &stored, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (stored, ==, DESCRIPTION);
      g_clear_pointer (&stored, g_free);

      /* Another study of the same store is another study. */
      g_assert_false (vernier_storage_open (third, other, DESCRIPTION, FALSE, NULL, &error));
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
      g_assert_nonnull (strstr (error->message, other_name));
      g_clear_error (&error);
      g_assert_true (vernier_storage_open (third, other, "another space", TRUE, &stored, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (stored, ==, "another space");
    }
}

static void
test_numbers (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  g_autoptr(JsonArray) records = NULL;
  guint w1 = add_worker (storage);
  guint w2 = add_worker (storage);
  g_autoptr(JsonObject) r0 = NULL, r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL;

  g_assert_cmpuint (w1, !=, w2);

  r0 = claim (storage, w1, "{\"x\": 0.1}", FALSE, 0, VERNIER_CLAIM_STARTED, 0);
  r1 = claim (storage, w2, "{\"x\": 0.2}", FALSE, 0, VERNIER_CLAIM_STARTED, 1);
  r2 = claim (storage, w1, "{\"x\": 0.3}", FALSE, 0, VERNIER_CLAIM_STARTED, 2);
  g_assert_cmpuint (enqueue (storage, "{\"x\": 0.4}"), ==, 3);
  r3 = claim (storage, w2, "{\"x\": 0.5}", FALSE, 0, VERNIER_CLAIM_DEQUEUED, 3);
  r4 = claim (storage, w2, "{\"x\": 0.5}", FALSE, 0, VERNIER_CLAIM_STARTED, 4);
  /* A re-queued trial and an enqueued one take the next numbers. */
  g_assert_true (take_over (storage, 4, heartbeat_of (storage, 4), TRUE));
  g_assert_cmpuint (enqueue (storage, "{\"x\": 0.6}"), ==, 6);

  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 7);
  assert_params (json_array_get_object_element (records, 3), "{\"x\": 0.4}");
  assert_params (json_array_get_object_element (records, 5), "{\"x\": 0.5}");
  assert_params (json_array_get_object_element (records, 6), "{\"x\": 0.6}");
}

static void
test_claim_order (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 = NULL, r1 = NULL, r2 = NULL, r3 = NULL;
  g_autoptr(JsonArray) records = NULL;

  /* 2. a WAITING trial before the proposal */
  g_assert_cmpuint (enqueue (storage, "{\"x\": 1}"), ==, 0);
  r0 = claim (storage, w, "{\"x\": 2}", TRUE, 1, VERNIER_CLAIM_DEQUEUED, 0);
  assert_params (r0, "{\"x\": 1}");

  /* 1. a spent budget before anything, WAITING trials included */
  g_assert_cmpuint (enqueue (storage, "{\"x\": 3}"), ==, 1);
  claim (storage, w, "{\"x\": 2}", TRUE, 1, VERNIER_CLAIM_SPENT, -1);
  claim (storage, w, NULL, FALSE, 1, VERNIER_CLAIM_SPENT, -1);
  g_assert_cmpstr (state_of (storage, 1), ==, "waiting");

  /* 2. then the WAITING trial, even without a proposal */
  r1 = claim (storage, w, NULL, FALSE, 0, VERNIER_CLAIM_DEQUEUED, 1);
  assert_params (r1, "{\"x\": 3}");

  /* 3. nothing waits and nothing is proposed */
  claim (storage, w, NULL, TRUE, 0, VERNIER_CLAIM_EMPTY, -1);
  claim (storage, w, NULL, FALSE, 5, VERNIER_CLAIM_EMPTY, -1);

  /* 4. a duplicate of a trial that ran */
  claim (storage, w, "{\"x\": 1}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);

  /* 5. a new trial */
  r2 = claim (storage, w, "{\"x\": 1}", FALSE, 0, VERNIER_CLAIM_STARTED, 2);
  r3 = claim (storage, w, "{\"x\": 2}", TRUE, 4, VERNIER_CLAIM_STARTED, 3);
  claim (storage, w, "{\"x\": 4}", TRUE, 4, VERNIER_CLAIM_SPENT, -1);

  /* Nothing was made by the claims that handed nothing out. */
  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 4);
}

static void
test_budget (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 = NULL, r1 = NULL, r2 = NULL, r3 = NULL, r1_again = NULL;
  g_autoptr(GError) error = NULL;

  /* A finished trial counts. */
  r0 = claim (storage, w, "{\"x\": 0}", FALSE, 3, VERNIER_CLAIM_STARTED, 0);
  finish (storage, w, r0, "complete", 1.0);
  /* A WAITING one does not, until it is claimed. */
  g_assert_cmpuint (enqueue (storage, "{\"x\": 1}"), ==, 1);
  g_assert_cmpuint (enqueue (storage, "{\"x\": 9}"), ==, 2);
  r1 = claim (storage, w, NULL, FALSE, 3, VERNIER_CLAIM_DEQUEUED, 1);
  /* A running one counts. */
  r2 = claim (storage, w, NULL, FALSE, 3, VERNIER_CLAIM_DEQUEUED, 2);
  claim (storage, w, "{\"x\": 3}", FALSE, 3, VERNIER_CLAIM_SPENT, -1);
  /* Without a budget, no limit. */
  r3 = claim (storage, w, "{\"x\": 3}", FALSE, 0, VERNIER_CLAIM_STARTED, 3);
  claim (storage, w, "{\"x\": 4}", FALSE, 4, VERNIER_CLAIM_SPENT, -1);

  /* A lost one does not count: its parameters run again. */
  g_assert_true (take_over (storage, 3, heartbeat_of (storage, 3), FALSE));
  g_clear_pointer (&r3, json_object_unref);
  r3 = claim (storage, w, "{\"x\": 4}", FALSE, 4, VERNIER_CLAIM_STARTED, 4);
  claim (storage, w, "{\"x\": 5}", FALSE, 4, VERNIER_CLAIM_SPENT, -1);

  /* Failed, pruned: they count. */
  finish (storage, w, r2, "failed", 0);
  finish (storage, w, r3, "pruned", 0);
  claim (storage, w, "{\"x\": 5}", FALSE, 4, VERNIER_CLAIM_SPENT, -1);

  /* A released trial does not count until claimed again. */
  g_assert_true (vernier_storage_release (storage, w, 1, &error));
  g_assert_no_error (error);
  r1_again = claim (storage, w, "{\"x\": 5}", FALSE, 4, VERNIER_CLAIM_DEQUEUED, 1);
  claim (storage, w, "{\"x\": 5}", FALSE, 4, VERNIER_CLAIM_SPENT, -1);
  claim (storage, w, "{\"x\": 5}", FALSE, 5, VERNIER_CLAIM_STARTED, 5);
}

static void
test_unique (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 = NULL, r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL;
  g_autoptr(JsonArray) records = NULL;

  r0 = claim (storage, w, "{\"x\": 1, \"opt\": \"sgd\"}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);
  /* Equal parameters: whatever the order of members or 1 against 1.0. */
  claim (storage, w, "{\"x\": 1, \"opt\": \"sgd\"}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);
  claim (storage, w, "{\"opt\": \"sgd\", \"x\": 1.0}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);
  /* Refused only when unique. */
  r1 = claim (storage, w, "{\"x\": 1, \"opt\": \"sgd\"}", FALSE, 0, VERNIER_CLAIM_STARTED, 1);
  /* Other parameters are not duplicates. */
  r2 = claim (storage, w, "{\"x\": 1, \"opt\": \"adam\"}", TRUE, 0, VERNIER_CLAIM_STARTED, 2);
  /* Finished trials are duplicates as well as running ones. */
  finish (storage, w, r0, "complete", 0.5);
  finish (storage, w, r1, "failed", 0.5);
  claim (storage, w, "{\"x\": 1, \"opt\": \"sgd\"}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);

  /* A lost trial is not: its parameters are to run again. */
  r3 = claim (storage, w, "{\"x\": 3}", TRUE, 0, VERNIER_CLAIM_STARTED, 3);
  g_assert_true (take_over (storage, 3, heartbeat_of (storage, 3), FALSE));
  r4 = claim (storage, w, "{\"x\": 3}", TRUE, 0, VERNIER_CLAIM_STARTED, 4);
  claim (storage, w, "{\"x\": 3}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);

  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 5);
}

static void
test_update_owner (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w1 = add_worker (storage);
  guint w2 = add_worker (storage);
  g_autoptr(JsonObject) r0 = claim (storage, w1, "{\"x\": 0}", FALSE, 0, VERNIER_CLAIM_STARTED, 0);
  g_autoptr(JsonObject) r1 = claim (storage, w1, "{\"x\": 1}", FALSE, 0, VERNIER_CLAIM_STARTED, 1);
  g_autoptr(JsonObject) done = finished (r0, "complete", 0.25);
  g_autoptr(JsonObject) progress = vernier_json_object_copy (r0);
  g_autoptr(JsonObject) late = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(GError) error = NULL;

  /* Another worker may not write a trial. */
  g_assert_false (vernier_storage_update (storage, w2, done, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_clear_error (&error);
  g_assert_cmpstr (state_of (storage, 0), ==, "running");

  /* Its worker may, running (intermediate values) and finished. */
  json_object_set_member (progress, "intermediate",
                          json_from_string ("[[1, 0.5], [2, 0.375]]", NULL));
  g_assert_true (vernier_storage_update (storage, w1, progress, &error));
  g_assert_no_error (error);
  stored = record_at (storage, 0);
  g_assert_cmpstr (json_object_get_string_member (stored, "state"), ==, "running");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (stored, "intermediate")),
                    ==, 2);
  g_clear_pointer (&stored, json_object_unref);

  g_assert_true (vernier_storage_update (storage, w1, done, &error));
  g_assert_no_error (error);
  stored = record_at (storage, 0);
  g_assert_cmpstr (json_object_get_string_member (stored, "state"), ==, "complete");
  g_assert_cmpfloat (json_object_get_double_member (stored, "value"), ==, 0.25);
  g_assert_cmpint (json_object_get_int_member (stored, "worker"), ==, w1);
  g_clear_pointer (&stored, json_object_unref);

  /* Once taken over, a trial is no longer its worker's to write. */
  g_assert_true (take_over (storage, 1, heartbeat_of (storage, 1), FALSE));
  late = finished (r1, "complete", 0.125);
  g_assert_false (vernier_storage_update (storage, w1, late, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_clear_error (&error);
  stored = record_at (storage, 1);
  g_assert_cmpstr (json_object_get_string_member (stored, "state"), ==, "failed");
  g_assert_true (json_object_get_boolean_member (stored, "lost"));
  g_assert_false (json_object_has_member (stored, "value"));
}

static void
test_release (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w1 = add_worker (storage);
  guint w2 = add_worker (storage);
  g_autoptr(JsonObject) r0 = claim (storage, w1, "{\"x\": 0}", FALSE, 0, VERNIER_CLAIM_STARTED, 0);
  G_GNUC_UNUSED g_autoptr(JsonObject) r1 = claim (storage, w1, "{\"x\": 1}", FALSE, 0, VERNIER_CLAIM_STARTED, 1);
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(JsonArray) running = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (enqueue (storage, "{\"x\": 2}"), ==, 2);

  /* Only the worker it was handed to gives it back. */
  g_assert_true (vernier_storage_release (storage, w2, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (state_of (storage, 1), ==, "running");

  g_assert_true (vernier_storage_release (storage, w1, 1, &error));
  g_assert_no_error (error);
  stored = record_at (storage, 1);
  g_assert_cmpstr (json_object_get_string_member (stored, "state"), ==, "waiting");
  g_assert_false (json_object_has_member (stored, "start"));
  running = list_running (storage);
  g_assert_cmpuint (json_array_get_length (running), ==, 1);

  /* First in line, before the trial enqueued earlier. */
  again = claim (storage, w2, "{\"x\": 7}", FALSE, 0, VERNIER_CLAIM_DEQUEUED, 1);
  assert_params (again, "{\"x\": 1}");

  /* A finished trial is left alone. */
  finish (storage, w1, r0, "complete", 0.5);
  g_assert_true (vernier_storage_release (storage, w1, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (state_of (storage, 0), ==, "complete");
}

static void
test_heartbeat (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  G_GNUC_UNUSED g_autoptr(JsonObject) r0 = claim (storage, w, "{\"x\": 0}", FALSE, 0, VERNIER_CLAIM_STARTED, 0);
  g_autoptr(JsonArray) running = list_running (storage);
  g_autoptr(GError) error = NULL;
  JsonObject *entry;
  gint64 before, after;

  g_assert_cmpuint (json_array_get_length (running), ==, 1);
  entry = json_array_get_object_element (running, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "number"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "worker"), ==, w);
  g_assert_cmpstr (json_object_get_string_member (entry, "host"), ==, "host-a");
  g_assert_cmpint (json_object_get_int_member (entry, "pid"), ==, 4242);
  before = json_object_get_int_member (entry, "heartbeat");
  g_assert_cmpint (before, >, 0);

  g_assert_true (vernier_storage_heartbeat (storage, w, &error));
  g_assert_no_error (error);
  after = heartbeat_of (storage, 0);
  g_assert_cmpint (after, !=, before);

  /* A stale heartbeat: the worker came back, nothing is taken over. */
  g_assert_false (take_over (storage, 0, before, TRUE));
  g_assert_cmpstr (state_of (storage, 0), ==, "running");
  g_assert_true (take_over (storage, 0, after, FALSE));

  g_assert_false (vernier_storage_heartbeat (storage, w + 1000, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
}

static void
test_take_over (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w1 = add_worker (storage);
  guint w2 = add_worker (storage);
  G_GNUC_UNUSED g_autoptr(JsonObject) r0 = claim (storage, w1, "{\"x\": 0.5}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);
  G_GNUC_UNUSED g_autoptr(JsonObject) r1 = claim (storage, w1, "{\"x\": 0.75}", TRUE, 0, VERNIER_CLAIM_STARTED, 1);
  g_autoptr(JsonObject) retry = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(JsonArray) running = NULL;
  gint64 heartbeat = heartbeat_of (storage, 0);
  JsonObject *lost, *queued;

  g_assert_true (take_over (storage, 0, heartbeat, TRUE));
  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  lost = json_array_get_object_element (records, 0);
  g_assert_cmpstr (json_object_get_string_member (lost, "state"), ==, "failed");
  g_assert_true (json_object_get_boolean_member (lost, "lost"));
  g_assert_cmpstr (json_object_get_string_member (lost, "error"), ==, "worker died");
  g_assert_true (json_object_has_member (lost, "end"));
  g_assert_cmpint (json_object_get_int_member (lost, "worker"), ==, w1);
  queued = json_array_get_object_element (records, 2);
  g_assert_cmpstr (json_object_get_string_member (queued, "state"), ==, "waiting");
  g_assert_cmpint (json_object_get_int_member (queued, "retry-of"), ==, 0);
  g_assert_false (json_object_get_boolean_member_with_default (queued, "lost", FALSE));
  assert_params (queued, "{\"x\": 0.5}");
  g_clear_pointer (&records, json_array_unref);

  /* Once only. */
  g_assert_false (take_over (storage, 0, heartbeat, TRUE));
  g_assert_false (take_over (storage, 2, heartbeat, TRUE));
  g_assert_false (take_over (storage, 99, heartbeat, TRUE));

  /* Without retry, nothing is queued. */
  g_assert_true (take_over (storage, 1, heartbeat, FALSE));
  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  running = list_running (storage);
  g_assert_cmpuint (json_array_get_length (running), ==, 0);

  /* The retry is claimed first, keeps its retry-of, and is no duplicate
   * of the lost trial. */
  retry = claim (storage, w2, "{\"x\": 0.5}", TRUE, 0, VERNIER_CLAIM_DEQUEUED, 2);
  g_assert_cmpint (json_object_get_int_member (retry, "retry-of"), ==, 0);
  assert_params (retry, "{\"x\": 0.5}");
  claim (storage, w2, "{\"x\": 0.5}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);
}

static void
test_enqueue (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 = NULL, r1 = NULL, r2 = NULL, waiting = NULL;

  g_assert_cmpuint (enqueue (storage, "{\"x\": 0.125, \"opt\": \"sgd\"}"), ==, 0);
  g_assert_cmpuint (enqueue (storage, "{\"x\": 0.25}"), ==, 1);
  waiting = record_at (storage, 1);
  g_assert_cmpstr (json_object_get_string_member (waiting, "state"), ==, "waiting");
  assert_params (waiting, "{\"x\": 0.25}");
  g_assert_false (json_object_has_member (waiting, "start"));

  r0 = claim (storage, w, "{\"x\": 1}", TRUE, 0, VERNIER_CLAIM_DEQUEUED, 0);
  assert_params (r0, "{\"x\": 0.125, \"opt\": \"sgd\"}");
  r1 = claim (storage, w, "{\"x\": 1}", TRUE, 0, VERNIER_CLAIM_DEQUEUED, 1);
  r2 = claim (storage, w, "{\"x\": 1}", TRUE, 0, VERNIER_CLAIM_STARTED, 2);
}

static void
test_finished_since (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w1 = add_worker (storage);
  guint w2 = add_worker (storage);
  g_autoptr(JsonObject) r0 = NULL, r1 = NULL, r2 = NULL, r3 = NULL, r5 = NULL, r6 = NULL;
  g_autofree gchar *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL;
  g_autofree gchar *s6 = NULL, *s7 = NULL, *s8 = NULL;

  r0 = claim (storage, w1, "{\"x\": 0}", FALSE, 0, VERNIER_CLAIM_STARTED, 0);
  r1 = claim (storage, w2, "{\"x\": 1}", FALSE, 0, VERNIER_CLAIM_STARTED, 1);
  r2 = claim (storage, w1, "{\"x\": 2}", FALSE, 0, VERNIER_CLAIM_STARTED, 2);
  r3 = claim (storage, w2, "{\"x\": 3}", FALSE, 0, VERNIER_CLAIM_STARTED, 3);
  g_assert_cmpuint (enqueue (storage, "{\"x\": 4}"), ==, 4);
  r5 = claim (storage, w2, NULL, FALSE, 0, VERNIER_CLAIM_DEQUEUED, 4);
  r6 = claim (storage, w2, "{\"x\": 5}", FALSE, 0, VERNIER_CLAIM_STARTED, 5);
  finish (storage, w1, r0, "complete", 0);
  finish (storage, w2, r1, "complete", 1);
  finish (storage, w2, r3, "failed", 3);
  finish (storage, w2, r5, "pruned", 4);
  finish (storage, w2, r6, "timed-out", 5);

  /* Running (2) and waiting trials are not finished; the asking worker's
   * own are left out; numbers from @since. */
  s1 = finished_since (storage, w1, 0);
  g_assert_cmpstr (s1, ==, "1 3 4 5");
  s2 = finished_since (storage, w1, 3);
  g_assert_cmpstr (s2, ==, "3 4 5");
  s3 = finished_since (storage, w1, 4);
  g_assert_cmpstr (s3, ==, "4 5");
  s4 = finished_since (storage, w1, 6);
  g_assert_cmpstr (s4, ==, "");
  s5 = finished_since (storage, w2, 0);
  g_assert_cmpstr (s5, ==, "0");

  /* A lost trial is finished; it was its dead worker's. */
  g_assert_true (take_over (storage, 2, heartbeat_of (storage, 2), TRUE));
  s6 = finished_since (storage, w2, 0);
  g_assert_cmpstr (s6, ==, "0 2");
  s7 = finished_since (storage, w1, 0);
  g_assert_cmpstr (s7, ==, "1 3 4 5");
  /* A third worker is told everything. */
  s8 = finished_since (storage, w2 + w1 + 1000, 0);
  g_assert_cmpstr (s8, ==, "0 1 2 3 4 5");
}

static void
test_load_round_trip (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 =
    claim (storage, w, "{\"lr\": 0.1, \"opt\": \"sgd\", \"layers\": 3, \"big\": 1e+20, "
           "\"tiny\": 5e-324, \"flag\": true, \"nested\": {\"a\": [1, 2.5]}}",
           FALSE, 0, VERNIER_CLAIM_STARTED, 0);
  g_autoptr(VernierTrial) trial = NULL;
  g_autoptr(VernierTrial) loaded = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) user_attrs = NULL;
  g_autoptr(JsonObject) loaded_attrs = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *want_params = NULL, *got_params = NULL;
  g_autofree gchar *want_attrs = NULL, *got_attrs = NULL;
  g_autofree gchar *end = now_iso8601 ();
  gint64 step;
  gdouble value;

  /* The record of a trial as the engine writes it. */
  trial = vernier_trial_new_from_json (r0, &error);
  g_assert_no_error (error);
  vernier_trial_set_value (trial, 0.1 + 0.2);
  vernier_trial_report (trial, 1, 0.5);
  vernier_trial_report (trial, 10, 1.0 / 3.0);
  vernier_trial_set_user_attr (trial, "note", json_from_string ("\"a \\\"quoted\\\" note\"", NULL));
  vernier_trial_set_user_attr (trial, "sizes", json_from_string ("[1, 2.5, null]", NULL));
  vernier_trial_set_error_message (trial, "a message\nover two lines");
  node = vernier_trial_to_json (trial);
  record = json_node_dup_object (node);
  json_object_set_string_member (record, "state", "complete");
  json_object_set_string_member (record, "end", end);
  json_object_set_string_member (record, "tuner", "tuner 1");
  g_assert_true (vernier_storage_update (storage, w, record, &error));
  g_assert_no_error (error);

  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, 0),
                                                  "tuner"), ==, "tuner 1");
  loaded = vernier_trial_new_from_json (json_array_get_object_element (records, 0), &error);
  g_assert_no_error (error);

  g_assert_cmpuint (vernier_trial_get_number (loaded), ==, 0);
  g_assert_cmpint (vernier_trial_get_state (loaded), ==, VERNIER_TRIAL_STATE_COMPLETE);
  want_params = canonical (vernier_trial_get_params (trial));
  got_params = canonical (vernier_trial_get_params (loaded));
  g_assert_cmpstr (got_params, ==, want_params);
  g_assert_true (vernier_trial_has_value (loaded));
  g_assert_cmpfloat (vernier_trial_get_value (loaded), ==, 0.1 + 0.2);
  g_assert_cmpuint (vernier_trial_get_n_reports (loaded), ==, 2);
  g_assert_true (vernier_trial_get_report (loaded, 1, &step, &value));
  g_assert_cmpint (step, ==, 10);
  g_assert_cmpfloat (value, ==, 1.0 / 3.0);
  user_attrs = vernier_trial_dup_user_attrs (trial);
  loaded_attrs = vernier_trial_dup_user_attrs (loaded);
  want_attrs = canonical (user_attrs);
  got_attrs = canonical (loaded_attrs);
  g_assert_cmpstr (got_attrs, ==, want_attrs);
  g_assert_cmpstr (vernier_trial_get_error_message (loaded), ==, "a message\nover two lines");
  g_assert_cmpint (vernier_trial_get_start_time (loaded), ==, vernier_trial_get_start_time (trial));
  g_assert_cmpint (vernier_trial_get_start_time (loaded), >, 0);
  g_assert_cmpint (vernier_trial_get_end_time (loaded), >=,
                   vernier_trial_get_start_time (loaded));
}

/* ---- across instances and processes ------------------------------------ */

static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(VernierStorage) first = storage_open (fixture, TRUE);
  g_autoptr(VernierStorage) second = NULL;
  guint w1 = add_worker (first);
  guint w2 = 0;
  g_autoptr(JsonObject) r0 = claim (first, w1, "{\"x\": 0}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);
  G_GNUC_UNUSED g_autoptr(JsonObject) r1 = claim (first, w1, "{\"x\": 1}", TRUE, 0, VERNIER_CLAIM_STARTED, 1);
  g_autoptr(JsonObject) r2 = claim (first, w1, "{\"x\": 2}", TRUE, 0, VERNIER_CLAIM_STARTED, 2);
  g_autoptr(JsonObject) r3 = NULL;
  g_autoptr(JsonArray) before = NULL, after = NULL, running = NULL;
  g_autofree gchar *since = NULL;

  finish (first, w1, r0, "complete", 0.5);
  g_assert_true (take_over (first, 1, heartbeat_of (first, 1), TRUE));
  before = load (first);
  g_assert_cmpuint (json_array_get_length (before), ==, 4);

  /* Another instance sees every record as it was written. */
  second = storage_open (fixture, FALSE);
  after = load (second);
  g_assert_cmpuint (json_array_get_length (after), ==, json_array_get_length (before));
  for (guint i = 0; i < json_array_get_length (before); i++)
    {
      g_autofree gchar *a = canonical (json_array_get_object_element (before, i));
      g_autofree gchar *b = canonical (json_array_get_object_element (after, i));

      g_assert_cmpstr (b, ==, a);
    }
  running = list_running (second);
  g_assert_cmpuint (json_array_get_length (running), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (running, 0),
                                               "number"), ==, 2);

  /* It takes part: its worker is another, its claims follow the first's,
   * and the first sees them. */
  w2 = add_worker (second);
  g_assert_cmpuint (w2, !=, w1);
  claim (second, w2, "{\"x\": 0}", TRUE, 0, VERNIER_CLAIM_DEQUEUED, 3);
  claim (second, w2, "{\"x\": 2}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);
  r3 = claim (second, w2, "{\"x\": 4}", TRUE, 0, VERNIER_CLAIM_STARTED, 4);
  finish (second, w2, r3, "complete", 0.25);
  finish (first, w1, r2, "complete", 0.75);
  since = finished_since (first, w1, 0);
  g_assert_cmpstr (since, ==, "4");
  g_assert_cmpstr (state_of (second, 2), ==, "complete");
  if (fixture->backend->check_integrity != NULL)
    fixture->backend->check_integrity (fixture);
}

/* The child of survives-kill: writes a finished trial and dies at once,
 * without closing anything. */
static void
survive_kill_child (Fixture *fixture)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 = claim (storage, w, "{\"x\": 0.5}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);
  G_GNUC_UNUSED g_autoptr(JsonObject) r1 = claim (storage, w, "{\"x\": 0.25}", TRUE, 0, VERNIER_CLAIM_STARTED, 1);

  finish (storage, w, r0, "complete", 0.75);
  raise (SIGKILL);
}

static const gchar *self_exe;

static GSubprocess *
spawn_child (Fixture     *fixture,
             const gchar *role,
             guint        index)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *index_text = g_strdup_printf ("%u", index);
  const gchar *argv[] = {
    self_exe, "--child", role, fixture->backend->name, fixture->dir, fixture->study,
    index_text, NULL
  };
  GSubprocess *child;

  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error);
  g_assert_no_error (error);
  return child;
}

static void
test_survives_kill (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GSubprocess) child = spawn_child (fixture, "kill", 0);
  g_autoptr(VernierStorage) storage = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonArray) running = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  if (fixture->backend->check_integrity != NULL)
    fixture->backend->check_integrity (fixture);
  storage = storage_open (fixture, FALSE);
  record = record_at (storage, 0);
  g_assert_cmpstr (json_object_get_string_member (record, "state"), ==, "complete");
  g_assert_cmpfloat (json_object_get_double_member (record, "value"), ==, 0.75);
  running = list_running (storage);
  g_assert_cmpuint (json_array_get_length (running), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (running, 0),
                                               "number"), ==, 1);
}

/* Reads a line from a child's stdout. */
static gchar *
read_line (GDataInputStream *in)
{
  g_autoptr(GError) error = NULL;
  gchar *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

static void
write_go (GSubprocess *child)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *in = g_subprocess_get_stdin_pipe (child);

  g_assert_true (g_output_stream_write_all (in, "go\n", 3, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (in, NULL, &error));
  g_assert_no_error (error);
}

#define N_CHILDREN 4

/* Starts N_CHILDREN children in @role, lets each get ready (it prints
 * one line) and then lets them all go at once (they read one line). */
static void
start_children (Fixture           *fixture,
                const gchar       *role,
                GSubprocess      **children,
                GDataInputStream **outputs)
{
  for (guint i = 0; i < N_CHILDREN; i++)
    {
      g_autofree gchar *ready = NULL;

      children[i] = spawn_child (fixture, role, i);
      outputs[i] = g_data_input_stream_new (g_subprocess_get_stdout_pipe (children[i]));
      ready = read_line (outputs[i]);
      g_assert_cmpstr (ready, ==, "ready");
    }
  for (guint i = 0; i < N_CHILDREN; i++)
    write_go (children[i]);
}

static void
wait_child (GSubprocess *child)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
}

static void
test_create_race (Fixture       *fixture,
                  gconstpointer  data)
{
  GSubprocess *children[N_CHILDREN];
  GDataInputStream *outputs[N_CHILDREN];
  g_autoptr(GHashTable) workers = g_hash_table_new (NULL, NULL);
  g_autofree gchar *winner = NULL;

  /* Each creates the study, on a store that may not exist yet, with a
   * description of its own: one wins, all open the same study. */
  start_children (fixture, "create", children, outputs);
  for (guint i = 0; i < N_CHILDREN; i++)
    {
      g_autofree gchar *stored = read_line (outputs[i]);
      g_autofree gchar *worker = read_line (outputs[i]);

      g_assert_nonnull (stored);
      g_assert_true (g_str_has_prefix (stored, "child "));
      if (winner == NULL)
        winner = g_strdup (stored);
      g_assert_cmpstr (stored, ==, winner);
      g_assert_nonnull (worker);
      g_assert_false (g_hash_table_contains (workers, GUINT_TO_POINTER (atoi (worker))));
      g_hash_table_add (workers, GUINT_TO_POINTER (atoi (worker)));
      wait_child (children[i]);
    }
  for (guint i = 0; i < N_CHILDREN; i++)
    {
      g_object_unref (outputs[i]);
      g_object_unref (children[i]);
    }
  if (fixture->backend->check_integrity != NULL)
    fixture->backend->check_integrity (fixture);

  {
    g_autoptr(VernierStorage) reader = storage_new (fixture);
    g_autoptr(GError) error = NULL;
    g_autofree gchar *stored = NULL;

    g_assert_true (vernier_storage_open (reader, fixture->context, "", FALSE, &stored, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (stored, ==, winner);
  }
}

/* The concurrent claim: a grid of GRID points, a budget of BUDGET, and
 * N_QUEUED trials enqueued beforehand. */
#define GRID 60
#define BUDGET 50
#define N_QUEUED 10

static void
test_concurrent_claims (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  GSubprocess *children[N_CHILDREN];
  GDataInputStream *outputs[N_CHILDREN];
  g_autoptr(GHashTable) owner = g_hash_table_new (NULL, NULL);       /* number → worker */
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) workers = g_hash_table_new (NULL, NULL);
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(JsonArray) running = NULL;
  guint n_started = 0, n_dequeued = 0;

  for (guint i = 0; i < N_QUEUED; i++)
    {
      g_autofree gchar *params = g_strdup_printf ("{\"x\": %u}", 1000 + i);

      g_assert_cmpuint (enqueue (storage, params), ==, i);
    }

  start_children (fixture, "claim", children, outputs);
  for (guint i = 0; i < N_CHILDREN; i++)
    {
      g_autofree gchar *first = read_line (outputs[i]);
      guint worker;
      gchar *line;

      g_assert_nonnull (first);
      worker = atoi (first);
      g_assert_cmpuint (worker, >=, 1);
      g_assert_false (g_hash_table_contains (workers, GUINT_TO_POINTER (worker)));
      g_hash_table_add (workers, GUINT_TO_POINTER (worker));

      /* "started N" or "dequeued N", each number once over all. */
      while ((line = read_line (outputs[i])) != NULL)
        {
          g_auto(GStrv) words = g_strsplit (line, " ", 2);
          guint number;

          g_free (line);
          g_assert_cmpuint (g_strv_length (words), ==, 2);
          number = atoi (words[1]);
          g_assert_false (g_hash_table_contains (owner, GUINT_TO_POINTER (number)));
          g_hash_table_insert (owner, GUINT_TO_POINTER (number), GUINT_TO_POINTER (worker));
          if (g_str_equal (words[0], "started"))
            n_started++;
          else
            {
              g_assert_cmpstr (words[0], ==, "dequeued");
              n_dequeued++;
            }
        }
      wait_child (children[i]);
      g_object_unref (outputs[i]);
      g_object_unref (children[i]);
    }

  /* Exactly the budget, the queue first, no grid point twice. */
  g_assert_cmpuint (n_dequeued, ==, N_QUEUED);
  g_assert_cmpuint (n_started, ==, BUDGET - N_QUEUED);
  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, BUDGET);
  for (guint i = 0; i < BUDGET; i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      gchar *key = canonical (json_object_get_object_member (record, "params"));

      g_assert_cmpstr (json_object_get_string_member (record, "state"), ==, "complete");
      g_assert_cmpint (json_object_get_int_member (record, "worker"), ==,
                       GPOINTER_TO_UINT (g_hash_table_lookup (owner, GUINT_TO_POINTER (i))));
      g_assert_false (g_hash_table_contains (keys, key));
      g_hash_table_add (keys, key);
    }
  running = list_running (storage);
  g_assert_cmpuint (json_array_get_length (running), ==, 0);
  if (fixture->backend->check_integrity != NULL)
    fixture->backend->check_integrity (fixture);
}

/* ---- the children ------------------------------------------------------ */

/* Prints a line for the parent at once. */
static void
say (const gchar *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const gchar *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static void
wait_for_go (void)
{
  gchar line[16];

  say ("ready");
  if (fgets (line, sizeof line, stdin) == NULL || !g_str_equal (line, "go\n"))
    g_error ("the parent did not say go");
}

static void
child_create (Fixture *fixture,
              guint    index)
{
  g_autoptr(VernierStorage) storage = storage_new (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *description = g_strdup_printf ("child %u", index);
  g_autofree gchar *stored = NULL;
  guint worker;

  wait_for_go ();
  if (!vernier_storage_open (storage, fixture->context, description, TRUE, &stored, &error))
    g_error ("child %u: %s", index, error->message);
  worker = vernier_storage_add_worker (storage, "host-a", getpid (), &error);
  if (worker == 0)
    g_error ("child %u: %s", index, error->message);
  say ("%s", stored);
  say ("%u", worker);
}

static void
child_claim (Fixture *fixture,
             guint    index)
{
  g_autoptr(VernierStorage) storage = storage_new (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (index);
  guint order[GRID];
  guint worker;

  if (!vernier_storage_open (storage, fixture->context, DESCRIPTION, FALSE, NULL, &error))
    g_error ("child %u: %s", index, error->message);
  worker = vernier_storage_add_worker (storage, "host-a", getpid (), &error);
  if (worker == 0)
    g_error ("child %u: %s", index, error->message);

  /* Each child walks the grid in an order of its own. */
  for (guint i = 0; i < GRID; i++)
    order[i] = i;
  for (guint i = GRID - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      guint t = order[i];

      order[i] = order[j];
      order[j] = t;
    }

  wait_for_go ();
  say ("%u", worker);
  for (guint i = 0; i < GRID;)
    {
      g_autofree gchar *text = g_strdup_printf ("{\"x\": %u}", order[i]);
      g_autoptr(JsonNode) node = json_from_string (text, NULL);
      g_autoptr(JsonObject) record = NULL;
      g_autoptr(JsonObject) done = NULL;
      VernierClaim result;

      result = vernier_storage_claim (storage, worker, json_node_get_object (node), TRUE,
                                      BUDGET, &record, &error);
      if (error != NULL)
        g_error ("child %u: %s", index, error->message);
      if (result == VERNIER_CLAIM_SPENT)
        break;
      if (result == VERNIER_CLAIM_DUPLICATE)
        {
          i++;
          continue;
        }
      if (result != VERNIER_CLAIM_STARTED && result != VERNIER_CLAIM_DEQUEUED)
        g_error ("child %u: unexpected claim result %d", index, result);
      /* A dequeued trial leaves the grid point to propose again. */
      if (result == VERNIER_CLAIM_STARTED)
        i++;
      done = finished (record, "complete", 0.5);
      if (!vernier_storage_update (storage, worker, done, &error))
        g_error ("child %u: %s", index, error->message);
      say ("%s %" G_GINT64_FORMAT, result == VERNIER_CLAIM_STARTED ? "started" : "dequeued",
           json_object_get_int_member (record, "number"));
    }
}

static int
child_main (int    argc,
            char **argv)
{
  const Backend *backend;
  Fixture fixture = { 0, };
  guint index;

  /* --child ROLE STORAGE DIR STUDY INDEX */
  if (argc != 7 || (backend = find_backend (argv[3])) == NULL)
    g_error ("usage: %s --child ROLE STORAGE DIR STUDY INDEX", argv[0]);
  index = atoi (argv[6]);
  fixture_init (&fixture, backend, argv[4], argv[5]);

  if (g_str_equal (argv[2], "create"))
    child_create (&fixture, index);
  else if (g_str_equal (argv[2], "claim"))
    child_claim (&fixture, index);
  else if (g_str_equal (argv[2], "kill"))
    survive_kill_child (&fixture);
  else
    g_error ("unknown child role %s", argv[2]);

  fixture_clear (&fixture);
  return 0;
}

/* ---- SQLite only ------------------------------------------------------- */

static VernierStorage *
sqlite_new_with_path (const gchar *path)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object = vernier_registry_create (registry, "storage", "sqlite", &error);

  g_assert_no_error (error);
  g_object_set (object, "path", path, NULL);
  return VERNIER_STORAGE (object);
}

static void
assert_open_fails (VernierStorage *storage,
                   Fixture        *fixture,
                   const gchar    *file,
                   const gchar    *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *prefix = g_strdup_printf ("sqlite %s: ", file);

  g_assert_false (vernier_storage_open (storage, fixture->context, DESCRIPTION, TRUE, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, reason));
}

static void
test_sqlite_default_path (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(VernierContext) context = context_new ("group/run 1", fixture->dir);
  g_autoptr(VernierStorage) storage = sqlite_new_with_path (NULL);
  g_autoptr(VernierStorage) nested = sqlite_new_with_path ("results/db/x.db");
  g_autoptr(VernierStorage) missing = sqlite_new_with_path ("missing.db");
  g_autofree gchar *expected = g_build_filename (fixture->dir, "group_run 1.db", NULL);
  g_autofree gchar *nested_file = g_build_filename (fixture->dir, "results", "db", "x.db", NULL);
  g_autofree gchar *missing_file = g_build_filename (fixture->dir, "missing.db", NULL);
  g_autoptr(GError) error = NULL;

  /* NAME.db beside the study file. */
  g_assert_true (vernier_storage_open (storage, context, DESCRIPTION, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));

  /* A relative path is relative to the study file; directories are made. */
  g_assert_true (vernier_storage_open (nested, fixture->context, DESCRIPTION, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (nested_file, G_FILE_TEST_IS_REGULAR));

  /* A study that is only read makes no file. */
  g_assert_false (vernier_storage_open (missing, fixture->context, DESCRIPTION, FALSE, NULL,
                                        &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_assert_false (g_file_test (missing_file, G_FILE_TEST_EXISTS));
}

static void
test_sqlite_not_a_database (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree gchar *text_file = g_build_filename (fixture->dir, "notes.txt", NULL);
  g_autofree gchar *foreign_file = g_build_filename (fixture->dir, "foreign.db", NULL);
  g_autofree gchar *content = NULL;
  g_autoptr(VernierStorage) directory = sqlite_new_with_path (fixture->dir);
  g_autoptr(VernierStorage) text = sqlite_new_with_path (text_file);
  g_autoptr(VernierStorage) foreign = sqlite_new_with_path ("foreign.db");
  const gchar *notes = "These are notes, not a database. They are long enough to "
                       "hold a SQLite header, if they were one, and they are not.\n";
  sqlite3 *db;

  assert_open_fails (directory, fixture, fixture->dir, "is a directory");

  g_assert_true (g_file_set_contents (text_file, notes, -1, NULL));
  assert_open_fails (text, fixture, text_file, "not a SQLite database");
  /* Left as it was. */
  g_assert_true (g_file_get_contents (text_file, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, notes);

  db = sqlite_connect (foreign_file);
  sqlite_exec (db, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)");
  sqlite3_close (db);
  assert_open_fails (foreign, fixture, foreign_file, "not a Vernier database");
}

static void
test_newer_schema (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(VernierStorage) first = storage_open (fixture, TRUE);
  g_autoptr(VernierStorage) second = storage_new (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *expected =
    g_strdup_printf ("written by a newer Vernier (schema %d, this one knows up to %d)",
                     VERNIER_STORAGE_SCHEMA_VERSION + 1, VERNIER_STORAGE_SCHEMA_VERSION);

  g_clear_object (&first);
  fixture->backend->set_schema_version (fixture, VERNIER_STORAGE_SCHEMA_VERSION + 1);
  g_assert_false (vernier_storage_open (second, fixture->context, DESCRIPTION, TRUE, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_sqlite_locked (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  g_autofree gchar *file = sqlite_file (fixture);
  g_autofree gchar *mode = NULL;
  g_autofree gchar *prefix = g_strdup_printf ("sqlite %s: ", file);
  g_autoptr(JsonObject) proposal = object_from_json ("{\"x\": 0.5}");
  g_autoptr(JsonObject) r0 = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint w = add_worker (storage);
  sqlite3 *db = sqlite_connect (file);

  /* The file is in WAL mode: readers do not wait for a writer. */
  mode = sqlite_query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");

  /* Another process holds the write lock longer than busy-timeout. */
  g_object_set (storage, "busy-timeout", (gint64) 50 * 1000, NULL);
  sqlite_exec (db, "BEGIN IMMEDIATE");
  g_assert_cmpint (vernier_storage_claim (storage, w, proposal, TRUE, 0, NULL, &error),
                   ==, VERNIER_CLAIM_EMPTY);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, "database is locked after 50ms"));
  g_clear_error (&error);
  records = vernier_storage_load (storage, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (records), ==, 0);

  /* Once it lets go, the same call goes through. */
  sqlite_exec (db, "ROLLBACK");
  r0 = claim (storage, w, "{\"x\": 0.5}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);
  sqlite3_close (db);
}

/* ---- PostgreSQL only --------------------------------------------------- */

/* "postgresql HOST:PORT/DBNAME: ", how the plugin's errors begin. */
static gchar *
postgresql_prefix (const gchar *uri)
{
  PQconninfoOption *options = PQconninfoParse (uri, NULL);
  const gchar *host = NULL, *port = NULL, *dbname = NULL;
  gchar *prefix;

  g_assert_nonnull (options);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (g_str_equal (o->keyword, "host"))
        host = o->val;
      else if (g_str_equal (o->keyword, "port"))
        port = o->val;
      else if (g_str_equal (o->keyword, "dbname"))
        dbname = o->val;
    }
  g_assert_nonnull (host);
  g_assert_nonnull (port);
  g_assert_nonnull (dbname);
  prefix = g_strdup_printf ("postgresql %s:%s/%s: ", host, port, dbname);
  PQconninfoFree (options);
  return prefix;
}

/* Ends the server process of every connection the plugin has open. */
static void
terminate_plugin_connections (void)
{
  PGconn *conn = postgresql_connect ();
  PGresult *result = PQexec (conn,
                             "SELECT pg_terminate_backend (pid, 10000) FROM pg_stat_activity"
                             " WHERE application_name = 'vernier' AND pid <> pg_backend_pid ()");

  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  /* One storage instance, one connection. */
  g_assert_cmpint (PQntuples (result), ==, 1);
  g_assert_cmpstr (PQgetvalue (result, 0, 0), ==, "t");
  PQclear (result);
  PQfinish (conn);
}

static void
test_postgresql_reconnect (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 = claim (storage, w, "{\"x\": 0}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GError) error = NULL;
  gint64 heartbeat;

  /* The server ends the connection (a restart, an administrator, a
   * network blip) between two calls: each call reconnects and goes on,
   * and does what it was asked once. */
  terminate_plugin_connections ();
  finish (storage, w, r0, "complete", 0.5);
  terminate_plugin_connections ();
  r1 = claim (storage, w, "{\"x\": 1}", TRUE, 0, VERNIER_CLAIM_STARTED, 1);
  terminate_plugin_connections ();
  claim (storage, w, "{\"x\": 0}", TRUE, 0, VERNIER_CLAIM_DUPLICATE, -1);
  terminate_plugin_connections ();
  g_assert_true (vernier_storage_heartbeat (storage, w, &error));
  g_assert_no_error (error);
  terminate_plugin_connections ();
  g_assert_cmpuint (enqueue (storage, "{\"x\": 2}"), ==, 2);
  heartbeat = heartbeat_of (storage, 1);
  terminate_plugin_connections ();
  g_assert_true (take_over (storage, 1, heartbeat, TRUE));

  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 4);
  g_assert_cmpstr (state_of (storage, 0), ==, "complete");
  g_assert_cmpstr (state_of (storage, 1), ==, "failed");
  g_assert_cmpstr (state_of (storage, 2), ==, "waiting");
  g_assert_cmpstr (state_of (storage, 3), ==, "waiting");
  postgresql_check_integrity (fixture);
}

static void
test_postgresql_lost_at_commit (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  guint w = add_worker (storage);
  g_autoptr(JsonObject) params = object_from_json ("{\"x\": 0.5}");
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) r0 = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GError) error = NULL;
  PGconn *conn = postgresql_connect ();

  /* Every other commit that writes a trial ends its connection at the
   * last moment, before anything is committed: the server's process
   * dies as the client waits for COMMIT's answer. (A sequence counts: it
   * keeps counting when the transaction rolls back.) */
  PQclear (postgresql_exec (conn, fixture, "CREATE SEQUENCE {schema}.commits", 0, NULL));
  PQclear (postgresql_exec (conn, fixture,
                            "CREATE FUNCTION {schema}.vanish () RETURNS trigger"
                            " LANGUAGE plpgsql AS $$ BEGIN"
                            "  IF nextval ('{schema}.commits') % 2 = 1 THEN"
                            "    PERFORM pg_terminate_backend (pg_backend_pid ());"
                            "    PERFORM pg_sleep (10);"
                            "  END IF;"
                            "  RETURN NULL;"
                            " END $$", 0, NULL));
  PQclear (postgresql_exec (conn, fixture,
                            "CREATE CONSTRAINT TRIGGER vanish"
                            " AFTER INSERT OR UPDATE ON {schema}.trials"
                            " DEFERRABLE INITIALLY DEFERRED"
                            " FOR EACH ROW EXECUTE FUNCTION {schema}.vanish ()", 0, NULL));
  PQfinish (conn);

  /* A claim cannot know whether its commit went through: it says so and
   * is not run again, which could start a second trial. */
  g_assert_cmpint (vernier_storage_claim (storage, w, params, TRUE, 0, &record, &error),
                   ==, VERNIER_CLAIM_EMPTY);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "whether it was recorded is unknown"));
  g_assert_null (record);
  g_clear_error (&error);
  records = load (storage);
  g_assert_cmpuint (json_array_get_length (records), ==, 0);

  /* The next claim goes through on a new connection. */
  r0 = claim (storage, w, "{\"x\": 0.5}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);

  /* An update can run again safely: it does, and succeeds. */
  finish (storage, w, r0, "complete", 0.25);
  g_assert_cmpstr (state_of (storage, 0), ==, "complete");
  postgresql_check_integrity (fixture);
}

static void
test_postgresql_errors (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(VernierStorage) storage = storage_open (fixture, TRUE);
  g_autoptr(VernierStorage) nowhere = storage_new (fixture);
  g_autoptr(VernierStorage) empty = storage_new (fixture);
  g_autofree gchar *prefix = postgresql_prefix (postgresql_uri ());
  guint w = add_worker (storage);
  g_autoptr(JsonObject) r0 = claim (storage, w, "{\"x\": 0}", TRUE, 0, VERNIER_CLAIM_STARTED, 0);
  g_autoptr(JsonObject) done = finished (r0, "complete", 0.5);
  g_autoptr(GError) error = NULL;

  /* A refused call names the server. */
  g_assert_false (vernier_storage_update (storage, w + 1, done, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, "trial 0"));
  g_clear_error (&error);

  /* A server that is not there: named, without the password. Port 1 of
   * the loopback refuses at once. */
  g_object_set (nowhere, "uri", "postgresql://someone:sekrit@127.0.0.1:1/studies", NULL);
  g_assert_false (vernier_storage_open (nowhere, fixture->context, DESCRIPTION, TRUE, NULL,
                                        &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "postgresql 127.0.0.1:1/studies: "));
  g_assert_null (strstr (error->message, "sekrit"));
  g_clear_error (&error);

  /* No schema: a configuration mistake. */
  g_object_set (empty, "schema", "", NULL);
  g_assert_false (vernier_storage_open (empty, fixture->context, DESCRIPTION, TRUE, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
}

/* ---- main -------------------------------------------------------------- */

static void
add_test (const Backend *backend,
          const gchar   *what,
          void         (*func) (Fixture *, gconstpointer))
{
  g_autofree gchar *path = g_strdup_printf ("/vernier/storage/%s/%s", backend->name, what);

  g_test_add (path, Fixture, backend, fixture_set_up, func, fixture_tear_down);
}

static void
add_tests (const Backend *backend)
{
  add_test (backend, "open", test_open);
  add_test (backend, "numbers", test_numbers);
  add_test (backend, "claim-order", test_claim_order);
  add_test (backend, "budget", test_budget);
  add_test (backend, "unique", test_unique);
  add_test (backend, "update-owner", test_update_owner);
  add_test (backend, "release", test_release);
  add_test (backend, "heartbeat", test_heartbeat);
  add_test (backend, "take-over", test_take_over);
  add_test (backend, "enqueue", test_enqueue);
  add_test (backend, "finished-since", test_finished_since);
  add_test (backend, "load-round-trip", test_load_round_trip);
  if (backend->set_schema_version != NULL)
    add_test (backend, "newer-schema", test_newer_schema);
  if (backend->shared)
    {
      add_test (backend, "reopen", test_reopen);
      add_test (backend, "survives-kill", test_survives_kill);
      add_test (backend, "create-race", test_create_race);
      add_test (backend, "concurrent-claims", test_concurrent_claims);
    }
  if (g_str_equal (backend->name, "postgresql"))
    {
      add_test (backend, "reconnect", test_postgresql_reconnect);
      add_test (backend, "lost-at-commit", test_postgresql_lost_at_commit);
      add_test (backend, "errors", test_postgresql_errors);
    }
  if (g_str_equal (backend->name, "sqlite"))
    {
      add_test (backend, "default-path", test_sqlite_default_path);
      add_test (backend, "not-a-database", test_sqlite_not_a_database);
      add_test (backend, "locked", test_sqlite_locked);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  int kept = 1;

  self_exe = exe != NULL ? exe : argv[0];
  if (argc > 1 && g_str_equal (argv[1], "--child"))
    return child_main (argc, argv);

  /* --storage NAME, --storage=NAME: ours, taken out before GTest's. */
  for (int i = 1; i < argc; i++)
    {
      const gchar *name = NULL;

      if (g_str_equal (argv[i], "--storage") && i + 1 < argc)
        name = argv[++i];
      else if (g_str_has_prefix (argv[i], "--storage="))
        name = argv[i] + strlen ("--storage=");
      else
        {
          argv[kept++] = argv[i];
          continue;
        }
      if (find_backend (name) == NULL)
        g_error ("unknown storage '%s' (known: memory, sqlite, postgresql)", name);
      g_ptr_array_add (chosen, (gpointer) find_backend (name));
    }
  argv[kept] = NULL;
  argc = kept;

  g_test_init (&argc, &argv, NULL);

  if (chosen->len == 0)
    {
      g_ptr_array_add (chosen, (gpointer) find_backend ("memory"));
      g_ptr_array_add (chosen, (gpointer) find_backend ("sqlite"));
    }
  for (guint i = 0; i < chosen->len; i++)
    add_tests (g_ptr_array_index (chosen, i));

  return g_test_run ();
}
