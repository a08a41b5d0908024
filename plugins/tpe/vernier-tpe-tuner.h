#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_TPE_TUNER (vernier_tpe_tuner_get_type ())
G_DECLARE_FINAL_TYPE (VernierTpeTuner, vernier_tpe_tuner, VERNIER, TPE_TUNER, GObject)

G_END_DECLS
