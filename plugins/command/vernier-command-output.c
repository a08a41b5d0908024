#include "vernier-command-output.h"

#include <math.h>
#include <string.h>

struct _VernierCommandOutputRules
{
  gchar  *objective;
  GRegex *regex;           /* nullable */
  gint    regex_group;
  GRegex *non_finite;      /* "objective": NaN, as Python's json writes it */
  gsize   max_line;
  guint   max_reports;
};

struct _VernierCommandOutput
{
  const VernierCommandOutputRules *rules;
  VernierTrial *trial;
  JsonParser   *parser;

  GString      *line;
  gboolean      overflow;  /* the current line is past max_line: skip it */

  gboolean      has_value;
  gdouble       value;
  gboolean      last_is_number;
  gdouble       last_number;

  guint         n_ignored;
  guint         n_truncated;
  guint         n_dropped;
};

/**
 * vernier_command_output_rules_new:
 * @objective: the objective's name, the key looked for in JSON lines
 * @regex: (nullable): a regular expression with one capture group, or a
 *   group named `value`, that captures the objective value; %NULL or empty
 *   for none
 * @max_line: the longest line read, in bytes; longer ones are skipped
 * @max_reports: the most intermediate values reported to a trial; later
 *   ones are dropped and counted
 * @error: return location for a #GError
 *
 * Makes the rules for reading a program's output.
 *
 * Returns: (transfer full) (nullable): the rules, or %NULL with
 *   %VERNIER_ERROR_INVALID_CONFIG if @regex is invalid or captures no
 *   single value
 */
VernierCommandOutputRules *
vernier_command_output_rules_new (const gchar  *objective,
                                  const gchar  *regex,
                                  gsize         max_line,
                                  guint         max_reports,
                                  GError      **error)
{
  g_autoptr(VernierCommandOutputRules) rules = NULL;
  g_autofree gchar *escaped = NULL;
  g_autofree gchar *pattern = NULL;

  g_return_val_if_fail (objective != NULL, NULL);
  g_return_val_if_fail (max_line > 0, NULL);
  g_return_val_if_fail (max_reports > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rules = g_new0 (VernierCommandOutputRules, 1);
  rules->objective = g_strdup (objective);
  rules->max_line = max_line;
  rules->max_reports = max_reports;

  if (regex != NULL && regex[0] != '\0')
    {
      g_autoptr(GError) local_error = NULL;
      gint group;

      rules->regex = g_regex_new (regex, 0, 0, &local_error);
      if (rules->regex == NULL)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "property 'regex': '%s' is not a valid regular "
                       "expression: %s", regex, local_error->message);
          return NULL;
        }

      group = g_regex_get_string_number (rules->regex, "value");
      if (group < 0 && g_regex_get_capture_count (rules->regex) == 1)
        group = 1;
      if (group < 0)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "property 'regex': '%s' has %d capture groups; it "
                       "needs exactly one, or one named 'value' as in "
                       "loss=(?<value>[0-9.eE+-]+)",
                       regex, g_regex_get_capture_count (rules->regex));
          return NULL;
        }
      rules->regex_group = group;
    }

  escaped = g_regex_escape_string (objective, -1);
  pattern = g_strdup_printf ("\"%s\"\\s*:\\s*(NaN|-?Infinity)\\b", escaped);
  rules->non_finite = g_regex_new (pattern, 0, 0, NULL);
  g_assert (rules->non_finite != NULL);

  return g_steal_pointer (&rules);
}

/**
 * vernier_command_output_rules_free:
 * @rules: (transfer full): a #VernierCommandOutputRules
 *
 * Frees @rules.
 */
void
vernier_command_output_rules_free (VernierCommandOutputRules *rules)
{
  if (rules == NULL)
    return;
  g_free (rules->objective);
  g_clear_pointer (&rules->regex, g_regex_unref);
  g_clear_pointer (&rules->non_finite, g_regex_unref);
  g_free (rules);
}

/**
 * vernier_command_output_new:
 * @rules: how to read the output; must outlive the result
 * @trial: the trial intermediate values are reported to
 *
 * Starts reading one program's output.
 *
 * Returns: (transfer full): a new #VernierCommandOutput
 */
VernierCommandOutput *
vernier_command_output_new (const VernierCommandOutputRules *rules,
                            VernierTrial                    *trial)
{
  VernierCommandOutput *self;

  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (VERNIER_IS_TRIAL (trial), NULL);

  self = g_new0 (VernierCommandOutput, 1);
  self->rules = rules;
  self->trial = g_object_ref (trial);
  self->parser = json_parser_new_immutable ();
  self->line = g_string_new (NULL);
  return self;
}

/**
 * vernier_command_output_free:
 * @self: (transfer full): a #VernierCommandOutput
 *
 * Frees @self.
 */
void
vernier_command_output_free (VernierCommandOutput *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->trial);
  g_object_unref (self->parser);
  g_string_free (self->line, TRUE);
  g_free (self);
}

/* Parses @text (NUL-terminated, without surrounding blanks) as a number. */
static gboolean
parse_number (const gchar *text,
              gdouble     *value)
{
  gchar *end = NULL;

  if (text[0] == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

static gboolean
node_get_number (JsonNode *node,
                 gdouble  *value)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *value = (gdouble) json_node_get_int (node);
      return TRUE;
    case G_TYPE_DOUBLE:
      *value = json_node_get_double (node);
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
node_get_step (JsonNode *node,
               gint64   *step)
{
  gdouble number;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *step = json_node_get_int (node);
      return TRUE;
    }
  if (!node_get_number (node, &number) || number != floor (number) ||
      fabs (number) > 9007199254740992.0)
    return FALSE;
  *step = (gint64) number;
  return TRUE;
}

/* A JSON-like line with "objective": NaN or Infinity (not valid JSON, but
 * what Python's json module writes for a diverged loss). */
static gboolean
read_non_finite (VernierCommandOutput *self,
                 const gchar          *text)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree gchar *token = NULL;

  if (!g_regex_match (self->rules->non_finite, text, 0, &match))
    return FALSE;
  if (strstr (text, "\"step\"") != NULL)
    return FALSE;

  token = g_match_info_fetch (match, 1);
  self->has_value = TRUE;
  if (g_strcmp0 (token, "NaN") == 0)
    self->value = NAN;
  else
    self->value = token[0] == '-' ? -INFINITY : INFINITY;
  return TRUE;
}

static gboolean
read_json (VernierCommandOutput *self,
           const gchar          *text,
           gsize                 len)
{
  JsonNode *root;
  JsonObject *object;
  JsonNode *step_node;
  gdouble value;
  gint64 step, last_step;

  /* Checked before json-glib, which leaks on some invalid input and
   * parses deep nesting recursively. */
  if (!vernier_json_check_syntax (text, (gssize) len, VERNIER_JSON_MAX_DEPTH, NULL) ||
      !json_parser_load_from_data (self->parser, text, (gssize) len, NULL))
    return read_non_finite (self, text);

  root = json_parser_get_root (self->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  if (!node_get_number (json_object_get_member (object, self->rules->objective), &value))
    return FALSE;

  step_node = json_object_get_member (object, "step");
  if (step_node == NULL)
    {
      self->has_value = TRUE;
      self->value = value;
      return TRUE;
    }

  if (!node_get_step (step_node, &step) || !isfinite (value))
    return FALSE;
  /* Bounded memory for a program that reports every step for hours (the
   * last step may still be reported again: that replaces its value). */
  if (vernier_trial_get_n_reports (self->trial) >= self->rules->max_reports &&
      !(vernier_trial_get_last_report (self->trial, &last_step, NULL) && last_step == step))
    {
      self->n_dropped++;
      return TRUE;
    }
  vernier_trial_report (self->trial, step, value);
  return TRUE;
}

static gboolean
read_regex (VernierCommandOutput *self,
            const gchar          *text)
{
  g_autoptr(GMatchInfo) match = NULL;
  gboolean found = FALSE;
  gdouble value = 0;

  g_regex_match (self->rules->regex, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree gchar *captured = g_match_info_fetch (match, self->rules->regex_group);
      gdouble number;

      if (captured != NULL && parse_number (g_strstrip (captured), &number))
        {
          found = TRUE;
          value = number;
        }
      if (!g_match_info_next (match, NULL))
        break;
    }

  if (found)
    {
      self->has_value = TRUE;
      self->value = value;
    }
  return found;
}

static void
read_line (VernierCommandOutput *self,
           gchar                *text,
           gsize                 len)
{
  gchar *start;
  gchar *end;
  gdouble number;

  if (len > 0 && text[len - 1] == '\r')
    text[--len] = '\0';

  /* Binary data or text in another encoding: nothing to read there. */
  if (!g_utf8_validate (text, len, NULL))
    {
      self->n_ignored++;
      self->last_is_number = FALSE;
      return;
    }

  start = text;
  end = text + len;
  while (start < end && g_ascii_isspace (*start))
    start++;
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  if (start == end)
    return;
  *end = '\0';

  self->last_is_number = FALSE;

  if (*start == '{' && read_json (self, start, end - start))
    return;
  if (self->rules->regex != NULL && read_regex (self, text))
    return;

  if (parse_number (start, &number))
    {
      self->last_is_number = TRUE;
      self->last_number = number;
    }
  self->n_ignored++;
}

static void
end_line (VernierCommandOutput *self)
{
  if (self->overflow)
    {
      self->overflow = FALSE;
      self->n_truncated++;
      self->n_ignored++;
      self->last_is_number = FALSE;
    }
  else
    read_line (self, self->line->str, self->line->len);
  g_string_truncate (self->line, 0);
}

/**
 * vernier_command_output_feed:
 * @self: a #VernierCommandOutput
 * @data: (array length=len): bytes the program wrote
 * @len: how many
 *
 * Reads the next bytes of output. Each complete line is read at once: an
 * intermediate value is reported to the trial, a final value is kept.
 * A line longer than the rules' limit is skipped without being kept.
 */
void
vernier_command_output_feed (VernierCommandOutput *self,
                             const gchar          *data,
                             gsize                 len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  while (len > 0)
    {
      const gchar *newline = memchr (data, '\n', len);
      gsize chunk = newline != NULL ? (gsize) (newline - data) : len;

      if (!self->overflow)
        {
          if (chunk > self->rules->max_line - self->line->len)
            {
              self->overflow = TRUE;
              g_string_truncate (self->line, 0);
            }
          else
            g_string_append_len (self->line, data, chunk);
        }

      if (newline == NULL)
        break;

      end_line (self);
      data += chunk + 1;
      len -= chunk + 1;
    }
}

/**
 * vernier_command_output_close:
 * @self: a #VernierCommandOutput
 *
 * Ends the output: reads a last line without a newline, and takes a plain
 * number alone on the last line as the final value.
 */
void
vernier_command_output_close (VernierCommandOutput *self)
{
  g_return_if_fail (self != NULL);

  if (self->overflow || self->line->len > 0)
    end_line (self);

  if (self->last_is_number)
    {
      self->has_value = TRUE;
      self->value = self->last_number;
      self->last_is_number = FALSE;
      self->n_ignored--;
    }
}

/**
 * vernier_command_output_get_value:
 * @self: a #VernierCommandOutput
 * @value: (out) (optional): the last final value read, which may be NaN
 *   or infinite
 *
 * Returns: %TRUE if a final value was read
 */
gboolean
vernier_command_output_get_value (VernierCommandOutput *self,
                                  gdouble              *value)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->has_value && value != NULL)
    *value = self->value;
  return self->has_value;
}

/**
 * vernier_command_output_get_n_ignored:
 * @self: a #VernierCommandOutput
 *
 * Returns: how many non-blank lines gave no value
 */
guint
vernier_command_output_get_n_ignored (VernierCommandOutput *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_ignored;
}

/**
 * vernier_command_output_get_n_truncated:
 * @self: a #VernierCommandOutput
 *
 * Returns: how many lines were skipped for being longer than the limit
 */
guint
vernier_command_output_get_n_truncated (VernierCommandOutput *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_truncated;
}

/**
 * vernier_command_output_get_n_dropped:
 * @self: a #VernierCommandOutput
 *
 * Returns: how many intermediate values were dropped past the rules'
 *   limit
 */
guint
vernier_command_output_get_n_dropped (VernierCommandOutput *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_dropped;
}
