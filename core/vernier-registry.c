#include "config.h"

#include <string.h>

#include "vernier-module.h"
#include "vernier-registry.h"

/**
 * VernierRegistry:
 *
 * Finds plugins on the search path and loads them on demand.
 *
 * The search path is, in order: the installed plugin directory (replaced
 * by `VERNIER_PLUGIN_SYSTEM_PATH` when set), the directories of
 * `VERNIER_PLUGIN_PATH` (colon-separated), and
 * `$XDG_DATA_HOME/vernier/plugins`. The current directory is never searched
 * unless named. Listing plugins reads their `.plugin` key files only; a
 * shared object is opened when a study uses it.
 *
 * When two key files name the same plugin, or provide the same
 * `kind:name`, the first on the search path wins and the other is reported
 * as a problem; a plugin that fails to load fails alone.
 */
struct _VernierRegistry
{
  GObject     parent_instance;

  GStrv       search_path;
  gboolean    scanned;
  GPtrArray  *infos;       /* VernierPluginInfo, search-path order */
  GPtrArray  *problems;    /* gchar*, NULL-terminated */
};

G_DEFINE_FINAL_TYPE (VernierRegistry, vernier_registry, G_TYPE_OBJECT)

static void
vernier_registry_finalize (GObject *object)
{
  VernierRegistry *self = VERNIER_REGISTRY (object);

  g_strfreev (self->search_path);
  g_clear_pointer (&self->infos, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (vernier_registry_parent_class)->finalize (object);
}

static void
vernier_registry_class_init (VernierRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vernier_registry_finalize;
}

static void
vernier_registry_init (VernierRegistry *self)
{
  self->infos = g_ptr_array_new_with_free_func (g_object_unref);
  self->problems = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->problems, NULL);
}

/* Modules are shared by every registry of the process and never
 * finalized: a type registered by a GTypeModule stays registered. */
static GHashTable *
module_cache (void)
{
  static GHashTable *cache;

  if (g_once_init_enter (&cache))
    g_once_init_leave (&cache, g_hash_table_new_full (g_str_hash, g_str_equal,
                                                              g_free, NULL));
  return cache;
}

static void
add_dirs (GStrvBuilder *b,
          const gchar  *list)
{
  g_auto(GStrv) dirs = NULL;

  if (list == NULL)
    return;
  dirs = g_strsplit (list, G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree gchar *abs = NULL;

      if (*dirs[i] == '\0')
        continue;
      abs = g_canonicalize_filename (dirs[i], NULL);
      g_strv_builder_add (b, abs);
    }
}

/**
 * vernier_registry_new:
 *
 * A registry over the default search path (see #VernierRegistry).
 *
 * Returns: (transfer full): a new #VernierRegistry
 */
VernierRegistry *
vernier_registry_new (void)
{
  return vernier_registry_new_with_extra (NULL);
}

/**
 * vernier_registry_new_with_extra:
 * @extra: (nullable) (array zero-terminated=1): more directories, searched
 *   after `VERNIER_PLUGIN_PATH` and before the user's data directory
 *
 * A registry over the default search path with @extra directories, such
 * as the user's `plugin-dirs` setting.
 *
 * Returns: (transfer full): a new #VernierRegistry
 */
VernierRegistry *
vernier_registry_new_with_extra (const gchar * const *extra)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree gchar *user_dir = NULL;
  g_auto(GStrv) dirs = NULL;
  const gchar *system = g_getenv ("VERNIER_PLUGIN_SYSTEM_PATH");

  if (system != NULL)
    add_dirs (b, system);
  else
    g_strv_builder_add (b, VERNIER_PLUGINDIR);
  add_dirs (b, g_getenv ("VERNIER_PLUGIN_PATH"));
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    if (*extra[i] != '\0')
      g_strv_builder_add (b, extra[i]);
  user_dir = g_build_filename (g_get_user_data_dir (), "vernier", "plugins", NULL);
  g_strv_builder_add (b, user_dir);

  dirs = g_strv_builder_end (b);
  return vernier_registry_new_for_path ((const gchar * const *) dirs);
}

/**
 * vernier_registry_new_for_path:
 * @dirs: (array zero-terminated=1): the directories to search, in order
 *
 * A registry over an explicit search path.
 *
 * Returns: (transfer full): a new #VernierRegistry
 */
VernierRegistry *
vernier_registry_new_for_path (const gchar * const *dirs)
{
  VernierRegistry *self;

  g_return_val_if_fail (dirs != NULL, NULL);

  self = g_object_new (VERNIER_TYPE_REGISTRY, NULL);
  self->search_path = g_strdupv ((gchar **) dirs);
  return self;
}

/**
 * vernier_registry_get_search_path:
 * @self: a #VernierRegistry
 *
 * Returns: (transfer none): the directories searched, in order
 */
const gchar * const *
vernier_registry_get_search_path (VernierRegistry *self)
{
  g_return_val_if_fail (VERNIER_IS_REGISTRY (self), NULL);
  return (const gchar * const *) self->search_path;
}

static void
add_problem (VernierRegistry *self,
             gchar           *text)
{
  g_ptr_array_insert (self->problems, self->problems->len - 1, text);
  g_debug ("%s", text);
}

static VernierPluginInfo *
find_conflict (VernierRegistry   *self,
               VernierPluginInfo *info)
{
  const gchar * const *provides = vernier_plugin_info_get_provides (info);

  for (guint i = 0; i < self->infos->len; i++)
    {
      VernierPluginInfo *other = g_ptr_array_index (self->infos, i);

      if (g_str_equal (vernier_plugin_info_get_name (other),
                       vernier_plugin_info_get_name (info)))
        return other;
      for (guint j = 0; provides[j] != NULL; j++)
        if (g_strv_contains (vernier_plugin_info_get_provides (other), provides[j]))
          return other;
    }
  return NULL;
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
scan_dir (VernierRegistry *self,
          const gchar     *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (d == NULL)
    return;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".plugin"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(VernierPluginInfo) info = vernier_plugin_info_new_from_file (path, &error);
      VernierPluginInfo *other;

      if (info == NULL)
        {
          add_problem (self, g_strdup (error->message));
          continue;
        }

      other = find_conflict (self, info);
      if (other != NULL)
        {
          add_problem (self, g_strdup_printf ("%s: plugin '%s' is ignored: %s "
                                              "already provides the same name",
                                              path, vernier_plugin_info_get_name (info),
                                              vernier_plugin_info_get_path (other)));
          continue;
        }

      g_ptr_array_add (self->infos, g_steal_pointer (&info));
    }
}

static void
ensure_scanned (VernierRegistry *self)
{
  if (self->scanned)
    return;
  self->scanned = TRUE;
  for (guint i = 0; self->search_path[i] != NULL; i++)
    scan_dir (self, self->search_path[i]);
}

/**
 * vernier_registry_list:
 * @self: a #VernierRegistry
 *
 * The plugins found, in search-path order, from their key files alone.
 *
 * Returns: (transfer container) (element-type VernierPluginInfo): the
 *   plugins
 */
GPtrArray *
vernier_registry_list (VernierRegistry *self)
{
  GPtrArray *list;

  g_return_val_if_fail (VERNIER_IS_REGISTRY (self), NULL);

  ensure_scanned (self);
  list = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->infos->len; i++)
    g_ptr_array_add (list, g_object_ref (g_ptr_array_index (self->infos, i)));
  return list;
}

/**
 * vernier_registry_get_problems:
 * @self: a #VernierRegistry
 *
 * What went wrong while reading the search path: unreadable or malformed
 * key files, duplicate plugins. Each message names the file.
 *
 * Returns: (transfer none): the messages
 */
const gchar * const *
vernier_registry_get_problems (VernierRegistry *self)
{
  g_return_val_if_fail (VERNIER_IS_REGISTRY (self), NULL);

  ensure_scanned (self);
  return (const gchar * const *) self->problems->pdata;
}

static gchar *
names_of_kind (VernierRegistry *self,
               const gchar     *kind)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree gchar *prefix = g_strconcat (kind, ":", NULL);

  for (guint i = 0; i < self->infos->len; i++)
    {
      const gchar * const *provides =
        vernier_plugin_info_get_provides (g_ptr_array_index (self->infos, i));

      for (guint j = 0; provides[j] != NULL; j++)
        if (g_str_has_prefix (provides[j], prefix))
          g_string_append_printf (s, "%s%s", s->len ? ", " : "",
                                  provides[j] + strlen (prefix));
    }
  if (s->len == 0)
    g_string_append (s, "none");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * vernier_registry_find:
 * @self: a #VernierRegistry
 * @kind: `tuner`, `trainer`, `observer` or `pruner`
 * @name: the plugin name a study file gives
 * @error: return location for a #GError
 *
 * Finds the key file of the plugin that provides @kind:@name.
 *
 * Returns: (transfer none): the plugin info, or %NULL with
 *   %VERNIER_ERROR_PLUGIN_LOAD listing what is available
 */
VernierPluginInfo *
vernier_registry_find (VernierRegistry  *self,
                       const gchar      *kind,
                       const gchar      *name,
                       GError          **error)
{
  g_autofree gchar *available = NULL;
  g_autofree gchar *path = NULL;

  g_return_val_if_fail (VERNIER_IS_REGISTRY (self), NULL);
  g_return_val_if_fail (kind != NULL && name != NULL, NULL);

  ensure_scanned (self);
  for (guint i = 0; i < self->infos->len; i++)
    {
      VernierPluginInfo *info = g_ptr_array_index (self->infos, i);

      if (vernier_plugin_info_provides (info, kind, name))
        return info;
    }

  for (guint i = 0; i < self->infos->len; i++)
    {
      VernierPluginInfo *info = g_ptr_array_index (self->infos, i);

      if (vernier_plugin_info_provides (info, NULL, name))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                       "plugin '%s' (%s) is not a %s", name,
                       vernier_plugin_info_get_path (info), kind);
          return NULL;
        }
    }

  available = names_of_kind (self, kind);
  path = g_strjoinv (":", self->search_path);
  {
    /* A plugin of that name may have been set aside: say why. */
    g_autofree gchar *quoted = g_strdup_printf ("'%s'", name);
    const gchar *why = NULL;

    for (guint i = 0; i + 1 < self->problems->len && why == NULL; i++)
      if (strstr (g_ptr_array_index (self->problems, i), quoted) != NULL)
        why = g_ptr_array_index (self->problems, i);

    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                 "no %s plugin named '%s' (%ss available: %s; searched %s)%s%s",
                 kind, name, kind, available, path,
                 why ? "; note: " : "", why ? why : "");
  }
  return NULL;
}

/**
 * vernier_registry_lookup_type:
 * @self: a #VernierRegistry
 * @kind: `tuner`, `trainer`, `observer` or `pruner`
 * @name: the plugin name
 * @error: return location for a #GError
 *
 * Finds the plugin, loads its shared object if needed, and returns the
 * type it registered for @kind:@name.
 *
 * Returns: the type, or %G_TYPE_INVALID with %VERNIER_ERROR_PLUGIN_LOAD
 */
GType
vernier_registry_lookup_type (VernierRegistry  *self,
                              const gchar      *kind,
                              const gchar      *name,
                              GError          **error)
{
  VernierPluginInfo *info;
  VernierModule *module;
  const gchar *path;
  GType type;

  g_return_val_if_fail (VERNIER_IS_REGISTRY (self), G_TYPE_INVALID);

  info = vernier_registry_find (self, kind, name, error);
  if (info == NULL)
    return G_TYPE_INVALID;

  path = vernier_plugin_info_get_path (info);
  module = g_hash_table_lookup (module_cache (), path);
  if (module == NULL)
    {
      module = vernier_module_new (info);
      g_hash_table_insert (module_cache (), g_strdup (path), module);
    }

  if (!vernier_module_ensure (module, error))
    return G_TYPE_INVALID;

  type = vernier_module_lookup (module, kind, name);
  if (type == G_TYPE_INVALID)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s: the module does not provide %s:%s", path, kind, name);
      return G_TYPE_INVALID;
    }
  return type;
}

/**
 * vernier_registry_create:
 * @self: a #VernierRegistry
 * @kind: `tuner`, `trainer`, `observer` or `pruner`
 * @name: the plugin name
 * @error: return location for a #GError
 *
 * Loads the plugin if needed and creates an instance with default
 * properties.
 *
 * Returns: (transfer full): the new object, or %NULL with
 *   %VERNIER_ERROR_PLUGIN_LOAD
 */
GObject *
vernier_registry_create (VernierRegistry  *self,
                         const gchar      *kind,
                         const gchar      *name,
                         GError          **error)
{
  GType type = vernier_registry_lookup_type (self, kind, name, error);

  if (type == G_TYPE_INVALID)
    return NULL;
  if (G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD,
                   "%s:%s: type %s is abstract", kind, name, g_type_name (type));
      return NULL;
    }
  return g_object_new (type, NULL);
}
