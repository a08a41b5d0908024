#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_MEDIAN_PRUNER (vernier_median_pruner_get_type ())
G_DECLARE_FINAL_TYPE (VernierMedianPruner, vernier_median_pruner, VERNIER, MEDIAN_PRUNER, GObject)

G_GNUC_INTERNAL
void vernier_median_pruner_register (GTypeModule *module);

G_END_DECLS
