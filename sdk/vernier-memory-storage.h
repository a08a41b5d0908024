#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include "vernier-storage.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_MEMORY_STORAGE (vernier_memory_storage_get_type ())
G_DECLARE_FINAL_TYPE (VernierMemoryStorage, vernier_memory_storage, VERNIER, MEMORY_STORAGE, GObject)

VernierStorage *vernier_memory_storage_new (void);

G_END_DECLS
