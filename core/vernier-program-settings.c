/* vernier-program-settings.c: the user's defaults, read from GSettings
 * when the schema is installed (or found through GSETTINGS_SCHEMA_DIR). */

#include "config.h"

#include <gio/gio.h>

#include "vernier-program-settings.h"

static void
program_settings_init_defaults (ProgramSettings *settings)
{
  settings->plugin_dirs = g_new0 (gchar *, 1);
  settings->parallel = 0;
  settings->notifications = TRUE;
}

/**
 * program_settings_load:
 * @out: (out caller-allocates): where to store the settings
 *
 * Fills @out with the user's settings of the `vernier` program, from the
 * GSettings schema `io.github.vernier.Vernier`. The schema is looked up
 * in the default schema source first, so a missing schema (an
 * uninstalled build, a system without it) is never fatal: @out then
 * holds the defaults (no extra plugin directory, `parallel` 0,
 * notifications on). A key the installed schema lacks, or whose type
 * differs, keeps its default too.
 *
 * Free the contents with program_settings_clear().
 *
 * Returns: %TRUE if the schema was found and read, %FALSE if @out holds
 *   the defaults because it was not
 */
gboolean
program_settings_load (ProgramSettings *out)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  g_return_val_if_fail (out != NULL, FALSE);

  program_settings_init_defaults (out);

  source = g_settings_schema_source_get_default ();
  if (source == NULL)
    return FALSE;
  schema = g_settings_schema_source_lookup (source, PROGRAM_SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    return FALSE;

  settings = g_settings_new_full (schema, NULL, NULL);

  if (g_settings_schema_has_key (schema, "plugin-dirs"))
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "plugin-dirs");

      if (g_variant_type_equal (g_settings_schema_key_get_value_type (key),
                                G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_strfreev (out->plugin_dirs);
          out->plugin_dirs = g_settings_get_strv (settings, "plugin-dirs");
        }
    }

  if (g_settings_schema_has_key (schema, "parallel"))
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "parallel");

      if (g_variant_type_equal (g_settings_schema_key_get_value_type (key),
                                G_VARIANT_TYPE_INT32))
        out->parallel = MAX (g_settings_get_int (settings, "parallel"), 0);
    }

  if (g_settings_schema_has_key (schema, "notifications"))
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "notifications");

      if (g_variant_type_equal (g_settings_schema_key_get_value_type (key),
                                G_VARIANT_TYPE_BOOLEAN))
        out->notifications = g_settings_get_boolean (settings, "notifications");
    }

  return TRUE;
}

/**
 * program_settings_clear:
 * @settings: settings filled by program_settings_load()
 *
 * Frees what @settings holds (not @settings itself) and resets it to
 * zeroes; calling it again is harmless.
 */
void
program_settings_clear (ProgramSettings *settings)
{
  g_return_if_fail (settings != NULL);

  g_clear_pointer (&settings->plugin_dirs, g_strfreev);
  settings->parallel = 0;
  settings->notifications = FALSE;
}
