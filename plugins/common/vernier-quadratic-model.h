/* vernier-quadratic-model.h: a weighted least-squares quadratic model,
 * compiled into the plugins that fit one (tpe, cmaes)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*< private >
 * VernierQuadraticModelKind:
 * @VERNIER_QUADRATIC_MODEL_NONE: no model: too few points
 * @VERNIER_QUADRATIC_MODEL_LINEAR: a constant and m linear terms
 * @VERNIER_QUADRATIC_MODEL_DIAGONAL: the linear model and m squares
 * @VERNIER_QUADRATIC_MODEL_FULL: the diagonal model and the m(m-1)/2
 *   cross products
 *
 * The models that vernier_quadratic_model_fit() chooses from, the
 * poorest first.
 */
typedef enum {
  VERNIER_QUADRATIC_MODEL_NONE,
  VERNIER_QUADRATIC_MODEL_LINEAR,
  VERNIER_QUADRATIC_MODEL_DIAGONAL,
  VERNIER_QUADRATIC_MODEL_FULL,
} VernierQuadraticModelKind;

/*< private >
 * VernierQuadraticModel:
 * @m: the coordinates of a point
 * @kind: the model last fitted, %VERNIER_QUADRATIC_MODEL_NONE if none
 * @n_terms: its number of coefficients, 0 if none
 *
 * A linear, diagonal-quadratic or full quadratic function of m
 * coordinates fitted by weighted least squares: the richest of them that
 * the data determine with 1.1 points per coefficient. Zero-initialise it;
 * vernier_quadratic_model_clear() frees what it holds.
 */
typedef struct {
  guint                     m;
  VernierQuadraticModelKind kind;
  guint                     n_terms;
  /*< private >*/
  gdouble                  *beta;
  gdouble                  *work;
  guint                     cap;
} VernierQuadraticModel;

G_GNUC_INTERNAL
guint                     vernier_quadratic_model_n_terms     (VernierQuadraticModelKind  kind,
                                                               guint                      m);
G_GNUC_INTERNAL
VernierQuadraticModelKind vernier_quadratic_model_choose_kind (VernierQuadraticModelKind  max_kind,
                                                               guint                      m,
                                                               guint                      n);
G_GNUC_INTERNAL
gboolean                  vernier_quadratic_model_fit         (VernierQuadraticModel     *model,
                                                               VernierQuadraticModelKind  max_kind,
                                                               guint                      m,
                                                               const gdouble             *points,
                                                               const gdouble             *values,
                                                               const gdouble             *weights,
                                                               guint                      n);
G_GNUC_INTERNAL
gdouble                   vernier_quadratic_model_predict     (VernierQuadraticModel     *model,
                                                               const gdouble             *point);
G_GNUC_INTERNAL
void                      vernier_quadratic_model_clear       (VernierQuadraticModel     *model);

G_END_DECLS
