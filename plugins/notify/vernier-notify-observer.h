#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_NOTIFY_OBSERVER (vernier_notify_observer_get_type ())
G_DECLARE_FINAL_TYPE (VernierNotifyObserver, vernier_notify_observer, VERNIER, NOTIFY_OBSERVER, GObject)

G_END_DECLS
