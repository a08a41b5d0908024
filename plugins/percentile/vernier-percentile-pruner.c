/* vernier-percentile-pruner.c: prune below a percentile of the completed
 * trials
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-median-pruner.h"
#include "vernier-percentile-pruner.h"
#include "vernier-percentile-rule.h"

/**
 * VernierPercentilePruner:
 *
 * A pruner that keeps the trials in the best
 * [property@VernierPercentilePruner:percentile] percent, as Optuna's
 * `PercentilePruner` does: a trial is stopped when its best intermediate
 * value so far is worse than that percentile of the intermediate values
 * the completed trials reported at the same step (interpolated linearly
 * between ranks). With 25, a trial must be in the best quarter to go on;
 * with 50 this is the [type@VernierMedianPruner].
 *
 * No trial is pruned before
 * [property@VernierPercentilePruner:startup-trials] trials have completed,
 * nor at a step below [property@VernierPercentilePruner:warmup-steps]; a
 * trial is checked once every
 * [property@VernierPercentilePruner:interval-steps] steps from there, and
 * only at a step that at least [property@VernierPercentilePruner:min-trials]
 * completed trials reported. "Worse" and "best" follow the study's
 * direction.
 */
struct _VernierPercentilePruner
{
  GObject parent_instance;

  VernierPercentileRule rule;
};

enum {
  PROP_0,
  PROP_PERCENTILE,
  PROP_FIRST_RULE,
  N_PROPS = PROP_FIRST_RULE + VERNIER_PERCENTILE_RULE_N_PROPS
};

static void pruner_iface_init (VernierPrunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierPercentilePruner, vernier_percentile_pruner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_PRUNER,
                                                               pruner_iface_init))

static gboolean
vernier_percentile_pruner_prepare (VernierPruner   *pruner,
                                   VernierContext  *context,
                                   GError         **error)
{
  VernierPercentilePruner *self = VERNIER_PERCENTILE_PRUNER (pruner);

  return vernier_percentile_rule_prepare (&self->rule, context, error);
}

static gboolean
vernier_percentile_pruner_should_prune (VernierPruner *pruner,
                                        VernierTrial  *trial)
{
  VernierPercentilePruner *self = VERNIER_PERCENTILE_PRUNER (pruner);

  return vernier_percentile_rule_should_prune (&self->rule, trial);
}

static void
pruner_iface_init (VernierPrunerInterface *iface)
{
  iface->prepare = vernier_percentile_pruner_prepare;
  iface->should_prune = vernier_percentile_pruner_should_prune;
}

static void
vernier_percentile_pruner_finalize (GObject *object)
{
  VernierPercentilePruner *self = VERNIER_PERCENTILE_PRUNER (object);

  vernier_percentile_rule_clear (&self->rule);

  G_OBJECT_CLASS (vernier_percentile_pruner_parent_class)->finalize (object);
}

static void
vernier_percentile_pruner_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  VernierPercentilePruner *self = VERNIER_PERCENTILE_PRUNER (object);

  if (prop_id == PROP_PERCENTILE)
    g_value_set_double (value, self->rule.percentile);
  else if (prop_id < PROP_FIRST_RULE ||
           !vernier_percentile_rule_get_property (&self->rule, prop_id - PROP_FIRST_RULE, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vernier_percentile_pruner_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  VernierPercentilePruner *self = VERNIER_PERCENTILE_PRUNER (object);

  if (prop_id == PROP_PERCENTILE)
    self->rule.percentile = g_value_get_double (value);
  else if (prop_id < PROP_FIRST_RULE ||
           !vernier_percentile_rule_set_property (&self->rule, prop_id - PROP_FIRST_RULE, value))
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
vernier_percentile_pruner_class_init (VernierPercentilePrunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_percentile_pruner_finalize;
  object_class->get_property = vernier_percentile_pruner_get_property;
  object_class->set_property = vernier_percentile_pruner_set_property;

  /**
   * VernierPercentilePruner:percentile:
   *
   * The percentile, 0 to 100, of the completed trials' intermediate values
   * that a trial must be at least as good as to go on: 25 keeps the best
   * quarter, 50 is the median.
   */
  g_object_class_install_property (object_class, PROP_PERCENTILE,
    g_param_spec_double ("percentile", "Percentile",
                         "Percentile (0 to 100) of the completed trials' "
                         "values at the same step a trial must match to go "
                         "on: 25 keeps the best quarter",
                         0.0, 100.0, 25.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS));

  /* startup-trials (5), warmup-steps (0), interval-steps (1), min-trials
   * (1): see vernier_percentile_rule_install_properties(). */
  vernier_percentile_rule_install_properties (object_class, PROP_FIRST_RULE);
}

static void
vernier_percentile_pruner_class_finalize (VernierPercentilePrunerClass *klass)
{
}

static void
vernier_percentile_pruner_init (VernierPercentilePruner *self)
{
  vernier_percentile_rule_init (&self->rule, 25.0);
}

static gboolean
percentile_plugin_register (GTypeModule  *module,
                            GError      **error)
{
  vernier_median_pruner_register (module);
  vernier_percentile_pruner_register_type (module);
  vernier_plugin_provide (module, "median", VERNIER_TYPE_MEDIAN_PRUNER);
  vernier_plugin_provide (module, "percentile", VERNIER_TYPE_PERCENTILE_PRUNER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("percentile",
                       "Prune a trial whose best intermediate value is worse "
                       "than a percentile (or the median) of the completed "
                       "trials at the same step",
                       percentile_plugin_register)
