#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_PROGRESS_OBSERVER (vernier_progress_observer_get_type ())
G_DECLARE_FINAL_TYPE (VernierProgressObserver, vernier_progress_observer, VERNIER, PROGRESS_OBSERVER, GObject)

G_END_DECLS
