/* vernier-sobol-tuner.c: scrambled Sobol quasi-random sequence
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-sobol-tuner.h"

/**
 * VernierSobolTuner:
 *
 * A tuner that visits the space along a Sobol low-discrepancy sequence:
 * its points cover the unit cube far more evenly than independent random
 * draws (every first 2^k points put exactly one point in each elementary
 * box of volume 2^-k of any two base dimensions), which makes it the
 * warm-up of choice before a model-based tuner in a chain.
 *
 * The direction numbers are Joe and Kuo's (the `new-joe-kuo-6.21201`
 * table, "Constructing Sobol sequences with better two-dimensional
 * projections", 2008), for up to 128 dimensions. The sequence is scrambled
 * by a nested uniform (Owen) scrambling in base 2 drawn from the study's
 * seed: each bit of each coordinate is flipped or not by a pseudo-random
 * choice that depends on the seed, the dimension, the bit's position and
 * the bits above it. The scrambled points are uniformly distributed, yet
 * keep the net property of the sequence; the same seed gives the same
 * sequence, another seed another one.
 *
 * Coordinate j of each point goes to the j-th dimension of the space
 * through vernier_dimension_value_from_unit(), so that integer, log, step
 * and categorical dimensions are honoured; a dimension inactive under its
 * condition uses its coordinate all the same and is left out of the
 * parameters. The tuner is exhausted after 2^32 points.
 */

#define SOBOL_BITS 32
#define SOBOL_MAX_POINTS (G_GUINT64_CONSTANT (1) << SOBOL_BITS)

typedef struct
{
  guint8 degree;                /* s: degree of the primitive polynomial */
  guint8 coefficients;          /* a: its inner coefficients, as bits */
  guint16 m[10];                /* initial direction numbers m_1 … m_s */
} DirectionRow;

/* Joe & Kuo, new-joe-kuo-6.21201, dimensions 2 to 128 (dimension 1 is the
 * van der Corput sequence and needs no row). */
static const DirectionRow joe_kuo[] = {
  { 1,   0, { 1 } },  /* 2 */
  { 2,   1, { 1, 3 } },  /* 3 */
  { 3,   1, { 1, 3, 1 } },  /* 4 */
  { 3,   2, { 1, 1, 1 } },  /* 5 */
  { 4,   1, { 1, 1, 3, 3 } },  /* 6 */
  { 4,   4, { 1, 3, 5, 13 } },  /* 7 */
  { 5,   2, { 1, 1, 5, 5, 17 } },  /* 8 */
  { 5,   4, { 1, 1, 5, 5, 5 } },  /* 9 */
  { 5,   7, { 1, 1, 7, 11, 19 } },  /* 10 */
  { 5,  11, { 1, 1, 5, 1, 1 } },  /* 11 */
  { 5,  13, { 1, 1, 1, 3, 11 } },  /* 12 */
  { 5,  14, { 1, 3, 5, 5, 31 } },  /* 13 */
  { 6,   1, { 1, 3, 3, 9, 7, 49 } },  /* 14 */
  { 6,  13, { 1, 1, 1, 15, 21, 21 } },  /* 15 */
  { 6,  16, { 1, 3, 1, 13, 27, 49 } },  /* 16 */
  { 6,  19, { 1, 1, 1, 15, 7, 5 } },  /* 17 */
  { 6,  22, { 1, 3, 1, 15, 13, 25 } },  /* 18 */
  { 6,  25, { 1, 1, 5, 5, 19, 61 } },  /* 19 */
  { 7,   1, { 1, 3, 7, 11, 23, 15, 103 } },  /* 20 */
  { 7,   4, { 1, 3, 7, 13, 13, 15, 69 } },  /* 21 */
  { 7,   7, { 1, 1, 3, 13, 7, 35, 63 } },  /* 22 */
  { 7,   8, { 1, 3, 5, 9, 1, 25, 53 } },  /* 23 */
  { 7,  14, { 1, 3, 1, 13, 9, 35, 107 } },  /* 24 */
  { 7,  19, { 1, 3, 1, 5, 27, 61, 31 } },  /* 25 */
  { 7,  21, { 1, 1, 5, 11, 19, 41, 61 } },  /* 26 */
  { 7,  28, { 1, 3, 5, 3, 3, 13, 69 } },  /* 27 */
  { 7,  31, { 1, 1, 7, 13, 1, 19, 1 } },  /* 28 */
  { 7,  32, { 1, 3, 7, 5, 13, 19, 59 } },  /* 29 */
  { 7,  37, { 1, 1, 3, 9, 25, 29, 41 } },  /* 30 */
  { 7,  41, { 1, 3, 5, 13, 23, 1, 55 } },  /* 31 */
  { 7,  42, { 1, 3, 7, 3, 13, 59, 17 } },  /* 32 */
  { 7,  50, { 1, 3, 1, 3, 5, 53, 69 } },  /* 33 */
  { 7,  55, { 1, 1, 5, 5, 23, 33, 13 } },  /* 34 */
  { 7,  56, { 1, 1, 7, 7, 1, 61, 123 } },  /* 35 */
  { 7,  59, { 1, 1, 7, 9, 13, 61, 49 } },  /* 36 */
  { 7,  62, { 1, 3, 3, 5, 3, 55, 33 } },  /* 37 */
  { 8,  14, { 1, 3, 1, 15, 31, 13, 49, 245 } },  /* 38 */
  { 8,  21, { 1, 3, 5, 15, 31, 59, 63, 97 } },  /* 39 */
  { 8,  22, { 1, 3, 1, 11, 11, 11, 77, 249 } },  /* 40 */
  { 8,  38, { 1, 3, 1, 11, 27, 43, 71, 9 } },  /* 41 */
  { 8,  47, { 1, 1, 7, 15, 21, 11, 81, 45 } },  /* 42 */
  { 8,  49, { 1, 3, 7, 3, 25, 31, 65, 79 } },  /* 43 */
  { 8,  50, { 1, 3, 1, 1, 19, 11, 3, 205 } },  /* 44 */
  { 8,  52, { 1, 1, 5, 9, 19, 21, 29, 157 } },  /* 45 */
  { 8,  56, { 1, 3, 7, 11, 1, 33, 89, 185 } },  /* 46 */
  { 8,  67, { 1, 3, 3, 3, 15, 9, 79, 71 } },  /* 47 */
  { 8,  70, { 1, 3, 7, 11, 15, 39, 119, 27 } },  /* 48 */
  { 8,  84, { 1, 1, 3, 1, 11, 31, 97, 225 } },  /* 49 */
  { 8,  97, { 1, 1, 1, 3, 23, 43, 57, 177 } },  /* 50 */
  { 8, 103, { 1, 3, 7, 7, 17, 17, 37, 71 } },  /* 51 */
  { 8, 115, { 1, 3, 1, 5, 27, 63, 123, 213 } },  /* 52 */
  { 8, 122, { 1, 1, 3, 5, 11, 43, 53, 133 } },  /* 53 */
  { 9,   8, { 1, 3, 5, 5, 29, 17, 47, 173, 479 } },  /* 54 */
  { 9,  13, { 1, 3, 3, 11, 3, 1, 109, 9, 69 } },  /* 55 */
  { 9,  16, { 1, 1, 1, 5, 17, 39, 23, 5, 343 } },  /* 56 */
  { 9,  22, { 1, 3, 1, 5, 25, 15, 31, 103, 499 } },  /* 57 */
  { 9,  25, { 1, 1, 1, 11, 11, 17, 63, 105, 183 } },  /* 58 */
  { 9,  44, { 1, 1, 5, 11, 9, 29, 97, 231, 363 } },  /* 59 */
  { 9,  47, { 1, 1, 5, 15, 19, 45, 41, 7, 383 } },  /* 60 */
  { 9,  52, { 1, 3, 7, 7, 31, 19, 83, 137, 221 } },  /* 61 */
  { 9,  55, { 1, 1, 1, 3, 23, 15, 111, 223, 83 } },  /* 62 */
  { 9,  59, { 1, 1, 5, 13, 31, 15, 55, 25, 161 } },  /* 63 */
  { 9,  62, { 1, 1, 3, 13, 25, 47, 39, 87, 257 } },  /* 64 */
  { 9,  67, { 1, 1, 1, 11, 21, 53, 125, 249, 293 } },  /* 65 */
  { 9,  74, { 1, 1, 7, 11, 11, 7, 57, 79, 323 } },  /* 66 */
  { 9,  81, { 1, 1, 5, 5, 17, 13, 81, 3, 131 } },  /* 67 */
  { 9,  82, { 1, 1, 7, 13, 23, 7, 65, 251, 475 } },  /* 68 */
  { 9,  87, { 1, 3, 5, 1, 9, 43, 3, 149, 11 } },  /* 69 */
  { 9,  91, { 1, 1, 3, 13, 31, 13, 13, 255, 487 } },  /* 70 */
  { 9,  94, { 1, 3, 3, 1, 5, 63, 89, 91, 127 } },  /* 71 */
  { 9, 103, { 1, 1, 3, 3, 1, 19, 123, 127, 237 } },  /* 72 */
  { 9, 104, { 1, 1, 5, 7, 23, 31, 37, 243, 289 } },  /* 73 */
  { 9, 109, { 1, 1, 5, 11, 17, 53, 117, 183, 491 } },  /* 74 */
  { 9, 122, { 1, 1, 1, 5, 1, 13, 13, 209, 345 } },  /* 75 */
  { 9, 124, { 1, 1, 3, 15, 1, 57, 115, 7, 33 } },  /* 76 */
  { 9, 137, { 1, 3, 1, 11, 7, 43, 81, 207, 175 } },  /* 77 */
  { 9, 138, { 1, 3, 1, 1, 15, 27, 63, 255, 49 } },  /* 78 */
  { 9, 143, { 1, 3, 5, 3, 27, 61, 105, 171, 305 } },  /* 79 */
  { 9, 145, { 1, 1, 5, 3, 1, 3, 57, 249, 149 } },  /* 80 */
  { 9, 152, { 1, 1, 3, 5, 5, 57, 15, 13, 159 } },  /* 81 */
  { 9, 157, { 1, 1, 1, 11, 7, 11, 105, 141, 225 } },  /* 82 */
  { 9, 167, { 1, 3, 3, 5, 27, 59, 121, 101, 271 } },  /* 83 */
  { 9, 173, { 1, 3, 5, 9, 11, 49, 51, 59, 115 } },  /* 84 */
  { 9, 176, { 1, 1, 7, 1, 23, 45, 125, 71, 419 } },  /* 85 */
  { 9, 181, { 1, 1, 3, 5, 23, 5, 105, 109, 75 } },  /* 86 */
  { 9, 182, { 1, 1, 7, 15, 7, 11, 67, 121, 453 } },  /* 87 */
  { 9, 185, { 1, 3, 7, 3, 9, 13, 31, 27, 449 } },  /* 88 */
  { 9, 191, { 1, 3, 1, 15, 19, 39, 39, 89, 15 } },  /* 89 */
  { 9, 194, { 1, 1, 1, 1, 1, 33, 73, 145, 379 } },  /* 90 */
  { 9, 199, { 1, 3, 1, 15, 15, 43, 29, 13, 483 } },  /* 91 */
  { 9, 218, { 1, 1, 7, 3, 19, 27, 85, 131, 431 } },  /* 92 */
  { 9, 220, { 1, 3, 3, 3, 5, 35, 23, 195, 349 } },  /* 93 */
  { 9, 227, { 1, 3, 3, 7, 9, 27, 39, 59, 297 } },  /* 94 */
  { 9, 229, { 1, 1, 3, 9, 11, 17, 13, 241, 157 } },  /* 95 */
  { 9, 230, { 1, 3, 7, 15, 25, 57, 33, 189, 213 } },  /* 96 */
  { 9, 234, { 1, 1, 7, 1, 9, 55, 73, 83, 217 } },  /* 97 */
  { 9, 236, { 1, 3, 3, 13, 19, 27, 23, 113, 249 } },  /* 98 */
  { 9, 241, { 1, 3, 5, 3, 23, 43, 3, 253, 479 } },  /* 99 */
  { 9, 244, { 1, 1, 5, 5, 11, 5, 45, 117, 217 } },  /* 100 */
  { 9, 253, { 1, 3, 3, 7, 29, 37, 33, 123, 147 } },  /* 101 */
  { 10,   4, { 1, 3, 1, 15, 5, 5, 37, 227, 223, 459 } },  /* 102 */
  { 10,  13, { 1, 1, 7, 5, 5, 39, 63, 255, 135, 487 } },  /* 103 */
  { 10,  19, { 1, 3, 1, 7, 9, 7, 87, 249, 217, 599 } },  /* 104 */
  { 10,  22, { 1, 1, 3, 13, 9, 47, 7, 225, 363, 247 } },  /* 105 */
  { 10,  50, { 1, 3, 7, 13, 19, 13, 9, 67, 9, 737 } },  /* 106 */
  { 10,  55, { 1, 3, 5, 5, 19, 59, 7, 41, 319, 677 } },  /* 107 */
  { 10,  64, { 1, 1, 5, 3, 31, 63, 15, 43, 207, 789 } },  /* 108 */
  { 10,  69, { 1, 1, 7, 9, 13, 39, 3, 47, 497, 169 } },  /* 109 */
  { 10,  98, { 1, 3, 1, 7, 21, 17, 97, 19, 415, 905 } },  /* 110 */
  { 10, 107, { 1, 3, 7, 1, 3, 31, 71, 111, 165, 127 } },  /* 111 */
  { 10, 115, { 1, 1, 5, 11, 1, 61, 83, 119, 203, 847 } },  /* 112 */
  { 10, 121, { 1, 3, 3, 13, 9, 61, 19, 97, 47, 35 } },  /* 113 */
  { 10, 127, { 1, 1, 7, 7, 15, 29, 63, 95, 417, 469 } },  /* 114 */
  { 10, 134, { 1, 3, 1, 9, 25, 9, 71, 57, 213, 385 } },  /* 115 */
  { 10, 140, { 1, 3, 5, 13, 31, 47, 101, 57, 39, 341 } },  /* 116 */
  { 10, 145, { 1, 1, 3, 3, 31, 57, 125, 173, 365, 551 } },  /* 117 */
  { 10, 152, { 1, 3, 7, 1, 13, 57, 67, 157, 451, 707 } },  /* 118 */
  { 10, 158, { 1, 1, 1, 7, 21, 13, 105, 89, 429, 965 } },  /* 119 */
  { 10, 161, { 1, 1, 5, 9, 17, 51, 45, 119, 157, 141 } },  /* 120 */
  { 10, 171, { 1, 3, 7, 7, 13, 45, 91, 9, 129, 741 } },  /* 121 */
  { 10, 181, { 1, 3, 7, 1, 23, 57, 67, 141, 151, 571 } },  /* 122 */
  { 10, 194, { 1, 1, 3, 11, 17, 47, 93, 107, 375, 157 } },  /* 123 */
  { 10, 199, { 1, 3, 3, 5, 11, 21, 43, 51, 169, 915 } },  /* 124 */
  { 10, 203, { 1, 1, 5, 3, 15, 55, 101, 67, 455, 625 } },  /* 125 */
  { 10, 208, { 1, 3, 5, 9, 1, 23, 29, 47, 345, 595 } },  /* 126 */
  { 10, 227, { 1, 3, 7, 7, 5, 49, 29, 155, 323, 589 } },  /* 127 */
  { 10, 242, { 1, 3, 3, 7, 5, 41, 127, 61, 261, 717 } },  /* 128 */
};

#define SOBOL_MAX_DIMENSIONS (G_N_ELEMENTS (joe_kuo) + 1)

struct _VernierSobolTuner
{
  GObject parent_instance;

  /* properties */
  gboolean scramble;
  gboolean skip_first;

  /* state, set by prepare */
  VernierSpace *space;
  guint n_dims;
  guint32 *directions;          /* n_dims × 32, most significant bit first */
  guint64 *seeds;               /* n_dims: the scrambling of each dimension */
  guint64 next;                 /* index of the next point */
};

enum {
  PROP_0,
  PROP_SCRAMBLE,
  PROP_SKIP_FIRST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void tuner_iface_init (VernierTunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierSobolTuner, vernier_sobol_tuner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_TUNER,
                                                               tuner_iface_init))

/* A bijective 64-bit mixer (the finalizer of SplitMix64). */
static guint64
mix64 (guint64 x)
{
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

/* The 32 direction numbers v_1 … v_32 of dimension @d (from 0), scaled by
 * 2^32, by the recurrence of Bratley and Fox:
 * v_k = v_{k-s} ⊕ (v_{k-s} >> s) ⊕ a_1·v_{k-1} ⊕ … ⊕ a_{s-1}·v_{k-s+1}. */
static void
compute_directions (guint    d,
                    guint32 *v)
{
  const DirectionRow *row;
  guint s;

  if (d == 0)
    {
      for (guint k = 0; k < SOBOL_BITS; k++)
        v[k] = (guint32) 1 << (SOBOL_BITS - 1 - k);
      return;
    }

  row = &joe_kuo[d - 1];
  s = row->degree;
  for (guint k = 0; k < SOBOL_BITS; k++)
    {
      if (k < s)
        {
          v[k] = (guint32) row->m[k] << (SOBOL_BITS - 1 - k);
          continue;
        }
      v[k] = v[k - s] ^ (v[k - s] >> s);
      for (guint l = 1; l < s; l++)
        if ((row->coefficients >> (s - 1 - l)) & 1)
          v[k] ^= v[k - l];
    }
}

/* Nested uniform scrambling in base 2: bit b (from the most significant)
 * is flipped by a pseudo-random bit of the node made of the dimension's
 * seed, b and the b bits above it, which permutes every dyadic interval
 * onto another of the same length. */
static guint32
owen_scramble (guint32 x,
               guint64 seed)
{
  guint32 out = 0;

  for (guint b = 0; b < SOBOL_BITS; b++)
    {
      guint32 prefix = b == 0 ? 0 : x >> (SOBOL_BITS - b);
      guint64 node = ((guint64) b << 32) | prefix;
      guint32 flip = (guint32) (mix64 (node ^ seed) >> 63);
      guint32 bit = (x >> (SOBOL_BITS - 1 - b)) & 1;

      out |= (bit ^ flip) << (SOBOL_BITS - 1 - b);
    }
  return out;
}

static void
reset_state (VernierSobolTuner *self)
{
  g_clear_object (&self->space);
  g_clear_pointer (&self->directions, g_free);
  g_clear_pointer (&self->seeds, g_free);
  self->n_dims = 0;
  self->next = 0;
}

static gboolean
vernier_sobol_tuner_prepare (VernierTuner    *tuner,
                             VernierContext  *context,
                             GError         **error)
{
  VernierSobolTuner *self = VERNIER_SOBOL_TUNER (tuner);
  VernierSpace *space = vernier_context_get_space (context);
  guint64 seed = vernier_context_get_seed (context);
  guint n_dims = vernier_space_get_n_dimensions (space);

  reset_state (self);

  if (vernier_space_is_empty (space))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE,
                   "sobol: the search space has no dimensions");
      return FALSE;
    }
  if (n_dims == 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "sobol cannot search a space of explicit candidates; use "
                   "grid or random for it");
      return FALSE;
    }
  if (n_dims > SOBOL_MAX_DIMENSIONS)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "sobol: the space has %u parameters, but the direction "
                   "numbers cover at most %u dimensions",
                   n_dims, (guint) SOBOL_MAX_DIMENSIONS);
      return FALSE;
    }

  self->space = g_object_ref (space);
  self->n_dims = n_dims;
  self->directions = g_new (guint32, (gsize) n_dims * SOBOL_BITS);
  self->seeds = g_new (guint64, n_dims);
  for (guint d = 0; d < n_dims; d++)
    {
      compute_directions (d, self->directions + (gsize) d * SOBOL_BITS);
      self->seeds[d] = mix64 (mix64 (seed) ^ mix64 (d + G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)));
    }

  /* Unscrambled, the first point is the origin (every parameter at its low
   * bound); scrambled, it is an ordinary random point, and skipping it
   * would unbalance every first 2^k points. */
  self->next = self->skip_first && !self->scramble ? 1 : 0;
  return TRUE;
}

/* Coordinate @d of point @index, in Gray-code order, in [0, 1). */
static gdouble
coordinate (VernierSobolTuner *self,
            guint64            index,
            guint              d)
{
  const guint32 *v = self->directions + (gsize) d * SOBOL_BITS;
  guint32 gray = (guint32) (index ^ (index >> 1));
  guint32 x = 0;

  for (guint k = 0; gray != 0; k++, gray >>= 1)
    if (gray & 1)
      x ^= v[k];
  if (self->scramble)
    x = owen_scramble (x, self->seeds[d]);
  return (gdouble) x / (gdouble) SOBOL_MAX_POINTS;
}

static JsonObject *
vernier_sobol_tuner_suggest (VernierTuner  *tuner,
                             GError       **error)
{
  VernierSobolTuner *self = VERNIER_SOBOL_TUNER (tuner);
  g_autoptr(JsonObject) params = NULL;
  guint64 index;

  if (self->space == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                   "sobol: asked for a suggestion without a successful "
                   "prepare");
      return NULL;
    }
  if (self->next >= SOBOL_MAX_POINTS)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED,
                   "sobol: all 2^32 points of the sequence suggested");
      return NULL;
    }

  index = self->next++;
  params = json_object_new ();
  for (guint d = 0; d < self->n_dims; d++)
    {
      VernierDimension *dim = vernier_space_get_dimension (self->space, d);

      if (vernier_space_is_active (self->space, dim, params))
        json_object_set_member (params, vernier_dimension_get_name (dim),
                                vernier_dimension_value_from_unit (dim,
                                                                   coordinate (self, index, d)));
    }
  return g_steal_pointer (&params);
}

static void
tuner_iface_init (VernierTunerInterface *iface)
{
  iface->prepare = vernier_sobol_tuner_prepare;
  iface->suggest = vernier_sobol_tuner_suggest;
}

static void
vernier_sobol_tuner_finalize (GObject *object)
{
  VernierSobolTuner *self = VERNIER_SOBOL_TUNER (object);

  reset_state (self);

  G_OBJECT_CLASS (vernier_sobol_tuner_parent_class)->finalize (object);
}

static void
vernier_sobol_tuner_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  VernierSobolTuner *self = VERNIER_SOBOL_TUNER (object);

  switch (prop_id)
    {
    case PROP_SCRAMBLE:
      g_value_set_boolean (value, self->scramble);
      break;
    case PROP_SKIP_FIRST:
      g_value_set_boolean (value, self->skip_first);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_sobol_tuner_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  VernierSobolTuner *self = VERNIER_SOBOL_TUNER (object);

  switch (prop_id)
    {
    case PROP_SCRAMBLE:
      self->scramble = g_value_get_boolean (value);
      break;
    case PROP_SKIP_FIRST:
      self->skip_first = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_sobol_tuner_class_init (VernierSobolTunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_sobol_tuner_finalize;
  object_class->get_property = vernier_sobol_tuner_get_property;
  object_class->set_property = vernier_sobol_tuner_set_property;

  /**
   * VernierSobolTuner:scramble:
   *
   * Whether to scramble the sequence (nested uniform scrambling seeded by
   * the study's seed). Unscrambled, every seed gives the same points.
   */
  properties[PROP_SCRAMBLE] =
    g_param_spec_boolean ("scramble", "Scramble",
                          "Owen-scramble the sequence with the study's seed "
                          "(false: the same points for every seed)",
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * VernierSobolTuner:skip-first:
   *
   * Whether to skip the first point of an unscrambled sequence: the origin
   * of the cube, every parameter at its low bound. A scrambled sequence's
   * first point is an ordinary random point: it is kept whatever this
   * says, so that every first 2^k points stay a balanced net.
   */
  properties[PROP_SKIP_FIRST] =
    g_param_spec_boolean ("skip-first", "Skip the first point",
                          "Skip the first point of an unscrambled sequence "
                          "(the origin: every parameter at its low bound); "
                          "a scrambled sequence always keeps it",
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_sobol_tuner_class_finalize (VernierSobolTunerClass *klass)
{
}

static void
vernier_sobol_tuner_init (VernierSobolTuner *self)
{
  self->scramble = TRUE;
  self->skip_first = TRUE;
}

static gboolean
sobol_plugin_register (GTypeModule  *module,
                       GError      **error)
{
  vernier_sobol_tuner_register_type (module);
  vernier_plugin_provide (module, "sobol", VERNIER_TYPE_SOBOL_TUNER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("sobol",
                       "Scrambled Sobol quasi-random sequence, seeded (up to "
                       "128 dimensions)",
                       sobol_plugin_register)
