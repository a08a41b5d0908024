#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vernier-error.h"
#include "vernier-utils.h"

static GQuark
duration_quark (void)
{
  static GQuark q;

  if (G_UNLIKELY (q == 0))
    q = g_quark_from_static_string ("vernier-duration");
  return q;
}

/**
 * vernier_param_spec_duration:
 * @name: canonical name of the property
 * @nick: (nullable): nick of the property
 * @blurb: (nullable): description of the property
 * @minimum: the minimum, in microseconds
 * @maximum: the maximum, in microseconds
 * @default_value: the default, in microseconds
 * @flags: flags for the property
 *
 * Creates a property that holds a duration in microseconds (a #gint64).
 * A study file sets it with a number and a unit: `250ms`, `30s`, `5m`,
 * `1h30m`, `2d`; a bare number is seconds.
 *
 * Returns: (transfer floating): a new #GParamSpec
 */
GParamSpec *
vernier_param_spec_duration (const gchar *name,
                             const gchar *nick,
                             const gchar *blurb,
                             gint64       minimum,
                             gint64       maximum,
                             gint64       default_value,
                             GParamFlags  flags)
{
  GParamSpec *pspec;

  pspec = g_param_spec_int64 (name, nick, blurb, minimum, maximum,
                              default_value, flags);
  g_param_spec_set_qdata (pspec, duration_quark (), GINT_TO_POINTER (1));
  return pspec;
}

/**
 * vernier_param_spec_is_duration:
 * @pspec: a #GParamSpec
 *
 * Whether @pspec was made by vernier_param_spec_duration().
 *
 * Returns: %TRUE for a duration property
 */
gboolean
vernier_param_spec_is_duration (GParamSpec *pspec)
{
  g_return_val_if_fail (G_IS_PARAM_SPEC (pspec), FALSE);

  return G_IS_PARAM_SPEC_INT64 (pspec) &&
         g_param_spec_get_qdata (pspec, duration_quark ()) != NULL;
}

/**
 * vernier_parse_duration:
 * @text: a duration such as `30s`, `250ms`, `5m`, `1h30m`, `2d` or `1.5`
 * @out_usec: (out): the duration in microseconds
 * @error: return location for a #GError
 *
 * Parses a duration: one or more numbers, each followed by a unit (`us`,
 * `ms`, `s`, `m`, `h`, `d`). A single bare number is seconds.
 *
 * Returns: %TRUE on success; %FALSE with %VERNIER_ERROR_INVALID_CONFIG
 */
gboolean
vernier_parse_duration (const gchar  *text,
                        gint64       *out_usec,
                        GError      **error)
{
  const gchar *p;
  gdouble total = 0;
  guint parts = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_usec != NULL, FALSE);

  p = text;
  while (g_ascii_isspace (*p))
    p++;

  while (*p != '\0')
    {
      gchar *end = NULL;
      gdouble number;
      gdouble scale;

      if (!g_ascii_isdigit (*p) && *p != '.')
        goto bad;

      errno = 0;
      number = g_ascii_strtod (p, &end);
      if (end == p || errno != 0 || !isfinite (number) || number < 0)
        goto bad;
      p = end;

      if (g_str_has_prefix (p, "us"))
        scale = 1, p += 2;
      else if (g_str_has_prefix (p, "ms"))
        scale = 1e3, p += 2;
      else if (*p == 's')
        scale = 1e6, p += 1;
      else if (*p == 'm')
        scale = 60e6, p += 1;
      else if (*p == 'h')
        scale = 3600e6, p += 1;
      else if (*p == 'd')
        scale = 86400e6, p += 1;
      else if (*p == '\0' || g_ascii_isspace (*p))
        {
          if (parts > 0)
            goto bad;
          scale = 1e6;
        }
      else
        goto bad;

      total += number * scale;
      parts++;

      while (g_ascii_isspace (*p))
        p++;
    }

  if (parts == 0)
    goto bad;
  if (total > (gdouble) G_MAXINT64 / 2)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "'%s' is too long a duration (at most about 146,000 years)", text);
      return FALSE;
    }

  *out_usec = (gint64) llround (total);
  return TRUE;

bad:
  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
               "'%s' is not a duration (expected a number with a unit, "
               "such as 250ms, 30s, 5m, 1h30m or 2d)", text);
  return FALSE;
}

/**
 * vernier_format_duration:
 * @usec: a duration in microseconds
 *
 * Formats a duration the way vernier_parse_duration() reads it back,
 * keeping the largest units: `1h30m`, `45s`, `250ms`.
 *
 * Returns: (transfer full): the formatted duration
 */
gchar *
vernier_format_duration (gint64 usec)
{
  GString *s;
  static const struct { gint64 size; const gchar *unit; } units[] = {
    { G_GINT64_CONSTANT (86400000000), "d" },
    { G_GINT64_CONSTANT (3600000000), "h" },
    { 60000000, "m" },
    { 1000000, "s" },
    { 1000, "ms" },
    { 1, "us" },
  };

  if (usec <= 0)
    return g_strdup ("0s");

  s = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (units) && usec > 0; i++)
    {
      if (usec >= units[i].size)
        {
          g_string_append_printf (s, "%" G_GINT64_FORMAT "%s",
                                  usec / units[i].size, units[i].unit);
          usec %= units[i].size;
        }
    }
  return g_string_free (s, FALSE);
}

/* ---- JSON syntax ------------------------------------------------------- */

typedef struct
{
  const gchar *p;
  const gchar *end;
  const gchar *start;
  const gchar *problem;
} Scan;

static void
scan_blanks (Scan *scan)
{
  while (scan->p < scan->end &&
         (*scan->p == ' ' || *scan->p == '\t' || *scan->p == '\n' || *scan->p == '\r'))
    scan->p++;
}

static gboolean
scan_fail (Scan        *scan,
           const gchar *problem)
{
  scan->problem = problem;
  return FALSE;
}

static gint
hex_value (gchar c)
{
  return g_ascii_xdigit_value (c);
}

/* Four hex digits after "\u", as a code unit, or -1. */
static gint
scan_code_unit (Scan *scan)
{
  gint unit = 0;

  if (scan->end - scan->p < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      gint digit = hex_value (scan->p[i]);

      if (digit < 0)
        return -1;
      unit = unit * 16 + digit;
    }
  scan->p += 4;
  return unit;
}

static gboolean
scan_string (Scan *scan)
{
  scan->p++;   /* the opening quote */
  while (scan->p < scan->end)
    {
      guchar c = (guchar) *scan->p;

      if (c == '"')
        {
          scan->p++;
          return TRUE;
        }
      if (c < 0x20)
        return scan_fail (scan, "a control character in a string");
      if (c == '\\')
        {
          gint unit;

          if (++scan->p >= scan->end)
            break;
          c = (guchar) *scan->p++;
          if (strchr ("\"\\/bfnrt", c) != NULL && c != '\0')
            continue;
          if (c != 'u' || (unit = scan_code_unit (scan)) < 0)
            return scan_fail (scan, "an invalid escape in a string");
          if (unit >= 0xdc00 && unit <= 0xdfff)
            return scan_fail (scan, "a lone low surrogate in a string");
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              if (scan->end - scan->p < 2 || scan->p[0] != '\\' || scan->p[1] != 'u')
                return scan_fail (scan, "a lone high surrogate in a string");
              scan->p += 2;
              unit = scan_code_unit (scan);
              if (unit < 0xdc00 || unit > 0xdfff)
                return scan_fail (scan, "a lone high surrogate in a string");
            }
          continue;
        }
      if (c < 0x80)
        {
          scan->p++;
          continue;
        }
      {
        const gchar *next = NULL;

        if (!g_utf8_validate (scan->p, MIN (scan->end - scan->p, 4), &next) && next == scan->p)
          return scan_fail (scan, "a string that is not UTF-8");
        scan->p = g_utf8_next_char (scan->p);
      }
    }
  return scan_fail (scan, "an unterminated string");
}

static gboolean
scan_digits (Scan *scan)
{
  const gchar *first = scan->p;

  while (scan->p < scan->end && g_ascii_isdigit (*scan->p))
    scan->p++;
  return scan->p > first;
}

static gboolean
scan_number (Scan *scan)
{
  if (*scan->p == '-')
    scan->p++;
  if (scan->p < scan->end && *scan->p == '0')
    scan->p++;
  else if (!scan_digits (scan))
    return scan_fail (scan, "an invalid number");
  if (scan->p < scan->end && *scan->p == '.')
    {
      scan->p++;
      if (!scan_digits (scan))
        return scan_fail (scan, "an invalid number");
    }
  if (scan->p < scan->end && (*scan->p == 'e' || *scan->p == 'E'))
    {
      scan->p++;
      if (scan->p < scan->end && (*scan->p == '+' || *scan->p == '-'))
        scan->p++;
      if (!scan_digits (scan))
        return scan_fail (scan, "an invalid number");
    }
  return TRUE;
}

static gboolean
scan_word (Scan        *scan,
           const gchar *word)
{
  gsize len = strlen (word);

  if ((gsize) (scan->end - scan->p) < len || strncmp (scan->p, word, len) != 0)
    return scan_fail (scan, "an unexpected character where a value should be");
  scan->p += len;
  return TRUE;
}

/* A scalar value, or the start of an array or object (its opening
 * bracket left for the caller). */
static gboolean
scan_scalar (Scan *scan)
{
  switch (*scan->p)
    {
    case '"':
      return scan_string (scan);
    case 't':
      return scan_word (scan, "true");
    case 'f':
      return scan_word (scan, "false");
    case 'n':
      return scan_word (scan, "null");
    default:
      if (*scan->p == '-' || g_ascii_isdigit (*scan->p))
        return scan_number (scan);
      return scan_fail (scan, "an unexpected character where a value should be");
    }
}

/**
 * vernier_json_check_syntax:
 * @text: (array length=length): the text
 * @length: its length in bytes, or -1 if it is NUL-terminated
 * @max_depth: the deepest nesting of arrays and objects accepted
 * @error: return location for a #GError
 *
 * Checks that @text is one JSON value (RFC 8259: strings in UTF-8 with
 * valid escapes, no trailing text), nested at most @max_depth deep,
 * without building anything. Text from other programs should pass this
 * before it reaches json-glib: json-glib 1.6 leaks what it built on some
 * invalid input, and parses deep nesting recursively.
 *
 * Returns: %TRUE if @text is valid, else %FALSE with
 *   %VERNIER_ERROR_INVALID_CONFIG and a message naming the byte offset
 *   and the problem
 */
gboolean
vernier_json_check_syntax (const gchar  *text,
                           gssize        length,
                           guint         max_depth,
                           GError      **error)
{
  g_autofree gchar *stack = NULL;   /* '[' or '{' by depth */
  Scan scan;
  guint depth = 0;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  scan.start = scan.p = text;
  scan.end = text + (length < 0 ? strlen (text) : (gsize) length);
  scan.problem = NULL;
  stack = g_malloc (MAX (max_depth, 1));

  scan_blanks (&scan);
  for (;;)
    {
      /* A value is expected here. */
      if (scan.p >= scan.end)
        {
          scan.problem = depth > 0 ? "the text ends inside an array or object"
                                   : "no value";
          break;
        }
      if (*scan.p == '[' || *scan.p == '{')
        {
          if (depth >= max_depth)
            {
              scan.problem = "arrays or objects nested too deep";
              break;
            }
          stack[depth++] = *scan.p++;
          scan_blanks (&scan);
          if (scan.p < scan.end && *scan.p == (stack[depth - 1] == '[' ? ']' : '}'))
            {
              scan.p++;
              depth--;
              goto after_value;
            }
          if (stack[depth - 1] == '{')
            goto member_name;
          continue;
        }
      if (!scan_scalar (&scan))
        break;

    after_value:
      scan_blanks (&scan);
      if (depth == 0)
        {
          if (scan.p < scan.end)
            scan.problem = "more than one value";
          break;
        }
      if (scan.p < scan.end && *scan.p == ',')
        {
          scan.p++;
          scan_blanks (&scan);
          if (stack[depth - 1] == '[')
            continue;
          goto member_name;
        }
      if (scan.p < scan.end && *scan.p == (stack[depth - 1] == '[' ? ']' : '}'))
        {
          scan.p++;
          depth--;
          goto after_value;
        }
      scan.problem = scan.p >= scan.end ? "the text ends inside an array or object"
        : stack[depth - 1] == '['
        ? "a missing ',' or ']' in an array"
        : "a missing ',' or '}' in an object";
      break;

    member_name:
      if (scan.p >= scan.end || *scan.p != '"')
        {
          scan.problem = "an object member without a name in quotes";
          break;
        }
      if (!scan_string (&scan))
        break;
      scan_blanks (&scan);
      if (scan.p >= scan.end || *scan.p != ':')
        {
          scan.problem = "a missing ':' after an object member's name";
          break;
        }
      scan.p++;
      scan_blanks (&scan);
    }

  if (scan.problem == NULL)
    return TRUE;
  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
               "%s (at byte %" G_GSIZE_FORMAT ")", scan.problem,
               (gsize) (scan.p - scan.start));
  return FALSE;
}

/* Whether @text is a string without asking the JSON parser, which accepts
 * no value that starts with a letter other than those of true, false and
 * null, nor with a byte above ASCII: the choices of a categorical
 * parameter may be counted in millions. */
static gboolean
is_plain_word (const gchar *text)
{
  guchar first = (guchar) text[0];

  return first >= 0x80 || (g_ascii_isalpha (first) && strchr ("tfn", first) == NULL);
}

/* A number as people write it but JSON does not (.5, 1., 01, +2, 1e3 is
 * JSON already), as json-glib's scanner used to read it in study files:
 * a finite number written in decimal, whole text. */
static JsonNode *
loose_number (const gchar *text)
{
  gchar *end = NULL;
  gdouble value;

  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && strchr ("+-.eE", *p) == NULL)
      return NULL;
  if (strpbrk (text, "0123456789") == NULL)
    return NULL;

  if (strpbrk (text, ".eE") == NULL)
    {
      gint64 whole;

      errno = 0;
      whole = g_ascii_strtoll (text, &end, 10);
      if (errno == 0 && end != text && *end == '\0')
        return json_node_init_int (json_node_alloc (), whole);
      return NULL;
    }
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value))
    return NULL;
  return json_node_init_double (json_node_alloc (), value);
}

/**
 * vernier_json_node_from_string:
 * @text: a value as written in a study file
 *
 * Reads a value the way a study file's lists are read: as JSON where it
 * parses as a JSON value (`1`, `0.5`, `true`, `null`, `"a"`, `[1,2]`), as a
 * number where it is one in decimal but not in JSON (`.5`, `1.`, `01`,
 * `+2`), as a string otherwise (`sgd`). The JSON is checked with
 * vernier_json_check_syntax() (at most %VERNIER_JSON_MAX_DEPTH deep)
 * before it is parsed.
 *
 * Returns: (transfer full): a new #JsonNode
 */
JsonNode *
vernier_json_node_from_string (const gchar *text)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree gchar *stripped = NULL;
  JsonNode *node;

  g_return_val_if_fail (text != NULL, NULL);

  stripped = g_strstrip (g_strdup (text));
  if (*stripped != '\0' && !is_plain_word (stripped) &&
      vernier_json_check_syntax (stripped, -1, VERNIER_JSON_MAX_DEPTH, NULL))
    {
      parser = json_parser_new_immutable ();
      if (json_parser_load_from_data (parser, stripped, -1, NULL) &&
          json_parser_get_root (parser) != NULL)
        return json_node_copy (json_parser_get_root (parser));
    }
  if (*stripped != '\0' && (node = loose_number (stripped)) != NULL)
    return node;

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, text);
  return node;
}

/**
 * vernier_json_node_get_number:
 * @node: (nullable): a #JsonNode
 * @out_value: (out) (optional): the number
 *
 * Reads a JSON number (integer or double, not a boolean or a string).
 *
 * Returns: %TRUE if @node holds a number
 */
gboolean
vernier_json_node_get_number (JsonNode *node,
                              gdouble  *out_value)
{
  GType type;
  gdouble v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    v = (gdouble) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    v = json_node_get_double (node);
  else
    return FALSE;

  if (out_value != NULL)
    *out_value = v;
  return TRUE;
}

typedef enum
{
  WRITE_SORTED = 1 << 0,     /* members by name */
  WRITE_CANONICAL = 1 << 1,  /* 1 and 1.0 written alike */
  WRITE_PRETTY = 1 << 2,
} WriteFlags;

static void
write_string (GString     *out,
              const gchar *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (gchar) *p);
        }
    }
  g_string_append_c (out, '"');
}

/* The shortest text that reads back as the same double. */
static void
write_double (GString  *out,
              gdouble   v,
              gboolean  canonical)
{
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    {
      g_string_append (out, "null");
      return;
    }
  for (gint precision = 15; precision <= 17; precision++)
    {
      gchar format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, v);
      if (g_ascii_strtod (buffer, NULL) == v)
        break;
    }
  g_string_append (out, buffer);
  /* Keep a double a double when read back, unless canonical. */
  if (!canonical && strpbrk (buffer, ".eE") == NULL)
    g_string_append (out, ".0");
}

static void
write_newline (GString    *out,
               WriteFlags  flags,
               guint       depth)
{
  if (!(flags & WRITE_PRETTY))
    return;
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
write_node (GString    *out,
            JsonNode   *node,
            WriteFlags  flags,
            guint       depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) names = json_object_get_members (object);

        if (flags & WRITE_SORTED)
          names = g_list_sort (names, (GCompareFunc) g_strcmp0);
        g_string_append_c (out, '{');
        for (GList *l = names; l != NULL; l = l->next)
          {
            if (l != names)
              g_string_append_c (out, ',');
            write_newline (out, flags, depth + 1);
            write_string (out, l->data);
            g_string_append (out, (flags & WRITE_PRETTY) ? ": " : ":");
            write_node (out, json_object_get_member (object, l->data), flags, depth + 1);
          }
        if (names != NULL)
          write_newline (out, flags, depth);
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_newline (out, flags, depth + 1);
            write_node (out, json_array_get_element (array, i), flags, depth + 1);
          }
        if (n > 0)
          write_newline (out, flags, depth);
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          write_double (out, json_node_get_double (node), flags & WRITE_CANONICAL);
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_STRING)
          write_string (out, json_node_get_string (node));
        else
          g_string_append (out, "null");
      }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/**
 * vernier_json_to_string:
 * @node: a JSON node
 * @pretty: indent the text
 *
 * Writes @node as JSON text, members in their order. Unlike
 * json_to_string() of json-glib 1.6, every double is written as valid
 * JSON in the fewest digits that read back exactly (`0.1`, `1e+20`, not
 * `0.10000000000000001` or `1e+20.0`), and NaN and infinities as `null`.
 *
 * Returns: (transfer full): the text
 */
gchar *
vernier_json_to_string (JsonNode *node,
                        gboolean  pretty)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);

  write_node (out, node, pretty ? WRITE_PRETTY : 0, 0);
  return g_string_free (out, FALSE);
}

/**
 * vernier_json_object_canonical:
 * @object: a JSON object, such as a trial's parameters
 *
 * A canonical text of @object: compact JSON with members sorted by name
 * at every level and numbers written the same whether they were integers
 * or doubles (`1` and `1.0` agree), in the fewest digits that read back
 * exactly. Equal configurations give equal texts:
 * use it to recognize a configuration already tried, or to hash one.
 *
 * Returns: (transfer full): the canonical text
 */
gchar *
vernier_json_object_canonical (JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (object != NULL, NULL);

  node = json_node_init_object (json_node_alloc (), object);
  write_node (out, node, WRITE_SORTED | WRITE_CANONICAL, 0);
  return g_string_free (out, FALSE);
}

static JsonNode *
deep_copy (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(JsonObject) result = json_object_new ();
        g_autoptr(GList) names = json_object_get_members (object);

        for (GList *l = names; l != NULL; l = l->next)
          json_object_set_member (result, l->data,
                                  deep_copy (json_object_get_member (object,
                                                                     l->data)));
        copy = json_node_init_object (json_node_alloc (), result);
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        g_autoptr(JsonArray) result = json_array_new ();
        guint n = json_array_get_length (array);

        for (guint i = 0; i < n; i++)
          json_array_add_element (result,
                                  deep_copy (json_array_get_element (array, i)));
        copy = json_node_init_array (json_node_alloc (), result);
      }
      break;

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      copy = json_node_copy (node);
      break;
    }
  return copy;
}

/**
 * vernier_json_object_copy:
 * @object: a JSON object
 *
 * A deep copy of @object that the caller owns alone: nothing in it is
 * shared with @object (json_node_copy() shares nested objects).
 *
 * Returns: (transfer full): the copy
 */
JsonObject *
vernier_json_object_copy (JsonObject *object)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) copy = NULL;

  g_return_val_if_fail (object != NULL, NULL);

  node = json_node_init_object (json_node_alloc (), object);
  copy = deep_copy (node);
  return json_node_dup_object (copy);
}

/**
 * vernier_format_time:
 * @usec: microseconds since the Unix epoch
 *
 * Writes a time as ISO 8601 in UTC, with microseconds when there are any
 * (`2026-11-25T11:16:11.949884Z`): what trial records hold. It reads back
 * with g_date_time_new_from_iso8601().
 *
 * Returns: (transfer full): the text
 */
gchar *
vernier_format_time (gint64 usec)
{
  gint64 seconds = usec >= 0 ? usec / G_USEC_PER_SEC : (usec - G_USEC_PER_SEC + 1) / G_USEC_PER_SEC;
  gint micro = (gint) (usec - seconds * G_USEC_PER_SEC);
  time_t t = (time_t) seconds;
  struct tm tm;

  gmtime_r (&t, &tm);
  if (micro == 0)
    return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                            tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micro);
}
