#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <gmodule.h>
#include <glib-object.h>

#include "vernier-version.h"

G_BEGIN_DECLS

/**
 * VernierPluginRegisterFunc:
 * @module: the type module that loads the plugin
 * @error: return location for a #GError
 *
 * Registers the plugin's dynamic types with @module (see
 * G_DEFINE_DYNAMIC_TYPE_EXTENDED()) and announces each one it provides with
 * vernier_plugin_provide().
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise
 */
typedef gboolean (*VernierPluginRegisterFunc) (GTypeModule  *module,
                                               GError      **error);

/**
 * VernierPluginDescriptor:
 * @abi_version: the %VERNIER_PLUGIN_ABI_VERSION the plugin was built with
 * @name: the plugin's name, as in its `.plugin` file
 * @description: one line saying what it does
 * @register_func: the function that registers the plugin's types
 *
 * What a plugin's shared object exports under the symbol
 * %VERNIER_PLUGIN_DESCRIPTOR_SYMBOL. Define it with VERNIER_PLUGIN_DEFINE().
 */
typedef struct
{
  guint32                    abi_version;
  const gchar               *name;
  const gchar               *description;
  VernierPluginRegisterFunc  register_func;

  /*< private >*/
  gpointer padding[8];
} VernierPluginDescriptor;

/**
 * VERNIER_PLUGIN_DESCRIPTOR_SYMBOL:
 *
 * The name of the symbol a plugin exports.
 */
#define VERNIER_PLUGIN_DESCRIPTOR_SYMBOL "vernier_plugin_descriptor"

/**
 * VERNIER_PLUGIN_DEFINE:
 * @name: the plugin's name, a string literal
 * @description: one line saying what it does, a string literal
 * @register_func: a #VernierPluginRegisterFunc
 *
 * Defines the descriptor a plugin exports. Use it once in one source file
 * of the plugin:
 *
 * |[<!-- language="C" -->
 * static gboolean
 * my_plugin_register (GTypeModule *module, GError **error)
 * {
 *   my_tuner_register_type (module);
 *   vernier_plugin_provide (module, "my-tuner", MY_TYPE_TUNER);
 *   return TRUE;
 * }
 *
 * VERNIER_PLUGIN_DEFINE ("my-tuner", "A tuner of my own", my_plugin_register)
 * ]|
 */
#define VERNIER_PLUGIN_DEFINE(name, description, register_func)            \
  G_MODULE_EXPORT extern const VernierPluginDescriptor                     \
    vernier_plugin_descriptor;                                             \
  G_MODULE_EXPORT const VernierPluginDescriptor vernier_plugin_descriptor = \
    { VERNIER_PLUGIN_ABI_VERSION, (name), (description), (register_func),  \
      { NULL, } };

void          vernier_plugin_provide          (GTypeModule  *module,
                                               const gchar  *name,
                                               GType         type);
GType         vernier_plugin_lookup_provided  (GTypeModule  *module,
                                               const gchar  *kind,
                                               const gchar  *name);
GStrv         vernier_plugin_dup_provides     (GTypeModule  *module);
const gchar  *vernier_plugin_kind_for_type    (GType         type);

G_END_DECLS
