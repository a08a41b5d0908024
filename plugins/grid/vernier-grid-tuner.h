#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_GRID_TUNER (vernier_grid_tuner_get_type ())
G_DECLARE_FINAL_TYPE (VernierGridTuner, vernier_grid_tuner, VERNIER, GRID_TUNER, GObject)

G_END_DECLS
