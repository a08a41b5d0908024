/* Tests of the built-in observers: jsonl, log and progress, loaded through
 * the registry as a study loads them and driven with real trials. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vernier-core.h"

#define STUDY_NAME "observed"

/* Fixtures */

static VernierContext *
make_context (const gchar      *base_dir,
              VernierDirection  direction)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", direction);
  g_autoptr(VernierDimension) x = NULL;
  g_autoptr(GError) error = NULL;

  x = vernier_dimension_new_float ("x", -5, 5, FALSE, 0, &error);
  g_assert_no_error (error);
  vernier_space_add (space, x, &error);
  g_assert_no_error (error);

  return vernier_context_new (STUDY_NAME, space, objective, 1, base_dir);
}

static VernierObserver *
create_observer (const gchar *name)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "observer", name, &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_OBSERVER (object));
  return VERNIER_OBSERVER (object);
}

static VernierTrial *
start_trial (guint   number,
             gdouble x)
{
  g_autoptr(JsonObject) params = json_object_new ();
  VernierTrial *trial;

  json_object_set_double_member (params, "x", x);
  trial = vernier_trial_new (number, params);
  vernier_trial_mark_started (trial);
  return trial;
}

static void
complete_trial (VernierTrial *trial,
                gdouble       value)
{
  vernier_trial_set_value (trial, value);
  vernier_trial_mark_finished (trial, VERNIER_TRIAL_STATE_COMPLETE);
}

static void
fail_trial (VernierTrial      *trial,
            VernierTrialState  state,
            const gchar       *message)
{
  vernier_trial_set_error_message (trial, message);
  vernier_trial_mark_finished (trial, state);
}

static void
remove_tree (const gchar *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static gchar *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  gchar *dir = g_dir_make_tmp ("vernier-observers-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* jsonl */

/* The lines of @path, each parsed; asserts every line is one JSON object. */
static GPtrArray *
read_jsonl (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  if (*contents != '\0')
    g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      root = json_parser_get_root (parser);
      g_assert_nonnull (root);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
      g_ptr_array_add (objects, json_object_ref (json_node_get_object (root)));
    }
  return objects;
}

static JsonObject *
last_line (GPtrArray *lines)
{
  g_assert_cmpuint (lines->len, >, 0);
  return g_ptr_array_index (lines, lines->len - 1);
}

static VernierObserver *
prepare_jsonl (VernierContext *context,
               const gchar    *path)
{
  g_autoptr(GError) error = NULL;
  VernierObserver *observer = create_observer ("jsonl");

  g_object_set (observer, "path", path, NULL);
  vernier_observer_prepare (observer, context, &error);
  g_assert_no_error (error);
  return observer;
}

static void
test_jsonl_events (void)
{
  g_autofree gchar *dir = make_tmp_dir ();
  g_autofree gchar *path = g_build_filename (dir, "events.jsonl", NULL);
  g_autoptr(VernierContext) context = make_context (dir, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierObserver) observer = NULL;
  g_autoptr(VernierTrial) t0 = NULL;
  g_autoptr(VernierTrial) t1 = NULL;
  g_autoptr(GDateTime) stamp = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *line;
  JsonObject *attrs;
  JsonArray *intermediate;
  JsonArray *point;
  JsonObject *best;

  /* Relative to the study file's directory, not to the current one. */
  observer = prepare_jsonl (context, "events.jsonl");

  t0 = start_trial (0, 1.5);
  vernier_observer_trial_started (observer, t0);

  /* On disk as soon as the call returns. */
  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 1);
  line = last_line (lines);
  g_assert_cmpstr (json_object_get_string_member (line, "event"), ==, "trial-started");
  g_assert_cmpstr (json_object_get_string_member (line, "study"), ==, STUDY_NAME);
  g_assert_cmpint (json_object_get_int_member (line, "trial"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (line, "params"), "x"), ==, 1.5);
  stamp = g_date_time_new_from_iso8601 (json_object_get_string_member (line, "time"), NULL);
  g_assert_nonnull (stamp);

  t1 = start_trial (1, -2.25);
  vernier_observer_trial_started (observer, t1);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpint (json_object_get_int_member (last_line (lines), "trial"), ==, 1);

  vernier_trial_report (t0, 1, 0.9);
  vernier_trial_report (t0, 2, 0.75);
  {
    JsonNode *note = json_node_new (JSON_NODE_VALUE);

    json_node_set_string (note, "warm start");
    vernier_trial_set_user_attr (t0, "note", note);
  }
  complete_trial (t0, 0.5);
  vernier_observer_trial_finished (observer, t0);

  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 3);
  line = last_line (lines);
  g_assert_cmpstr (json_object_get_string_member (line, "event"), ==, "trial-finished");
  g_assert_cmpstr (json_object_get_string_member (line, "study"), ==, STUDY_NAME);
  g_assert_cmpint (json_object_get_int_member (line, "trial"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "complete");
  g_assert_cmpfloat (json_object_get_double_member (line, "value"), ==, 0.5);
  g_assert_cmpfloat (json_object_get_double_member (line, "duration"), >=, 0);
  g_assert_true (json_object_get_null_member (line, "error"));
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (line, "params"), "x"), ==, 1.5);
  intermediate = json_object_get_array_member (line, "intermediate");
  g_assert_cmpuint (json_array_get_length (intermediate), ==, 2);
  point = json_array_get_array_element (intermediate, 1);
  g_assert_cmpint (json_array_get_int_element (point, 0), ==, 2);
  g_assert_cmpfloat (json_array_get_double_element (point, 1), ==, 0.75);
  attrs = json_object_get_object_member (line, "user-attrs");
  g_assert_cmpstr (json_object_get_string_member (attrs, "note"), ==, "warm start");

  fail_trial (t1, VERNIER_TRIAL_STATE_FAILED,
              "trial 1: command exited with status 3: out of memory");
  vernier_observer_trial_finished (observer, t1);

  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 4);
  line = last_line (lines);
  g_assert_cmpstr (json_object_get_string_member (line, "event"), ==, "trial-finished");
  g_assert_cmpint (json_object_get_int_member (line, "trial"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "failed");
  g_assert_true (json_object_get_null_member (line, "value"));
  g_assert_cmpstr (json_object_get_string_member (line, "error"), ==,
                   "trial 1: command exited with status 3: out of memory");
  g_assert_false (json_object_has_member (line, "intermediate"));
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (line, "user-attrs")), ==, 0);

  vernier_observer_study_finished (observer, t0, NULL);

  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 5);
  line = last_line (lines);
  g_assert_cmpstr (json_object_get_string_member (line, "event"), ==, "study-finished");
  g_assert_cmpstr (json_object_get_string_member (line, "study"), ==, STUDY_NAME);
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "finished");
  g_assert_true (json_object_get_null_member (line, "error"));
  best = json_object_get_object_member (line, "best");
  g_assert_nonnull (best);
  g_assert_cmpint (json_object_get_int_member (best, "number"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (best, "value"), ==, 0.5);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (best, "params"), "x"), ==, 1.5);

  /* In the order they happened. */
  {
    const gchar *expected[][2] = {
      { "trial-started", "0" },
      { "trial-started", "1" },
      { "trial-finished", "0" },
      { "trial-finished", "1" },
      { "study-finished", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        JsonObject *l = g_ptr_array_index (lines, i);

        g_assert_cmpstr (json_object_get_string_member (l, "event"), ==, expected[i][0]);
        if (expected[i][1] != NULL)
          g_assert_cmpint (json_object_get_int_member (l, "trial"), ==,
                           g_ascii_strtoll (expected[i][1], NULL, 10));
      }
  }

  g_clear_object (&observer);
  remove_tree (dir);
}

static void
test_jsonl_study_failed (void)
{
  g_autofree gchar *dir = make_tmp_dir ();
  g_autofree gchar *path = g_build_filename (dir, "failed.jsonl", NULL);
  g_autoptr(VernierContext) context = make_context (dir, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierObserver) observer = NULL;
  g_autoptr(GError) reason = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  JsonObject *line;

  /* An absolute path is taken as it is. */
  observer = prepare_jsonl (context, path);

  reason = g_error_new_literal (VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                                "all 3 trials failed");
  vernier_observer_study_finished (observer, NULL, reason);

  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 1);
  line = last_line (lines);
  g_assert_cmpstr (json_object_get_string_member (line, "event"), ==, "study-finished");
  g_assert_cmpstr (json_object_get_string_member (line, "state"), ==, "failed");
  g_assert_true (json_object_get_null_member (line, "best"));
  g_assert_cmpstr (json_object_get_string_member (line, "error"), ==, "all 3 trials failed");

  g_clear_object (&observer);
  remove_tree (dir);
}

static void
test_jsonl_append (void)
{
  g_autofree gchar *dir = make_tmp_dir ();
  g_autofree gchar *path = g_build_filename (dir, "runs.jsonl", NULL);
  g_autoptr(VernierContext) context = make_context (dir, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierObserver) observer = NULL;
  g_autoptr(VernierTrial) trial = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GError) error = NULL;
  gboolean append = FALSE;

  g_file_set_contents (path, "{\"event\":\"from-an-earlier-run\"}\n", -1, &error);
  g_assert_no_error (error);

  /* By default the file grows. */
  observer = create_observer ("jsonl");
  g_object_get (observer, "append", &append, NULL);
  g_assert_true (append);
  g_object_set (observer, "path", "runs.jsonl", NULL);
  vernier_observer_prepare (observer, context, &error);
  g_assert_no_error (error);

  trial = start_trial (0, 0);
  vernier_observer_trial_started (observer, trial);
  g_clear_object (&observer);

  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (lines, 0), "event"), ==,
                   "from-an-earlier-run");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (lines, 1), "event"), ==,
                   "trial-started");

  /* append=false empties it when the study starts. */
  observer = create_observer ("jsonl");
  g_object_set (observer, "path", "runs.jsonl", "append", FALSE, NULL);
  vernier_observer_prepare (observer, context, &error);
  g_assert_no_error (error);

  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 0);

  vernier_observer_trial_started (observer, trial);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = read_jsonl (path);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (last_line (lines), "event"), ==,
                   "trial-started");

  g_clear_object (&observer);
  remove_tree (dir);
}

static void
test_jsonl_bad_path (void)
{
  g_autofree gchar *dir = make_tmp_dir ();
  g_autofree gchar *path = g_build_filename (dir, "no-such-dir", "events.jsonl", NULL);
  g_autoptr(VernierContext) context = make_context (dir, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierObserver) observer = create_observer ("jsonl");
  g_autoptr(GError) error = NULL;

  g_object_set (observer, "path", "no-such-dir/events.jsonl", NULL);
  g_assert_false (vernier_observer_prepare (observer, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  /* The full path, and why. */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_clear_object (&observer);
  remove_tree (dir);
}

static void
test_jsonl_missing_path (void)
{
  g_autofree gchar *dir = make_tmp_dir ();
  g_autoptr(VernierContext) context = make_context (dir, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierObserver) observer = create_observer ("jsonl");
  g_autoptr(GError) error = NULL;

  g_assert_false (vernier_observer_prepare (observer, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "path"));

  g_clear_object (&observer);
  remove_tree (dir);
}

static void
test_jsonl_write_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierContext) context = make_context (NULL, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierObserver) observer = NULL;

      /* Opens fine; every write fails with ENOSPC. */
      observer = prepare_jsonl (context, "/dev/full");
      for (guint i = 0; i < 3; i++)
        {
          g_autoptr(VernierTrial) trial = start_trial (i, i);

          vernier_observer_trial_started (observer, trial);
          complete_trial (trial, i);
          vernier_observer_trial_finished (observer, trial);
        }
      vernier_observer_study_finished (observer, NULL, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  /* The study goes on, and the user hears of it once. */
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*/dev/full*No space left on device*");
  g_test_trap_assert_stderr_unmatched ("*No space left on device*No space left on device*");
}

/* log */

typedef struct
{
  GLogLevelFlags level;
  GHashTable *fields;   /* key → value, both strings */
} LogRecord;

static GPtrArray *log_records;

static void
log_record_free (LogRecord *record)
{
  g_hash_table_unref (record->fields);
  g_free (record);
}

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  LogRecord *record;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0 &&
        g_strcmp0 (fields[i].value, "Vernier-log") != 0)
      return g_log_writer_default (level, fields, n_fields, user_data);

  record = g_new0 (LogRecord, 1);
  record->level = level & G_LOG_LEVEL_MASK;
  record->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (gsize i = 0; i < n_fields; i++)
    {
      g_assert_cmpint (fields[i].length, <, 0);
      g_hash_table_insert (record->fields, g_strdup (fields[i].key),
                           g_strdup (fields[i].value));
    }
  g_ptr_array_add (log_records, record);
  return G_LOG_WRITER_HANDLED;
}

static void
install_record_writer (void)
{
  log_records = g_ptr_array_new_with_free_func ((GDestroyNotify) log_record_free);
  g_log_set_writer_func (record_writer, NULL, NULL);
}

static const gchar *
field (guint        index,
       const gchar *key)
{
  LogRecord *record;

  g_assert_cmpuint (index, <, log_records->len);
  record = g_ptr_array_index (log_records, index);
  return g_hash_table_lookup (record->fields, key);
}

static GLogLevelFlags
record_level (guint index)
{
  g_assert_cmpuint (index, <, log_records->len);
  return ((LogRecord *) g_ptr_array_index (log_records, index))->level;
}

static gdouble
field_double (guint        index,
              const gchar *key)
{
  const gchar *text = field (index, key);
  gchar *end = NULL;
  gdouble value;

  g_assert_nonnull (text);
  value = g_ascii_strtod (text, &end);
  g_assert_cmpstr (end, ==, "");
  return value;
}

static void
test_log_fields (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierContext) context = make_context (NULL, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierObserver) observer = create_observer ("log");
      g_autoptr(VernierTrial) t3 = NULL;
      g_autoptr(VernierTrial) t4 = NULL;
      g_autoptr(JsonNode) params = NULL;
      g_autoptr(GError) error = NULL;

      install_record_writer ();
      vernier_observer_prepare (observer, context, &error);
      g_assert_no_error (error);

      t3 = start_trial (3, 0.5);
      vernier_observer_trial_started (observer, t3);
      g_assert_cmpuint (log_records->len, ==, 1);
      g_assert_cmpint (record_level (0), ==, G_LOG_LEVEL_INFO);
      g_assert_cmpstr (field (0, "GLIB_DOMAIN"), ==, "Vernier-log");
      g_assert_cmpstr (field (0, "PRIORITY"), ==, "6");
      g_assert_cmpstr (field (0, "VERNIER_EVENT"), ==, "trial-started");
      g_assert_cmpstr (field (0, "VERNIER_STUDY"), ==, STUDY_NAME);
      g_assert_cmpstr (field (0, "VERNIER_TRIAL"), ==, "3");
      params = json_from_string (field (0, "VERNIER_PARAMS"), &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (params), "x"), ==, 0.5);
      g_assert_nonnull (strstr (field (0, "MESSAGE"), "3"));

      complete_trial (t3, 0.125);
      vernier_observer_trial_finished (observer, t3);
      g_assert_cmpuint (log_records->len, ==, 2);
      g_assert_cmpint (record_level (1), ==, G_LOG_LEVEL_INFO);
      g_assert_cmpstr (field (1, "VERNIER_EVENT"), ==, "trial-finished");
      g_assert_cmpstr (field (1, "VERNIER_TRIAL"), ==, "3");
      g_assert_cmpstr (field (1, "VERNIER_STATE"), ==, "complete");
      g_assert_cmpfloat (field_double (1, "VERNIER_VALUE"), ==, 0.125);
      g_assert_cmpfloat (field_double (1, "VERNIER_DURATION"), >=, 0);
      g_assert_null (field (1, "VERNIER_ERROR"));
      g_assert_nonnull (strstr (field (1, "MESSAGE"), "0.125"));

      /* A failed trial is an event like another, not a warning. */
      t4 = start_trial (4, -1);
      vernier_observer_trial_started (observer, t4);
      fail_trial (t4, VERNIER_TRIAL_STATE_FAILED,
                  "trial 4: command exited with status 3");
      vernier_observer_trial_finished (observer, t4);
      g_assert_cmpuint (log_records->len, ==, 4);
      g_assert_cmpint (record_level (3), ==, G_LOG_LEVEL_INFO);
      g_assert_cmpstr (field (3, "VERNIER_STATE"), ==, "failed");
      g_assert_cmpstr (field (3, "VERNIER_TRIAL"), ==, "4");
      g_assert_null (field (3, "VERNIER_VALUE"));
      g_assert_cmpstr (field (3, "VERNIER_ERROR"), ==, "trial 4: command exited with status 3");
      g_assert_nonnull (strstr (field (3, "MESSAGE"), "command exited with status 3"));

      /* The result, at MESSAGE level. */
      vernier_observer_study_finished (observer, t3, NULL);
      g_assert_cmpuint (log_records->len, ==, 5);
      g_assert_cmpint (record_level (4), ==, G_LOG_LEVEL_MESSAGE);
      g_assert_cmpstr (field (4, "PRIORITY"), ==, "5");
      g_assert_cmpstr (field (4, "VERNIER_EVENT"), ==, "study-finished");
      g_assert_cmpstr (field (4, "VERNIER_STATE"), ==, "finished");
      g_assert_cmpstr (field (4, "VERNIER_TRIAL"), ==, "3");
      g_assert_cmpfloat (field_double (4, "VERNIER_VALUE"), ==, 0.125);
      g_assert_nonnull (field (4, "VERNIER_PARAMS"));
      g_assert_nonnull (strstr (field (4, "MESSAGE"), STUDY_NAME));
      g_assert_nonnull (strstr (field (4, "MESSAGE"), "0.125"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_log_study_failed (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierContext) context = make_context (NULL, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierObserver) observer = create_observer ("log");
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) reason = NULL;

      install_record_writer ();
      vernier_observer_prepare (observer, context, &error);
      g_assert_no_error (error);

      reason = g_error_new_literal (VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                                    "all 2 trials failed");
      vernier_observer_study_finished (observer, NULL, reason);
      g_assert_cmpuint (log_records->len, ==, 1);
      g_assert_cmpint (record_level (0), ==, G_LOG_LEVEL_MESSAGE);
      g_assert_cmpstr (field (0, "VERNIER_STATE"), ==, "failed");
      g_assert_cmpstr (field (0, "VERNIER_ERROR"), ==, "all 2 trials failed");
      g_assert_null (field (0, "VERNIER_TRIAL"));
      g_assert_nonnull (strstr (field (0, "MESSAGE"), "all 2 trials failed"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static VernierObserver *
observer_from_study_file (const gchar  *group_text,
                          GError      **error)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  GObject *object;

  g_key_file_load_from_data (key_file, group_text, -1, G_KEY_FILE_NONE, &local_error);
  g_assert_no_error (local_error);
  object = vernier_config_create_plugin (registry, "observer", key_file,
                                         "observer log", NULL, "study.ini",
                                         error);
  return object != NULL ? VERNIER_OBSERVER (object) : NULL;
}

static void
test_log_level (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierContext) context = make_context (NULL, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierObserver) observer = NULL;
      g_autoptr(VernierObserver) bad = NULL;
      g_autoptr(VernierTrial) trial = NULL;
      g_autoptr(GError) error = NULL;

      install_record_writer ();

      /* As a study file sets it: by nick. */
      observer = observer_from_study_file ("[observer log]\nplugin=log\nlevel=debug\n",
                                           &error);
      g_assert_no_error (error);
      vernier_observer_prepare (observer, context, &error);
      g_assert_no_error (error);

      trial = start_trial (0, 1);
      vernier_observer_trial_started (observer, trial);
      complete_trial (trial, 2);
      vernier_observer_trial_finished (observer, trial);
      vernier_observer_study_finished (observer, trial, NULL);

      g_assert_cmpuint (log_records->len, ==, 3);
      g_assert_cmpint (record_level (0), ==, G_LOG_LEVEL_DEBUG);
      g_assert_cmpstr (field (0, "PRIORITY"), ==, "7");
      g_assert_cmpint (record_level (1), ==, G_LOG_LEVEL_DEBUG);
      /* The result of the study stays a message. */
      g_assert_cmpint (record_level (2), ==, G_LOG_LEVEL_MESSAGE);

      /* No such level: refused, naming the valid ones. */
      bad = observer_from_study_file ("[observer log]\nplugin=log\nlevel=loud\n",
                                      &error);
      g_assert_null (bad);
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
      g_assert_nonnull (strstr (error->message, "message"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* progress */

/* Sends stdout to a file, to read back what was drawn. */
static gchar *
capture_stdout (void)
{
  g_autoptr(GError) error = NULL;
  gchar *path = NULL;
  int fd;

  fd = g_file_open_tmp ("vernier-progress-XXXXXX", &path, &error);
  g_assert_no_error (error);
  fflush (stdout);
  g_assert_cmpint (dup2 (fd, STDOUT_FILENO), ==, STDOUT_FILENO);
  close (fd);
  return path;
}

static gchar *
read_captured (const gchar *path)
{
  g_autoptr(GError) error = NULL;
  gchar *contents = NULL;

  fflush (stdout);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static guint
count_char (const gchar *text,
            gchar        c)
{
  guint n = 0;

  for (; *text != '\0'; text++)
    n += *text == c;
  return n;
}

/* Four trials (3.0, 1.5, failed, pruned) seen by a forced progress
 * observer; returns what it drew. */
static gchar *
run_progress_study (VernierDirection direction,
                    guint            total)
{
  g_autofree gchar *path = capture_stdout ();
  g_autoptr(VernierContext) context = make_context (NULL, direction);
  g_autoptr(VernierObserver) observer = create_observer ("progress");
  g_autoptr(GError) error = NULL;
  VernierTrial *trials[4];
  gchar *output;

  g_object_set (observer, "force", TRUE, "total", total, NULL);
  vernier_observer_prepare (observer, context, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (trials); i++)
    {
      trials[i] = start_trial (i, i);
      vernier_observer_trial_started (observer, trials[i]);
    }

  complete_trial (trials[0], 3.0);
  vernier_observer_trial_finished (observer, trials[0]);
  complete_trial (trials[1], 1.5);
  vernier_observer_trial_finished (observer, trials[1]);
  fail_trial (trials[2], VERNIER_TRIAL_STATE_FAILED, "trial 2: crashed");
  vernier_observer_trial_finished (observer, trials[2]);
  fail_trial (trials[3], VERNIER_TRIAL_STATE_PRUNED, NULL);
  vernier_observer_trial_finished (observer, trials[3]);

  vernier_observer_study_finished (observer,
                                   direction == VERNIER_DIRECTION_MINIMIZE
                                   ? trials[1] : trials[0],
                                   NULL);

  for (guint i = 0; i < G_N_ELEMENTS (trials); i++)
    g_object_unref (trials[i]);

  output = read_captured (path);
  g_unlink (path);
  return output;
}

/* The line drawn last, from its "\r" to its end. */
static const gchar *
final_line (const gchar *output)
{
  const gchar *last = strrchr (output, '\r');

  g_assert_nonnull (last);
  /* Cleared to the end, and ended: the shell prompt starts on a line of
   * its own. */
  g_assert_true (g_str_has_suffix (last, "\033[K\n"));
  g_assert_cmpuint (count_char (output, '\n'), ==, 1);
  return last;
}

static void
test_progress_forced (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *output = run_progress_study (VERNIER_DIRECTION_MINIMIZE, 4);
      const gchar *last = final_line (output);

      /* The first event is drawn at once. */
      g_assert_true (g_str_has_prefix (output, "\r0/4 trials, 1 running, 0 failed | best none yet | elapsed "));
      /* The end always: the counts and the best value, no ETA. */
      g_assert_true (g_str_has_prefix (last, "\r4/4 trials, 1 failed, 1 pruned | best 1.5 (trial 1) | elapsed "));
      g_assert_null (strstr (last, "ETA"));
      g_assert_null (strstr (last, "running"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_progress_maximize (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *output = run_progress_study (VERNIER_DIRECTION_MAXIMIZE, 0);
      const gchar *last = final_line (output);

      /* The larger value is the best; no total, so no "of" and no ETA. */
      g_assert_true (g_str_has_prefix (last, "\r4 trials, 1 failed, 1 pruned | best 3 (trial 0) | elapsed "));
      g_assert_null (strchr (output, '/'));
      g_assert_null (strstr (output, "ETA"));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_progress_not_a_terminal (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierContext) context = make_context (NULL, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierObserver) observer = create_observer ("progress");
      g_autoptr(VernierTrial) trial = NULL;
      g_autoptr(GError) error = NULL;
      gboolean force = TRUE;

      g_assert_false (isatty (STDOUT_FILENO));
      g_object_get (observer, "force", &force, NULL);
      g_assert_false (force);

      g_object_set (observer, "total", 1, NULL);
      vernier_observer_prepare (observer, context, &error);
      g_assert_no_error (error);
      trial = start_trial (0, 0);
      vernier_observer_trial_started (observer, trial);
      complete_trial (trial, 1);
      vernier_observer_trial_finished (observer, trial);
      vernier_observer_study_finished (observer, trial, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
}

static void
test_progress_pending_redraw (void)
{
  if (g_test_subprocess ())
    {
      g_autofree gchar *path = capture_stdout ();
      g_autoptr(VernierContext) context = make_context (NULL, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierObserver) observer = create_observer ("progress");
      g_autoptr(VernierTrial) trial = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree gchar *output = NULL;

      g_object_set (observer, "force", TRUE, "total", 2, NULL);
      vernier_observer_prepare (observer, context, &error);
      g_assert_no_error (error);

      trial = start_trial (0, 0);
      vernier_observer_trial_started (observer, trial);
      complete_trial (trial, 0.25);
      vernier_observer_trial_finished (observer, trial);

      /* Drawn at once or, if the last redraw was too recent, soon after
       * by the main loop: either way without another event. */
      for (;;)
        {
          g_free (output);
          output = read_captured (path);
          if (strstr (output, "\r1/2 trials, 0 failed | best 0.25 (trial 0) | elapsed ") != NULL)
            break;
          g_main_context_iteration (NULL, TRUE);
        }
      g_assert_null (strchr (output, '\n'));

      g_clear_object (&observer);
      g_unlink (path);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_progress_rate_limited (void)
{
  if (g_test_subprocess ())
    {
      const guint n_trials = 2000;
      g_autofree gchar *path = capture_stdout ();
      g_autoptr(VernierContext) context = make_context (NULL, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierObserver) observer = create_observer ("progress");
      g_autoptr(GError) error = NULL;
      g_autofree gchar *output = NULL;
      g_autofree gchar *last = NULL;
      guint draws;

      g_object_set (observer, "force", TRUE, "total", n_trials, NULL);
      vernier_observer_prepare (observer, context, &error);
      g_assert_no_error (error);

      for (guint i = 0; i < n_trials; i++)
        {
          g_autoptr(VernierTrial) trial = start_trial (i, 0);

          vernier_observer_trial_started (observer, trial);
          complete_trial (trial, n_trials - i);
          vernier_observer_trial_finished (observer, trial);
        }
      vernier_observer_study_finished (observer, NULL, NULL);

      output = read_captured (path);
      draws = count_char (output, '\r');
      /* Not one redraw per event: a terminal is not flooded. */
      g_assert_cmpuint (draws, >=, 2);
      g_assert_cmpuint (draws, <, n_trials / 10);
      /* The final line is complete all the same. */
      last = g_strdup_printf ("\r%u/%u trials, 0 failed | best 1 (trial %u) | elapsed ",
                              n_trials, n_trials, n_trials - 1);
      g_assert_nonnull (strstr (output, last));
      g_assert_true (g_str_has_suffix (output, "\033[K\n"));
      g_assert_cmpuint (count_char (output, '\n'), ==, 1);

      g_clear_object (&observer);
      g_unlink (path);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/jsonl/events", test_jsonl_events);
  g_test_add_func ("/vernier/jsonl/study-failed", test_jsonl_study_failed);
  g_test_add_func ("/vernier/jsonl/append", test_jsonl_append);
  g_test_add_func ("/vernier/jsonl/bad-path", test_jsonl_bad_path);
  g_test_add_func ("/vernier/jsonl/missing-path", test_jsonl_missing_path);
  g_test_add_func ("/vernier/jsonl/write-error-reported-once", test_jsonl_write_error);
  g_test_add_func ("/vernier/log/fields", test_log_fields);
  g_test_add_func ("/vernier/log/study-failed", test_log_study_failed);
  g_test_add_func ("/vernier/log/level", test_log_level);
  g_test_add_func ("/vernier/progress/forced", test_progress_forced);
  g_test_add_func ("/vernier/progress/maximize-unknown-total", test_progress_maximize);
  g_test_add_func ("/vernier/progress/not-a-terminal", test_progress_not_a_terminal);
  g_test_add_func ("/vernier/progress/pending-redraw", test_progress_pending_redraw);
  g_test_add_func ("/vernier/progress/rate-limited", test_progress_rate_limited);

  return g_test_run ();
}
