/* Fuzz target: parameters given as JSON text, as `vernier enqueue`, a
 * `[candidates]` group and a storage's trial records give them.
 *
 * The text is read as a study file's value is (JSON, else a string). An
 * object is checked against a search space of every kind of dimension,
 * added as a candidate, written back canonically, and read as a trial
 * record. An array is taken as the choices of a categorical parameter,
 * and, when it holds two to four numbers, as the bounds and step of a
 * numeric one, whose values are then mapped back and forth. */

#include <math.h>
#include <string.h>

#include <vernier.h>

#include "vernier-fuzz.h"

static VernierSpace *space;

/* Adds @dim, and drops the caller's reference. */
static void
add (VernierDimension *dim)
{
  g_autoptr(GError) error = NULL;

  g_assert (dim != NULL);
  vernier_space_add (space, dim, &error);
  g_assert_no_error (error);
  vernier_dimension_unref (dim);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(JsonArray) choices = json_array_new ();
  g_autoptr(JsonNode) sgd = NULL;
  VernierDimension *momentum;
  static const gchar *texts[] = { "sgd", "adam", "1", "2.5", "true", "null", "[1,2]", "{\"a\":1}" };

  vernier_fuzz_init ();
  space = vernier_space_new ();
  add (vernier_dimension_new_float ("x", -5, 10, FALSE, 0, NULL));
  add (vernier_dimension_new_float ("lr", 1e-5, 1, TRUE, 0, NULL));
  add (vernier_dimension_new_int ("n", 1, 100, FALSE, 3, NULL));
  add (vernier_dimension_new_int ("k", 1, 1024, TRUE, 1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    json_array_add_element (choices, vernier_json_node_from_string (texts[i]));
  add (vernier_dimension_new_categorical ("optimizer", choices, NULL));
  momentum = vernier_dimension_new_float ("momentum", 0, 1, FALSE, 0.1, NULL);
  sgd = vernier_json_node_from_string ("sgd");
  vernier_dimension_set_condition (momentum, "optimizer", sgd);
  add (momentum);
  return 0;
}

/* Every value of @dim in @values: checked, and mapped to the unit
 * interval and back. */
static void
exercise_dimension (VernierDimension *dim,
                    JsonArray        *values)
{
  guint n = values != NULL ? json_array_get_length (values) : 0;
  guint64 n_points = vernier_dimension_get_n_points (dim);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *value = json_array_get_element (values, i);
      g_autoptr(GError) error = NULL;
      gdouble u;

      if (vernier_dimension_validate (dim, value, &error))
        {
          g_autoptr(JsonNode) back = NULL;

          u = vernier_dimension_value_to_unit (dim, value);
          g_assert (u >= 0 && u <= 1);
          back = vernier_dimension_value_from_unit (dim, u);
          g_assert (vernier_dimension_validate (dim, back, NULL));
        }
      else
        g_assert (error != NULL && error->domain == VERNIER_ERROR);
    }

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(JsonNode) at = vernier_dimension_value_at (dim, i * (n_points / 3 + 1), 5);
      g_autoptr(JsonNode) from = vernier_dimension_value_from_unit (dim, i / 3.0);

      g_assert (at != NULL && from != NULL);
    }
}

static void
exercise_array (JsonArray *array)
{
  g_autoptr(VernierDimension) categorical = NULL;
  guint n = json_array_get_length (array);
  gdouble numbers[4] = { 0, 0, 0, 0 };
  gboolean all_numbers = n >= 2 && n <= 4;

  categorical = vernier_dimension_new_categorical ("c", array, NULL);
  if (categorical != NULL)
    exercise_dimension (categorical, array);

  for (guint i = 0; all_numbers && i < n; i++)
    all_numbers = vernier_json_node_get_number (json_array_get_element (array, i), &numbers[i]);
  if (!all_numbers)
    return;

  /* [low, high, step, log] */
  for (guint kind = 0; kind < 2; kind++)
    {
      g_autoptr(VernierDimension) dim = NULL;
      gboolean log = numbers[3] != 0;

      if (kind == 0)
        dim = vernier_dimension_new_float ("f", numbers[0], numbers[1], log, numbers[2], NULL);
      else if (fabs (numbers[0]) < 9.2e18 && fabs (numbers[1]) < 9.2e18 && fabs (numbers[2]) < 9.2e18)
        dim = vernier_dimension_new_int ("i", (gint64) numbers[0], (gint64) numbers[1], log,
                                         (gint64) numbers[2], NULL);
      if (dim != NULL)
        exercise_dimension (dim, array);
    }
}

static void
exercise_object (JsonObject *object)
{
  g_autoptr(VernierSpace) candidates = vernier_space_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierTrial) trial = NULL;
  g_autofree gchar *canonical = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autofree gchar *copy_canonical = NULL;

  if (!vernier_space_validate (space, object, &error))
    g_assert (error != NULL && error->domain == VERNIER_ERROR);
  g_clear_error (&error);

  /* A space of candidates alone takes any object. */
  g_assert (vernier_space_add_candidate (candidates, object, NULL));

  /* A copy has the same canonical text. */
  canonical = vernier_json_object_canonical (object);
  copy = vernier_json_object_copy (object);
  copy_canonical = vernier_json_object_canonical (copy);
  g_assert_cmpstr (canonical, ==, copy_canonical);

  /* As a trial record, read back from its own JSON. */
  trial = vernier_trial_new_from_json (object, &error);
  if (trial != NULL)
    {
      g_autoptr(JsonNode) record = vernier_trial_to_json (trial);
      g_autoptr(VernierTrial) again = NULL;

      again = vernier_trial_new_from_json (json_node_get_object (record), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (vernier_trial_get_number (again), ==, vernier_trial_get_number (trial));
    }
  else
    g_assert (error != NULL && error->domain == VERNIER_ERROR);
}

/* vernier_json_node_from_string() reads a text that starts with a letter
 * other than t, f and n, or a byte above ASCII, as a string without the
 * parser: the parser must indeed refuse such a text. */
static void
check_plain_word (const gchar *text,
                  JsonNode    *node)
{
  g_autofree gchar *stripped = g_strstrip (g_strdup (text));
  guchar first = (guchar) stripped[0];
  g_autoptr(JsonParser) parser = NULL;

  if (!(first >= 0x80 || (g_ascii_isalpha (first) && strchr ("tfn", first) == NULL)))
    return;
  g_assert_cmpstr (json_node_get_string (node), ==, text);
  parser = json_parser_new_immutable ();
  g_assert (!json_parser_load_from_data (parser, stripped, -1, NULL) ||
            json_parser_get_root (parser) == NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* One line of text, as enqueue reads it: up to the first NUL. */
  g_autofree gchar *text = g_strndup ((const gchar *) data, size);
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *written = NULL;
  gint64 usec;

  /* Durations are read from the same kind of text, and written back the
   * way they are read, exactly up to 2^53 microseconds (285 years: the
   * parts are added as doubles). */
  if (vernier_parse_duration (text, &usec, NULL) && usec <= (G_GINT64_CONSTANT (1) << 53))
    {
      g_autofree gchar *formatted = vernier_format_duration (usec);
      gint64 again;

      g_assert (vernier_parse_duration (formatted, &again, NULL));
      g_assert_cmpint (again, ==, usec);
    }

  /* What the syntax check lets through, json-glib reads: the check stands
   * before json-glib wherever text comes from others. */
  if (vernier_json_check_syntax (text, -1, VERNIER_JSON_MAX_DEPTH, NULL))
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      g_assert (json_parser_load_from_data (parser, text, -1, NULL));
    }

  /* A candidates file is not checked for UTF-8: neither is this. */
  node = vernier_json_node_from_string (text);
  g_assert (node != NULL);
  check_plain_word (text, node);
  written = vernier_json_to_string (node, TRUE);

  if (JSON_NODE_HOLDS_OBJECT (node))
    exercise_object (json_node_get_object (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    exercise_array (json_node_get_array (node));
  return 0;
}
