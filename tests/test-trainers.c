/* test-trainers.c: the mock and benchmark trainers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include <vernier-core.h>

/* ---- helpers ----------------------------------------------------------- */

static VernierTrainer *
create_trainer (const gchar *name)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "trainer", name, &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_TRAINER (object));
  return VERNIER_TRAINER (object);
}

/* Sets an enum property by its nick, as a study file does. */
static void
set_enum_by_nick (gpointer     object,
                  const gchar *property,
                  const gchar *nick)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object),
                                                    property);
  g_autoptr(GEnumClass) enum_class = NULL;
  GEnumValue *value;

  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  enum_class = g_type_class_ref (pspec->value_type);
  value = g_enum_get_value_by_nick (enum_class, nick);
  g_assert_nonnull (value);
  g_object_set (object, property, value->value, NULL);
}

static VernierTrial *
trial_from_json (guint        number,
                 const gchar *params_json)
{
  g_autoptr(JsonNode) node = json_from_string (params_json, NULL);
  g_autoptr(JsonObject) params = NULL;

  g_assert_nonnull (node);
  params = json_node_dup_object (node);
  return vernier_trial_new (number, params);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} Outcome;

static void
on_trained (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = vernier_trainer_train_finish (VERNIER_TRAINER (source), result,
                                              &outcome->error);
  outcome->done = TRUE;
}

static void
wait_for (Outcome *outcome)
{
  while (!outcome->done)
    g_main_context_iteration (NULL, TRUE);
}

/* Trains @trial and waits; returns whether it succeeded. */
static gboolean
train (VernierTrainer  *trainer,
       VernierTrial    *trial,
       GCancellable    *cancellable,
       GError         **error)
{
  Outcome outcome = { FALSE, FALSE, NULL };

  vernier_trainer_train_async (trainer, trial, cancellable, on_trained,
                               &outcome);
  /* the result never arrives before train_async() returns */
  g_assert_false (outcome.done);
  wait_for (&outcome);
  if (outcome.error != NULL)
    g_propagate_error (error, outcome.error);
  return outcome.ok;
}

static gboolean
cancel_from_loop (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static VernierContext *
make_context (guint64 seed)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective =
    vernier_objective_new ("loss", VERNIER_DIRECTION_MINIMIZE);

  return vernier_context_new ("test", space, objective, seed, NULL);
}

/* ---- mock -------------------------------------------------------------- */

static gdouble
mock_value (VernierTrainer *trainer,
            const gchar    *params_json)
{
  g_autoptr(VernierTrial) trial = trial_from_json (0, params_json);
  g_autoptr(GError) error = NULL;

  g_assert_true (train (trainer, trial, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (vernier_trial_has_value (trial));
  return vernier_trial_get_value (trial);
}

static void
test_mock_deterministic (void)
{
  g_autoptr(VernierTrainer) trainer = create_trainer ("mock");
  g_autoptr(VernierTrainer) other = create_trainer ("mock");
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                        g_free, NULL);
  gdouble a, b, c;

  /* the same parameters, however written, give the same value, on any
   * instance */
  a = mock_value (trainer, "{\"x\": 1, \"y\": \"relu\", \"z\": [1, {\"q\": 2, \"p\": 1}]}");
  b = mock_value (other, "{\"z\": [1, {\"p\": 1, \"q\": 2}], \"y\": \"relu\", \"x\": 1.0}");
  c = mock_value (trainer, "{\"x\": 1, \"y\": \"relu\", \"z\": [1, {\"q\": 2, \"p\": 1}]}");
  g_assert_cmpfloat (a, ==, b);
  g_assert_cmpfloat (a, ==, c);

  /* in [0, 1), and different configurations get different values */
  for (guint i = 0; i < 200; i++)
    {
      g_autofree gchar *json = g_strdup_printf ("{\"x\": %u}", i);
      gdouble v = mock_value (trainer, json);
      gint64 *key = g_new (gint64, 1);

      g_assert_cmpfloat (v, >=, 0.0);
      g_assert_cmpfloat (v, <, 1.0);
      memcpy (key, &v, sizeof v);
      g_assert_true (g_hash_table_add (values, key));
    }
}

static void
test_mock_latency (void)
{
  g_autoptr(VernierTrainer) trainer = create_trainer ("mock");
  g_autoptr(VernierTrainer) instant = create_trainer ("mock");
  VernierTrial *trials[3] = { NULL, };
  Outcome outcomes[3] = { { FALSE, }, };
  gint64 latency = 0;

  g_object_set (trainer, "latency", (gint64) 20000, NULL);
  g_object_get (trainer, "latency", &latency, NULL);
  g_assert_cmpint (latency, ==, 20000);

  /* three evaluations in flight at once, on one main loop */
  for (guint i = 0; i < G_N_ELEMENTS (trials); i++)
    {
      g_autofree gchar *json = g_strdup_printf ("{\"x\": %u}", i);

      trials[i] = trial_from_json (i, json);
      vernier_trainer_train_async (trainer, trials[i], NULL, on_trained,
                                   &outcomes[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (trials); i++)
    g_assert_false (outcomes[i].done);
  for (guint i = 0; i < G_N_ELEMENTS (trials); i++)
    {
      g_autofree gchar *json = g_strdup_printf ("{\"x\": %u}", i);

      wait_for (&outcomes[i]);
      g_assert_no_error (outcomes[i].error);
      g_assert_true (outcomes[i].ok);
      /* the same value as without latency */
      g_assert_cmpfloat (vernier_trial_get_value (trials[i]), ==,
                         mock_value (instant, json));
      g_object_unref (trials[i]);
    }
}

static void
test_mock_cancel (void)
{
  g_autoptr(VernierTrainer) trainer = create_trainer ("mock");
  g_autoptr(VernierTrainer) instant = create_trainer ("mock");
  g_autoptr(VernierTrial) trial = trial_from_json (3, "{\"x\": 1}");
  g_autoptr(VernierTrial) trial2 = trial_from_json (4, "{\"x\": 2}");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  /* an hour of latency: only cancellation can end it; cancelling from the
   * loop also shows that the loop runs meanwhile */
  g_object_set (trainer, "latency", G_GINT64_CONSTANT (3600000000), NULL);
  g_idle_add (cancel_from_loop, cancellable);
  g_assert_false (train (trainer, trial, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (vernier_trial_has_value (trial));
  g_clear_error (&error);

  /* cancelled before it starts */
  g_cancellable_cancel (cancelled);
  g_assert_false (train (instant, trial2, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_mock_fail_rate (void)
{
  g_autoptr(VernierTrainer) trainer = create_trainer ("mock");
  g_autoptr(VernierTrainer) always = create_trainer ("mock");
  guint n_failed = 0;

  g_object_set (trainer, "fail-rate", 0.5, NULL);
  g_object_set (always, "fail-rate", 1.0, NULL);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree gchar *json = g_strdup_printf ("{\"x\": %u}", i);
      g_autoptr(VernierTrial) trial = trial_from_json (i, json);
      g_autoptr(VernierTrial) again = trial_from_json (i + 1000, json);
      g_autoptr(VernierTrial) doomed = trial_from_json (i, json);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error_again = NULL;
      gboolean ok, ok_again;

      ok = train (trainer, trial, NULL, &error);
      ok_again = train (trainer, again, NULL, &error_again);
      /* a configuration fails always or never */
      g_assert_true (ok == ok_again);
      if (!ok)
        {
          n_failed++;
          g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
          g_assert_false (vernier_trial_has_value (trial));
        }
      else
        g_assert_no_error (error);

      g_clear_error (&error);
      g_assert_false (train (always, doomed, NULL, &error));
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
      /* the message says which trial */
      g_assert_nonnull (strstr (error->message, "trial"));
    }
  /* about half of 200: binomial, standard deviation ~7 */
  g_assert_cmpuint (n_failed, >, 50);
  g_assert_cmpuint (n_failed, <, 150);
}

/* ---- benchmark --------------------------------------------------------- */

static VernierTrainer *
create_benchmark (const gchar *function,
                  guint        dimensions)
{
  VernierTrainer *trainer = create_trainer ("benchmark");

  set_enum_by_nick (trainer, "function", function);
  if (dimensions > 0)
    g_object_set (trainer, "dimensions", dimensions, NULL);
  return trainer;
}

static gdouble
benchmark_value (VernierTrainer *trainer,
                 const gchar    *params_json)
{
  g_autoptr(VernierTrial) trial = trial_from_json (0, params_json);
  g_autoptr(GError) error = NULL;

  g_assert_true (train (trainer, trial, NULL, &error));
  g_assert_no_error (error);
  return vernier_trial_get_value (trial);
}

static gdouble
regret_of (VernierTrial *trial)
{
  g_autoptr(JsonNode) node = vernier_trial_dup_user_attr (trial, "regret");
  gdouble regret = NAN;

  g_assert_nonnull (node);
  g_assert_true (vernier_json_node_get_number (node, &regret));
  return regret;
}

static void
test_benchmark_minima (void)
{
  const struct {
    const gchar *function;
    guint dimensions;
    const gchar *minimizer;
    gdouble minimum;
    const gchar *elsewhere;
  } cases[] = {
    { "branin", 0, "{\"x\": -3.14159265, \"y\": 12.275}", 0.397887,
      "{\"x\": 0, \"y\": 0}" },
    { "branin", 0, "{\"x\": 3.14159265, \"y\": 2.275}", 0.397887,
      "{\"x\": 10, \"y\": 15}" },
    { "branin", 0, "{\"x\": 9.42478, \"y\": 2.475}", 0.397887,
      "{\"x\": 5, \"y\": 5}" },
    { "hartmann6", 0,
      "{\"x0\": 0.20169, \"x1\": 0.150011, \"x2\": 0.476874, "
      "\"x3\": 0.275332, \"x4\": 0.311652, \"x5\": 0.6573}", -3.32237,
      "{\"x0\": 0.5, \"x1\": 0.5, \"x2\": 0.5, \"x3\": 0.5, \"x4\": 0.5, "
      "\"x5\": 0.5}" },
    { "rosenbrock", 3, "{\"x0\": 1, \"x1\": 1, \"x2\": 1}", 0.0,
      "{\"x0\": 0, \"x1\": 0, \"x2\": 0}" },
    { "ackley", 2, "{\"x0\": 0, \"x1\": 0}", 0.0,
      "{\"x0\": 1.5, \"x1\": -2}" },
    { "styblinski-tang", 3,
      "{\"x0\": -2.903534, \"x1\": -2.903534, \"x2\": -2.903534}",
      -39.16617 * 3, "{\"x0\": 0, \"x1\": 0, \"x2\": 0}" },
    { "sphere", 4, "{\"x0\": 0, \"x1\": 0, \"x2\": 0, \"x3\": 0}", 0.0,
      "{\"x0\": 1, \"x1\": 0, \"x2\": 0, \"x3\": 0}" },
    { "mixed", 0, "{\"x\": 2.0, \"n\": 3, \"kind\": \"b\"}", 0.0,
      "{\"x\": 2.0, \"n\": 3, \"kind\": \"a\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(VernierTrainer) trainer = create_benchmark (cases[i].function,
                                                            cases[i].dimensions);
      g_autoptr(VernierTrial) best = trial_from_json (1, cases[i].minimizer);
      g_autoptr(VernierTrial) other = trial_from_json (2, cases[i].elsewhere);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s at %s", cases[i].function, cases[i].minimizer);
      g_assert_true (train (trainer, best, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat_with_epsilon (vernier_trial_get_value (best),
                                      cases[i].minimum, 1e-4);
      g_assert_cmpfloat_with_epsilon (regret_of (best), 0.0, 1e-4);

      /* elsewhere the function is worse, and the regret says by how much */
      g_assert_true (train (trainer, other, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (vernier_trial_get_value (other), >,
                         cases[i].minimum + 1e-3);
      g_assert_cmpfloat_with_epsilon (regret_of (other),
                                      vernier_trial_get_value (other) -
                                      vernier_trial_get_value (best),
                                      1e-4);
    }
}

static void
test_benchmark_dimensions (void)
{
  g_autoptr(VernierTrainer) sphere3 = create_benchmark ("sphere", 3);
  g_autoptr(VernierTrainer) sphere_default = create_benchmark ("sphere", 0);

  /* sum of squares over x0..x{d-1}: other parameters are not read */
  g_assert_cmpfloat_with_epsilon (benchmark_value (sphere3,
                                                   "{\"x0\": 1, \"x1\": 2, \"x2\": 3, \"x3\": 100}"),
                                  14.0, 1e-12);
  /* 2 dimensions by default */
  g_assert_cmpfloat_with_epsilon (benchmark_value (sphere_default,
                                                   "{\"x0\": 1, \"x1\": 2, \"x2\": 3}"),
                                  5.0, 1e-12);
}

static void
test_benchmark_missing_param (void)
{
  g_autoptr(VernierTrainer) branin = create_benchmark ("branin", 0);
  g_autoptr(VernierTrainer) rosenbrock = create_benchmark ("rosenbrock", 3);
  g_autoptr(VernierTrainer) mixed = create_benchmark ("mixed", 0);
  g_autoptr(VernierTrial) trial = trial_from_json (12, "{\"x\": 1.0}");
  g_autoptr(VernierTrial) trial2 = trial_from_json (13, "{\"x0\": 1.0, \"x2\": 3}");
  g_autoptr(VernierTrial) trial3 = trial_from_json (14, "{\"x\": 1.0, \"n\": 2, \"kind\": \"z\"}");
  g_autoptr(VernierTrial) trial4 = trial_from_json (15, "{\"x\": \"one\", \"y\": 2}");
  g_autoptr(GError) error = NULL;

  g_assert_false (train (branin, trial, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  /* it names the trial, the missing parameter and the expected ones */
  g_assert_nonnull (strstr (error->message, "trial 12"));
  g_assert_nonnull (strstr (error->message, "'y'"));
  g_assert_nonnull (strstr (error->message, "x in [-5, 10], y in [0, 15]"));
  g_assert_false (vernier_trial_has_value (trial));
  g_clear_error (&error);

  g_assert_false (train (rosenbrock, trial2, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  g_assert_nonnull (strstr (error->message, "'x1'"));
  g_assert_nonnull (strstr (error->message, "x0, x1, x2"));
  g_clear_error (&error);

  g_assert_false (train (mixed, trial3, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  g_assert_nonnull (strstr (error->message, "'kind'"));
  g_clear_error (&error);

  g_assert_false (train (branin, trial4, NULL, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED);
  g_assert_nonnull (strstr (error->message, "'x'"));
}

static void
test_benchmark_steps (void)
{
  const gint64 latencies[] = { 0, 50000 };

  for (guint k = 0; k < G_N_ELEMENTS (latencies); k++)
    {
      g_autoptr(VernierTrainer) trainer = create_benchmark ("branin", 0);
      g_autoptr(VernierTrainer) direct = create_benchmark ("branin", 0);
      g_autoptr(VernierTrial) trial = trial_from_json (0, "{\"x\": 1, \"y\": 2}");
      g_autoptr(GError) error = NULL;
      gdouble expected = benchmark_value (direct, "{\"x\": 1, \"y\": 2}");
      gdouble previous = G_MAXDOUBLE;
      gint64 step;
      gdouble value;

      g_object_set (trainer, "steps", 8, "latency", latencies[k], NULL);
      g_assert_true (train (trainer, trial, NULL, &error));
      g_assert_no_error (error);

      /* steps 1..8, decreasing to the function value, reached exactly */
      g_assert_cmpuint (vernier_trial_get_n_reports (trial), ==, 8);
      for (guint i = 0; i < 8; i++)
        {
          g_assert_true (vernier_trial_get_report (trial, i, &step, &value));
          g_assert_cmpint (step, ==, i + 1);
          g_assert_cmpfloat (value, <, previous);
          g_assert_cmpfloat (value, >=, expected);
          previous = value;
        }
      g_assert_cmpfloat (value, ==, expected);
      g_assert_cmpfloat (vernier_trial_get_value (trial), ==, expected);
    }
}

static void
test_benchmark_steps_rank (void)
{
  g_autoptr(VernierTrainer) trainer = create_benchmark ("sphere", 1);
  g_autoptr(VernierTrial) good = trial_from_json (0, "{\"x0\": 0.5}");
  g_autoptr(VernierTrial) bad = trial_from_json (1, "{\"x0\": 4}");
  g_autoptr(GError) error = NULL;

  /* a worse configuration is already worse at every step: what a pruner
   * relies on */
  g_object_set (trainer, "steps", 5, NULL);
  g_assert_true (train (trainer, good, NULL, &error));
  g_assert_true (train (trainer, bad, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    {
      gdouble v_good, v_bad;

      g_assert_true (vernier_trial_get_report (good, i, NULL, &v_good));
      g_assert_true (vernier_trial_get_report (bad, i, NULL, &v_bad));
      g_assert_cmpfloat (v_good, <, v_bad);
    }
}

typedef struct
{
  GCancellable *cancellable;
  gint64 cancel_at;
  guint n_signals;
} Pruning;

static void
on_reported (VernierTrial *trial,
             gint64        step,
             gdouble       value,
             gpointer      user_data)
{
  Pruning *pruning = user_data;

  pruning->n_signals++;
  if (step == pruning->cancel_at)
    g_cancellable_cancel (pruning->cancellable);
}

static void
test_benchmark_cancel_steps (void)
{
  g_autoptr(VernierTrainer) trainer = create_benchmark ("hartmann6", 0);
  g_autoptr(VernierTrainer) slow = create_benchmark ("branin", 0);
  g_autoptr(VernierTrial) trial =
    trial_from_json (5, "{\"x0\": 0.1, \"x1\": 0.2, \"x2\": 0.3, "
                        "\"x3\": 0.4, \"x4\": 0.5, \"x5\": 0.6}");
  g_autoptr(VernierTrial) slow_trial = trial_from_json (6, "{\"x\": 1, \"y\": 2}");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) slow_cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Pruning pruning = { cancellable, 3, 0 };

  /* a pruner stops the trial on its third report: no fourth one comes */
  g_object_set (trainer, "steps", 10, "latency", (gint64) 100000, NULL);
  g_signal_connect (trial, "reported", G_CALLBACK (on_reported), &pruning);
  g_assert_false (train (trainer, trial, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (vernier_trial_get_n_reports (trial), ==, 3);
  g_assert_cmpuint (pruning.n_signals, ==, 3);
  g_assert_false (vernier_trial_has_value (trial));
  g_clear_error (&error);

  /* cancelled while waiting for a step an hour away */
  g_object_set (slow, "steps", 2, "latency", G_GINT64_CONSTANT (7200000000), NULL);
  g_idle_add (cancel_from_loop, slow_cancellable);
  g_assert_false (train (slow, slow_trial, slow_cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (vernier_trial_get_n_reports (slow_trial), ==, 0);
}

static void
test_benchmark_noise (void)
{
  g_autoptr(VernierContext) context = make_context (17);
  g_autoptr(VernierTrainer) trainer = create_benchmark ("sphere", 2);
  g_autoptr(GError) error = NULL;
  const gchar *params = "{\"x0\": 1, \"x1\": 1}";
  gdouble values[20];
  gdouble mean = 0;

  g_object_set (trainer, "noise", 0.5, NULL);
  g_assert_true (vernier_trainer_prepare (trainer, context, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(VernierTrial) trial = trial_from_json (i, params);
      g_autoptr(VernierTrial) same = trial_from_json (i, params);

      g_assert_true (train (trainer, trial, NULL, &error));
      g_assert_true (train (trainer, same, NULL, &error));
      g_assert_no_error (error);
      values[i] = vernier_trial_get_value (trial);
      /* the noise is a function of the trial number */
      g_assert_cmpfloat (values[i], ==, vernier_trial_get_value (same));
      /* the regret is that of the noise-free value, 2 */
      g_assert_cmpfloat_with_epsilon (regret_of (trial), 2.0, 1e-12);
      mean += values[i] / G_N_ELEMENTS (values);
      for (guint j = 0; j < i; j++)
        g_assert_cmpfloat (values[i], !=, values[j]);
    }
  /* centred on the function value: the mean of 20 draws of standard
   * deviation 0.5 is within 0.6 of it (5 standard errors) */
  g_assert_cmpfloat (fabs (mean - 2.0), <, 0.6);
}

/* Trains trial @number at x0 = @x on a 1-D sphere of @steps steps, with
 * crossing curves or not, under study seed @seed. */
static VernierTrial *
train_curve (guint64  seed,
             gboolean crossing,
             guint    number,
             gdouble  x,
             guint    steps)
{
  g_autoptr(VernierContext) context = make_context (seed);
  g_autoptr(VernierTrainer) trainer = create_benchmark ("sphere", 1);
  g_autofree gchar *params = g_strdup_printf ("{\"x0\": %.17g}", x);
  VernierTrial *trial = trial_from_json (number, params);
  g_autoptr(GError) error = NULL;

  g_object_set (trainer, "steps", steps, "crossing", crossing, NULL);
  g_assert_true (vernier_trainer_prepare (trainer, context, &error));
  g_assert_no_error (error);
  g_assert_true (train (trainer, trial, NULL, &error));
  g_assert_no_error (error);
  return trial;
}

/* With crossing=true each trial converges at its own rate: its curve
 * still decreases to its exact value, the same trial number under the
 * same seed gives the same curve, and some trial that ends better looks
 * worse early on than one that ends worse, which never happens without. */
static void
test_benchmark_crossing (void)
{
  const guint n = 30, steps = 10;
  guint crossings[2] = { 0, 0 };

  for (guint crossing = 0; crossing < 2; crossing++)
    {
      g_autoptr(GPtrArray) trials = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        {
          /* final values 0.25, 0.2601, ... increasing with i */
          VernierTrial *trial = train_curve (23, crossing, i, 0.5 + 0.01 * i, steps);
          g_autoptr(VernierTrial) again = train_curve (23, crossing, i, 0.5 + 0.01 * i, steps);
          gdouble previous = G_MAXDOUBLE, value = NAN, value_again;

          g_assert_cmpuint (vernier_trial_get_n_reports (trial), ==, steps);
          for (guint s = 0; s < steps; s++)
            {
              g_assert_true (vernier_trial_get_report (trial, s, NULL, &value));
              g_assert_true (vernier_trial_get_report (again, s, NULL, &value_again));
              g_assert_cmpfloat (value, ==, value_again);
              g_assert_cmpfloat (value, <, previous);
              previous = value;
            }
          g_assert_cmpfloat (value, ==, vernier_trial_get_value (trial));
          g_assert_cmpfloat_with_epsilon (value, (0.5 + 0.01 * i) * (0.5 + 0.01 * i), 1e-12);
          g_ptr_array_add (trials, trial);
        }

      /* pairs whose order at the second step is not their final order */
      for (guint a = 0; a < n; a++)
        for (guint b = a + 1; b < n; b++)
          {
            gdouble early_a, early_b;

            g_assert_true (vernier_trial_get_report (g_ptr_array_index (trials, a), 1,
                                                     NULL, &early_a));
            g_assert_true (vernier_trial_get_report (g_ptr_array_index (trials, b), 1,
                                                     NULL, &early_b));
            crossings[crossing] += early_a > early_b;
          }
    }

  g_test_message ("pairs of %u trials crossing after step 2: %u without, %u with crossing=true",
                  n, crossings[0], crossings[1]);
  g_assert_cmpuint (crossings[0], ==, 0);
  g_assert_cmpuint (crossings[1], >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/mock/deterministic", test_mock_deterministic);
  g_test_add_func ("/vernier/mock/latency", test_mock_latency);
  g_test_add_func ("/vernier/mock/cancel", test_mock_cancel);
  g_test_add_func ("/vernier/mock/fail-rate", test_mock_fail_rate);

  g_test_add_func ("/vernier/benchmark/minima", test_benchmark_minima);
  g_test_add_func ("/vernier/benchmark/dimensions", test_benchmark_dimensions);
  g_test_add_func ("/vernier/benchmark/missing-param", test_benchmark_missing_param);
  g_test_add_func ("/vernier/benchmark/steps", test_benchmark_steps);
  g_test_add_func ("/vernier/benchmark/steps-rank", test_benchmark_steps_rank);
  g_test_add_func ("/vernier/benchmark/cancel-steps", test_benchmark_cancel_steps);
  g_test_add_func ("/vernier/benchmark/noise", test_benchmark_noise);
  g_test_add_func ("/vernier/benchmark/crossing", test_benchmark_crossing);

  return g_test_run ();
}
