/* vernier-asha-pruner.c: asynchronous successive halving
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-asha-pruner.h"
#include "vernier-asha-rungs.h"
#include "vernier-hyperband-pruner.h"

/**
 * VernierAshaPruner:
 *
 * A pruner that runs asynchronous successive halving (ASHA), as Optuna's
 * `SuccessiveHalvingPruner` does. With r the
 * [property@VernierAshaPruner:min-resource], η the
 * [property@VernierAshaPruner:reduction-factor] and s the
 * [property@VernierAshaPruner:min-early-stopping-rate], rung k is reached
 * at step r·η^(s+k). When a trial first reports a step at or past a rung,
 * its value there is recorded, and the trial goes on only if it is among
 * the best 1/η of the values recorded at that rung by every trial so far,
 * itself included (while the rung holds fewer than η values, only the best
 * goes on); otherwise it is pruned. A trial is never pruned before the
 * first rung.
 *
 * The rungs are the pruner's own, fed by the trials it is asked about and
 * by the finished trials of the history (a trial it never saw, say from a
 * resumed study, counts with its values at the rungs it reached).
 */
struct _VernierAshaPruner
{
  GObject parent_instance;

  /* properties */
  gint64 min_resource;          /* 0: estimated */
  guint reduction_factor;
  guint min_early_stopping_rate;
  guint bootstrap_count;

  /* state, set by prepare */
  VernierContext *context;
  VernierAshaRungs *rungs;      /* NULL while min-resource is unknown */
  guint n_scanned;              /* history trials read for the estimate */
  gint64 max_complete_step;
  gboolean any_complete;
  guint n_indexed;              /* history trials recorded in the rungs */
  GHashTable *progress;         /* trial number → VernierAshaProgress */
};

enum {
  PROP_0,
  PROP_MIN_RESOURCE,
  PROP_REDUCTION_FACTOR,
  PROP_MIN_EARLY_STOPPING_RATE,
  PROP_BOOTSTRAP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pruner_iface_init (VernierPrunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierAshaPruner, vernier_asha_pruner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_PRUNER,
                                                               pruner_iface_init))

static void
reset_state (VernierAshaPruner *self)
{
  g_clear_object (&self->context);
  g_clear_pointer (&self->rungs, vernier_asha_rungs_free);
  g_clear_pointer (&self->progress, g_hash_table_unref);
  self->n_scanned = 0;
  self->max_complete_step = 0;
  self->any_complete = FALSE;
  self->n_indexed = 0;
}

static gboolean
vernier_asha_pruner_prepare (VernierPruner   *pruner,
                             VernierContext  *context,
                             GError         **error)
{
  VernierAshaPruner *self = VERNIER_ASHA_PRUNER (pruner);

  reset_state (self);

  if (self->min_resource == 0 && self->bootstrap_count > 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "asha: bootstrap-count=%u needs an explicit min-resource "
                   "(min-resource=0 estimates it from the first completed "
                   "trial)", self->bootstrap_count);
      return FALSE;
    }

  self->context = g_object_ref (context);
  self->progress = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  if (self->min_resource > 0)
    self->rungs = vernier_asha_rungs_new (self->min_resource, self->reduction_factor,
                                          self->min_early_stopping_rate,
                                          self->bootstrap_count);
  return TRUE;
}

/* With min-resource=0, the largest last step of the completed trials
 * divided by 100 (at least 1) once a trial has completed, as Optuna's
 * "auto". Reads each history trial once. */
static gboolean
ensure_rungs (VernierAshaPruner *self)
{
  guint n;

  if (self->rungs != NULL)
    return TRUE;

  n = vernier_context_get_n_trials (self->context);
  for (; self->n_scanned < n; self->n_scanned++)
    {
      VernierTrial *trial = vernier_context_get_trial (self->context, self->n_scanned);
      gint64 step;

      if (vernier_trial_get_state (trial) == VERNIER_TRIAL_STATE_COMPLETE &&
          vernier_trial_get_last_report (trial, &step, NULL))
        {
          self->max_complete_step = self->any_complete
                                     ? MAX (self->max_complete_step, step) : step;
          self->any_complete = TRUE;
        }
    }
  if (!self->any_complete)
    return FALSE;

  g_debug ("asha: min-resource estimated at %" G_GINT64_FORMAT,
           MAX (self->max_complete_step / 100, 1));
  self->rungs = vernier_asha_rungs_new (MAX (self->max_complete_step / 100, 1),
                                        self->reduction_factor,
                                        self->min_early_stopping_rate,
                                        self->bootstrap_count);
  return TRUE;
}

/* Records in the rungs what the trials finished since the last call
 * reached and had not been recorded yet. */
static void
index_history (VernierAshaPruner *self)
{
  VernierObjective *objective = vernier_context_get_objective (self->context);
  guint n = vernier_context_get_n_trials (self->context);

  for (; self->n_indexed < n; self->n_indexed++)
    {
      VernierTrial *trial = vernier_context_get_trial (self->context, self->n_indexed);
      gpointer key = GUINT_TO_POINTER (vernier_trial_get_number (trial));
      VernierAshaProgress *progress = g_hash_table_lookup (self->progress, key);
      VernierAshaProgress unseen = { 0, FALSE };

      vernier_asha_rungs_replay (self->rungs, progress != NULL ? progress : &unseen,
                                 trial, objective);
      g_hash_table_remove (self->progress, key);
    }
}

static gboolean
vernier_asha_pruner_should_prune (VernierPruner *pruner,
                                  VernierTrial  *trial)
{
  VernierAshaPruner *self = VERNIER_ASHA_PRUNER (pruner);
  gpointer key = GUINT_TO_POINTER (vernier_trial_get_number (trial));
  VernierAshaProgress *progress;
  gint64 step;
  gdouble value;

  if (self->context == NULL ||
      !vernier_trial_get_last_report (trial, &step, &value) ||
      !ensure_rungs (self))
    return FALSE;

  index_history (self);

  progress = g_hash_table_lookup (self->progress, key);
  if (progress == NULL)
    {
      progress = g_new0 (VernierAshaProgress, 1);
      g_hash_table_insert (self->progress, key, progress);
    }

  return vernier_asha_rungs_judge (self->rungs, progress, step,
                                   vernier_objective_to_loss (vernier_context_get_objective (self->context),
                                                              value));
}

static void
pruner_iface_init (VernierPrunerInterface *iface)
{
  iface->prepare = vernier_asha_pruner_prepare;
  iface->should_prune = vernier_asha_pruner_should_prune;
}

static void
vernier_asha_pruner_finalize (GObject *object)
{
  VernierAshaPruner *self = VERNIER_ASHA_PRUNER (object);

  reset_state (self);

  G_OBJECT_CLASS (vernier_asha_pruner_parent_class)->finalize (object);
}

static void
vernier_asha_pruner_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  VernierAshaPruner *self = VERNIER_ASHA_PRUNER (object);

  switch (prop_id)
    {
    case PROP_MIN_RESOURCE:
      g_value_set_int64 (value, self->min_resource);
      break;
    case PROP_REDUCTION_FACTOR:
      g_value_set_uint (value, self->reduction_factor);
      break;
    case PROP_MIN_EARLY_STOPPING_RATE:
      g_value_set_uint (value, self->min_early_stopping_rate);
      break;
    case PROP_BOOTSTRAP_COUNT:
      g_value_set_uint (value, self->bootstrap_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_asha_pruner_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  VernierAshaPruner *self = VERNIER_ASHA_PRUNER (object);

  switch (prop_id)
    {
    case PROP_MIN_RESOURCE:
      self->min_resource = g_value_get_int64 (value);
      break;
    case PROP_REDUCTION_FACTOR:
      self->reduction_factor = g_value_get_uint (value);
      break;
    case PROP_MIN_EARLY_STOPPING_RATE:
      self->min_early_stopping_rate = g_value_get_uint (value);
      break;
    case PROP_BOOTSTRAP_COUNT:
      self->bootstrap_count = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
vernier_asha_pruner_class_init (VernierAshaPrunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = vernier_asha_pruner_finalize;
  object_class->get_property = vernier_asha_pruner_get_property;
  object_class->set_property = vernier_asha_pruner_set_property;

  /**
   * VernierAshaPruner:min-resource:
   *
   * The step of the first rung when the early-stopping rate is 0 (r in the
   * ASHA paper). 0 estimates it once a trial has completed: its last step
   * divided by 100, at least 1; no trial is pruned before.
   */
  properties[PROP_MIN_RESOURCE] =
    g_param_spec_int64 ("min-resource", "Minimum resource",
                        "Step of the first rung (steps as the trainer "
                        "reports them); 0: the last step of the first "
                        "completed trial / 100",
                        0, G_MAXINT64, 1, flags);

  /**
   * VernierAshaPruner:reduction-factor:
   *
   * η: each rung is η times as many steps as the previous one, and about
   * 1/η of the trials reaching a rung go on.
   */
  properties[PROP_REDUCTION_FACTOR] =
    g_param_spec_uint ("reduction-factor", "Reduction factor",
                       "Ratio of the steps of successive rungs; the best "
                       "1/reduction-factor of a rung go on",
                       2, 1000000, 4, flags);

  /**
   * VernierAshaPruner:min-early-stopping-rate:
   *
   * s: the first rung is at min-resource × η^s steps.
   */
  properties[PROP_MIN_EARLY_STOPPING_RATE] =
    g_param_spec_uint ("min-early-stopping-rate", "Minimum early-stopping rate",
                       "Rungs skipped at the start: the first rung is at "
                       "min-resource × reduction-factor^rate steps",
                       0, 64, 0, flags);

  /**
   * VernierAshaPruner:bootstrap-count:
   *
   * How many trials complete a rung before any goes on from it: the first
   * ones to reach it stop there and serve as references. Needs an
   * explicit min-resource.
   */
  properties[PROP_BOOTSTRAP_COUNT] =
    g_param_spec_uint ("bootstrap-count", "Bootstrap count",
                       "Trials (count) that must reach a rung before any "
                       "goes on from it; the first ones stop there",
                       0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_asha_pruner_class_finalize (VernierAshaPrunerClass *klass)
{
}

static void
vernier_asha_pruner_init (VernierAshaPruner *self)
{
  self->min_resource = 1;
  self->reduction_factor = 4;
}

static gboolean
asha_plugin_register (GTypeModule  *module,
                      GError      **error)
{
  vernier_asha_pruner_register_type (module);
  vernier_hyperband_pruner_register (module);
  vernier_plugin_provide (module, "asha", VERNIER_TYPE_ASHA_PRUNER);
  vernier_plugin_provide (module, "hyperband", VERNIER_TYPE_HYPERBAND_PRUNER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("asha",
                       "Asynchronous successive halving and Hyperband: prune "
                       "a trial that is not in the best 1/reduction-factor "
                       "at a rung",
                       asha_plugin_register)
