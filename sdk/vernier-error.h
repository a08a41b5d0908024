#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * VERNIER_ERROR:
 *
 * The error domain of Vernier. Errors in this domain are from the
 * #VernierError enumeration.
 */
#define VERNIER_ERROR (vernier_error_quark ())

/**
 * VernierError:
 * @VERNIER_ERROR_TRAINING_FAILED: a trainer could not evaluate a trial
 * @VERNIER_ERROR_TIMED_OUT: a trial ran past its time limit
 * @VERNIER_ERROR_EMPTY_SPACE: the search space has nothing to search
 * @VERNIER_ERROR_EXHAUSTED: a tuner has no configuration left to suggest
 * @VERNIER_ERROR_INVALID_CONFIG: a study file, a property value or a
 *   parameter is invalid
 * @VERNIER_ERROR_PLUGIN_LOAD: a plugin could not be found or loaded
 * @VERNIER_ERROR_INTERNAL: an invariant of Vernier itself was broken
 * @VERNIER_ERROR_PENDING: a tuner cannot suggest before a running trial
 *   finishes (it is asked again when one does)
 * @VERNIER_ERROR_PRUNED: a trial was stopped early by a pruner
 * @VERNIER_ERROR_STORAGE: the study could not be read from or written to
 *   its storage
 * @VERNIER_ERROR_INVALID_PARAMS: parameters are outside the search space
 * @VERNIER_ERROR_INTERRUPTED: the study was stopped by the user
 *
 * Error codes of the %VERNIER_ERROR domain.
 */
typedef enum {
  VERNIER_ERROR_TRAINING_FAILED,
  VERNIER_ERROR_TIMED_OUT,
  VERNIER_ERROR_EMPTY_SPACE,
  VERNIER_ERROR_EXHAUSTED,
  VERNIER_ERROR_INVALID_CONFIG,
  VERNIER_ERROR_PLUGIN_LOAD,
  VERNIER_ERROR_INTERNAL,
  VERNIER_ERROR_PENDING,
  VERNIER_ERROR_PRUNED,
  VERNIER_ERROR_STORAGE,
  VERNIER_ERROR_INVALID_PARAMS,
  VERNIER_ERROR_INTERRUPTED,
} VernierError;

GQuark vernier_error_quark (void);

G_END_DECLS
