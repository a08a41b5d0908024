#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_PLUGIN_INFO (vernier_plugin_info_get_type ())
G_DECLARE_FINAL_TYPE (VernierPluginInfo, vernier_plugin_info, VERNIER, PLUGIN_INFO, GObject)

VernierPluginInfo *vernier_plugin_info_new_from_file  (const gchar        *path,
                                                       GError            **error);

const gchar       *vernier_plugin_info_get_path        (VernierPluginInfo  *self);
const gchar       *vernier_plugin_info_get_module_path (VernierPluginInfo  *self);
const gchar       *vernier_plugin_info_get_name        (VernierPluginInfo  *self);
const gchar       *vernier_plugin_info_get_description (VernierPluginInfo  *self);
const gchar       *vernier_plugin_info_get_version     (VernierPluginInfo  *self);
guint              vernier_plugin_info_get_abi         (VernierPluginInfo  *self);
const gchar * const *vernier_plugin_info_get_provides  (VernierPluginInfo  *self);
gboolean           vernier_plugin_info_provides        (VernierPluginInfo  *self,
                                                        const gchar        *kind,
                                                        const gchar        *name);

G_END_DECLS
