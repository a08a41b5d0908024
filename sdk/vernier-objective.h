#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>

#include "vernier-enums.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_OBJECTIVE (vernier_objective_get_type ())
G_DECLARE_FINAL_TYPE (VernierObjective, vernier_objective, VERNIER, OBJECTIVE, GObject)

VernierObjective  *vernier_objective_new             (const gchar       *name,
                                                      VernierDirection   direction);
const gchar       *vernier_objective_get_name        (VernierObjective  *self);
VernierDirection   vernier_objective_get_direction   (VernierObjective  *self);
gboolean           vernier_objective_is_better       (VernierObjective  *self,
                                                      gdouble            a,
                                                      gdouble            b);
gdouble            vernier_objective_to_loss         (VernierObjective  *self,
                                                      gdouble            value);

G_END_DECLS
