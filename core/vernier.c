/* vernier: the host program. Reads a study file, loads the plugins it
 * names, runs the study on the main loop, and prints the result. */

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "vernier-program.h"
#include "vernier-program-settings.h"
#include "vernier-study-export.h"

typedef struct
{
  GMainLoop    *loop;
  VernierStudy *study;
  GAsyncResult *result;
  gint          signal_number;
} RunState;

void
program_print_error (const gchar *message)
{
  g_printerr ("vernier: %s\n", message);
}

gint
program_usage_error (const gchar *message)
{
  g_printerr ("vernier: %s\nTry '%s --help' for more information.\n",
              message, g_get_prgname ());
  return EXIT_USAGE;
}

gboolean
program_parse_options (GOptionContext   *context,
               gint             *argc,
               gchar          ***argv,
               gint             *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = program_usage_error (error->message);
      return FALSE;
    }
  return TRUE;
}

/* The plugins' registry, with the user's plugin-dirs setting. */
VernierRegistry *
program_registry_new (void)
{
  g_auto(ProgramSettings) settings = { 0, };

  program_settings_load (&settings);
  return vernier_registry_new_with_extra ((const gchar * const *) settings.plugin_dirs);
}

/* ---- run -------------------------------------------------------------- */

static gboolean
on_signal (gpointer data)
{
  RunState *state = data;
  gint signum = state->signal_number;
  g_autoptr(GError) reason = NULL;

  if (!vernier_study_is_running (state->study))
    return G_SOURCE_CONTINUE;

  reason = g_error_new (VERNIER_ERROR, VERNIER_ERROR_INTERRUPTED,
                        "study '%s' interrupted by %s",
                        vernier_study_get_name (state->study),
                        signum == SIGINT ? "SIGINT" : "SIGTERM");
  g_printerr ("\nvernier: %s; stopping the running trials…\n", reason->message);
  vernier_study_cancel (state->study, reason);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer data)
{
  RunState *state = data;

  if (state->signal_number == 0)
    state->signal_number = SIGINT;
  return on_signal (data);
}

static gboolean
on_sigterm (gpointer data)
{
  RunState *state = data;

  if (state->signal_number == 0)
    state->signal_number = SIGTERM;
  return on_signal (data);
}

static void
on_trial_failed (VernierStudy *study,
                 VernierTrial *trial,
                 gpointer      data)
{
  const gchar *message = vernier_trial_get_error_message (trial);
  g_autofree gchar *prefix = g_strdup_printf ("trial %u", vernier_trial_get_number (trial));

  /* Messages usually name their trial already. */
  if (message != NULL && g_str_has_prefix (message, prefix))
    g_printerr ("vernier: %s\n", message);
  else
    g_printerr ("vernier: %s %s: %s\n", prefix,
                vernier_trial_state_to_nick (vernier_trial_get_state (trial)),
                message ? message : "no reason given");
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  RunState *state = data;

  state->result = g_object_ref (result);
  g_main_loop_quit (state->loop);
}

void
program_print_params (JsonObject *params)
{
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, params);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree gchar *text = vernier_json_to_string (value, FALSE);

      g_print ("  %s = %s\n", name, text);
    }
}

static void
print_result_json (VernierStudy *study,
                   VernierTrial *best,
                   const GError *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree gchar *text = NULL;
  static const struct { const gchar *key; VernierTrialState state; } counts[] = {
    { "complete", VERNIER_TRIAL_STATE_COMPLETE },
    { "pruned", VERNIER_TRIAL_STATE_PRUNED },
    { "failed", VERNIER_TRIAL_STATE_FAILED },
    { "timed-out", VERNIER_TRIAL_STATE_TIMED_OUT },
  };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "study");
  json_builder_add_string_value (b, vernier_study_get_name (study));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, error == NULL ? "finished" : "failed");
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
    }
  json_builder_set_member_name (b, "trials");
  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      json_builder_set_member_name (b, counts[i].key);
      json_builder_add_int_value (b, vernier_study_count_state (study, counts[i].state));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "resumed");
  json_builder_add_int_value (b, vernier_study_get_n_resumed (study));
  json_builder_set_member_name (b, "seed");
  {
    /* A string: 64-bit seeds exceed what JSON numbers carry exactly. */
    g_autofree gchar *seed = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                              vernier_context_get_seed (vernier_study_get_context (study)));

    json_builder_add_string_value (b, seed);
  }
  json_builder_set_member_name (b, "elapsed");
  json_builder_add_double_value (b, vernier_study_get_elapsed (study) / 1e6);
  json_builder_set_member_name (b, "best");
  if (best != NULL)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "number");
      json_builder_add_int_value (b, vernier_trial_get_number (best));
      json_builder_set_member_name (b, "value");
      json_builder_add_double_value (b, vernier_trial_get_value (best));
      json_builder_set_member_name (b, "params");
      json_builder_add_value (b, json_node_init_object (json_node_alloc (),
                                                        vernier_trial_get_params (best)));
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  text = vernier_json_to_string (root, FALSE);
  g_print ("%s\n", text);
}

/* For people: 850ms, 12.3s, 4m05s, 2h13m. */
static gchar *
format_elapsed (gint64 usec)
{
  gint64 seconds = (usec + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC;

  if (usec < G_USEC_PER_SEC)
    return g_strdup_printf ("%" G_GINT64_FORMAT "ms", (usec + 500) / 1000);
  if (usec < 60 * G_USEC_PER_SEC)
    return g_strdup_printf ("%.1fs", usec / 1e6);
  if (seconds < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m%02" G_GINT64_FORMAT "s",
                            seconds / 60, seconds % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m",
                          seconds / 3600, (seconds / 60) % 60);
}

static void
print_result_text (VernierStudy *study,
                   VernierTrial *best,
                   const GError *error)
{
  VernierObjective *objective = vernier_context_get_objective (vernier_study_get_context (study));
  g_autofree gchar *elapsed = format_elapsed (vernier_study_get_elapsed (study));

  guint resumed = vernier_study_get_n_resumed (study);
  g_autofree gchar *this_run = resumed > 0
    ? g_strdup_printf (" (%u in this run)", vernier_study_get_n_finished (study) - resumed)
    : g_strdup ("");

  g_print ("Study '%s' %s after %u trials%s in %s: %u complete, %u pruned, "
           "%u failed, %u timed out.\n",
           vernier_study_get_name (study), error ? "failed" : "finished",
           vernier_study_get_n_finished (study), this_run, elapsed,
           vernier_study_count_state (study, VERNIER_TRIAL_STATE_COMPLETE),
           vernier_study_count_state (study, VERNIER_TRIAL_STATE_PRUNED),
           vernier_study_count_state (study, VERNIER_TRIAL_STATE_FAILED),
           vernier_study_count_state (study, VERNIER_TRIAL_STATE_TIMED_OUT));
  if (best != NULL)
    {
      g_print ("Best trial %u: %s = %.10g\n", vernier_trial_get_number (best),
               vernier_objective_get_name (objective), vernier_trial_get_value (best));
      program_print_params (vernier_trial_get_params (best));
    }
}

static gint
run_study (gint      argc,
           gchar   **argv,
           gboolean  worker)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) overrides = NULL;
  gboolean json = FALSE;
  gboolean quiet = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierRegistry) registry = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStudy) study = NULL;
  g_autoptr(VernierTrial) best = NULL;
  g_autoptr(GApplication) app = NULL;
  g_autoptr(VernierStudyExport) study_export = NULL;
  RunState state = { 0, };
  guint sigint_id, sigterm_id;
  gint status = 0;
  const GOptionEntry entries[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &overrides,
      "Override a key of the study file (repeatable)", "GROUP.KEY=VALUE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "Print the result as one JSON object on stdout", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "Do not report failed trials on stderr", NULL },
    { NULL }
  };

  context = g_option_context_new (worker ? "FILE — work on a shared study" : "FILE — run a study");
  g_option_context_add_main_entries (context, entries, NULL);
  if (worker)
    g_option_context_set_summary (context,
      "Runs trials of the study described by the key file FILE together with\n"
      "the other workers of the same study, on this machine or on others:\n"
      "start one per machine (or several). Workers share the study through\n"
      "its storage: each claims the next trial atomically, so no grid point\n"
      "runs twice and the budget is kept exactly; every worker's tuners see\n"
      "every worker's results; a worker takes over the trials of a worker\n"
      "that stopped sending heartbeats ([study] heartbeat=, retries=). It\n"
      "returns when the study's budget is spent and no other worker has a\n"
      "trial running. Use storage=postgresql for many machines; sqlite works\n"
      "for several workers on one machine.");
  else
    g_option_context_set_summary (context,
      "Runs the study described by the key file FILE: asks the tuners for\n"
      "parameters, evaluates them with the trainer, up to [study] parallel at\n"
      "once, until the budget (trials, time-budget, target) is spent or the\n"
      "tuners have nothing more to suggest. Prints the best trial at the end.\n"
      "\n"
      "Every trial is saved in the study's storage (by default NAME.db beside\n"
      "FILE) before it is reported. Running the same file again resumes the\n"
      "study: finished trials count towards the budget and inform the tuners,\n"
      "queued trials (vernier enqueue) run first, and trials left running by\n"
      "a crash are marked failed and run again ([study] retries=, default 1).");
  g_option_context_set_description (context,
    "Examples:\n"
    "  vernier run study.ini\n"
    "  vernier run study.ini --set study.trials=50 --set study.seed=7\n"
    "  vernier run study.ini --set 'tuner 1.trials=10'\n"
    "  vernier run study.ini --set study.storage=memory\n"
    "  vernier run study.ini --json | jq .best\n"
    "  vernier worker shared.ini    # on each machine\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM stops the study: no new trial starts, running\n"
    "trials are cancelled and their processes killed (they run again first\n"
    "when the study resumes), and the summary is printed.\n"
    "\n"
    "Exit status: 0 when the study finished with a best trial, 1 when it\n"
    "failed (no trial completed, a tuner failed, the storage failed), 2 on a\n"
    "usage or configuration error, 130 after SIGINT, 143 after SIGTERM.");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return program_usage_error (argc < 2 ? "which study file?" : "one study file at a time");

  registry = program_registry_new ();
  config = vernier_config_new_from_file (argv[1], (const gchar * const *) overrides, &error);
  if (config == NULL)
    {
      program_print_error (error->message);
      return EXIT_USAGE;
    }
  study = vernier_config_create_study (config, registry, &error);
  if (study == NULL)
    {
      program_print_error (error->message);
      return EXIT_USAGE;
    }

  /* The user's default parallelism, for study files without their own. */
  {
    g_auto(ProgramSettings) settings = { 0, };

    if (program_settings_load (&settings) && settings.parallel > 0 &&
        !vernier_config_has_key (config, "study", "parallel"))
      vernier_study_set_parallel (study, settings.parallel);
  }

  if (!quiet)
    {
      g_signal_connect (study, "trial-finished::failed", G_CALLBACK (on_trial_failed), NULL);
      g_signal_connect (study, "trial-finished::timed-out", G_CALLBACK (on_trial_failed), NULL);
    }

  /* A GApplication (not unique: studies run side by side) on the session
   * bus when there is one; the study is exported there while it runs. */
  app = g_application_new ("io.github.vernier.Vernier", G_APPLICATION_NON_UNIQUE);
  if (g_application_register (app, NULL, &error) &&
      g_application_get_dbus_connection (app) != NULL)
    study_export = vernier_study_export_new (study, g_application_get_dbus_connection (app), &error);
  if (study_export == NULL && !quiet)
    g_printerr ("vernier: study '%s' is not shown on D-Bus (%s); it runs all the same\n",
                vernier_study_get_name (study),
                error != NULL ? error->message : "no session bus");
  g_clear_error (&error);

  state.loop = g_main_loop_new (NULL, FALSE);
  state.study = study;
  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &state);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, &state);

  vernier_study_run_async (study, NULL, on_run_done, &state);
  if (state.result == NULL)
    g_main_loop_run (state.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  best = vernier_study_run_finish (study, state.result, &error);
  /* Notifications and the last D-Bus signals are sent before we leave. */
  if (g_application_get_dbus_connection (app) != NULL)
    g_dbus_connection_flush_sync (g_application_get_dbus_connection (app), NULL, NULL);
  g_clear_object (&state.result);
  g_main_loop_unref (state.loop);

  if (error != NULL && !vernier_study_get_start_time (study))
    {
      /* Preparing the plugins failed: a configuration error. */
      program_print_error (error->message);
      return EXIT_USAGE;
    }

  if (json)
    print_result_json (study, best, error);
  else
    {
      if (error != NULL)
        program_print_error (error->message);
      print_result_text (study, best != NULL ? best : vernier_study_get_best_trial (study), error);
    }

  if (state.signal_number != 0)
    return 128 + state.signal_number;
  return error != NULL ? EXIT_STUDY_FAILED : 0;
}

static gint
cmd_run (gint    argc,
         gchar **argv)
{
  return run_study (argc, argv, FALSE);
}

static gint
cmd_worker (gint    argc,
            gchar **argv)
{
  return run_study (argc, argv, TRUE);
}

/* ---- plugins ---------------------------------------------------------- */

static gint
cmd_plugins (gint    argc,
             gchar **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(VernierRegistry) registry = NULL;
  g_autoptr(GPtrArray) list = NULL;
  const gchar * const *problems;
  gboolean json = FALSE;
  gint status = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the list as JSON", NULL },
    { NULL }
  };

  context = g_option_context_new ("— list the plugins");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Lists the plugins on the search path (name, kind, description) from\n"
    "their .plugin key files, without loading them. The search path is the\n"
    "installed plugin directory (or $VERNIER_PLUGIN_SYSTEM_PATH), then\n"
    "$VERNIER_PLUGIN_PATH (colon-separated), then\n"
    "$XDG_DATA_HOME/vernier/plugins. Problems (unreadable key files,\n"
    "duplicates) go to stderr.");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return program_usage_error ("plugins: no arguments expected");

  registry = program_registry_new ();
  list = vernier_registry_list (registry);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree gchar *text = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        {
          VernierPluginInfo *info = g_ptr_array_index (list, i);
          const gchar * const *provides = vernier_plugin_info_get_provides (info);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, vernier_plugin_info_get_name (info));
          json_builder_set_member_name (b, "description");
          json_builder_add_string_value (b, vernier_plugin_info_get_description (info));
          json_builder_set_member_name (b, "version");
          json_builder_add_string_value (b, vernier_plugin_info_get_version (info));
          json_builder_set_member_name (b, "file");
          json_builder_add_string_value (b, vernier_plugin_info_get_path (info));
          json_builder_set_member_name (b, "provides");
          json_builder_begin_array (b);
          for (guint j = 0; provides[j] != NULL; j++)
            json_builder_add_string_value (b, provides[j]);
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      text = vernier_json_to_string (root, TRUE);
      g_print ("%s\n", text);
    }
  else
    {
      for (guint i = 0; i < list->len; i++)
        {
          VernierPluginInfo *info = g_ptr_array_index (list, i);
          const gchar * const *provides = vernier_plugin_info_get_provides (info);

          for (guint j = 0; provides[j] != NULL; j++)
            {
              g_auto(GStrv) parts = g_strsplit (provides[j], ":", 2);

              g_print ("%-16s %-9s %s\n", parts[1], parts[0],
                       vernier_plugin_info_get_description (info));
            }
        }
    }

  problems = vernier_registry_get_problems (registry);
  for (guint i = 0; problems[i] != NULL; i++)
    g_printerr ("vernier: warning: %s\n", problems[i]);

  return 0;
}

/* ---- inspect ---------------------------------------------------------- */

static void
print_properties (GType type)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  g_autofree GParamSpec **pspecs = NULL;
  guint n = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n);
  g_print ("\n  Properties (set them as keys of the plugin's group):\n");
  if (n == 0)
    g_print ("    none\n");
  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *desc = NULL;
      const gchar *blurb;

      if (!(pspecs[i]->flags & G_PARAM_WRITABLE))
        continue;
      desc = vernier_config_describe_pspec (pspecs[i]);
      blurb = g_param_spec_get_blurb (pspecs[i]);
      g_print ("    %-20s %s\n", pspecs[i]->name, blurb ? blurb : "");
      g_print ("    %-20s %s\n", "", desc);
    }
}

static gint
cmd_inspect (gint    argc,
             gchar **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(VernierRegistry) registry = NULL;
  g_autoptr(GPtrArray) list = NULL;
  VernierPluginInfo *info = NULL;
  const gchar * const *provides;
  gint status = 0;

  context = g_option_context_new ("NAME — describe a plugin and its properties");
  g_option_context_set_summary (context,
    "Loads the plugin NAME and prints what it provides and every property a\n"
    "study file can set in its group, with type, range, default and\n"
    "description.");
  g_option_context_set_description (context, "Example:\n  vernier inspect command\n");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return program_usage_error ("inspect: which plugin? (`vernier plugins` lists them)");

  registry = program_registry_new ();
  list = vernier_registry_list (registry);
  for (guint i = 0; i < list->len && info == NULL; i++)
    {
      VernierPluginInfo *candidate = g_ptr_array_index (list, i);

      if (g_str_equal (vernier_plugin_info_get_name (candidate), argv[1]) ||
          vernier_plugin_info_provides (candidate, NULL, argv[1]))
        info = candidate;
    }
  if (info == NULL)
    {
      g_autofree gchar *message = g_strdup_printf ("no plugin named '%s'; `vernier plugins` "
                                                   "lists them", argv[1]);
      program_print_error (message);
      return EXIT_USAGE;
    }

  g_print ("%s %s\n  %s\n\n", vernier_plugin_info_get_name (info),
           vernier_plugin_info_get_version (info),
           vernier_plugin_info_get_description (info));
  g_print ("  Plugin file: %s\n  Module:      %s\n  ABI:         %u\n",
           vernier_plugin_info_get_path (info),
           vernier_plugin_info_get_module_path (info),
           vernier_plugin_info_get_abi (info));

  provides = vernier_plugin_info_get_provides (info);
  for (guint i = 0; provides[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (provides[i], ":", 2);
      g_autoptr(GError) error = NULL;
      GType type = vernier_registry_lookup_type (registry, parts[0], parts[1], &error);

      g_print ("\n%s %s", parts[0], parts[1]);
      if (type == G_TYPE_INVALID)
        {
          g_print ("\n");
          program_print_error (error->message);
          return EXIT_USAGE;
        }
      g_print (" (%s)\n", g_type_name (type));
      print_properties (type);
    }
  return 0;
}

/* ---- main ------------------------------------------------------------- */

static const struct
{
  const gchar *name;
  gint (*func) (gint, gchar **);
  const gchar *summary;
} commands[] = {
  { "run", cmd_run, "Run a study file" },
  { "worker", cmd_worker, "Run trials of a study shared with other workers" },
  { "show", program_cmd_show, "List the trials of a study from its storage" },
  { "best", program_cmd_best, "Print the best trial of a study" },
  { "export", program_cmd_export, "Write a study's trials as CSV or JSON" },
  { "enqueue", program_cmd_enqueue, "Queue known configurations to run first" },
  { "status", program_cmd_status, "List the studies running on the session bus" },
  { "plugins", cmd_plugins, "List the plugins on the search path" },
  { "inspect", cmd_inspect, "Describe a plugin and its properties" },
};

static void
print_main_help (FILE *out)
{
  fprintf (out,
           "Usage:\n  vernier COMMAND [OPTION…] [ARG…]\n\n"
           "Vernier tunes hyper-parameters: it runs trials of a study described\n"
           "in a key file and keeps the best configuration.\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out,
           "\nOptions:\n"
           "  -h, --help     Show this help\n"
           "  --version      Show the version\n\n"
           "Run 'vernier COMMAND --help' for a command's options.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_set_prgname ("vernier");

  if (argc < 2)
    {
      print_main_help (stderr);
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      if (argc > 2 && g_str_equal (argv[1], "help"))
        {
          gchar *help_argv[] = { argv[2], (gchar *) "--help", NULL };

          for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
            if (g_str_equal (commands[i].name, argv[2]))
              {
                g_autofree gchar *prgname = g_strdup_printf ("vernier %s", argv[2]);

                g_set_prgname (prgname);
                return commands[i].func (2, help_argv);
              }
          g_printerr ("vernier: unknown command '%s'\n\n", argv[2]);
          print_main_help (stderr);
          return EXIT_USAGE;
        }
      print_main_help (stdout);
      return 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("vernier %s (plugin ABI %d)\n", PACKAGE_VERSION, VERNIER_PLUGIN_ABI_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, argv[1]))
      {
        g_autofree gchar *prgname = g_strdup_printf ("vernier %s", argv[1]);

        g_set_prgname (prgname);
        return commands[i].func (argc - 1, argv + 1);
      }

  g_printerr ("vernier: unknown command '%s'\n\n", argv[1]);
  print_main_help (stderr);
  return EXIT_USAGE;
}
