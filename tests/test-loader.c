/* Tests of the plugin loader: the search path, listing from key files
 * alone, and one clear error per way a plugin can be broken, while the
 * other plugins keep working. The broken plugins are built from
 * tests/plugins-broken/. */

#include <unistd.h>

#include "vernier-core.h"

static VernierRegistry *
broken_registry (void)
{
  const gchar *dirs[] = { g_getenv ("VERNIER_BROKEN_PLUGIN_DIR"), NULL };

  g_assert_nonnull (dirs[0]);
  return vernier_registry_new_for_path (dirs);
}

static gboolean
module_is_mapped (const gchar *basename)
{
  g_autofree gchar *maps = NULL;
  g_autofree gchar *needle = g_strdup_printf ("/%s\n", basename);

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, needle) != NULL;
}

static void
test_list_reads_key_files_only (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierRegistry) reg = broken_registry ();
      g_autoptr(GPtrArray) list = vernier_registry_list (reg);
      g_autoptr(GObject) tuner = NULL;

      g_assert_cmpuint (list->len, >, 5);
      g_assert_false (module_is_mapped ("good.so"));
      g_assert_false (module_is_mapped ("wrong-abi.so"));

      tuner = vernier_registry_create (reg, "tuner", "good", NULL);
      g_assert_nonnull (tuner);
      g_assert_true (module_is_mapped ("good.so"));
      g_assert_false (module_is_mapped ("wrong-abi.so"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_list_and_problems (void)
{
  g_autoptr(VernierRegistry) reg = broken_registry ();
  g_autoptr(GPtrArray) list = vernier_registry_list (reg);
  const gchar * const *problems = vernier_registry_get_problems (reg);
  g_autofree gchar *all = g_strjoinv ("\n", (gchar **) problems);
  gboolean found_dup = FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      VernierPluginInfo *info = g_ptr_array_index (list, i);
      const gchar *name = vernier_plugin_info_get_name (info);

      g_assert_cmpstr (name, !=, "malformed");
      if (g_str_equal (name, "dup"))
        {
          g_assert_false (found_dup);
          found_dup = TRUE;
          /* The first on the search path (sorted by file name) wins. */
          g_assert_true (g_str_has_suffix (vernier_plugin_info_get_path (info), "dup-a.plugin"));
        }
    }
  g_assert_true (found_dup);

  g_assert_nonnull (strstr (all, "malformed.plugin"));
  g_assert_nonnull (strstr (all, "Module"));
  g_assert_nonnull (strstr (all, "dup-b.plugin"));
  g_assert_nonnull (strstr (all, "dup-a.plugin"));
}

static void
expect_load_error (const gchar *name,
                   const gchar *file,
                   const gchar *why)
{
  g_autoptr(VernierRegistry) reg = broken_registry ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  g_autoptr(GObject) object = vernier_registry_create (reg, "tuner", name, &error);

  g_assert_null (object);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD);
  g_test_message ("%s: %s", name, error->message);
  g_assert_nonnull (strstr (error->message, file));
  g_assert_nonnull (strstr (error->message, why));

  /* The same error again, not a crash, on a second attempt. */
  g_assert_null (vernier_registry_create (reg, "tuner", name, &again));
  g_assert_error (again, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD);

  /* And the good plugin still works beside it. */
  {
    g_autoptr(GObject) good = vernier_registry_create (reg, "tuner", "good", NULL);
    g_autoptr(JsonObject) params = NULL;

    g_assert_nonnull (good);
    params = vernier_tuner_suggest (VERNIER_TUNER (good), NULL);
    g_assert_nonnull (params);
    g_assert_true (json_object_has_member (params, "x"));
  }
}

static void
test_abi_mismatch (void)
{
  expect_load_error ("wrong-abi", "wrong-abi.plugin", "ABI");
  expect_load_error ("old-abi", "old-abi.plugin", "ABI 0");
}

static void
test_missing_symbol (void)
{
  expect_load_error ("no-descriptor", "no-descriptor.plugin", "vernier_plugin_descriptor");
}

static void
test_not_shared_object (void)
{
  expect_load_error ("not-elf", "not-elf.plugin", "cannot load");
}

static void
test_missing_file (void)
{
  expect_load_error ("missing-module", "missing-module.plugin", "does not exist");
}

static void
test_register_fails (void)
{
  expect_load_error ("register-fails", "register-fails.plugin", "refuses to register");
}

static void
test_provides_mismatch (void)
{
  expect_load_error ("mismatch", "mismatch.plugin", "Provides");
}

static void
test_type_name_clash (void)
{
  g_autoptr(VernierRegistry) reg = broken_registry ();
  g_autoptr(GObject) good = vernier_registry_create (reg, "tuner", "good", NULL);
  g_autoptr(GError) error = NULL;

  /* 'clash' registers a type named like one of 'good': GLib's warnings
   * become the error of the plugin that came second, naming its file. */
  g_assert_nonnull (good);
  g_assert_null (vernier_registry_create (reg, "tuner", "clash", &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD);
  g_assert_nonnull (strstr (error->message, "clash.plugin"));
  g_assert_nonnull (strstr (error->message, "TestGoodTuner"));
  g_assert_nonnull (strstr (error->message, "prefix"));
}

static void
test_unknown_plugin (void)
{
  g_autoptr(VernierRegistry) reg = broken_registry ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) kind_error = NULL;

  g_assert_null (vernier_registry_create (reg, "tuner", "nosuch", &error));
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_PLUGIN_LOAD);
  g_assert_nonnull (strstr (error->message, "'nosuch'"));
  /* It says what is available. */
  g_assert_nonnull (strstr (error->message, "good"));

  g_assert_null (vernier_registry_create (reg, "trainer", "good", &kind_error));
  g_assert_nonnull (strstr (kind_error->message, "not a trainer"));
}

static void
test_search_path (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierRegistry) reg = NULL;
      g_autoptr(GPtrArray) list = NULL;
      const gchar * const *path;

      /* The current directory holds plugins, but is never searched
       * unless named. */
      g_assert_cmpint (chdir (g_getenv ("VERNIER_BROKEN_PLUGIN_DIR")), ==, 0);
      g_setenv ("VERNIER_PLUGIN_SYSTEM_PATH", "/nonexistent-system", TRUE);
      g_setenv ("VERNIER_PLUGIN_PATH", ":/nonexistent-a::/nonexistent-b:", TRUE);
      g_setenv ("XDG_DATA_HOME", "/nonexistent-home", TRUE);

      reg = vernier_registry_new ();
      path = vernier_registry_get_search_path (reg);
      g_assert_cmpuint (g_strv_length ((gchar **) path), ==, 4);
      g_assert_cmpstr (path[0], ==, "/nonexistent-system");
      g_assert_cmpstr (path[1], ==, "/nonexistent-a");
      g_assert_cmpstr (path[2], ==, "/nonexistent-b");
      g_assert_cmpstr (path[3], ==, "/nonexistent-home/vernier/plugins");
      list = vernier_registry_list (reg);
      g_assert_cmpuint (list->len, ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_plugin_path_env (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(VernierRegistry) reg = NULL;
      g_autoptr(GObject) good = NULL;
      g_autoptr(GObject) grid = NULL;

      g_setenv ("VERNIER_PLUGIN_PATH", g_getenv ("VERNIER_BROKEN_PLUGIN_DIR"), TRUE);
      reg = vernier_registry_new ();
      /* Built-in plugins (system path) and the extra directory together. */
      good = vernier_registry_create (reg, "tuner", "good", NULL);
      grid = vernier_registry_create (reg, "tuner", "grid", NULL);
      g_assert_nonnull (good);
      g_assert_nonnull (grid);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_builtins (void)
{
  static const struct { const gchar *kind, *name; GType (*iface) (void); } builtins[] = {
    { "tuner", "grid", vernier_tuner_get_type },
    { "tuner", "random", vernier_tuner_get_type },
    { "trainer", "mock", vernier_trainer_get_type },
    { "trainer", "benchmark", vernier_trainer_get_type },
    { "trainer", "command", vernier_trainer_get_type },
    { "observer", "log", vernier_observer_get_type },
    { "observer", "jsonl", vernier_observer_get_type },
    { "observer", "progress", vernier_observer_get_type },
  };
  g_autoptr(VernierRegistry) reg = vernier_registry_new ();

  g_assert_null (vernier_registry_get_problems (reg)[0]);
  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GObject) object = vernier_registry_create (reg, builtins[i].kind, builtins[i].name, &error);

      g_assert_no_error (error);
      g_assert_true (g_type_is_a (G_OBJECT_TYPE (object), builtins[i].iface ()));
    }
}

static void
test_two_registries_share_modules (void)
{
  g_autoptr(VernierRegistry) a = broken_registry ();
  g_autoptr(VernierRegistry) b = broken_registry ();
  GType ta = vernier_registry_lookup_type (a, "tuner", "good", NULL);
  GType tb = vernier_registry_lookup_type (b, "tuner", "good", NULL);

  g_assert_true (ta != G_TYPE_INVALID);
  g_assert_true (ta == tb);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/loader/list-reads-key-files-only", test_list_reads_key_files_only);
  g_test_add_func ("/vernier/loader/list-and-problems", test_list_and_problems);
  g_test_add_func ("/vernier/loader/abi-mismatch", test_abi_mismatch);
  g_test_add_func ("/vernier/loader/missing-symbol", test_missing_symbol);
  g_test_add_func ("/vernier/loader/not-shared-object", test_not_shared_object);
  g_test_add_func ("/vernier/loader/missing-file", test_missing_file);
  g_test_add_func ("/vernier/loader/register-fails", test_register_fails);
  g_test_add_func ("/vernier/loader/provides-mismatch", test_provides_mismatch);
  g_test_add_func ("/vernier/loader/type-name-clash", test_type_name_clash);
  g_test_add_func ("/vernier/loader/unknown-plugin", test_unknown_plugin);
  g_test_add_func ("/vernier/loader/search-path", test_search_path);
  g_test_add_func ("/vernier/loader/plugin-path-env", test_plugin_path_env);
  g_test_add_func ("/vernier/loader/builtins", test_builtins);
  g_test_add_func ("/vernier/loader/shared-modules", test_two_registries_share_modules);

  return g_test_run ();
}
