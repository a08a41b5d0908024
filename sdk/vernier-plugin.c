#include "config.h"

#include "vernier-observer.h"
#include "vernier-plugin.h"
#include "vernier-pruner.h"
#include "vernier-storage.h"
#include "vernier-trainer.h"
#include "vernier-tuner.h"

/* What a module provides is kept on the module itself, so that the SDK
 * needs no knowledge of the core's loader. */

typedef struct
{
  gchar *kind;
  gchar *name;
  GType  type;
} Provided;

static void
provided_free (gpointer data)
{
  Provided *p = data;

  g_free (p->kind);
  g_free (p->name);
  g_free (p);
}

static GQuark
provided_quark (void)
{
  static GQuark q;

  if (G_UNLIKELY (q == 0))
    q = g_quark_from_static_string ("vernier-plugin-provided");
  return q;
}

/**
 * vernier_plugin_kind_for_type:
 * @type: a type
 *
 * Which kind of plugin a type is, from the interface it implements.
 *
 * Returns: (nullable): `tuner`, `trainer`, `observer`, `pruner`,
 *   `storage`, or %NULL
 */
const gchar *
vernier_plugin_kind_for_type (GType type)
{
  if (g_type_is_a (type, VERNIER_TYPE_TUNER))
    return "tuner";
  if (g_type_is_a (type, VERNIER_TYPE_TRAINER))
    return "trainer";
  if (g_type_is_a (type, VERNIER_TYPE_OBSERVER))
    return "observer";
  if (g_type_is_a (type, VERNIER_TYPE_PRUNER))
    return "pruner";
  if (g_type_is_a (type, VERNIER_TYPE_STORAGE))
    return "storage";
  return NULL;
}

/**
 * vernier_plugin_provide:
 * @module: the module given to the register function
 * @name: the name a study file uses for it (`plugin=NAME`)
 * @type: the type, implementing one of the plugin interfaces
 *
 * Announces that the plugin provides @type under @name. The kind (tuner,
 * trainer…) is the interface @type implements; it must match the
 * `Provides` line of the plugin's `.plugin` file. A @type that implements
 * no Vernier interface (or %G_TYPE_INVALID, when registering it failed) is
 * reported by the loader as `invalid:NAME`.
 *
 * Type names are global to the process: give a plugin's types a prefix of
 * its own, or a second plugin using the same names fails to load.
 */
void
vernier_plugin_provide (GTypeModule *module,
                        const gchar *name,
                        GType        type)
{
  GPtrArray *list;
  Provided *p;

  g_return_if_fail (G_IS_TYPE_MODULE (module));
  g_return_if_fail (name != NULL);

  list = g_object_get_qdata (G_OBJECT (module), provided_quark ());
  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (provided_free);
      g_object_set_qdata_full (G_OBJECT (module), provided_quark (), list,
                               (GDestroyNotify) g_ptr_array_unref);
    }

  /* Not a programmer error to assert on: a type that failed to register
   * (its name taken by another plugin) arrives here as G_TYPE_INVALID, and
   * the loader reports it, naming the plugin. */
  p = g_new0 (Provided, 1);
  p->kind = g_strdup (type != G_TYPE_INVALID && vernier_plugin_kind_for_type (type) != NULL
                      ? vernier_plugin_kind_for_type (type) : "invalid");
  p->name = g_strdup (name);
  p->type = type;
  g_ptr_array_add (list, p);
}

/**
 * vernier_plugin_lookup_provided:
 * @module: a module whose plugin was registered
 * @kind: `tuner`, `trainer`, `observer` or `pruner`
 * @name: the name given to vernier_plugin_provide()
 *
 * Returns: the type, or %G_TYPE_INVALID if the module does not provide it
 */
GType
vernier_plugin_lookup_provided (GTypeModule *module,
                                const gchar *kind,
                                const gchar *name)
{
  GPtrArray *list;

  g_return_val_if_fail (G_IS_TYPE_MODULE (module), G_TYPE_INVALID);

  list = g_object_get_qdata (G_OBJECT (module), provided_quark ());
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      Provided *p = g_ptr_array_index (list, i);

      if (g_str_equal (p->kind, kind) && g_str_equal (p->name, name))
        return p->type;
    }
  return G_TYPE_INVALID;
}

/**
 * vernier_plugin_dup_provides:
 * @module: a module whose plugin was registered
 *
 * Returns: (transfer full): what the module provides, as `kind:name`
 *   strings
 */
GStrv
vernier_plugin_dup_provides (GTypeModule *module)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  GPtrArray *list;

  g_return_val_if_fail (G_IS_TYPE_MODULE (module), NULL);

  list = g_object_get_qdata (G_OBJECT (module), provided_quark ());
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      Provided *p = g_ptr_array_index (list, i);

      g_autofree gchar *entry = g_strdup_printf ("%s:%s", p->kind, p->name);

      g_strv_builder_add (b, entry);
    }
  return g_strv_builder_end (b);
}
