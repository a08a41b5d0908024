#pragma once

/* The user's defaults for the `vernier` program, from the GSettings
 * schema io.github.vernier.Vernier. Not installed. */

#include <glib.h>

G_BEGIN_DECLS

#define PROGRAM_SETTINGS_SCHEMA_ID "io.github.vernier.Vernier"

typedef struct
{
  gchar    **plugin_dirs;   /* extra plugin directories, after $VERNIER_PLUGIN_PATH */
  gint       parallel;      /* 0: no default of the user's own */
  gboolean   notifications; /* the notify observer may show notifications */
} ProgramSettings;

gboolean program_settings_load  (ProgramSettings *out);
void     program_settings_clear (ProgramSettings *settings);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ProgramSettings, program_settings_clear)

G_END_DECLS
