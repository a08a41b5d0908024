/* The `vernier` program's settings, read by program_settings_load() from
 * the GSettings schema compiled in the build directory. Each case runs in
 * a subprocess: GLib caches the schema source and the backend. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vernier-program-settings.h"

static gchar *schema_dir;

typedef struct
{
  gchar *tmp;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = g_dir_make_tmp ("vernier-desktop-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const gchar *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree gchar *child = g_build_filename (path, name, NULL);
        remove_tree (child);
      }
  g_remove (path);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  remove_tree (f->tmp);
  g_free (f->tmp);
}

/* The schema from the build directory only, a keyfile backend under the
 * fixture's directory: nothing of the user's own settings leaks in. */
static void
use_build_schema (Fixture *f)
{
  g_autofree gchar *config = g_build_filename (f->tmp, "config", NULL);
  g_autofree gchar *data = g_build_filename (f->tmp, "data", NULL);

  g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  g_setenv ("XDG_DATA_DIRS", data, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
}

static void
test_defaults (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_auto(ProgramSettings) settings = { 0 };

      g_assert_true (program_settings_load (&settings));
      g_assert_nonnull (settings.plugin_dirs);
      g_assert_cmpuint (g_strv_length (settings.plugin_dirs), ==, 0);
      g_assert_cmpint (settings.parallel, ==, 0);
      g_assert_true (settings.notifications);
      return;
    }

  use_build_schema (f);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_user_values (Fixture *f, gconstpointer data)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_auto(ProgramSettings) settings = { 0 };
      const gchar *expected[] = { "/opt/vernier/plugins", "/srv/plugins dir", NULL };

      g_assert_true (program_settings_load (&settings));
      g_assert_cmpstrv (settings.plugin_dirs, expected);
      g_assert_cmpint (settings.parallel, ==, 6);
      g_assert_false (settings.notifications);
      return;
    }

  use_build_schema (f);
  dir = g_build_filename (f->tmp, "config", "glib-2.0", "settings", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "keyfile", NULL);
  g_file_set_contents (path,
                       "[io/github/vernier/Vernier]\n"
                       "plugin-dirs=['/opt/vernier/plugins', '/srv/plugins dir']\n"
                       "parallel=6\n"
                       "notifications=false\n",
                       -1, &error);
  g_assert_no_error (error);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_out_of_range (Fixture *f, gconstpointer data)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GError) error = NULL;

  /* A value outside the schema's range (parallel is 0–4096) is not used. */
  if (g_test_subprocess ())
    {
      g_auto(ProgramSettings) settings = { 0 };

      g_assert_true (program_settings_load (&settings));
      g_assert_cmpint (settings.parallel, ==, 0);
      return;
    }

  use_build_schema (f);
  dir = g_build_filename (f->tmp, "config", "glib-2.0", "settings", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "keyfile", NULL);
  g_file_set_contents (path, "[io/github/vernier/Vernier]\nparallel=-3\n", -1, &error);
  g_assert_no_error (error);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_missing_schema (Fixture *f, gconstpointer data)
{
  /* No schema anywhere: the defaults, and no abort. */
  if (g_test_subprocess ())
    {
      g_auto(ProgramSettings) settings = { 0 };

      g_assert_false (program_settings_load (&settings));
      g_assert_nonnull (settings.plugin_dirs);
      g_assert_cmpuint (g_strv_length (settings.plugin_dirs), ==, 0);
      g_assert_cmpint (settings.parallel, ==, 0);
      g_assert_true (settings.notifications);
      return;
    }

  use_build_schema (f);
  g_setenv ("GSETTINGS_SCHEMA_DIR", f->tmp, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The program searches the plugin-dirs setting's directories: a key file
 * there (a broken one, so that `vernier plugins` names it) is seen. */
static void
test_plugin_dirs_searched (Fixture *f, gconstpointer data)
{
  g_autofree gchar *dir = NULL;
  g_autofree gchar *extra = g_build_filename (f->tmp, "extra plugins", NULL);
  g_autofree gchar *path = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  use_build_schema (f);
  dir = g_build_filename (f->tmp, "config", "glib-2.0", "settings", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (extra, 0700), ==, 0);
  path = g_build_filename (extra, "stray.plugin", NULL);
  g_file_set_contents (path, "[Plugin]\nName=stray\n", -1, &error);
  g_assert_no_error (error);
  g_free (path);
  path = g_build_filename (dir, "keyfile", NULL);
  contents = g_strdup_printf ("[io/github/vernier/Vernier]\nplugin-dirs=['%s']\n", extra);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, g_getenv ("VERNIER_BINARY"), "plugins", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  if (strstr (err, "stray.plugin") == NULL)
    g_test_message ("stderr: %s", err);
  g_assert_nonnull (strstr (err, "stray.plugin"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  schema_dir = g_strdup (g_getenv ("VERNIER_SCHEMA_DIR"));
  if (schema_dir == NULL)
    g_error ("VERNIER_SCHEMA_DIR is not set: run this test with meson test");

  g_test_add ("/vernier/desktop/settings/defaults", Fixture, NULL,
              fixture_set_up, test_defaults, fixture_tear_down);
  g_test_add ("/vernier/desktop/settings/user-values", Fixture, NULL,
              fixture_set_up, test_user_values, fixture_tear_down);
  g_test_add ("/vernier/desktop/settings/out-of-range", Fixture, NULL,
              fixture_set_up, test_out_of_range, fixture_tear_down);
  g_test_add ("/vernier/desktop/settings/missing-schema", Fixture, NULL,
              fixture_set_up, test_missing_schema, fixture_tear_down);
  g_test_add ("/vernier/desktop/settings/plugin-dirs-searched", Fixture, NULL,
              fixture_set_up, test_plugin_dirs_searched, fixture_tear_down);

  return g_test_run ();
}
