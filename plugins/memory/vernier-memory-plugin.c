#include <vernier.h>

/* The in-memory storage is part of the SDK (VernierMemoryStorage): the
 * engine uses it when a study has no storage. This module only gives it
 * the name a study file uses, `storage=memory`. */

static gboolean
memory_plugin_register (GTypeModule  *module,
                        GError      **error)
{
  vernier_plugin_provide (module, "memory", VERNIER_TYPE_MEMORY_STORAGE);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("memory", "Keeps the study in memory: nothing is saved", memory_plugin_register)
