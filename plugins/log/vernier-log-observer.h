#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierLogObserverLevel:
 * @VERNIER_LOG_OBSERVER_LEVEL_DEBUG: %G_LOG_LEVEL_DEBUG (nick `debug`)
 * @VERNIER_LOG_OBSERVER_LEVEL_INFO: %G_LOG_LEVEL_INFO (nick `info`)
 * @VERNIER_LOG_OBSERVER_LEVEL_MESSAGE: %G_LOG_LEVEL_MESSAGE (nick `message`)
 *
 * The GLib log level the `log` observer logs trial events at.
 */
typedef enum {
  VERNIER_LOG_OBSERVER_LEVEL_DEBUG,
  VERNIER_LOG_OBSERVER_LEVEL_INFO,
  VERNIER_LOG_OBSERVER_LEVEL_MESSAGE,
} VernierLogObserverLevel;

#define VERNIER_TYPE_LOG_OBSERVER_LEVEL (vernier_log_observer_level_get_type ())
GType vernier_log_observer_level_get_type (void) G_GNUC_CONST;

#define VERNIER_TYPE_LOG_OBSERVER (vernier_log_observer_get_type ())
G_DECLARE_FINAL_TYPE (VernierLogObserver, vernier_log_observer, VERNIER, LOG_OBSERVER, GObject)

G_END_DECLS
