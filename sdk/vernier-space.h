#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "vernier-dimension.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_SPACE (vernier_space_get_type ())
G_DECLARE_FINAL_TYPE (VernierSpace, vernier_space, VERNIER, SPACE, GObject)

VernierSpace      *vernier_space_new                 (void);

gboolean           vernier_space_add                 (VernierSpace      *self,
                                                      VernierDimension  *dimension,
                                                      GError           **error);
guint              vernier_space_get_n_dimensions    (VernierSpace      *self);
VernierDimension  *vernier_space_get_dimension       (VernierSpace      *self,
                                                      guint              index);
VernierDimension  *vernier_space_lookup              (VernierSpace      *self,
                                                      const gchar       *name);

gboolean           vernier_space_add_candidate       (VernierSpace      *self,
                                                      JsonObject        *params,
                                                      GError           **error);
guint              vernier_space_get_n_candidates    (VernierSpace      *self);
JsonObject        *vernier_space_get_candidate       (VernierSpace      *self,
                                                      guint              index);

gboolean           vernier_space_is_empty            (VernierSpace      *self);
gboolean           vernier_space_is_active           (VernierSpace      *self,
                                                      VernierDimension  *dimension,
                                                      JsonObject        *params);
gboolean           vernier_space_validate            (VernierSpace      *self,
                                                      JsonObject        *params,
                                                      GError           **error);
gchar             *vernier_space_fingerprint         (VernierSpace      *self);

G_END_DECLS
