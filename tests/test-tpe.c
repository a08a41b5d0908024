/* test-tpe.c: the tpe tuner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-test-util.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vernier-core.h>

/* ---- helpers ----------------------------------------------------------- */

/* A tuner by plugin name; a tpe tuner without local refinement
 * (refine-every=0), the TPE of Optuna that most tests check. */
static VernierTuner *
create_tuner (const gchar *name)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "tuner", name, &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_TUNER (object));
  if (g_str_equal (name, "tpe"))
    g_object_set (object, "refine-every", 0, NULL);
  return VERNIER_TUNER (object);
}

/* A tpe tuner with local refinement every @every model-based suggestions. */
static VernierTuner *
create_refining (guint    every,
                 gboolean multivariate)
{
  VernierTuner *tuner = create_tuner ("tpe");

  g_object_set (tuner, "refine-every", every, "multivariate", multivariate, NULL);
  return tuner;
}

/* A dimension active only when @parent equals the JSON value @value. */
static VernierDimension *
conditional (VernierDimension *dim,
             const gchar      *parent,
             const gchar      *value)
{
  g_autoptr(JsonNode) node = json_from_string (value, NULL);

  vernier_dimension_set_condition (dim, parent, node);
  return dim;
}

static VernierContext *
make_context (VernierSpace     *space,
              guint64           seed,
              VernierDirection  direction)
{
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", direction);

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

static JsonObject *
suggest_ok (VernierTuner *tuner)
{
  g_autoptr(GError) error = NULL;
  JsonObject *params = vernier_tuner_suggest (tuner, &error);

  g_assert_no_error (error);
  g_assert_nonnull (params);
  return params;
}

/* Finishes a trial as the run loop does: into the history, then told. */
static void
tell (VernierContext    *context,
      VernierTuner      *tuner,
      guint              number,
      JsonObject        *params,
      VernierTrialState  state,
      gdouble            value)
{
  g_autoptr(VernierTrial) trial = vernier_trial_new (number, params);

  vernier_trial_mark_started (trial);
  if (state == VERNIER_TRIAL_STATE_COMPLETE)
    vernier_trial_set_value (trial, value);
  vernier_trial_mark_finished (trial, state);
  vernier_context_add_trial (context, trial);
  vernier_tuner_observe (tuner, trial);
}

/* A pruned trial that reported @value at steps 1..@last_step (none if 0). */
static void
tell_pruned (VernierContext *context,
             VernierTuner   *tuner,
             guint           number,
             JsonObject     *params,
             gint64          last_step,
             gdouble         value)
{
  g_autoptr(VernierTrial) trial = vernier_trial_new (number, params);

  vernier_trial_mark_started (trial);
  for (gint64 step = 1; step <= last_step; step++)
    vernier_trial_report (trial, step, value + (last_step - step));
  vernier_trial_mark_finished (trial, VERNIER_TRIAL_STATE_PRUNED);
  vernier_context_add_trial (context, trial);
  vernier_tuner_observe (tuner, trial);
}

static gdouble
number_member (JsonObject  *params,
               const gchar *name)
{
  JsonNode *node = json_object_get_member (params, name);
  gdouble v = NAN;

  g_assert_nonnull (node);
  g_assert_true (vernier_json_node_get_number (node, &v));
  return v;
}

static JsonObject *
point (gdouble x,
       gdouble y)
{
  JsonObject *params = json_object_new ();

  json_object_set_double_member (params, "x", x);
  json_object_set_double_member (params, "y", y);
  return params;
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
median (gdouble *values,
        guint    n)
{
  qsort (values, n, sizeof (gdouble), compare_doubles);
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/* The unit square, x and y. */
static VernierSpace *
square_space (void)
{
  VernierSpace *space = vernier_space_new ();

  vt_add_dimension (space, vt_float_dimension ("x", 0, 1, FALSE, 0));
  vt_add_dimension (space, vt_float_dimension ("y", 0, 1, FALSE, 0));
  return space;
}

#define TARGET_X 0.2
#define TARGET_Y 0.7

static gdouble
distance_to_target (JsonObject *params)
{
  return hypot (number_member (params, "x") - TARGET_X,
                number_member (params, "y") - TARGET_Y);
}

/* Feeds @n trials spread uniformly over the square (a fixed generator),
 * each valued by @sign times its distance to the target. */
static void
feed_uniform (VernierContext *context,
              VernierTuner   *tuner,
              guint           n,
              gdouble         sign)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) params = point (g_rand_double (rand), g_rand_double (rand));

      tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE,
            sign * distance_to_target (params));
    }
}

/* The median distance to the target of @n suggestions (not told back). */
static gdouble
median_distance (VernierTuner *tuner,
                 guint         n)
{
  g_autofree gdouble *distances = g_new (gdouble, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) params = suggest_ok (tuner);

      distances[i] = distance_to_target (params);
    }
  return median (distances, n);
}

/* ---- properties -------------------------------------------------------- */

static void
test_defaults (void)
{
  g_autoptr(VernierTuner) tuner = create_tuner ("tpe");
  guint startup, candidates, gamma_max;
  gdouble gamma_factor, prior_weight, min_bandwidth;
  gboolean prior, clip, endpoints, multivariate, normalized;
  gint weights, bandwidth;
  GParamSpec *pspec;

  g_object_get (tuner,
                "startup-trials", &startup,
                "ei-candidates", &candidates,
                "gamma-factor", &gamma_factor,
                "gamma-max", &gamma_max,
                "prior-weight", &prior_weight,
                "consider-prior", &prior,
                "consider-magic-clip", &clip,
                "consider-endpoints", &endpoints,
                "multivariate", &multivariate,
                "normalized-kernels", &normalized,
                "weights", &weights,
                "bandwidth", &bandwidth,
                "min-bandwidth", &min_bandwidth,
                NULL);

  /* Optuna's TPESampler defaults */
  g_assert_cmpuint (startup, ==, 10);
  g_assert_cmpuint (candidates, ==, 24);
  g_assert_cmpfloat (gamma_factor, ==, 0.1);
  g_assert_cmpuint (gamma_max, ==, 25);
  g_assert_cmpfloat (prior_weight, ==, 1.0);
  g_assert_true (prior);
  g_assert_true (clip);
  g_assert_false (endpoints);
  g_assert_false (multivariate);
  g_assert_false (normalized);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (tuner), "weights");
  g_assert_nonnull (pspec);
  g_assert_cmpstr (g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class, weights)->value_nick,
                   ==, "default");

  /* the multivariate estimators' own rule, not Optuna's */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (tuner), "bandwidth");
  g_assert_nonnull (pspec);
  g_assert_cmpstr (g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class, bandwidth)->value_nick,
                   ==, "scott");
  g_assert_cmpfloat (min_bandwidth, ==, 0.05);
}

/* Every property is settable from a study file's group. */
static void
test_study_file_keys (void)
{
  const gchar *text =
    "[tuner]\nplugin=tpe\nstartup-trials=5\nei-candidates=50\ngamma-factor=0.25\n"
    "gamma-max=10\nprior-weight=2.5\nconsider-prior=false\nconsider-magic-clip=false\n"
    "consider-endpoints=true\nweights=uniform\nmultivariate=true\nnormalized-kernels=true\n"
    "bandwidth=optuna\nmin-bandwidth=0.2\n";
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) tuner = NULL;
  guint startup, candidates, gamma_max;
  gdouble gamma_factor, prior_weight, min_bandwidth;
  gboolean prior, clip, endpoints, multivariate, normalized;
  gint weights, bandwidth;

  g_assert_true (g_key_file_load_from_data (key_file, text, -1, G_KEY_FILE_NONE, &error));
  tuner = vernier_config_create_plugin (registry, "tuner", key_file, "tuner", NULL,
                                        "tpe.ini", &error);
  g_assert_no_error (error);

  g_object_get (tuner,
                "startup-trials", &startup,
                "ei-candidates", &candidates,
                "gamma-factor", &gamma_factor,
                "gamma-max", &gamma_max,
                "prior-weight", &prior_weight,
                "consider-prior", &prior,
                "consider-magic-clip", &clip,
                "consider-endpoints", &endpoints,
                "multivariate", &multivariate,
                "normalized-kernels", &normalized,
                "weights", &weights,
                "bandwidth", &bandwidth,
                "min-bandwidth", &min_bandwidth,
                NULL);
  g_assert_cmpuint (startup, ==, 5);
  g_assert_cmpuint (candidates, ==, 50);
  g_assert_cmpfloat (gamma_factor, ==, 0.25);
  g_assert_cmpuint (gamma_max, ==, 10);
  g_assert_cmpfloat (prior_weight, ==, 2.5);
  g_assert_false (prior);
  g_assert_false (clip);
  g_assert_true (endpoints);
  g_assert_true (multivariate);
  g_assert_true (normalized);
  g_assert_cmpint (weights, !=, 0);
  g_assert_cmpint (bandwidth, !=, 0);
  g_assert_cmpfloat (min_bandwidth, ==, 0.2);
}

static void
test_bad_configurations (void)
{
  g_autoptr(VernierTuner) tuner = create_tuner ("tpe");
  g_autoptr(VernierSpace) candidates = vernier_space_new ();
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(JsonObject) candidate = point (0.5, 0.5);
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierContext) context2 = NULL;
  g_autoptr(GError) error = NULL;

  /* a list of candidates is not a space tpe can model */
  g_assert_true (vernier_space_add_candidate (candidates, candidate, &error));
  g_assert_no_error (error);
  context = make_context (candidates, 1, VERNIER_DIRECTION_MINIMIZE);
  g_assert_false (vernier_tuner_prepare (tuner, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "candidates"));
  g_clear_error (&error);

  /* nor does it suggest without a successful prepare */
  g_assert_null (vernier_tuner_suggest (tuner, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL);
  g_clear_error (&error);

  /* the prior needs a weight */
  g_object_set (tuner, "prior-weight", 0.0, NULL);
  context2 = make_context (space, 1, VERNIER_DIRECTION_MINIMIZE);
  g_assert_false (vernier_tuner_prepare (tuner, context2, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "prior-weight"));
}

/* ---- invariants -------------------------------------------------------- */

static VernierSpace *
mixed_space (void)
{
  VernierSpace *space = vernier_space_new ();

  vt_add_dimension (space, vt_float_dimension ("f", -2, 3, FALSE, 0));
  vt_add_dimension (space, vt_float_dimension ("lg", 1e-4, 1, TRUE, 0));
  vt_add_dimension (space, vt_float_dimension ("st", 0, 1, FALSE, 0.1));
  vt_add_dimension (space, vt_float_dimension ("st3", -1, 1.2, FALSE, 0.25));
  vt_add_dimension (space, vt_int_dimension ("i", -3, 7, FALSE, 1));
  vt_add_dimension (space, vt_int_dimension ("is", 0, 22, FALSE, 5));
  vt_add_dimension (space, vt_int_dimension ("il", 1, 1000, TRUE, 1));
  vt_add_dimension (space, vt_categorical_dimension ("c", "[\"relu\", 3, true, 0.5]"));
  vt_add_dimension (space, vt_int_dimension ("one", 4, 4, FALSE, 1));
  return space;
}

/* A smooth function of the mixed space with its optimum inside. */
static gdouble
mixed_loss (JsonObject *params)
{
  JsonNode *c = json_object_get_member (params, "c");
  gdouble loss = 0.0;

  loss += pow (number_member (params, "f") - 0.7, 2);
  loss += pow (log10 (number_member (params, "lg")) + 2.5, 2);
  loss += pow (number_member (params, "st") - 0.3, 2);
  loss += pow (number_member (params, "st3") - 0.5, 2);
  loss += 0.1 * pow (number_member (params, "i") - 2, 2);
  loss += 0.01 * pow (number_member (params, "is") - 15, 2);
  loss += pow (log (number_member (params, "il")) - log (30), 2);
  loss += JSON_NODE_HOLDS_VALUE (c) && json_node_get_value_type (c) == G_TYPE_BOOLEAN ? 0.0 : 0.5;
  return loss;
}

static void
assert_in_space (VernierSpace *space,
                 JsonObject   *params)
{
  g_autoptr(GError) error = NULL;
  guint n_dims = vernier_space_get_n_dimensions (space);

  g_assert_true (vernier_space_validate (space, params, &error));
  g_assert_no_error (error);

  for (guint d = 0; d < n_dims; d++)
    {
      VernierDimension *dim = vernier_space_get_dimension (space, d);
      JsonNode *node = json_object_get_member (params, vernier_dimension_get_name (dim));
      gdouble v, step = vernier_dimension_get_step (dim);

      if (node == NULL)
        continue;
      if (vernier_dimension_get_kind (dim) == VERNIER_DIMENSION_CATEGORICAL)
        continue;

      /* integers are JSON integers, floats JSON doubles */
      g_assert_cmpint (json_node_get_value_type (node), ==,
                       vernier_dimension_get_kind (dim) == VERNIER_DIMENSION_INT
                       ? G_TYPE_INT64 : G_TYPE_DOUBLE);
      v = json_node_get_double (node);
      g_assert_cmpfloat (v, >=, vernier_dimension_get_low (dim));
      g_assert_cmpfloat (v, <=, vernier_dimension_get_high (dim));
      if (step > 0)
        {
          gdouble k = (v - vernier_dimension_get_low (dim)) / step;

          g_assert_cmpfloat (fabs (k - round (k)), <, 1e-9);
        }
    }
}

static void
check_invariants (gboolean multivariate)
{
  g_autoptr(VernierSpace) space = mixed_space ();
  g_autoptr(VernierContext) context = make_context (space, 11, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) tuner = create_tuner ("tpe");
  g_autoptr(GHashTable) choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) ints = g_hash_table_new (g_direct_hash, g_direct_equal);
  gdouble early = 0, late = 0;

  g_object_set (tuner, "multivariate", multivariate, NULL);
  prepare_ok (tuner, context);

  for (guint i = 0; i < 150; i++)
    {
      g_autoptr(JsonObject) params = suggest_ok (tuner);
      gdouble loss = mixed_loss (params);

      assert_in_space (space, params);
      g_hash_table_add (choices, json_to_string (json_object_get_member (params, "c"), FALSE));
      g_hash_table_add (ints, GINT_TO_POINTER ((gint) number_member (params, "i")));
      if (i < 30)
        early += loss / 30;
      else if (i >= 120)
        late += loss / 30;
      tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE, loss);
    }

  /* the random startup visits several values; the model then does better */
  g_assert_cmpuint (g_hash_table_size (choices), >=, 2);
  g_assert_cmpuint (g_hash_table_size (ints), >=, 3);
  g_test_message ("mean loss: first 30 %g, last 30 %g", early, late);
  g_assert_cmpfloat (late, <, early);
}

static void
test_invariants (void)
{
  check_invariants (FALSE);
}

static void
test_invariants_multivariate (void)
{
  check_invariants (TRUE);
}

/* optimizer: sgd (with momentum) or adam (with beta); lr for both. */
static VernierSpace *
conditional_space (void)
{
  VernierSpace *space = vernier_space_new ();

  vt_add_dimension (space, vt_categorical_dimension ("optimizer", "[\"sgd\", \"adam\"]"));
  vt_add_dimension (space, conditional (vt_float_dimension ("momentum", 0, 1, FALSE, 0),
                                     "optimizer", "\"sgd\""));
  vt_add_dimension (space, conditional (vt_int_dimension ("beta", 1, 9, FALSE, 1),
                                     "optimizer", "\"adam\""));
  vt_add_dimension (space, vt_float_dimension ("lr", 1e-3, 1, TRUE, 0));
  return space;
}

static gboolean
is_sgd (JsonObject *params)
{
  return g_str_equal (json_object_get_string_member (params, "optimizer"), "sgd");
}

/* sgd is best with momentum 0.2; adam trails. */
static gdouble
conditional_loss (JsonObject *params)
{
  gdouble loss = 0.1 * pow (log10 (number_member (params, "lr")) + 1.5, 2);

  if (is_sgd (params))
    return loss + pow (number_member (params, "momentum") - 0.2, 2);
  return loss + 0.3 + 0.01 * pow (number_member (params, "beta") - 7, 2);
}

/* Every option, and no startup at all, still gives valid suggestions
 * from the first one on, each configuration learning from its history. */
static void
test_options (void)
{
  static const struct {
    const gchar *name;
    const gchar *value;
  } options[] = {
    { "startup-trials", "0" },
    { "consider-prior", "false" },
    { "consider-magic-clip", "false" },
    { "consider-endpoints", "true" },
    { "weights", "uniform" },
    { "normalized-kernels", "true" },
    { "gamma-max", "0" },
    { "gamma-factor", "1" },
    { "ei-candidates", "1" },
    { "prior-weight", "0.01" },
    { "bandwidth", "optuna" },
    { "min-bandwidth", "0" },
    { "min-bandwidth", "1" },
  };

  for (guint o = 0; o < G_N_ELEMENTS (options); o++)
    for (guint multivariate = 0; multivariate < 2; multivariate++)
      {
        g_autoptr(VernierSpace) space = mixed_space ();
        g_autoptr(VernierSpace) cond = conditional_space ();
        g_autoptr(VernierContext) context = make_context (space, 1, VERNIER_DIRECTION_MINIMIZE);
        g_autoptr(VernierContext) cond_context = make_context (cond, 1, VERNIER_DIRECTION_MINIMIZE);
        g_autoptr(VernierTuner) tuner = create_tuner ("tpe");
        g_autoptr(VernierTuner) cond_tuner = create_tuner ("tpe");
        GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (tuner),
                                                          options[o].name);
        g_auto(GValue) value = G_VALUE_INIT;
        g_autoptr(GKeyFile) key_file = g_key_file_new ();
        g_autoptr(GError) error = NULL;

        g_test_message ("%s=%s, multivariate=%u", options[o].name, options[o].value, multivariate);
        g_assert_nonnull (pspec);
        g_key_file_set_string (key_file, "tuner", options[o].name, options[o].value);
        g_assert_true (vernier_config_parse_value (pspec, key_file, "tuner", options[o].name,
                                                   &value, &error));
        g_assert_no_error (error);
        g_object_set_property (G_OBJECT (tuner), options[o].name, &value);
        g_object_set_property (G_OBJECT (cond_tuner), options[o].name, &value);
        g_object_set (tuner, "multivariate", (gboolean) multivariate, NULL);
        g_object_set (cond_tuner, "multivariate", (gboolean) multivariate, NULL);
        prepare_ok (tuner, context);
        prepare_ok (cond_tuner, cond_context);

        for (guint i = 0; i < 40; i++)
          {
            g_autoptr(JsonObject) params = suggest_ok (tuner);
            g_autoptr(JsonObject) cond_params = suggest_ok (cond_tuner);

            assert_in_space (space, params);
            assert_in_space (cond, cond_params);
            tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE, mixed_loss (params));
            tell (cond_context, cond_tuner, i, cond_params, VERNIER_TRIAL_STATE_COMPLETE,
                  conditional_loss (cond_params));
          }
      }
}

static void
check_conditional (gboolean multivariate)
{
  g_autoptr(VernierSpace) space = conditional_space ();
  g_autoptr(VernierContext) context = make_context (space, 5, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) tuner = create_tuner ("tpe");
  gdouble momenta[100];
  guint n_sgd = 0, n_adam = 0, n_late_sgd = 0;

  g_object_set (tuner, "multivariate", multivariate, NULL);
  prepare_ok (tuner, context);

  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(JsonObject) params = suggest_ok (tuner);
      gboolean sgd = is_sgd (params);

      assert_in_space (space, params);
      g_assert_cmpint (json_object_has_member (params, "momentum"), ==, sgd);
      g_assert_cmpint (json_object_has_member (params, "beta"), ==, !sgd);
      g_assert_true (json_object_has_member (params, "lr"));
      if (sgd)
        n_sgd++;
      else
        n_adam++;
      if (i >= 20 && sgd)
        momenta[n_late_sgd++] = fabs (number_member (params, "momentum") - 0.2);
      tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE, conditional_loss (params));
    }

  g_assert_cmpuint (n_adam, >, 0);
  g_assert_cmpuint (n_sgd, >, n_adam);
  /* momentum is modelled from the sgd trials only: it concentrates on
   * its optimum (uniform draws would give a median distance of 0.3) */
  g_assert_cmpuint (n_late_sgd, >=, 20);
  g_test_message ("median |momentum - 0.2| %g over %u", median (momenta, n_late_sgd), n_late_sgd);
  g_assert_cmpfloat (median (momenta, n_late_sgd), <, 0.1);
}

static void
test_conditional (void)
{
  check_conditional (FALSE);
}

static void
test_conditional_multivariate (void)
{
  check_conditional (TRUE);
}

/* Three tuners with @refine_every and @multivariate run @n_trials on the
 * mixed and the conditional spaces: every kind of parameter stays in its
 * bounds and on its grid, conditional parameters are present exactly when
 * active, two tuners of one seed fed the same history suggest the same,
 * and another seed does not. With local steps, the loss also improves. */
static void
check_seeded_runs (guint    refine_every,
                   gboolean multivariate,
                   guint    n_trials)
{
  g_autoptr(VernierSpace) space = mixed_space ();
  g_autoptr(VernierSpace) cond = conditional_space ();
  VernierSpace *spaces[2] = { space, cond };

  for (guint s = 0; s < G_N_ELEMENTS (spaces); s++)
    {
      g_autoptr(VernierContext) ca = make_context (spaces[s], 7, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierContext) cb = make_context (spaces[s], 7, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierContext) cc = make_context (spaces[s], 8, VERNIER_DIRECTION_MINIMIZE);
      g_autoptr(VernierTuner) a = create_refining (refine_every, multivariate);
      g_autoptr(VernierTuner) b = create_refining (refine_every, multivariate);
      g_autoptr(VernierTuner) c = create_refining (refine_every, multivariate);
      guint quarter = n_trials / 4;
      gdouble early = 0, late = 0;
      guint differ = 0;

      prepare_ok (a, ca);
      prepare_ok (b, cb);
      prepare_ok (c, cc);
      for (guint i = 0; i < n_trials; i++)
        {
          g_autoptr(JsonObject) pa = suggest_ok (a);
          g_autoptr(JsonObject) pb = suggest_ok (b);
          g_autoptr(JsonObject) pc = suggest_ok (c);
          g_autofree gchar *ka = vernier_json_object_canonical (pa);
          g_autofree gchar *kb = vernier_json_object_canonical (pb);
          g_autofree gchar *kc = vernier_json_object_canonical (pc);
          gdouble loss = s == 0 ? mixed_loss (pa) : conditional_loss (pa);

          assert_in_space (spaces[s], pa);
          if (s == 1)
            {
              g_assert_cmpint (json_object_has_member (pa, "momentum"), ==, is_sgd (pa));
              g_assert_cmpint (json_object_has_member (pa, "beta"), ==, !is_sgd (pa));
            }
          g_assert_cmpstr (ka, ==, kb);
          differ += g_strcmp0 (ka, kc) != 0;
          if (i < quarter)
            early += loss / quarter;
          else if (i >= n_trials - quarter)
            late += loss / quarter;
          /* all three learn from the same history */
          tell (ca, a, i, pa, VERNIER_TRIAL_STATE_COMPLETE, loss);
          tell (cb, b, i, pa, VERNIER_TRIAL_STATE_COMPLETE, loss);
          tell (cc, c, i, pa, VERNIER_TRIAL_STATE_COMPLETE, loss);
        }
      g_assert_cmpuint (differ, >, 3 * quarter);
      if (refine_every > 0)
        {
          g_test_message ("mean loss: first %u %g, last %u %g", quarter, early, quarter, late);
          g_assert_cmpfloat (late, <, early);
        }
    }
}

static void
check_same_seed (gboolean multivariate)
{
  check_seeded_runs (0, multivariate, 40);
}

static void
test_same_seed (void)
{
  check_same_seed (FALSE);
}

static void
test_same_seed_multivariate (void)
{
  check_same_seed (TRUE);
}

/* ---- startup and model ------------------------------------------------- */

/* Below startup-trials, the history does not matter: two histories give
 * the same suggestions. From the startup-trials-th finished trial on,
 * they do. */
static void
test_startup_ignores_history (void)
{
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(VernierContext) ca = make_context (space, 3, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) cb = make_context (space, 3, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) a = create_tuner ("tpe");
  g_autoptr(VernierTuner) b = create_tuner ("tpe");
  guint differ = 0;

  prepare_ok (a, ca);
  prepare_ok (b, cb);

  for (guint i = 0; i < 9; i++)
    {
      g_autoptr(JsonObject) near = point (TARGET_X + 0.01 * i, TARGET_Y);
      g_autoptr(JsonObject) far = point (0.9, 0.1 + 0.01 * i);

      tell (ca, a, i, near, VERNIER_TRIAL_STATE_COMPLETE, i);
      tell (cb, b, i, far, VERNIER_TRIAL_STATE_COMPLETE, -1.0 * i);
    }

  /* 9 finished trials: still random, the same for both */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) pa = suggest_ok (a);
      g_autoptr(JsonObject) pb = suggest_ok (b);
      g_autofree gchar *ka = vernier_json_object_canonical (pa);
      g_autofree gchar *kb = vernier_json_object_canonical (pb);

      g_assert_cmpstr (ka, ==, kb);
    }

  /* the 10th finished trial switches both to their models */
  {
    g_autoptr(JsonObject) near = point (TARGET_X, TARGET_Y + 0.05);
    g_autoptr(JsonObject) far = point (0.95, 0.05);

    tell (ca, a, 9, near, VERNIER_TRIAL_STATE_COMPLETE, 0.0);
    tell (cb, b, 9, far, VERNIER_TRIAL_STATE_COMPLETE, -20.0);
  }
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) pa = suggest_ok (a);
      g_autoptr(JsonObject) pb = suggest_ok (b);
      g_autofree gchar *ka = vernier_json_object_canonical (pa);
      g_autofree gchar *kb = vernier_json_object_canonical (pb);

      differ += g_strcmp0 (ka, kb) != 0;
    }
  g_assert_cmpuint (differ, ==, 10);
}

/* After a history that says where the good region is, suggestions
 * concentrate there; while random (startup not reached), they do not. */
static void
check_concentrates (gboolean multivariate)
{
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(VernierContext) random_context = make_context (space, 9, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) model_context = make_context (space, 9, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) random_phase = create_tuner ("tpe");
  g_autoptr(VernierTuner) model = create_tuner ("tpe");
  gdouble random_median, model_median;

  g_object_set (random_phase, "startup-trials", 1000, "multivariate", multivariate, NULL);
  g_object_set (model, "multivariate", multivariate, NULL);
  prepare_ok (random_phase, random_context);
  prepare_ok (model, model_context);
  feed_uniform (random_context, random_phase, 60, 1.0);
  feed_uniform (model_context, model, 60, 1.0);

  random_median = median_distance (random_phase, 60);
  model_median = median_distance (model, 60);
  g_test_message ("median distance to the optimum: random %g, model %g",
                  random_median, model_median);
  /* uniform draws in the square: about 0.4 */
  g_assert_cmpfloat (random_median, >, 0.25);
  g_assert_cmpfloat (model_median, <, 0.4 * random_median);
}

static void
test_concentrates (void)
{
  check_concentrates (FALSE);
}

static void
test_concentrates_multivariate (void)
{
  check_concentrates (TRUE);
}

/* The median distance to the target of 60 multivariate suggestions,
 * made with the given bandwidth rule after 60 trials: 54 spread
 * uniformly, and 6 good ones within 0.01 of the target. */
static gdouble
clustered_spread (const gchar *bandwidth,
                  gdouble      min_bandwidth)
{
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(VernierContext) context = make_context (space, 9, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) tuner = create_tuner ("tpe");
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (tuner), "bandwidth");
  GEnumValue *rule = g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (pspec)->enum_class, bandwidth);

  g_assert_nonnull (rule);
  g_object_set (tuner, "multivariate", TRUE, "bandwidth", rule->value,
                "min-bandwidth", min_bandwidth, NULL);
  prepare_ok (tuner, context);
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(JsonObject) params = NULL;

      if (i % 10 == 0)
        params = point (TARGET_X + g_rand_double_range (rand, -0.01, 0.01),
                        TARGET_Y + g_rand_double_range (rand, -0.01, 0.01));
      else
        params = point (g_rand_double (rand), g_rand_double (rand));
      /* the cluster is better than any of the others */
      tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE,
            distance_to_target (params) + (i % 10 == 0 ? 0.0 : 1.0));
    }
  return median_distance (tuner, 60);
}

/* Scott's rule follows the good trials' spread: when they gather, the
 * suggestions gather round them, down to min-bandwidth; Optuna's rule
 * only knows how many they are and keeps a broad search. */
static void
test_bandwidth (void)
{
  gdouble narrow = clustered_spread ("scott", 0.01);
  gdouble scott = clustered_spread ("scott", 0.05);
  gdouble broad = clustered_spread ("scott", 0.2);
  gdouble optuna = clustered_spread ("optuna", 0.01);

  g_test_message ("median distance to a cluster of good trials: scott with "
                  "min-bandwidth 0.01 %g, 0.05 %g, 0.2 %g; optuna %g",
                  narrow, scott, broad, optuna);
  g_assert_cmpfloat (narrow, <, scott);
  g_assert_cmpfloat (scott, <, broad);
  g_assert_cmpfloat (narrow, <, optuna);
}

/* Maximizing -distance is minimizing the distance. */
static void
test_maximize (void)
{
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(VernierContext) max_context = make_context (space, 13, VERNIER_DIRECTION_MAXIMIZE);
  g_autoptr(VernierContext) min_context = make_context (space, 13, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) maximizer = create_tuner ("tpe");
  g_autoptr(VernierTuner) minimizer = create_tuner ("tpe");
  gdouble max_median, min_median;

  prepare_ok (maximizer, max_context);
  prepare_ok (minimizer, min_context);
  feed_uniform (max_context, maximizer, 60, -1.0);
  feed_uniform (min_context, minimizer, 60, -1.0);

  max_median = median_distance (maximizer, 60);
  min_median = median_distance (minimizer, 60);
  g_test_message ("median distance to the target: maximizing %g, minimizing %g",
                  max_median, min_median);
  /* maximizing -distance goes to the target, minimizing it away */
  g_assert_cmpfloat (max_median, <, 0.15);
  g_assert_cmpfloat (min_median, >, 3 * max_median);
}

/* ---- failed and pruned trials ------------------------------------------ */

/* Failed and timed-out trials change nothing, not even the count of
 * startup trials. */
static void
test_failed_ignored (void)
{
  g_autoptr(VernierSpace) space = mixed_space ();
  g_autoptr(VernierContext) ca = make_context (space, 21, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) cb = make_context (space, 21, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) a = create_tuner ("tpe");
  g_autoptr(VernierTuner) b = create_tuner ("tpe");
  g_autoptr(VernierTuner) random = create_tuner ("random");
  g_autoptr(VernierContext) rc = make_context (space, 99, VERNIER_DIRECTION_MINIMIZE);
  guint number = 0;

  prepare_ok (a, ca);
  prepare_ok (b, cb);
  prepare_ok (random, rc);

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(JsonObject) pa = suggest_ok (a);
      g_autoptr(JsonObject) pb = suggest_ok (b);
      g_autofree gchar *ka = vernier_json_object_canonical (pa);
      g_autofree gchar *kb = vernier_json_object_canonical (pb);
      gdouble loss = mixed_loss (pa);

      g_assert_cmpstr (ka, ==, kb);
      tell (ca, a, number, pa, VERNIER_TRIAL_STATE_COMPLETE, loss);
      tell (cb, b, number, pa, VERNIER_TRIAL_STATE_COMPLETE, loss);
      number++;

      /* b also sees failures, some at excellent-looking points */
      for (guint f = 0; f < 2; f++)
        {
          g_autoptr(JsonObject) junk = suggest_ok (random);
          g_autoptr(VernierTrial) trial = vernier_trial_new (number++, junk);

          vernier_trial_mark_started (trial);
          vernier_trial_set_value (trial, -1e9);
          vernier_trial_mark_finished (trial, f == 0 ? VERNIER_TRIAL_STATE_FAILED
                                                     : VERNIER_TRIAL_STATE_TIMED_OUT);
          vernier_context_add_trial (cb, trial);
          vernier_tuner_observe (b, trial);
        }
    }
}

/* Pruned trials count as finished and rank by the step they reached
 * before their value; complete trials rank before them all. */
static void
test_pruned (void)
{
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(VernierContext) context = make_context (space, 17, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) context2 = make_context (space, 17, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) tuner = create_tuner ("tpe");
  g_autoptr(VernierTuner) tuner2 = create_tuner ("tpe");
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  gdouble pruned_median, complete_median;
  guint number = 0, n_went_on = 0;

  prepare_ok (tuner, context);
  prepare_ok (tuner2, context2);

  /* 40 pruned trials only: those near the target went on to step 10 with
   * poor values, the others stopped at step 2 with better ones, a few
   * reported nothing */
  for (guint i = 0; i < 40; i++, number++)
    {
      g_autoptr(JsonObject) params = point (g_rand_double (rand), g_rand_double (rand));
      gboolean near = distance_to_target (params) < 0.2;
      gint64 steps = i % 10 == 9 ? 0 : (near ? 10 : 2);

      tell_pruned (context, tuner, number, params, steps, near ? 50.0 : 1.0);
      tell_pruned (context2, tuner2, number, params, steps, near ? 50.0 : 1.0);
      n_went_on += steps == 10;
    }
  /* enough of them to fill the good trials: ceil(0.1 × 40) */
  g_assert_cmpuint (n_went_on, >=, 4);

  /* startup reached with pruned trials alone: the model follows the
   * trials that went furthest */
  pruned_median = median_distance (tuner, 40);
  g_test_message ("pruned only: median distance to the target %g", pruned_median);
  g_assert_cmpfloat (pruned_median, <, 0.25);

  /* complete trials rank before any pruned one, however bad their value */
  for (guint i = 0; i < 5; i++, number++)
    {
      g_autoptr(JsonObject) params = point (0.9 - 0.01 * i, 0.1 + 0.01 * i);

      tell (context2, tuner2, number, params, VERNIER_TRIAL_STATE_COMPLETE, 1000.0 + i);
    }
  complete_median = median_distance (tuner2, 40);
  g_test_message ("with complete trials at (0.9, 0.1): median distance to the target %g",
                  complete_median);
  g_assert_cmpfloat (complete_median, >, 0.5);
}

/* A tuner prepared on a history (resumed study, earlier tuner of a
 * chain) uses it, and a trial told twice counts once. */
static void
test_history_from_context (void)
{
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(VernierContext) ca = make_context (space, 31, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) cb = make_context (space, 31, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) a = create_tuner ("tpe");
  g_autoptr(VernierTuner) b = create_tuner ("tpe");
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);

  prepare_ok (b, cb);
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(JsonObject) params = point (g_rand_double (rand), g_rand_double (rand));
      g_autoptr(VernierTrial) trial = vernier_trial_new (i, params);

      vernier_trial_set_value (trial, distance_to_target (params));
      vernier_trial_mark_finished (trial, VERNIER_TRIAL_STATE_COMPLETE);
      vernier_context_add_trial (ca, trial);
      vernier_context_add_trial (cb, trial);
      vernier_tuner_observe (b, trial);
      vernier_tuner_observe (b, trial);
    }
  prepare_ok (a, ca);

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) pa = suggest_ok (a);
      g_autoptr(JsonObject) pb = suggest_ok (b);
      g_autofree gchar *ka = vernier_json_object_canonical (pa);
      g_autofree gchar *kb = vernier_json_object_canonical (pb);

      g_assert_cmpstr (ka, ==, kb);
    }
}

/* ---- whole studies ----------------------------------------------------- */

static gdouble
run_branin (const gchar *tuner,
            guint64      seed)
{
  g_autofree gchar *text = g_strdup_printf (
    "[study]\nname=branin\ntrials=60\nparallel=1\nseed=%" G_GUINT64_FORMAT "\n"
    "[param x]\ntype=float\nlow=-5\nhigh=10\n"
    "[param y]\ntype=float\nlow=0\nhigh=15\n"
    "%s"
    "[trainer]\nplugin=benchmark\nfunction=branin\n",
    seed, tuner);
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;

  config = vernier_config_new_from_data (text, -1, "branin.ini", NULL, &error);
  g_assert_no_error (error);
  study = vernier_config_create_study (config, registry, &error);
  g_assert_no_error (error);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (best);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, 60);
  return vernier_trial_get_value (best);
}

static void
check_branin (const gchar *tuner)
{
  gdouble tpe[10], random[10], tpe_median, random_median;

  for (guint s = 0; s < G_N_ELEMENTS (tpe); s++)
    {
      tpe[s] = run_branin (tuner, 1 + s);
      random[s] = run_branin ("[tuner]\nplugin=random\n", 1 + s);
    }
  tpe_median = median (tpe, G_N_ELEMENTS (tpe));
  random_median = median (random, G_N_ELEMENTS (random));
  g_test_message ("branin, 60 trials, median best of 10 seeds: tpe %g, random %g "
                  "(minimum 0.397887)", tpe_median, random_median);
  g_assert_cmpfloat (tpe_median, <, random_median);
  /* not by the luck of a few seeds: tpe's worst quartile beats random's median */
  g_assert_cmpfloat (tpe[7], <, random_median);
}

static void
test_branin_beats_random (void)
{
  check_branin ("[tuner]\nplugin=tpe\n");
}

static void
test_branin_beats_random_multivariate (void)
{
  check_branin ("[tuner]\nplugin=tpe\nmultivariate=true\n");
}

/* ---- local refinement ---------------------------------------------------- */

static void
test_refine_default (void)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) object = vernier_registry_create (registry, "tuner", "tpe", &error);
  guint every;

  g_assert_no_error (error);
  g_object_get (object, "refine-every", &every, NULL);
  g_assert_cmpuint (every, ==, 2);
}

static void
check_refine_invariants (gboolean multivariate)
{
  check_seeded_runs (2, multivariate, 100);
}

static void
test_refine_invariants (void)
{
  check_refine_invariants (FALSE);
}

static void
test_refine_invariants_multivariate (void)
{
  check_refine_invariants (TRUE);
}

/* On a smooth bowl the local steps find the optimum far closer than TPE
 * alone in the same budget. */
static gdouble
bowl (JsonObject *params)
{
  return pow (number_member (params, "x") - TARGET_X, 2) +
         pow (number_member (params, "y") - TARGET_Y, 2);
}

static gdouble
best_on_bowl (guint    every,
              gboolean multivariate,
              guint64  seed)
{
  g_autoptr(VernierSpace) space = square_space ();
  g_autoptr(VernierContext) context = make_context (space, seed, VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierTuner) tuner = create_refining (every, multivariate);
  gdouble best = INFINITY;

  prepare_ok (tuner, context);
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(JsonObject) params = suggest_ok (tuner);
      gdouble loss = bowl (params);

      best = MIN (best, loss);
      tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE, loss);
    }
  return best;
}

static void
test_refine_converges (void)
{
  for (guint mv = 0; mv <= 1; mv++)
    {
      gdouble refined[5], plain[5];

      for (guint s = 0; s < G_N_ELEMENTS (refined); s++)
        {
          refined[s] = best_on_bowl (2, mv, 30 + s);
          plain[s] = best_on_bowl (0, mv, 30 + s);
        }
      g_test_message ("multivariate %u: median best after 60 trials %g refined, %g plain",
                      mv, median (refined, 5), median (plain, 5));
      g_assert_cmpfloat (median (refined, 5), <, 1e-6);
      g_assert_cmpfloat (median (refined, 5), <, median (plain, 5) / 100);
    }
}

/* Local steps start from the best trial, then from the best trial of
 * another categorical context, in turn. */
static void
test_refine_contexts (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_refining (1, TRUE);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) third = NULL;

  vt_add_dimension (space, vt_categorical_dimension ("k", "[\"a\", \"b\", \"c\"]"));
  vt_add_dimension (space, vt_float_dimension ("x", -5, 5, FALSE, 0));
  context = make_context (space, 3, VERNIER_DIRECTION_MINIMIZE);
  prepare_ok (tuner, context);

  /* a: a bowl at x = -1 down to 0.5; b: a bowl at x = 2 down to 0.6
   * (its best trial is the runner-up); c: worse everywhere */
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(JsonObject) params = json_object_new ();
      const gchar *k = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c";
      gdouble x = -4.5 + 9.0 * ((i * 7) % 30) / 29.0;
      gdouble loss = g_str_equal (k, "a") ? 0.5 + (x + 1) * (x + 1)
                     : g_str_equal (k, "b") ? 0.6 + 0.1 * (x - 2) * (x - 2)
                     : 5 + x * x;

      json_object_set_string_member (params, "k", k);
      json_object_set_double_member (params, "x", x);
      tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE, loss);
    }

  first = suggest_ok (tuner);
  second = suggest_ok (tuner);
  third = suggest_ok (tuner);
  g_assert_cmpstr (json_object_get_string_member (first, "k"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (second, "k"), ==, "b");
  g_assert_cmpstr (json_object_get_string_member (third, "k"), ==, "a");
  /* each near its context's optimum, which the quadratic finds */
  g_assert_cmpfloat (fabs (number_member (first, "x") + 1), <, 0.5);
  g_assert_cmpfloat (fabs (number_member (second, "x") - 2), <, 1.0);
}

/* On a grid, a local step never suggests the best trial again: after it
 * converged on an integer bowl, repeats of the best configuration are no
 * more frequent than with TPE alone. */
static guint
count_best_repeats (guint refine_every,
                    guint seed)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_refining (refine_every, FALSE);
  g_autofree gchar *best_key = NULL;
  gdouble best = G_MAXDOUBLE;
  guint repeats = 0;

  vt_add_dimension (space, vt_int_dimension ("a", -5, 5, FALSE, 1));
  vt_add_dimension (space, vt_int_dimension ("b", -5, 5, FALSE, 1));
  context = make_context (space, seed, VERNIER_DIRECTION_MINIMIZE);
  prepare_ok (tuner, context);
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(JsonObject) params = suggest_ok (tuner);
      g_autofree gchar *key = vernier_json_object_canonical (params);
      gdouble a = number_member (params, "a"), b = number_member (params, "b");
      gdouble loss = a * a + b * b;

      repeats += g_strcmp0 (key, best_key) == 0;
      if (loss < best)
        {
          best = loss;
          g_free (best_key);
          best_key = g_steal_pointer (&key);
        }
      tell (context, tuner, i, params, VERNIER_TRIAL_STATE_COMPLETE, loss);
    }
  return repeats;
}

static void
test_refine_no_repeat_on_grid (void)
{
  guint with = 0, without = 0;

  for (guint seed = 1; seed <= 3; seed++)
    {
      with += count_best_repeats (1, seed);
      without += count_best_repeats (0, seed);
    }
  g_test_message ("repeats of the best: %u with local steps only, %u with TPE alone", with, without);
  g_assert_cmpuint (with, <=, without);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/tpe/defaults", test_defaults);
  g_test_add_func ("/vernier/tpe/study-file-keys", test_study_file_keys);
  g_test_add_func ("/vernier/tpe/bad-configurations", test_bad_configurations);
  g_test_add_func ("/vernier/tpe/invariants", test_invariants);
  g_test_add_func ("/vernier/tpe/invariants-multivariate", test_invariants_multivariate);
  g_test_add_func ("/vernier/tpe/options", test_options);
  g_test_add_func ("/vernier/tpe/conditional", test_conditional);
  g_test_add_func ("/vernier/tpe/conditional-multivariate", test_conditional_multivariate);
  g_test_add_func ("/vernier/tpe/same-seed", test_same_seed);
  g_test_add_func ("/vernier/tpe/same-seed-multivariate", test_same_seed_multivariate);
  g_test_add_func ("/vernier/tpe/startup-ignores-history", test_startup_ignores_history);
  g_test_add_func ("/vernier/tpe/concentrates", test_concentrates);
  g_test_add_func ("/vernier/tpe/concentrates-multivariate", test_concentrates_multivariate);
  g_test_add_func ("/vernier/tpe/bandwidth", test_bandwidth);
  g_test_add_func ("/vernier/tpe/maximize", test_maximize);
  g_test_add_func ("/vernier/tpe/failed-ignored", test_failed_ignored);
  g_test_add_func ("/vernier/tpe/pruned", test_pruned);
  g_test_add_func ("/vernier/tpe/history-from-context", test_history_from_context);
  g_test_add_func ("/vernier/tpe/refine/default", test_refine_default);
  g_test_add_func ("/vernier/tpe/refine/invariants", test_refine_invariants);
  g_test_add_func ("/vernier/tpe/refine/invariants-multivariate",
                   test_refine_invariants_multivariate);
  g_test_add_func ("/vernier/tpe/refine/converges", test_refine_converges);
  g_test_add_func ("/vernier/tpe/refine/contexts", test_refine_contexts);
  g_test_add_func ("/vernier/tpe/refine/no-repeat-on-grid", test_refine_no_repeat_on_grid);
  g_test_add_func ("/vernier/tpe/branin-beats-random", test_branin_beats_random);
  g_test_add_func ("/vernier/tpe/branin-beats-random-multivariate",
                   test_branin_beats_random_multivariate);

  return g_test_run ();
}
