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
