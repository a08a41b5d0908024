/* vernier-quadratic-model.c: a weighted least-squares quadratic model,
 * compiled into the plugins that fit one (tpe, cmaes)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <string.h>

#include "vernier-quadratic-model.h"

/**
 * vernier_quadratic_model_n_terms:
 * @kind: a kind of model
 * @m: coordinates
 *
 * The number of coefficients of a @kind model in @m coordinates: m + 1
 * for a linear one, 2m + 1 for a diagonal one, m(m+3)/2 + 1 for a full
 * one.
 *
 * Returns: the number of coefficients, 0 for %VERNIER_QUADRATIC_MODEL_NONE
 */
guint
vernier_quadratic_model_n_terms (VernierQuadraticModelKind kind,
                                 guint                     m)
{
  switch (kind)
    {
    case VERNIER_QUADRATIC_MODEL_LINEAR:
      return m + 1;
    case VERNIER_QUADRATIC_MODEL_DIAGONAL:
      return 2 * m + 1;
    case VERNIER_QUADRATIC_MODEL_FULL:
      return m * (m + 3) / 2 + 1;
    case VERNIER_QUADRATIC_MODEL_NONE:
    default:
      return 0;
    }
}

/**
 * vernier_quadratic_model_choose_kind:
 * @max_kind: the richest model allowed
 * @m: coordinates
 * @n: points
 *
 * The model vernier_quadratic_model_fit() fits on @n points: the richest
 * up to @max_kind with 1.1 points per coefficient or more.
 *
 * Returns: the kind of model, %VERNIER_QUADRATIC_MODEL_NONE when there are
 *   too few points even for a linear one
 */
VernierQuadraticModelKind
vernier_quadratic_model_choose_kind (VernierQuadraticModelKind max_kind,
                                     guint                     m,
                                     guint                     n)
{
  VernierQuadraticModelKind kind = VERNIER_QUADRATIC_MODEL_NONE;

  for (VernierQuadraticModelKind k = VERNIER_QUADRATIC_MODEL_LINEAR; k <= max_kind; k++)
    if ((gdouble) n >= 1.1 * vernier_quadratic_model_n_terms (k, m))
      kind = k;
  return kind;
}

/* The coefficients' features at @z: 1, the coordinates, their squares
 * (diagonal and full), their cross products (full). */
static void
features (VernierQuadraticModelKind  kind,
          guint                      m,
          const gdouble             *z,
          gdouble                   *phi)
{
  guint t = 0;

  phi[t++] = 1.0;
  for (guint i = 0; i < m; i++)
    phi[t++] = z[i];
  if (kind == VERNIER_QUADRATIC_MODEL_LINEAR)
    return;
  for (guint i = 0; i < m; i++)
    phi[t++] = z[i] * z[i];
  if (kind == VERNIER_QUADRATIC_MODEL_DIAGONAL)
    return;
  for (guint i = 0; i < m; i++)
    for (guint j = i + 1; j < m; j++)
      phi[t++] = z[i] * z[j];
}

/* Solves the symmetric positive definite p × p system A·x = b (Cholesky,
 * in place: A becomes its factor, b the solution); FALSE if A is not
 * numerically positive definite. */
static gboolean
cholesky_solve (gdouble *A,
                gdouble *b,
                guint    p)
{
  for (guint j = 0; j < p; j++)
    {
      gdouble d = A[j * p + j];

      for (guint k = 0; k < j; k++)
        d -= A[j * p + k] * A[j * p + k];
      if (!(d > 0) || !isfinite (d))
        return FALSE;
      d = sqrt (d);
      A[j * p + j] = d;
      for (guint i = j + 1; i < p; i++)
        {
          gdouble v = A[i * p + j];

          for (guint k = 0; k < j; k++)
            v -= A[i * p + k] * A[j * p + k];
          A[i * p + j] = v / d;
        }
    }
  for (guint i = 0; i < p; i++)
    {
      gdouble v = b[i];

      for (guint k = 0; k < i; k++)
        v -= A[i * p + k] * b[k];
      b[i] = v / A[i * p + i];
    }
  for (guint i = p; i-- > 0;)
    {
      gdouble v = b[i];

      for (guint k = i + 1; k < p; k++)
        v -= A[k * p + i] * b[k];
      b[i] = v / A[i * p + i];
    }
  return TRUE;
}

/**
 * vernier_quadratic_model_fit:
 * @model: the model
 * @max_kind: the richest model allowed
 * @m: coordinates of a point
 * @points: (array) (transfer none): @n points, @m coordinates each
 * @values: (array length=n) (transfer none): their values
 * @weights: (array length=n) (transfer none): their weights in the least
 *   squares
 * @n: how many
 *
 * Fits the model chosen by vernier_quadratic_model_choose_kind() to the
 * values about their mean, with a ridge small enough not to bias a
 * determined fit (10⁻¹⁰ of the mean diagonal of the normal equations),
 * grown a hundredfold while the system is not numerically positive
 * definite.
 *
 * Returns: %FALSE when there are too few points even for a linear model,
 *   or no ridge makes the system solvable; @model is then of kind
 *   %VERNIER_QUADRATIC_MODEL_NONE
 */
gboolean
vernier_quadratic_model_fit (VernierQuadraticModel     *model,
                             VernierQuadraticModelKind  max_kind,
                             guint                      m,
                             const gdouble             *points,
                             const gdouble             *values,
                             const gdouble             *weights,
                             guint                      n)
{
  VernierQuadraticModelKind kind;
  guint p, need;
  gdouble *M, *rhs, *A, *phi, mean = 0, trace = 0;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (max_kind <= VERNIER_QUADRATIC_MODEL_FULL, FALSE);
  g_return_val_if_fail (n == 0 || (points != NULL && values != NULL && weights != NULL), FALSE);

  kind = vernier_quadratic_model_choose_kind (max_kind, m, n);
  model->m = m;
  model->kind = kind;
  model->n_terms = p = vernier_quadratic_model_n_terms (kind, m);
  if (kind == VERNIER_QUADRATIC_MODEL_NONE)
    return FALSE;

  need = 2 * p * p + 3 * p;
  if (need > model->cap)
    {
      model->work = g_renew (gdouble, model->work, need);
      model->cap = need;
    }
  model->beta = g_renew (gdouble, model->beta, p);
  M = model->work;
  A = M + (gsize) p * p;
  rhs = A + (gsize) p * p;
  phi = rhs + p;
  memset (M, 0, sizeof (gdouble) * p * p);
  memset (rhs, 0, sizeof (gdouble) * p);

  for (guint k = 0; k < n; k++)
    mean += values[k] / n;
  for (guint k = 0; k < n; k++)
    {
      features (kind, m, points + (gsize) k * m, phi);
      for (guint a = 0; a < p; a++)
        {
          gdouble wa = weights[k] * phi[a];

          rhs[a] += wa * (values[k] - mean);
          for (guint b = 0; b <= a; b++)
            M[a * p + b] += wa * phi[b];
        }
    }
  for (guint a = 0; a < p; a++)
    {
      for (guint b = 0; b < a; b++)
        M[b * p + a] = M[a * p + b];
      trace += M[a * p + a];
    }

  for (gdouble ridge = 1e-10 * MAX (trace / p, 1e-300); ridge < 1e300; ridge *= 100)
    {
      memcpy (A, M, sizeof (gdouble) * p * p);
      memcpy (model->beta, rhs, sizeof (gdouble) * p);
      for (guint a = 0; a < p; a++)
        A[a * p + a] += ridge;
      if (cholesky_solve (A, model->beta, p))
        {
          model->beta[0] += mean;
          return TRUE;
        }
    }
  model->kind = VERNIER_QUADRATIC_MODEL_NONE;
  model->n_terms = 0;
  return FALSE;
}

/**
 * vernier_quadratic_model_predict:
 * @model: a model
 * @point: (array) (transfer none): @model's m coordinates
 *
 * The model's value at @point. The features are computed in @model's
 * scratch space: one model serves one caller at a time.
 *
 * Returns: the value, 0 when @model is of kind
 *   %VERNIER_QUADRATIC_MODEL_NONE
 */
gdouble
vernier_quadratic_model_predict (VernierQuadraticModel *model,
                                 const gdouble         *point)
{
  gdouble *phi, value = 0;

  g_return_val_if_fail (model != NULL, 0);

  if (model->n_terms == 0)
    return 0;
  phi = model->work + 2 * (gsize) model->n_terms * model->n_terms + model->n_terms;
  features (model->kind, model->m, point, phi);
  for (guint t = 0; t < model->n_terms; t++)
    value += model->beta[t] * phi[t];
  return value;
}

/**
 * vernier_quadratic_model_clear:
 * @model: the model
 *
 * Frees what @model holds and leaves it of kind
 * %VERNIER_QUADRATIC_MODEL_NONE; it can be fitted again.
 */
void
vernier_quadratic_model_clear (VernierQuadraticModel *model)
{
  g_return_if_fail (model != NULL);

  g_clear_pointer (&model->beta, g_free);
  g_clear_pointer (&model->work, g_free);
  model->cap = 0;
  model->kind = VERNIER_QUADRATIC_MODEL_NONE;
  model->n_terms = 0;
}
