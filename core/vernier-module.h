#pragma once

#include <vernier.h>

#include "vernier-plugin-info.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_MODULE (vernier_module_get_type ())
G_DECLARE_FINAL_TYPE (VernierModule, vernier_module, VERNIER, MODULE, GTypeModule)

VernierModule     *vernier_module_new         (VernierPluginInfo  *info);
gboolean           vernier_module_ensure      (VernierModule      *self,
                                               GError            **error);
VernierPluginInfo *vernier_module_get_info    (VernierModule      *self);
GType              vernier_module_lookup      (VernierModule      *self,
                                               const gchar        *kind,
                                               const gchar        *name);

G_END_DECLS
