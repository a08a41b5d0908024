/* test-pruners.c: the median, percentile, asha and hyperband pruners
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include <vernier-core.h>

/* ---- helpers ----------------------------------------------------------- */

static VernierPruner *
create_pruner (const gchar *name)
{
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  object = vernier_registry_create (registry, "pruner", name, &error);
  g_assert_no_error (error);
  g_assert_true (VERNIER_IS_PRUNER (object));
  return VERNIER_PRUNER (object);
}

static VernierContext *
new_context (const gchar      *study_name,
             VernierDirection  direction)
{
  g_autoptr(VernierSpace) space = vernier_space_new ();
  g_autoptr(VernierObjective) objective = vernier_objective_new ("loss", direction);

  return vernier_context_new (study_name, space, objective, 42, NULL);
}

static void
prepare (VernierPruner  *pruner,
         VernierContext *context)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vernier_pruner_prepare (pruner, context, &error));
  g_assert_no_error (error);
}

/* Adds a finished trial to the history that reported values[i] at step
 * first_step + i. */
static void
add_finished (VernierContext    *context,
              guint              number,
              VernierTrialState  state,
              gint64             first_step,
              const gdouble     *values,
              guint              n_values)
{
  g_autoptr(VernierTrial) trial = vernier_trial_new (number, NULL);

  vernier_trial_mark_started (trial);
  for (guint i = 0; i < n_values; i++)
    vernier_trial_report (trial, first_step + i, values[i]);
  if (state == VERNIER_TRIAL_STATE_COMPLETE)
    vernier_trial_set_value (trial, values[n_values - 1]);
  vernier_trial_mark_finished (trial, state);
  vernier_context_add_trial (context, trial);
}

static VernierTrial *
running_trial (guint number)
{
  VernierTrial *trial = vernier_trial_new (number, NULL);

  vernier_trial_mark_started (trial);
  return trial;
}

/* Reports (step, value) for @trial, then asks @pruner. */
static gboolean
ask (VernierPruner *pruner,
     VernierTrial  *trial,
     gint64         step,
     gdouble        value)
{
  vernier_trial_report (trial, step, value);
  return vernier_pruner_should_prune (pruner, trial);
}

/* A fresh running trial that reports one value, and the decision. */
static gboolean
ask_new (VernierPruner *pruner,
         guint          number,
         gint64         step,
         gdouble        value)
{
  g_autoptr(VernierTrial) trial = running_trial (number);

  return ask (pruner, trial, step, value);
}

/* The history the median tests share: 5 completed trials k = 0…4 that
 * report (k + 1)·10 − s at steps s = 0…6, so the median at step s is
 * 30 − s (trial 2's value). */
static void
add_ladder (VernierContext *context,
            guint           first_number)
{
  for (guint k = 0; k < 5; k++)
    {
      gdouble values[7];

      for (guint s = 0; s < G_N_ELEMENTS (values); s++)
        values[s] = (k + 1) * 10.0 - s;
      add_finished (context, first_number + k, VERNIER_TRIAL_STATE_COMPLETE,
                    0, values, G_N_ELEMENTS (values));
    }
}

/* ---- median ------------------------------------------------------------ */

static void
test_median_threshold (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");

  add_ladder (context, 0);
  prepare (pruner, context);

  /* the median at step 1 is 29: worse is pruned, equal or better goes on */
  g_assert_true (ask_new (pruner, 10, 1, 29.5));
  g_assert_false (ask_new (pruner, 11, 1, 28.5));
  g_assert_false (ask_new (pruner, 12, 1, 29.0));
  /* at step 4 the median is 26 */
  g_assert_true (ask_new (pruner, 13, 4, 26.5));
  g_assert_false (ask_new (pruner, 14, 4, 25.5));
  /* a step no completed trial reported: nothing to compare with */
  g_assert_false (ask_new (pruner, 15, 100, 1e9));
}

static void
test_median_best_so_far (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  g_autoptr(VernierTrial) trial = running_trial (10);

  add_ladder (context, 0);
  prepare (pruner, context);

  /* judged on its best value so far: 20 at step 0 is below the medians of
   * the next steps (29, 28, 27), whatever it reports after */
  g_assert_false (ask (pruner, trial, 0, 20.0));
  g_assert_false (ask (pruner, trial, 1, 50.0));
  g_assert_false (ask (pruner, trial, 2, 50.0));
  g_assert_false (ask (pruner, trial, 3, 50.0));
  /* the median at step 6 is 24: the best, 20, still beats it */
  g_assert_false (ask (pruner, trial, 6, 50.0));
}

static void
test_median_startup (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  const gdouble bad[] = { 1000.0, 1000.0 };
  const gdouble good[] = { 1.0, 1.0 };

  prepare (pruner, context);
  /* 4 completed trials, plus pruned and failed ones that do not count */
  for (guint k = 0; k < 4; k++)
    add_finished (context, k, VERNIER_TRIAL_STATE_COMPLETE, 0, good, 2);
  add_finished (context, 4, VERNIER_TRIAL_STATE_PRUNED, 0, bad, 2);
  add_finished (context, 5, VERNIER_TRIAL_STATE_PRUNED, 0, bad, 2);
  add_finished (context, 6, VERNIER_TRIAL_STATE_FAILED, 0, bad, 2);
  g_assert_false (ask_new (pruner, 10, 1, 500.0));

  /* the fifth completed trial ends the startup (the pruner follows the
   * history as it grows) */
  add_finished (context, 7, VERNIER_TRIAL_STATE_COMPLETE, 0, good, 2);
  g_assert_true (ask_new (pruner, 11, 1, 500.0));

  /* startup-trials=6 waits for one more */
  g_object_set (pruner, "startup-trials", 6, NULL);
  prepare (pruner, context);
  g_assert_false (ask_new (pruner, 12, 1, 500.0));
  add_finished (context, 8, VERNIER_TRIAL_STATE_COMPLETE, 0, good, 2);
  g_assert_true (ask_new (pruner, 13, 1, 500.0));
}

static void
test_median_warmup (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  g_autoptr(VernierTrial) trial = running_trial (10);

  g_object_set (pruner, "warmup-steps", (gint64) 3, NULL);
  add_ladder (context, 0);
  prepare (pruner, context);

  g_assert_false (ask (pruner, trial, 0, 100.0));
  g_assert_false (ask (pruner, trial, 1, 100.0));
  g_assert_false (ask (pruner, trial, 2, 100.0));
  g_assert_true (ask (pruner, trial, 3, 100.0));
}

static void
test_median_interval (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) every3 = create_pruner ("median");
  g_autoptr(VernierPruner) every1 = create_pruner ("median");
  g_autoptr(VernierTrial) a = running_trial (10);
  g_autoptr(VernierTrial) b = running_trial (11);
  g_autoptr(VernierTrial) c = running_trial (12);

  g_object_set (every3, "interval-steps", (gint64) 3, NULL);
  add_ladder (context, 0);
  prepare (every3, context);
  prepare (every1, context);

  /* 29.5 at step 0 beats the median 30 there, but not 29, 28, 27 at the
   * next steps: pruned at step 1 when checked every step… */
  g_assert_false (ask (every1, a, 0, 29.5));
  g_assert_true (ask (every1, a, 1, 40.0));

  /* …only at step 3 when checked at steps 0, 3, 6… */
  g_assert_false (ask (every3, b, 0, 29.5));
  g_assert_false (ask (every3, b, 1, 40.0));
  g_assert_false (ask (every3, b, 2, 40.0));
  g_assert_true (ask (every3, b, 3, 40.0));

  /* …and at the first report past a skipped check step */
  g_assert_false (ask (every3, c, 0, 29.5));
  g_assert_true (ask (every3, c, 5, 40.0));
}

static void
test_median_interval_after_warmup (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  g_autoptr(VernierTrial) trial = running_trial (10);

  /* checks at steps 1, 3, 5: counted from the warm-up */
  g_object_set (pruner, "warmup-steps", (gint64) 1, "interval-steps", (gint64) 2, NULL);
  add_ladder (context, 0);
  prepare (pruner, context);

  g_assert_false (ask (pruner, trial, 0, 100.0));
  g_assert_false (ask (pruner, trial, 1, 28.5));
  g_assert_false (ask (pruner, trial, 2, 100.0));
  g_assert_true (ask (pruner, trial, 3, 100.0));
}

static void
test_median_maximize (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MAXIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  g_autoptr(VernierTrial) trial = running_trial (20);

  /* accuracies rising with the steps: k·10 + s, median 20 + s */
  for (guint k = 0; k < 5; k++)
    {
      gdouble values[4];

      for (guint s = 0; s < G_N_ELEMENTS (values); s++)
        values[s] = k * 10.0 + s;
      add_finished (context, k, VERNIER_TRIAL_STATE_COMPLETE, 0, values, G_N_ELEMENTS (values));
    }
  prepare (pruner, context);

  g_assert_true (ask_new (pruner, 10, 1, 20.5));
  g_assert_false (ask_new (pruner, 11, 1, 21.5));
  g_assert_false (ask_new (pruner, 12, 1, 21.0));

  /* the best value so far is the largest one: 22.5 beats the medians 20
   * and 22 of steps 0 and 2, not 23 at step 3 */
  g_assert_false (ask (pruner, trial, 0, 22.5));
  g_assert_false (ask (pruner, trial, 2, 0.0));
  g_assert_true (ask (pruner, trial, 3, 0.0));
}

static void
test_median_completed_only (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  const gdouble bad[] = { 1000.0, 1000.0 };

  /* As Optuna: the median is the completed trials'. Ten pruned trials
   * far above would move it up to 1000 if they counted. */
  add_ladder (context, 0);
  for (guint k = 0; k < 10; k++)
    add_finished (context, 5 + k, VERNIER_TRIAL_STATE_PRUNED, 0, bad, G_N_ELEMENTS (bad));
  prepare (pruner, context);

  g_assert_true (ask_new (pruner, 20, 1, 29.5));
}

static void
test_median_min_trials (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  const gdouble long_run[] = { 10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0 };

  g_object_set (pruner, "min-trials", 3, NULL);
  /* steps 0…6 by all five, steps 7…9 by two of them only */
  add_ladder (context, 0);
  add_finished (context, 5, VERNIER_TRIAL_STATE_COMPLETE, 0, long_run, 10);
  add_finished (context, 6, VERNIER_TRIAL_STATE_COMPLETE, 0, long_run, 10);
  prepare (pruner, context);

  g_assert_true (ask_new (pruner, 10, 6, 100.0));
  g_assert_false (ask_new (pruner, 11, 8, 100.0));

  add_finished (context, 7, VERNIER_TRIAL_STATE_COMPLETE, 0, long_run, 10);
  g_assert_true (ask_new (pruner, 12, 8, 100.0));
}

static void
test_median_nan (void)
{
  g_autoptr(VernierContext) context = new_context ("median", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("median");
  g_autoptr(VernierTrial) trial = running_trial (11);

  add_ladder (context, 0);
  prepare (pruner, context);

  /* nothing but NaN: pruned; a number before a NaN is its best */
  g_assert_true (ask_new (pruner, 10, 1, NAN));
  g_assert_false (ask (pruner, trial, 1, 20.0));
  g_assert_false (ask (pruner, trial, 2, NAN));
}

static void
test_median_properties (void)
{
  g_autoptr(VernierPruner) median = create_pruner ("median");
  g_autoptr(VernierPruner) percentile = create_pruner ("percentile");
  guint startup = 0, min_trials = 0;
  gint64 warmup = -1, interval = 0;
  gdouble p = 0;

  /* the median is the 50th percentile, not a setting */
  g_assert_null (g_object_class_find_property (G_OBJECT_GET_CLASS (median), "percentile"));
  g_object_get (median, "startup-trials", &startup, "warmup-steps", &warmup,
                "interval-steps", &interval, "min-trials", &min_trials, NULL);
  g_assert_cmpuint (startup, ==, 5);
  g_assert_cmpint (warmup, ==, 0);
  g_assert_cmpint (interval, ==, 1);
  g_assert_cmpuint (min_trials, ==, 1);

  g_object_get (percentile, "percentile", &p, NULL);
  g_assert_cmpfloat (p, ==, 25.0);
}

/* ---- percentile -------------------------------------------------------- */

/* 5 completed trials reporting 10, 20, 30, 40, 50 at step 1. Interpolated
 * linearly between ranks, the 10th percentile is at rank 0.4: 14; the
 * 90th at rank 3.6: 46. */
static VernierContext *
decade_context (VernierDirection direction)
{
  VernierContext *context = new_context ("percentile", direction);

  for (guint k = 0; k < 5; k++)
    {
      const gdouble values[] = { 100.0, (k + 1) * 10.0 };

      add_finished (context, k, VERNIER_TRIAL_STATE_COMPLETE, 0, values, 2);
    }
  return context;
}

static VernierPruner *
percentile_pruner (VernierContext *context,
                   gdouble         percentile)
{
  VernierPruner *pruner = create_pruner ("percentile");

  g_object_set (pruner, "percentile", percentile, NULL);
  prepare (pruner, context);
  return pruner;
}

static void
test_percentile_minimize (void)
{
  g_autoptr(VernierContext) context = decade_context (VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) p10 = percentile_pruner (context, 10);
  g_autoptr(VernierPruner) p90 = percentile_pruner (context, 90);

  /* 10: only the best tenth goes on */
  g_assert_true (ask_new (p10, 10, 1, 15.0));
  g_assert_false (ask_new (p10, 11, 1, 13.0));
  g_assert_false (ask_new (p10, 12, 1, 14.0));

  /* 90: only the worst tenth is pruned */
  g_assert_true (ask_new (p90, 13, 1, 47.0));
  g_assert_false (ask_new (p90, 14, 1, 45.0));
}

static void
test_percentile_maximize (void)
{
  g_autoptr(VernierContext) context = decade_context (VERNIER_DIRECTION_MAXIMIZE);
  g_autoptr(VernierPruner) p10 = percentile_pruner (context, 10);
  g_autoptr(VernierPruner) p90 = percentile_pruner (context, 90);

  /* maximizing, the best tenth is above 46 */
  g_assert_true (ask_new (p10, 10, 1, 45.0));
  g_assert_false (ask_new (p10, 11, 1, 47.0));

  /* and the worst tenth below 14 */
  g_assert_true (ask_new (p90, 12, 1, 13.0));
  g_assert_false (ask_new (p90, 13, 1, 15.0));
}

static void
test_percentile_extremes (void)
{
  g_autoptr(VernierContext) context = decade_context (VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) p0 = percentile_pruner (context, 0);
  g_autoptr(VernierPruner) p100 = percentile_pruner (context, 100);

  /* 0: as good as the best so far; 100: not worse than the worst */
  g_assert_true (ask_new (p0, 10, 1, 10.5));
  g_assert_false (ask_new (p0, 11, 1, 10.0));
  g_assert_true (ask_new (p100, 12, 1, 50.5));
  g_assert_false (ask_new (p100, 13, 1, 50.0));
}

/* ---- asha -------------------------------------------------------------- */

static VernierPruner *
asha_pruner (VernierContext *context,
             gint64          min_resource,
             guint           reduction_factor)
{
  VernierPruner *pruner = create_pruner ("asha");

  g_object_set (pruner, "min-resource", min_resource,
                "reduction-factor", reduction_factor, NULL);
  prepare (pruner, context);
  return pruner;
}

static void
test_asha_promotions (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = asha_pruner (context, 1, 2);
  g_autoptr(VernierTrial) t0 = running_trial (0);
  g_autoptr(VernierTrial) t1 = running_trial (1);
  g_autoptr(VernierTrial) t2 = running_trial (2);

  /* rungs at steps 1, 2, 4, 8; the best half of each rung goes on, and
   * only the best while a rung holds fewer than 2 values */
  g_assert_false (ask (pruner, t0, 1, 5.0));          /* rung 0: 5 */
  g_assert_false (ask (pruner, t0, 2, 4.0));          /* rung 1: 4 */

  g_assert_true (ask (pruner, t1, 1, 6.0));           /* 5 6 */
  /* once pruned, a late report changes nothing */
  g_assert_true (ask (pruner, t1, 2, 1.0));

  g_assert_false (ask (pruner, t2, 1, 3.0));          /* 3 5 6 */
  g_assert_true (ask (pruner, t2, 2, 4.5));           /* 4 4.5 */

  g_assert_true (ask_new (pruner, 3, 1, 5.5));        /* 3 5 5.5 6: top 1 */
  g_assert_false (ask_new (pruner, 4, 1, 4.0));       /* 3 4 5 5.5 6: top 2 */
}

static void
test_asha_several_rungs_at_once (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = asha_pruner (context, 1, 2);

  /* a first report at step 4 completes rungs 0, 1 and 2 (steps 1, 2, 4)
   * with its value, each rung judging it in turn */
  g_assert_false (ask_new (pruner, 0, 1, 3.0));       /* 3 */
  g_assert_false (ask_new (pruner, 1, 4, 2.0));       /* 2 3 | 2 | 2 */
  g_assert_true (ask_new (pruner, 2, 4, 2.5));        /* 2 2.5 3: top 1 */
  /* passes rung 0 (2 2.2 2.5 3: top 2), fails rung 1 (2 2.2: top 1) */
  g_assert_true (ask_new (pruner, 3, 4, 2.2));
  /* passes all three */
  g_assert_false (ask_new (pruner, 4, 4, 1.0));
  /* passes rung 0 (1 1.5 2 2.2 2.5 3: top 3) and rung 1 (1 1.5 2 2.2:
   * top 2), fails rung 2 (1 1.5 2: top 1) */
  g_assert_true (ask_new (pruner, 5, 4, 1.5));
}

static void
test_asha_first_rung (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) late = asha_pruner (context, 3, 2);
  g_autoptr(VernierPruner) rate = create_pruner ("asha");
  g_autoptr(VernierTrial) t1 = running_trial (1);
  g_autoptr(VernierTrial) t3 = running_trial (3);

  /* min-resource=3: nothing happens before step 3 */
  g_assert_false (ask_new (late, 0, 3, 1.0));
  g_assert_false (ask (late, t1, 1, 100.0));
  g_assert_false (ask (late, t1, 2, 100.0));
  g_assert_true (ask (late, t1, 3, 100.0));

  /* min-early-stopping-rate=2: the first rung is at 1·2² = 4 */
  g_object_set (rate, "min-resource", (gint64) 1, "reduction-factor", 2,
                "min-early-stopping-rate", 2, NULL);
  prepare (rate, context);
  g_assert_false (ask_new (rate, 2, 4, 1.0));
  g_assert_false (ask (rate, t3, 1, 100.0));
  g_assert_false (ask (rate, t3, 3, 100.0));
  g_assert_true (ask (rate, t3, 4, 100.0));
}

static void
test_asha_history (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) empty = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = NULL;
  g_autoptr(VernierPruner) fresh = NULL;

  /* trials the pruner never saw count with their values at the rungs
   * they reached */
  for (guint k = 0; k < 3; k++)
    {
      const gdouble values[] = { k + 1.0, k + 1.0, k + 1.0, k + 1.0 };

      add_finished (context, k, VERNIER_TRIAL_STATE_COMPLETE, 1, values, 4);
    }
  pruner = asha_pruner (context, 1, 2);
  fresh = asha_pruner (empty, 1, 2);

  g_assert_true (ask_new (pruner, 10, 1, 2.5));       /* 1 2 2.5 3: top 2 */
  g_assert_false (ask_new (fresh, 10, 1, 2.5));       /* alone */
}

static void
test_asha_judged_trial_counted_once (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = asha_pruner (context, 1, 2);
  g_autoptr(VernierTrial) t0 = running_trial (0);

  /* trial 0 is judged while it runs, then finishes: its value at rung 0
   * must not be recorded a second time from the history */
  g_assert_false (ask (pruner, t0, 1, 10.0));
  vernier_trial_set_value (t0, 10.0);
  vernier_trial_mark_finished (t0, VERNIER_TRIAL_STATE_COMPLETE);
  vernier_context_add_trial (context, t0);

  g_assert_false (ask_new (pruner, 1, 1, 1.0));       /* 1 10 */
  /* 1 5 10: top 1, pruned; with 10 twice, 1 5 10 10 would keep top 2 */
  g_assert_true (ask_new (pruner, 2, 1, 5.0));
}

static void
test_asha_maximize (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MAXIMIZE);
  g_autoptr(VernierPruner) pruner = asha_pruner (context, 1, 2);

  g_assert_false (ask_new (pruner, 0, 1, 5.0));
  g_assert_true (ask_new (pruner, 1, 1, 4.0));
  g_assert_false (ask_new (pruner, 2, 1, 6.0));
}

static void
test_asha_default_factor (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("asha");
  const gdouble values[] = { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0 };

  /* defaults: min-resource 1, reduction factor 4: with 8 values at a
   * rung, the best 2 go on */
  prepare (pruner, context);
  for (guint k = 0; k < G_N_ELEMENTS (values); k++)
    add_finished (context, k, VERNIER_TRIAL_STATE_PRUNED, 1, &values[k], 1);
  g_assert_false (ask_new (pruner, 10, 1, 2.0));       /* 1 2 2 3 … 7 */
  g_assert_true (ask_new (pruner, 11, 1, 2.5));        /* 9 values: top 2 */
}

static void
test_asha_bootstrap (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("asha");
  g_autoptr(VernierPruner) bad = create_pruner ("asha");
  g_autoptr(GError) error = NULL;

  /* the first 2 trials at a rung stop there, as references */
  g_object_set (pruner, "reduction-factor", 2, "bootstrap-count", 2, NULL);
  prepare (pruner, context);
  g_assert_true (ask_new (pruner, 0, 1, 1.0));
  g_assert_true (ask_new (pruner, 1, 1, 2.0));
  g_assert_true (ask_new (pruner, 2, 1, 1.5));        /* 1 1.5 2: top 1 */
  g_assert_false (ask_new (pruner, 3, 1, 0.5));       /* 0.5 1 1.5 2: top 2 */

  /* as in Optuna, a bootstrap needs a known min-resource */
  g_object_set (bad, "min-resource", (gint64) 0, "bootstrap-count", 1, NULL);
  g_assert_false (vernier_pruner_prepare (bad, context, &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "bootstrap-count"));
}

static void
test_asha_auto_min_resource (void)
{
  g_autoptr(VernierContext) context = new_context ("asha", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("asha");
  g_autoptr(VernierTrial) t1 = running_trial (1);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gdouble));
  const gdouble one = 1.0;

  g_object_set (pruner, "min-resource", (gint64) 0, "reduction-factor", 2, NULL);
  prepare (pruner, context);

  /* no completed trial yet: nothing to estimate, nothing pruned */
  g_assert_false (ask_new (pruner, 0, 1, 1e9));
  g_assert_false (ask_new (pruner, 2, 5, 1e9));

  /* a completed trial of 300 steps: min-resource 300 / 100 = 3 */
  for (guint s = 0; s < 300; s++)
    g_array_append_val (values, one);
  add_finished (context, 3, VERNIER_TRIAL_STATE_COMPLETE, 1,
                (const gdouble *) values->data, values->len);

  g_assert_false (ask (pruner, t1, 2, 1e9));
  g_assert_true (ask (pruner, t1, 3, 1e9));
}

/* ---- hyperband --------------------------------------------------------- */

/* The bracket the pruner gave @number, read from the trial it was asked
 * about (a report at step 0, below every rung); -1 if it gave none. */
static gint64
probe_bracket (VernierPruner *pruner,
               guint          number)
{
  g_autoptr(VernierTrial) trial = running_trial (number);
  g_autoptr(JsonNode) node = NULL;

  g_assert_false (ask (pruner, trial, 0, 0.0));
  node = vernier_trial_dup_user_attr (trial, "hyperband-bracket");
  return node != NULL ? json_node_get_int (node) : -1;
}

static VernierPruner *
hyperband_pruner (VernierContext *context,
                  gint64          max_resource)
{
  VernierPruner *pruner = create_pruner ("hyperband");

  g_object_set (pruner, "max-resource", max_resource, NULL);
  prepare (pruner, context);
  return pruner;
}

/* The brackets of trials 0…23 of a study named "hb" with 3 brackets of
 * shares 9, 5 and 3 (r = 1, R = 20, η = 3), as Optuna's HyperbandPruner
 * assigns them: CRC-32 of "hb_NUMBER" modulo 17, walked through the
 * shares. */
static const gint64 hb_brackets[] = {
  0, 0, 2, 2, 1, 1, 1, 2, 1, 0, 1, 0, 1, 1, 1, 0, 2, 0, 2, 0, 0, 0, 0, 0
};

static void
test_hyperband_brackets (void)
{
  g_autoptr(VernierContext) context = new_context ("hb", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierContext) other = new_context ("other", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) a = hyperband_pruner (context, 20);
  g_autoptr(VernierPruner) b = hyperband_pruner (context, 20);
  g_autoptr(VernierPruner) c = hyperband_pruner (other, 20);
  guint counts[3] = { 0, 0, 0 };
  guint differ = 0;
  const guint n = 3400;

  for (guint i = 0; i < G_N_ELEMENTS (hb_brackets); i++)
    g_assert_cmpint (probe_bracket (a, i), ==, hb_brackets[i]);

  for (guint i = 0; i < n; i++)
    {
      gint64 bracket = probe_bracket (b, i);

      g_assert_cmpint (bracket, >=, 0);
      g_assert_cmpint (bracket, <, 3);
      counts[bracket]++;
      if (probe_bracket (c, i) != bracket)
        differ++;
    }

  /* shares 9 : 5 : 3 of 17, within 10% */
  g_assert_cmpfloat (fabs (counts[0] - n * 9.0 / 17), <, n * 9.0 / 17 * 0.1);
  g_assert_cmpfloat (fabs (counts[1] - n * 5.0 / 17), <, n * 5.0 / 17 * 0.1);
  g_assert_cmpfloat (fabs (counts[2] - n * 3.0 / 17), <, n * 3.0 / 17 * 0.1);
  /* another study name splits the trials otherwise */
  g_assert_cmpuint (differ, >, n / 4);
}

static void
test_hyperband_per_bracket (void)
{
  g_autoptr(VernierContext) context = new_context ("hb", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = hyperband_pruner (context, 20);
  g_autoptr(VernierTrial) t2 = running_trial (2);
  g_autoptr(VernierTrial) t4 = running_trial (4);

  /* bracket 0 (trials 0, 1, 9…): rungs at 1, 3, 9; bracket 1 (4, 5…):
   * 3, 9; bracket 2 (2, 3…): 9 */
  g_assert_cmpint (hb_brackets[0], ==, 0);
  g_assert_cmpint (hb_brackets[1], ==, 0);
  g_assert_cmpint (hb_brackets[9], ==, 0);
  g_assert_cmpint (hb_brackets[4], ==, 1);
  g_assert_cmpint (hb_brackets[5], ==, 1);
  g_assert_cmpint (hb_brackets[2], ==, 2);
  g_assert_cmpint (hb_brackets[3], ==, 2);

  g_assert_false (ask_new (pruner, 0, 1, 5.0));
  g_assert_true (ask_new (pruner, 1, 1, 6.0));

  /* bracket 1 has no rung at step 1, and does not compare with bracket
   * 0's values at step 3 */
  g_assert_false (ask (pruner, t4, 1, 100.0));
  g_assert_false (ask (pruner, t4, 3, 100.0));
  g_assert_true (ask_new (pruner, 5, 3, 200.0));

  /* bracket 2 runs to step 9 before its first judgement */
  for (gint64 step = 1; step < 9; step++)
    g_assert_false (ask (pruner, t2, step, 1000.0));
  g_assert_false (ask (pruner, t2, 9, 1000.0));
  g_assert_true (ask_new (pruner, 3, 9, 2000.0));

  /* back in bracket 0: 5 5.5 6 at rung 0, only the best goes on */
  g_assert_true (ask_new (pruner, 9, 1, 5.5));
}

static void
test_hyperband_auto_max_resource (void)
{
  g_autoptr(VernierContext) context = new_context ("hb", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = hyperband_pruner (context, 0);
  const gdouble nine[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };

  /* no completed trial: no brackets yet, nothing pruned */
  g_assert_cmpint (probe_bracket (pruner, 1), ==, -1);
  g_assert_false (ask_new (pruner, 1, 1, 1e9));

  /* trial 0 (bracket 0) completes steps 1…9: R = 9, 3 brackets, and its
   * value at step 1 is in bracket 0's first rung */
  add_finished (context, 0, VERNIER_TRIAL_STATE_COMPLETE, 1, nine, G_N_ELEMENTS (nine));
  g_assert_cmpint (probe_bracket (pruner, 2), ==, 2);
  g_assert_true (ask_new (pruner, 9, 1, 1e9));
}

static void
test_hyperband_errors (void)
{
  g_autoptr(VernierContext) context = new_context ("hb", VERNIER_DIRECTION_MINIMIZE);
  g_autoptr(VernierPruner) pruner = create_pruner ("hyperband");
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;

  g_object_set (pruner, "min-resource", (gint64) 10, "max-resource", (gint64) 5, NULL);
  g_assert_false (vernier_pruner_prepare (pruner, context, &e1));
  g_assert_error (e1, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (e1->message, "max-resource"));

  g_object_set (pruner, "min-resource", (gint64) 1, "max-resource", (gint64) 0,
                "bootstrap-count", 2, NULL);
  g_assert_false (vernier_pruner_prepare (pruner, context, &e2));
  g_assert_error (e2, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
}

/* ---- end to end -------------------------------------------------------- */

/* Branin, minimum 5/(4π) */
#define BRANIN_MINIMUM 0.397887357729738

typedef struct
{
  guint   total_steps;     /* reports of all the trials */
  guint   n_pruned;
  guint   n_trials;
  gdouble best;
} StudyOutcome;

/* Runs 60 random trials of the step-wise branin benchmark (20 steps each),
 * @parallel at a time, with the pruner group @pruner_group appended, or
 * none. */
static void
run_branin (const gchar  *pruner_group,
            guint         parallel,
            StudyOutcome *out)
{
  g_autofree gchar *text = g_strdup_printf (
    "[study]\nname=prune-e2e\ntrials=60\nseed=11\nparallel=%u\n"
    "[param x]\ntype=float\nlow=-5\nhigh=10\n"
    "[param y]\ntype=float\nlow=0\nhigh=15\n"
    "[tuner]\nplugin=random\n"
    "[trainer]\nplugin=benchmark\nfunction=branin\nsteps=20\n%s",
    parallel, pruner_group != NULL ? pruner_group : "");
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "e2e.ini", NULL, &error);
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *context;

  g_assert_no_error (error);
  study = vernier_config_create_study (config, registry, &error);
  g_assert_no_error (error);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (best);

  context = vernier_study_get_context (study);
  memset (out, 0, sizeof *out);
  out->n_trials = vernier_context_get_n_trials (context);
  out->best = vernier_trial_get_value (best);
  for (guint i = 0; i < out->n_trials; i++)
    {
      VernierTrial *trial = vernier_context_get_trial (context, i);
      VernierTrialState state = vernier_trial_get_state (trial);
      guint n_reports = vernier_trial_get_n_reports (trial);

      g_assert_true (state == VERNIER_TRIAL_STATE_COMPLETE ||
                     state == VERNIER_TRIAL_STATE_PRUNED);
      /* a trial may be pruned on its last report */
      if (state == VERNIER_TRIAL_STATE_PRUNED)
        out->n_pruned++;
      else
        g_assert_cmpuint (n_reports, ==, 20);
      g_assert_cmpuint (n_reports, <=, 20);
      out->total_steps += n_reports;
    }
}

/* With the pruner: at least half the steps saved, and a best value whose
 * regret (distance to branin's minimum) is at most twice the unpruned
 * run's (the random tuner draws the same configurations either way). One
 * trial at a time, then four. */
static void
check_saves_steps (const gchar *plugin,
                   const gchar *pruner_group)
{
  const guint parallel[] = { 1, 4 };

  for (guint i = 0; i < G_N_ELEMENTS (parallel); i++)
    {
      StudyOutcome plain, pruned;

      run_branin (NULL, parallel[i], &plain);
      run_branin (pruner_group, parallel[i], &pruned);

      g_assert_cmpuint (plain.n_trials, ==, 60);
      g_assert_cmpuint (plain.n_pruned, ==, 0);
      g_assert_cmpuint (plain.total_steps, ==, 60 * 20);

      g_assert_cmpuint (pruned.n_trials, ==, 60);
      g_assert_cmpuint (pruned.n_pruned, >, 0);
      g_assert_cmpuint (pruned.total_steps * 2, <=, plain.total_steps);
      g_assert_cmpfloat (pruned.best - BRANIN_MINIMUM, <=,
                         2 * (plain.best - BRANIN_MINIMUM));
      g_test_message ("%s, parallel=%u: %u steps (unpruned %u), %u pruned, "
                      "best %g (unpruned %g)", plugin, parallel[i],
                      pruned.total_steps, plain.total_steps, pruned.n_pruned,
                      pruned.best, plain.best);
    }
}

static void
test_median_end_to_end (void)
{
  check_saves_steps ("median", "[pruner]\nplugin=median\n");
}

static void
test_percentile_end_to_end (void)
{
  check_saves_steps ("percentile", "[pruner]\nplugin=percentile\npercentile=25\n");
}

static void
test_asha_end_to_end (void)
{
  check_saves_steps ("asha", "[pruner]\nplugin=asha\n");
}

static void
test_hyperband_end_to_end (void)
{
  check_saves_steps ("hyperband", "[pruner]\nplugin=hyperband\n");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/median/threshold", test_median_threshold);
  g_test_add_func ("/vernier/median/best-so-far", test_median_best_so_far);
  g_test_add_func ("/vernier/median/startup", test_median_startup);
  g_test_add_func ("/vernier/median/warmup", test_median_warmup);
  g_test_add_func ("/vernier/median/interval", test_median_interval);
  g_test_add_func ("/vernier/median/interval-after-warmup", test_median_interval_after_warmup);
  g_test_add_func ("/vernier/median/maximize", test_median_maximize);
  g_test_add_func ("/vernier/median/completed-only", test_median_completed_only);
  g_test_add_func ("/vernier/median/min-trials", test_median_min_trials);
  g_test_add_func ("/vernier/median/nan", test_median_nan);
  g_test_add_func ("/vernier/median/properties", test_median_properties);
  g_test_add_func ("/vernier/median/end-to-end", test_median_end_to_end);

  g_test_add_func ("/vernier/percentile/minimize", test_percentile_minimize);
  g_test_add_func ("/vernier/percentile/maximize", test_percentile_maximize);
  g_test_add_func ("/vernier/percentile/extremes", test_percentile_extremes);
  g_test_add_func ("/vernier/percentile/end-to-end", test_percentile_end_to_end);

  g_test_add_func ("/vernier/asha/promotions", test_asha_promotions);
  g_test_add_func ("/vernier/asha/several-rungs-at-once", test_asha_several_rungs_at_once);
  g_test_add_func ("/vernier/asha/first-rung", test_asha_first_rung);
  g_test_add_func ("/vernier/asha/history", test_asha_history);
  g_test_add_func ("/vernier/asha/judged-trial-counted-once", test_asha_judged_trial_counted_once);
  g_test_add_func ("/vernier/asha/maximize", test_asha_maximize);
  g_test_add_func ("/vernier/asha/default-factor", test_asha_default_factor);
  g_test_add_func ("/vernier/asha/bootstrap", test_asha_bootstrap);
  g_test_add_func ("/vernier/asha/auto-min-resource", test_asha_auto_min_resource);
  g_test_add_func ("/vernier/asha/end-to-end", test_asha_end_to_end);

  g_test_add_func ("/vernier/hyperband/brackets", test_hyperband_brackets);
  g_test_add_func ("/vernier/hyperband/per-bracket", test_hyperband_per_bracket);
  g_test_add_func ("/vernier/hyperband/auto-max-resource", test_hyperband_auto_max_resource);
  g_test_add_func ("/vernier/hyperband/errors", test_hyperband_errors);
  g_test_add_func ("/vernier/hyperband/end-to-end", test_hyperband_end_to_end);

  return g_test_run ();
}
