/* vernier-hyperband-pruner.c: Hyperband, brackets of successive halving
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-asha-rungs.h"
#include "vernier-hyperband-pruner.h"

/**
 * VernierHyperbandPruner:
 *
 * A pruner that runs Hyperband as Optuna's `HyperbandPruner` does: several
 * asynchronous successive halvings (brackets) side by side, bracket b
 * being the [type@VernierAshaPruner] with early-stopping rate b. With r
 * the [property@VernierHyperbandPruner:min-resource], R the
 * [property@VernierHyperbandPruner:max-resource] and η the
 * [property@VernierHyperbandPruner:reduction-factor], there are
 * ⌊log_η(R/r)⌋ + 1 brackets. Bracket b (of n) is given a share of the
 * trials proportional to ⌈n·η^s/(s+1)⌉ with s = n − 1 − b: the aggressive
 * brackets get the most trials.
 *
 * A trial's bracket follows from the CRC-32 of `STUDY_NAME` `_` `NUMBER`
 * (as Optuna computes it, so a study of the same name splits its trials
 * alike): the same study name gives the same brackets, run after run. A
 * trial competes only with the trials of its own bracket, and the pruner
 * records its bracket in the trial's user attribute `hyperband-bracket`.
 *
 * With max-resource 0, R is the last step of the first completed trial,
 * and no trial is pruned before one has completed.
 */
struct _VernierHyperbandPruner
{
  GObject parent_instance;

  /* properties */
  gint64 min_resource;
  gint64 max_resource;          /* 0: the first completed trial's */
  guint reduction_factor;
  guint bootstrap_count;

  /* state, set by prepare */
  VernierContext *context;
  GPtrArray *brackets;          /* of VernierAshaRungs; NULL until R is known */
  guint64 *budgets;             /* each bracket's share of the trials */
  guint64 total_budget;
  guint n_scanned;              /* history trials read to find R */
  guint n_indexed;              /* history trials recorded in the brackets */
  GHashTable *tracks;           /* trial number → Track */
};

/* A trial the pruner judged while it ran. */
typedef struct
{
  guint bracket;
  VernierAshaProgress progress;
} Track;

enum {
  PROP_0,
  PROP_MIN_RESOURCE,
  PROP_MAX_RESOURCE,
  PROP_REDUCTION_FACTOR,
  PROP_BOOTSTRAP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pruner_iface_init (VernierPrunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierHyperbandPruner, vernier_hyperband_pruner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_PRUNER,
                                                               pruner_iface_init))

/* CRC-32 (IEEE 802.3, reflected, as zlib computes it) of @text. */
static guint32
crc32_of (const gchar *text)
{
  guint32 crc = 0xffffffffu;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      crc ^= *p;
      for (guint bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  return crc ^ 0xffffffffu;
}

static void
reset_state (VernierHyperbandPruner *self)
{
  g_clear_object (&self->context);
  g_clear_pointer (&self->brackets, g_ptr_array_unref);
  g_clear_pointer (&self->budgets, g_free);
  g_clear_pointer (&self->tracks, g_hash_table_unref);
  self->total_budget = 0;
  self->n_scanned = 0;
  self->n_indexed = 0;
}

/* Sets up the brackets for max resource @max_resource. */
static void
create_brackets (VernierHyperbandPruner *self,
                 gint64                  max_resource)
{
  guint64 eta = self->reduction_factor;
  guint n_brackets = 1;

  /* ⌊log_η(R/r)⌋ + 1 in integers: how many of r, r·η, r·η²… are ≤ R */
  for (gint64 r = self->min_resource; r <= max_resource / (gint64) eta; r *= (gint64) eta)
    n_brackets++;

  self->brackets = g_ptr_array_new_with_free_func ((GDestroyNotify) vernier_asha_rungs_free);
  self->budgets = g_new0 (guint64, n_brackets);
  self->total_budget = 0;

  for (guint b = 0; b < n_brackets; b++)
    {
      guint s = n_brackets - 1 - b;
      guint64 power = 1;

      /* ⌈n·η^s/(s+1)⌉, capped far above any realistic share */
      for (guint i = 0; i < s && power <= G_MAXUINT32; i++)
        power *= eta;
      power = MIN (power, G_MAXUINT32);
      self->budgets[b] = (n_brackets * power + s) / (s + 1);
      self->total_budget += self->budgets[b];

      g_ptr_array_add (self->brackets,
                       vernier_asha_rungs_new (self->min_resource, self->reduction_factor,
                                               b, self->bootstrap_count));
    }

  g_debug ("hyperband: %u brackets for steps %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
           n_brackets, self->min_resource, max_resource);
}

static gboolean
vernier_hyperband_pruner_prepare (VernierPruner   *pruner,
                                  VernierContext  *context,
                                  GError         **error)
{
  VernierHyperbandPruner *self = VERNIER_HYPERBAND_PRUNER (pruner);

  reset_state (self);

  if (self->max_resource > 0 && self->max_resource < self->min_resource)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "hyperband: max-resource (%" G_GINT64_FORMAT ") is below "
                   "min-resource (%" G_GINT64_FORMAT ")",
                   self->max_resource, self->min_resource);
      return FALSE;
    }
  if (self->max_resource == 0 && self->bootstrap_count > 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "hyperband: bootstrap-count=%u needs an explicit "
                   "max-resource (max-resource=0 takes it from the first "
                   "completed trial)", self->bootstrap_count);
      return FALSE;
    }

  self->context = g_object_ref (context);
  self->tracks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  if (self->max_resource > 0)
    create_brackets (self, self->max_resource);
  return TRUE;
}

/* With max-resource=0, R is the largest last step of the completed trials
 * once one has completed. Reads each history trial once. */
static gboolean
ensure_brackets (VernierHyperbandPruner *self)
{
  gboolean any = FALSE;
  gint64 max_step = 0;
  guint n;

  if (self->brackets != NULL)
    return TRUE;

  n = vernier_context_get_n_trials (self->context);
  for (; self->n_scanned < n; self->n_scanned++)
    {
      VernierTrial *trial = vernier_context_get_trial (self->context, self->n_scanned);
      gint64 step;

      if (vernier_trial_get_state (trial) == VERNIER_TRIAL_STATE_COMPLETE &&
          vernier_trial_get_last_report (trial, &step, NULL))
        {
          max_step = any ? MAX (max_step, step) : step;
          any = TRUE;
        }
    }
  if (!any)
    return FALSE;

  create_brackets (self, MAX (max_step, self->min_resource));
  return TRUE;
}

static guint
bracket_of (VernierHyperbandPruner *self,
            guint                   number)
{
  g_autofree gchar *key = g_strdup_printf ("%s_%u",
                                           vernier_context_get_study_name (self->context),
                                           number);
  guint64 n = crc32_of (key) % self->total_budget;

  for (guint b = 0; b < self->brackets->len; b++)
    {
      if (n < self->budgets[b])
        return b;
      n -= self->budgets[b];
    }
  return self->brackets->len - 1;
}

/* Records in their brackets what the trials finished since the last call
 * reached and had not been recorded yet. */
static void
index_history (VernierHyperbandPruner *self)
{
  VernierObjective *objective = vernier_context_get_objective (self->context);
  guint n = vernier_context_get_n_trials (self->context);

  for (; self->n_indexed < n; self->n_indexed++)
    {
      VernierTrial *trial = vernier_context_get_trial (self->context, self->n_indexed);
      guint number = vernier_trial_get_number (trial);
      Track *track = g_hash_table_lookup (self->tracks, GUINT_TO_POINTER (number));
      Track unseen = { 0, { 0, FALSE } };

      if (track == NULL)
        {
          unseen.bracket = bracket_of (self, number);
          track = &unseen;
        }
      vernier_asha_rungs_replay (g_ptr_array_index (self->brackets, track->bracket),
                                 &track->progress, trial, objective);
      g_hash_table_remove (self->tracks, GUINT_TO_POINTER (number));
    }
}

static gboolean
vernier_hyperband_pruner_should_prune (VernierPruner *pruner,
                                       VernierTrial  *trial)
{
  VernierHyperbandPruner *self = VERNIER_HYPERBAND_PRUNER (pruner);
  guint number = vernier_trial_get_number (trial);
  VernierObjective *objective;
  Track *track;
  gint64 step;
  gdouble value;

  if (self->context == NULL ||
      !vernier_trial_get_last_report (trial, &step, &value) ||
      !ensure_brackets (self))
    return FALSE;

  index_history (self);

  track = g_hash_table_lookup (self->tracks, GUINT_TO_POINTER (number));
  if (track == NULL)
    {
      track = g_new0 (Track, 1);
      track->bracket = bracket_of (self, number);
      g_hash_table_insert (self->tracks, GUINT_TO_POINTER (number), track);
      vernier_trial_set_user_attr (trial, "hyperband-bracket",
                                   json_node_init_int (json_node_alloc (), track->bracket));
    }

  objective = vernier_context_get_objective (self->context);
  return vernier_asha_rungs_judge (g_ptr_array_index (self->brackets, track->bracket),
                                   &track->progress, step,
                                   vernier_objective_to_loss (objective, value));
}

static void
pruner_iface_init (VernierPrunerInterface *iface)
{
  iface->prepare = vernier_hyperband_pruner_prepare;
  iface->should_prune = vernier_hyperband_pruner_should_prune;
}

static void
vernier_hyperband_pruner_finalize (GObject *object)
{
  VernierHyperbandPruner *self = VERNIER_HYPERBAND_PRUNER (object);

  reset_state (self);

  G_OBJECT_CLASS (vernier_hyperband_pruner_parent_class)->finalize (object);
}

static void
vernier_hyperband_pruner_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  VernierHyperbandPruner *self = VERNIER_HYPERBAND_PRUNER (object);

  switch (prop_id)
    {
    case PROP_MIN_RESOURCE:
      g_value_set_int64 (value, self->min_resource);
      break;
    case PROP_MAX_RESOURCE:
      g_value_set_int64 (value, self->max_resource);
      break;
    case PROP_REDUCTION_FACTOR:
      g_value_set_uint (value, self->reduction_factor);
      break;
    case PROP_BOOTSTRAP_COUNT:
      g_value_set_uint (value, self->bootstrap_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_hyperband_pruner_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  VernierHyperbandPruner *self = VERNIER_HYPERBAND_PRUNER (object);

  switch (prop_id)
    {
    case PROP_MIN_RESOURCE:
      self->min_resource = g_value_get_int64 (value);
      break;
    case PROP_MAX_RESOURCE:
      self->max_resource = g_value_get_int64 (value);
      break;
    case PROP_REDUCTION_FACTOR:
      self->reduction_factor = g_value_get_uint (value);
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
vernier_hyperband_pruner_class_init (VernierHyperbandPrunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = vernier_hyperband_pruner_finalize;
  object_class->get_property = vernier_hyperband_pruner_get_property;
  object_class->set_property = vernier_hyperband_pruner_set_property;

  /**
   * VernierHyperbandPruner:min-resource:
   *
   * r: the step of the first rung of the most aggressive bracket.
   */
  properties[PROP_MIN_RESOURCE] =
    g_param_spec_int64 ("min-resource", "Minimum resource",
                        "Step of the first rung of the most aggressive "
                        "bracket (steps as the trainer reports them)",
                        1, G_MAXINT64, 1, flags);

  /**
   * VernierHyperbandPruner:max-resource:
   *
   * R: the last step of a trial run to the end, which sets the number of
   * brackets; 0 takes the last step of the first completed trial.
   */
  properties[PROP_MAX_RESOURCE] =
    g_param_spec_int64 ("max-resource", "Maximum resource",
                        "Last step of a full trial, which sets the number "
                        "of brackets; 0: the first completed trial's",
                        0, G_MAXINT64, 0, flags);

  /**
   * VernierHyperbandPruner:reduction-factor:
   *
   * η: the ratio of the steps of successive rungs; about 1/η of the
   * trials of a bracket reaching a rung go on.
   */
  properties[PROP_REDUCTION_FACTOR] =
    g_param_spec_uint ("reduction-factor", "Reduction factor",
                       "Ratio of the steps of successive rungs; the best "
                       "1/reduction-factor of a rung go on",
                       2, 1000000, 3, flags);

  /**
   * VernierHyperbandPruner:bootstrap-count:
   *
   * How many trials of a bracket complete a rung before any goes on from
   * it (the first ones stop there). Needs an explicit max-resource.
   */
  properties[PROP_BOOTSTRAP_COUNT] =
    g_param_spec_uint ("bootstrap-count", "Bootstrap count",
                       "Trials (count) of a bracket that must reach a rung "
                       "before any goes on from it; the first ones stop "
                       "there",
                       0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_hyperband_pruner_class_finalize (VernierHyperbandPrunerClass *klass)
{
}

static void
vernier_hyperband_pruner_init (VernierHyperbandPruner *self)
{
  self->min_resource = 1;
  self->reduction_factor = 3;
}

/**
 * vernier_hyperband_pruner_register:
 * @module: the plugin's type module
 *
 * Registers #VernierHyperbandPruner with @module.
 */
void
vernier_hyperband_pruner_register (GTypeModule *module)
{
  vernier_hyperband_pruner_register_type (module);
}
