#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_HYPERBAND_PRUNER (vernier_hyperband_pruner_get_type ())
G_DECLARE_FINAL_TYPE (VernierHyperbandPruner, vernier_hyperband_pruner, VERNIER, HYPERBAND_PRUNER, GObject)

G_GNUC_INTERNAL
void vernier_hyperband_pruner_register (GTypeModule *module);

G_END_DECLS
