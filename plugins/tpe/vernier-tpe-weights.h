/* vernier-tpe-weights.h: how the tpe tuner weighs its observations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierTpeWeights:
 * @VERNIER_TPE_WEIGHTS_DEFAULT: the 25 most recent observations of an
 *   estimator weigh 1, older ones less and less (a linear ramp down to
 *   1/n for the oldest): Optuna's `default_weights`
 * @VERNIER_TPE_WEIGHTS_UNIFORM: every observation weighs 1
 *
 * The weights of the observations in the tpe tuner's Parzen estimators,
 * by age (trial number).
 */
typedef enum {
  VERNIER_TPE_WEIGHTS_DEFAULT,
  VERNIER_TPE_WEIGHTS_UNIFORM,
} VernierTpeWeights;

#define VERNIER_TYPE_TPE_WEIGHTS (vernier_tpe_weights_get_type ())

G_GNUC_INTERNAL
GType    vernier_tpe_weights_get_type      (void);
G_GNUC_INTERNAL
void     vernier_tpe_weights_register_type (GTypeModule       *module);
G_GNUC_INTERNAL
gdouble  vernier_tpe_weights_compute       (VernierTpeWeights  weights,
                                            guint              index,
                                            guint              n);

G_END_DECLS
