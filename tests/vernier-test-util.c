#include <string.h>

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
