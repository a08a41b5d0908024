/* test-sobol.c: the sobol tuner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-test-util.h"
#include <math.h>
#include <string.h>

#include <vernier-core.h>

/* ---- helpers ----------------------------------------------------------- */

static VernierTuner *
create_tuner (gboolean scramble,
              gboolean skip_first)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "tuner", "sobol", &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_TUNER (object));
  g_object_set (object, "scramble", scramble, "skip-first", skip_first, NULL);
  return VERNIER_TUNER (object);
}

static VernierDimension *
unit_dimension (const gchar *name)
{
  return vernier_dimension_new_float (name, 0, 1, FALSE, 0, NULL);
}

static VernierContext *
make_context (VernierSpace *space,
              guint64       seed)
{
  g_autoptr(VernierObjective) objective =
    vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);

  return vernier_context_new ("test", space, objective, seed, NULL);
}

/* The unit square, parameters x and y. */
static VernierSpace *
unit_square (void)
{
  VernierSpace *space = vernier_space_new ();

  vt_add_dimension (space, unit_dimension ("x"));
  vt_add_dimension (space, unit_dimension ("y"));
  return space;
}

/* @n points of a prepared tuner over the unit square, as x, y pairs. */
static gdouble *
points (VernierTuner *tuner,
        guint         n)
{
  gdouble *xy = g_new (gdouble, 2 * n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) params = vernier_tuner_suggest (tuner, &error);

      g_assert_no_error (error);
      g_assert_nonnull (params);
      xy[2 * i] = json_object_get_double_member (params, "x");
      xy[2 * i + 1] = json_object_get_double_member (params, "y");
      g_assert_cmpfloat (xy[2 * i], >=, 0);
      g_assert_cmpfloat (xy[2 * i], <, 1);
      g_assert_cmpfloat (xy[2 * i + 1], >=, 0);
      g_assert_cmpfloat (xy[2 * i + 1], <, 1);
    }
  return xy;
}

static gdouble *
sobol_points (gboolean scramble,
              guint64  seed,
              guint    n)
{
  g_autoptr(VernierSpace) space = unit_square ();
  g_autoptr(VernierContext) context = make_context (space, seed);
  g_autoptr(VernierTuner) tuner = create_tuner (scramble, FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_tuner_prepare (tuner, context, &error));
  g_assert_no_error (error);
  return points (tuner, n);
}

/* Whether the 2^k points are a (0, k, 2)-net in base 2: every elementary
 * box [a/2^i, (a+1)/2^i) × [b/2^(k-i), (b+1)/2^(k-i)) holds exactly one. */
static void
assert_net (const gdouble *xy,
            guint          k)
{
  guint n = 1u << k;
  g_autofree guint *counts = g_new (guint, n);

  for (guint i = 0; i <= k; i++)
    {
      guint nx = 1u << i, ny = 1u << (k - i);

      memset (counts, 0, sizeof (guint) * n);
      for (guint p = 0; p < n; p++)
        {
          guint a = (guint) floor (xy[2 * p] * nx);
          guint b = (guint) floor (xy[2 * p + 1] * ny);

          counts[a * ny + b]++;
        }
      for (guint c = 0; c < n; c++)
        if (counts[c] != 1)
          g_error ("2^%u points: box %u of %u×%u holds %u points", k, c, nx, ny, counts[c]);
    }
}

/* The star discrepancy of @n points of the unit square, evaluated exactly
 * over the anchored boxes whose corners are point coordinates (or 1). */
static gdouble
star_discrepancy (const gdouble *xy,
                  guint          n)
{
  g_autofree gdouble *xs = g_new (gdouble, n + 1);
  g_autofree gdouble *ys = g_new (gdouble, n + 1);
  gdouble worst = 0;

  for (guint i = 0; i < n; i++)
    {
      xs[i] = xy[2 * i];
      ys[i] = xy[2 * i + 1];
    }
  xs[n] = ys[n] = 1.0;

  for (guint a = 0; a <= n; a++)
    for (guint b = 0; b <= n; b++)
      {
        guint open = 0, closed = 0;
        gdouble volume = xs[a] * ys[b];

        for (guint p = 0; p < n; p++)
          {
            if (xy[2 * p] < xs[a] && xy[2 * p + 1] < ys[b])
              open++;
            if (xy[2 * p] <= xs[a] && xy[2 * p + 1] <= ys[b])
              closed++;
          }
        worst = MAX (worst, fabs ((gdouble) open / n - volume));
        worst = MAX (worst, fabs ((gdouble) closed / n - volume));
      }
  return worst;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_net_unscrambled (void)
{
  g_autofree gdouble *xy = sobol_points (FALSE, 1, 1024);

  /* the origin comes first */
  g_assert_cmpfloat (xy[0], ==, 0);
  g_assert_cmpfloat (xy[1], ==, 0);
  for (guint k = 1; k <= 10; k++)
    assert_net (xy, k);

  /* unscrambled, the seed does not matter */
  {
    g_autofree gdouble *other = sobol_points (FALSE, 99, 1024);

    g_assert_cmpmem (xy, sizeof (gdouble) * 2048, other, sizeof (gdouble) * 2048);
  }
}

static void
test_net_scrambled (void)
{
  for (guint64 seed = 1; seed <= 5; seed++)
    {
      g_autofree gdouble *xy = sobol_points (TRUE, seed, 1024);

      for (guint k = 1; k <= 10; k++)
        assert_net (xy, k);
      /* not the unscrambled sequence */
      g_assert_false (xy[0] == 0 && xy[1] == 0);
    }
}

static void
test_discrepancy (void)
{
  const guint n = 256;
  g_autofree gdouble *sobol = sobol_points (TRUE, 7, n);
  g_autofree gdouble *plain = sobol_points (FALSE, 7, n);
  g_autofree gdouble *random = g_new (gdouble, 2 * n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gdouble d_sobol, d_plain, d_random;

  for (guint i = 0; i < 2 * n; i++)
    random[i] = g_rand_double (rand);

  d_sobol = star_discrepancy (sobol, n);
  d_plain = star_discrepancy (plain, n);
  d_random = star_discrepancy (random, n);
  g_test_message ("star discrepancy of %u points: scrambled sobol %g, sobol %g, "
                  "random %g", n, d_sobol, d_plain, d_random);
  g_assert_cmpfloat (d_sobol, <, d_random / 2);
  g_assert_cmpfloat (d_plain, <, d_random / 2);
}

static GPtrArray *
sequence (guint64  seed,
          guint    n)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (TRUE, TRUE);
  g_autoptr(GError) error = NULL;
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);

  for (guint d = 0; d < 8; d++)
    {
      g_autofree gchar *name = g_strdup_printf ("x%u", d);

      vt_add_dimension (space, unit_dimension (name));
    }
  context = make_context (space, seed);
  g_assert_true (vernier_tuner_prepare (tuner, context, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) params = vernier_tuner_suggest (tuner, &error);

      g_assert_no_error (error);
      g_ptr_array_add (keys, vernier_json_object_canonical (params));
    }
  return keys;
}

static void
test_seeded (void)
{
  g_autoptr(GPtrArray) a = sequence (12345, 64);
  g_autoptr(GPtrArray) b = sequence (12345, 64);
  g_autoptr(GPtrArray) c = sequence (12346, 64);

  for (guint i = 0; i < a->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
      g_assert_cmpstr (g_ptr_array_index (a, i), !=, g_ptr_array_index (c, i));
    }
}

static void
test_skip_first (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) skipping = create_tuner (FALSE, TRUE);
  g_autoptr(VernierTuner) keeping = create_tuner (FALSE, FALSE);
  g_autoptr(JsonObject) first_skipped = NULL;
  g_autoptr(JsonObject) first_kept = NULL;

  vt_add_dimension (space, vernier_dimension_new_float ("lr", 1e-4, 1, TRUE, 0, NULL));
  vt_add_dimension (space, vernier_dimension_new_int ("n", -3, 3, FALSE, 1, NULL));
  context = make_context (space, 1);
  g_assert_true (vernier_tuner_prepare (skipping, context, NULL));
  g_assert_true (vernier_tuner_prepare (keeping, context, NULL));

  /* kept, the first point is every parameter at its low bound */
  first_kept = vernier_tuner_suggest (keeping, NULL);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (first_kept, "lr"), 1e-4, 1e-15);
  g_assert_cmpint (json_object_get_int_member (first_kept, "n"), ==, -3);

  /* skipped, the sequence starts at the centre */
  first_skipped = vernier_tuner_suggest (skipping, NULL);
  g_assert_cmpfloat (fabs (json_object_get_double_member (first_skipped, "lr") - 1e-2), <, 1e-12);
  g_assert_cmpint (json_object_get_int_member (first_skipped, "n"), ==, 0);
}

static void
test_dimensions (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (TRUE, TRUE);
  g_autoptr(JsonNode) choices =
    json_from_string ("[\"sgd\", \"adam\", \"rmsprop\", \"lbfgs\"]", NULL);
  g_autoptr(VernierDimension) optimizer = NULL;
  g_autoptr(VernierDimension) momentum = NULL;
  g_autoptr(JsonNode) sgd = json_node_init_string (json_node_alloc (), "sgd");
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) units = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint with_momentum = 0;

  optimizer = vernier_dimension_new_categorical ("optimizer", json_node_get_array (choices), NULL);
  momentum = vernier_dimension_new_float ("momentum", 0, 0.9, FALSE, 0.1, NULL);
  vernier_dimension_set_condition (momentum, "optimizer", sgd);
  g_assert_true (vernier_space_add (space, optimizer, NULL));
  g_assert_true (vernier_space_add (space, momentum, NULL));
  vt_add_dimension (space, vernier_dimension_new_float ("lr", 1e-5, 1e-1, TRUE, 0, NULL));
  vt_add_dimension (space, vernier_dimension_new_int ("layers", 1, 9, FALSE, 2, NULL));
  vt_add_dimension (space, vernier_dimension_new_int ("units", 1, 1000, TRUE, 1, NULL));
  context = make_context (space, 3);
  g_assert_true (vernier_tuner_prepare (tuner, context, NULL));

  for (guint i = 0; i < 256; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) params = vernier_tuner_suggest (tuner, &error);
      const gchar *choice;
      gpointer count;

      g_assert_no_error (error);
      g_assert_true (vernier_space_validate (space, params, &error));
      g_assert_no_error (error);
      choice = json_object_get_string_member (params, "optimizer");
      count = g_hash_table_lookup (counts, choice);
      g_hash_table_insert (counts, g_strdup (choice),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
      /* momentum only with sgd */
      g_assert_cmpint (json_object_has_member (params, "momentum"), ==,
                       g_str_equal (choice, "sgd"));
      with_momentum += json_object_has_member (params, "momentum");
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (params, "layers")),
                       ==, G_TYPE_INT64);
      g_assert_cmpint (json_object_get_int_member (params, "layers") % 2, ==, 1);
      g_hash_table_add (units,
                        GINT_TO_POINTER ((gint) json_object_get_int_member (params, "units")));
    }

  /* the first dimension of the first 256 points is perfectly balanced */
  g_assert_cmpuint (g_hash_table_size (counts), ==, 4);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "sgd")), ==, 64);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, "lbfgs")), ==, 64);
  g_assert_cmpuint (with_momentum, ==, 64);
  /* log-uniform over 1..1000: small values are frequent */
  g_assert_true (g_hash_table_contains (units, GINT_TO_POINTER (1)));
  g_assert_cmpuint (g_hash_table_size (units), >, 60);
}

static void
test_too_many_dimensions (void)
{
  g_autoptr(VernierSpace) wide = vernier_space_new ();
  g_autoptr(VernierSpace) fits = vernier_space_new ();
  g_autoptr(VernierSpace) candidates = vernier_space_new ();
  g_autoptr(JsonNode) node = json_from_string ("{\"x\": 1}", NULL);
  g_autoptr(VernierContext) wide_context = NULL;
  g_autoptr(VernierContext) fits_context = NULL;
  g_autoptr(VernierContext) candidates_context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (TRUE, TRUE);
  g_autoptr(GError) error = NULL;

  for (guint d = 0; d < 129; d++)
    {
      g_autofree gchar *name = g_strdup_printf ("x%u", d);

      vt_add_dimension (wide, unit_dimension (name));
      if (d < 128)
        vt_add_dimension (fits, unit_dimension (name));
    }

  wide_context = make_context (wide, 1);
  g_assert_false (vernier_tuner_prepare (tuner, wide_context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "129"));
  g_assert_nonnull (strstr (error->message, "128"));
  g_clear_error (&error);

  fits_context = make_context (fits, 1);
  g_assert_true (vernier_tuner_prepare (tuner, fits_context, &error));
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) params = vernier_tuner_suggest (tuner, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (json_object_get_size (params), ==, 128);
  }

  g_assert_true (vernier_space_add_candidate (candidates, json_node_get_object (node), NULL));
  candidates_context = make_context (candidates, 1);
  g_assert_false (vernier_tuner_prepare (tuner, candidates_context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
}

/* In every dimension of the 128, each first 2^k points put one point in
 * each interval of length 2^-k, scrambled or not. */
static void
test_all_dimensions_balanced (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  const guint n = 256;

  for (guint d = 0; d < 128; d++)
    {
      g_autofree gchar *name = g_strdup_printf ("x%u", d);

      vt_add_dimension (space, unit_dimension (name));
    }
  context = make_context (space, 77);

  for (guint scramble = 0; scramble <= 1; scramble++)
    {
      g_autoptr(VernierTuner) tuner = create_tuner (scramble, FALSE);
      g_autofree guint *cells = g_new0 (guint, 128 * n);

      g_assert_true (vernier_tuner_prepare (tuner, context, NULL));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(JsonObject) params = vernier_tuner_suggest (tuner, NULL);

          for (guint d = 0; d < 128; d++)
            {
              g_autofree gchar *name = g_strdup_printf ("x%u", d);
              gdouble u = json_object_get_double_member (params, name);

              cells[d * n + (guint) floor (u * n)]++;
            }
        }
      for (guint c = 0; c < 128 * n; c++)
        g_assert_cmpuint (cells[c], ==, 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/sobol/net-unscrambled", test_net_unscrambled);
  g_test_add_func ("/vernier/sobol/net-scrambled", test_net_scrambled);
  g_test_add_func ("/vernier/sobol/discrepancy", test_discrepancy);
  g_test_add_func ("/vernier/sobol/seeded", test_seeded);
  g_test_add_func ("/vernier/sobol/skip-first", test_skip_first);
  g_test_add_func ("/vernier/sobol/dimensions", test_dimensions);
  g_test_add_func ("/vernier/sobol/too-many-dimensions", test_too_many_dimensions);
  g_test_add_func ("/vernier/sobol/all-dimensions-balanced", test_all_dimensions_balanced);

  return g_test_run ();
}
