#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_RANDOM_TUNER (vernier_random_tuner_get_type ())
G_DECLARE_FINAL_TYPE (VernierRandomTuner, vernier_random_tuner, VERNIER, RANDOM_TUNER, GObject)

G_END_DECLS
