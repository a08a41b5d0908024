#include "config.h"

#include "vernier-error.h"

/**
 * vernier_error_quark:
 *
 * The error domain of Vernier.
 *
 * Returns: the quark of %VERNIER_ERROR
 */
G_DEFINE_QUARK (vernier-error-quark, vernier_error)
