/* What the fuzz targets share: quiet logging that still stops at the
 * first warning or critical. */

#include <stdlib.h>

#include "vernier-fuzz.h"

/* Debug and informational messages are dropped: a fuzzer runs millions of
 * inputs, and a message per input would drown its own report. A warning
 * or a critical means an input reached a programmer error: it is written
 * out, and aborts with SIGABRT, which libFuzzer reports with the input
 * (GLib's own fatal messages stop with SIGTRAP, which it does not). */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

/**
 * vernier_fuzz_init:
 *
 * Installs the fuzz targets' log writer, which drops messages and makes
 * warnings and criticals fatal, as the test suite's
 * `G_DEBUG=fatal-warnings` does. Only the first call in a process does
 * anything.
 */
void
vernier_fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
      g_once_init_leave (&done, 1);
    }
}
