/* vernier-median-pruner.c: prune below the median of the completed trials
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-median-pruner.h"
#include "vernier-percentile-rule.h"

/**
 * VernierMedianPruner:
 *
 * A pruner that stops a trial whose best intermediate value so far is
 * worse than the median of the intermediate values the completed trials
 * reported at the same step, as Optuna's `MedianPruner` does: the
 * [type@VernierPercentilePruner] at the 50th percentile.
 *
 * No trial is pruned before
 * [property@VernierMedianPruner:startup-trials] trials have completed, nor
 * at a step below [property@VernierMedianPruner:warmup-steps]; a trial is
 * checked once every [property@VernierMedianPruner:interval-steps] steps
 * from there, and only at a step that at least
 * [property@VernierMedianPruner:min-trials] completed trials reported.
 * "Worse" follows the study's direction.
 */
struct _VernierMedianPruner
{
  GObject parent_instance;

  VernierPercentileRule rule;
};

enum {
  PROP_0,
  PROP_FIRST_RULE,
  N_PROPS = PROP_FIRST_RULE + VERNIER_PERCENTILE_RULE_N_PROPS
};

static void pruner_iface_init (VernierPrunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierMedianPruner, vernier_median_pruner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_PRUNER,
                                                               pruner_iface_init))

static gboolean
vernier_median_pruner_prepare (VernierPruner   *pruner,
                               VernierContext  *context,
                               GError         **error)
{
  VernierMedianPruner *self = VERNIER_MEDIAN_PRUNER (pruner);

  return vernier_percentile_rule_prepare (&self->rule, context, error);
}

static gboolean
vernier_median_pruner_should_prune (VernierPruner *pruner,
                                    VernierTrial  *trial)
{
  VernierMedianPruner *self = VERNIER_MEDIAN_PRUNER (pruner);

  return vernier_percentile_rule_should_prune (&self->rule, trial);
}

static void
pruner_iface_init (VernierPrunerInterface *iface)
{
  iface->prepare = vernier_median_pruner_prepare;
  iface->should_prune = vernier_median_pruner_should_prune;
}

static void
vernier_median_pruner_finalize (GObject *object)
{
  VernierMedianPruner *self = VERNIER_MEDIAN_PRUNER (object);

  vernier_percentile_rule_clear (&self->rule);

  G_OBJECT_CLASS (vernier_median_pruner_parent_class)->finalize (object);
}

static void
vernier_median_pruner_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  VernierMedianPruner *self = VERNIER_MEDIAN_PRUNER (object);

  if (prop_id < PROP_FIRST_RULE ||
      !vernier_percentile_rule_get_property (&self->rule, prop_id - PROP_FIRST_RULE, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
vernier_median_pruner_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  VernierMedianPruner *self = VERNIER_MEDIAN_PRUNER (object);

  if (prop_id < PROP_FIRST_RULE ||
      !vernier_percentile_rule_set_property (&self->rule, prop_id - PROP_FIRST_RULE, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else
    g_object_notify_by_pspec (object, pspec);
}

static void
vernier_median_pruner_class_init (VernierMedianPrunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_median_pruner_finalize;
  object_class->get_property = vernier_median_pruner_get_property;
  object_class->set_property = vernier_median_pruner_set_property;

  /* startup-trials (5), warmup-steps (0), interval-steps (1), min-trials
   * (1): see vernier_percentile_rule_install_properties(). */
  vernier_percentile_rule_install_properties (object_class, PROP_FIRST_RULE);
}

static void
vernier_median_pruner_class_finalize (VernierMedianPrunerClass *klass)
{
}

static void
vernier_median_pruner_init (VernierMedianPruner *self)
{
  vernier_percentile_rule_init (&self->rule, 50.0);
}

/**
 * vernier_median_pruner_register:
 * @module: the plugin's type module
 *
 * Registers #VernierMedianPruner with @module.
 */
void
vernier_median_pruner_register (GTypeModule *module)
{
  vernier_median_pruner_register_type (module);
}
