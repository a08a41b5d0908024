/* Tests of study files: every group and key, plugin properties of every
 * type, overrides, and a corpus of bad files (tests/data/bad/) whose
 * errors must name the file, the group and the key. Each bad file says
 * what its error must contain in `# expect:` lines (and overrides in
 * `# set:` lines). */

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vernier-core.h"

static gchar *
write_study (const gchar *dir,
             const gchar *name,
             const gchar *text)
{
  gchar *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static gchar *
make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  gchar *dir = g_dir_make_tmp ("vernier-config-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const gchar *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

static void
test_bad_corpus (void)
{
  g_autofree gchar *dir = g_test_build_filename (G_TEST_DIST, "data", "bad", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  const gchar *name;
  guint checked = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree gchar *path = NULL;
      g_autofree gchar *contents = NULL;
      g_autoptr(GPtrArray) expects = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GStrvBuilder) sets = g_strv_builder_new ();
      g_auto(GStrv) overrides = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(VernierConfig) config = NULL;
      g_autoptr(VernierStudy) study = NULL;

      if (!g_str_has_suffix (name, ".ini"))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (g_str_has_prefix (lines[i], "# expect: "))
            g_ptr_array_add (expects, g_strdup (lines[i] + strlen ("# expect: ")));
          else if (g_str_has_prefix (lines[i], "# set: "))
            g_strv_builder_add (sets, lines[i] + strlen ("# set: "));
        }
      overrides = g_strv_builder_end (sets);
      g_assert_cmpuint (expects->len, >, 0);

      config = vernier_config_new_from_file (path, (const gchar * const *) overrides, &error);
      if (config != NULL)
        study = vernier_config_create_study (config, registry, &error);
      g_test_message ("%s → %s", name, error ? error->message : "(no error)");
      g_assert_null (study);
      g_assert_nonnull (error);
      g_assert_true (error->domain == VERNIER_ERROR);
      g_assert_true (error->code == VERNIER_ERROR_INVALID_CONFIG ||
                     error->code == VERNIER_ERROR_PLUGIN_LOAD ||
                     error->code == VERNIER_ERROR_EMPTY_SPACE);
      /* Every message names the file… */
      if (strstr (error->message, name) == NULL)
        g_error ("%s: the error does not name the file: %s", name, error->message);
      /* …and says what its fixture expects. */
      for (guint i = 0; i < expects->len; i++)
        if (strstr (error->message, g_ptr_array_index (expects, i)) == NULL)
          g_error ("%s: expected \"%s\" in: %s", name,
                   (gchar *) g_ptr_array_index (expects, i), error->message);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 40);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_file ("/nonexistent/study.ini", NULL, &error);

  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "/nonexistent/study.ini"));
}

static void
test_params (void)
{
  const gchar *text =
    "[study]\nname=p\nobjective=loss\ndirection=maximize\ntrials=12\nparallel=3\n"
    "time-budget=1h30m\ntrial-timeout=250ms\ntarget=0.99\nseed=18446744073709551615\n"
    "[param lr]\ntype=float\nlow=1e-5\nhigh=0.1\nlog=true\n"
    "[param layers]\ntype=int\nlow=1\nhigh=9\nstep=2\n"
    "[param optimizer]\nchoices=sgd;adam;0.5;true;\"7\"\n"
    "[param momentum]\ntype=float\nlow=0\nhigh=0.99\nstep=0.01\ncondition=optimizer=sgd\n"
    "[tuner]\nplugin=random\n[trainer]\nplugin=mock\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "/studies/p.ini", NULL, &error);
  VernierContext *ctx;
  VernierSpace *space;
  VernierDimension *dim;
  JsonArray *choices;

  g_assert_no_error (error);
  ctx = vernier_config_get_context (config);
  space = vernier_context_get_space (ctx);
  g_assert_cmpstr (vernier_config_get_study_name (config), ==, "p");
  g_assert_cmpstr (vernier_objective_get_name (vernier_context_get_objective (ctx)), ==, "loss");
  g_assert_cmpint (vernier_objective_get_direction (vernier_context_get_objective (ctx)), ==,
                   VERNIER_DIRECTION_MAXIMIZE);
  g_assert_cmpuint (vernier_context_get_seed (ctx), ==, G_MAXUINT64);
  g_assert_cmpstr (vernier_context_get_base_dir (ctx), ==, "/studies");
  g_assert_cmpuint (vernier_space_get_n_dimensions (space), ==, 4);

  dim = vernier_space_get_dimension (space, 0);
  g_assert_cmpstr (vernier_dimension_get_name (dim), ==, "lr");
  g_assert_true (vernier_dimension_get_log (dim));
  g_assert_cmpfloat (vernier_dimension_get_low (dim), ==, 1e-5);

  dim = vernier_space_lookup (space, "layers");
  g_assert_cmpint (vernier_dimension_get_kind (dim), ==, VERNIER_DIMENSION_INT);
  g_assert_cmpuint (vernier_dimension_get_n_points (dim), ==, 5);

  dim = vernier_space_lookup (space, "optimizer");
  choices = vernier_dimension_get_choices (dim);
  g_assert_cmpuint (json_array_get_length (choices), ==, 5);
  g_assert_cmpstr (json_array_get_string_element (choices, 0), ==, "sgd");
  g_assert_cmpfloat (json_array_get_double_element (choices, 2), ==, 0.5);
  g_assert_true (json_array_get_boolean_element (choices, 3));
  g_assert_cmpstr (json_array_get_string_element (choices, 4), ==, "7");

  dim = vernier_space_lookup (space, "momentum");
  g_assert_cmpstr (vernier_dimension_get_condition_parent (dim), ==, "optimizer");
  g_assert_cmpstr (json_node_get_string (vernier_dimension_get_condition_value (dim)), ==, "sgd");
}

static void
test_defaults (void)
{
  const gchar *text = "[study]\n[param x]\ntype=float\nlow=0\nhigh=1\n";
  g_autoptr(VernierConfig) a = vernier_config_new_from_data (text, -1, "/x/my-study.ini", NULL, NULL);
  g_autoptr(VernierConfig) b = vernier_config_new_from_data (text, -1, "/x/my-study.ini", NULL, NULL);
  VernierObjective *objective;

  g_assert_nonnull (a);
  g_assert_cmpstr (vernier_config_get_study_name (a), ==, "my-study");
  objective = vernier_context_get_objective (vernier_config_get_context (a));
  g_assert_cmpstr (vernier_objective_get_name (objective), ==, "value");
  g_assert_cmpint (vernier_objective_get_direction (objective), ==, VERNIER_DIRECTION_MINIMIZE);
  /* Without seed=, each run draws its own. */
  g_assert_cmpuint (vernier_context_get_seed (vernier_config_get_context (a)), !=,
                    vernier_context_get_seed (vernier_config_get_context (b)));
}

static void
test_candidates (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *jsonl = write_study (dir, "more.jsonl",
                                         "{\"x\": 3}\n\n# a comment\n{\"x\": 4, \"y\": \"b\"}\n");
  g_autofree gchar *path = write_study (dir, "c.ini",
    "[study]\n[candidates]\nfirst={\"x\": 1}\nfile=more.jsonl\nlast={\"x\": 5}\n"
    "[tuner]\nplugin=grid\n[trainer]\nplugin=mock\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_file (path, NULL, &error);
  VernierSpace *space;
  const gint64 expected[] = { 1, 3, 4, 5 };

  g_assert_true (g_file_test (jsonl, G_FILE_TEST_IS_REGULAR));
  g_assert_no_error (error);
  space = vernier_context_get_space (vernier_config_get_context (config));
  g_assert_cmpuint (vernier_space_get_n_candidates (space), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (json_object_get_int_member (vernier_space_get_candidate (space, i), "x"),
                     ==, expected[i]);
  g_assert_cmpstr (json_object_get_string_member (vernier_space_get_candidate (space, 2), "y"),
                   ==, "b");
  rm_rf (dir);
}

static void
test_overrides (void)
{
  const gchar *text =
    "[study]\ntrials=100\n[param x]\ntype=float\nlow=0\nhigh=1\n"
    "[tuner 1]\nplugin=grid\ntrials=3\n[tuner 2]\nplugin=random\n[trainer]\nplugin=mock\n";
  const gchar *overrides[] = { "study.trials=5", "param x.high=3", "tuner 1.trials=2",
                               "study.seed = 9", NULL };
  const gchar *bad[] = { "study.trials", NULL };
  const gchar *bad2[] = { "trials=5", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) e1 = NULL, e2 = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "o.ini", overrides, &error);
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(VernierStudy) study = NULL;
  VernierDimension *x;

  g_assert_no_error (error);
  x = vernier_space_lookup (vernier_context_get_space (vernier_config_get_context (config)), "x");
  g_assert_cmpfloat (vernier_dimension_get_high (x), ==, 3);
  g_assert_cmpuint (vernier_context_get_seed (vernier_config_get_context (config)), ==, 9);
  study = vernier_config_create_study (config, registry, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_max_trials (study), ==, 5);

  g_assert_null (vernier_config_new_from_data (text, -1, "o.ini", bad, &e1));
  g_assert_nonnull (strstr (e1->message, "GROUP.KEY=VALUE"));
  g_assert_null (vernier_config_new_from_data (text, -1, "o.ini", bad2, &e2));
  g_assert_nonnull (strstr (e2->message, "trials=5"));
}

static void
test_properties (void)
{
  const gchar *text =
    "[study]\n[param x]\ntype=float\nlow=0\nhigh=1\n"
    "[tuner]\nplugin=grid\npoints=7\nshuffle=yes\n"
    "[trainer]\nplugin=mock\nlatency=1m30s\nfail-rate=0.25\n"
    "[observer a]\nplugin=log\nlevel=debug\n"
    "[observer b]\nplugin=jsonl\npath=out.jsonl\n";
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) grid = NULL, mock = NULL, log = NULL, jsonl = NULL;
  guint points = 0;
  gboolean shuffle = FALSE;
  gint64 latency = 0;
  gdouble fail_rate = 0;
  g_autofree gchar *path = NULL;
  GEnumValue *level;
  GValue value = G_VALUE_INIT;

  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));

  grid = vernier_config_create_plugin (registry, "tuner", kf, "tuner", NULL, "p.ini", &error);
  g_assert_no_error (error);
  g_object_get (grid, "points", &points, "shuffle", &shuffle, NULL);
  g_assert_cmpuint (points, ==, 7);
  g_assert_true (shuffle);

  mock = vernier_config_create_plugin (registry, "trainer", kf, "trainer", NULL, "p.ini", &error);
  g_assert_no_error (error);
  g_object_get (mock, "latency", &latency, "fail-rate", &fail_rate, NULL);
  g_assert_cmpint (latency, ==, 90 * G_USEC_PER_SEC);
  g_assert_cmpfloat (fail_rate, ==, 0.25);

  log = vernier_config_create_plugin (registry, "observer", kf, "observer a", NULL, "p.ini", &error);
  g_assert_no_error (error);
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (G_OBJECT_GET_CLASS (log), "level")));
  g_object_get_property (log, "level", &value);
  level = g_enum_get_value (g_type_class_peek (G_VALUE_TYPE (&value)), g_value_get_enum (&value));
  g_assert_cmpstr (level->value_nick, ==, "debug");
  g_value_unset (&value);

  jsonl = vernier_config_create_plugin (registry, "observer", kf, "observer b", NULL, "p.ini", &error);
  g_assert_no_error (error);
  g_object_get (jsonl, "path", &path, NULL);
  g_assert_cmpstr (path, ==, "out.jsonl");
}

static void
test_strv_property (void)
{
  const gchar *text = "[trainer]\nplugin=command\nargv=python3;train.py;--lr;{lr};a\\;b\n";
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) command = NULL;
  g_auto(GStrv) argv = NULL;

  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
  command = vernier_config_create_plugin (registry, "trainer", kf, "trainer", NULL, "p.ini", &error);
  g_assert_no_error (error);
  g_object_get (command, "argv", &argv, NULL);
  g_assert_cmpuint (g_strv_length (argv), ==, 5);
  g_assert_cmpstr (argv[3], ==, "{lr}");
  g_assert_cmpstr (argv[4], ==, "a;b");
}

static void
test_describe_pspec (void)
{
  g_autoptr(GParamSpec) d = g_param_spec_ref_sink (
    vernier_param_spec_duration ("t", NULL, NULL, 0, G_MAXINT64, 30 * G_USEC_PER_SEC, G_PARAM_READWRITE));
  g_autoptr(GParamSpec) u = g_param_spec_ref_sink (
    g_param_spec_uint ("n", NULL, NULL, 1, 100, 5, G_PARAM_READWRITE));
  g_autofree gchar *dt = vernier_config_describe_pspec (d);
  g_autofree gchar *ut = vernier_config_describe_pspec (u);

  g_assert_cmpstr (dt, ==, "duration, 0s to unlimited, default 30s");
  g_assert_cmpstr (ut, ==, "unsigned integer, 1 to 100, default 5");
}

static void
test_study_settings (void)
{
  const gchar *text =
    "[study]\ntrials=12\nparallel=3\n"
    "[param x]\ntype=float\nlow=0\nhigh=1\n"
    "[tuner]\nplugin=random\n[trainer]\nplugin=mock\n[observer p]\nplugin=progress\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "s.ini", NULL, &error);
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(VernierStudy) study = vernier_config_create_study (config, registry, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (vernier_study_get_max_trials (study), ==, 12);
  g_assert_cmpuint (vernier_study_get_parallel (study), ==, 3);
  g_assert_nonnull (vernier_study_get_trainer (study));
}

static void
test_chain_order (void)
{
  const gchar *text =
    "[study]\ntrials=7\nseed=3\n"
    "[param x]\ntype=int\nlow=0\nhigh=100\n"
    "[candidates]\na={\"x\": 11}\nb={\"x\": 22}\nc={\"x\": 33}\nd={\"x\": 44}\n"
    "[tuner 1]\nplugin=grid\ntrials=2\n"
    "[tuner 2]\nplugin=random\nmax-trials=1\n"
    "[tuner 3]\nplugin=grid\n"
    "[trainer]\nplugin=mock\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "chain.ini", NULL, &error);
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;
  gint64 xs[4];

  g_assert_no_error (error);
  study = vernier_config_create_study (config, registry, &error);
  g_assert_no_error (error);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);

  /* grid gives its 2 (quota), random gives 1 shuffled candidate
   * (max-trials), the last grid gives the candidates not run yet, in
   * order: each configuration once, 4 trials though 7 were allowed. */
  ctx = vernier_study_get_context (study);
  g_assert_cmpuint (vernier_context_get_n_trials (ctx), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      VernierTrial *t = vernier_context_get_trial (ctx, i);
      xs[vernier_trial_get_number (t)] = json_object_get_int_member (vernier_trial_get_params (t), "x");
    }
  g_assert_cmpint (xs[0], ==, 11);
  g_assert_cmpint (xs[1], ==, 22);
  g_assert_true (xs[2] == 33 || xs[2] == 44);
  g_assert_cmpint (xs[3], ==, xs[2] == 33 ? 44 : 33);
}

/* Mistakes only a plugin can see are still found before any trial runs,
 * and named by file and group. */
static void
test_prepare_errors (void)
{
  static const struct { const gchar *trainer; const gchar *expect; } cases[] = {
    { "plugin=benchmark\nfunction=branin\n", "parameter 'y' is missing" },
    { "plugin=command\nargv=vernier-no-such-program;{x}\n", "vernier-no-such-program" },
    { "plugin=command\nargv=/bin/echo;{nosuch}\n", "nosuch" },
  };
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree gchar *text = g_strdup_printf (
        "[study]\ntrials=3\n[param x]\ntype=float\nlow=0\nhigh=1\n"
        "[tuner]\nplugin=random\n[trainer]\n%s", cases[i].trainer);
      g_autoptr(GError) error = NULL;
      g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "/tmp/prep.ini", NULL, &error);
      g_autoptr(VernierStudy) study = NULL;
      g_autoptr(VernierTrial) best = NULL;

      g_assert_no_error (error);
      study = vernier_config_create_study (config, registry, &error);
      g_assert_no_error (error);
      best = vernier_study_run (study, NULL, &error);
      g_assert_null (best);
      g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "/tmp/prep.ini: [trainer]: "));
      g_assert_nonnull (strstr (error->message, cases[i].expect));
      g_assert_cmpuint (vernier_study_get_n_finished (study), ==, 0);
    }
}

static const gchar *
storage_chosen (const gchar         *text,
                const gchar * const *overrides)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "/x/s.ini", overrides, &error);
  g_autoptr(VernierStorage) storage = NULL;

  g_assert_no_error (error);
  storage = vernier_config_create_storage (config, registry, &error);
  g_assert_no_error (error);
  return G_OBJECT_TYPE_NAME (storage);
}

/* storage= in [study] (and so --set study.storage=) wins over a [storage]
 * group, whose properties are then set aside; $VERNIER_STORAGE is the
 * default of files that name none. */
static void
test_storage_precedence (void)
{
  const gchar *base = "[study]\ntrials=1\n[param x]\ntype=float\nlow=0\nhigh=1\n"
                      "[tuner]\nplugin=random\n[trainer]\nplugin=mock\n";
  g_autofree gchar *with_group = g_strconcat (base, "[storage]\nplugin=sqlite\npath=elsewhere.db\n", NULL);
  g_autofree gchar *with_path = g_strconcat (base, "[storage]\npath=elsewhere.db\n", NULL);
  const gchar *to_memory[] = { "study.storage=memory", NULL };

  g_assert_cmpstr (storage_chosen (with_group, NULL), ==, "VernierSqliteStorage");
  g_assert_cmpstr (storage_chosen (with_group, to_memory), ==, "VernierMemoryStorage");
  /* the test environment sets VERNIER_STORAGE=memory */
  g_assert_cmpstr (g_getenv ("VERNIER_STORAGE"), ==, "memory");
  g_assert_cmpstr (storage_chosen (base, NULL), ==, "VernierMemoryStorage");
  g_assert_cmpstr (storage_chosen (with_path, NULL), ==, "VernierMemoryStorage");
  g_setenv ("VERNIER_STORAGE", "", TRUE);
  g_assert_cmpstr (storage_chosen (base, NULL), ==, "VernierSqliteStorage");
  g_assert_cmpstr (storage_chosen (with_path, NULL), ==, "VernierSqliteStorage");
  g_setenv ("VERNIER_STORAGE", "memory", TRUE);
}

/* ---- limits on oversized input ---------------------------------------- */

static void
assert_contains (const gchar *text,
                 const gchar *part)
{
  if (strstr (text, part) == NULL)
    g_error ("'%s' does not contain '%s'", text, part);
}

/* A file of @size bytes, sparse: nothing is written. */
static gchar *
make_sparse_file (const gchar *dir,
                  const gchar *name,
                  goffset      size)
{
  gchar *path = g_build_filename (dir, name, NULL);
  gint fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, size), ==, 0);
  g_assert_true (g_close (fd, NULL));
  return path;
}

/* A study file of 100 MiB is refused before it is read, with its size and
 * the limit; so is one that gives more than the limit without a size
 * (/dev/zero stands for a pipe), text given as data, and a [candidates]
 * file. A file of exactly the limit is read. */
static void
test_limit_file_size (void)
{
  g_autofree gchar *dir = make_tmpdir ();
  g_autofree gchar *big = make_sparse_file (dir, "big.ini", 100 * 1024 * 1024);
  G_GNUC_UNUSED g_autofree gchar *big_candidates = make_sparse_file (dir, "big.jsonl",
                                                       VERNIER_CONFIG_MAX_FILE_SIZE + 1);
  const gchar *study = "[study]\n[param x]\ntype=float\nlow=0\nhigh=1\n"
                       "[tuner]\nplugin=random\n[trainer]\nplugin=mock\n";
  g_autoptr(GString) at_limit = g_string_new (study);
  g_autofree gchar *at_limit_path = NULL;
  g_autofree gchar *with_candidates = NULL;
  g_autofree gchar *with_zero = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;

  config = vernier_config_new_from_file (big, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_test_message ("%s", error->message);
  assert_contains (error->message, big);
  assert_contains (error->message, "104857600 bytes is larger than the 16 MiB a study file may have");
  assert_contains (error->message, "vernier enqueue");
  g_clear_error (&error);

  config = vernier_config_new_from_file ("/dev/zero", NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "/dev/zero: more than the 16 MiB a study file may have");
  g_clear_error (&error);

  config = vernier_config_new_from_file (dir, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "a directory, not a file");
  g_clear_error (&error);

  /* Text given as data: its length is checked the same way. */
  {
    g_autofree gchar *text = g_malloc (VERNIER_CONFIG_MAX_FILE_SIZE + 1);

    memset (text, '#', VERNIER_CONFIG_MAX_FILE_SIZE + 1);
    config = vernier_config_new_from_data (text, VERNIER_CONFIG_MAX_FILE_SIZE + 1, "data.ini",
                                           NULL, &error);
    g_assert_null (config);
    g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
    assert_contains (error->message, "data.ini: 16777217 bytes is larger than the 16 MiB");
    g_clear_error (&error);
  }

  with_candidates = write_study (dir, "candidates.ini",
                                 "[study]\n[candidates]\nfile=big.jsonl\n"
                                 "[tuner]\nplugin=grid\n[trainer]\nplugin=mock\n");
  config = vernier_config_new_from_file (with_candidates, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_test_message ("%s", error->message);
  assert_contains (error->message, "[candidates] file: ");
  assert_contains (error->message, "big.jsonl: 16777217 bytes is larger than the 16 MiB "
                   "a [candidates] file may have");
  g_clear_error (&error);

  with_zero = write_study (dir, "zero.ini",
                           "[study]\n[candidates]\nfile=/dev/zero\n"
                           "[tuner]\nplugin=grid\n[trainer]\nplugin=mock\n");
  config = vernier_config_new_from_file (with_zero, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "/dev/zero: more than the 16 MiB a [candidates] file");
  g_clear_error (&error);

  /* Exactly at the limit, padded with a comment: read. */
  g_string_append_c (at_limit, '#');
  while (at_limit->len < VERNIER_CONFIG_MAX_FILE_SIZE - 1)
    g_string_append_c (at_limit, 'x');
  g_string_append_c (at_limit, '\n');
  g_assert_cmpuint (at_limit->len, ==, VERNIER_CONFIG_MAX_FILE_SIZE);
  at_limit_path = write_study (dir, "at-limit.ini", at_limit->str);
  config = vernier_config_new_from_file (at_limit_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  rm_rf (dir);
}

static guint64
peak_rss_kib (void)
{
  g_autofree gchar *status = NULL;
  const gchar *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* A parameter of 10^6 choices: loaded, and a study of ten trials run with
 * the random tuner, each trial taking one of them; one choice more than
 * the limit of 2^20 is refused, naming the count and the limit. */
static void
test_limit_many_choices (void)
{
  const guint n = 1000000;
  g_autoptr(GString) text = g_string_new ("[study]\ntrials=10\nseed=7\n[param c]\nchoices=");
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierRegistry) registry = vernier_registry_new ();
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;
  VernierContext *ctx;
  VernierDimension *dim;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%sc%u", i > 0 ? ";" : "", i);
  g_string_append (text, "\n[tuner]\nplugin=random\n[trainer]\nplugin=mock\n");

  config = vernier_config_new_from_data (text->str, text->len, "choices.ini", NULL, &error);
  g_assert_no_error (error);
  ctx = vernier_config_get_context (config);
  dim = vernier_space_lookup (vernier_context_get_space (ctx), "c");
  g_assert_cmpuint (vernier_dimension_get_n_choices (dim), ==, n);

  study = vernier_config_create_study (config, registry, &error);
  g_assert_no_error (error);
  best = vernier_study_run (study, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (best);
  ctx = vernier_study_get_context (study);
  g_assert_cmpuint (vernier_context_get_n_trials (ctx), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      VernierTrial *trial = vernier_context_get_trial (ctx, i);

      g_assert_cmpint (vernier_trial_get_state (trial), ==, VERNIER_TRIAL_STATE_COMPLETE);
      g_assert_true (vernier_dimension_validate (dim, json_object_get_member (
        vernier_trial_get_params (trial), "c"), NULL));
    }
  /* For the record (not a threshold): what 10^6 choices cost. */
  g_test_message ("10^6 choices, 10 trials: %.1f s, peak RSS %" G_GUINT64_FORMAT " KiB",
                  (g_get_monotonic_time () - start) / 1e6, peak_rss_kib ());

  g_clear_object (&study);
  g_clear_object (&config);
  g_string_truncate (text, 0);
  g_string_append (text, "[study]\n[param c]\nchoices=");
  for (guint i = 0; i < (1u << 20) + 1; i++)
    g_string_append_printf (text, "%sc%u", i > 0 ? ";" : "", i);
  g_string_append (text, "\n[tuner]\nplugin=random\n[trainer]\nplugin=mock\n");
  config = vernier_config_new_from_data (text->str, text->len, "too-many.ini", NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_test_message ("%s", error->message);
  assert_contains (error->message, "too-many.ini: [param c]: ");
  assert_contains (error->message, "1048577 choices are more than the 1048576");
}

/* A study file of more groups than VERNIER_CONFIG_MAX_GROUPS is refused,
 * one at the limit is read; a key of a megabyte is named in a message of
 * bounded length. */
static void
test_limit_groups (void)
{
  g_autoptr(GString) text = g_string_new ("[study]\n[tuner]\nplugin=random\n[trainer]\nplugin=mock\n");
  g_autofree gchar *long_key = g_strnfill (1024 * 1024, 'k');
  g_autofree gchar *with_long_key = g_strdup_printf ("[study]\n%s=1\n", long_key);
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  guint i;

  for (i = 3; i < VERNIER_CONFIG_MAX_GROUPS; i++)
    g_string_append_printf (text, "[param p%u]\ntype=int\nlow=0\nhigh=%u\n", i, i);
  config = vernier_config_new_from_data (text->str, text->len, "groups.ini", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vernier_space_get_n_dimensions (vernier_context_get_space (
    vernier_config_get_context (config))), ==, VERNIER_CONFIG_MAX_GROUPS - 3);
  g_clear_object (&config);

  g_string_append_printf (text, "[param p%u]\ntype=int\nlow=0\nhigh=1\n", i);
  config = vernier_config_new_from_data (text->str, text->len, "groups.ini", NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_test_message ("%s", error->message);
  assert_contains (error->message, "groups.ini: 10001 groups are more than the 10000");
  g_clear_error (&error);

  config = vernier_config_new_from_data (with_long_key, -1, "long.ini", NULL, &error);
  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, "long.ini: [study] kkkk"));
  assert_contains (error->message, "k…: unknown key");
  g_assert_cmpuint (strlen (error->message), <, 2000);
}

/* Two JSON values in one candidate are refused as such (json-glib is not
 * given them: it leaks on them). */
static void
test_candidates_two_values (void)
{
  const gchar *text = "[study]\n[param x]\ntype=int\nlow=0\nhigh=9\n"
                      "[candidates]\na={\"x\": 1}{\"x\": 2}\n"
                      "[tuner]\nplugin=grid\n[trainer]\nplugin=mock\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = vernier_config_new_from_data (text, -1, "two.ini", NULL, &error);

  g_assert_null (config);
  g_assert_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, "two.ini: [candidates] a: not JSON: more than one "
                   "value (at byte 8); write one candidate per key or per line");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vernier/config/bad-corpus", test_bad_corpus);
  g_test_add_func ("/vernier/config/storage-precedence", test_storage_precedence);
  g_test_add_func ("/vernier/config/missing-file", test_missing_file);
  g_test_add_func ("/vernier/config/params", test_params);
  g_test_add_func ("/vernier/config/defaults", test_defaults);
  g_test_add_func ("/vernier/config/candidates", test_candidates);
  g_test_add_func ("/vernier/config/candidates-two-values", test_candidates_two_values);
  g_test_add_func ("/vernier/config/overrides", test_overrides);
  g_test_add_func ("/vernier/config/properties", test_properties);
  g_test_add_func ("/vernier/config/strv-property", test_strv_property);
  g_test_add_func ("/vernier/config/describe-pspec", test_describe_pspec);
  g_test_add_func ("/vernier/config/study-settings", test_study_settings);
  g_test_add_func ("/vernier/config/chain-order", test_chain_order);
  g_test_add_func ("/vernier/config/prepare-errors", test_prepare_errors);
  g_test_add_func ("/vernier/config/limits/file-size", test_limit_file_size);
  g_test_add_func ("/vernier/config/limits/many-choices", test_limit_many_choices);
  g_test_add_func ("/vernier/config/limits/groups", test_limit_groups);

  return g_test_run ();
}
