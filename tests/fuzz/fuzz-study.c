/* Fuzz target: a study file, read by the configuration loader and built
 * into a study (space, objective, storage, tuners, trainer, observers,
 * pruners) without running anything.
 *
 * Lines `# set: GROUP.KEY=VALUE` of the input are also given as
 * overrides, as `vernier run --set` gives them (the files of
 * tests/data/bad/ use the same lines). */

#include <string.h>

#include "vernier-core.h"
#include "vernier-fuzz.h"

static VernierRegistry *registry;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_auto(GStrv) dirs = g_strsplit (VERNIER_FUZZ_PLUGIN_PATH, ":", -1);

  vernier_fuzz_init ();
  /* The build tree's plugins only, loaded once for all inputs. */
  registry = vernier_registry_new_for_path ((const gchar * const *) dirs);
  /* Without them, every input would stop at its first plugin group. */
  if (vernier_registry_lookup_type (registry, "trainer", "mock", NULL) == G_TYPE_INVALID)
    g_error ("no plugins in %s: build them first (ninja fuzzers)", VERNIER_FUZZ_PLUGIN_PATH);
  return 0;
}

static GStrv
find_overrides (const gchar *text,
                gsize        length)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  const gchar *end = text + length;
  const gchar *line = text;

  while (line < end)
    {
      const gchar *eol = memchr (line, '\n', end - line);

      if (eol == NULL)
        eol = end;
      if (g_str_has_prefix (line, "# set: ") && eol - line > 7)
        g_ptr_array_add (found, g_strndup (line + 7, eol - line - 7));
      line = eol + 1;
    }
  return (GStrv) g_ptr_array_steal (found, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* All the bytes, NULs included, as a file holds them; and a NUL after
   * them, so that the prefix tests above stay inside. */
  g_autofree gchar *text = g_malloc (size + 1);
  g_auto(GStrv) overrides = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(GError) error = NULL;

  memcpy (text, data, size);
  text[size] = '\0';
  overrides = find_overrides (text, size);

  /* A directory that does not exist: relative paths in the input
   * resolve to nothing. */
  config = vernier_config_new_from_data (text, size, "/nonexistent/vernier-fuzz/study.ini",
                                         (const gchar * const *) overrides, &error);
  if (config == NULL)
    {
      g_assert (error != NULL && error->domain == VERNIER_ERROR);
      return 0;
    }

  study = vernier_config_create_study (config, registry, &error);
  g_assert ((study == NULL) == (error != NULL));
  g_assert (error == NULL || error->domain == VERNIER_ERROR);
  return 0;
}
