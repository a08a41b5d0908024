#include "vernier-command-template.h"

#include <math.h>
#include <string.h>

typedef struct
{
  gboolean  placeholder;
  gchar    *text;          /* literal text, or the parameter's name */
} Segment;

typedef struct
{
  gchar  *source;          /* the element as written */
  GArray *segments;        /* of Segment */
} Element;

struct _VernierCommandTemplate
{
  GPtrArray *elements;     /* of Element */
};

static void
segment_clear (gpointer data)
{
  Segment *segment = data;

  g_free (segment->text);
}

static void
element_free (gpointer data)
{
  Element *element = data;

  g_free (element->source);
  g_array_unref (element->segments);
  g_free (element);
}

static void
element_add (Element     *element,
             gboolean     placeholder,
             const gchar *text,
             gsize        len)
{
  Segment segment = { placeholder, g_strndup (text, len) };

  g_array_append_val (element->segments, segment);
}

static void
element_flush_literal (Element *element,
                       GString *literal)
{
  if (literal->len == 0)
    return;
  element_add (element, FALSE, literal->str, literal->len);
  g_string_truncate (literal, 0);
}

static Element *
element_parse (const gchar  *source,
               GError      **error)
{
  g_autoptr(GString) literal = g_string_new (NULL);
  Element *element;
  const gchar *p;

  element = g_new0 (Element, 1);
  element->source = g_strdup (source);
  element->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  g_array_set_clear_func (element->segments, segment_clear);

  for (p = source; *p != '\0';)
    {
      if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}'))
        {
          g_string_append_c (literal, p[0]);
          p += 2;
        }
      else if (p[0] == '{')
        {
          const gchar *end = strpbrk (p + 1, "{}");

          if (end == NULL || *end == '{')
            {
              g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                           "property 'argv': unclosed '{' in '%s' "
                           "(write '{{' for a literal brace)", source);
              element_free (element);
              return NULL;
            }
          if (end == p + 1)
            {
              g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                           "property 'argv': empty placeholder '{}' in '%s' "
                           "(write {name} for a parameter, '{{' and '}}' "
                           "for literal braces)", source);
              element_free (element);
              return NULL;
            }
          element_flush_literal (element, literal);
          element_add (element, TRUE, p + 1, end - p - 1);
          p = end + 1;
        }
      else if (p[0] == '}')
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "property 'argv': stray '}' in '%s' "
                       "(write '}}' for a literal brace)", source);
          element_free (element);
          return NULL;
        }
      else
        {
          g_string_append_c (literal, p[0]);
          p++;
        }
    }
  element_flush_literal (element, literal);

  return element;
}

/**
 * vernier_command_template_new:
 * @argv: (array zero-terminated=1): the program and its arguments, each
 *   possibly holding `{name}` placeholders; `{{` and `}}` stand for
 *   literal braces
 * @error: return location for a #GError
 *
 * Parses a command line template.
 *
 * Returns: (transfer full) (nullable): the template, or %NULL with
 *   %VERNIER_ERROR_INVALID_CONFIG if @argv is empty or a brace is
 *   unbalanced
 */
VernierCommandTemplate *
vernier_command_template_new (const gchar * const  *argv,
                              GError              **error)
{
  g_autoptr(VernierCommandTemplate) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
    {
      g_set_error_literal (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                           "property 'argv' is empty: give the program and "
                           "its arguments, e.g. "
                           "argv=python3;train.py;--lr;{lr}");
      return NULL;
    }

  self = g_new0 (VernierCommandTemplate, 1);
  self->elements = g_ptr_array_new_with_free_func (element_free);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      Element *element = element_parse (argv[i], error);

      if (element == NULL)
        return NULL;
      g_ptr_array_add (self->elements, element);
    }

  return g_steal_pointer (&self);
}

/**
 * vernier_command_template_free:
 * @self: (transfer full): a #VernierCommandTemplate
 *
 * Frees @self.
 */
void
vernier_command_template_free (VernierCommandTemplate *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->elements);
  g_free (self);
}

static gchar *
join_names (GList *names)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (GList *l = names; l != NULL; l = l->next)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, l->data);
    }
  if (text->len == 0)
    g_string_append (text, "none");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gchar *
space_dimension_names (VernierSpace *space)
{
  g_autoptr(GList) names = NULL;
  guint n = vernier_space_get_n_dimensions (space);

  for (guint i = n; i > 0; i--)
    names = g_list_prepend (names,
                            (gpointer) vernier_dimension_get_name (vernier_space_get_dimension (space, i - 1)));
  return join_names (names);
}

/**
 * vernier_command_template_check_space:
 * @self: a #VernierCommandTemplate
 * @space: (nullable): the study's search space
 *
 * Checks that every placeholder names a dimension of @space. A space
 * without dimensions (an explicit list of candidates) passes: its
 * placeholders are checked when a trial is expanded.
 *
 * Returns: %TRUE if every placeholder is known, %FALSE with
 *   %VERNIER_ERROR_INVALID_CONFIG naming the first unknown one
 */
gboolean
vernier_command_template_check_space (VernierCommandTemplate  *self,
                                      VernierSpace            *space,
                                      GError                 **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (space == NULL || vernier_space_get_n_dimensions (space) == 0)
    return TRUE;

  for (guint i = 0; i < self->elements->len; i++)
    {
      Element *element = g_ptr_array_index (self->elements, i);

      for (guint j = 0; j < element->segments->len; j++)
        {
          Segment *segment = &g_array_index (element->segments, Segment, j);
          g_autofree gchar *names = NULL;

          if (!segment->placeholder ||
              vernier_space_lookup (space, segment->text) != NULL)
            continue;

          names = space_dimension_names (space);
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "property 'argv': placeholder {%s} in '%s' names no "
                       "parameter of the search space (parameters: %s)",
                       segment->text, element->source, names);
          return FALSE;
        }
    }

  return TRUE;
}

static gchar *
format_double (gdouble value)
{
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return g_strdup (isnan (value) ? "nan" : value > 0 ? "inf" : "-inf");

  /* The shortest text that reads back as the same double. */
  g_ascii_formatd (buffer, sizeof buffer, "%.15g", value);
  if (g_ascii_strtod (buffer, NULL) != value)
    g_ascii_formatd (buffer, sizeof buffer, "%.16g", value);
  if (g_ascii_strtod (buffer, NULL) != value)
    g_ascii_formatd (buffer, sizeof buffer, "%.17g", value);
  return g_strdup (buffer);
}

/**
 * vernier_command_format_value:
 * @value: a parameter's value
 *
 * Formats a parameter's value as one command-line argument: a string as
 * it is (without quotes), a number as JSON writes it (the shortest text
 * that reads back exactly), `true` or `false`, `null`, and arrays and
 * objects as compact JSON.
 *
 * Returns: (transfer full): the text
 */
gchar *
vernier_command_format_value (JsonNode *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  switch (JSON_NODE_TYPE (value))
    {
    case JSON_NODE_NULL:
      return g_strdup ("null");

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (value))
        {
        case G_TYPE_STRING:
          return g_strdup (json_node_get_string (value));
        case G_TYPE_INT64:
          return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
        case G_TYPE_DOUBLE:
          return format_double (json_node_get_double (value));
        case G_TYPE_BOOLEAN:
          return g_strdup (json_node_get_boolean (value) ? "true" : "false");
        default:
          break;
        }
      break;

    case JSON_NODE_ARRAY:
    case JSON_NODE_OBJECT:
    default:
      break;
    }

  return vernier_json_to_string (value, FALSE);
}

/**
 * vernier_command_template_expand:
 * @self: a #VernierCommandTemplate
 * @params: (nullable): a trial's parameters
 * @space: (nullable): the study's search space
 * @error: return location for a #GError
 *
 * Replaces each placeholder with its parameter's value (see
 * vernier_command_format_value()), element by element. A placeholder of a
 * dimension of @space that is inactive for these parameters (a
 * conditional parameter whose condition does not hold) becomes empty.
 *
 * Returns: (transfer full) (nullable): the argument vector, or %NULL with
 *   %VERNIER_ERROR_INVALID_CONFIG naming a placeholder that is no parameter
 */
GStrv
vernier_command_template_expand (VernierCommandTemplate  *self,
                                 JsonObject              *params,
                                 VernierSpace            *space,
                                 GError                 **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  builder = g_strv_builder_new ();

  for (guint i = 0; i < self->elements->len; i++)
    {
      Element *element = g_ptr_array_index (self->elements, i);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint j = 0; j < element->segments->len; j++)
        {
          Segment *segment = &g_array_index (element->segments, Segment, j);
          JsonNode *value;
          g_autofree gchar *formatted = NULL;

          if (!segment->placeholder)
            {
              g_string_append (text, segment->text);
              continue;
            }

          value = params != NULL ? json_object_get_member (params, segment->text) : NULL;
          if (value == NULL)
            {
              g_autoptr(GList) members = NULL;
              g_autofree gchar *names = NULL;

              if (space != NULL && vernier_space_lookup (space, segment->text) != NULL)
                continue;

              if (params != NULL)
                members = json_object_get_members (params);
              names = join_names (members);
              g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                           "argv placeholder {%s} in '%s' names no parameter "
                           "of the trial (parameters: %s)",
                           segment->text, element->source, names);
              return NULL;
            }

          formatted = vernier_command_format_value (value);
          g_string_append (text, formatted);
        }

      g_strv_builder_add (builder, text->str);
    }

  return g_strv_builder_end (builder);
}
