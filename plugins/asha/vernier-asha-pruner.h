#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_ASHA_PRUNER (vernier_asha_pruner_get_type ())
G_DECLARE_FINAL_TYPE (VernierAshaPruner, vernier_asha_pruner, VERNIER, ASHA_PRUNER, GObject)

G_END_DECLS
