/* vernier-tpe-bandwidth.c: how the tpe tuner's joint estimators choose
 * their bandwidths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-tpe-bandwidth.h"

static GType tpe_bandwidth_type = G_TYPE_INVALID;

static const GEnumValue tpe_bandwidth_values[] = {
  { VERNIER_TPE_BANDWIDTH_SCOTT, "VERNIER_TPE_BANDWIDTH_SCOTT", "scott" },
  { VERNIER_TPE_BANDWIDTH_OPTUNA, "VERNIER_TPE_BANDWIDTH_OPTUNA", "optuna" },
  { 0, NULL, NULL }
};

/**
 * vernier_tpe_bandwidth_get_type:
 *
 * The enumeration type of #VernierTpeBandwidth, registered by
 * vernier_tpe_bandwidth_register_type().
 *
 * Returns: the #GType
 */
GType
vernier_tpe_bandwidth_get_type (void)
{
  return tpe_bandwidth_type;
}

/**
 * vernier_tpe_bandwidth_register_type:
 * @module: the plugin's type module
 *
 * Registers the #VernierTpeBandwidth enumeration with @module.
 */
void
vernier_tpe_bandwidth_register_type (GTypeModule *module)
{
  tpe_bandwidth_type = g_type_module_register_enum (module, "VernierTpeBandwidth",
                                                    tpe_bandwidth_values);
}
