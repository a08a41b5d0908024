/* Replays the fuzz targets' seed corpus (tests/fuzz/corpus/TARGET/) and
 * the inputs that once failed (tests/fuzz/regressions/TARGET/) through
 * each target, built with any compiler: what a fuzzer found stays fixed
 * on every `meson test`. */

#include <glib.h>

#include "vernier-fuzz.h"

typedef struct
{
  const gchar *name;
  int        (*initialize)     (int *argc, char ***argv);
  int        (*test_one_input) (const uint8_t *data, size_t size);
} Target;

/* Each target's entry points, renamed by meson.build. */
int vernier_fuzz_study_initialize           (int *argc, char ***argv);
int vernier_fuzz_study_test_one_input       (const uint8_t *data, size_t size);
int vernier_fuzz_metric_line_initialize     (int *argc, char ***argv);
int vernier_fuzz_metric_line_test_one_input (const uint8_t *data, size_t size);
int vernier_fuzz_params_initialize          (int *argc, char ***argv);
int vernier_fuzz_params_test_one_input      (const uint8_t *data, size_t size);

static const Target targets[] = {
  { "study", vernier_fuzz_study_initialize, vernier_fuzz_study_test_one_input },
  { "metric-line", vernier_fuzz_metric_line_initialize, vernier_fuzz_metric_line_test_one_input },
  { "params", vernier_fuzz_params_initialize, vernier_fuzz_params_test_one_input },
};

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

/* Runs every file of @dir through @target; a missing directory has none. */
static guint
replay_dir (const Target *target,
            const gchar  *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  /* In the same order on every file system. */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree gchar *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_autofree gchar *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %s", target->name, path);
      g_assert_cmpint (target->test_one_input ((const uint8_t *) contents, length), ==, 0);
    }
  return names->len;
}

static void
test_replay (gconstpointer data)
{
  const Target *target = data;
  g_autofree gchar *corpus = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus",
                                                    target->name, NULL);
  g_autofree gchar *regressions = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions",
                                                         target->name, NULL);
  guint n_seeds;
  guint n_regressions;

  g_assert_cmpint (target->initialize (NULL, NULL), ==, 0);
  n_seeds = replay_dir (target, corpus);
  n_regressions = replay_dir (target, regressions);
  g_test_message ("%s: %u seeds, %u regressions", target->name, n_seeds, n_regressions);
  /* A target without a seed corpus would be fuzzed from nothing. */
  g_assert_cmpuint (n_seeds, >=, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("/vernier/fuzz/%s/replay", targets[i].name);

      g_test_add_data_func (path, &targets[i], test_replay);
    }
  return g_test_run ();
}
