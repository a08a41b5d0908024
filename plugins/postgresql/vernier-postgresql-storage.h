#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_POSTGRESQL_STORAGE (vernier_postgresql_storage_get_type ())
G_DECLARE_FINAL_TYPE (VernierPostgresqlStorage, vernier_postgresql_storage, VERNIER, POSTGRESQL_STORAGE, GObject)

G_END_DECLS
