#include "config.h"

#include <dlfcn.h>

#include "vernier-module.h"

/**
 * VernierModule:
 *
 * A #GTypeModule around a plugin's shared object. It is opened with
 * `dlopen` the first time a study uses the plugin and stays loaded; any
 * failure is kept and returned again, naming the file.
 */
struct _VernierModule
{
  GTypeModule        parent_instance;

  VernierPluginInfo *info;
  gpointer           handle;
  GError            *error;
  gboolean           loaded;
};

G_DEFINE_FINAL_TYPE (VernierModule, vernier_module, G_TYPE_TYPE_MODULE)

static gboolean
check_provides (VernierModule  *self,
                GError        **error)
{
  const gchar *path = vernier_plugin_info_get_path (self->info);
  const gchar * const *declared = vernier_plugin_info_get_provides (self->info);
  g_auto(GStrv) actual = vernier_plugin_dup_provides (G_TYPE_MODULE (self));
  g_autofree gchar *actual_text = g_strjoinv (";", actual);

  for (guint i = 0; declared[i] != NULL; i++)
    if (!g_strv_contains ((const gchar * const *) actual, declared[i]))
      {
        g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                     "%s: Provides lists '%s' but the module registers "
                     "'%s'; fix the Provides line", path, declared[i],
                     actual_text);
        return FALSE;
      }
  for (guint i = 0; actual[i] != NULL; i++)
    if (!g_strv_contains (declared, actual[i]))
      {
        g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                     "%s: the module registers '%s', which its Provides line "
                     "does not list; fix the Provides line", path, actual[i]);
        return FALSE;
      }
  return TRUE;
}

/* GLib reports a type name registered twice with warnings and criticals;
 * while a plugin registers, they become part of its load error instead. */
static void
capture_log (const gchar    *domain,
             GLogLevelFlags  level,
             const gchar    *message,
             gpointer        data)
{
  GString *captured = data;

  g_string_append_printf (captured, "%s%s", captured->len ? "; " : "", message);
}

static gboolean
register_capturing (VernierModule                 *self,
                    const VernierPluginDescriptor *desc,
                    GString                       *captured,
                    GError                       **error)
{
  static const gchar *domains[] = { "GLib-GObject", "GLib" };
  const GLogLevelFlags levels = G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL |
                                G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION;
  guint ids[G_N_ELEMENTS (domains)];
  GLogLevelFlags old_fatal;
  gboolean ok;

  old_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    ids[i] = g_log_set_handler (domains[i], levels, capture_log, captured);

  ok = desc->register_func (G_TYPE_MODULE (self), error);

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    g_log_remove_handler (domains[i], ids[i]);
  g_log_set_always_fatal (old_fatal);
  return ok;
}

static gboolean
load_module (VernierModule  *self,
             GError        **error)
{
  const gchar *path = vernier_plugin_info_get_path (self->info);
  const gchar *module_path = vernier_plugin_info_get_module_path (self->info);
  const VernierPluginDescriptor *desc;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) captured = NULL;

  if (vernier_plugin_info_get_abi (self->info) != VERNIER_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: plugin ABI %u, but this Vernier loads ABI %u; rebuild "
                   "the plugin against this Vernier's SDK", path,
                   vernier_plugin_info_get_abi (self->info),
                   (guint) VERNIER_PLUGIN_ABI_VERSION);
      return FALSE;
    }

  if (!g_file_test (module_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: module %s does not exist", path, module_path);
      return FALSE;
    }

  dlerror ();
  self->handle = dlopen (module_path, RTLD_NOW | RTLD_LOCAL);
  if (self->handle == NULL)
    {
      const gchar *why = dlerror ();

      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: cannot load %s: %s", path, module_path,
                   why ? why : "unknown error");
      return FALSE;
    }

  desc = dlsym (self->handle, VERNIER_PLUGIN_DESCRIPTOR_SYMBOL);
  if (desc == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: %s exports no '" VERNIER_PLUGIN_DESCRIPTOR_SYMBOL
                   "' symbol; define the plugin with VERNIER_PLUGIN_DEFINE()",
                   path, module_path);
      goto fail;
    }

  if (desc->abi_version != VERNIER_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: %s was built for plugin ABI %u, but this Vernier "
                   "loads ABI %u; rebuild it against this Vernier's SDK",
                   path, module_path, desc->abi_version,
                   (guint) VERNIER_PLUGIN_ABI_VERSION);
      goto fail;
    }

  if (desc->register_func == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: %s has no register function", path, module_path);
      goto fail;
    }

  captured = g_string_new (NULL);
  if (!register_capturing (self, desc, captured, &local_error))
    {
      /* Types may be registered already: the module stays open. */
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: the plugin failed to register: %s%s%s", path,
                   local_error ? local_error->message : "no reason given",
                   captured->len ? "; GLib said: " : "", captured->str);
      return FALSE;
    }
  if (captured->len > 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: registering the plugin's types failed (GLib said: %s); "
                   "a type name is probably used by another plugin already: "
                   "give this plugin's types a prefix of their own", path,
                   captured->str);
      return FALSE;
    }

  return check_provides (self, error);

fail:
  dlclose (self->handle);
  self->handle = NULL;
  return FALSE;
}

static gboolean
vernier_module_load (GTypeModule *module)
{
  VernierModule *self = VERNIER_MODULE (module);

  /* Types of a dynamic module stay registered: loading again after an
   * unload only needs the shared object, which is never closed. */
  if (self->loaded)
    return TRUE;
  if (self->error != NULL)
    return FALSE;

  if (!load_module (self, &self->error))
    return FALSE;

  self->loaded = TRUE;
  return TRUE;
}

static void
vernier_module_unload (GTypeModule *module)
{
}

static void
vernier_module_finalize (GObject *object)
{
  VernierModule *self = VERNIER_MODULE (object);

  g_clear_object (&self->info);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (vernier_module_parent_class)->finalize (object);
}

static void
vernier_module_class_init (VernierModuleClass *klass)
{
  GTypeModuleClass *module_class = G_TYPE_MODULE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = vernier_module_finalize;
  module_class->load = vernier_module_load;
  module_class->unload = vernier_module_unload;
}

static void
vernier_module_init (VernierModule *self)
{
}

/**
 * vernier_module_new:
 * @info: the plugin's key file
 *
 * Returns: (transfer full): a module, not loaded yet
 */
VernierModule *
vernier_module_new (VernierPluginInfo *info)
{
  VernierModule *self;

  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (info), NULL);

  self = g_object_new (VERNIER_TYPE_MODULE, NULL);
  self->info = g_object_ref (info);
  g_type_module_set_name (G_TYPE_MODULE (self), vernier_plugin_info_get_name (info));
  return self;
}

/**
 * vernier_module_ensure:
 * @self: a #VernierModule
 * @error: return location for a #GError
 *
 * Loads the module if it is not loaded yet. It then stays loaded for the
 * life of the process.
 *
 * Returns: %TRUE if the module is loaded; %FALSE with
 *   %VERNIER_ERROR_PLUGIN_LOAD naming the file otherwise
 */
gboolean
vernier_module_ensure (VernierModule  *self,
                       GError        **error)
{
  g_return_val_if_fail (VERNIER_IS_MODULE (self), FALSE);

  if (self->loaded)
    return TRUE;

  if (!g_type_module_use (G_TYPE_MODULE (self)))
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      return FALSE;
    }
  /* Keep the use count above zero for good. */
  return TRUE;
}

/**
 * vernier_module_get_info:
 * @self: a #VernierModule
 *
 * Returns: (transfer none): the plugin's key file
 */
VernierPluginInfo *
vernier_module_get_info (VernierModule *self)
{
  g_return_val_if_fail (VERNIER_IS_MODULE (self), NULL);
  return self->info;
}

/**
 * vernier_module_lookup:
 * @self: a loaded #VernierModule
 * @kind: the kind of plugin
 * @name: its name
 *
 * Returns: the type the module registered for @kind:@name, or
 *   %G_TYPE_INVALID
 */
GType
vernier_module_lookup (VernierModule *self,
                       const gchar   *kind,
                       const gchar   *name)
{
  g_return_val_if_fail (VERNIER_IS_MODULE (self), G_TYPE_INVALID);
  return vernier_plugin_lookup_provided (G_TYPE_MODULE (self), kind, name);
}
