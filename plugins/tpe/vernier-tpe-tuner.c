/* vernier-tpe-tuner.c: Tree-structured Parzen Estimator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include "vernier-tpe-bandwidth.h"
#include "vernier-tpe-parzen.h"
#include "vernier-quadratic-model.h"
#include "vernier-tpe-tuner.h"
#include "vernier-tpe-weights.h"

/**
 * VernierTpeTuner:
 *
 * A Tree-structured Parzen Estimator (TPE) tuner, with the semantics and
 * defaults of Optuna's `TPESampler`, interleaved with local quadratic
 * steps from the best trial (see below; `refine-every=0` for TPE alone).
 *
 * Until [property@VernierTpeTuner:startup-trials] trials have finished
 * (complete or pruned), it samples uniformly at random. Then it splits
 * the finished trials into the good ones, the best
 * ceil([property@VernierTpeTuner:gamma-factor] × n) but at most
 * [property@VernierTpeTuner:gamma-max], and the others; complete trials
 * rank by value, before pruned trials, which rank by the last step they
 * reached (later first), then by their value at that step; failed and
 * timed-out trials are ignored. It fits a Parzen estimator l(x) to the
 * good trials and g(x) to the others, draws
 * [property@VernierTpeTuner:ei-candidates] candidates from l and keeps
 * the one that maximizes l(x) / g(x).
 *
 * Each parameter is modelled on its own (in space order; a conditional
 * parameter only from the trials where it is present), unless
 * [property@VernierTpeTuner:multivariate] is set: the unconditional
 * parameters are then modelled jointly, one product kernel per trial, and
 * the conditional ones on their own. The joint estimators' float
 * bandwidths follow Scott's rule by default (from the spread of the
 * observations, at least [property@VernierTpeTuner:min-bandwidth] of the
 * range), which narrows the search onto the good trials as they gather;
 * `bandwidth=optuna` restores Optuna 3.1's rule.
 *
 * Float parameters are modelled by truncated normal kernels (in log space
 * for a log parameter), stepped floats and integers by the kernels'
 * masses over the cells of their grid (a log integer in log space, then
 * rounded), categorical parameters by weighted counts of the choices
 * smoothed by the prior.
 *
 * Every [property@VernierTpeTuner:refine-every]-th model-based suggestion
 * (by default every second one) is a local step instead of a TPE draw: a
 * linear, diagonal-quadratic or full quadratic model of the loss (the
 * richest the data determine) is fitted by weighted least squares on the
 * completed trials nearest to the best one among those with its
 * categorical values, and the best of 200 points drawn around the best
 * trial by that model is suggested, with the best trial's categorical
 * values; conditional parameters are drawn by TPE. Every other local step
 * starts from the best trial of another categorical context instead, so
 * that one category does not hold the search. `refine-every=0` gives
 * Optuna's TPESampler back.
 *
 * Observations are kept in flat arrays, sorted incrementally as trials
 * finish; the estimators are rebuilt only when the history has changed.
 * The same seed and history give the same suggestions.
 */

typedef struct
{
  VernierDimension *dimension;   /* borrowed from the space */
  VernierTpeDomain  domain;      /* in the internal space */
  gboolean          fixed;       /* one value only: not modelled */
  gboolean          is_int;
  gboolean          log;
  gdouble           low;         /* external bounds and step */
  gdouble           high;
  gdouble           step;
  gdouble           last_index;  /* stepped: the index of the last grid point */
  gboolean          joint;       /* modelled by the joint estimators */
  gboolean          local;       /* unconditional and searched: refined */
  guint             joint_index;

  guint            *sorted;      /* the observations holding it, by value */
  guint             n_present;

  guint             built;       /* history version of the estimators */
  VernierTpeMixture below;
  VernierTpeMixture above;
  gdouble          *cat_score;   /* categorical: log l - log g per choice */
} Dim;

typedef struct
{
  guint             startup_trials;
  guint             ei_candidates;
  gdouble           gamma_factor;
  guint             gamma_max;
  VernierTpeWeights weights;
  gboolean          multivariate;
  VernierTpeOptions estimator;
} Settings;

struct _VernierTpeTuner
{
  GObject parent_instance;

  /* properties */
  guint             startup_trials;
  guint             ei_candidates;
  gdouble           gamma_factor;
  guint             gamma_max;
  gdouble           prior_weight;
  gboolean          consider_prior;
  gboolean          consider_magic_clip;
  gboolean          consider_endpoints;
  VernierTpeWeights weights;
  gboolean          multivariate;
  gboolean          normalized_kernels;
  VernierTpeBandwidth bandwidth;
  gdouble           min_bandwidth;
  guint             refine_every;

  /* state, set by prepare */
  Settings          cfg;
  VernierSpace     *space;
  VernierObjective *objective;
  VernierTpeRng     rng;
  Dim              *dims;
  guint             n_dims;
  VernierTpeDomain *joint_domains;
  guint             n_joint;

  /* the history: observation i holds number[i], its rank keys, and
   * values[i * n_dims + d], NaN where the parameter is absent */
  GHashTable       *seen;        /* trial numbers */
  guint             n_obs;
  guint             cap;
  guint            *number;
  gdouble          *key_step;    /* complete: -∞; pruned: -last step, or 1 */
  gdouble          *key_loss;
  gdouble          *values;
  guint8           *has_joint;   /* holds every jointly modelled parameter */
  guint8           *has_local;   /* holds every refined parameter */
  guint            *by_rank;     /* best first */
  guint            *by_number;
  guint             version;     /* bumped by every new observation */

  /* the split into good (below) and other (above) observations */
  guint             split_version;
  guint             n_below;
  guint8           *below;
  gdouble          *weight_all;  /* weights when a parameter is in every observation */
  gdouble          *weight_dim;  /* weights for a conditional parameter */

  /* scratch, reused */
  gdouble          *set_values[2];
  gdouble          *set_weights[2];
  gdouble          *candidates;
  gdouble          *joint_best;
  guint             candidates_cap;

  guint             joint_built;
  VernierTpeJoint   joint_below;
  VernierTpeJoint   joint_above;

  /* local refinement */
  guint             n_model_suggestions;
  guint             n_local;
  gdouble          *local_best;  /* n_dims: the refined suggestion */
  guint             n_refinements;
  VernierQuadraticModel quadratic;
};

enum {
  PROP_0,
  PROP_STARTUP_TRIALS,
  PROP_EI_CANDIDATES,
  PROP_GAMMA_FACTOR,
  PROP_GAMMA_MAX,
  PROP_PRIOR_WEIGHT,
  PROP_CONSIDER_PRIOR,
  PROP_CONSIDER_MAGIC_CLIP,
  PROP_CONSIDER_ENDPOINTS,
  PROP_WEIGHTS,
  PROP_MULTIVARIATE,
  PROP_NORMALIZED_KERNELS,
  PROP_BANDWIDTH,
  PROP_MIN_BANDWIDTH,
  PROP_REFINE_EVERY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void tuner_iface_init (VernierTunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierTpeTuner, vernier_tpe_tuner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_TUNER,
                                                               tuner_iface_init))

/* ---- state ------------------------------------------------------------- */

static void
reset_state (VernierTpeTuner *self)
{
  for (guint d = 0; d < self->n_dims; d++)
    {
      Dim *dim = &self->dims[d];

      g_free (dim->sorted);
      g_free (dim->cat_score);
      vernier_tpe_mixture_clear (&dim->below);
      vernier_tpe_mixture_clear (&dim->above);
    }
  g_clear_pointer (&self->dims, g_free);
  self->n_dims = 0;
  g_clear_pointer (&self->joint_domains, g_free);
  self->n_joint = 0;
  vernier_tpe_joint_clear (&self->joint_below);
  vernier_tpe_joint_clear (&self->joint_above);
  vernier_quadratic_model_clear (&self->quadratic);
  self->n_model_suggestions = 0;
  self->n_refinements = 0;

  g_clear_object (&self->space);
  g_clear_object (&self->objective);
  g_clear_pointer (&self->rng.rand, g_rand_free);
  self->rng.has_spare = FALSE;
  g_clear_pointer (&self->seen, g_hash_table_unref);

  g_clear_pointer (&self->number, g_free);
  g_clear_pointer (&self->key_step, g_free);
  g_clear_pointer (&self->key_loss, g_free);
  g_clear_pointer (&self->values, g_free);
  g_clear_pointer (&self->has_joint, g_free);
  g_clear_pointer (&self->has_local, g_free);
  g_clear_pointer (&self->local_best, g_free);
  self->n_local = 0;
  g_clear_pointer (&self->by_rank, g_free);
  g_clear_pointer (&self->by_number, g_free);
  g_clear_pointer (&self->below, g_free);
  g_clear_pointer (&self->weight_all, g_free);
  g_clear_pointer (&self->weight_dim, g_free);
  for (guint s = 0; s < 2; s++)
    {
      g_clear_pointer (&self->set_values[s], g_free);
      g_clear_pointer (&self->set_weights[s], g_free);
    }
  g_clear_pointer (&self->candidates, g_free);
  g_clear_pointer (&self->joint_best, g_free);
  self->candidates_cap = 0;

  self->n_obs = 0;
  self->cap = 0;
  self->version = 1;
  self->split_version = 0;
  self->joint_built = 0;
  self->n_below = 0;
}

/* Room for one more observation. */
static void
reserve_observation (VernierTpeTuner *self)
{
  guint cap;
  gsize rows;

  if (self->n_obs < self->cap)
    return;

  cap = MAX (64, 2 * self->cap);
  rows = (gsize) cap * MAX (self->n_dims, 1);
  self->number = g_renew (guint, self->number, cap);
  self->key_step = g_renew (gdouble, self->key_step, cap);
  self->key_loss = g_renew (gdouble, self->key_loss, cap);
  self->values = g_renew (gdouble, self->values, rows);
  self->has_joint = g_renew (guint8, self->has_joint, cap);
  self->has_local = g_renew (guint8, self->has_local, cap);
  self->by_rank = g_renew (guint, self->by_rank, cap);
  self->by_number = g_renew (guint, self->by_number, cap);
  self->below = g_renew (guint8, self->below, cap);
  self->weight_all = g_renew (gdouble, self->weight_all, cap);
  self->weight_dim = g_renew (gdouble, self->weight_dim, cap);
  for (guint s = 0; s < 2; s++)
    {
      self->set_values[s] = g_renew (gdouble, self->set_values[s],
                                     (gsize) cap * MAX (self->n_joint, 1));
      self->set_weights[s] = g_renew (gdouble, self->set_weights[s], cap);
    }
  for (guint d = 0; d < self->n_dims; d++)
    self->dims[d].sorted = g_renew (guint, self->dims[d].sorted, cap);
  self->cap = cap;
}

/* ---- dimensions -------------------------------------------------------- */

static void
dim_init (Dim              *dim,
          VernierDimension *dimension)
{
  VernierDimensionKind kind = vernier_dimension_get_kind (dimension);

  dim->dimension = dimension;
  dim->low = vernier_dimension_get_low (dimension);
  dim->high = vernier_dimension_get_high (dimension);
  dim->log = vernier_dimension_get_log (dimension);

  if (kind == VERNIER_DIMENSION_CATEGORICAL)
    {
      guint n_choices = vernier_dimension_get_n_choices (dimension);

      dim->domain.kind = VERNIER_TPE_CATEGORICAL;
      dim->domain.n_choices = n_choices;
      dim->domain.high = n_choices - 1;
      dim->fixed = n_choices < 2;
      dim->log = FALSE;
      dim->cat_score = g_new0 (gdouble, n_choices);
      return;
    }

  dim->is_int = kind == VERNIER_DIMENSION_INT;
  dim->step = vernier_dimension_get_step (dimension);
  if (vernier_dimension_get_n_points (dimension) == 1)
    {
      dim->fixed = TRUE;
      return;
    }
  if (dim->step > 0)
    dim->last_index = (gdouble) (vernier_dimension_get_n_points (dimension) - 1);

  if (dim->log)
    {
      /* log space; an integer is rounded after exp(), its cells padded
       * by half a step in the linear space */
      dim->domain.kind = VERNIER_TPE_CONTINUOUS;
      dim->domain.low = dim->is_int ? log (dim->low - 0.5 * dim->step) : log (dim->low);
      dim->domain.high = dim->is_int ? log (dim->high + 0.5 * dim->step) : log (dim->high);
    }
  else if (dim->step > 0)
    {
      dim->domain.kind = VERNIER_TPE_DISCRETE;
      dim->domain.low = dim->low;
      dim->domain.high = dim->low + dim->last_index * dim->step;
      dim->domain.step = dim->step;
    }
  else
    {
      dim->domain.kind = VERNIER_TPE_CONTINUOUS;
      dim->domain.low = dim->low;
      dim->domain.high = dim->high;
    }
}

/* Rounds a value of a stepped dimension onto its grid, within bounds. */
static gdouble
dim_on_grid (Dim     *dim,
             gdouble  v)
{
  gdouble index = CLAMP (round ((v - dim->low) / dim->step), 0.0, dim->last_index);

  return CLAMP (dim->low + index * dim->step, dim->low, dim->high);
}

/* The internal value of a parameter of a finished trial, NaN if absent
 * or not a value of the dimension. */
static gdouble
dim_internal (Dim        *dim,
              JsonObject *params)
{
  JsonNode *node;
  gdouble v;

  if (dim->fixed)
    return NAN;
  node = json_object_get_member (params, vernier_dimension_get_name (dim->dimension));
  if (node == NULL)
    return NAN;

  if (dim->domain.kind == VERNIER_TPE_CATEGORICAL)
    {
      JsonArray *choices = vernier_dimension_get_choices (dim->dimension);

      for (guint c = 0; c < dim->domain.n_choices; c++)
        if (json_node_equal (json_array_get_element (choices, c), node))
          return c;
      return NAN;
    }

  if (!vernier_json_node_get_number (node, &v) || !isfinite (v))
    return NAN;
  v = CLAMP (v, dim->low, dim->high);
  if (dim->domain.kind == VERNIER_TPE_DISCRETE)
    return dim_on_grid (dim, v);
  if (dim->is_int)
    return log (dim_on_grid (dim, v));
  return dim->log ? log (v) : v;
}

/* A value drawn in the internal space, made the internal value of the
 * parameter value it stands for (a log integer is rounded). */
static gdouble
dim_snap (Dim     *dim,
          gdouble  x)
{
  if (dim->domain.kind == VERNIER_TPE_CONTINUOUS && dim->is_int)
    return log (dim_on_grid (dim, exp (x)));
  return x;
}

/* The value @x stands for once it is on the dimension's grid (a
 * discrete one's point; a float's own value). */
static gdouble
on_grid (Dim     *dim,
         gdouble  x)
{
  return dim->domain.kind == VERNIER_TPE_DISCRETE ? dim_on_grid (dim, x) : x;
}

static JsonNode *
dim_to_node (Dim     *dim,
             gdouble  x)
{
  gdouble v;

  if (dim->domain.kind == VERNIER_TPE_CATEGORICAL)
    {
      JsonArray *choices = vernier_dimension_get_choices (dim->dimension);

      return json_node_copy (json_array_get_element (choices, (guint) x));
    }

  if (dim->domain.kind == VERNIER_TPE_DISCRETE)
    v = dim_on_grid (dim, x);
  else if (dim->is_int)
    v = dim_on_grid (dim, exp (x));
  else
    v = CLAMP (dim->log ? exp (x) : x, dim->low, dim->high);

  if (dim->is_int)
    return json_node_init_int (json_node_alloc (), (gint64) llround (v));
  return json_node_init_double (json_node_alloc (), v);
}

/* ---- the history ------------------------------------------------------- */

static gboolean
ranks_before (VernierTpeTuner *self,
              guint            a,
              guint            b)
{
  if (self->key_step[a] != self->key_step[b])
    return self->key_step[a] < self->key_step[b];
  if (self->key_loss[a] != self->key_loss[b])
    return self->key_loss[a] < self->key_loss[b];
  return self->number[a] < self->number[b];
}

/* Inserts id into the sorted array order[0..n), after its equals. */
static void
insert_sorted (guint    *order,
               guint     n,
               guint     id,
               gboolean (*before) (VernierTpeTuner *, guint, guint),
               VernierTpeTuner *self)
{
  guint lo = 0, hi = n;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (before (self, id, order[mid]))
        hi = mid;
      else
        lo = mid + 1;
    }
  memmove (order + lo + 1, order + lo, (n - lo) * sizeof (guint));
  order[lo] = id;
}

static gboolean
number_before (VernierTpeTuner *self,
               guint            a,
               guint            b)
{
  return self->number[a] < self->number[b];
}

static void
insert_by_value (VernierTpeTuner *self,
                 Dim             *dim,
                 guint            d,
                 guint            id)
{
  gdouble v = self->values[(gsize) id * self->n_dims + d];
  guint lo = 0, hi = dim->n_present;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (v < self->values[(gsize) dim->sorted[mid] * self->n_dims + d])
        hi = mid;
      else
        lo = mid + 1;
    }
  memmove (dim->sorted + lo + 1, dim->sorted + lo,
           (dim->n_present - lo) * sizeof (guint));
  dim->sorted[lo] = id;
  dim->n_present++;
}

/* Takes a finished trial into the history, as Optuna does: complete
 * trials with their value, pruned ones with their last intermediate
 * value; failed and timed-out trials are left out. */
static void
ingest (VernierTpeTuner *self,
        VernierTrial    *trial)
{
  VernierTrialState state = vernier_trial_get_state (trial);
  guint number = vernier_trial_get_number (trial);
  JsonObject *params = vernier_trial_get_params (trial);
  gdouble key_step, key_loss;
  gboolean has_joint = TRUE, has_local = TRUE;
  guint id;

  if (state == VERNIER_TRIAL_STATE_COMPLETE)
    {
      gdouble value;

      if (!vernier_trial_has_value (trial))
        return;
      value = vernier_trial_get_value (trial);
      if (isnan (value))
        return;
      key_step = -INFINITY;
      key_loss = vernier_objective_to_loss (self->objective, value);
    }
  else if (state == VERNIER_TRIAL_STATE_PRUNED)
    {
      guint n_reports = vernier_trial_get_n_reports (trial);
      gint64 last_step = 0;
      gdouble last_value = 0.0;

      for (guint i = 0; i < n_reports; i++)
        {
          gint64 step;
          gdouble value;

          if (vernier_trial_get_report (trial, i, &step, &value) &&
              (i == 0 || step >= last_step))
            {
              last_step = step;
              last_value = value;
            }
        }
      if (n_reports == 0)
        {
          /* never reported: after every pruned trial that did */
          key_step = 1.0;
          key_loss = 0.0;
        }
      else
        {
          key_step = -(gdouble) last_step;
          key_loss = isnan (last_value)
                     ? INFINITY
                     : vernier_objective_to_loss (self->objective, last_value);
        }
    }
  else
    return;

  if (params == NULL || !g_hash_table_add (self->seen, GUINT_TO_POINTER (number)))
    return;

  reserve_observation (self);
  id = self->n_obs;
  self->number[id] = number;
  self->key_step[id] = key_step;
  self->key_loss[id] = key_loss;
  for (guint d = 0; d < self->n_dims; d++)
    {
      gdouble v = dim_internal (&self->dims[d], params);

      self->values[(gsize) id * self->n_dims + d] = v;
      if (isnan (v) && self->dims[d].joint)
        has_joint = FALSE;
      if (isnan (v) && self->dims[d].local)
        has_local = FALSE;
    }
  self->has_joint[id] = has_joint;
  self->has_local[id] = has_local;

  insert_sorted (self->by_rank, id, id, ranks_before, self);
  insert_sorted (self->by_number, id, id, number_before, self);
  for (guint d = 0; d < self->n_dims; d++)
    if (!isnan (self->values[(gsize) id * self->n_dims + d]))
      insert_by_value (self, &self->dims[d], d, id);

  self->n_obs++;
  self->version++;
}

/* ---- the split and the weights ----------------------------------------- */

static void
update_split (VernierTpeTuner *self)
{
  guint n = self->n_obs, n_below, seen_below = 0, seen_above = 0;

  if (self->split_version == self->version)
    return;

  n_below = (guint) MIN (ceil (self->cfg.gamma_factor * n), (gdouble) self->cfg.gamma_max);
  n_below = MIN (n_below, n);
  memset (self->below, 0, n);
  for (guint i = 0; i < n_below; i++)
    self->below[self->by_rank[i]] = 1;
  self->n_below = n_below;

  /* weights by age within each set, for the parameters every
   * observation holds */
  for (guint i = 0; i < n; i++)
    {
      guint id = self->by_number[i];

      self->weight_all[id] = self->below[id]
        ? vernier_tpe_weights_compute (self->cfg.weights, seen_below++, n_below)
        : vernier_tpe_weights_compute (self->cfg.weights, seen_above++, n - n_below);
    }

  self->split_version = self->version;
}

/* Weights by age within each set of the observations holding d. */
static const gdouble *
dim_weights (VernierTpeTuner *self,
             guint            d)
{
  guint count[2] = { 0, 0 }, seen[2] = { 0, 0 };

  if (self->dims[d].n_present == self->n_obs)
    return self->weight_all;

  for (guint i = 0; i < self->n_obs; i++)
    {
      guint id = self->by_number[i];

      if (!isnan (self->values[(gsize) id * self->n_dims + d]))
        count[self->below[id] ? 0 : 1]++;
    }
  for (guint i = 0; i < self->n_obs; i++)
    {
      guint id = self->by_number[i];
      guint s = self->below[id] ? 0 : 1;

      if (!isnan (self->values[(gsize) id * self->n_dims + d]))
        self->weight_dim[id] = vernier_tpe_weights_compute (self->cfg.weights,
                                                            seen[s]++, count[s]);
    }
  return self->weight_dim;
}

/* ---- estimators -------------------------------------------------------- */

static void
build_dim (VernierTpeTuner *self,
           guint            d)
{
  Dim *dim = &self->dims[d];
  const gdouble *weights;
  VernierTpeOptions options = self->cfg.estimator;
  guint n[2] = { 0, 0 };

  if (dim->built == self->version)
    return;

  weights = dim_weights (self, d);
  for (guint i = 0; i < dim->n_present; i++)
    {
      guint id = dim->sorted[i];
      guint s = self->below[id] ? 0 : 1;

      self->set_values[s][n[s]] = self->values[(gsize) id * self->n_dims + d];
      self->set_weights[s][n[s]] = weights[id];
      n[s]++;
    }

  /* a parameter sampled on its own uses the multivariate bandwidth rule
   * of one dimension when the tuner is multivariate, as Optuna does */
  options.n_dims = 1;
  vernier_tpe_mixture_build (&dim->below, &dim->domain, &options,
                             self->set_values[0], self->set_weights[0], n[0]);
  vernier_tpe_mixture_build (&dim->above, &dim->domain, &options,
                             self->set_values[1], self->set_weights[1], n[1]);

  if (dim->domain.kind == VERNIER_TPE_CATEGORICAL)
    for (guint c = 0; c < dim->domain.n_choices; c++)
      dim->cat_score[c] = vernier_tpe_mixture_log_pdf (&dim->below, &dim->domain, c) -
                          vernier_tpe_mixture_log_pdf (&dim->above, &dim->domain, c);

  dim->built = self->version;
}

static void
build_joint (VernierTpeTuner *self)
{
  VernierTpeOptions options = self->cfg.estimator;
  guint count[2] = { 0, 0 }, seen[2] = { 0, 0 };

  if (self->joint_built == self->version)
    return;

  for (guint i = 0; i < self->n_obs; i++)
    {
      guint id = self->by_number[i];

      if (self->has_joint[id])
        count[self->below[id] ? 0 : 1]++;
    }
  for (guint i = 0; i < self->n_obs; i++)
    {
      guint id = self->by_number[i];
      guint s = self->below[id] ? 0 : 1;
      gdouble *row;

      if (!self->has_joint[id])
        continue;
      row = self->set_values[s] + (gsize) seen[s] * self->n_joint;
      for (guint d = 0; d < self->n_dims; d++)
        if (self->dims[d].joint)
          row[self->dims[d].joint_index] = self->values[(gsize) id * self->n_dims + d];
      self->set_weights[s][seen[s]] = vernier_tpe_weights_compute (self->cfg.weights,
                                                                   seen[s], count[s]);
      seen[s]++;
    }

  options.multivariate = TRUE;
  options.n_dims = self->n_joint;
  /* bandwidths that differ between the two estimators only compare
   * fairly as normalized densities */
  if (options.scott_bandwidth)
    options.normalized_kernels = TRUE;
  vernier_tpe_joint_build (&self->joint_below, self->joint_domains, self->n_joint,
                           &options, self->set_values[0], self->set_weights[0], count[0]);
  vernier_tpe_joint_build (&self->joint_above, self->joint_domains, self->n_joint,
                           &options, self->set_values[1], self->set_weights[1], count[1]);
  self->joint_built = self->version;
}

static void
reserve_candidates (VernierTpeTuner *self)
{
  guint need = self->cfg.ei_candidates * MAX (self->n_joint, 1);

  if (need <= self->candidates_cap)
    return;
  self->candidates = g_renew (gdouble, self->candidates, need);
  self->joint_best = g_renew (gdouble, self->joint_best, MAX (self->n_joint, 1));
  self->candidates_cap = need;
}

/* The candidate of one parameter with the best log l(x) - log g(x). */
static gdouble
sample_dim (VernierTpeTuner *self,
            guint            d)
{
  Dim *dim = &self->dims[d];
  gdouble best = NAN, best_score = -INFINITY;

  build_dim (self, d);

  for (guint i = 0; i < self->cfg.ei_candidates; i++)
    {
      gdouble x = vernier_tpe_mixture_sample (&dim->below, &dim->domain, &self->rng);
      gdouble score;
      gboolean repeated = FALSE;

      if (dim->domain.kind == VERNIER_TPE_CATEGORICAL)
        score = dim->cat_score[(guint) x];
      else
        {
          x = dim_snap (dim, x);
          self->candidates[i] = x;
          /* on a grid, a value drawn again scores the same: the first
           * one drawn would win the tie anyway */
          if (dim->domain.kind == VERNIER_TPE_DISCRETE || dim->is_int)
            for (guint j = 0; j < i && !repeated; j++)
              repeated = self->candidates[j] == x;
          score = repeated
                  ? -INFINITY
                  : vernier_tpe_mixture_log_pdf (&dim->below, &dim->domain, x) -
                    vernier_tpe_mixture_log_pdf (&dim->above, &dim->domain, x);
        }

      if (isnan (score))
        score = -INFINITY;
      if (i == 0 || score > best_score)
        {
          best = x;
          best_score = score;
        }
    }
  return best;
}

/* The jointly modelled parameters' best candidate, into joint_best. */
static void
sample_joint (VernierTpeTuner *self)
{
  gdouble best_score = -INFINITY;

  build_joint (self);

  for (guint i = 0; i < self->cfg.ei_candidates; i++)
    {
      gdouble *x = self->candidates + (gsize) i * self->n_joint;
      gdouble score;

      vernier_tpe_joint_sample (&self->joint_below, self->joint_domains, &self->rng, x);
      for (guint d = 0; d < self->n_dims; d++)
        if (self->dims[d].joint)
          x[self->dims[d].joint_index] = dim_snap (&self->dims[d], x[self->dims[d].joint_index]);

      score = vernier_tpe_joint_log_pdf (&self->joint_below, self->joint_domains, x) -
              vernier_tpe_joint_log_pdf (&self->joint_above, self->joint_domains, x);
      if (isnan (score))
        score = -INFINITY;
      if (i == 0 || score > best_score)
        {
          memcpy (self->joint_best, x, self->n_joint * sizeof (gdouble));
          best_score = score;
        }
    }
}


/* ---- local refinement -------------------------------------------------- */

/* Candidates drawn around the best trial for the local model. */
#define REFINE_CANDIDATES 200

/* The local model is fitted on this many trials per coefficient of a full
 * quadratic (the nearest to the best trial). */
#define REFINE_DATA_FACTOR 1.5

/* Above this many numeric parameters a full quadratic (m(m+3)/2 + 1
 * coefficients) costs too much per suggestion: the model is at most
 * diagonal. */
#define REFINE_FULL_MAX 20

/* The candidates' distance from the best trial, as a fraction of the
 * distance of the farthest trial the model is fitted on (measured: 0.1 to
 * 0.25 are alike, 0.5 refines less, 1.0 loses on hartmann6 and ackley). */
#define REFINE_STEP 0.15

typedef struct
{
  guint   id;
  gdouble distance;
} Neighbour;

static gint
compare_neighbours (gconstpointer a,
                    gconstpointer b)
{
  const Neighbour *s = a, *t = b;

  if (s->distance != t->distance)
    return s->distance < t->distance ? -1 : 1;
  return s->id < t->id ? -1 : s->id > t->id ? 1 : 0;
}

/* Moves the @k nearest of @near[0..n) to its front, in any order
 * (quickselect on distance, then id). */
static void
select_nearest (Neighbour *near,
                guint      n,
                guint      k)
{
  guint lo = 0, hi = n;

  while (hi - lo > 1 && k > lo && k < hi)
    {
      Neighbour pivot = near[lo + (hi - lo - 1) / 2], tmp;
      guint i = lo, j = hi - 1;

      /* Hoare partition around the pivot */
      while (TRUE)
        {
          while (compare_neighbours (&near[i], &pivot) < 0)
            i++;
          while (compare_neighbours (&near[j], &pivot) > 0)
            j--;
          if (i >= j)
            break;
          tmp = near[i];
          near[i] = near[j];
          near[j] = tmp;
          i++;
          j--;
        }
      if (k <= j)
        hi = j + 1;
      else
        lo = j + 1;
    }
}

/* An internal value of @dim as a fraction of its internal range. */
static gdouble
refine_unit (Dim     *dim,
             gdouble  v)
{
  gdouble span = dim->domain.high - dim->domain.low;

  return span > 0 ? (v - dim->domain.low) / span : 0.5;
}

/* A local step: a quadratic fitted on the completed trials nearest to
 * the best one (with its categorical values), in coordinates scaled by
 * their distance, ranks candidates drawn around the best trial; the best
 * of them goes to local_best. With
 * @other_context, the step starts from the best trial whose categorical
 * values differ from the best one's (the best one itself when there is
 * none). FALSE when the trials do not determine even a linear model, and
 * TPE suggests. */
static gboolean
refine_local (VernierTpeTuner *self,
              gboolean         other_context)
{
  guint best_id, m = 0, n_near = 0, n_keep;
  VernierQuadraticModelKind richest;
  g_autofree guint *numeric = g_new (guint, self->n_dims);
  g_autofree Neighbour *near = NULL;
  g_autofree gdouble *points = NULL;
  g_autofree gdouble *losses = NULL;
  g_autofree gdouble *weights = NULL;
  g_autofree gdouble *centre = NULL;
  g_autofree gdouble *z = NULL;
  g_autofree gdouble *x = NULL;
  gdouble radius, best_value = INFINITY;
  gboolean found = FALSE;

  if (self->n_obs == 0)
    return FALSE;
  best_id = self->by_rank[0];
  if (other_context)
    {
      /* the best completed trial whose categorical values differ */
      const gdouble *top = self->values + (gsize) best_id * self->n_dims;

      for (guint r = 1; r < self->n_obs; r++)
        {
          guint id = self->by_rank[r];
          const gdouble *row = self->values + (gsize) id * self->n_dims;
          gboolean differs = FALSE;

          if (!self->has_local[id] || self->key_step[id] != -INFINITY)
            continue;
          for (guint d = 0; d < self->n_dims && !differs; d++)
            differs = self->dims[d].local &&
                      self->dims[d].domain.kind == VERNIER_TPE_CATEGORICAL &&
                      row[d] != top[d];
          if (differs)
            {
              best_id = id;
              break;
            }
        }
    }
  if (self->key_step[best_id] != -INFINITY || !self->has_local[best_id] ||
      !isfinite (self->key_loss[best_id]))
    return FALSE;

  for (guint d = 0; d < self->n_dims; d++)
    if (self->dims[d].local && self->dims[d].domain.kind != VERNIER_TPE_CATEGORICAL)
      numeric[m++] = d;
  if (m == 0)
    return FALSE;

  centre = g_new (gdouble, m);
  for (guint j = 0; j < m; j++)
    centre[j] = refine_unit (&self->dims[numeric[j]],
                             self->values[(gsize) best_id * self->n_dims + numeric[j]]);

  /* completed trials with the best one's categorical values, by distance */
  near = g_new (Neighbour, self->n_obs);
  for (guint id = 0; id < self->n_obs; id++)
    {
      const gdouble *row = self->values + (gsize) id * self->n_dims;
      gboolean same = TRUE;
      gdouble dist = 0;

      if (!self->has_local[id] || self->key_step[id] != -INFINITY ||
          !isfinite (self->key_loss[id]))
        continue;
      for (guint d = 0; d < self->n_dims && same; d++)
        if (self->dims[d].local && self->dims[d].domain.kind == VERNIER_TPE_CATEGORICAL)
          same = row[d] == self->values[(gsize) best_id * self->n_dims + d];
      if (!same)
        continue;
      for (guint j = 0; j < m; j++)
        {
          gdouble delta = refine_unit (&self->dims[numeric[j]], row[numeric[j]]) - centre[j];

          dist += delta * delta;
        }
      near[n_near].id = id;
      near[n_near].distance = sqrt (dist);
      n_near++;
    }
  richest = m <= REFINE_FULL_MAX ? VERNIER_QUADRATIC_MODEL_FULL : VERNIER_QUADRATIC_MODEL_DIAGONAL;
  n_keep = MIN (n_near, (guint) ceil (REFINE_DATA_FACTOR *
                                      vernier_quadratic_model_n_terms (richest, m)));
  select_nearest (near, n_near, n_keep);
  qsort (near, n_keep, sizeof (Neighbour), compare_neighbours);
  if (n_keep < 2)
    return FALSE;
  radius = near[n_keep - 1].distance;
  if (!(radius > 0))
    return FALSE;

  /* the neighbours in coordinates scaled by the radius, weighted by their
   * rank by value among themselves, 1 for the best down to 1/n_keep */
  points = g_new (gdouble, (gsize) n_keep * m);
  losses = g_new (gdouble, n_keep);
  weights = g_new (gdouble, n_keep);
  for (guint k = 0; k < n_keep; k++)
    {
      const gdouble *row = self->values + (gsize) near[k].id * self->n_dims;
      guint better = 0;

      for (guint j = 0; j < m; j++)
        points[(gsize) k * m + j] =
          (refine_unit (&self->dims[numeric[j]], row[numeric[j]]) - centre[j]) / radius;
      losses[k] = self->key_loss[near[k].id];
      for (guint l = 0; l < n_keep; l++)
        better += self->key_loss[near[l].id] < losses[k];
      weights[k] = (gdouble) (n_keep - better) / n_keep;
    }
  if (!vernier_quadratic_model_fit (&self->quadratic, richest, m, points, losses, weights, n_keep))
    return FALSE;

  /* candidates around the best trial, REFINE_STEP of the radius away on
   * average */
  z = g_new (gdouble, m);
  x = g_new (gdouble, m);
  for (guint d = 0; d < self->n_dims; d++)
    if (self->dims[d].local)
      self->local_best[d] = self->values[(gsize) best_id * self->n_dims + d];
  for (guint i = 0; i < REFINE_CANDIDATES; i++)
    {
      gboolean same = TRUE;
      gdouble value;

      for (guint j = 0; j < m; j++)
        {
          Dim *dim = &self->dims[numeric[j]];
          gdouble u = centre[j] + radius * REFINE_STEP / sqrt ((gdouble) m) *
                                  vernier_tpe_rng_normal (&self->rng);

          u = CLAMP (u, 0.0, 1.0);
          x[j] = dim_snap (dim, dim->domain.low + u * (dim->domain.high - dim->domain.low));
          z[j] = (refine_unit (dim, x[j]) - centre[j]) / radius;
          same &= on_grid (dim, x[j]) ==
                  on_grid (dim, self->values[(gsize) best_id * self->n_dims + numeric[j]]);
        }
      /* On a grid (int, step) a step may snap back onto the best trial
       * itself: running it again teaches nothing. */
      if (same)
        continue;
      value = vernier_quadratic_model_predict (&self->quadratic, z);
      if (isfinite (value) && (!found || value < best_value))
        {
          found = TRUE;
          best_value = value;
          for (guint j = 0; j < m; j++)
            self->local_best[numeric[j]] = x[j];
        }
    }
  return found;
}

/* ---- VernierTuner ------------------------------------------------------ */

static gboolean
vernier_tpe_tuner_prepare (VernierTuner    *tuner,
                           VernierContext  *context,
                           GError         **error)
{
  VernierTpeTuner *self = VERNIER_TPE_TUNER (tuner);
  VernierSpace *space = vernier_context_get_space (context);
  guint64 seed = vernier_context_get_seed (context);
  guint32 seed_array[2] = { (guint32) seed, (guint32) (seed >> 32) };
  guint n_dims, n_trials;

  reset_state (self);

  if (vernier_space_is_empty (space))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE,
                   "tpe: the search space has no parameters");
      return FALSE;
    }
  n_dims = vernier_space_get_n_dimensions (space);
  if (n_dims == 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "tpe: the search space is a list of candidates only; tpe "
                   "searches [param NAME] dimensions (use grid or random "
                   "over candidates)");
      return FALSE;
    }
  if (!(self->prior_weight > 0.0))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "tpe: prior-weight must be greater than 0 (it is %g)",
                   self->prior_weight);
      return FALSE;
    }

  vernier_tpe_parzen_init_tables ();

  self->cfg.startup_trials = self->startup_trials;
  self->cfg.ei_candidates = MAX (self->ei_candidates, 1);
  self->cfg.gamma_factor = self->gamma_factor;
  self->cfg.gamma_max = self->gamma_max;
  self->cfg.weights = self->weights;
  self->cfg.multivariate = self->multivariate;
  self->cfg.estimator.consider_prior = self->consider_prior;
  self->cfg.estimator.consider_magic_clip = self->consider_magic_clip;
  self->cfg.estimator.consider_endpoints = self->consider_endpoints;
  self->cfg.estimator.prior_weight = self->prior_weight;
  self->cfg.estimator.multivariate = self->multivariate;
  self->cfg.estimator.n_dims = 1;
  self->cfg.estimator.normalized_kernels = self->normalized_kernels;
  self->cfg.estimator.scott_bandwidth = self->bandwidth == VERNIER_TPE_BANDWIDTH_SCOTT;
  self->cfg.estimator.min_bandwidth = self->min_bandwidth;

  self->space = g_object_ref (space);
  self->objective = g_object_ref (vernier_context_get_objective (context));
  self->rng.rand = g_rand_new_with_seed_array (seed_array, G_N_ELEMENTS (seed_array));
  self->rng.has_spare = FALSE;
  self->seen = g_hash_table_new (g_direct_hash, g_direct_equal);

  self->dims = g_new0 (Dim, n_dims);
  self->n_dims = n_dims;
  for (guint d = 0; d < n_dims; d++)
    {
      Dim *dim = &self->dims[d];

      dim_init (dim, vernier_space_get_dimension (space, d));
      if (self->cfg.multivariate && !dim->fixed &&
          vernier_dimension_get_condition_parent (dim->dimension) == NULL)
        {
          dim->joint = TRUE;
          dim->joint_index = self->n_joint++;
        }
      if (!dim->fixed && vernier_dimension_get_condition_parent (dim->dimension) == NULL)
        {
          dim->local = TRUE;
          self->n_local++;
        }
    }
  if (self->n_joint > 0)
    {
      self->joint_domains = g_new0 (VernierTpeDomain, self->n_joint);
      for (guint d = 0; d < n_dims; d++)
        if (self->dims[d].joint)
          self->joint_domains[self->dims[d].joint_index] = self->dims[d].domain;
    }
  self->local_best = g_new0 (gdouble, n_dims);
  reserve_observation (self);
  reserve_candidates (self);

  /* trials finished before (a resumed study, an earlier tuner of a chain) */
  n_trials = vernier_context_get_n_trials (context);
  for (guint i = 0; i < n_trials; i++)
    ingest (self, vernier_context_get_trial (context, i));

  return TRUE;
}

static JsonObject *
vernier_tpe_tuner_suggest (VernierTuner  *tuner,
                           GError       **error)
{
  VernierTpeTuner *self = VERNIER_TPE_TUNER (tuner);
  g_autoptr(JsonObject) params = NULL;
  gboolean refined = FALSE;

  if (self->space == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                   "tpe: asked for a suggestion without a successful prepare");
      return NULL;
    }

  params = json_object_new ();

  if (self->n_obs < self->cfg.startup_trials)
    {
      for (guint d = 0; d < self->n_dims; d++)
        {
          VernierDimension *dimension = self->dims[d].dimension;
          /* drawn even for an inactive parameter: each parameter always
           * takes the same draws of the sequence */
          gdouble u = g_rand_double (self->rng.rand);

          if (vernier_space_is_active (self->space, dimension, params))
            json_object_set_member (params, vernier_dimension_get_name (dimension),
                                    vernier_dimension_value_from_unit (dimension, u));
        }
      return g_steal_pointer (&params);
    }

  update_split (self);
  if (self->n_local > 0 && self->refine_every > 0 &&
      self->n_model_suggestions++ % self->refine_every == self->refine_every - 1)
    {
      /* every other local step starts from another categorical context,
       * so that one category does not hold the search */
      gboolean other = self->n_refinements++ % 2 == 1;

      refined = refine_local (self, other);
    }
  if (!refined && self->n_joint > 0)
    sample_joint (self);

  for (guint d = 0; d < self->n_dims; d++)
    {
      Dim *dim = &self->dims[d];
      JsonNode *node;

      if (!vernier_space_is_active (self->space, dim->dimension, params))
        continue;
      if (dim->fixed)
        node = vernier_dimension_value_at (dim->dimension, 0, 1);
      else if (refined && dim->local)
        node = dim_to_node (dim, self->local_best[d]);
      else if (dim->joint)
        node = dim_to_node (dim, self->joint_best[dim->joint_index]);
      else
        node = dim_to_node (dim, sample_dim (self, d));
      json_object_set_member (params, vernier_dimension_get_name (dim->dimension), node);
    }

  return g_steal_pointer (&params);
}

static void
vernier_tpe_tuner_observe (VernierTuner *tuner,
                           VernierTrial *trial)
{
  VernierTpeTuner *self = VERNIER_TPE_TUNER (tuner);

  if (self->space != NULL)
    ingest (self, trial);
}

static void
tuner_iface_init (VernierTunerInterface *iface)
{
  iface->prepare = vernier_tpe_tuner_prepare;
  iface->suggest = vernier_tpe_tuner_suggest;
  iface->observe = vernier_tpe_tuner_observe;
}

/* ---- GObject ----------------------------------------------------------- */

static void
vernier_tpe_tuner_finalize (GObject *object)
{
  VernierTpeTuner *self = VERNIER_TPE_TUNER (object);

  reset_state (self);

  G_OBJECT_CLASS (vernier_tpe_tuner_parent_class)->finalize (object);
}

static void
vernier_tpe_tuner_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VernierTpeTuner *self = VERNIER_TPE_TUNER (object);

  switch (prop_id)
    {
    case PROP_STARTUP_TRIALS:
      g_value_set_uint (value, self->startup_trials);
      break;
    case PROP_EI_CANDIDATES:
      g_value_set_uint (value, self->ei_candidates);
      break;
    case PROP_GAMMA_FACTOR:
      g_value_set_double (value, self->gamma_factor);
      break;
    case PROP_GAMMA_MAX:
      g_value_set_uint (value, self->gamma_max);
      break;
    case PROP_PRIOR_WEIGHT:
      g_value_set_double (value, self->prior_weight);
      break;
    case PROP_CONSIDER_PRIOR:
      g_value_set_boolean (value, self->consider_prior);
      break;
    case PROP_CONSIDER_MAGIC_CLIP:
      g_value_set_boolean (value, self->consider_magic_clip);
      break;
    case PROP_CONSIDER_ENDPOINTS:
      g_value_set_boolean (value, self->consider_endpoints);
      break;
    case PROP_WEIGHTS:
      g_value_set_enum (value, self->weights);
      break;
    case PROP_MULTIVARIATE:
      g_value_set_boolean (value, self->multivariate);
      break;
    case PROP_REFINE_EVERY:
      g_value_set_uint (value, self->refine_every);
      break;
    case PROP_NORMALIZED_KERNELS:
      g_value_set_boolean (value, self->normalized_kernels);
      break;
    case PROP_MIN_BANDWIDTH:
      g_value_set_double (value, self->min_bandwidth);
      break;
    case PROP_BANDWIDTH:
      g_value_set_enum (value, self->bandwidth);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_tpe_tuner_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  VernierTpeTuner *self = VERNIER_TPE_TUNER (object);

  switch (prop_id)
    {
    case PROP_STARTUP_TRIALS:
      self->startup_trials = g_value_get_uint (value);
      break;
    case PROP_EI_CANDIDATES:
      self->ei_candidates = g_value_get_uint (value);
      break;
    case PROP_GAMMA_FACTOR:
      self->gamma_factor = g_value_get_double (value);
      break;
    case PROP_GAMMA_MAX:
      self->gamma_max = g_value_get_uint (value);
      break;
    case PROP_PRIOR_WEIGHT:
      self->prior_weight = g_value_get_double (value);
      break;
    case PROP_CONSIDER_PRIOR:
      self->consider_prior = g_value_get_boolean (value);
      break;
    case PROP_CONSIDER_MAGIC_CLIP:
      self->consider_magic_clip = g_value_get_boolean (value);
      break;
    case PROP_CONSIDER_ENDPOINTS:
      self->consider_endpoints = g_value_get_boolean (value);
      break;
    case PROP_WEIGHTS:
      self->weights = g_value_get_enum (value);
      break;
    case PROP_MULTIVARIATE:
      self->multivariate = g_value_get_boolean (value);
      break;
    case PROP_REFINE_EVERY:
      self->refine_every = g_value_get_uint (value);
      break;
    case PROP_NORMALIZED_KERNELS:
      self->normalized_kernels = g_value_get_boolean (value);
      break;
    case PROP_MIN_BANDWIDTH:
      self->min_bandwidth = g_value_get_double (value);
      break;
    case PROP_BANDWIDTH:
      self->bandwidth = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_tpe_tuner_class_init (VernierTpeTunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                            G_PARAM_STATIC_STRINGS;

  object_class->finalize = vernier_tpe_tuner_finalize;
  object_class->get_property = vernier_tpe_tuner_get_property;
  object_class->set_property = vernier_tpe_tuner_set_property;

  /**
   * VernierTpeTuner:startup-trials:
   *
   * How many trials must have finished (complete or pruned) before the
   * model is used; until then the suggestions are uniformly random.
   * Optuna's `n_startup_trials`.
   */
  properties[PROP_STARTUP_TRIALS] =
    g_param_spec_uint ("startup-trials", "Startup trials",
                       "Finished trials (complete or pruned) before the model "
                       "is used; until then suggestions are uniformly random",
                       0, G_MAXUINT, 10, flags);

  /**
   * VernierTpeTuner:ei-candidates:
   *
   * How many candidates are drawn from the good trials' estimator for
   * each parameter (or each joint draw); the one with the best ratio
   * l(x) / g(x) is suggested. Optuna's `n_ei_candidates`.
   */
  properties[PROP_EI_CANDIDATES] =
    g_param_spec_uint ("ei-candidates", "Candidates",
                       "Candidates drawn from the good trials' estimator per "
                       "suggestion; the best likelihood ratio wins",
                       1, 100000, 24, flags);

  /**
   * VernierTpeTuner:gamma-factor:
   *
   * The good trials are the best ceil(gamma-factor × n) of the n finished
   * ones, at most [property@VernierTpeTuner:gamma-max]: Optuna's default
   * `gamma`.
   */
  properties[PROP_GAMMA_FACTOR] =
    g_param_spec_double ("gamma-factor", "Gamma factor",
                         "Fraction of the finished trials taken as good: "
                         "ceil(gamma-factor × n), at most gamma-max",
                         0.0, 1.0, 0.1, flags);

  /**
   * VernierTpeTuner:gamma-max:
   *
   * The most trials taken as good, whatever the number of finished
   * trials.
   */
  properties[PROP_GAMMA_MAX] =
    g_param_spec_uint ("gamma-max", "Gamma maximum",
                       "Most trials taken as good (number of trials)",
                       0, G_MAXUINT, 25, flags);

  /**
   * VernierTpeTuner:prior-weight:
   *
   * The weight of the prior kernel (an observation weighs at most 1), and
   * the smoothing of categorical estimators. Must be greater than 0.
   */
  properties[PROP_PRIOR_WEIGHT] =
    g_param_spec_double ("prior-weight", "Prior weight",
                         "Weight of the prior kernel against an observation's "
                         "(at most 1); must be greater than 0",
                         0.0, 1e9, 1.0, flags);

  /**
   * VernierTpeTuner:consider-prior:
   *
   * Whether each estimator holds a prior kernel centred on the domain,
   * as wide as the domain. Without observations the prior is used anyway.
   */
  properties[PROP_CONSIDER_PRIOR] =
    g_param_spec_boolean ("consider-prior", "Consider prior",
                          "Add a broad prior kernel to each estimator",
                          TRUE, flags);

  /**
   * VernierTpeTuner:consider-magic-clip:
   *
   * Whether kernel bandwidths are bounded from below by the domain's
   * width over the number of kernels plus one (at most 100).
   */
  properties[PROP_CONSIDER_MAGIC_CLIP] =
    g_param_spec_boolean ("consider-magic-clip", "Consider magic clip",
                          "Bound bandwidths from below by width / min(100, "
                          "kernels + 1)",
                          TRUE, flags);

  /**
   * VernierTpeTuner:consider-endpoints:
   *
   * Whether the domain's ends count as neighbours when the bandwidths of
   * the outermost kernels are computed.
   */
  properties[PROP_CONSIDER_ENDPOINTS] =
    g_param_spec_boolean ("consider-endpoints", "Consider endpoints",
                          "Let the domain's ends bound the outermost kernels' "
                          "bandwidths",
                          FALSE, flags);

  /**
   * VernierTpeTuner:weights:
   *
   * How observations are weighed by age: `default` (the 25 most recent
   * of an estimator weigh 1, older ones ramp down to 1/n, as Optuna's
   * `default_weights`) or `uniform`.
   */
  properties[PROP_WEIGHTS] =
    g_param_spec_enum ("weights", "Weights",
                       "Observation weights by age: default (last 25 weigh "
                       "1, older ramp down) or uniform",
                       VERNIER_TYPE_TPE_WEIGHTS, VERNIER_TPE_WEIGHTS_DEFAULT,
                       flags);

  /**
   * VernierTpeTuner:multivariate:
   *
   * Whether the unconditional parameters are modelled jointly (one
   * product kernel per trial) instead of one by one. Conditional
   * parameters are modelled one by one either way.
   */
  properties[PROP_MULTIVARIATE] =
    g_param_spec_boolean ("multivariate", "Multivariate",
                          "Model the unconditional parameters jointly",
                          FALSE, flags);

  /**
   * VernierTpeTuner:normalized-kernels:
   *
   * Whether each float kernel's density is divided by its bandwidth, as
   * in a textbook mixture (and in Optuna releases after 3.1). By default
   * kernels are compared in units of their own bandwidth, as Optuna 3.1
   * does: broad kernels weigh more, which searches better on the
   * benchmark functions.
   */
  properties[PROP_NORMALIZED_KERNELS] =
    g_param_spec_boolean ("normalized-kernels", "Normalized kernels",
                          "Divide each float kernel's density by its bandwidth "
                          "(default: compare kernels in bandwidth units, as "
                          "Optuna 3.1)",
                          FALSE, flags);

  /**
   * VernierTpeTuner:bandwidth:
   *
   * How the joint estimators of a multivariate tuner choose the
   * bandwidths of float parameters: `scott` (from the spread of the
   * observations, so that the search narrows onto the good trials as
   * they gather; kernels are normalized densities) or `optuna`
   * (Optuna 3.1: from their number alone). Without
   * [property@VernierTpeTuner:multivariate] it has no effect.
   */
  properties[PROP_BANDWIDTH] =
    g_param_spec_enum ("bandwidth", "Bandwidth rule",
                       "Multivariate float bandwidths: scott (from the spread "
                       "of the observations) or optuna (Optuna 3.1: from "
                       "their number alone)",
                       VERNIER_TYPE_TPE_BANDWIDTH, VERNIER_TPE_BANDWIDTH_SCOTT,
                       flags);

  /**
   * VernierTpeTuner:min-bandwidth:
   *
   * With `bandwidth=scott`, the smallest bandwidth of a float parameter,
   * as a fraction of its range (of its log range for a log parameter):
   * keeps the search from collapsing onto one point.
   */
  properties[PROP_MIN_BANDWIDTH] =
    g_param_spec_double ("min-bandwidth", "Minimum bandwidth",
                         "With bandwidth=scott: smallest bandwidth of a float "
                         "parameter, as a fraction of its range",
                         0.0, 1.0, 0.05, flags);

  /**
   * VernierTpeTuner:refine-every:
   *
   * Every refine-every-th model-based suggestion is a local step instead
   * of a TPE draw: a quadratic fitted on the trials nearest to the best
   * one ranks points drawn around it (the best trial's categorical values
   * are kept, every other step those of the best trial of another
   * categorical context; conditional parameters are drawn by TPE), with
   * or without [property@VernierTpeTuner:multivariate]. 0 never refines,
   * which gives Optuna's TPESampler back.
   */
  properties[PROP_REFINE_EVERY] =
    g_param_spec_uint ("refine-every", "Refine every",
                       "Every Nth model-based suggestion is a local quadratic "
                       "step from the best trial (0: never, as Optuna)",
                       0, G_MAXUINT, 2, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_tpe_tuner_class_finalize (VernierTpeTunerClass *klass)
{
}

static void
vernier_tpe_tuner_init (VernierTpeTuner *self)
{
  self->startup_trials = 10;
  self->ei_candidates = 24;
  self->gamma_factor = 0.1;
  self->gamma_max = 25;
  self->prior_weight = 1.0;
  self->consider_prior = TRUE;
  self->consider_magic_clip = TRUE;
  self->consider_endpoints = FALSE;
  self->weights = VERNIER_TPE_WEIGHTS_DEFAULT;
  self->multivariate = FALSE;
  self->min_bandwidth = 0.05;
  self->bandwidth = VERNIER_TPE_BANDWIDTH_SCOTT;
  self->refine_every = 2;
  self->version = 1;
}

static gboolean
tpe_plugin_register (GTypeModule  *module,
                     GError      **error)
{
  vernier_tpe_weights_register_type (module);
  vernier_tpe_bandwidth_register_type (module);
  vernier_tpe_tuner_register_type (module);
  vernier_plugin_provide (module, "tpe", VERNIER_TYPE_TPE_TUNER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("tpe",
                       "Tree-structured Parzen Estimator: model-based search "
                       "after random startup trials",
                       tpe_plugin_register)
