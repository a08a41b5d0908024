/* test-cmaes.c: the cmaes tuner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-test-util.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vernier-core.h>

/* ---- helpers ----------------------------------------------------------- */

/* The value of nick @nick of an enum type of the plugin's (the types live
 * in the plugin, registered once it is loaded). */
static gint
enum_value (const gchar *type_name,
            const gchar *nick)
{
  GType type = g_type_from_name (type_name);
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  if (type == G_TYPE_INVALID)
    {
      /* not loaded yet: a tuner loads the plugin, which stays loaded */
      g_autoptr(VernierRegistry) registry = vernier_registry_new ();
      g_autoptr(GObject) tuner = vernier_registry_create (registry, "tuner", "cmaes", NULL);

      g_assert_nonnull (tuner);
      type = g_type_from_name (type_name);
    }
  g_assert_true (type != G_TYPE_INVALID);
  klass = g_type_class_ref (type);
  value = g_enum_get_value_by_nick (klass, nick);
  g_assert_nonnull (value);
  return value->value;
}

#define restarts_value(nick) enum_value ("VernierCmaesRestarts", (nick))
#define surrogate_value(nick) enum_value ("VernierCmaesSurrogate", (nick))
#define VERNIER_CMAES_RESTARTS_NONE_VALUE restarts_value ("none")

typedef gdouble (*Objective) (JsonObject *params,
                              gpointer    data);

/* A cmaes tuner with @first_property… set; plain CMA-ES (surrogate=none)
 * unless they say otherwise, so that a generation is handed out whole. */
static VernierTuner *
create_tuner (const gchar *first_property,
              ...)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;
  va_list args;

  object = vernier_registry_create (registry, "tuner", "cmaes", &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_TUNER (object));
  g_object_set (object, "surrogate", surrogate_value ("none"), NULL);
  va_start (args, first_property);
  if (first_property != NULL)
    g_object_set_valist (object, first_property, args);
  va_end (args);
  return VERNIER_TUNER (object);
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

/* A square space [-5, 5]^n of floats x0, x1… */
static VernierSpace *
square_space (guint n)
{
  VernierSpace *space = vernier_space_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("x%u", i);

      vt_add_dimension (space, vt_float_dimension (name, -5, 5, FALSE, 0));
    }
  return space;
}

static gdouble
number (JsonObject  *params,
        const gchar *name)
{
  JsonNode *node = json_object_get_member (params, name);
  gdouble value = NAN;

  g_assert_nonnull (node);
  g_assert_true (vernier_json_node_get_number (node, &value));
  return value;
}

/* Σ (x_i - target_i)² over x0… with the targets in @data. */
static gdouble
shifted_sphere (JsonObject *params,
                gpointer    data)
{
  const gdouble *target = data;
  gdouble sum = 0;
  guint n = json_object_get_size (params);

  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("x%u", i);
      gdouble d = number (params, name) - target[i];

      sum += d * d;
    }
  return sum;
}

static gdouble
flat (JsonObject *params,
      gpointer    data)
{
  return 1.0;
}

/* A finished trial of @params. */
static VernierTrial *
finished_trial (guint              number,
                JsonObject        *params,
                VernierTrialState  state,
                gdouble            value)
{
  VernierTrial *trial = vernier_trial_new (number, params);

  vernier_trial_mark_started (trial);
  if (state == VERNIER_TRIAL_STATE_COMPLETE)
    vernier_trial_set_value (trial, value);
  vernier_trial_mark_finished (trial, state);
  return trial;
}

/* Suggests until the tuner says PENDING and returns the suggestions. */
static GPtrArray *
hand_out_generation (VernierTuner *tuner)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < 100000; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonObject *params = vernier_tuner_suggest (tuner, &error);

      if (params == NULL)
        {
          g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_PENDING);
          return g_steal_pointer (&all);
        }
      g_assert_no_error (error);
      g_ptr_array_add (all, params);
    }
  g_assert_not_reached ();
  return NULL;
}

/* Tells the tuner (and the context's history, as the core does) every
 * configuration of @generation as a completed trial valued by @f. */
static void
tell_all (VernierTuner   *tuner,
          VernierContext *context,
          GPtrArray      *generation,
          Objective       f,
          gpointer        data,
          guint          *number_counter)
{
  for (guint i = 0; i < generation->len; i++)
    {
      JsonObject *params = g_ptr_array_index (generation, i);
      g_autoptr(VernierTrial) trial =
        finished_trial ((*number_counter)++, params, VERNIER_TRIAL_STATE_COMPLETE,
                        f (params, data));

      vernier_context_add_trial (context, trial);
      vernier_tuner_observe (tuner, trial);
    }
}

/* The mean of coordinate @name over @generation. */
static gdouble
generation_mean (GPtrArray   *generation,
                 const gchar *name)
{
  gdouble sum = 0;

  g_assert_cmpuint (generation->len, >, 0);
  for (guint i = 0; i < generation->len; i++)
    sum += number (g_ptr_array_index (generation, i), name);
  return sum / generation->len;
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* ---- configuration errors --------------------------------------------- */

static void
test_categorical_refused (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(JsonNode) choices = json_from_string ("[\"sgd\", \"adam\"]", NULL);
  g_autoptr(VernierDimension) optimizer =
    vernier_dimension_new_categorical ("optimizer", json_node_get_array (choices), NULL);
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_space_add (space, optimizer, NULL));
  context = make_context (space, 1);
  g_assert_false (vernier_tuner_prepare (tuner, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "cmaes cannot search categorical parameter 'optimizer'; "
                   "use tpe or random for it");

  /* and it does not suggest after a failed prepare */
  g_clear_error (&error);
  g_assert_null (vernier_tuner_suggest (tuner, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL);
}

static void
test_conditional_refused (void)
{
  g_autoptr(VernierSpace) space = square_space (1);
  g_autoptr(VernierDimension) kind = vt_int_dimension ("kind", 0, 1, FALSE, 1);
  g_autoptr(VernierDimension) momentum = vt_float_dimension ("momentum", 0, 1, FALSE, 0);
  g_autoptr(JsonNode) one = json_node_init_int (json_node_alloc (), 1);
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  g_autoptr(GError) error = NULL;

  vernier_dimension_set_condition (momentum, "kind", one);
  g_assert_true (vernier_space_add (space, kind, NULL));
  g_assert_true (vernier_space_add (space, momentum, NULL));
  context = make_context (space, 1);
  g_assert_false (vernier_tuner_prepare (tuner, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "conditional parameter 'momentum'"));
}

static void
test_candidates_refused (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(JsonNode) node = json_from_string ("{\"x\": 1}", NULL);
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  g_autoptr(VernierTuner) single = create_tuner ("population", 1, NULL);
  g_autoptr(VernierSpace) square = square_space (2);
  g_autoptr(VernierContext) square_context = make_context (square, 1);
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_space_add_candidate (space, json_node_get_object (node), NULL));
  context = make_context (space, 1);
  g_assert_false (vernier_tuner_prepare (tuner, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "explicit candidates"));

  /* a population of one cannot recombine */
  g_clear_error (&error);
  g_assert_false (vernier_tuner_prepare (single, square_context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "population"));
}

/* ---- ask and tell ------------------------------------------------------ */

static void
test_pending (void)
{
  g_autoptr(VernierSpace) space = square_space (4);
  g_autoptr(VernierContext) context = make_context (space, 3);
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  g_autoptr(GPtrArray) generation = NULL;
  g_autoptr(GPtrArray) next = NULL;
  g_autoptr(GError) error = NULL;
  const gdouble target[4] = { 0 };
  guint counter = 0;

  prepare_ok (tuner, context);
  generation = hand_out_generation (tuner);
  /* λ = 4 + ⌊3 ln 4⌋ */
  g_assert_cmpuint (generation->len, ==, 4 + (guint) floor (3 * log (4.0)));

  /* telling all but one leaves it pending */
  for (guint i = 0; i + 1 < generation->len; i++)
    {
      JsonObject *params = g_ptr_array_index (generation, i);
      g_autoptr(VernierTrial) trial =
        finished_trial (counter++, params, VERNIER_TRIAL_STATE_COMPLETE,
                        shifted_sphere (params, (gpointer) target));

      vernier_tuner_observe (tuner, trial);
      g_assert_null (vernier_tuner_suggest (tuner, &error));
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_PENDING);
      g_clear_error (&error);
    }

  /* a trial of another tuner does not count */
  {
    g_autoptr(JsonNode) node =
      json_from_string ("{\"x0\": 1, \"x1\": 1, \"x2\": 1, \"x3\": 1}", NULL);
    g_autoptr(VernierTrial) other =
      finished_trial (counter++, json_node_get_object (node), VERNIER_TRIAL_STATE_COMPLETE, 0.5);

    vernier_tuner_observe (tuner, other);
    g_assert_null (vernier_tuner_suggest (tuner, &error));
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_PENDING);
    g_clear_error (&error);
  }

  {
    JsonObject *params = g_ptr_array_index (generation, generation->len - 1);
    g_autoptr(VernierTrial) trial =
      finished_trial (counter++, params, VERNIER_TRIAL_STATE_COMPLETE,
                      shifted_sphere (params, (gpointer) target));

    vernier_tuner_observe (tuner, trial);
  }

  /* the next generation, of the same size */
  next = hand_out_generation (tuner);
  g_assert_cmpuint (next->len, ==, generation->len);
}

static void
test_population_property (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 3);
  g_autoptr(VernierTuner) tuner = create_tuner ("population", 10, NULL);
  g_autoptr(GPtrArray) generation = NULL;

  prepare_ok (tuner, context);
  generation = hand_out_generation (tuner);
  g_assert_cmpuint (generation->len, ==, 10);
}

/* Pruned, failed and timed-out members are told with a penalty: the
 * generation completes and the search goes on. */
static void
test_failed_members (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 5);
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  const gdouble target[2] = { 1, 1 };
  guint counter = 0;

  prepare_ok (tuner, context);
  for (guint g = 0; g < 3; g++)
    {
      g_autoptr(GPtrArray) generation = hand_out_generation (tuner);

      g_assert_cmpuint (generation->len, ==, 6);
      for (guint i = 0; i < generation->len; i++)
        {
          JsonObject *params = g_ptr_array_index (generation, i);
          VernierTrialState state = i % 3 == 0 ? VERNIER_TRIAL_STATE_FAILED :
                                    i % 3 == 1 ? VERNIER_TRIAL_STATE_PRUNED :
                                    VERNIER_TRIAL_STATE_COMPLETE;
          g_autoptr(VernierTrial) trial = vernier_trial_new (counter++, params);

          vernier_trial_mark_started (trial);
          if (state == VERNIER_TRIAL_STATE_PRUNED)
            vernier_trial_report (trial, 1, 100.0 + i);
          if (state == VERNIER_TRIAL_STATE_COMPLETE)
            vernier_trial_set_value (trial, shifted_sphere (params, (gpointer) target));
          if (g == 2 && i == 5)
            state = VERNIER_TRIAL_STATE_TIMED_OUT;
          vernier_trial_mark_finished (trial, state);
          vernier_tuner_observe (tuner, trial);
        }
    }

  /* a whole generation failing does not stall the search either */
  {
    g_autoptr(GPtrArray) generation = hand_out_generation (tuner);
    g_autoptr(GPtrArray) after = NULL;

    for (guint i = 0; i < generation->len; i++)
      {
        g_autoptr(VernierTrial) trial =
          finished_trial (counter++, g_ptr_array_index (generation, i),
                          VERNIER_TRIAL_STATE_FAILED, 0);

        vernier_tuner_observe (tuner, trial);
      }
    after = hand_out_generation (tuner);
    g_assert_cmpuint (after->len, ==, 6);
  }
}

/* Trials failing beyond x0 > 1 while the objective pulls towards x0 = 4:
 * the penalty keeps the search on the side that completes. */
static gdouble
pulled_right (JsonObject *params,
              gpointer    data)
{
  gdouble x = number (params, "x0"), y = number (params, "x1");

  return (x - 4) * (x - 4) + y * y;
}

static void
test_failures_repel (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 8);
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  gdouble best = INFINITY, best_x = NAN;
  guint counter = 0, failed_late = 0, told_late = 0;

  prepare_ok (tuner, context);
  for (guint g = 0; g < 40; g++)
    {
      g_autoptr(GPtrArray) generation = hand_out_generation (tuner);

      for (guint i = 0; i < generation->len; i++)
        {
          JsonObject *params = g_ptr_array_index (generation, i);
          gboolean fails = number (params, "x0") > 1.0;
          gdouble value = pulled_right (params, NULL);
          g_autoptr(VernierTrial) trial =
            finished_trial (counter++, params,
                            fails ? VERNIER_TRIAL_STATE_FAILED : VERNIER_TRIAL_STATE_COMPLETE,
                            value);

          if (!fails && value < best)
            {
              best = value;
              best_x = number (params, "x0");
            }
          if (g >= 30)
            {
              told_late++;
              failed_late += fails;
            }
          vernier_tuner_observe (tuner, trial);
        }
    }

  /* close to the edge of what completes, and mostly completing there */
  g_assert_cmpfloat (best_x, >, 0.5);
  g_assert_cmpfloat (best_x, <=, 1.0);
  g_assert_cmpuint (failed_late, <, told_late / 2 + 1);
}

/* ---- the search -------------------------------------------------------- */

static void
test_sphere_mean (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 11);
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  const gdouble target[2] = { 3, -2 };
  gdouble first = 0, last = 0;
  guint counter = 0;

  prepare_ok (tuner, context);
  for (guint g = 0; g < 30; g++)
    {
      g_autoptr(GPtrArray) generation = hand_out_generation (tuner);
      gdouble dx = generation_mean (generation, "x0") - target[0];
      gdouble dy = generation_mean (generation, "x1") - target[1];
      gdouble distance = sqrt (dx * dx + dy * dy);

      g_assert_cmpuint (generation->len, ==, 6);
      if (g == 0)
        {
          first = distance;
          /* the first generation is centred on the centre of the space */
          g_assert_cmpfloat (fabs (generation_mean (generation, "x0")), <, 1.5);
          g_assert_cmpfloat (fabs (generation_mean (generation, "x1")), <, 1.5);
        }
      last = distance;
      tell_all (tuner, context, generation, shifted_sphere, (gpointer) target, &counter);
    }

  g_assert_cmpfloat (first, >, 2.0);
  g_assert_cmpfloat (last, <, first / 20);
}

/* Runs generations of @f until the population changes or the tuner is
 * exhausted; returns the sizes seen, in order, one per generation. */
static GArray *
run_until (VernierTuner   *tuner,
           VernierContext *context,
           Objective       f,
           gpointer        data,
           guint           max_generations,
           guint           n_changes,
           gboolean       *exhausted)
{
  GArray *sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  guint counter = 0, changes = 0;

  *exhausted = FALSE;
  for (guint g = 0; g < max_generations && changes < n_changes; g++)
    {
      g_autoptr(GPtrArray) generation =
        g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      g_autoptr(GError) error = NULL;
      JsonObject *params;

      while ((params = vernier_tuner_suggest (tuner, &error)) != NULL)
        g_ptr_array_add (generation, params);
      if (g_error_matches (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED))
        {
          g_assert_cmpuint (generation->len, ==, 0);
          *exhausted = TRUE;
          break;
        }
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_PENDING);

      if (sizes->len > 0 && g_array_index (sizes, guint, sizes->len - 1) != generation->len)
        changes++;
      g_array_append_val (sizes, generation->len);
      for (guint i = 0; i < generation->len; i++)
        {
          JsonObject *p = g_ptr_array_index (generation, i);
          g_autoptr(VernierTrial) trial =
            finished_trial (counter++, p, VERNIER_TRIAL_STATE_COMPLETE, f (p, data));

          vernier_tuner_observe (tuner, trial);
        }
    }
  return sizes;
}

static void
test_ipop_restarts (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 21);
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  g_autoptr(GArray) sizes = NULL;
  const gdouble target[2] = { 1.5, -0.5 };
  gboolean exhausted;
  guint expected = 6;

  prepare_ok (tuner, context);
  /* a converging sphere: every restart doubles the population */
  sizes = run_until (tuner, context, shifted_sphere, (gpointer) target, 5000, 2, &exhausted);
  g_assert_false (exhausted);
  g_assert_cmpuint (g_array_index (sizes, guint, 0), ==, 6);
  for (guint i = 0; i < sizes->len; i++)
    {
      guint size = g_array_index (sizes, guint, i);

      if (size != expected)
        {
          g_assert_cmpuint (size, ==, 2 * expected);
          expected = size;
        }
    }
  g_assert_cmpuint (expected, ==, 24);
}

static void
test_restart_on_flat (void)
{
  g_autoptr(VernierSpace) space = square_space (3);
  g_autoptr(VernierContext) context = make_context (space, 4);
  g_autoptr(VernierTuner) tuner = create_tuner ("inc-popsize", 3, NULL);
  g_autoptr(GArray) sizes = NULL;
  gboolean exhausted;
  guint lambda = 4 + (guint) floor (3 * log (3.0));

  prepare_ok (tuner, context);
  /* nothing to learn: tolfun fires once the history of values is full */
  sizes = run_until (tuner, context, flat, NULL, 1000, 1, &exhausted);
  g_assert_false (exhausted);
  g_assert_cmpuint (g_array_index (sizes, guint, 0), ==, lambda);
  g_assert_cmpuint (g_array_index (sizes, guint, sizes->len - 1), ==, 3 * lambda);
  /* not before 10 + ⌈30 n / λ⌉ generations */
  g_assert_cmpuint (sizes->len - 1, >=, 10 + (guint) ceil (30.0 * 3 / lambda));
}

static void
test_no_restart (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 21);
  g_autoptr(VernierTuner) tuner = NULL;
  g_autoptr(GArray) sizes = NULL;
  g_autoptr(GError) error = NULL;
  const gdouble target[2] = { 1.5, -0.5 };
  gboolean exhausted;

  tuner = create_tuner (NULL);
  g_assert_cmpint (restarts_value ("ipop"), !=, restarts_value ("none"));
  g_object_set (tuner, "restarts", restarts_value ("none"), NULL);

  prepare_ok (tuner, context);
  sizes = run_until (tuner, context, shifted_sphere, (gpointer) target, 5000, 1, &exhausted);
  g_assert_true (exhausted);
  for (guint i = 0; i < sizes->len; i++)
    g_assert_cmpuint (g_array_index (sizes, guint, i), ==, 6);
  g_assert_null (vernier_tuner_suggest (tuner, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED);
}

/* ---- dimensions ---------------------------------------------------------- */

/* Mixed kinds: a linear float, a log float, a stepped int, a stepped
 * float, a log int and a constant. */
static VernierSpace *
mixed_space (void)
{
  VernierSpace *space = vernier_space_new ();

  vt_add_dimension (space, vt_float_dimension ("x", -2, 3, FALSE, 0));
  vt_add_dimension (space, vt_float_dimension ("lr", 1e-5, 1e-1, TRUE, 0));
  vt_add_dimension (space, vt_int_dimension ("layers", 1, 9, FALSE, 2));
  vt_add_dimension (space, vt_float_dimension ("dropout", 0, 1, FALSE, 0.25));
  vt_add_dimension (space, vt_int_dimension ("units", 1, 1000, TRUE, 1));
  vt_add_dimension (space, vt_int_dimension ("fixed", 5, 5, FALSE, 1));
  return space;
}

static gdouble
mixed_objective (JsonObject *params,
                 gpointer    data)
{
  gdouble x = number (params, "x") - 2.5;
  gdouble lr = log10 (number (params, "lr")) + 4;
  gdouble layers = number (params, "layers") - 7;
  gdouble dropout = number (params, "dropout") - 0.25;
  gdouble units = log10 (number (params, "units")) - 1;

  return x * x + lr * lr + layers * layers + 4 * dropout * dropout + units * units;
}

static void
test_dimensions (void)
{
  g_autoptr(VernierSpace) space = mixed_space ();
  g_autoptr(VernierContext) context = make_context (space, 13);
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  g_autoptr(GHashTable) layers_seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  gdouble best = INFINITY;
  guint counter = 0;

  prepare_ok (tuner, context);
  for (guint g = 0; g < 60; g++)
    {
      g_autoptr(GPtrArray) generation = hand_out_generation (tuner);

      /* 5 searched dimensions: λ = 4 + ⌊3 ln 5⌋ */
      g_assert_cmpuint (generation->len, ==, 4 + (guint) floor (3 * log (5.0)));
      if (g == 0)
        {
          /* log dimensions are searched in log space: the first
           * generation is centred on the geometric centre */
          gdouble mean_log = 0;

          for (guint i = 0; i < generation->len; i++)
            mean_log += log10 (number (g_ptr_array_index (generation, i), "lr"));
          mean_log /= generation->len;
          g_assert_cmpfloat (mean_log, >, -4);
          g_assert_cmpfloat (mean_log, <, -2);
        }

      for (guint i = 0; i < generation->len; i++)
        {
          JsonObject *params = g_ptr_array_index (generation, i);
          g_autoptr(GError) error = NULL;
          gdouble value;

          g_assert_true (vernier_space_validate (space, params, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (json_object_get_size (params), ==, 6);
          /* integers as JSON integers */
          g_assert_cmpint (json_node_get_value_type (json_object_get_member (params, "layers")),
                           ==, G_TYPE_INT64);
          g_assert_cmpint (json_node_get_value_type (json_object_get_member (params, "units")),
                           ==, G_TYPE_INT64);
          g_assert_cmpint (json_object_get_int_member (params, "fixed"), ==, 5);
          g_assert_cmpint (json_object_get_int_member (params, "layers") % 2, ==, 1);
          g_hash_table_add (layers_seen,
                            GINT_TO_POINTER ((gint) json_object_get_int_member (params, "layers")));
          value = mixed_objective (params, NULL);
          best = MIN (best, value);
        }
      tell_all (tuner, context, generation, mixed_objective, NULL, &counter);
    }

  /* the optimum: x=2.5, lr=1e-4, layers=7, dropout=0.25, units=10 */
  g_assert_cmpfloat (best, <, 0.05);
  g_assert_true (g_hash_table_contains (layers_seen, GINT_TO_POINTER (7)));
  g_assert_cmpuint (g_hash_table_size (layers_seen), >=, 3);
}

/* Integers only: the margin keeps every coordinate moving until the exact
 * optimum is found. */
static gdouble
integer_bowl (JsonObject *params,
              gpointer    data)
{
  gdouble sum = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("k%u", i);
      gdouble d = number (params, name) - (i == 0 ? 3 : i == 1 ? 17 : 0);

      sum += d * d;
    }
  return sum;
}

static void
test_integers_reach_optimum (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  gdouble best = INFINITY;
  guint counter = 0;

  vt_add_dimension (space, vt_int_dimension ("k0", 0, 20, FALSE, 1));
  vt_add_dimension (space, vt_int_dimension ("k1", 0, 20, FALSE, 1));
  vt_add_dimension (space, vt_int_dimension ("k2", 0, 20, FALSE, 1));
  context = make_context (space, 17);
  prepare_ok (tuner, context);

  for (guint g = 0; g < 60 && best > 0; g++)
    {
      g_autoptr(GPtrArray) generation = hand_out_generation (tuner);

      for (guint i = 0; i < generation->len; i++)
        best = MIN (best, integer_bowl (g_ptr_array_index (generation, i), NULL));
      tell_all (tuner, context, generation, integer_bowl, NULL, &counter);
    }
  g_assert_cmpfloat (best, ==, 0);
}

/* A binary dimension stays alive: once the search has settled on one
 * value, the other one is still sampled now and then. */
static gdouble
prefers_one (JsonObject *params,
             gpointer    data)
{
  gdouble x = number (params, "x0");

  return x * x + (number (params, "flag") == 1 ? 0 : 1);
}

static void
test_binary_margin (void)
{
  g_autoptr(VernierSpace) space = square_space (1);
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  guint counter = 0, zeros_late = 0, ones_late = 0, g;

  g_object_set (tuner, "restarts", VERNIER_CMAES_RESTARTS_NONE_VALUE, NULL);
  vt_add_dimension (space, vt_int_dimension ("flag", 0, 1, FALSE, 1));
  context = make_context (space, 2);
  prepare_ok (tuner, context);
  for (g = 0; g < 150; g++)
    {
      g_autoptr(GPtrArray) generation =
        g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      g_autoptr(GError) error = NULL;
      JsonObject *params;

      while ((params = vernier_tuner_suggest (tuner, &error)) != NULL)
        g_ptr_array_add (generation, params);
      if (g_error_matches (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED))
        break;
      for (guint i = 0; i < generation->len && g >= 30; i++)
        {
          if (number (g_ptr_array_index (generation, i), "flag") == 0)
            zeros_late++;
          else
            ones_late++;
        }
      tell_all (tuner, context, generation, prefers_one, NULL, &counter);
    }

  /* settled on flag = 1, yet flag = 0 is still tried: P ≥ 1/(n λ) = 1/12 */
  g_assert_cmpuint (g, >, 60);
  g_assert_cmpuint (ones_late, >, 5 * zeros_late);
  g_assert_cmpuint (zeros_late, >, 0);
}

/* Dimensions with a single value are not searched; a space of nothing
 * else has one configuration. */
static void
test_single_values (void)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierContext) context = NULL;
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  g_autoptr(JsonObject) params = NULL;
  g_autoptr(GError) error = NULL;

  vt_add_dimension (space, vt_int_dimension ("fixed", 3, 3, FALSE, 1));
  vt_add_dimension (space, vt_float_dimension ("same", 0.5, 0.5, FALSE, 0));
  context = make_context (space, 1);
  prepare_ok (tuner, context);
  params = vernier_tuner_suggest (tuner, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (params, "fixed"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (params, "same"), ==, 0.5);
  g_assert_null (vernier_tuner_suggest (tuner, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED);
}

/* ---- seeds and warm starts ---------------------------------------------- */

static GPtrArray *
run_keys (guint64 seed)
{
  g_autoptr(VernierSpace) space = mixed_space ();
  g_autoptr(VernierContext) context = make_context (space, seed);
  g_autoptr(VernierTuner) tuner = create_tuner (NULL);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  guint counter = 0;

  prepare_ok (tuner, context);
  for (guint g = 0; g < 8; g++)
    {
      g_autoptr(GPtrArray) generation = hand_out_generation (tuner);

      for (guint i = 0; i < generation->len; i++)
        g_ptr_array_add (keys, vernier_json_object_canonical (g_ptr_array_index (generation, i)));
      tell_all (tuner, context, generation, mixed_objective, NULL, &counter);
    }
  return keys;
}

static void
test_seeded (void)
{
  g_autoptr(GPtrArray) a = run_keys (42);
  g_autoptr(GPtrArray) b = run_keys (42);
  g_autoptr(GPtrArray) c = run_keys (43);
  guint same = 0;

  g_assert_cmpuint (a->len, ==, b->len);
  g_assert_cmpuint (a->len, ==, c->len);
  for (guint i = 0; i < a->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
      same += g_strcmp0 (g_ptr_array_index (a, i), g_ptr_array_index (c, i)) == 0;
    }
  g_assert_cmpuint (same, <, a->len / 4);
}

static void
assert_first_generation_near (VernierTuner *tuner,
                              gdouble       x,
                              gdouble       y)
{
  g_autoptr(GPtrArray) generation = hand_out_generation (tuner);

  g_assert_cmpuint (generation->len, ==, 6);
  g_assert_cmpfloat (fabs (generation_mean (generation, "x0") - x), <, 0.5);
  g_assert_cmpfloat (fabs (generation_mean (generation, "x1") - y), <, 0.5);
}

static JsonObject *
point (gdouble x,
       gdouble y)
{
  JsonObject *params = json_object_new ();

  json_object_set_double_member (params, "x0", x);
  json_object_set_double_member (params, "x1", y);
  return params;
}

/* A resumed study: the history at prepare time has completed trials. */
static void
test_warm_start_history (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 9);
  g_autoptr(VernierTuner) tuner = create_tuner ("sigma0", 0.03, NULL);
  g_autoptr(JsonObject) good = point (4, -3.5);
  g_autoptr(JsonObject) bad = point (-4, 4);
  g_autoptr(JsonObject) failed = point (0, 0);
  g_autoptr(VernierTrial) t0 = finished_trial (0, bad, VERNIER_TRIAL_STATE_COMPLETE, 10);
  g_autoptr(VernierTrial) t1 = finished_trial (1, good, VERNIER_TRIAL_STATE_COMPLETE, 1);
  g_autoptr(VernierTrial) t2 = finished_trial (2, failed, VERNIER_TRIAL_STATE_FAILED, 0);

  vernier_context_add_trial (context, t0);
  vernier_context_add_trial (context, t1);
  vernier_context_add_trial (context, t2);
  prepare_ok (tuner, context);
  assert_first_generation_near (tuner, 4, -3.5);
}

/* A chain: the trials of the tuners before this one are observed after
 * prepare, before the first suggestion. */
static void
test_warm_start_chain (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierObjective) objective =
    vernier_objective_new ("score", VERNIER_DIRECTION_MAXIMIZE);
  g_autoptr(VernierContext) context = vernier_context_new ("chain", space, objective, 9, NULL);
  g_autoptr(VernierTuner) tuner = create_tuner ("sigma0", 0.03, NULL);
  const gdouble xs[] = { 1, -2.5, 3, 0.5 }, ys[] = { 1, 2, -1, -4 }, scores[] = { 1, 7, 3, 2 };

  prepare_ok (tuner, context);
  for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
    {
      g_autoptr(JsonObject) params = point (xs[i], ys[i]);
      g_autoptr(VernierTrial) trial =
        finished_trial (i, params, VERNIER_TRIAL_STATE_COMPLETE, scores[i]);

      vernier_context_add_trial (context, trial);
      vernier_tuner_observe (tuner, trial);
    }
  /* maximize: the best is the 7 */
  assert_first_generation_near (tuner, -2.5, 2);
}

static void
test_startup_trials (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 31);
  g_autoptr(VernierTuner) tuner = create_tuner ("startup-trials", 5, "sigma0", 0.03, NULL);
  g_autoptr(GPtrArray) startup = NULL;
  const gdouble target[2] = { -3, 3 };
  gdouble best = INFINITY, best_x = 0, best_y = 0;
  guint counter = 0;

  prepare_ok (tuner, context);

  /* five random trials, then it waits for them */
  startup = hand_out_generation (tuner);
  g_assert_cmpuint (startup->len, ==, 5);
  for (guint i = 0; i < startup->len; i++)
    {
      JsonObject *params = g_ptr_array_index (startup, i);
      gdouble value = shifted_sphere (params, (gpointer) target);

      if (value < best)
        {
          best = value;
          best_x = number (params, "x0");
          best_y = number (params, "x1");
        }
    }
  tell_all (tuner, context, startup, shifted_sphere, (gpointer) target, &counter);
  assert_first_generation_near (tuner, best_x, best_y);
}

/* ---- the surrogate -------------------------------------------------------- */

/* Runs @n_trials trials with the surrogate, each batch handed out until
 * PENDING then told; the canonical text of each configuration goes to
 * @keys (if not NULL), the size of each batch to @batches (if not NULL).
 * Returns the best value. */
static gdouble
run_surrogate (VernierTuner   *tuner,
               VernierContext *context,
               Objective       f,
               gpointer        data,
               guint           n_trials,
               GPtrArray      *keys,
               GArray         *batches)
{
  gdouble best = INFINITY;
  guint counter = 0;

  while (counter < n_trials)
    {
      g_autoptr(GPtrArray) batch = hand_out_generation (tuner);

      g_assert_cmpuint (batch->len, >, 0);
      for (guint i = 0; i < batch->len; i++)
        {
          JsonObject *params = g_ptr_array_index (batch, i);
          g_autoptr(GError) error = NULL;

          g_assert_true (vernier_space_validate (vernier_context_get_space (context),
                                                 params, &error));
          g_assert_no_error (error);
          best = MIN (best, f (params, data));
          if (keys != NULL)
            g_ptr_array_add (keys, vernier_json_object_canonical (params));
        }
      if (batches != NULL)
        g_array_append_val (batches, batch->len);
      tell_all (tuner, context, batch, f, data, &counter);
    }
  return best;
}

/* The property: quadratic by default, none and quadratic by nick, and a
 * threshold of rank correlation. */
static void
test_surrogate_property (void)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) object = vernier_registry_create (registry, "tuner", "cmaes", &error);
  gint surrogate;
  gdouble tau;

  g_assert_no_error (error);
  g_object_get (object, "surrogate", &surrogate, "surrogate-tau", &tau, NULL);
  g_assert_cmpint (surrogate, ==, surrogate_value ("quadratic"));
  g_assert_cmpint (surrogate_value ("none"), !=, surrogate_value ("quadratic"));
  g_assert_cmpfloat (tau, ==, 0.5);
}

/* Before the trials determine a model, the surrogate changes nothing: the
 * first generation is plain CMA-ES's, drawn from the same seed. */
static void
test_surrogate_first_generation (void)
{
  g_autoptr(VernierSpace) space = square_space (3);
  g_autoptr(VernierContext) plain_context = make_context (space, 7);
  g_autoptr(VernierContext) model_context = make_context (space, 7);
  g_autoptr(VernierTuner) plain = create_tuner (NULL);
  g_autoptr(VernierTuner) model = create_tuner ("surrogate", surrogate_value ("quadratic"), NULL);
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;

  prepare_ok (plain, plain_context);
  prepare_ok (model, model_context);
  a = hand_out_generation (plain);
  b = hand_out_generation (model);
  g_assert_cmpuint (a->len, ==, 4 + (guint) floor (3 * log (3.0)));
  g_assert_cmpuint (b->len, ==, a->len);
  for (guint i = 0; i < a->len; i++)
    {
      g_autofree gchar *ka = vernier_json_object_canonical (g_ptr_array_index (a, i));
      g_autofree gchar *kb = vernier_json_object_canonical (g_ptr_array_index (b, i));

      g_assert_cmpstr (ka, ==, kb);
    }
}

/* On a quadratic the model is exact: once it is fitted, a generation
 * costs a single trial, and the optimum is found within a budget where
 * plain CMA-ES is still far from it. */
static void
test_surrogate_saves_trials (void)
{
  g_autoptr(VernierSpace) space = square_space (4);
  g_autoptr(VernierContext) model_context = make_context (space, 5);
  g_autoptr(VernierContext) plain_context = make_context (space, 5);
  g_autoptr(VernierTuner) model = create_tuner ("surrogate", surrogate_value ("quadratic"), NULL);
  g_autoptr(VernierTuner) plain = create_tuner (NULL);
  g_autoptr(GArray) batches = g_array_new (FALSE, FALSE, sizeof (guint));
  const gdouble target[4] = { 1.5, -2, 0.5, 3 };
  gdouble best_model, best_plain;
  guint singles = 0;

  prepare_ok (model, model_context);
  prepare_ok (plain, plain_context);
  best_model = run_surrogate (model, model_context, shifted_sphere, (gpointer) target, 80,
                              NULL, batches);
  best_plain = run_surrogate (plain, plain_context, shifted_sphere, (gpointer) target, 80,
                              NULL, NULL);

  /* λ = 8 for 4 dimensions: the first generation whole, then mostly one
   * trial at a time */
  g_assert_cmpuint (g_array_index (batches, guint, 0), ==, 8);
  for (guint i = 1; i < batches->len; i++)
    singles += g_array_index (batches, guint, i) == 1;
  g_assert_cmpuint (singles, >, batches->len / 2);
  g_test_message ("best after 80 trials: surrogate %g, plain %g", best_model, best_plain);
  g_assert_cmpfloat (best_model, <, 1e-4);
  g_assert_cmpfloat (best_model, <, best_plain / 100);
}

/* A resumed study's completed trials teach the model at once: the first
 * generation after the resume is ranked by it, where a study without
 * history evaluates its first generation whole. */
static void
test_surrogate_resume (void)
{
  g_autoptr(VernierSpace) space = square_space (4);
  g_autoptr(VernierContext) context = make_context (space, 5);
  g_autoptr(VernierTuner) first = create_tuner ("surrogate", surrogate_value ("quadratic"), NULL);
  g_autoptr(VernierTuner) resumed = create_tuner ("surrogate", surrogate_value ("quadratic"), NULL);
  g_autoptr(GPtrArray) batch = NULL;
  const gdouble target[4] = { 1.5, -2, 0.5, 3 };

  prepare_ok (first, context);
  run_surrogate (first, context, shifted_sphere, (gpointer) target, 40, NULL, NULL);

  /* the same study, opened again */
  prepare_ok (resumed, context);
  batch = hand_out_generation (resumed);
  g_assert_cmpuint (batch->len, <, 8);
}

/* Every kind of dimension stays in its bounds and on its grid, and the
 * same seed gives the same sequence. */
static GPtrArray *
surrogate_keys (guint64 seed)
{
  g_autoptr(VernierSpace) space = mixed_space ();
  g_autoptr(VernierContext) context = make_context (space, seed);
  g_autoptr(VernierTuner) tuner = create_tuner ("surrogate", surrogate_value ("quadratic"), NULL);
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  gdouble best;

  prepare_ok (tuner, context);
  best = run_surrogate (tuner, context, mixed_objective, NULL, 150, keys, NULL);
  /* the optimum: x=2.5, lr=1e-4, layers=7, dropout=0.25, units=10 */
  g_assert_cmpfloat (best, <, 0.05);
  return keys;
}

static void
test_surrogate_dimensions_seeded (void)
{
  g_autoptr(GPtrArray) a = surrogate_keys (42);
  g_autoptr(GPtrArray) b = surrogate_keys (42);
  g_autoptr(GPtrArray) c = surrogate_keys (43);
  guint same = 0;

  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
      same += i < c->len && g_strcmp0 (g_ptr_array_index (a, i), g_ptr_array_index (c, i)) == 0;
    }
  g_assert_cmpuint (same, <, a->len / 4);
}

/* Continuous coordinates stay inside the box even when the optimum lies
 * outside it, in a corner the model extrapolates towards. */
static gdouble
beyond_corner (JsonObject *params,
               gpointer    data)
{
  gdouble x = number (params, "x0") - 9, y = number (params, "x1") + 8;

  return x * x + y * y;
}

static void
test_surrogate_bounds (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 3);
  g_autoptr(VernierTuner) tuner = create_tuner ("surrogate", surrogate_value ("quadratic"), NULL);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  gdouble best;

  prepare_ok (tuner, context);
  /* run_surrogate validates every configuration against the space */
  best = run_surrogate (tuner, context, beyond_corner, NULL, 120, keys, NULL);
  /* the corner (5, -5) is the best point of the box: its value is 25 */
  g_assert_cmpfloat (best, <, 25.01);
}

/* A member that fails while the model ranks a generation: the rest of the
 * generation is evaluated, and the search goes on. */
static void
test_surrogate_failures (void)
{
  g_autoptr(VernierSpace) space = square_space (2);
  g_autoptr(VernierContext) context = make_context (space, 5);
  g_autoptr(VernierTuner) tuner = create_tuner ("surrogate", surrogate_value ("quadratic"), NULL);
  const gdouble target[2] = { 1, 1 };
  guint counter = 0, wide_after_failure = 0;
  gboolean failed_last = FALSE;

  prepare_ok (tuner, context);
  for (guint round = 0; round < 60; round++)
    {
      g_autoptr(GPtrArray) batch = hand_out_generation (tuner);

      g_assert_cmpuint (batch->len, >, 0);
      if (failed_last && batch->len > 1)
        wide_after_failure++;
      failed_last = FALSE;
      for (guint i = 0; i < batch->len; i++)
        {
          JsonObject *params = g_ptr_array_index (batch, i);
          gboolean fails = counter % 7 == 3;
          g_autoptr(VernierTrial) trial =
            finished_trial (counter++, params,
                            fails ? VERNIER_TRIAL_STATE_FAILED : VERNIER_TRIAL_STATE_COMPLETE,
                            shifted_sphere (params, (gpointer) target));

          failed_last |= fails && batch->len == 1;
          vernier_context_add_trial (context, trial);
          vernier_tuner_observe (tuner, trial);
        }
    }
  /* a failure in a ranked generation hands out the rest of it at once */
  g_assert_cmpuint (wide_after_failure, >, 0);
}

/* ---- whole studies ------------------------------------------------------- */

/* Runs a 4-D Rosenbrock study of 150 trials, 4 in flight, with the tuner
 * group(s) @tuners; returns the best value. */
static gdouble
run_rosenbrock (const gchar *tuners,
                guint64      seed,
                guint        trials)
{
  g_autofree gchar *text = g_strdup_printf (
    "[study]\nname=rosenbrock\ntrials=%u\nparallel=4\nseed=%" G_GUINT64_FORMAT "\n"
    "[param x0]\ntype=float\nlow=-5\nhigh=10\n"
    "[param x1]\ntype=float\nlow=-5\nhigh=10\n"
    "[param x2]\ntype=float\nlow=-5\nhigh=10\n"
    "[param x3]\ntype=float\nlow=-5\nhigh=10\n"
    "%s"
    "[trainer]\nplugin=benchmark\nfunction=rosenbrock\ndimensions=4\n",
    trials, seed, tuners);
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;

  config = vernier_config_new_from_data (text, -1, "rosenbrock.ini", NULL, &error);
  g_assert_no_error (error);
  study = vernier_config_create_study (config, registry, &error);
  g_assert_no_error (error);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (best);
  g_assert_cmpuint (vernier_study_get_n_finished (study), ==, trials);
  g_assert_cmpuint (vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE), ==, trials);
  return vernier_trial_get_value (best);
}

static void
test_beats_random (void)
{
  gdouble cma[10], random[10];

  for (guint s = 0; s < G_N_ELEMENTS (cma); s++)
    {
      cma[s] = run_rosenbrock ("[tuner]\nplugin=cmaes\n", 100 + s, 150);
      random[s] = run_rosenbrock ("[tuner]\nplugin=random\n", 100 + s, 150);
    }
  qsort (cma, G_N_ELEMENTS (cma), sizeof (gdouble), compare_doubles);
  qsort (random, G_N_ELEMENTS (random), sizeof (gdouble), compare_doubles);
  g_test_message ("median best over 10 seeds: cmaes %g, random %g",
                  (cma[4] + cma[5]) / 2, (random[4] + random[5]) / 2);
  g_assert_cmpfloat ((cma[4] + cma[5]) / 2, <, (random[4] + random[5]) / 2);
  /* and not by luck of one seed: its worst quartile beats random's median */
  g_assert_cmpfloat (cma[7], <, (random[4] + random[5]) / 2);
}

/* Sobol warm-up, then CMA-ES from the best of it. */
static void
test_chain (void)
{
  gdouble warm = run_rosenbrock ("[tuner 1]\nplugin=sobol\n", 5, 16);
  gdouble chained = run_rosenbrock ("[tuner 1]\nplugin=sobol\ntrials=16\n"
                                    "[tuner 2]\nplugin=cmaes\nsigma0=0.1\n", 5, 120);

  g_assert_cmpfloat (chained, <, warm);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/cmaes/categorical-refused", test_categorical_refused);
  g_test_add_func ("/vernier/cmaes/conditional-refused", test_conditional_refused);
  g_test_add_func ("/vernier/cmaes/candidates-refused", test_candidates_refused);
  g_test_add_func ("/vernier/cmaes/pending", test_pending);
  g_test_add_func ("/vernier/cmaes/population", test_population_property);
  g_test_add_func ("/vernier/cmaes/failed-members", test_failed_members);
  g_test_add_func ("/vernier/cmaes/failures-repel", test_failures_repel);
  g_test_add_func ("/vernier/cmaes/sphere-mean", test_sphere_mean);
  g_test_add_func ("/vernier/cmaes/ipop-restarts", test_ipop_restarts);
  g_test_add_func ("/vernier/cmaes/restart-on-flat", test_restart_on_flat);
  g_test_add_func ("/vernier/cmaes/no-restart", test_no_restart);
  g_test_add_func ("/vernier/cmaes/dimensions", test_dimensions);
  g_test_add_func ("/vernier/cmaes/integers-reach-optimum", test_integers_reach_optimum);
  g_test_add_func ("/vernier/cmaes/binary-margin", test_binary_margin);
  g_test_add_func ("/vernier/cmaes/single-values", test_single_values);
  g_test_add_func ("/vernier/cmaes/seeded", test_seeded);
  g_test_add_func ("/vernier/cmaes/warm-start-history", test_warm_start_history);
  g_test_add_func ("/vernier/cmaes/warm-start-chain", test_warm_start_chain);
  g_test_add_func ("/vernier/cmaes/startup-trials", test_startup_trials);
  g_test_add_func ("/vernier/cmaes/surrogate/property", test_surrogate_property);
  g_test_add_func ("/vernier/cmaes/surrogate/first-generation", test_surrogate_first_generation);
  g_test_add_func ("/vernier/cmaes/surrogate/saves-trials", test_surrogate_saves_trials);
  g_test_add_func ("/vernier/cmaes/surrogate/resume", test_surrogate_resume);
  g_test_add_func ("/vernier/cmaes/surrogate/dimensions-seeded", test_surrogate_dimensions_seeded);
  g_test_add_func ("/vernier/cmaes/surrogate/bounds", test_surrogate_bounds);
  g_test_add_func ("/vernier/cmaes/surrogate/failures", test_surrogate_failures);
  g_test_add_func ("/vernier/cmaes/beats-random", test_beats_random);
  g_test_add_func ("/vernier/cmaes/chain", test_chain);

  return g_test_run ();
}
