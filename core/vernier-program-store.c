/* vernier show, best, export, enqueue: the commands that read or feed a
 * study's storage without running anything. */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <stdio.h>
#include <string.h>

#include "vernier-program.h"

/* The study file's storage, opened. A study that is not there is an error
 * unless @create; a study created for another space is refused when
 * @check (enqueueing into it would mix studies). */
static VernierStorage *
open_storage (const gchar          *path,
              const gchar * const  *overrides,
              gboolean              create,
              gboolean              check,
              VernierConfig       **config_out,
              GError              **error)
{
  g_autoptr(VernierRegistry) registry = program_registry_new ();
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStorage) storage = NULL;
  g_autofree gchar *description = NULL;
  g_autofree gchar *stored = NULL;
  VernierContext *context;

  config = vernier_config_new_from_file (path, overrides, error);
  if (config == NULL)
    return NULL;
  storage = vernier_config_create_storage (config, registry, error);
  if (storage == NULL)
    return NULL;

  context = vernier_config_get_context (config);
  description = vernier_study_describe_context (context);
  if (!vernier_storage_open (storage, context, description, create, &stored, error))
    return NULL;
  if (check && g_strcmp0 (stored, description) != 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "study '%s' in the storage has another search space or "
                   "objective than %s", vernier_context_get_study_name (context), path);
      return NULL;
    }
  if (config_out != NULL)
    *config_out = g_steal_pointer (&config);
  return g_steal_pointer (&storage);
}

static JsonArray *
load_records (const gchar          *path,
              const gchar * const  *overrides,
              VernierConfig       **config,
              GError              **error)
{
  g_autoptr(VernierStorage) storage = open_storage (path, overrides, FALSE, FALSE, config, error);

  if (storage == NULL)
    return NULL;
  return vernier_storage_load (storage, error);
}

static gint
fail (GError *error)
{
  program_print_error (error->message);
  return error->domain == VERNIER_ERROR && error->code == VERNIER_ERROR_STORAGE
    ? EXIT_STUDY_FAILED : EXIT_USAGE;
}

static gchar *
format_value (JsonObject *record)
{
  JsonNode *node = json_object_get_member (record, "value");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("-");
  return g_strdup_printf ("%.6g", json_node_get_double (node));
}

static gchar *
format_params (JsonObject *record)
{
  JsonNode *params = json_object_get_member (record, "params");

  return params != NULL ? vernier_json_to_string (params, FALSE) : g_strdup ("{}");
}

static gchar *
format_record_duration (JsonObject *record)
{
  JsonNode *node = json_object_get_member (record, "duration");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("-");
  return vernier_format_duration ((gint64) (json_node_get_double (node) * G_USEC_PER_SEC));
}

static const gchar *
record_state (JsonObject *record)
{
  if (json_object_get_boolean_member_with_default (record, "lost", FALSE))
    return "lost";
  return json_object_get_string_member_with_default (record, "state", "?");
}

static void
print_json (JsonNode *node,
            gboolean  pretty)
{
  g_autofree gchar *text = vernier_json_to_string (node, pretty);

  g_print ("%s\n", text);
}

/* ---- show ------------------------------------------------------------- */

gint
program_cmd_show (gint    argc,
                  gchar **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) overrides = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(JsonArray) records = NULL;
  gboolean json = FALSE;
  gint status = 0;
  guint counts[VERNIER_TRIAL_STATE_TIMED_OUT + 2] = { 0, };
  const GOptionEntry entries[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &overrides,
      "Override a key of the study file (repeatable)", "GROUP.KEY=VALUE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "Print the trials as a JSON array", NULL },
    { NULL }
  };

  context = g_option_context_new ("FILE — list the trials of a study");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Lists every trial of the study described by FILE, as its storage holds\n"
    "it (by default NAME.db beside FILE): number, state, value, duration and\n"
    "parameters. Runs nothing; safe while the study runs. A trial whose\n"
    "worker died while running it is shown as lost.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  vernier show study.ini\n"
    "  vernier show study.ini --json | jq '.[] | select(.state == \"complete\")'");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return program_usage_error (argc < 2 ? "which study file?" : "one study file at a time");

  records = load_records (argv[1], (const gchar * const *) overrides, &config, &error);
  if (records == NULL)
    return fail (error);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), records);

      print_json (root, TRUE);
      return 0;
    }

  g_print ("%6s  %-9s  %12s  %9s  %s\n", "trial", "state", "value", "duration", "parameters");
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      g_autofree gchar *value = format_value (record);
      g_autofree gchar *duration = format_record_duration (record);
      g_autofree gchar *params = format_params (record);
      const gchar *state = record_state (record);

      g_print ("%6" G_GINT64_FORMAT "  %-9s  %12s  %9s  %s\n",
               json_object_get_int_member_with_default (record, "number", -1),
               state, value, duration, params);
      for (guint s = 0; s <= VERNIER_TRIAL_STATE_TIMED_OUT; s++)
        if (g_str_equal (state, vernier_trial_state_to_nick (s)))
          counts[s]++;
      if (g_str_equal (state, "lost"))
        counts[VERNIER_TRIAL_STATE_TIMED_OUT + 1]++;
    }
  g_print ("%u trials: %u complete, %u pruned, %u failed, %u timed out, %u lost, "
           "%u running, %u waiting\n",
           json_array_get_length (records),
           counts[VERNIER_TRIAL_STATE_COMPLETE], counts[VERNIER_TRIAL_STATE_PRUNED],
           counts[VERNIER_TRIAL_STATE_FAILED], counts[VERNIER_TRIAL_STATE_TIMED_OUT],
           counts[VERNIER_TRIAL_STATE_TIMED_OUT + 1], counts[VERNIER_TRIAL_STATE_RUNNING],
           counts[VERNIER_TRIAL_STATE_WAITING]);
  return 0;
}

/* ---- best ------------------------------------------------------------- */

gint
program_cmd_best (gint    argc,
                  gchar **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) overrides = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(JsonArray) records = NULL;
  VernierObjective *objective;
  JsonObject *best = NULL;
  gboolean json = FALSE;
  gint status = 0;
  const GOptionEntry entries[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &overrides,
      "Override a key of the study file (repeatable)", "GROUP.KEY=VALUE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "Print the best trial as a JSON object", NULL },
    { NULL }
  };

  context = g_option_context_new ("FILE — print the best trial of a study");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Prints the best complete trial of the study described by FILE, from its\n"
    "storage, with its parameters. Runs nothing. Exit status 1 when no trial\n"
    "has completed yet.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  vernier best study.ini\n"
    "  vernier best study.ini --json | jq .params");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return program_usage_error (argc < 2 ? "which study file?" : "one study file at a time");

  records = load_records (argv[1], (const gchar * const *) overrides, &config, &error);
  if (records == NULL)
    return fail (error);

  objective = vernier_context_get_objective (vernier_config_get_context (config));
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonNode *value = json_object_get_member (record, "value");

      if (g_strcmp0 (json_object_get_string_member_with_default (record, "state", ""),
                     "complete") != 0 || value == NULL || !JSON_NODE_HOLDS_VALUE (value))
        continue;
      if (best == NULL ||
          vernier_objective_is_better (objective, json_node_get_double (value),
                                       json_object_get_double_member (best, "value")))
        best = record;
    }

  if (best == NULL)
    {
      g_autofree gchar *message = g_strdup_printf ("study '%s' has no complete trial yet (%u trials)",
                                                   vernier_config_get_study_name (config),
                                                   json_array_get_length (records));

      program_print_error (message);
      return EXIT_STUDY_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), best);

      print_json (root, FALSE);
    }
  else
    {
      g_print ("Best trial %" G_GINT64_FORMAT ": %s = %.10g\n",
               json_object_get_int_member (best, "number"),
               vernier_objective_get_name (objective),
               json_object_get_double_member (best, "value"));
      program_print_params (json_object_get_object_member (best, "params"));
    }
  return 0;
}

/* ---- export ----------------------------------------------------------- */

/* RFC 4180: quote a field holding a comma, a quote or a line break. */
static void
csv_field (GString     *out,
           const gchar *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const gchar *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gchar *
node_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return vernier_json_to_string (node, FALSE);
}

static GString *
records_to_csv (VernierSpace *space,
                JsonArray    *records)
{
  GString *out = g_string_new ("number,state,value,duration,start,end");
  static const gchar *members[] = { "number", "state", "value", "duration", "start", "end" };
  guint n_dims = vernier_space_get_n_dimensions (space);

  for (guint d = 0; d < n_dims; d++)
    {
      g_string_append_c (out, ',');
      csv_field (out, vernier_dimension_get_name (vernier_space_get_dimension (space, d)));
    }
  g_string_append (out, ",error\r\n");

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonObject *params = json_object_get_object_member (record, "params");

      for (guint m = 0; m < G_N_ELEMENTS (members); m++)
        {
          g_autofree gchar *text = g_str_equal (members[m], "state")
            ? g_strdup (record_state (record))
            : node_text (json_object_get_member (record, members[m]));

          if (m > 0)
            g_string_append_c (out, ',');
          csv_field (out, text);
        }
      for (guint d = 0; d < n_dims; d++)
        {
          const gchar *name = vernier_dimension_get_name (vernier_space_get_dimension (space, d));
          g_autofree gchar *text = node_text (params != NULL ? json_object_get_member (params, name) : NULL);

          g_string_append_c (out, ',');
          csv_field (out, text);
        }
      g_string_append_c (out, ',');
      csv_field (out, json_object_get_string_member_with_default (record, "error", ""));
      g_string_append (out, "\r\n");
    }
  return out;
}

gint
program_cmd_export (gint    argc,
                    gchar **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) overrides = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree gchar *format = NULL;
  g_autofree gchar *output = NULL;
  gint status = 0;
  const GOptionEntry entries[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &overrides,
      "Override a key of the study file (repeatable)", "GROUP.KEY=VALUE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "csv (the default) or json", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write to this file instead of stdout (replaced atomically)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("FILE — write a study's trials as CSV or JSON");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Writes every trial of the study described by FILE, from its storage.\n"
    "CSV (RFC 4180): number, state, value, duration (seconds), start, end\n"
    "(ISO 8601), one column per parameter in the study file's order, error.\n"
    "JSON: an array of the trials' records, as `vernier show --json`.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  vernier export study.ini > trials.csv\n"
    "  vernier export study.ini --format json -o trials.json");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return program_usage_error (argc < 2 ? "which study file?" : "one study file at a time");
  if (format != NULL && !g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    {
      g_autofree gchar *message = g_strdup_printf ("--format %s: use csv or json", format);

      return program_usage_error (message);
    }

  records = load_records (argv[1], (const gchar * const *) overrides, &config, &error);
  if (records == NULL)
    return fail (error);

  if (format != NULL && g_str_equal (format, "json"))
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), records);
      g_autofree gchar *text = vernier_json_to_string (root, TRUE);

      out = g_string_new (text);
      g_string_append_c (out, '\n');
    }
  else
    out = records_to_csv (vernier_context_get_space (vernier_config_get_context (config)), records);

  if (output == NULL)
    {
      fwrite (out->str, 1, out->len, stdout);
      return fflush (stdout) == 0 ? 0 : EXIT_STUDY_FAILED;
    }
  if (!g_file_set_contents (output, out->str, out->len, &error))
    {
      program_print_error (error->message);
      return EXIT_STUDY_FAILED;
    }
  return 0;
}

/* ---- enqueue ---------------------------------------------------------- */

/* Parses and checks one configuration; nothing is queued yet. */
static JsonObject *
parse_configuration (VernierSpace  *space,
                     const gchar   *text,
                     const gchar   *where,
                     GError       **error)
{
  g_autoptr(JsonNode) node = vernier_json_node_from_string (text);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                   "%s: not a JSON object of parameters, such as {\"x\": 1.5}", where);
      return NULL;
    }
  if (!vernier_space_validate (space, json_node_get_object (node), error))
    {
      g_prefix_error (error, "%s: ", where);
      return NULL;
    }
  return json_object_ref (json_node_get_object (node));
}

/* The configurations of a JSON-lines file (- for stdin), each checked. */
static gboolean
read_configurations (VernierSpace  *space,
                     const gchar   *file,
                     GPtrArray     *configurations,
                     GError       **error)
{
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  guint line_number = 0;

  if (g_str_equal (file, "-"))
    base = g_unix_input_stream_new (0, FALSE);
  else
    {
      g_autoptr(GFile) gfile = g_file_new_for_commandline_arg (file);

      base = G_INPUT_STREAM (g_file_read (gfile, NULL, error));
      if (base == NULL)
        return FALSE;
    }
  in = g_data_input_stream_new (base);
  for (;;)
    {
      g_autofree gchar *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, error);
      g_autofree gchar *where = NULL;
      JsonObject *params;

      if (line == NULL)
        return error == NULL || *error == NULL;
      line_number++;
      if (*g_strstrip (line) == '\0' || line[0] == '#')
        continue;
      where = g_strdup_printf ("%s:%u", file, line_number);
      params = parse_configuration (space, line, where, error);
      if (params == NULL)
        return FALSE;
      g_ptr_array_add (configurations, params);
    }
}

gint
program_cmd_enqueue (gint    argc,
                     gchar **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) overrides = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VernierConfig) config = NULL;
  g_autoptr(VernierStorage) storage = NULL;
  g_autoptr(GPtrArray) configurations = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree gchar *file = NULL;
  VernierSpace *space;
  gint status = 0;
  const GOptionEntry entries[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &overrides,
      "Override a key of the study file (repeatable)", "GROUP.KEY=VALUE" },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file,
      "Read configurations from a JSON-lines file (one object per line; - for stdin)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("FILE [PARAMS…] — queue known configurations");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Adds WAITING trials with the given parameters to the study described by\n"
    "FILE (creating it in its storage if needed). The next run or worker\n"
    "takes them before asking its tuners, and they count towards the budget\n"
    "when they start. Each PARAMS is a JSON object; every configuration is\n"
    "checked against the search space first.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  vernier enqueue study.ini '{\"x\": 1.5, \"y\": 2}'\n"
    "  vernier enqueue study.ini --file known-good.jsonl");
  if (!program_parse_options (context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return program_usage_error ("which study file?");
  if (argc == 2 && file == NULL)
    return program_usage_error ("no configuration: give PARAMS as JSON or --file FILE");

  storage = open_storage (argv[1], (const gchar * const *) overrides, TRUE, TRUE, &config, &error);
  if (storage == NULL)
    return fail (error);
  space = vernier_context_get_space (vernier_config_get_context (config));

  /* Every configuration is checked before any is queued: a bad line
   * queues nothing, and running the command again after fixing it does
   * not queue the good ones twice. */
  for (gint i = 2; i < argc; i++)
    {
      g_autofree gchar *where = g_strdup_printf ("argument %d", i - 1);
      JsonObject *params = parse_configuration (space, argv[i], where, &error);

      if (params == NULL)
        return fail (error);
      g_ptr_array_add (configurations, params);
    }
  if (file != NULL && !read_configurations (space, file, configurations, &error))
    return fail (error);

  for (guint i = 0; i < configurations->len; i++)
    {
      JsonObject *params = g_ptr_array_index (configurations, i);
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), params);
      g_autofree gchar *text = vernier_json_to_string (node, FALSE);
      guint number = vernier_storage_enqueue (storage, params, &error);

      if (number == G_MAXUINT)
        return fail (error);
      g_print ("trial %u waiting: %s\n", number, text);
    }
  return 0;
}
