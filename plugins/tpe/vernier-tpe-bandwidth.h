/* vernier-tpe-bandwidth.h: how the tpe tuner's joint estimators choose
 * their bandwidths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierTpeBandwidth:
 * @VERNIER_TPE_BANDWIDTH_SCOTT: Scott's rule: 1.059 × the weighted
 *   standard deviation of the observations × n^(-1/(d+4)), in each float
 *   dimension, at least [property@VernierTpeTuner:min-bandwidth] × the
 *   width; kernels are normalized densities. Bandwidths shrink as the
 *   good trials gather, so the search narrows onto them.
 * @VERNIER_TPE_BANDWIDTH_OPTUNA: Optuna 3.1's rule: 0.2 × n^(-1/(d+4)) ×
 *   the width, whatever the spread of the observations, clipped by the
 *   magic clip
 *
 * How the joint estimators of a multivariate tpe tuner choose the
 * bandwidths of their float dimensions (integer, stepped and categorical
 * dimensions follow Optuna's rule either way).
 */
typedef enum {
  VERNIER_TPE_BANDWIDTH_SCOTT,
  VERNIER_TPE_BANDWIDTH_OPTUNA,
} VernierTpeBandwidth;

#define VERNIER_TYPE_TPE_BANDWIDTH (vernier_tpe_bandwidth_get_type ())

G_GNUC_INTERNAL
GType    vernier_tpe_bandwidth_get_type      (void);
G_GNUC_INTERNAL
void     vernier_tpe_bandwidth_register_type (GTypeModule *module);

G_END_DECLS
