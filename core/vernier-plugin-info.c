#include "config.h"

#include <string.h>

#include "vernier-plugin-info.h"

/**
 * VernierPluginInfo:
 *
 * What a `NAME.plugin` key file says about a plugin, read without loading
 * its shared object:
 *
 * |[
 * [Plugin]
 * Module=grid.so
 * Name=grid
 * Description=Grid search over the space or the candidates
 * Version=0.1.0
 * Provides=tuner:grid;
 * ABI=1
 * ]|
 */
struct _VernierPluginInfo
{
  GObject  parent_instance;

  gchar   *path;
  gchar   *module_path;
  gchar   *name;
  gchar   *description;
  gchar   *version;
  GStrv    provides;
  guint    abi;
};

G_DEFINE_FINAL_TYPE (VernierPluginInfo, vernier_plugin_info, G_TYPE_OBJECT)

#define GROUP "Plugin"

static void
vernier_plugin_info_finalize (GObject *object)
{
  VernierPluginInfo *self = VERNIER_PLUGIN_INFO (object);

  g_free (self->path);
  g_free (self->module_path);
  g_free (self->name);
  g_free (self->description);
  g_free (self->version);
  g_strfreev (self->provides);

  G_OBJECT_CLASS (vernier_plugin_info_parent_class)->finalize (object);
}

static void
vernier_plugin_info_class_init (VernierPluginInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vernier_plugin_info_finalize;
}

static void
vernier_plugin_info_init (VernierPluginInfo *self)
{
}

static gboolean
is_known_kind (const gchar *kind)
{
  return g_str_equal (kind, "tuner") || g_str_equal (kind, "trainer") ||
         g_str_equal (kind, "observer") || g_str_equal (kind, "pruner") ||
         g_str_equal (kind, "storage");
}

static gchar *
required_string (GKeyFile     *kf,
                 const gchar  *path,
                 const gchar  *key,
                 GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *value = g_key_file_get_string (kf, GROUP, key, &local_error);

  if (value == NULL || *g_strstrip (value) == '\0')
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: [" GROUP "] needs a %s= key", path, key);
      return NULL;
    }
  return g_steal_pointer (&value);
}

/**
 * vernier_plugin_info_new_from_file:
 * @path: (type filename): a `.plugin` key file
 * @error: return location for a #GError
 *
 * Reads a plugin's key file. The shared object is not opened.
 *
 * Returns: (transfer full): the plugin info, or %NULL with
 *   %VERNIER_ERROR_PLUGIN_LOAD naming the file and what is wrong
 */
VernierPluginInfo *
vernier_plugin_info_new_from_file (const gchar  *path,
                                   GError      **error)
{
  g_autoptr(VernierPluginInfo) self = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree gchar *module = NULL;
  g_autofree gchar *dir = NULL;
  g_autofree gchar *abi = NULL;
  gchar *end = NULL;
  guint64 abi_value;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: cannot read the plugin file: %s", path, local_error->message);
      return NULL;
    }
  if (!g_key_file_has_group (kf, GROUP))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: no [" GROUP "] group", path);
      return NULL;
    }

  self = g_object_new (VERNIER_TYPE_PLUGIN_INFO, NULL);
  self->path = g_strdup (path);

  if ((module = required_string (kf, path, "Module", error)) == NULL ||
      (self->name = required_string (kf, path, "Name", error)) == NULL ||
      (abi = required_string (kf, path, "ABI", error)) == NULL)
    return NULL;

  dir = g_path_get_dirname (path);
  self->module_path = g_canonicalize_filename (module, dir);
  self->description = g_key_file_get_locale_string (kf, GROUP, "Description", NULL, NULL);
  if (self->description == NULL)
    self->description = g_strdup ("");
  self->version = g_key_file_get_string (kf, GROUP, "Version", NULL);
  if (self->version == NULL)
    self->version = g_strdup ("");

  abi_value = g_ascii_strtoull (abi, &end, 10);
  if (end == abi || *end != '\0' || abi_value > G_MAXUINT)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: ABI=%s is not a number", path, abi);
      return NULL;
    }
  self->abi = (guint) abi_value;

  self->provides = g_key_file_get_string_list (kf, GROUP, "Provides", NULL, NULL);
  if (self->provides == NULL || self->provides[0] == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: [" GROUP "] needs Provides=KIND:NAME; (KIND is tuner, "
                   "trainer, observer or pruner)", path);
      return NULL;
    }
  for (guint i = 0; self->provides[i] != NULL; i++)
    {
      const gchar *entry = g_strstrip (self->provides[i]);
      const gchar *colon = strchr (entry, ':');
      g_autofree gchar *kind = colon ? g_strndup (entry, colon - entry) : NULL;

      if (colon == NULL || colon[1] == '\0' || !is_known_kind (kind))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                       "%s: Provides entry '%s' is not KIND:NAME with KIND one "
                       "of tuner, trainer, observer, pruner", path, entry);
          return NULL;
        }
    }

  return g_steal_pointer (&self);
}

/**
 * vernier_plugin_info_get_path:
 * @self: a #VernierPluginInfo
 *
 * Returns: (type filename): the `.plugin` file
 */
const gchar *
vernier_plugin_info_get_path (VernierPluginInfo *self)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), NULL);
  return self->path;
}

/**
 * vernier_plugin_info_get_module_path:
 * @self: a #VernierPluginInfo
 *
 * Returns: (type filename): the shared object, resolved against the
 *   `.plugin` file's directory
 */
const gchar *
vernier_plugin_info_get_module_path (VernierPluginInfo *self)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), NULL);
  return self->module_path;
}

/**
 * vernier_plugin_info_get_name:
 * @self: a #VernierPluginInfo
 *
 * Returns: the plugin's name
 */
const gchar *
vernier_plugin_info_get_name (VernierPluginInfo *self)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), NULL);
  return self->name;
}

/**
 * vernier_plugin_info_get_description:
 * @self: a #VernierPluginInfo
 *
 * Returns: the plugin's description, possibly empty
 */
const gchar *
vernier_plugin_info_get_description (VernierPluginInfo *self)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), NULL);
  return self->description;
}

/**
 * vernier_plugin_info_get_version:
 * @self: a #VernierPluginInfo
 *
 * Returns: the plugin's version, possibly empty
 */
const gchar *
vernier_plugin_info_get_version (VernierPluginInfo *self)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), NULL);
  return self->version;
}

/**
 * vernier_plugin_info_get_abi:
 * @self: a #VernierPluginInfo
 *
 * Returns: the ABI version the key file declares
 */
guint
vernier_plugin_info_get_abi (VernierPluginInfo *self)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), 0);
  return self->abi;
}

/**
 * vernier_plugin_info_get_provides:
 * @self: a #VernierPluginInfo
 *
 * Returns: (transfer none): the `kind:name` entries of `Provides`
 */
const gchar * const *
vernier_plugin_info_get_provides (VernierPluginInfo *self)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), NULL);
  return (const gchar * const *) self->provides;
}

/**
 * vernier_plugin_info_provides:
 * @self: a #VernierPluginInfo
 * @kind: (nullable): `tuner`, `trainer`, `observer`, `pruner`, or %NULL for
 *   any
 * @name: a name
 *
 * Returns: %TRUE if the key file says the plugin provides @kind:@name
 */
gboolean
vernier_plugin_info_provides (VernierPluginInfo *self,
                              const gchar       *kind,
                              const gchar       *name)
{
  g_return_val_if_fail (VERNIER_IS_PLUGIN_INFO (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; self->provides[i] != NULL; i++)
    {
      const gchar *entry = self->provides[i];
      const gchar *colon = strchr (entry, ':');
      gsize kind_len = colon - entry;

      if (!g_str_equal (colon + 1, name))
        continue;
      if (kind == NULL || (strlen (kind) == kind_len && strncmp (entry, kind, kind_len) == 0))
        return TRUE;
    }
  return FALSE;
}
