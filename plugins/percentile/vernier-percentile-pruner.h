#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_PERCENTILE_PRUNER (vernier_percentile_pruner_get_type ())
G_DECLARE_FINAL_TYPE (VernierPercentilePruner, vernier_percentile_pruner, VERNIER, PERCENTILE_PRUNER, GObject)

G_END_DECLS
