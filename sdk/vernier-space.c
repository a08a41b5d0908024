#include "config.h"

#include "vernier-error.h"
#include "vernier-space.h"
#include "vernier-utils.h"

/**
 * VernierSpace:
 *
 * The search space of a study: an ordered set of named dimensions
 * (#VernierDimension), and/or an explicit list of candidate
 * configurations.
 *
 * A dimension may depend on an earlier one (see
 * vernier_dimension_set_condition()): tuners visit dimensions in order and
 * leave out those that are not active.
 */
struct _VernierSpace
{
  GObject     parent_instance;

  GPtrArray  *dimensions;
  GHashTable *by_name;
  GPtrArray  *candidates;
};

G_DEFINE_FINAL_TYPE (VernierSpace, vernier_space, G_TYPE_OBJECT)

static void
vernier_space_finalize (GObject *object)
{
  VernierSpace *self = VERNIER_SPACE (object);

  g_clear_pointer (&self->dimensions, g_ptr_array_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);

  G_OBJECT_CLASS (vernier_space_parent_class)->finalize (object);
}

static void
vernier_space_class_init (VernierSpaceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vernier_space_finalize;
}

static void
vernier_space_init (VernierSpace *self)
{
  self->dimensions = g_ptr_array_new_with_free_func ((GDestroyNotify) vernier_dimension_unref);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

/**
 * vernier_space_new:
 *
 * Creates an empty search space.
 *
 * Returns: (transfer full): a new #VernierSpace
 */
VernierSpace *
vernier_space_new (void)
{
  return g_object_new (VERNIER_TYPE_SPACE, NULL);
}

/**
 * vernier_space_add:
 * @self: a #VernierSpace
 * @dimension: the dimension to append
 * @error: return location for a #GError
 *
 * Appends a dimension. Its name must be new; a condition must refer to a
 * dimension added before, with a value that dimension can take.
 *
 * Returns: %TRUE on success; %FALSE with %VERNIER_ERROR_INVALID_CONFIG
 */
gboolean
vernier_space_add (VernierSpace      *self,
                   VernierDimension  *dimension,
                   GError           **error)
{
  const gchar *name, *parent;

  g_return_val_if_fail (VERNIER_IS_SPACE (self), FALSE);
  g_return_val_if_fail (dimension != NULL, FALSE);

  name = vernier_dimension_get_name (dimension);
  if (g_hash_table_contains (self->by_name, name))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "parameter '%s' is defined twice", name);
      return FALSE;
    }

  parent = vernier_dimension_get_condition_parent (dimension);
  if (parent != NULL)
    {
      VernierDimension *p = g_hash_table_lookup (self->by_name, parent);
      g_autoptr(GError) local_error = NULL;

      if (p == NULL)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "parameter '%s' depends on '%s', which is not defined "
                       "before it", name, parent);
          return FALSE;
        }
      if (!vernier_dimension_validate (p, vernier_dimension_get_condition_value (dimension),
                                       &local_error))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "parameter '%s' depends on a value '%s' never takes: %s",
                       name, parent, local_error->message);
          return FALSE;
        }
    }

  g_ptr_array_add (self->dimensions, vernier_dimension_ref (dimension));
  g_hash_table_insert (self->by_name, (gpointer) name, dimension);
  return TRUE;
}

/**
 * vernier_space_get_n_dimensions:
 * @self: a #VernierSpace
 *
 * Returns: the number of dimensions
 */
guint
vernier_space_get_n_dimensions (VernierSpace *self)
{
  g_return_val_if_fail (VERNIER_IS_SPACE (self), 0);
  return self->dimensions->len;
}

/**
 * vernier_space_get_dimension:
 * @self: a #VernierSpace
 * @index: the index, below vernier_space_get_n_dimensions()
 *
 * Returns: (transfer none): the dimension
 */
VernierDimension *
vernier_space_get_dimension (VernierSpace *self,
                             guint         index)
{
  g_return_val_if_fail (VERNIER_IS_SPACE (self), NULL);
  g_return_val_if_fail (index < self->dimensions->len, NULL);
  return g_ptr_array_index (self->dimensions, index);
}

/**
 * vernier_space_lookup:
 * @self: a #VernierSpace
 * @name: a parameter name
 *
 * Returns: (transfer none) (nullable): the dimension of that name, or %NULL
 */
VernierDimension *
vernier_space_lookup (VernierSpace *self,
                      const gchar  *name)
{
  g_return_val_if_fail (VERNIER_IS_SPACE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->by_name, name);
}

/**
 * vernier_space_add_candidate:
 * @self: a #VernierSpace
 * @params: a configuration to try
 * @error: return location for a #GError
 *
 * Appends an explicit candidate configuration. When the space has
 * dimensions, the candidate must lie in them.
 *
 * Returns: %TRUE on success; %FALSE with %VERNIER_ERROR_INVALID_PARAMS
 */
gboolean
vernier_space_add_candidate (VernierSpace  *self,
                             JsonObject    *params,
                             GError       **error)
{
  g_return_val_if_fail (VERNIER_IS_SPACE (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (self->dimensions->len > 0 && !vernier_space_validate (self, params, error))
    return FALSE;

  g_ptr_array_add (self->candidates, json_object_ref (params));
  return TRUE;
}

/**
 * vernier_space_get_n_candidates:
 * @self: a #VernierSpace
 *
 * Returns: the number of explicit candidates
 */
guint
vernier_space_get_n_candidates (VernierSpace *self)
{
  g_return_val_if_fail (VERNIER_IS_SPACE (self), 0);
  return self->candidates->len;
}

/**
 * vernier_space_get_candidate:
 * @self: a #VernierSpace
 * @index: the index, below vernier_space_get_n_candidates()
 *
 * Returns: (transfer none): the candidate configuration
 */
JsonObject *
vernier_space_get_candidate (VernierSpace *self,
                             guint         index)
{
  g_return_val_if_fail (VERNIER_IS_SPACE (self), NULL);
  g_return_val_if_fail (index < self->candidates->len, NULL);
  return g_ptr_array_index (self->candidates, index);
}

/**
 * vernier_space_is_empty:
 * @self: a #VernierSpace
 *
 * Returns: %TRUE if the space has neither dimensions nor candidates
 */
gboolean
vernier_space_is_empty (VernierSpace *self)
{
  g_return_val_if_fail (VERNIER_IS_SPACE (self), TRUE);
  return self->dimensions->len == 0 && self->candidates->len == 0;
}

/**
 * vernier_space_is_active:
 * @self: a #VernierSpace
 * @dimension: one of the space's dimensions
 * @params: the configuration built so far (earlier dimensions)
 *
 * Whether @dimension takes part in a configuration: it has no condition,
 * or its parent is present in @params with the required value.
 *
 * Returns: %TRUE if the dimension is active
 */
gboolean
vernier_space_is_active (VernierSpace     *self,
                         VernierDimension *dimension,
                         JsonObject       *params)
{
  const gchar *parent;
  JsonNode *value;

  g_return_val_if_fail (VERNIER_IS_SPACE (self), FALSE);
  g_return_val_if_fail (dimension != NULL, FALSE);

  parent = vernier_dimension_get_condition_parent (dimension);
  if (parent == NULL)
    return TRUE;
  if (params == NULL)
    return FALSE;
  value = json_object_get_member (params, parent);
  return value != NULL &&
         json_node_equal (value, vernier_dimension_get_condition_value (dimension));
}

/**
 * vernier_space_validate:
 * @self: a #VernierSpace
 * @params: a configuration
 * @error: return location for a #GError
 *
 * Checks a configuration against the dimensions: every active dimension
 * present with a valid value, no inactive or unknown parameter. A space
 * made of candidates only accepts any JSON object.
 *
 * Returns: %TRUE if valid; %FALSE with %VERNIER_ERROR_INVALID_PARAMS
 */
gboolean
vernier_space_validate (VernierSpace  *self,
                        JsonObject    *params,
                        GError       **error)
{
  JsonObjectIter iter;
  const gchar *member;

  g_return_val_if_fail (VERNIER_IS_SPACE (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (self->dimensions->len == 0)
    return TRUE;

  for (guint i = 0; i < self->dimensions->len; i++)
    {
      VernierDimension *dim = g_ptr_array_index (self->dimensions, i);
      const gchar *name = vernier_dimension_get_name (dim);
      JsonNode *value = json_object_get_member (params, name);

      if (vernier_space_is_active (self, dim, params))
        {
          if (!vernier_dimension_validate (dim, value, error))
            return FALSE;
        }
      else if (value != NULL)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                       "parameter '%s' is given but inactive (it needs %s)",
                       name, vernier_dimension_get_condition_parent (dim));
          return FALSE;
        }
    }

  json_object_iter_init (&iter, params);
  while (json_object_iter_next (&iter, &member, NULL))
    {
      if (!g_hash_table_contains (self->by_name, member))
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_PARAMS,
                       "unknown parameter '%s'", member);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * vernier_space_fingerprint:
 * @self: a #VernierSpace
 *
 * A canonical text describing the dimensions, equal for equal spaces. A
 * storage compares it to refuse mixing trials of different spaces.
 *
 * Returns: (transfer full): the fingerprint
 */
gchar *
vernier_space_fingerprint (VernierSpace *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  static const gchar *kinds[] = { "float", "int", "categorical" };

  g_return_val_if_fail (VERNIER_IS_SPACE (self), NULL);

  json_builder_begin_array (b);
  for (guint i = 0; i < self->dimensions->len; i++)
    {
      VernierDimension *dim = g_ptr_array_index (self->dimensions, i);
      JsonArray *choices = vernier_dimension_get_choices (dim);
      const gchar *parent = vernier_dimension_get_condition_parent (dim);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, vernier_dimension_get_name (dim));
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, kinds[vernier_dimension_get_kind (dim)]);
      if (choices != NULL)
        {
          json_builder_set_member_name (b, "choices");
          json_builder_add_value (b, json_node_init_array (json_node_alloc (), choices));
        }
      else
        {
          json_builder_set_member_name (b, "low");
          json_builder_add_double_value (b, vernier_dimension_get_low (dim));
          json_builder_set_member_name (b, "high");
          json_builder_add_double_value (b, vernier_dimension_get_high (dim));
          json_builder_set_member_name (b, "log");
          json_builder_add_boolean_value (b, vernier_dimension_get_log (dim));
          json_builder_set_member_name (b, "step");
          json_builder_add_double_value (b, vernier_dimension_get_step (dim));
        }
      if (parent != NULL)
        {
          json_builder_set_member_name (b, "if");
          json_builder_add_string_value (b, parent);
          json_builder_set_member_name (b, "equals");
          json_builder_add_value (b, json_node_copy (vernier_dimension_get_condition_value (dim)));
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  root = json_builder_get_root (b);
  return vernier_json_to_string (root, FALSE);
}
