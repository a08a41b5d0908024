/* vernier-tpe-parzen.h: the Parzen estimators of the tpe tuner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VernierTpeKind:
 * @VERNIER_TPE_CONTINUOUS: kernels are normal densities truncated to
 *   the domain
 * @VERNIER_TPE_DISCRETE: values lie on a grid; a kernel gives each grid
 *   point the mass of its truncated normal over the point's cell
 * @VERNIER_TPE_CATEGORICAL: values are choice indices; a kernel favours
 *   its observed choice
 *
 * How a dimension is modelled, in the tuner's internal space (log space
 * for a log dimension).
 */
typedef enum {
  VERNIER_TPE_CONTINUOUS,
  VERNIER_TPE_DISCRETE,
  VERNIER_TPE_CATEGORICAL,
} VernierTpeKind;

/**
 * VernierTpeDomain:
 * @kind: how the dimension is modelled
 * @low: the smallest value (the first grid point of a discrete domain)
 * @high: the largest value (the last grid point of a discrete domain)
 * @step: the grid step of a discrete domain, 0 otherwise
 * @n_choices: the number of choices of a categorical domain
 *
 * One dimension as the estimators see it. A discrete domain's kernels are
 * truncated to [@low - @step/2, @high + @step/2].
 */
typedef struct {
  VernierTpeKind kind;
  gdouble        low;
  gdouble        high;
  gdouble        step;
  guint          n_choices;
} VernierTpeDomain;

/**
 * VernierTpeOptions:
 * @consider_prior: add a broad prior kernel to each estimator
 * @consider_magic_clip: bound bandwidths from below by the domain's width
 *   over the number of kernels (at most 100)
 * @consider_endpoints: let the domain's ends bound the outermost kernels'
 *   bandwidths
 * @prior_weight: the prior kernel's weight, and the smoothing of the
 *   categorical kernels
 * @multivariate: use the multivariate bandwidth rule (a power of the
 *   number of observations) instead of the distances between neighbours
 * @n_dims: the number of dimensions modelled jointly, for that rule
 * @normalized_kernels: divide each continuous kernel's density by its
 *   bandwidth (a normalized mixture); without, kernels are compared in
 *   units of their own bandwidth, which favours the broad ones
 * @scott_bandwidth: joint estimators only: each dimension's bandwidth by
 *   Scott's rule from the weighted spread of the observations, instead
 *   of from their number alone
 * @min_bandwidth: with @scott_bandwidth, the smallest bandwidth as a
 *   fraction of the domain's width (instead of the magic clip)
 *
 * What shapes an estimator.
 */
typedef struct {
  gboolean consider_prior;
  gboolean consider_magic_clip;
  gboolean consider_endpoints;
  gdouble  prior_weight;
  gboolean multivariate;
  guint    n_dims;
  gboolean normalized_kernels;
  gboolean scott_bandwidth;
  gdouble  min_bandwidth;
} VernierTpeOptions;

/**
 * VernierTpeRng:
 * @rand: the generator all the draws come from
 * @has_spare: whether @spare holds a normal deviate not used yet
 * @spare: the second deviate of the last Box-Muller pair
 *
 * The tuner's random source.
 */
typedef struct {
  GRand    *rand;
  gboolean  has_spare;
  gdouble   spare;
} VernierTpeRng;

/**
 * VernierTpeMixture:
 *
 * A one-dimensional Parzen estimator: a weighted mixture of kernels, one
 * per observation plus the prior. Rebuilt in place, its arrays reused.
 */
typedef struct {
  /*< private >*/
  guint    n;           /* kernels (categorical: choices) */
  guint    n_sorted;    /* kernels in increasing centre order (the prior, if any, follows) */
  guint    cap;
  gdouble *block;       /* one allocation holding the arrays below */
  gdouble *mu;          /* centres (categorical: unused) */
  gdouble *inv;         /* 1 / bandwidth */
  gdouble *coef;        /* continuous: w / (σ √(2π) Z); discrete: w / Z; categorical: probability */
  gdouble *cum;         /* cumulative weights (probabilities), for sampling */
  gdouble *block_lo;    /* per group of kernels: the first centre ... */
  gdouble *block_hi;    /* ... the last centre ... */
  gdouble *block_sigma; /* ... and the largest bandwidth */
  guint    n_blocks;
  gdouble  cut;         /* kernels farther than cut bandwidths are negligible */
} VernierTpeMixture;

/**
 * VernierTpeJoint:
 *
 * A multivariate Parzen estimator: one product kernel per observation
 * over all the jointly modelled dimensions, plus the prior.
 */
typedef struct {
  /*< private >*/
  guint    n_dims;
  guint    n;           /* kernels */
  guint    cap;
  gboolean has_prior;   /* the last kernel is the prior */
  gboolean all_continuous;
  gdouble *mu;          /* centres of the observation kernels, dimension d
                           of kernel k at [d × cap + k] (categorical: the
                           choice index) */
  gdouble *logw;        /* observation kernels: log weight minus the log
                           normalizers; padding kernels -∞ */
  gdouble  prior_logw;
  gdouble *cum;         /* n: cumulative weights, the prior last */
  gdouble *dim_block;   /* one allocation holding the per-dimension arrays below */
  gdouble *sigma;       /* observation kernels' bandwidth */
  gdouble *inv;
  gdouble *prior_mu;
  gdouble *prior_sigma;
  gdouble *prior_inv;
  gdouble *log_peak;    /* categorical: log probability of the observed choice */
  gdouble *log_base;    /* categorical: log probability of any other choice */
  gdouble *peak_mass;   /* categorical sampling: the extra mass of the observed choice */
  gdouble *base_mass;   /* categorical sampling: the mass of each choice */
} VernierTpeJoint;

G_GNUC_INTERNAL
void     vernier_tpe_parzen_init_tables (void);

G_GNUC_INTERNAL
gdouble  vernier_tpe_rng_normal         (VernierTpeRng            *rng);

G_GNUC_INTERNAL
void     vernier_tpe_mixture_clear      (VernierTpeMixture        *mixture);
G_GNUC_INTERNAL
void     vernier_tpe_mixture_build      (VernierTpeMixture        *mixture,
                                         const VernierTpeDomain   *domain,
                                         const VernierTpeOptions  *options,
                                         const gdouble            *values,
                                         const gdouble            *weights,
                                         guint                     n);
G_GNUC_INTERNAL
gdouble  vernier_tpe_mixture_sample     (const VernierTpeMixture  *mixture,
                                         const VernierTpeDomain   *domain,
                                         VernierTpeRng            *rng);
G_GNUC_INTERNAL
gdouble  vernier_tpe_mixture_log_pdf    (const VernierTpeMixture  *mixture,
                                         const VernierTpeDomain   *domain,
                                         gdouble                   x);

G_GNUC_INTERNAL
void     vernier_tpe_joint_clear        (VernierTpeJoint          *joint);
G_GNUC_INTERNAL
void     vernier_tpe_joint_build        (VernierTpeJoint          *joint,
                                         const VernierTpeDomain   *domains,
                                         guint                     n_dims,
                                         const VernierTpeOptions  *options,
                                         const gdouble            *rows,
                                         const gdouble            *weights,
                                         guint                     n);
G_GNUC_INTERNAL
void     vernier_tpe_joint_sample       (const VernierTpeJoint    *joint,
                                         const VernierTpeDomain   *domains,
                                         VernierTpeRng            *rng,
                                         gdouble                  *out);
G_GNUC_INTERNAL
gdouble  vernier_tpe_joint_log_pdf      (const VernierTpeJoint    *joint,
                                         const VernierTpeDomain   *domains,
                                         const gdouble            *x);

G_END_DECLS
