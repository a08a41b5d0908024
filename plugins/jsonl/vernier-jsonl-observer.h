#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_JSONL_OBSERVER (vernier_jsonl_observer_get_type ())
G_DECLARE_FINAL_TYPE (VernierJsonlObserver, vernier_jsonl_observer, VERNIER, JSONL_OBSERVER, GObject)

G_END_DECLS
