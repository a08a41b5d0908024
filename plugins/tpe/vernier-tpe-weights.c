/* vernier-tpe-weights.c: how the tpe tuner weighs its observations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-tpe-weights.h"

/* Observations that always weigh 1 under the default weights. */
#define FLAT_RECENT 25

static GType tpe_weights_type = G_TYPE_INVALID;

static const GEnumValue tpe_weights_values[] = {
  { VERNIER_TPE_WEIGHTS_DEFAULT, "VERNIER_TPE_WEIGHTS_DEFAULT", "default" },
  { VERNIER_TPE_WEIGHTS_UNIFORM, "VERNIER_TPE_WEIGHTS_UNIFORM", "uniform" },
  { 0, NULL, NULL }
};

/**
 * vernier_tpe_weights_get_type:
 *
 * The enumeration type of #VernierTpeWeights, registered by
 * vernier_tpe_weights_register_type().
 *
 * Returns: the #GType
 */
GType
vernier_tpe_weights_get_type (void)
{
  return tpe_weights_type;
}

/**
 * vernier_tpe_weights_register_type:
 * @module: the plugin's type module
 *
 * Registers the #VernierTpeWeights enumeration with @module.
 */
void
vernier_tpe_weights_register_type (GTypeModule *module)
{
  tpe_weights_type = g_type_module_register_enum (module, "VernierTpeWeights",
                                                  tpe_weights_values);
}

/**
 * vernier_tpe_weights_compute:
 * @weights: the rule
 * @index: the observation's rank by age among @n, 0 for the oldest
 * @n: the number of observations in the estimator
 *
 * The weight of one observation. Under %VERNIER_TPE_WEIGHTS_DEFAULT, with
 * n ≥ 25 the n - 25 oldest observations ramp linearly from 1/n (the
 * oldest) towards 1.
 *
 * Returns: the weight, in (0, 1]
 */
gdouble
vernier_tpe_weights_compute (VernierTpeWeights weights,
                             guint             index,
                             guint             n)
{
  guint n_ramp;

  if (weights == VERNIER_TPE_WEIGHTS_UNIFORM || n < FLAT_RECENT)
    return 1.0;

  n_ramp = n - FLAT_RECENT;
  if (index >= n_ramp)
    return 1.0;
  if (n_ramp == 1)
    return 1.0 / n;
  return 1.0 / n + index * (1.0 - 1.0 / n) / (n_ramp - 1);
}
