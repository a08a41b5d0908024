#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_SQLITE_STORAGE (vernier_sqlite_storage_get_type ())
G_DECLARE_FINAL_TYPE (VernierSqliteStorage, vernier_sqlite_storage, VERNIER, SQLITE_STORAGE, GObject)

G_END_DECLS
