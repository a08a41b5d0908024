#include "config.h"

#include <math.h>
#include <string.h>

#include "vernier-dimension.h"
#include "vernier-error.h"
#include "vernier-utils.h"

struct _VernierDimension
{
  grefcount             ref_count;
  gchar                *name;
  VernierDimensionKind  kind;
  gdouble               low;
  gdouble               high;
  gdouble               step;
  gboolean              log;
  JsonArray            *choices;
  gchar                *condition_parent;
  JsonNode             *condition_value;
};

/* The most choices a categorical parameter may have: memory and the time
 * to check a value grow with them (about 300 bytes each, study file and
 * storage included). Documented in vernier_dimension_new_categorical(). */
#define MAX_CHOICES (1u << 20)

G_DEFINE_BOXED_TYPE (VernierDimension, vernier_dimension,
                     vernier_dimension_ref, vernier_dimension_unref)

static VernierDimension *
dimension_alloc (const gchar          *name,
                 VernierDimensionKind  kind)
{
  VernierDimension *self = g_new0 (VernierDimension, 1);

  g_ref_count_init (&self->ref_count);
  self->name = g_strdup (name);
  self->kind = kind;
  return self;
}

static gboolean
check_name (const gchar  *name,
            GError      **error)
{
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "a parameter needs a non-empty UTF-8 name");
      return FALSE;
    }
  if (strpbrk (name, "{}") != NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': a name cannot contain '{' or '}'", name);
      return FALSE;
    }
  return TRUE;
}

/**
 * vernier_dimension_new_float:
 * @name: the parameter's name
 * @low: the lower bound, included
 * @high: the upper bound, included
 * @log: whether to search in log space (needs @low > 0)
 * @step: the step between values, or 0 for a continuous range
 * @error: return location for a #GError
 *
 * Creates a real-valued dimension.
 *
 * Returns: (transfer full) (nullable): the dimension, or %NULL with
 *   %VERNIER_ERROR_INVALID_CONFIG when the bounds make no sense
 */
VernierDimension *
vernier_dimension_new_float (const gchar  *name,
                             gdouble       low,
                             gdouble       high,
                             gboolean      log,
                             gdouble       step,
                             GError      **error)
{
  VernierDimension *self;

  if (!check_name (name, error))
    return NULL;
  if (!isfinite (low) || !isfinite (high) || !isfinite (step))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': low, high and step must be finite numbers",
                   name);
      return NULL;
    }
  if (low > high)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': low (%g) is greater than high (%g)",
                   name, low, high);
      return NULL;
    }
  if (!isfinite (high - low))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': the range [%g, %g] is too wide to sample "
                   "(its width is not a finite number)", name, low, high);
      return NULL;
    }
  if (log && low <= 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': log=true needs low > 0 (low is %g)",
                   name, low);
      return NULL;
    }
  if (step < 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': step must be positive (step is %g)",
                   name, step);
      return NULL;
    }
  if (log && step > 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': log=true and step cannot be combined",
                   name);
      return NULL;
    }

  self = dimension_alloc (name, VERNIER_DIMENSION_FLOAT);
  self->low = low;
  self->high = high;
  self->log = log;
  self->step = step;
  return self;
}

/**
 * vernier_dimension_new_int:
 * @name: the parameter's name
 * @low: the lower bound, included
 * @high: the upper bound, included
 * @log: whether to search in log space (needs @low >= 1 and @step 1)
 * @step: the step between values (0 means 1)
 * @error: return location for a #GError
 *
 * Creates an integer dimension.
 *
 * Returns: (transfer full) (nullable): the dimension, or %NULL with
 *   %VERNIER_ERROR_INVALID_CONFIG when the bounds make no sense
 */
VernierDimension *
vernier_dimension_new_int (const gchar  *name,
                           gint64        low,
                           gint64        high,
                           gboolean      log,
                           gint64        step,
                           GError      **error)
{
  VernierDimension *self;
  const gint64 limit = G_GINT64_CONSTANT (1) << 52;

  if (!check_name (name, error))
    return NULL;
  if (step == 0)
    step = 1;
  if (low > high)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': low (%" G_GINT64_FORMAT ") is greater "
                   "than high (%" G_GINT64_FORMAT ")", name, low, high);
      return NULL;
    }
  if (low < -limit || high > limit)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': integer bounds must lie within ±2^52",
                   name);
      return NULL;
    }
  if (step < 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': step must be positive", name);
      return NULL;
    }
  if (log && low < 1)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': log=true needs low >= 1 (low is %"
                   G_GINT64_FORMAT ")", name, low);
      return NULL;
    }
  if (log && step != 1)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': log=true and step cannot be combined",
                   name);
      return NULL;
    }

  self = dimension_alloc (name, VERNIER_DIMENSION_INT);
  self->low = (gdouble) low;
  self->high = (gdouble) (low + ((high - low) / step) * step);
  self->log = log;
  self->step = (gdouble) step;
  return self;
}

/**
 * vernier_dimension_new_categorical:
 * @name: the parameter's name
 * @choices: the choices, any JSON values (at least one, no duplicates,
 *   at most 1,048,576)
 * @error: return location for a #GError
 *
 * Creates a categorical dimension. The choices are copied.
 *
 * Returns: (transfer full) (nullable): the dimension, or %NULL with
 *   %VERNIER_ERROR_INVALID_CONFIG
 */
VernierDimension *
vernier_dimension_new_categorical (const gchar  *name,
                                   JsonArray    *choices,
                                   GError      **error)
{
  VernierDimension *self;
  guint n;

  if (!check_name (name, error))
    return NULL;
  n = choices != NULL ? json_array_get_length (choices) : 0;
  if (n == 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': a categorical parameter needs at least "
                   "one choice", name);
      return NULL;
    }
  if (n > MAX_CHOICES)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s': %u choices are more than the %u a categorical "
                   "parameter may have; use an integer parameter (type=int) that "
                   "indexes a list of your own", name, n, MAX_CHOICES);
      return NULL;
    }

  {
    g_autoptr(GHashTable) seen = g_hash_table_new (json_node_hash,
                                                   json_node_equal);
    for (guint i = 0; i < n; i++)
      {
        JsonNode *node = json_array_get_element (choices, i);

        if (!g_hash_table_add (seen, node))
          {
            g_autofree gchar *text = vernier_json_to_string (node, FALSE);

            g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                         "parameter '%s': choice %s appears twice", name,
                         text);
            return NULL;
          }
      }
  }

  self = dimension_alloc (name, VERNIER_DIMENSION_CATEGORICAL);
  self->choices = json_array_sized_new (n);
  for (guint i = 0; i < n; i++)
    json_array_add_element (self->choices,
                            json_node_copy (json_array_get_element (choices, i)));
  json_array_seal (self->choices);
  self->low = 0;
  self->high = n - 1;
  return self;
}

/**
 * vernier_dimension_ref:
 * @self: a #VernierDimension
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 */
VernierDimension *
vernier_dimension_ref (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * vernier_dimension_unref:
 * @self: (transfer full): a #VernierDimension
 *
 * Drops a reference.
 */
void
vernier_dimension_unref (VernierDimension *self)
{
  g_return_if_fail (self != NULL);

  if (!g_ref_count_dec (&self->ref_count))
    return;

  g_free (self->name);
  g_clear_pointer (&self->choices, json_array_unref);
  g_free (self->condition_parent);
  g_clear_pointer (&self->condition_value, json_node_unref);
  g_free (self);
}

/**
 * vernier_dimension_get_name:
 * @self: a #VernierDimension
 *
 * Returns: the parameter's name
 */
const gchar *
vernier_dimension_get_name (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

/**
 * vernier_dimension_get_kind:
 * @self: a #VernierDimension
 *
 * Returns: the kind of dimension
 */
VernierDimensionKind
vernier_dimension_get_kind (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, VERNIER_DIMENSION_FLOAT);
  return self->kind;
}

/**
 * vernier_dimension_get_low:
 * @self: a #VernierDimension
 *
 * Returns: the lower bound (0 for a categorical dimension)
 */
gdouble
vernier_dimension_get_low (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->low;
}

/**
 * vernier_dimension_get_high:
 * @self: a #VernierDimension
 *
 * Returns: the upper bound (the last index for a categorical dimension); an
 *   integer dimension's bound is lowered onto its step grid
 */
gdouble
vernier_dimension_get_high (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->high;
}

/**
 * vernier_dimension_get_log:
 * @self: a #VernierDimension
 *
 * Returns: whether the dimension is searched in log space
 */
gboolean
vernier_dimension_get_log (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->log;
}

/**
 * vernier_dimension_get_step:
 * @self: a #VernierDimension
 *
 * Returns: the step, 0 for a continuous float dimension, at least 1 for an
 *   integer one
 */
gdouble
vernier_dimension_get_step (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->step;
}

/**
 * vernier_dimension_get_choices:
 * @self: a #VernierDimension
 *
 * Returns: (transfer none) (nullable): the choices of a categorical
 *   dimension, %NULL for the others
 */
JsonArray *
vernier_dimension_get_choices (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->choices;
}

/**
 * vernier_dimension_get_n_choices:
 * @self: a #VernierDimension
 *
 * Returns: the number of choices, 0 for a numeric dimension
 */
guint
vernier_dimension_get_n_choices (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->choices != NULL ? json_array_get_length (self->choices) : 0;
}

/**
 * vernier_dimension_get_n_points:
 * @self: a #VernierDimension
 *
 * The number of distinct values of a discrete dimension: the choices, the
 * integers on the step grid, or the floats on the step grid.
 *
 * Returns: the number of values, or 0 for a continuous float dimension
 */
guint64
vernier_dimension_get_n_points (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, 0);

  switch (self->kind)
    {
    case VERNIER_DIMENSION_CATEGORICAL:
      return vernier_dimension_get_n_choices (self);
    case VERNIER_DIMENSION_INT:
      return (guint64) ((self->high - self->low) / self->step) + 1;
    case VERNIER_DIMENSION_FLOAT:
    default:
      if (self->step <= 0)
        return self->low == self->high ? 1 : 0;
      /* Tolerate rounding: 0.1 steps over [0, 1] give 11 points. */
      return (guint64) floor ((self->high - self->low) / self->step + 1e-9) + 1;
    }
}

/**
 * vernier_dimension_set_condition:
 * @self: a #VernierDimension not yet added to a space
 * @parent: (nullable): the parameter this one depends on, or %NULL for none
 * @value: (nullable): the value @parent must have for this one to be active
 *
 * Makes the dimension conditional: it is present in a configuration only
 * when @parent is present and equal to @value.
 */
void
vernier_dimension_set_condition (VernierDimension *self,
                                 const gchar      *parent,
                                 JsonNode         *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (parent == NULL || value != NULL);

  g_clear_pointer (&self->condition_parent, g_free);
  g_clear_pointer (&self->condition_value, json_node_unref);
  if (parent != NULL)
    {
      self->condition_parent = g_strdup (parent);
      self->condition_value = json_node_copy (value);
    }
}

/**
 * vernier_dimension_get_condition_parent:
 * @self: a #VernierDimension
 *
 * Returns: (nullable): the parameter this one depends on, or %NULL
 */
const gchar *
vernier_dimension_get_condition_parent (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->condition_parent;
}

/**
 * vernier_dimension_get_condition_value:
 * @self: a #VernierDimension
 *
 * Returns: (transfer none) (nullable): the value the parent must have
 */
JsonNode *
vernier_dimension_get_condition_value (VernierDimension *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->condition_value;
}

static JsonNode *
make_number (VernierDimension *self,
             gdouble           v)
{
  v = CLAMP (v, self->low, self->high);
  if (self->kind == VERNIER_DIMENSION_INT)
    return json_node_init_int (json_node_alloc (), (gint64) llround (v));
  return json_node_init_double (json_node_alloc (), v);
}

/**
 * vernier_dimension_value_at:
 * @self: a #VernierDimension
 * @index: the index of the value, from 0
 * @n_points: for a continuous float dimension, how many evenly spaced
 *   points (both bounds included, in log space for a log dimension);
 *   ignored for discrete dimensions
 *
 * The @index-th value of the dimension, as a grid search visits it.
 *
 * Returns: (transfer full): the value
 */
JsonNode *
vernier_dimension_value_at (VernierDimension *self,
                            guint64           index,
                            guint64           n_points)
{
  guint64 n;

  g_return_val_if_fail (self != NULL, NULL);

  n = vernier_dimension_get_n_points (self);
  if (self->kind == VERNIER_DIMENSION_CATEGORICAL)
    return json_node_copy (json_array_get_element (self->choices,
                                                   MIN (index, n - 1)));

  if (n > 0)
    {
      if (self->kind == VERNIER_DIMENSION_INT && self->log && n > 0 &&
          n_points > 0 && n_points < n)
        {
          gdouble t = n_points > 1 ? (gdouble) index / (n_points - 1) : 0;
          gdouble v = exp (log (self->low) + t * (log (self->high) - log (self->low)));

          return make_number (self, round (v));
        }
      index = MIN (index, n - 1);
      return make_number (self, self->low + (gdouble) index * self->step);
    }

  if (n_points <= 1)
    return make_number (self, self->low);
  {
    gdouble t = (gdouble) MIN (index, n_points - 1) / (gdouble) (n_points - 1);

    if (self->log)
      return make_number (self, exp (log (self->low) +
                                     t * (log (self->high) - log (self->low))));
    return make_number (self, self->low + t * (self->high - self->low));
  }
}

/**
 * vernier_dimension_value_from_unit:
 * @self: a #VernierDimension
 * @u: a number in [0, 1)
 *
 * Maps a point of the unit interval onto the dimension: uniformly (or
 * log-uniformly) for a continuous range, to one of the values with equal
 * probability for a discrete one. Samplers draw @u and call this.
 *
 * Returns: (transfer full): the value
 */
JsonNode *
vernier_dimension_value_from_unit (VernierDimension *self,
                                   gdouble           u)
{
  guint64 n;

  g_return_val_if_fail (self != NULL, NULL);

  u = CLAMP (u, 0.0, 1.0);
  if (self->kind == VERNIER_DIMENSION_INT && self->log)
    {
      gdouble lo = log (self->low - 0.5), hi = log (self->high + 0.5);

      return make_number (self, round (exp (lo + u * (hi - lo))));
    }

  n = vernier_dimension_get_n_points (self);
  if (n > 0)
    {
      guint64 index = (guint64) floor (u * (gdouble) n);

      return vernier_dimension_value_at (self, MIN (index, n - 1), 0);
    }

  if (self->log)
    return make_number (self, exp (log (self->low) +
                                   u * (log (self->high) - log (self->low))));
  return make_number (self, self->low + u * (self->high - self->low));
}

static gint64
choice_index (VernierDimension *self,
              JsonNode         *value)
{
  guint n = vernier_dimension_get_n_choices (self);

  for (guint i = 0; i < n; i++)
    if (json_node_equal (json_array_get_element (self->choices, i), value))
      return i;
  return -1;
}

/**
 * vernier_dimension_value_to_unit:
 * @self: a #VernierDimension
 * @value: a value of the dimension
 *
 * The inverse of vernier_dimension_value_from_unit(): where @value lies in
 * [0, 1]; a discrete value maps to the middle of its cell.
 *
 * Returns: the position in [0, 1], or -1 if @value is not of the dimension
 */
gdouble
vernier_dimension_value_to_unit (VernierDimension *self,
                                 JsonNode         *value)
{
  gdouble v;
  guint64 n;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (value != NULL, -1);

  if (self->kind == VERNIER_DIMENSION_CATEGORICAL)
    {
      gint64 i = choice_index (self, value);

      if (i < 0)
        return -1;
      return (i + 0.5) / vernier_dimension_get_n_choices (self);
    }

  if (!vernier_json_node_get_number (value, &v))
    return -1;
  v = CLAMP (v, self->low, self->high);

  if (self->kind == VERNIER_DIMENSION_INT && self->log)
    {
      gdouble lo = log (self->low - 0.5), hi = log (self->high + 0.5);

      return (log (v) - lo) / (hi - lo);
    }

  n = vernier_dimension_get_n_points (self);
  if (n > 0)
    {
      gdouble index = self->step > 0 ? round ((v - self->low) / self->step) : 0;

      /* validate() takes a value a little past the last point of the
       * grid (within its tolerance): it is in the last cell. */
      index = CLAMP (index, 0, (gdouble) (n - 1));
      return (index + 0.5) / (gdouble) n;
    }

  if (self->log)
    return (log (v) - log (self->low)) / (log (self->high) - log (self->low));
  return (v - self->low) / (self->high - self->low);
}

/**
 * vernier_dimension_validate:
 * @self: a #VernierDimension
 * @value: a value
 * @error: return location for a #GError
 *
 * Checks that @value belongs to the dimension: a choice, or a number of
 * the right type within the bounds and on the step grid.
 *
 * Returns: %TRUE if it does; %FALSE with %VERNIER_ERROR_INVALID_PARAMS
 */
gboolean
vernier_dimension_validate (VernierDimension  *self,
                            JsonNode          *value,
                            GError           **error)
{
  enum { VALID, NOT_CHOICE, NOT_NUMBER, OUTSIDE, NOT_INTEGER, OFF_GRID } why = VALID;
  g_autofree gchar *text = NULL;
  gdouble v;

  g_return_val_if_fail (self != NULL, FALSE);

  if (value == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                   "parameter '%s' is missing", self->name);
      return FALSE;
    }

  if (self->kind == VERNIER_DIMENSION_CATEGORICAL)
    why = choice_index (self, value) >= 0 ? VALID : NOT_CHOICE;
  else if (!vernier_json_node_get_number (value, &v) || !isfinite (v))
    why = NOT_NUMBER;
  else
    {
      gdouble tolerance = 1e-9 * MAX (1.0, MAX (fabs (self->low), fabs (self->high)));

      if (v < self->low - tolerance || v > self->high + tolerance)
        why = OUTSIDE;
      else if (self->kind == VERNIER_DIMENSION_INT && v != floor (v))
        why = NOT_INTEGER;
      else if (self->step > 0 &&
               fabs ((v - self->low) / self->step - round ((v - self->low) / self->step)) > 1e-6)
        why = OFF_GRID;
    }

  if (why == VALID)
    return TRUE;

  /* Format the value on the error path only: validation runs per trial. */
  text = vernier_json_to_string (value, FALSE);
  switch (why)
    {
    case NOT_CHOICE:
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                   "parameter '%s': %s is not one of its choices", self->name, text);
      break;
    case NOT_NUMBER:
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                   "parameter '%s': %s is not a number", self->name, text);
      break;
    case OUTSIDE:
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                   "parameter '%s': %s is outside [%g, %g]",
                   self->name, text, self->low, self->high);
      break;
    case NOT_INTEGER:
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                   "parameter '%s': %s is not an integer", self->name, text);
      break;
    case OFF_GRID:
    case VALID:
    default:
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                   "parameter '%s': %s is not on the step grid (low %g, step %g)",
                   self->name, text, self->low, self->step);
      break;
    }
  return FALSE;
}
