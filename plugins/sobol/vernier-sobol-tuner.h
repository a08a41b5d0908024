#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_SOBOL_TUNER (vernier_sobol_tuner_get_type ())
G_DECLARE_FINAL_TYPE (VernierSobolTuner, vernier_sobol_tuner, VERNIER, SOBOL_TUNER, GObject)

G_END_DECLS
