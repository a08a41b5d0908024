/* vernier-tpe-parzen.c: the Parzen estimators of the tpe tuner
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include "vernier-tpe-parzen.h"

/*
 * An estimator is a weighted mixture of kernels: one per observation
 * (weights from the tuner) and, unless disabled, a prior kernel centred
 * on the domain with the domain's width as bandwidth. Numeric kernels are
 * normal densities truncated to the domain (a discrete domain's kernels
 * give each grid point the mass of its cell); a categorical kernel puts
 * a unit of mass on its observed choice plus prior_weight / n_kernels on
 * every choice, normalized. Unless normalized_kernels is set, a
 * continuous kernel's density is taken in units of its own bandwidth
 * (not divided by it): the tuner only compares two estimators built the
 * same way, and broad kernels then weigh more.
 *
 * Bandwidths: univariate, the larger distance to a neighbouring centre
 * (the prior's centre counts as one, the domain's ends bound the outermost
 * only with consider_endpoints); multivariate, 0.2 × n^(-1/(d+4)) × width.
 * Both are clipped to [width / min(100, n_kernels + 1), width] with the
 * magic clip, to [1e-12, width] without. A joint estimator with
 * scott_bandwidth instead gives each continuous dimension Scott's rule,
 * 1.059 × the observations' weighted standard deviation × n^(-1/(d+4)),
 * clipped to [min_bandwidth × width, width].
 *
 * Evaluation cost is what matters: the tuner scores every candidate
 * against the estimator of the trials that were not good, which holds
 * nearly every observation. Kernels are kept in increasing order of their
 * centres, in groups of VERNIER_TPE_BLOCK; a group whose nearest centre is
 * farther from the point than `cut` times its largest bandwidth is
 * skipped. `cut` is chosen so that all the skipped kernels together weigh
 * less than NEGLIGIBLE times the least density the prior kernel alone
 * gives anywhere in the domain.
 */

#define LOG_SQRT_2PI 0.91893853320467274178
#define INV_SQRT_2PI 0.39894228040143267794

#define MIN_SIGMA 1e-12
#define MAGIC_CLIP_MAX_KERNELS 100.0
#define MULTIVARIATE_SIGMA0 0.2
/* Scott's rule: 1.059 σ n^(-1/(d+4)) */
#define SCOTT_FACTOR 1.059
#define VERNIER_TPE_BLOCK 16
#define NEGLIGIBLE 1e-14
/* -log(1e-17): below e^-40 times the prior kernel, a kernel of a joint
 * estimator is left out. */
#define NEGLIGIBLE_LOG 40.0
/* Observation kernels of a joint estimator are evaluated this many at a
 * time. */
#define JOINT_BLOCK 16
/* Below this ratio of the grid step to a kernel's bandwidth, a cell's
 * mass is its width times the density at its centre (with the second
 * order term): more accurate than a difference of two CDF values. */
#define NARROW_CELL 1e-3
/* Densities below this are recomputed in log space. */
#define TINY_DENSITY 1e-250

/* ---- the normal CDF ----------------------------------------------------
 *
 * Φ is read from a table of its Taylor expansions around nodes 1/32
 * apart on [-9, 9]: Φ(z0 + d) = Φ(z0) + φ(z0) Σ (-1)^(n-1) He_{n-1}(z0)
 * d^n / n!, seven terms, |d| ≤ 1/64: the error is below 1e-17. Outside
 * [-9, 9], Φ is taken as 0 or 1 (Φ(-9) ≈ 1e-19).
 */

#define NCDF_ZMAX 9
#define NCDF_PER_UNIT 32
#define NCDF_NODES (2 * NCDF_ZMAX * NCDF_PER_UNIT + 1)
#define NCDF_TERMS 8

static gdouble ncdf_table[NCDF_NODES][NCDF_TERMS];

/* 2^(j/32), j = 0..31, for exp_nonpositive() */
#define EXP_TABLE_BITS 5
#define EXP_TABLE_SIZE (1 << EXP_TABLE_BITS)

static gdouble exp_table[EXP_TABLE_SIZE];

/**
 * vernier_tpe_parzen_init_tables:
 *
 * Fills the tables of the normal distribution function and of the
 * exponential the estimators read.
 * Call it once before building an estimator; later calls do nothing.
 */
void
vernier_tpe_parzen_init_tables (void)
{
  static gsize initialized = 0;

  if (!g_once_init_enter (&initialized))
    return;

  for (guint i = 0; i < NCDF_NODES; i++)
    {
      gdouble z = -NCDF_ZMAX + (gdouble) i / NCDF_PER_UNIT;
      gdouble phi = INV_SQRT_2PI * exp (-0.5 * z * z);
      gdouble he[NCDF_TERMS];
      gdouble factorial = 1.0;

      /* probabilists' Hermite polynomials: He_{k+1} = z He_k - k He_{k-1} */
      he[0] = 1.0;
      he[1] = z;
      for (guint k = 1; k + 1 < NCDF_TERMS; k++)
        he[k + 1] = z * he[k] - k * he[k - 1];

      ncdf_table[i][0] = 0.5 * erfc (-z / G_SQRT2);
      for (guint n = 1; n < NCDF_TERMS; n++)
        {
          factorial *= n;
          ncdf_table[i][n] = ((n - 1) % 2 == 0 ? 1.0 : -1.0) * phi * he[n - 1] / factorial;
        }
    }

  for (guint j = 0; j < EXP_TABLE_SIZE; j++)
    exp_table[j] = exp2 ((gdouble) j / EXP_TABLE_SIZE);

  g_once_init_leave (&initialized, 1);
}

static inline gdouble
ncdf (gdouble z)
{
  const gdouble *c;
  gdouble t, d;
  gint i;

  if (!(z > -NCDF_ZMAX))
    return 0.0;
  if (z >= NCDF_ZMAX)
    return 1.0;

  t = (z + NCDF_ZMAX) * NCDF_PER_UNIT;
  i = (gint) (t + 0.5);
  d = (t - i) / NCDF_PER_UNIT;
  c = ncdf_table[i];
  return c[0] + d * (c[1] + d * (c[2] + d * (c[3] + d * (c[4] + d * (c[5] +
         d * (c[6] + d * c[7]))))));
}

/* e^x for x <= 0, 0 below -708: x = (32 m + j) ln 2 / 32 + r with
 * |r| <= ln 2 / 64 (the constant split in two for an exact product),
 * e^x = 2^m × 2^(j/32) × e^r, the middle factor from a table, e^r by its
 * Taylor polynomial of degree 6 (relative error about 1e-16), 2^m built
 * in the exponent bits. Cheaper than libm's exp(), which also checks for
 * the overflow and the errno it can never meet here. */
static inline gdouble
exp_nonpositive (gdouble x)
{
  const gdouble round_magic = 6755399441055744.0;   /* 1.5 × 2^52 */
  union { gdouble d; guint64 u; gint64 i; } t, scale;
  gdouble n, r, p;
  gint64 k;

  if (!(x > -708.0))
    return 0.0;

  t.d = x * (EXP_TABLE_SIZE / G_LN2) + round_magic;
  n = t.d - round_magic;
  k = t.i - ((gint64) 0x4338 << 48);   /* n as an integer */
  r = (x - n * (6.93147180369123816490e-01 / EXP_TABLE_SIZE)) -
      n * (1.90821492927058770002e-10 / EXP_TABLE_SIZE);
  p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 +
      r * (1.0 / 720))))));
  scale.u = (guint64) ((k >> EXP_TABLE_BITS) + 1023) << 52;
  return p * exp_table[k & (EXP_TABLE_SIZE - 1)] * scale.d;
}

/* The standard normal mass of [a, b], a <= b, read on the side of the
 * smaller tail. */
static inline gdouble
normal_mass (gdouble a,
             gdouble b)
{
  gdouble mass;

  if (a >= 0.0)
    mass = ncdf (-a) - ncdf (-b);
  else if (b <= 0.0)
    mass = ncdf (b) - ncdf (a);
  else
    mass = 1.0 - ncdf (a) - ncdf (-b);
  return MAX (mass, 0.0);
}

/* log Φ(z), accurate far into the lower tail. */
static gdouble
log_ncdf_exact (gdouble z)
{
  gdouble z2;

  if (z > 5.0)
    return log1p (-0.5 * erfc (z / G_SQRT2));
  if (z > -30.0)
    return log (0.5 * erfc (-z / G_SQRT2));
  /* the asymptotic expansion of the Mills ratio */
  z2 = z * z;
  return -0.5 * z2 - LOG_SQRT_2PI - log (-z) +
         log1p (-1.0 / z2 + 3.0 / (z2 * z2) - 15.0 / (z2 * z2 * z2));
}

/* log of the normal mass of [a, b], for the slow path. */
static gdouble
log_normal_mass_exact (gdouble a,
                       gdouble b)
{
  if (a >= 0.0)
    {
      gdouble t = a;

      a = -b;
      b = -t;
    }

  if (b - a < NARROW_CELL)
    {
      gdouble m = 0.5 * (a + b), h = b - a;

      return log (h) - LOG_SQRT_2PI - 0.5 * m * m + log1p ((m * m - 1.0) * h * h / 24.0);
    }

  if (b <= 0.0)
    {
      gdouble la = log_ncdf_exact (a), lb = log_ncdf_exact (b);

      return lb + log (-expm1 (la - lb));
    }

  return log1p (-0.5 * erfc (-a / G_SQRT2) - 0.5 * erfc (b / G_SQRT2));
}

/* ---- random draws ------------------------------------------------------ */

/**
 * vernier_tpe_rng_normal:
 * @rng: the random source
 *
 * Draws a standard normal deviate (Box-Muller, the second of each pair
 * kept for the next call).
 *
 * Returns: the deviate
 */
gdouble
vernier_tpe_rng_normal (VernierTpeRng *rng)
{
  gdouble u, v, r;

  if (rng->has_spare)
    {
      rng->has_spare = FALSE;
      return rng->spare;
    }

  u = 1.0 - g_rand_double (rng->rand);   /* in (0, 1] */
  v = g_rand_double (rng->rand);
  r = sqrt (-2.0 * log (u));
  rng->spare = r * sin (2.0 * G_PI * v);
  rng->has_spare = TRUE;
  return r * cos (2.0 * G_PI * v);
}

/* A normal deviate truncated to [lo, hi], by rejection: a kernel's centre
 * lies in the domain and its bandwidth is at most the domain's width, so
 * at least a third of the draws are accepted. */
static gdouble
truncated_normal (VernierTpeRng *rng,
                  gdouble        mu,
                  gdouble        sigma,
                  gdouble        lo,
                  gdouble        hi)
{
  for (guint i = 0; i < 1000; i++)
    {
      gdouble x = mu + sigma * vernier_tpe_rng_normal (rng);

      if (x >= lo && x <= hi)
        return x;
    }
  return CLAMP (mu, lo, hi);
}

/* A draw from one numeric kernel of a domain, on the grid if discrete. */
static gdouble
sample_kernel (const VernierTpeDomain *domain,
               VernierTpeRng          *rng,
               gdouble                 mu,
               gdouble                 sigma)
{
  gdouble half, x, last, index;

  if (domain->kind == VERNIER_TPE_CONTINUOUS)
    return truncated_normal (rng, mu, sigma, domain->low, domain->high);

  half = 0.5 * domain->step;
  x = truncated_normal (rng, mu, sigma, domain->low - half, domain->high + half);
  last = round ((domain->high - domain->low) / domain->step);
  index = CLAMP (round ((x - domain->low) / domain->step), 0.0, last);
  return domain->low + index * domain->step;
}

/* The first index whose cumulative weight exceeds u times the total. */
static guint
pick (const gdouble *cum,
      guint          n,
      gdouble        u)
{
  gdouble target = u * cum[n - 1];
  guint lo = 0, hi = n - 1;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (cum[mid] > target)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* ---- univariate estimators --------------------------------------------- */

static void
mixture_reserve (VernierTpeMixture *m,
                 guint              n)
{
  guint cap, max_blocks;

  if (n <= m->cap)
    return;

  cap = MAX (MAX (n, 2 * m->cap), 32);
  max_blocks = cap / VERNIER_TPE_BLOCK + 1;
  g_free (m->block);
  m->block = g_new (gdouble, 4 * (gsize) cap + 3 * (gsize) max_blocks);
  m->mu = m->block;
  m->inv = m->mu + cap;
  m->coef = m->inv + cap;
  m->cum = m->coef + cap;
  m->block_lo = m->cum + cap;
  m->block_hi = m->block_lo + max_blocks;
  m->block_sigma = m->block_hi + max_blocks;
  m->cap = cap;
}

/**
 * vernier_tpe_mixture_clear:
 * @mixture: an estimator
 *
 * Frees the estimator's arrays; it can be built again afterwards.
 */
void
vernier_tpe_mixture_clear (VernierTpeMixture *mixture)
{
  g_free (mixture->block);
  memset (mixture, 0, sizeof *mixture);
}

static void
build_categorical (VernierTpeMixture       *m,
                   const VernierTpeDomain  *domain,
                   const VernierTpeOptions *options,
                   const gdouble           *values,
                   const gdouble           *weights,
                   guint                    n)
{
  guint n_choices = domain->n_choices;
  gdouble acc = 0.0;

  mixture_reserve (m, n_choices);
  m->n = n_choices;
  m->n_sorted = 0;
  m->n_blocks = 0;
  m->cut = INFINITY;

  if (n == 0)
    {
      for (guint c = 0; c < n_choices; c++)
        m->coef[c] = 1.0 / n_choices;
    }
  else
    {
      gboolean prior = options->consider_prior;
      gdouble base = options->prior_weight / (n + (prior ? 1 : 0));
      gdouble row = n_choices * base + 1.0;
      gdouble sum = 0.0, total, prior_share;

      for (guint c = 0; c < n_choices; c++)
        m->coef[c] = 0.0;
      for (guint k = 0; k < n; k++)
        {
          guint c = (guint) values[k];

          if (c < n_choices)
            m->coef[c] += weights[k];
          sum += weights[k];
        }
      total = sum + (prior ? options->prior_weight : 0.0);
      prior_share = prior ? options->prior_weight / total / n_choices : 0.0;
      for (guint c = 0; c < n_choices; c++)
        m->coef[c] = (sum * base + m->coef[c]) / row / total + prior_share;
    }

  for (guint c = 0; c < n_choices; c++)
    {
      acc += m->coef[c];
      m->cum[c] = acc;
    }
}

/* Bandwidths of the univariate rule, into sigma[], for k centres sorted. */
static void
neighbour_bandwidths (const gdouble *mu,
                      gdouble       *sigma,
                      guint          k,
                      gdouble        lo,
                      gdouble        hi,
                      gboolean       consider_endpoints)
{
  for (guint i = 0; i < k; i++)
    {
      gdouble left = mu[i] - (i == 0 ? lo : mu[i - 1]);
      gdouble right = (i + 1 == k ? hi : mu[i + 1]) - mu[i];

      sigma[i] = MAX (left, right);
    }
  if (!consider_endpoints && k >= 2)
    {
      sigma[0] = mu[1] - mu[0];
      sigma[k - 1] = mu[k - 1] - mu[k - 2];
    }
}

static void
build_blocks (VernierTpeMixture      *m,
              const VernierTpeDomain *domain,
              gboolean                has_prior,
              gdouble                 range)
{
  gdouble sum = 0.0, floor_density;

  m->n_blocks = (m->n_sorted + VERNIER_TPE_BLOCK - 1) / VERNIER_TPE_BLOCK;
  for (guint b = 0; b < m->n_blocks; b++)
    {
      guint first = b * VERNIER_TPE_BLOCK;
      guint end = MIN (first + VERNIER_TPE_BLOCK, m->n_sorted);
      gdouble widest = 0.0;

      for (guint k = first; k < end; k++)
        {
          widest = MAX (widest, 1.0 / m->inv[k]);
          sum += m->coef[k];
        }
      m->block_lo[b] = m->mu[first];
      m->block_hi[b] = m->mu[end - 1];
      m->block_sigma[b] = widest;
    }

  m->cut = INFINITY;
  if (!has_prior || sum <= 0.0)
    return;

  /* The prior alone gives every point of the domain at least this: its
   * centre is the middle and its bandwidth the width, so no point is
   * farther than half a bandwidth. */
  floor_density = m->coef[m->n - 1] * exp (-0.125);
  if (domain->kind == VERNIER_TPE_DISCRETE)
    floor_density *= domain->step / range * INV_SQRT_2PI;
  if (floor_density > 0.0)
    m->cut = sqrt (MAX (2.0 * log (sum / (NEGLIGIBLE * floor_density)), 1.0));
}

/**
 * vernier_tpe_mixture_build:
 * @mixture: the estimator to (re)build
 * @domain: the dimension
 * @options: how to shape the estimator
 * @values: (array length=n): the observations in the internal space, in
 *   increasing order for a numeric domain (choice indices, any order, for
 *   a categorical one)
 * @weights: (array length=n): the observations' weights, not normalized
 * @n: the number of observations
 *
 * Builds the estimator of a set of observations of one dimension. With no
 * observation it is the prior alone.
 */
void
vernier_tpe_mixture_build (VernierTpeMixture       *mixture,
                           const VernierTpeDomain  *domain,
                           const VernierTpeOptions *options,
                           const gdouble           *values,
                           const gdouble           *weights,
                           guint                    n)
{
  VernierTpeMixture *m = mixture;
  gboolean prior;
  gdouble half, lo, hi, range, prior_mu, min_sigma, total = 0.0, acc = 0.0;
  gdouble *sigma, *w;
  guint k, p = 0, j;

  if (domain->kind == VERNIER_TPE_CATEGORICAL)
    {
      build_categorical (m, domain, options, values, weights, n);
      return;
    }

  half = 0.5 * domain->step;
  lo = domain->low - half;
  hi = domain->high + half;
  range = hi - lo;
  if (!(range > 0.0))
    range = 1.0;
  prior = options->consider_prior || n == 0;
  k = n + (prior ? 1 : 0);
  mixture_reserve (m, k);

  /* While building, inv[] holds the bandwidths and coef[] the weights. */
  sigma = m->inv;
  w = m->coef;

  /* the centres in order, the prior's among them */
  prior_mu = 0.5 * (domain->low + domain->high);
  if (prior)
    {
      while (p < n && values[p] <= prior_mu)
        p++;
    }
  else
    p = n;
  memcpy (m->mu, values, p * sizeof (gdouble));
  memcpy (w, weights, p * sizeof (gdouble));
  if (prior)
    {
      m->mu[p] = prior_mu;
      w[p] = n == 0 ? 1.0 : options->prior_weight;
    }
  memcpy (m->mu + p + (prior ? 1 : 0), values + p, (n - p) * sizeof (gdouble));
  memcpy (w + p + (prior ? 1 : 0), weights + p, (n - p) * sizeof (gdouble));

  /* bandwidths */
  if (options->multivariate)
    {
      gdouble s = MULTIVARIATE_SIGMA0 *
                  pow (MAX (n, 1), -1.0 / (options->n_dims + 4)) * range;

      for (guint i = 0; i < k; i++)
        sigma[i] = s;
    }
  else
    neighbour_bandwidths (m->mu, sigma, k, lo, hi, options->consider_endpoints);

  min_sigma = options->consider_magic_clip
              ? range / MIN (MAGIC_CLIP_MAX_KERNELS, 1.0 + k)
              : MIN_SIGMA;
  for (guint i = 0; i < k; i++)
    sigma[i] = CLAMP (sigma[i], min_sigma, range);

  if (prior)
    {
      /* the prior is the widest kernel: move it after the sorted ones */
      memmove (m->mu + p, m->mu + p + 1, (k - p - 1) * sizeof (gdouble));
      memmove (sigma + p, sigma + p + 1, (k - p - 1) * sizeof (gdouble));
      memmove (w + p, w + p + 1, (k - p - 1) * sizeof (gdouble));
      m->mu[k - 1] = prior_mu;
      sigma[k - 1] = range;
      w[k - 1] = n == 0 ? 1.0 : options->prior_weight;
    }

  /* kernels of one centre and one bandwidth are one kernel */
  j = 0;
  for (guint i = 0; i < n; i++)
    {
      if (j > 0 && m->mu[j - 1] == m->mu[i] && sigma[j - 1] == sigma[i])
        {
          w[j - 1] += w[i];
          continue;
        }
      m->mu[j] = m->mu[i];
      sigma[j] = sigma[i];
      w[j] = w[i];
      j++;
    }
  if (prior)
    {
      m->mu[j] = m->mu[k - 1];
      sigma[j] = sigma[k - 1];
      w[j] = w[k - 1];
    }
  m->n_sorted = j;
  m->n = j + (prior ? 1 : 0);

  for (guint i = 0; i < m->n; i++)
    total += w[i];
  if (!(total > 0.0))
    total = 1.0;

  for (guint i = 0; i < m->n; i++)
    {
      gdouble s = sigma[i];
      gdouble a = (lo - m->mu[i]) / s, b = (hi - m->mu[i]) / s;
      /* a kernel far from both ends loses no mass to the truncation */
      gdouble z_mass = a <= -NCDF_ZMAX && b >= NCDF_ZMAX ? 1.0 : normal_mass (a, b);
      gdouble share = w[i] / total;

      acc += share;
      m->cum[i] = acc;
      if (!(z_mass > 0.0))
        z_mass = 1.0;
      m->coef[i] = domain->kind == VERNIER_TPE_CONTINUOUS
                   ? share * INV_SQRT_2PI / ((options->normalized_kernels ? s : 1.0) * z_mass)
                   : share / z_mass;
      m->inv[i] = 1.0 / s;
    }

  build_blocks (m, domain, prior, range);
}

/**
 * vernier_tpe_mixture_sample:
 * @mixture: a built estimator
 * @domain: its dimension
 * @rng: the random source
 *
 * Draws a value from the estimator: a kernel by weight, then a value from
 * the kernel, on the grid if the domain is discrete.
 *
 * Returns: the value in the internal space (a choice index if
 *   categorical)
 */
gdouble
vernier_tpe_mixture_sample (const VernierTpeMixture *mixture,
                            const VernierTpeDomain  *domain,
                            VernierTpeRng           *rng)
{
  guint k = pick (mixture->cum, mixture->n, g_rand_double (rng->rand));

  if (domain->kind == VERNIER_TPE_CATEGORICAL)
    return k;
  return sample_kernel (domain, rng, mixture->mu[k], 1.0 / mixture->inv[k]);
}

static gdouble
kernels_density (const VernierTpeMixture *m,
                 const VernierTpeDomain  *domain,
                 gdouble                  x,
                 guint                    first,
                 guint                    end)
{
  gdouble sum = 0.0;

  /* a kernel farther than cut bandwidths is skipped, as its group would */
  if (domain->kind == VERNIER_TPE_CONTINUOUS)
    {
      for (guint k = first; k < end; k++)
        {
          gdouble z = (x - m->mu[k]) * m->inv[k];

          if (fabs (z) <= m->cut)
            sum += m->coef[k] * exp_nonpositive (-0.5 * z * z);
        }
    }
  else
    {
      for (guint k = first; k < end; k++)
        {
          gdouble inv = m->inv[k];
          gdouble h = domain->step * inv;
          gdouble z = (x - m->mu[k]) * inv;

          if (fabs (z) - 0.5 * h > m->cut)
            continue;
          if (h < NARROW_CELL)
            sum += m->coef[k] * h * INV_SQRT_2PI * exp_nonpositive (-0.5 * z * z) *
                   (1.0 + (z * z - 1.0) * h * h / 24.0);
          else
            sum += m->coef[k] * normal_mass (z - 0.5 * h, z + 0.5 * h);
        }
    }
  return sum;
}

/* The density in log space, kernel by kernel: for points where the sum
 * underflows (possible without the prior kernel). */
static gdouble
log_density_exact (const VernierTpeMixture *m,
                   const VernierTpeDomain  *domain,
                   gdouble                  x)
{
  gdouble top = -INFINITY, sum = 0.0;
  gdouble half = 0.5 * domain->step;

  for (guint k = 0; k < m->n; k++)
    {
      gdouble t;

      if (m->coef[k] <= 0.0)
        continue;
      if (domain->kind == VERNIER_TPE_CONTINUOUS)
        {
          gdouble z = (x - m->mu[k]) * m->inv[k];

          t = log (m->coef[k]) - 0.5 * z * z;
        }
      else
        t = log (m->coef[k]) +
            log_normal_mass_exact ((x - half - m->mu[k]) * m->inv[k],
                                   (x + half - m->mu[k]) * m->inv[k]);

      if (!(t > -INFINITY))
        continue;
      if (t > top)
        {
          sum = sum * exp_nonpositive (top - t) + 1.0;
          top = t;
        }
      else
        sum += exp_nonpositive (t - top);
    }
  return top > -INFINITY ? top + log (sum) : -INFINITY;
}

/**
 * vernier_tpe_mixture_log_pdf:
 * @mixture: a built estimator
 * @domain: its dimension
 * @x: a value in the internal space (a grid point if discrete, a choice
 *   index if categorical)
 *
 * The log density (log mass if discrete or categorical) at @x.
 *
 * Returns: the log density, -∞ where it is 0
 */
gdouble
vernier_tpe_mixture_log_pdf (const VernierTpeMixture *mixture,
                             const VernierTpeDomain  *domain,
                             gdouble                  x)
{
  const VernierTpeMixture *m = mixture;
  gdouble half, sum = 0.0;

  if (domain->kind == VERNIER_TPE_CATEGORICAL)
    {
      guint c = (guint) x;

      return c < m->n && m->coef[c] > 0.0 ? log (m->coef[c]) : -INFINITY;
    }

  half = 0.5 * domain->step;
  for (guint b = 0; b < m->n_blocks; b++)
    {
      gdouble lo = m->block_lo[b], hi = m->block_hi[b];
      gdouble distance = x < lo ? lo - x : (x > hi ? x - hi : 0.0);
      guint first;

      if (distance - half > m->cut * m->block_sigma[b])
        continue;
      first = b * VERNIER_TPE_BLOCK;
      sum += kernels_density (m, domain, x, first,
                              MIN (first + VERNIER_TPE_BLOCK, m->n_sorted));
    }
  if (m->n > m->n_sorted)
    sum += kernels_density (m, domain, x, m->n_sorted, m->n);

  if (sum > TINY_DENSITY)
    return log (sum);
  return log_density_exact (m, domain, x);
}

/* ---- multivariate estimators ------------------------------------------- */

enum {
  JOINT_SIGMA,
  JOINT_INV,
  JOINT_PRIOR_MU,
  JOINT_PRIOR_SIGMA,
  JOINT_PRIOR_INV,
  JOINT_LOG_PEAK,
  JOINT_LOG_BASE,
  JOINT_PEAK_MASS,
  JOINT_BASE_MASS,
  JOINT_N_ARRAYS
};

/**
 * vernier_tpe_joint_clear:
 * @joint: an estimator
 *
 * Frees the estimator's arrays; it can be built again afterwards.
 */
void
vernier_tpe_joint_clear (VernierTpeJoint *joint)
{
  g_free (joint->mu);
  g_free (joint->logw);
  g_free (joint->dim_block);
  memset (joint, 0, sizeof *joint);
}

/* The log normalizer of a numeric kernel of a domain: its mass inside the
 * domain, and for a density the bandwidth. */
static gdouble
kernel_log_norm (const VernierTpeDomain  *domain,
                 const VernierTpeOptions *options,
                 gdouble                  mu,
                 gdouble                  sigma)
{
  gdouble half = 0.5 * domain->step;
  gdouble a = (domain->low - half - mu) / sigma, b = (domain->high + half - mu) / sigma;
  gdouble mass = a <= -NCDF_ZMAX && b >= NCDF_ZMAX ? 1.0 : normal_mass (a, b);
  gdouble norm = log (mass > 0.0 ? mass : 1.0);

  if (domain->kind == VERNIER_TPE_CONTINUOUS)
    norm += (options->normalized_kernels ? log (sigma) : 0.0) + LOG_SQRT_2PI;
  return norm;
}

/* The weighted standard deviation of column d of n rows. */
static gdouble
weighted_spread (const gdouble *rows,
                 const gdouble *weights,
                 guint          n,
                 guint          n_dims,
                 guint          d)
{
  gdouble total = 0.0, mean = 0.0, var = 0.0;

  for (guint i = 0; i < n; i++)
    {
      total += weights[i];
      mean += weights[i] * rows[(gsize) i * n_dims + d];
    }
  if (!(total > 0.0))
    return 0.0;
  mean /= total;
  for (guint i = 0; i < n; i++)
    {
      gdouble dx = rows[(gsize) i * n_dims + d] - mean;

      var += weights[i] * dx * dx;
    }
  return sqrt (var / total);
}

/**
 * vernier_tpe_joint_build:
 * @joint: the estimator to (re)build
 * @domains: (array length=n_dims): the dimensions
 * @n_dims: how many
 * @options: how to shape the estimator (its @multivariate is ignored)
 * @rows: (array): @n observations of @n_dims values each, row after row,
 *   in the internal space
 * @weights: (array length=n): the observations' weights, not normalized
 * @n: the number of observations
 *
 * Builds the joint estimator of a set of observations: one product kernel
 * per observation, the bandwidth of each dimension from the number of
 * observations, and the prior (alone when there is no observation).
 */
void
vernier_tpe_joint_build (VernierTpeJoint         *joint,
                         const VernierTpeDomain  *domains,
                         guint                    n_dims,
                         const VernierTpeOptions *options,
                         const gdouble           *rows,
                         const gdouble           *weights,
                         guint                    n)
{
  VernierTpeJoint *j = joint;
  gboolean prior = options->consider_prior || n == 0;
  guint k = n + (prior ? 1 : 0);
  gdouble total = 0.0, acc = 0.0;

  if (j->n_dims != n_dims || j->dim_block == NULL)
    {
      g_free (j->dim_block);
      j->dim_block = g_new0 (gdouble, JOINT_N_ARRAYS * (gsize) MAX (n_dims, 1));
      j->sigma = j->dim_block + JOINT_SIGMA * n_dims;
      j->inv = j->dim_block + JOINT_INV * n_dims;
      j->prior_mu = j->dim_block + JOINT_PRIOR_MU * n_dims;
      j->prior_sigma = j->dim_block + JOINT_PRIOR_SIGMA * n_dims;
      j->prior_inv = j->dim_block + JOINT_PRIOR_INV * n_dims;
      j->log_peak = j->dim_block + JOINT_LOG_PEAK * n_dims;
      j->log_base = j->dim_block + JOINT_LOG_BASE * n_dims;
      j->peak_mass = j->dim_block + JOINT_PEAK_MASS * n_dims;
      j->base_mass = j->dim_block + JOINT_BASE_MASS * n_dims;
      j->n_dims = n_dims;
    }
  if (k > j->cap)
    {
      /* whole blocks: the padding kernels weigh nothing */
      guint cap = MAX (MAX (k, 2 * j->cap), 32);

      cap = (cap + JOINT_BLOCK - 1) / JOINT_BLOCK * JOINT_BLOCK;
      g_free (j->mu);
      g_free (j->logw);
      j->mu = g_new (gdouble, (gsize) cap * MAX (n_dims, 1));
      j->logw = g_new (gdouble, 2 * (gsize) cap);
      j->cum = j->logw + cap;
      j->cap = cap;
    }
  j->n = k;
  j->has_prior = prior;
  j->all_continuous = TRUE;
  for (guint d = 0; d < n_dims; d++)
    if (domains[d].kind != VERNIER_TPE_CONTINUOUS)
      j->all_continuous = FALSE;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  if (prior)
    total += n == 0 ? 1.0 : options->prior_weight;
  if (!(total > 0.0))
    total = 1.0;

  /* per-dimension bandwidths and categorical kernels */
  for (guint d = 0; d < n_dims; d++)
    {
      const VernierTpeDomain *domain = &domains[d];

      if (domain->kind == VERNIER_TPE_CATEGORICAL)
        {
          gdouble base = options->prior_weight / k;
          gdouble row = domain->n_choices * base + 1.0;

          j->log_peak[d] = log ((base + 1.0) / row);
          j->log_base[d] = log (base / row);
          j->peak_mass[d] = 1.0;
          j->base_mass[d] = base;
          j->prior_mu[d] = 0.0;
        }
      else
        {
          gdouble range = domain->high - domain->low + domain->step;
          gdouble s, min_sigma;

          if (!(range > 0.0))
            range = 1.0;
          if (options->scott_bandwidth && n >= 2 && domain->kind == VERNIER_TPE_CONTINUOUS)
            {
              s = SCOTT_FACTOR * weighted_spread (rows, weights, n, n_dims, d) *
                  pow (n, -1.0 / (n_dims + 4));
              min_sigma = MAX (options->min_bandwidth * range, MIN_SIGMA);
            }
          else
            {
              s = MULTIVARIATE_SIGMA0 * pow (MAX (n, 1), -1.0 / (n_dims + 4)) * range;
              min_sigma = options->consider_magic_clip
                          ? range / MIN (MAGIC_CLIP_MAX_KERNELS, 1.0 + k)
                          : MIN_SIGMA;
            }
          j->sigma[d] = CLAMP (s, min_sigma, range);
          j->inv[d] = 1.0 / j->sigma[d];
          j->prior_mu[d] = 0.5 * (domain->low + domain->high);
          j->prior_sigma[d] = range;
          j->prior_inv[d] = 1.0 / range;
        }
    }

  /* kernels: centres, log weights with the normalizers folded in; the
   * prior, if any, is kernel k - 1 and keeps its centre apart */
  for (guint i = 0; i < k; i++)
    {
      gboolean is_prior = prior && i == k - 1;
      gdouble w = is_prior ? (n == 0 ? 1.0 : options->prior_weight) : weights[i];
      gdouble logw = log (w / total);

      for (guint d = 0; d < n_dims; d++)
        {
          const VernierTpeDomain *domain = &domains[d];
          gdouble mu = is_prior ? j->prior_mu[d] : rows[(gsize) i * n_dims + d];

          if (!is_prior)
            j->mu[(gsize) d * j->cap + i] = mu;
          if (domain->kind == VERNIER_TPE_CATEGORICAL)
            {
              if (is_prior)
                logw -= log (domain->n_choices);
              continue;
            }
          logw -= kernel_log_norm (domain, options, mu,
                                   is_prior ? j->prior_sigma[d] : j->sigma[d]);
        }

      if (is_prior)
        j->prior_logw = logw;
      else
        j->logw[i] = logw;
      acc += w / total;
      j->cum[i] = acc;
    }

  /* pad the observation kernels to whole blocks */
  for (guint i = n; i % JOINT_BLOCK != 0; i++)
    {
      j->logw[i] = -INFINITY;
      for (guint d = 0; d < n_dims; d++)
        j->mu[(gsize) d * j->cap + i] = 0.0;
    }
}

/**
 * vernier_tpe_joint_sample:
 * @joint: a built estimator
 * @domains: (array): its dimensions
 * @rng: the random source
 * @out: (array): where to write one value per dimension
 *
 * Draws a point from the estimator: a kernel by weight, then each
 * dimension from that kernel.
 */
void
vernier_tpe_joint_sample (const VernierTpeJoint  *joint,
                          const VernierTpeDomain *domains,
                          VernierTpeRng          *rng,
                          gdouble                *out)
{
  const VernierTpeJoint *j = joint;
  guint k = pick (j->cum, j->n, g_rand_double (rng->rand));
  gboolean is_prior = j->has_prior && k == j->n - 1;

  for (guint d = 0; d < j->n_dims; d++)
    {
      const VernierTpeDomain *domain = &domains[d];
      gdouble mu = is_prior ? j->prior_mu[d] : j->mu[(gsize) d * j->cap + k];

      if (domain->kind == VERNIER_TPE_CATEGORICAL)
        {
          guint last = domain->n_choices - 1;
          gdouble u = g_rand_double (rng->rand);

          if (is_prior)
            out[d] = MIN ((guint) (u * domain->n_choices), last);
          else
            {
              /* the observed choice's extra mass first, then every
               * choice's share of the smoothing */
              gdouble t = u * (j->peak_mass[d] + domain->n_choices * j->base_mass[d]);

              if (t < j->peak_mass[d])
                out[d] = mu;
              else
                out[d] = MIN ((guint) ((t - j->peak_mass[d]) / j->base_mass[d]), last);
            }
          continue;
        }
      out[d] = sample_kernel (domain, rng, mu,
                              is_prior ? j->prior_sigma[d] : j->sigma[d]);
    }
}

/* The log of one kernel's weighted density at x (the prior if
 * is_prior, else observation kernel k), or -∞ once it falls below
 * floor_t: every term is at most 0. */
static gdouble
joint_kernel_log (const VernierTpeJoint  *j,
                  const VernierTpeDomain *domains,
                  gboolean                is_prior,
                  guint                   k,
                  const gdouble          *x,
                  gdouble                 floor_t)
{
  const gdouble *inv = is_prior ? j->prior_inv : j->inv;
  gdouble t = is_prior ? j->prior_logw : j->logw[k];

  for (guint d = 0; d < j->n_dims; d++)
    {
      const VernierTpeDomain *domain = &domains[d];
      gdouble mu = is_prior ? j->prior_mu[d] : j->mu[(gsize) d * j->cap + k];
      gdouble z, h, half, mass;

      if (!(t >= floor_t))
        return -INFINITY;

      switch (domain->kind)
        {
        case VERNIER_TPE_CONTINUOUS:
          z = (x[d] - mu) * inv[d];
          t -= 0.5 * z * z;
          break;
        case VERNIER_TPE_DISCRETE:
          h = domain->step * inv[d];
          z = (x[d] - mu) * inv[d];
          if (h < NARROW_CELL)
            {
              t += log (h) - LOG_SQRT_2PI - 0.5 * z * z + (z * z - 1.0) * h * h / 24.0;
              break;
            }
          half = 0.5 * h;
          mass = normal_mass (z - half, z + half);
          t += mass > 0.0 ? log (mass) : log_normal_mass_exact (z - half, z + half);
          break;
        case VERNIER_TPE_CATEGORICAL:
        default:
          if (!is_prior)
            t += x[d] == mu ? j->log_peak[d] : j->log_base[d];
          break;
        }
    }
  return t >= floor_t ? t : -INFINITY;
}

/* Adds e^t to the sum e^top × sum, keeping top the largest exponent. */
static inline void
log_sum_add (gdouble *top,
             gdouble *sum,
             gdouble  t)
{
  if (!(t > -INFINITY))
    return;
  if (t > *top)
    {
      *sum = *sum * exp_nonpositive (*top - t) + 1.0;
      *top = t;
    }
  else
    *sum += exp_nonpositive (t - *top);
}

/**
 * vernier_tpe_joint_log_pdf:
 * @joint: a built estimator
 * @domains: (array): its dimensions
 * @x: (array): a point, one value per dimension in the internal space
 *
 * The log density of the estimator at @x (mass for the discrete and
 * categorical dimensions).
 *
 * Returns: the log density, -∞ where it is 0
 */
gdouble
vernier_tpe_joint_log_pdf (const VernierTpeJoint  *joint,
                           const VernierTpeDomain *domains,
                           const gdouble          *x)
{
  const VernierTpeJoint *j = joint;
  gdouble top = -INFINITY, sum = 0.0, floor_t = -INFINITY;
  guint n_obs = j->n - (j->has_prior ? 1 : 0);

  /* The prior first: a kernel below e^-NEGLIGIBLE_LOG times it cannot
   * matter. */
  if (j->has_prior)
    {
      log_sum_add (&top, &sum, joint_kernel_log (j, domains, TRUE, 0, x, -INFINITY));
      if (top > -INFINITY)
        floor_t = top - NEGLIGIBLE_LOG;
    }

  if (!j->all_continuous)
    {
      for (guint k = 0; k < n_obs; k++)
        log_sum_add (&top, &sum, joint_kernel_log (j, domains, FALSE, k, x, floor_t));
      return top > -INFINITY ? top + log (sum) : -INFINITY;
    }

  /* the common case, a block of kernels at a time, dimension by
   * dimension over the centres stored column by column */
  for (guint first = 0; first < n_obs; first += JOINT_BLOCK)
    {
      gdouble t[JOINT_BLOCK];

      memcpy (t, j->logw + first, sizeof t);
      for (guint d = 0; d < j->n_dims; d++)
        {
          const gdouble *mu = j->mu + (gsize) d * j->cap + first;
          gdouble xd = x[d], inv = j->inv[d];

          for (guint i = 0; i < JOINT_BLOCK; i++)
            {
              gdouble z = (xd - mu[i]) * inv;

              t[i] -= 0.5 * z * z;
            }
        }
      for (guint i = 0; i < JOINT_BLOCK; i++)
        if (t[i] >= floor_t)
          log_sum_add (&top, &sum, t[i]);
    }
  return top > -INFINITY ? top + log (sum) : -INFINITY;
}
