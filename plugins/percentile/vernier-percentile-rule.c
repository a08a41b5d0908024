/* vernier-percentile-rule.c: what the median and percentile pruners share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include "vernier-percentile-rule.h"

/* The intermediate values of the completed trials at one step. */
typedef struct
{
  gint64  step;         /* the key of the table */
  guint   n_reported;   /* trials that reported the step, NaN included */
  GArray *losses;       /* of gdouble, the values as losses, NaN left out,
                         * ascending */
} StepValues;

/* What is known of a running trial: its reports before the last one are
 * final (only the last one may still be replaced), so they are read once. */
typedef struct
{
  guint   n_read;       /* reports read, all but the last one */
  gdouble best_loss;    /* the best of them, NaN if none is a number */
  gint64  max_step;     /* the largest step among them */
} RunningTrial;

static void
step_values_free (gpointer data)
{
  StepValues *sv = data;

  g_array_unref (sv->losses);
  g_free (sv);
}

static void
sorted_insert (GArray  *array,
               gdouble  value)
{
  guint lo = 0, hi = array->len;

  /* after any equal values: the first index whose value is greater */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (array, gdouble, mid) <= value)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_array_insert_val (array, lo, value);
}

/* The @percentile (0 to 100) of the ascending @sorted, interpolated
 * linearly between the two closest ranks; NaN when @sorted is empty. */
static gdouble
sorted_percentile (GArray  *sorted,
                   gdouble  percentile)
{
  gdouble rank, frac, below, above;
  guint lo;

  if (sorted->len == 0)
    return NAN;

  rank = percentile / 100.0 * (sorted->len - 1);
  lo = (guint) floor (rank);
  if (lo >= sorted->len - 1)
    return g_array_index (sorted, gdouble, sorted->len - 1);

  frac = rank - lo;
  below = g_array_index (sorted, gdouble, lo);
  above = g_array_index (sorted, gdouble, lo + 1);
  if (frac == 0.0 || below == above)
    return below;
  return below + (above - below) * frac;
}

static void
reset_state (VernierPercentileRule *rule)
{
  g_clear_object (&rule->context);
  g_clear_pointer (&rule->steps, g_hash_table_unref);
  g_clear_pointer (&rule->running, g_hash_table_unref);
  rule->n_indexed = 0;
  rule->n_complete = 0;
}

/**
 * vernier_percentile_rule_init:
 * @rule: the rule to initialize
 * @percentile: the percentile it compares against, 0 to 100
 *
 * Sets the defaults of Optuna's pruners: 5 startup trials, no warm-up,
 * every step, at least one trial at the step.
 */
void
vernier_percentile_rule_init (VernierPercentileRule *rule,
                              gdouble                percentile)
{
  memset (rule, 0, sizeof *rule);
  rule->percentile = percentile;
  rule->startup_trials = 5;
  rule->warmup_steps = 0;
  rule->interval_steps = 1;
  rule->min_trials = 1;
}

/**
 * vernier_percentile_rule_clear:
 * @rule: a rule
 *
 * Frees what @rule holds.
 */
void
vernier_percentile_rule_clear (VernierPercentileRule *rule)
{
  reset_state (rule);
}

/**
 * vernier_percentile_rule_install_properties:
 * @klass: the class of a pruner
 * @first_prop_id: the property id of the first shared property
 *
 * Installs the properties of #VernierPercentileRuleProp on @klass, with
 * ids @first_prop_id onwards.
 */
void
vernier_percentile_rule_install_properties (GObjectClass *klass,
                                            guint         first_prop_id)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  g_object_class_install_property (klass,
    first_prop_id + VERNIER_PERCENTILE_RULE_PROP_STARTUP_TRIALS,
    g_param_spec_uint ("startup-trials", "Startup trials",
                       "Completed trials (count) before any trial is pruned",
                       0, G_MAXUINT, 5, flags));
  g_object_class_install_property (klass,
    first_prop_id + VERNIER_PERCENTILE_RULE_PROP_WARMUP_STEPS,
    g_param_spec_int64 ("warmup-steps", "Warm-up steps",
                        "A trial is not pruned at a step below this one "
                        "(steps as the trainer reports them)",
                        0, G_MAXINT64, 0, flags));
  g_object_class_install_property (klass,
    first_prop_id + VERNIER_PERCENTILE_RULE_PROP_INTERVAL_STEPS,
    g_param_spec_int64 ("interval-steps", "Interval steps",
                        "Steps between two checks of a trial, counted from "
                        "warmup-steps; a check falls on the first report at "
                        "or past each such step",
                        1, G_MAXINT64, 1, flags));
  g_object_class_install_property (klass,
    first_prop_id + VERNIER_PERCENTILE_RULE_PROP_MIN_TRIALS,
    g_param_spec_uint ("min-trials", "Minimum trials",
                       "Completed trials (count) that must have reported a "
                       "step before a trial is judged at that step",
                       1, G_MAXUINT, 1, flags));
}

/**
 * vernier_percentile_rule_get_property:
 * @rule: a rule
 * @index: a #VernierPercentileRuleProp
 * @value: (out caller-allocates): where to store the property's value
 *
 * Returns: %FALSE if @index is not a shared property
 */
gboolean
vernier_percentile_rule_get_property (VernierPercentileRule *rule,
                                      guint                  index,
                                      GValue                *value)
{
  switch (index)
    {
    case VERNIER_PERCENTILE_RULE_PROP_STARTUP_TRIALS:
      g_value_set_uint (value, rule->startup_trials);
      return TRUE;
    case VERNIER_PERCENTILE_RULE_PROP_WARMUP_STEPS:
      g_value_set_int64 (value, rule->warmup_steps);
      return TRUE;
    case VERNIER_PERCENTILE_RULE_PROP_INTERVAL_STEPS:
      g_value_set_int64 (value, rule->interval_steps);
      return TRUE;
    case VERNIER_PERCENTILE_RULE_PROP_MIN_TRIALS:
      g_value_set_uint (value, rule->min_trials);
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * vernier_percentile_rule_set_property:
 * @rule: a rule
 * @index: a #VernierPercentileRuleProp
 * @value: the property's new value
 *
 * Returns: %FALSE if @index is not a shared property
 */
gboolean
vernier_percentile_rule_set_property (VernierPercentileRule *rule,
                                      guint                  index,
                                      const GValue          *value)
{
  switch (index)
    {
    case VERNIER_PERCENTILE_RULE_PROP_STARTUP_TRIALS:
      rule->startup_trials = g_value_get_uint (value);
      return TRUE;
    case VERNIER_PERCENTILE_RULE_PROP_WARMUP_STEPS:
      rule->warmup_steps = g_value_get_int64 (value);
      return TRUE;
    case VERNIER_PERCENTILE_RULE_PROP_INTERVAL_STEPS:
      rule->interval_steps = g_value_get_int64 (value);
      return TRUE;
    case VERNIER_PERCENTILE_RULE_PROP_MIN_TRIALS:
      rule->min_trials = g_value_get_uint (value);
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * vernier_percentile_rule_prepare:
 * @rule: a rule
 * @context: the study
 * @error: return location for a #GError
 *
 * Forgets any previous study and starts following @context's history.
 *
 * Returns: %TRUE
 */
gboolean
vernier_percentile_rule_prepare (VernierPercentileRule  *rule,
                                 VernierContext         *context,
                                 GError                **error)
{
  reset_state (rule);
  rule->context = g_object_ref (context);
  rule->steps = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                       NULL, step_values_free);
  rule->running = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                         NULL, g_free);
  return TRUE;
}

/* Adds the intermediate values of a completed @trial to the step tables.
 * A step reported more than once counts with its last value. */
static void
index_trial (VernierPercentileRule *rule,
             VernierTrial          *trial)
{
  VernierObjective *objective = vernier_context_get_objective (rule->context);
  guint n = vernier_trial_get_n_reports (trial);
  g_autofree gint64 *steps = g_new (gint64, MAX (n, 1));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = n; i-- > 0;)
    {
      gdouble value;
      StepValues *sv;

      if (!vernier_trial_get_report (trial, i, &steps[i], &value) ||
          !g_hash_table_add (seen, &steps[i]))
        continue;

      sv = g_hash_table_lookup (rule->steps, &steps[i]);
      if (sv == NULL)
        {
          sv = g_new0 (StepValues, 1);
          sv->step = steps[i];
          sv->losses = g_array_new (FALSE, FALSE, sizeof (gdouble));
          g_hash_table_insert (rule->steps, &sv->step, sv);
        }
      sv->n_reported++;
      if (!isnan (value))
        sorted_insert (sv->losses, vernier_objective_to_loss (objective, value));
    }
}

/* Reads the trials that finished since the last call: each history trial
 * is read once, so a decision costs no scan of the history. */
static void
index_history (VernierPercentileRule *rule)
{
  guint n = vernier_context_get_n_trials (rule->context);

  for (; rule->n_indexed < n; rule->n_indexed++)
    {
      VernierTrial *trial = vernier_context_get_trial (rule->context, rule->n_indexed);

      g_hash_table_remove (rule->running,
                           GUINT_TO_POINTER (vernier_trial_get_number (trial)));
      if (vernier_trial_get_state (trial) != VERNIER_TRIAL_STATE_COMPLETE)
        continue;
      rule->n_complete++;
      index_trial (rule, trial);
    }
}

/* Reads the reports of @trial before its last one that were not read yet. */
static RunningTrial *
update_running (VernierPercentileRule *rule,
                VernierTrial          *trial,
                guint                  n_reports)
{
  VernierObjective *objective = vernier_context_get_objective (rule->context);
  gpointer key = GUINT_TO_POINTER (vernier_trial_get_number (trial));
  RunningTrial *rt = g_hash_table_lookup (rule->running, key);

  if (rt == NULL)
    {
      rt = g_new0 (RunningTrial, 1);
      rt->best_loss = NAN;
      rt->max_step = G_MININT64;
      g_hash_table_insert (rule->running, key, rt);
    }

  for (; rt->n_read + 1 < n_reports; rt->n_read++)
    {
      gint64 step;
      gdouble value, loss;

      if (!vernier_trial_get_report (trial, rt->n_read, &step, &value))
        break;
      rt->max_step = MAX (rt->max_step, step);
      loss = vernier_objective_to_loss (objective, value);
      if (!isnan (loss) && (isnan (rt->best_loss) || loss < rt->best_loss))
        rt->best_loss = loss;
    }
  return rt;
}

/**
 * vernier_percentile_rule_should_prune:
 * @rule: a prepared rule
 * @trial: a running trial that has just reported
 *
 * Decides as Optuna's percentile pruner does: once @rule's startup trials
 * have completed, at the first report at or past each pruning step
 * (warm-up steps, then every interval steps), @trial is pruned when its
 * best intermediate value so far is worse than the percentile of the
 * completed trials' values at its last step (none of them being numbers
 * prunes it too). Fewer than min-trials completed trials at that step:
 * no pruning.
 *
 * Returns: %TRUE to prune @trial
 */
gboolean
vernier_percentile_rule_should_prune (VernierPercentileRule *rule,
                                      VernierTrial          *trial)
{
  VernierObjective *objective;
  RunningTrial *rt;
  StepValues *sv;
  gint64 step, pruning_step;
  gdouble value, loss, best, threshold;
  guint n_reports;

  if (rule->context == NULL)
    return FALSE;

  index_history (rule);
  if (rule->n_complete == 0 || rule->n_complete < rule->startup_trials)
    return FALSE;

  n_reports = vernier_trial_get_n_reports (trial);
  if (n_reports == 0 ||
      !vernier_trial_get_report (trial, n_reports - 1, &step, &value))
    return FALSE;
  rt = update_running (rule, trial, n_reports);

  if (step < rule->warmup_steps)
    return FALSE;

  /* Only the first report at or past the last pruning step is a check:
   * one check per interval, postponed to the next report when the
   * trainer skips the pruning step itself. */
  pruning_step = (step - rule->warmup_steps) / rule->interval_steps *
                 rule->interval_steps + rule->warmup_steps;
  if (rt->n_read > 0 && rt->max_step >= pruning_step)
    return FALSE;

  objective = vernier_context_get_objective (rule->context);
  loss = vernier_objective_to_loss (objective, value);
  best = rt->best_loss;
  if (!isnan (loss) && (isnan (best) || loss < best))
    best = loss;
  if (isnan (best))
    return TRUE;

  sv = g_hash_table_lookup (rule->steps, &step);
  if (sv == NULL || sv->n_reported < rule->min_trials)
    return FALSE;

  threshold = sorted_percentile (sv->losses, rule->percentile);
  if (isnan (threshold))
    return FALSE;
  return best > threshold;
}
