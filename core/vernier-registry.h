#pragma once

#include <vernier.h>

#include "vernier-plugin-info.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_REGISTRY (vernier_registry_get_type ())
G_DECLARE_FINAL_TYPE (VernierRegistry, vernier_registry, VERNIER, REGISTRY, GObject)

VernierRegistry   *vernier_registry_new               (void);
VernierRegistry   *vernier_registry_new_with_extra    (const gchar * const *extra);
VernierRegistry   *vernier_registry_new_for_path      (const gchar * const *dirs);

const gchar * const *vernier_registry_get_search_path (VernierRegistry  *self);
GPtrArray         *vernier_registry_list              (VernierRegistry  *self);
const gchar * const *vernier_registry_get_problems    (VernierRegistry  *self);
VernierPluginInfo *vernier_registry_find              (VernierRegistry  *self,
                                                       const gchar      *kind,
                                                       const gchar      *name,
                                                       GError          **error);
GType              vernier_registry_lookup_type       (VernierRegistry  *self,
                                                       const gchar      *kind,
                                                       const gchar      *name,
                                                       GError          **error);
GObject           *vernier_registry_create            (VernierRegistry  *self,
                                                       const gchar      *kind,
                                                       const gchar      *name,
                                                       GError          **error);

G_END_DECLS
