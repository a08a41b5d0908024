/* test-tuners.c: the grid and random tuners
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-test-util.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vernier-core.h>

/* ---- helpers ----------------------------------------------------------- */

static VernierTuner *
create_tuner (const gchar *name)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "tuner", name, &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_TUNER (object));
  return VERNIER_TUNER (object);
}

static JsonObject *
object_from_json (const gchar *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  return json_node_dup_object (node);
}

static VernierContext *
make_context (VernierSpace *space,
              guint64       seed)
{
  g_autoptr(VernierObjective) objective =
    vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);

  return vernier_context_new ("test", space, objective, seed, NULL);
}

static void
prepare_ok (VernierTuner   *tuner,
            VernierContext *context)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_tuner_prepare (tuner, context, &error));
  g_assert_no_error (error);
}

/* Canonical text of a configuration: members sorted by name. */
static gchar *
params_key (JsonObject *params)
{
  g_autoptr(GList) names = json_object_get_members (params);
  GString *out = g_string_new ("{");

  names = g_list_sort (names, (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree gchar *value =
        json_to_string (json_object_get_member (params, l->data), FALSE);

      g_string_append_printf (out, "%s\"%s\":%s", l == names ? "" : ",",
                              (const gchar *) l->data, value);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* Suggests until the tuner is exhausted (at most @limit times, which must
 * be enough) and returns the suggestions. */
static GPtrArray *
drain (VernierTuner *tuner,
       guint         limit)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i <= limit; i++)
    {
      JsonObject *params = vernier_tuner_suggest (tuner, &error);

      if (params == NULL)
        {
          g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED);
          /* and it stays exhausted */
          g_clear_error (&error);
          g_assert_null (vernier_tuner_suggest (tuner, &error));
          g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED);
          return g_steal_pointer (&all);
        }
      g_assert_no_error (error);
      g_ptr_array_add (all, params);
    }
  g_assert_not_reached ();
  return NULL;
}

/* Suggests @n times, none may fail. */
static GPtrArray *
sample (VernierTuner *tuner,
        guint         n)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonObject *params = vernier_tuner_suggest (tuner, &error);

      g_assert_no_error (error);
      g_assert_nonnull (params);
      g_ptr_array_add (all, params);
    }
  return all;
}

static void
assert_unique (GPtrArray *configs)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                      g_free, NULL);

  for (guint i = 0; i < configs->len; i++)
    {
      gchar *key = params_key (g_ptr_array_index (configs, i));

      if (!g_hash_table_add (seen, key))
        g_error ("configuration %s suggested twice", key);
    }
}

/* Whether two lists hold the same configurations in any order. */
static gboolean
same_set (GPtrArray *a,
          GPtrArray *b)
{
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                      g_free, NULL);

  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    g_hash_table_add (keys, params_key (g_ptr_array_index (a, i)));
  for (guint i = 0; i < b->len; i++)
    {
      g_autofree gchar *key = params_key (g_ptr_array_index (b, i));

      if (!g_hash_table_contains (keys, key))
        return FALSE;
    }
  return TRUE;
}

static gboolean
same_sequence (GPtrArray *a,
               GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      g_autofree gchar *ka = params_key (g_ptr_array_index (a, i));
      g_autofree gchar *kb = params_key (g_ptr_array_index (b, i));

      if (!g_str_equal (ka, kb))
        return FALSE;
    }
  return TRUE;
}

static gdouble
get_number (JsonObject  *params,
            const gchar *name)
{
  JsonNode *node = json_object_get_member (params, name);
  gdouble value = NAN;

  if (node == NULL)
    g_error ("parameter '%s' missing", name);
  g_assert_true (vernier_json_node_get_number (node, &value));
  return value;
}

static gboolean
is_json_int (JsonObject  *params,
             const gchar *name)
{
  JsonNode *node = json_object_get_member (params, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

static void
set_history_trial (VernierContext *context,
                   guint           number,
                   const gchar    *params_json)
{
  g_autoptr(JsonObject) params = object_from_json (params_json);
  g_autoptr(VernierTrial) trial = vernier_trial_new (number, params);

  vernier_trial_set_value (trial, 1.0);
  vernier_trial_mark_finished (trial, VERNIER_TRIAL_STATE_COMPLETE);
  vernier_context_add_trial (context, trial);
}

/* ---- grid -------------------------------------------------------------- */

static VernierSpace *
three_dimension_space (void)
{
  VernierSpace *space = vernier_space_new ();

  vt_add_dimension (space, vt_float_dimension ("a", 0.0, 1.0, FALSE, 0.25));
  vt_add_dimension (space, vt_int_dimension ("b", 1, 3, FALSE, 1));
  vt_add_dimension (space, vt_categorical_dimension ("c", "[\"x\", \"y\"]"));
  return space;
}

static void
test_grid_product (void)
{
  g_autoptr(VernierSpace) space = three_dimension_space ();
  g_autoptr(VernierContext) context = make_context (space, 1);
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(GPtrArray) configs = NULL;
  VernierDimension *c = vernier_space_lookup (space, "c");

  prepare_ok (tuner, context);
  configs = drain (tuner, 1000);

  /* 5 values of a × 3 of b × 2 of c, each once */
  g_assert_cmpuint (configs->len, ==, 5 * 3 * 2);
  assert_unique (configs);

  /* odometer order, the last dimension fastest */
  for (guint i = 0; i < configs->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configs, i);
      JsonNode *expected_c = json_array_get_element (vernier_dimension_get_choices (c),
                                                     i % 2);

      g_assert_cmpuint (json_object_get_size (params), ==, 3);
      g_assert_cmpfloat_with_epsilon (get_number (params, "a"),
                                      0.25 * (i / 6), 1e-12);
      g_assert_true (is_json_int (params, "b"));
      g_assert_cmpfloat (get_number (params, "b"), ==, 1 + (i / 2) % 3);
      g_assert_true (json_node_equal (json_object_get_member (params, "c"),
                                      expected_c));
    }
}

static void
test_grid_points (void)
{
  const guint points[] = { 0 /* default */, 2, 3, 11 };

  for (guint k = 0; k < G_N_ELEMENTS (points); k++)
    {
      g_autoptr(VernierSpace) space = vernier_space_new ();
      g_autoptr(VernierContext) context = NULL;
      g_autoptr(VernierTuner) tuner = create_tuner ("grid");
      g_autoptr(GPtrArray) configs = NULL;
      guint n = points[k] != 0 ? points[k] : 5;

      vt_add_dimension (space, vt_float_dimension ("x", -2.0, 8.0, FALSE, 0));
      context = make_context (space, 1);
      if (points[k] != 0)
        g_object_set (tuner, "points", points[k], NULL);
      prepare_ok (tuner, context);
      configs = drain (tuner, 100);

      /* evenly spaced, both ends included */
      g_assert_cmpuint (configs->len, ==, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpfloat_with_epsilon (get_number (g_ptr_array_index (configs, i), "x"),
                                        -2.0 + 10.0 * i / (n - 1), 1e-9);
    }
}

static void
test_grid_steps (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(GPtrArray) configs = NULL;

  /* the int bound 10 is not on the step grid: 0, 3, 6, 9 */
  vt_add_dimension (space, vt_int_dimension ("n", 0, 10, FALSE, 3));
  /* points= does not apply to a float with a step: 0.5, 0.6 … 1.0 */
  vt_add_dimension (space, vt_float_dimension ("f", 0.5, 1.0, FALSE, 0.1));
  context = make_context (space, 1);
  g_object_set (tuner, "points", 2, NULL);
  prepare_ok (tuner, context);
  configs = drain (tuner, 1000);

  g_assert_cmpuint (configs->len, ==, 4 * 6);
  assert_unique (configs);
  for (guint i = 0; i < configs->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configs, i);

      g_assert_true (is_json_int (params, "n"));
      g_assert_cmpfloat (get_number (params, "n"), ==, 3 * (i / 6));
      g_assert_cmpfloat_with_epsilon (get_number (params, "f"),
                                      0.5 + 0.1 * (i % 6), 1e-9);
    }
}

static void
test_grid_int_every_value (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(GPtrArray) configs = NULL;

  /* a log int dimension is still enumerated value by value */
  vt_add_dimension (space, vt_int_dimension ("units", 1, 64, TRUE, 1));
  context = make_context (space, 1);
  prepare_ok (tuner, context);
  configs = drain (tuner, 1000);

  g_assert_cmpuint (configs->len, ==, 64);
  for (guint i = 0; i < configs->len; i++)
    g_assert_cmpfloat (get_number (g_ptr_array_index (configs, i), "units"),
                       ==, i + 1);
}

static void
test_grid_log (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(GPtrArray) configs = NULL;

  vt_add_dimension (space, vt_float_dimension ("lr", 1e-5, 1e-1, TRUE, 0));
  context = make_context (space, 1);
  prepare_ok (tuner, context);
  configs = drain (tuner, 100);

  /* 5 points evenly spaced in log10 from -5 to -1 */
  g_assert_cmpuint (configs->len, ==, 5);
  for (guint i = 0; i < configs->len; i++)
    g_assert_cmpfloat_with_epsilon (log10 (get_number (g_ptr_array_index (configs, i), "lr")),
                                    -5.0 + i, 1e-9);
}

static void
test_grid_candidates (void)
{
  const gchar *candidates[] = {
    "{\"lr\": 0.1, \"opt\": \"sgd\"}",
    "{\"lr\": 0.01, \"opt\": \"adam\", \"extra\": [1, 2]}",
    "{\"lr\": 0.5}",
  };
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(GPtrArray) configs = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autoptr(JsonObject) candidate = object_from_json (candidates[i]);
      g_autoptr(GError) error = NULL;

      g_assert_true (vernier_space_add_candidate (space, candidate, &error));
      g_assert_no_error (error);
    }
  context = make_context (space, 1);
  prepare_ok (tuner, context);
  configs = drain (tuner, 100);

  g_assert_cmpuint (configs->len, ==, G_N_ELEMENTS (candidates));
  for (guint i = 0; i < configs->len; i++)
    {
      g_autoptr(JsonObject) expected = object_from_json (candidates[i]);
      JsonObject *got = g_ptr_array_index (configs, i);

      g_assert_true (json_object_equal (expected, got));
      /* the suggestion is the caller's own: changing it leaves the space
       * alone */
      json_object_set_int_member (got, "mutated", 1);
      g_assert_false (json_object_has_member (vernier_space_get_candidate (space, i),
                                              "mutated"));
    }
}

/* model ∈ {linear, tree}; lr (3 values) only when model=linear, depth
 * (4 values) only when model=tree; seed (2 values) always. */
static VernierSpace *
conditional_space (void)
{
  VernierSpace *space = vernier_space_new ();
  g_autoptr(JsonNode) linear = json_from_string ("\"linear\"", NULL);
  g_autoptr(JsonNode) tree = json_from_string ("\"tree\"", NULL);
  VernierDimension *dim;

  vt_add_dimension (space, vt_categorical_dimension ("model", "[\"linear\", \"tree\"]"));
  dim = vt_float_dimension ("lr", 0.0, 1.0, FALSE, 0.5);
  vernier_dimension_set_condition (dim, "model", linear);
  vt_add_dimension (space, dim);
  dim = vt_int_dimension ("depth", 1, 4, FALSE, 1);
  vernier_dimension_set_condition (dim, "model", tree);
  vt_add_dimension (space, dim);
  vt_add_dimension (space, vt_categorical_dimension ("seed", "[1, 2]"));
  return space;
}

static void
check_conditional_configs (GPtrArray *configs)
{
  guint n_linear = 0, n_tree = 0;

  /* linear: 3 lr × 2 seeds; tree: 4 depths × 2 seeds */
  g_assert_cmpuint (configs->len, ==, 3 * 2 + 4 * 2);
  assert_unique (configs);
  for (guint i = 0; i < configs->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configs, i);
      const gchar *model = json_object_get_string_member (params, "model");

      g_assert_true (json_object_has_member (params, "seed"));
      if (g_str_equal (model, "linear"))
        {
          n_linear++;
          g_assert_true (json_object_has_member (params, "lr"));
          g_assert_false (json_object_has_member (params, "depth"));
        }
      else
        {
          n_tree++;
          g_assert_cmpstr (model, ==, "tree");
          g_assert_true (json_object_has_member (params, "depth"));
          g_assert_false (json_object_has_member (params, "lr"));
        }
    }
  g_assert_cmpuint (n_linear, ==, 6);
  g_assert_cmpuint (n_tree, ==, 8);
}

static void
test_grid_conditional (void)
{
  g_autoptr(VernierSpace) space = conditional_space ();
  g_autoptr(VernierContext) context = make_context (space, 3);
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(VernierTuner) shuffled = create_tuner ("grid");
  g_autoptr(GPtrArray) configs = NULL;
  g_autoptr(GPtrArray) shuffled_configs = NULL;

  prepare_ok (tuner, context);
  configs = drain (tuner, 1000);
  check_conditional_configs (configs);

  g_object_set (shuffled, "shuffle", TRUE, NULL);
  prepare_ok (shuffled, context);
  shuffled_configs = drain (shuffled, 1000);
  check_conditional_configs (shuffled_configs);
  g_assert_true (same_set (configs, shuffled_configs));
}

static void
test_grid_shuffle (void)
{
  g_autoptr(VernierSpace) space = three_dimension_space ();
  g_autoptr(VernierContext) context1 = make_context (space, 1);
  g_autoptr(VernierContext) context2 = make_context (space, 2);
  g_autoptr(VernierTuner) ordered = create_tuner ("grid");
  g_autoptr(VernierTuner) shuffled = create_tuner ("grid");
  g_autoptr(GPtrArray) in_order = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) other_seed = NULL;

  prepare_ok (ordered, context1);
  in_order = drain (ordered, 1000);

  g_object_set (shuffled, "shuffle", TRUE, NULL);
  prepare_ok (shuffled, context1);
  first = drain (shuffled, 1000);
  /* preparing again restarts the same walk */
  prepare_ok (shuffled, context1);
  again = drain (shuffled, 1000);
  prepare_ok (shuffled, context2);
  other_seed = drain (shuffled, 1000);

  /* every point once, in another order, the same for the same seed */
  assert_unique (first);
  g_assert_true (same_set (in_order, first));
  g_assert_false (same_sequence (in_order, first));
  g_assert_true (same_sequence (first, again));
  g_assert_true (same_set (first, other_seed));
  g_assert_false (same_sequence (first, other_seed));
}

static void
test_grid_history (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(GPtrArray) configs = NULL;
  g_autoptr(JsonObject) later = object_from_json ("{\"n\": 4}");
  g_autoptr(VernierTrial) later_trial = vernier_trial_new (7, later);

  vt_add_dimension (space, vt_int_dimension ("n", 1, 5, FALSE, 1));
  context = make_context (space, 1);
  /* a resumed study: n=2 done already (written as a double by storage) */
  set_history_trial (context, 0, "{\"n\": 2.0}");
  prepare_ok (tuner, context);

  /* another tuner of the chain evaluates n=4 meanwhile */
  vernier_trial_set_value (later_trial, 0.5);
  vernier_trial_mark_finished (later_trial, VERNIER_TRIAL_STATE_COMPLETE);
  vernier_tuner_observe (tuner, later_trial);

  configs = drain (tuner, 100);
  g_assert_cmpuint (configs->len, ==, 3);
  g_assert_cmpfloat (get_number (g_ptr_array_index (configs, 0), "n"), ==, 1);
  g_assert_cmpfloat (get_number (g_ptr_array_index (configs, 1), "n"), ==, 3);
  g_assert_cmpfloat (get_number (g_ptr_array_index (configs, 2), "n"), ==, 5);
}

static void
test_grid_too_large (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierSpace) limit_space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierContext) limit_context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(VernierTuner) limit_tuner = create_tuner ("grid");
  g_autoptr(GError) error = NULL;

  /* 7 dimensions of 10 points: exactly 10^7, accepted */
  for (guint i = 0; i < 7; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("p%u", i);

      vt_add_dimension (limit_space, vt_int_dimension (name, 0, 9, FALSE, 1));
    }
  limit_context = make_context (limit_space, 1);
  prepare_ok (limit_tuner, limit_context);

  /* 3 floats × 300 points + an int of 1000 values: 2.7·10^10, refused */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("f%u", i);

      vt_add_dimension (space, vt_float_dimension (name, 0.0, 1.0, FALSE, 0));
    }
  vt_add_dimension (space, vt_int_dimension ("n", 1, 1000, FALSE, 1));
  context = make_context (space, 1);
  g_object_set (tuner, "points", 300, NULL);
  g_assert_false (vernier_tuner_prepare (tuner, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "points"));
  g_assert_nonnull (strstr (error->message, "step"));
  g_clear_error (&error);

  /* and it does not suggest from a refused grid */
  g_assert_null (vernier_tuner_suggest (tuner, &error));
  g_assert_nonnull (error);
  g_assert_false (g_error_matches (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED));
  g_clear_error (&error);

  /* with fewer points it fits: 10^3 · 1000 = 10^6 */
  g_object_set (tuner, "points", 10, NULL);
  prepare_ok (tuner, context);
}

static void
test_grid_empty (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = make_context (space, 1);
  g_autoptr(VernierTuner) tuner = create_tuner ("grid");
  g_autoptr(GError) error = NULL;

  g_assert_false (vernier_tuner_prepare (tuner, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE);
}

/* ---- random ------------------------------------------------------------ */

static void
test_random_bounds (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("random");
  g_autoptr(GPtrArray) configs = NULL;
  gdouble f_min = G_MAXDOUBLE, f_max = -G_MAXDOUBLE;
  gboolean n_seen[11] = { FALSE, };

  vt_add_dimension (space, vt_float_dimension ("f", -2.0, 3.0, FALSE, 0));
  vt_add_dimension (space, vt_int_dimension ("n", -5, 5, FALSE, 1));
  context = make_context (space, 11);
  prepare_ok (tuner, context);
  configs = sample (tuner, 2000);

  for (guint i = 0; i < configs->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configs, i);
      gdouble f = get_number (params, "f");
      gdouble n = get_number (params, "n");

      g_assert_cmpuint (json_object_get_size (params), ==, 2);
      g_assert_cmpfloat (f, >=, -2.0);
      g_assert_cmpfloat (f, <=, 3.0);
      f_min = MIN (f_min, f);
      f_max = MAX (f_max, f);

      g_assert_true (is_json_int (params, "n"));
      g_assert_cmpfloat (n, >=, -5);
      g_assert_cmpfloat (n, <=, 5);
      n_seen[(gint) n + 5] = TRUE;
    }

  /* the whole range is covered: 2000 draws leave no 10% gap at an end,
   * and hit every one of the 11 integers */
  g_assert_cmpfloat (f_min, <, -1.5);
  g_assert_cmpfloat (f_max, >, 2.5);
  for (guint i = 0; i < G_N_ELEMENTS (n_seen); i++)
    g_assert_true (n_seen[i]);
}

static void
test_random_steps (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("random");
  g_autoptr(GPtrArray) configs = NULL;
  gboolean f_seen[5] = { FALSE, };
  gboolean n_seen[5] = { FALSE, };

  vt_add_dimension (space, vt_float_dimension ("f", 0.0, 1.0, FALSE, 0.25));
  vt_add_dimension (space, vt_int_dimension ("n", 0, 20, FALSE, 5));
  context = make_context (space, 5);
  prepare_ok (tuner, context);
  configs = sample (tuner, 500);

  for (guint i = 0; i < configs->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configs, i);
      gdouble f = get_number (params, "f") / 0.25;
      gdouble n = get_number (params, "n") / 5;

      g_assert_cmpfloat_with_epsilon (f, round (f), 1e-9);
      g_assert_cmpfloat (n, ==, round (n));
      g_assert_cmpfloat (round (f), >=, 0);
      g_assert_cmpfloat (round (f), <=, 4);
      g_assert_cmpfloat (n, >=, 0);
      g_assert_cmpfloat (n, <=, 4);
      f_seen[(gint) round (f)] = TRUE;
      n_seen[(gint) n] = TRUE;
    }
  /* both ends of the step grid are reachable */
  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (f_seen[i]);
      g_assert_true (n_seen[i]);
    }
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
median_of (GPtrArray   *configs,
           const gchar *name)
{
  g_autofree gdouble *values = g_new (gdouble, configs->len);

  for (guint i = 0; i < configs->len; i++)
    values[i] = get_number (g_ptr_array_index (configs, i), name);
  qsort (values, configs->len, sizeof (gdouble), compare_doubles);
  return values[configs->len / 2];
}

static void
test_random_log_uniform (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("random");
  g_autoptr(GPtrArray) configs = NULL;
  guint below_one_percent = 0;

  vt_add_dimension (space, vt_float_dimension ("lr", 1e-6, 1.0, TRUE, 0));
  vt_add_dimension (space, vt_int_dimension ("units", 1, 10000, TRUE, 1));
  context = make_context (space, 7);
  prepare_ok (tuner, context);
  configs = sample (tuner, 4001);

  for (guint i = 0; i < configs->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configs, i);
      gdouble lr = get_number (params, "lr");
      gdouble units = get_number (params, "units");

      g_assert_cmpfloat (lr, >=, 1e-6);
      g_assert_cmpfloat (lr, <=, 1.0);
      g_assert_true (is_json_int (params, "units"));
      g_assert_cmpfloat (units, >=, 1);
      g_assert_cmpfloat (units, <=, 10000);
      if (lr < 1e-2)
        below_one_percent++;
    }

  /* The median of log-uniform draws is near the geometric midpoint (1e-3
   * for lr, 100 for units); uniform draws would give about 0.5 and 5000.
   * The standard error of log10 of the median is about 0.04 here: a
   * margin of 0.5 decades cannot be missed by chance. */
  g_assert_cmpfloat (fabs (log10 (median_of (configs, "lr")) - (-3.0)), <, 0.5);
  g_assert_cmpfloat (fabs (log10 (median_of (configs, "units")) - 2.0), <, 0.5);
  /* two thirds of the decades lie below 1e-2 */
  g_assert_cmpuint (below_one_percent, >, configs->len / 2);
}

static void
test_random_categorical (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner ("random");
  g_autoptr(GPtrArray) configs = NULL;
  VernierDimension *dim;
  JsonArray *choices;
  guint counts[4] = { 0, };

  vt_add_dimension (space, vt_categorical_dimension ("opt",
                                               "[\"sgd\", 2, true, [1, \"x\"]]"));
  context = make_context (space, 3);
  prepare_ok (tuner, context);
  configs = sample (tuner, 400);
  dim = vernier_space_lookup (space, "opt");
  choices = vernier_dimension_get_choices (dim);

  for (guint i = 0; i < configs->len; i++)
    {
      JsonNode *value = json_object_get_member (g_ptr_array_index (configs, i), "opt");
      gboolean found = FALSE;

      g_assert_nonnull (value);
      for (guint c = 0; c < json_array_get_length (choices); c++)
        {
          if (json_node_equal (value, json_array_get_element (choices, c)))
            {
              counts[c]++;
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  /* each of 4 choices expected 100 times out of 400 */
  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    g_assert_cmpuint (counts[c], >, 50);
}

static void
test_random_conditional (void)
{
  g_autoptr(VernierSpace) space = conditional_space ();
  g_autoptr(VernierContext) context = make_context (space, 9);
  g_autoptr(VernierTuner) tuner = create_tuner ("random");
  g_autoptr(GPtrArray) configs = NULL;

  prepare_ok (tuner, context);
  configs = sample (tuner, 200);
  for (guint i = 0; i < configs->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configs, i);
      g_autoptr(GError) error = NULL;

      /* only the active parameters, each valid */
      g_assert_true (vernier_space_validate (space, params, &error));
      g_assert_no_error (error);
    }
}

static GPtrArray *
random_sequence (VernierSpace *space,
                 guint64       seed,
                 guint         n)
{
  g_autoptr(VernierContext) context = make_context (space, seed);
  g_autoptr(VernierTuner) tuner = create_tuner ("random");

  prepare_ok (tuner, context);
  return sample (tuner, n);
}

static void
test_random_seed (void)
{
  g_autoptr(VernierSpace) space = three_dimension_space ();
  g_autoptr(VernierSpace) continuous = vernier_space_new ();
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;
  g_autoptr(GPtrArray) big = NULL;
  g_autoptr(GPtrArray) big_again = NULL;

  a = random_sequence (space, 42, 50);
  b = random_sequence (space, 42, 50);
  c = random_sequence (space, 43, 50);
  g_assert_true (same_sequence (a, b));
  g_assert_false (same_sequence (a, c));

  /* seeds that differ only in their high 32 bits differ too */
  vt_add_dimension (continuous, vt_float_dimension ("x", 0.0, 1.0, FALSE, 0));
  big = random_sequence (continuous, G_GUINT64_CONSTANT (1) << 40, 5);
  big_again = random_sequence (continuous, G_GUINT64_CONSTANT (2) << 40, 5);
  g_assert_false (same_sequence (big, big_again));
}

static VernierSpace *
candidate_space (guint n)
{
  VernierSpace *space = vernier_space_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) candidate = json_object_new ();
      g_autoptr(GError) error = NULL;

      json_object_set_int_member (candidate, "id", i);
      g_assert_true (vernier_space_add_candidate (space, candidate, &error));
      g_assert_no_error (error);
    }
  return space;
}

static void
test_random_candidates (void)
{
  g_autoptr(VernierSpace) space = candidate_space (12);
  g_autoptr(VernierContext) context = make_context (space, 5);
  g_autoptr(VernierContext) context2 = make_context (space, 6);
  g_autoptr(VernierTuner) tuner = create_tuner ("random");
  g_autoptr(VernierTuner) limited = create_tuner ("random");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) some = NULL;
  g_autoptr(GPtrArray) in_order = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < 12; i++)
    g_ptr_array_add (in_order,
                     json_object_ref (vernier_space_get_candidate (space, i)));

  /* every candidate once, shuffled, then exhausted */
  prepare_ok (tuner, context);
  all = drain (tuner, 100);
  g_assert_true (same_set (all, in_order));
  g_assert_false (same_sequence (all, in_order));

  /* another seed, another order */
  prepare_ok (tuner, context2);
  again = drain (tuner, 100);
  g_assert_true (same_set (again, in_order));
  g_assert_false (same_sequence (again, all));

  /* max-trials takes the first few of the shuffled order */
  g_object_set (limited, "max-trials", 4, NULL);
  prepare_ok (limited, context);
  some = drain (limited, 100);
  g_assert_cmpuint (some->len, ==, 4);
  assert_unique (some);
  for (guint i = 0; i < some->len; i++)
    {
      g_autofree gchar *k1 = params_key (g_ptr_array_index (some, i));
      g_autofree gchar *k2 = params_key (g_ptr_array_index (all, i));

      g_assert_cmpstr (k1, ==, k2);
    }
}

static void
test_random_max_trials (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) unlimited = create_tuner ("random");
  g_autoptr(VernierTuner) limited = create_tuner ("random");
  g_autoptr(GPtrArray) many = NULL;
  g_autoptr(GPtrArray) few = NULL;

  /* a space of 2 points: sampling never exhausts it */
  vt_add_dimension (space, vt_categorical_dimension ("flag", "[true, false]"));
  context = make_context (space, 1);
  prepare_ok (unlimited, context);
  many = sample (unlimited, 1000);
  g_assert_cmpuint (many->len, ==, 1000);

  g_object_set (limited, "max-trials", 7, NULL);
  prepare_ok (limited, context);
  few = drain (limited, 100);
  g_assert_cmpuint (few->len, ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/grid/product", test_grid_product);
  g_test_add_func ("/vernier/grid/points", test_grid_points);
  g_test_add_func ("/vernier/grid/steps", test_grid_steps);
  g_test_add_func ("/vernier/grid/int-every-value", test_grid_int_every_value);
  g_test_add_func ("/vernier/grid/log", test_grid_log);
  g_test_add_func ("/vernier/grid/candidates", test_grid_candidates);
  g_test_add_func ("/vernier/grid/conditional", test_grid_conditional);
  g_test_add_func ("/vernier/grid/shuffle", test_grid_shuffle);
  g_test_add_func ("/vernier/grid/history", test_grid_history);
  g_test_add_func ("/vernier/grid/too-large", test_grid_too_large);
  g_test_add_func ("/vernier/grid/empty", test_grid_empty);

  g_test_add_func ("/vernier/random/bounds", test_random_bounds);
  g_test_add_func ("/vernier/random/steps", test_random_steps);
  g_test_add_func ("/vernier/random/log-uniform", test_random_log_uniform);
  g_test_add_func ("/vernier/random/categorical", test_random_categorical);
  g_test_add_func ("/vernier/random/conditional", test_random_conditional);
  g_test_add_func ("/vernier/random/seed", test_random_seed);
  g_test_add_func ("/vernier/random/candidates", test_random_candidates);
  g_test_add_func ("/vernier/random/max-trials", test_random_max_trials);

  return g_test_run ();
}
