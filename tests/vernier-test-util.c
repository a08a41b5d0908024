#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>

#include "vernier-test-util.h"

/* Adds @dimension (transfer full) to @space. */
void
vt_add_dimension (VernierSpace     *space,
                  VernierDimension *dimension)
{
  g_autoptr(VernierDimension) owned = dimension;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dimension);
  g_assert_true (vernier_space_add (space, owned, &error));
  g_assert_no_error (error);
}

VernierDimension *
vt_float_dimension (const gchar *name,
                    gdouble      low,
                    gdouble      high,
                    gboolean     log,
                    gdouble      step)
{
  g_autoptr(GError) error = NULL;
  VernierDimension *dim = vernier_dimension_new_float (name, low, high, log, step, &error);

  g_assert_no_error (error);
  return dim;
}

VernierDimension *
vt_int_dimension (const gchar *name,
                  gint64       low,
                  gint64       high,
                  gboolean     log,
                  gint64       step)
{
  g_autoptr(GError) error = NULL;
  VernierDimension *dim = vernier_dimension_new_int (name, low, high, log, step, &error);

  g_assert_no_error (error);
  return dim;
}

/* A categorical dimension from a JSON array text such as `["a", 1]`. */
VernierDimension *
vt_categorical_dimension (const gchar *name,
                          const gchar *choices_json)
{
  g_autoptr(JsonNode) node = json_from_string (choices_json, NULL);
  g_autoptr(GError) error = NULL;
  VernierDimension *dim;

  g_assert_nonnull (node);
  dim = vernier_dimension_new_categorical (name, json_node_get_array (node), &error);
  g_assert_no_error (error);
  return dim;
}

/* A fresh temporary directory for a test of @area ("vernier-AREA-…"). */
gchar *
vt_make_tmp_dir (const gchar *area)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *template = g_strdup_printf ("vernier-%s-XXXXXX", area);
  gchar *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

/* The fixtures of @area: tests/data/AREA in the source tree. */
gchar *
vt_data_dir (const gchar *area)
{
  gchar *dir = g_test_build_filename (G_TEST_DIST, "data", area, NULL);

  g_assert_true (g_path_is_absolute (dir));
  return dir;
}

/* Removes @path and everything below it. */
void
vt_remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
            !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          vt_remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* Writes @contents to @dir/@name; returns the path. */
gchar *
vt_write_file (const gchar *dir,
               const gchar *name,
               const gchar *contents)
{
  g_autoptr(GError) error = NULL;
  gchar *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

void
vt_assert_contains (const gchar *haystack,
                    const gchar *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_test_message ("'%s' not found in:\n%s", needle, haystack);
  g_assert_nonnull (strstr (haystack, needle));
}

JsonObject *
vt_parse_object (const gchar *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  if (error != NULL || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    g_test_message ("not a JSON object:\n%s", text);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

gboolean
vt_objects_equal (JsonObject *a,
                  JsonObject *b)
{
  g_autoptr(JsonNode) na = json_node_init_object (json_node_alloc (), a);
  g_autoptr(JsonNode) nb = json_node_init_object (json_node_alloc (), b);

  return json_node_equal (na, nb);
}

JsonObject *
vt_params_of (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "params");

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

const gchar *
vt_state_of (JsonObject *record)
{
  return json_object_get_string_member_with_default (record, "state", "");
}

gboolean
vt_is_lost (JsonObject *record)
{
  return json_object_get_boolean_member_with_default (record, "lost", FALSE);
}

gint64
vt_number_of (JsonObject  *object,
              const gchar *member)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

/* The events @event of a JSON-lines file that the jsonl observer wrote,
 * in order: every whole line (a process killed while writing leaves part
 * of one). A file that does not exist holds none. */
GPtrArray *
vt_read_events (const gchar *path,
                const gchar *event)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree gchar *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return events;
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  /* The last element follows the last newline: a part of a line, if any. */
  for (guint i = 0; i + 1 < n; i++)
    {
      g_autoptr(JsonObject) object = vt_parse_object (lines[i]);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", ""),
                     event) == 0)
        g_ptr_array_add (events, g_steal_pointer (&object));
    }
  return events;
}

void
vt_outcome_clear (VtOutcome *o)
{
  g_clear_pointer (&o->out, g_free);
  g_clear_pointer (&o->err, g_free);
}

static gchar *
bytes_to_text (GBytes *bytes)
{
  gsize len = 0;
  const gchar *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  return g_strndup (data != NULL ? data : "", len);
}

/* Reads everything the process prints and waits for it to exit. */
void
vt_collect (GSubprocess *process,
            VtOutcome   *o)
{
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  o->out = bytes_to_text (out);
  o->err = bytes_to_text (err);
  o->exited = g_subprocess_get_if_exited (process);
  o->status = o->exited ? g_subprocess_get_exit_status (process) : -1;
  o->term_sig = g_subprocess_get_if_signaled (process) ? g_subprocess_get_term_sig (process) : 0;
}

/* ---- orphans ---------------------------------------------------------- */

/* After vt_become_subreaper(), a process that outlives its parent (the
 * sleep of a trial whose shell was killed, a trial whose vernier died)
 * becomes a child of the test instead of init's. A thread reaps those
 * orphans as they die, as a proper init would; nothing else in a container
 * may. The processes started by vt_spawn_tracked() are left to GLib, which
 * reaps them for their GSubprocess. */
static GMutex reaper_lock;
static GHashTable *tracked_pids;   /* of GINT_TO_POINTER (pid) */

static gpointer
reap_orphans (gpointer data)
{
  for (;;)
    {
      siginfo_t info;
      gboolean orphan;

      memset (&info, 0, sizeof info);
      /* Waits for a child to die, without reaping it yet. */
      if (waitid (P_ALL, 0, &info, WEXITED | WNOWAIT) < 0 || info.si_pid == 0)
        {
          g_usleep (10 * 1000);
          continue;
        }

      g_mutex_lock (&reaper_lock);
      orphan = !g_hash_table_contains (tracked_pids, GINT_TO_POINTER (info.si_pid));
      if (orphan)
        waitpid (info.si_pid, NULL, WNOHANG);
      g_mutex_unlock (&reaper_lock);

      /* A dead tracked process stays until GLib reaps it. */
      if (!orphan)
        g_usleep (1000);
    }
  return NULL;
}

void
vt_become_subreaper (void)
{
#ifdef __linux__
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
  tracked_pids = g_hash_table_new (NULL, NULL);
  g_thread_unref (g_thread_new ("reaper", reap_orphans, NULL));
}

/* Spawns @argv; the orphan reaper leaves the process to GLib. */
GSubprocess *
vt_spawn_tracked (GSubprocessLauncher *launcher,
                  const gchar * const *argv)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (tracked_pids);
  /* Registered before the reaper can look at it, should it die at once. */
  g_mutex_lock (&reaper_lock);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process != NULL)
    g_hash_table_add (tracked_pids,
                      GINT_TO_POINTER (g_ascii_strtoll (g_subprocess_get_identifier (process),
                                                        NULL, 10)));
  g_mutex_unlock (&reaper_lock);
  g_assert_no_error (error);
  return process;
}
