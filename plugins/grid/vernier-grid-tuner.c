/* vernier-grid-tuner.c: exhaustive search over a grid of the space
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-grid-tuner.h"

/* The largest grid the tuner accepts: no study walks a larger one to the
 * end, so a larger grid is a mistake (too many points or too fine steps). */
#define GRID_MAX_POINTS G_GUINT64_CONSTANT (10000000)

/**
 * VernierGridTuner:
 *
 * A tuner that visits every point of a grid over the search space: the
 * Cartesian product of its dimensions, in odometer order with the last
 * dimension varying fastest, or the space's explicit candidates in order.
 * A float dimension contributes one point per `step` or, without a step,
 * [property@VernierGridTuner:points] points evenly spaced between its
 * bounds (in log space for a log dimension) including both ends; an integer
 * dimension contributes every value (every `step`); a categorical dimension
 * every choice. A dimension that is inactive under its condition is left
 * out of the parameters, and configurations that would differ only in
 * inactive dimensions are visited once.
 *
 * Configurations already present in the study's history (a resumed study,
 * or an earlier tuner of a chain) are skipped. When the grid is walked the
 * tuner fails with %VERNIER_ERROR_EXHAUSTED.
 */
struct _VernierGridTuner
{
  GObject parent_instance;

  /* properties */
  guint points;
  gboolean shuffle;

  /* state, set by prepare */
  VernierSpace *space;
  gboolean prepared;
  gboolean use_candidates;
  guint n_dims;
  guint64 *sizes;       /* points of each dimension */
  guint64 *index;       /* current odometer position */
  gboolean *active;     /* whether each dimension is active at index */
  guint64 total;        /* raw points (product of sizes, or candidates) */
  guint64 visited;      /* raw points consumed so far */
  gboolean exhausted;
  GRand *rand;          /* shuffle only */
  GHashTable *swaps;    /* shuffle only: sparse Fisher-Yates permutation */
  GHashTable *seen;     /* canonical JSON of configurations in the history */
};

enum {
  PROP_0,
  PROP_POINTS,
  PROP_SHUFFLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void tuner_iface_init (VernierTunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierGridTuner, vernier_grid_tuner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_TUNER,
                                                               tuner_iface_init))

/* Canonical text of a JSON value: object members sorted by name, every
 * number written the same way whether it is stored as an integer or a
 * double, so that equal configurations give equal strings. */
static void
remember_trial (VernierGridTuner *self,
                VernierTrial     *trial)
{
  JsonObject *params = vernier_trial_get_params (trial);

  if (params == NULL)
    return;
  g_hash_table_add (self->seen, vernier_json_object_canonical (params));
}

static void
reset_state (VernierGridTuner *self)
{
  g_clear_object (&self->space);
  g_clear_pointer (&self->sizes, g_free);
  g_clear_pointer (&self->index, g_free);
  g_clear_pointer (&self->active, g_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->swaps, g_hash_table_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  self->prepared = FALSE;
  self->use_candidates = FALSE;
  self->n_dims = 0;
  self->total = 0;
  self->visited = 0;
  self->exhausted = FALSE;
}

/* How many points dimension @dim has in the grid. */
static guint64
dimension_size (VernierGridTuner *self,
                VernierDimension *dim)
{
  switch (vernier_dimension_get_kind (dim))
    {
    case VERNIER_DIMENSION_FLOAT:
      if (vernier_dimension_get_step (dim) > 0)
        return vernier_dimension_get_n_points (dim);
      if (vernier_dimension_get_low (dim) == vernier_dimension_get_high (dim))
        return 1;
      return self->points;

    case VERNIER_DIMENSION_INT:
      return vernier_dimension_get_n_points (dim);

    case VERNIER_DIMENSION_CATEGORICAL:
    default:
      return vernier_dimension_get_n_choices (dim);
    }
}

static gboolean
vernier_grid_tuner_prepare (VernierTuner    *tuner,
                            VernierContext  *context,
                            GError         **error)
{
  VernierGridTuner *self = VERNIER_GRID_TUNER (tuner);
  VernierSpace *space = vernier_context_get_space (context);
  guint n_trials;

  reset_state (self);

  self->space = g_object_ref (space);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (vernier_space_get_n_candidates (space) > 0)
    {
      self->use_candidates = TRUE;
      self->total = vernier_space_get_n_candidates (space);
    }
  else
    {
      g_autoptr(GString) shape = g_string_new (NULL);

      self->n_dims = vernier_space_get_n_dimensions (space);
      if (self->n_dims == 0)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE,
                       "grid: the search space has neither dimensions nor "
                       "candidates");
          reset_state (self);
          return FALSE;
        }

      self->sizes = g_new0 (guint64, self->n_dims);
      self->index = g_new0 (guint64, self->n_dims);
      self->active = g_new0 (gboolean, self->n_dims);
      self->total = 1;

      for (guint i = 0; i < self->n_dims; i++)
        {
          VernierDimension *dim = vernier_space_get_dimension (space, i);
          guint64 size = dimension_size (self, dim);

          g_string_append_printf (shape, "%s%s: %" G_GUINT64_FORMAT,
                                  i > 0 ? ", " : "",
                                  vernier_dimension_get_name (dim), size);
          if (size == 0)
            {
              g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE,
                           "grid: dimension '%s' has no point",
                           vernier_dimension_get_name (dim));
              reset_state (self);
              return FALSE;
            }
          self->sizes[i] = size;
          if (self->total > GRID_MAX_POINTS / size)
            self->total = GRID_MAX_POINTS + 1;
          else
            self->total *= size;
        }

      if (self->total > GRID_MAX_POINTS)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "grid: the grid has more than %" G_GUINT64_FORMAT
                       " points (points per dimension: %s); reduce the "
                       "tuner's points= or use larger step= in the "
                       "[param] groups",
                       GRID_MAX_POINTS, shape->str);
          reset_state (self);
          return FALSE;
        }
    }

  if (self->shuffle)
    {
      guint64 seed = vernier_context_get_seed (context);
      guint32 seed_array[2] = { (guint32) seed, (guint32) (seed >> 32) };

      self->rand = g_rand_new_with_seed_array (seed_array,
                                               G_N_ELEMENTS (seed_array));
      self->swaps = g_hash_table_new (g_direct_hash, g_direct_equal);
    }

  n_trials = vernier_context_get_n_trials (context);
  for (guint i = 0; i < n_trials; i++)
    remember_trial (self, vernier_context_get_trial (context, i));

  self->prepared = TRUE;
  return TRUE;
}

/* The raw point visited in position @position: itself, or its image by a
 * seeded permutation drawn lazily (Fisher-Yates keeping only the swapped
 * entries, so that memory grows with the points visited, not the grid). */
static guint64
next_raw_point (VernierGridTuner *self)
{
  guint64 position = self->visited++;
  gpointer value;
  guint64 at_position, at_pick, pick;

  if (!self->shuffle)
    return position;

  /* total <= GRID_MAX_POINTS < G_MAXINT32, and candidates are a guint */
  pick = position + (guint64) g_rand_int_range (self->rand, 0,
                                                (gint32) (self->total - position));

  at_position = g_hash_table_lookup_extended (self->swaps,
                                              GUINT_TO_POINTER (position),
                                              NULL, &value)
    ? GPOINTER_TO_UINT (value) : position;
  at_pick = g_hash_table_lookup_extended (self->swaps,
                                          GUINT_TO_POINTER (pick),
                                          NULL, &value)
    ? GPOINTER_TO_UINT (value) : pick;

  g_hash_table_remove (self->swaps, GUINT_TO_POINTER (position));
  if (pick != position)
    g_hash_table_insert (self->swaps, GUINT_TO_POINTER (pick),
                         GUINT_TO_POINTER (at_position));
  return at_pick;
}

/* Sets the odometer to raw point @raw, the last dimension varying fastest. */
static void
decode_point (VernierGridTuner *self,
              guint64           raw)
{
  for (guint i = self->n_dims; i > 0; i--)
    {
      self->index[i - 1] = raw % self->sizes[i - 1];
      raw /= self->sizes[i - 1];
    }
}

/* Moves the odometer to the next configuration in order, skipping the
 * combinations that differ only in inactive dimensions: only an active
 * dimension is ever advanced, and the dimensions after it restart at 0.
 * Activity depends on earlier dimensions only, so self->active stays
 * valid for every dimension up to the one advanced. */
static gboolean
advance_odometer (VernierGridTuner *self)
{
  for (guint i = self->n_dims; i > 0; i--)
    {
      guint d = i - 1;

      if (self->active[d] && self->index[d] + 1 < self->sizes[d])
        {
          self->index[d]++;
          for (guint j = d + 1; j < self->n_dims; j++)
            self->index[j] = 0;
          return TRUE;
        }
    }
  return FALSE;
}

/* Builds the parameters at the odometer's position. Returns %NULL when the
 * position is not canonical: an inactive dimension not at its first point
 * repeats a configuration met at that first point. */
static JsonObject *
build_params (VernierGridTuner *self)
{
  g_autoptr(JsonObject) params = json_object_new ();

  for (guint i = 0; i < self->n_dims; i++)
    {
      VernierDimension *dim = vernier_space_get_dimension (self->space, i);

      self->active[i] = vernier_space_is_active (self->space, dim, params);
      if (self->active[i])
        json_object_set_member (params, vernier_dimension_get_name (dim),
                                vernier_dimension_value_at (dim,
                                                            self->index[i],
                                                            self->sizes[i]));
      else if (self->index[i] != 0)
        return NULL;
    }
  return g_steal_pointer (&params);
}

static JsonObject *
next_configuration (VernierGridTuner *self)
{
  if (self->use_candidates)
    {
      JsonObject *candidate;

      if (self->visited >= self->total)
        return NULL;
      candidate = vernier_space_get_candidate (self->space,
                                               (guint) next_raw_point (self));
      return vernier_json_object_copy (candidate);
    }

  if (self->shuffle)
    {
      while (self->visited < self->total)
        {
          JsonObject *params;

          decode_point (self, next_raw_point (self));
          params = build_params (self);
          if (params != NULL)
            return params;
        }
      return NULL;
    }

  /* in order: the first point, then odometer steps */
  if (self->visited == 0)
    self->visited = 1;
  else if (!advance_odometer (self))
    return NULL;
  return build_params (self);
}

static JsonObject *
vernier_grid_tuner_suggest (VernierTuner  *tuner,
                            GError       **error)
{
  VernierGridTuner *self = VERNIER_GRID_TUNER (tuner);

  if (!self->prepared)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                   "grid: asked for a suggestion without a successful "
                   "prepare");
      return NULL;
    }

  while (!self->exhausted)
    {
      g_autoptr(JsonObject) params = next_configuration (self);

      if (params == NULL)
        {
          self->exhausted = TRUE;
          break;
        }

      if (g_hash_table_size (self->seen) > 0)
        {
          g_autofree gchar *key = vernier_json_object_canonical (params);

          if (g_hash_table_contains (self->seen, key))
            continue;
        }
      return g_steal_pointer (&params);
    }

  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED,
               "grid: all %" G_GUINT64_FORMAT " %s visited",
               self->total, self->use_candidates ? "candidates" : "grid points");
  return NULL;
}

static void
vernier_grid_tuner_observe (VernierTuner *tuner,
                            VernierTrial *trial)
{
  VernierGridTuner *self = VERNIER_GRID_TUNER (tuner);

  if (self->seen != NULL)
    remember_trial (self, trial);
}

static VernierTunerFlags
vernier_grid_tuner_get_flags (VernierTuner *tuner)
{
  return VERNIER_TUNER_FLAGS_UNIQUE;
}

static void
tuner_iface_init (VernierTunerInterface *iface)
{
  iface->get_flags = vernier_grid_tuner_get_flags;
  iface->prepare = vernier_grid_tuner_prepare;
  iface->suggest = vernier_grid_tuner_suggest;
  iface->observe = vernier_grid_tuner_observe;
}

static void
vernier_grid_tuner_finalize (GObject *object)
{
  VernierGridTuner *self = VERNIER_GRID_TUNER (object);

  reset_state (self);

  G_OBJECT_CLASS (vernier_grid_tuner_parent_class)->finalize (object);
}

static void
vernier_grid_tuner_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  VernierGridTuner *self = VERNIER_GRID_TUNER (object);

  switch (prop_id)
    {
    case PROP_POINTS:
      g_value_set_uint (value, self->points);
      break;
    case PROP_SHUFFLE:
      g_value_set_boolean (value, self->shuffle);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_grid_tuner_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  VernierGridTuner *self = VERNIER_GRID_TUNER (object);

  switch (prop_id)
    {
    case PROP_POINTS:
      self->points = g_value_get_uint (value);
      break;
    case PROP_SHUFFLE:
      self->shuffle = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_grid_tuner_class_init (VernierGridTunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_grid_tuner_finalize;
  object_class->get_property = vernier_grid_tuner_get_property;
  object_class->set_property = vernier_grid_tuner_set_property;

  /**
   * VernierGridTuner:points:
   *
   * How many points a float dimension without a `step` contributes to the
   * grid, evenly spaced from its low to its high bound included (in log
   * space for a log dimension).
   */
  properties[PROP_POINTS] =
    g_param_spec_uint ("points", "Points per float dimension",
                       "Points of a float dimension without step, evenly "
                       "spaced including both bounds (log-spaced for a log "
                       "dimension)",
                       2, 1000000, 5,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * VernierGridTuner:shuffle:
   *
   * Whether to visit the grid points (or the candidates) in a random order
   * drawn from the study's seed instead of in order. Every point is still
   * visited exactly once.
   */
  properties[PROP_SHUFFLE] =
    g_param_spec_boolean ("shuffle", "Shuffle",
                          "Visit the grid points in a random order drawn "
                          "from the study's seed",
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_grid_tuner_class_finalize (VernierGridTunerClass *klass)
{
}

static void
vernier_grid_tuner_init (VernierGridTuner *self)
{
  self->points = 5;
}

static gboolean
grid_plugin_register (GTypeModule  *module,
                      GError      **error)
{
  vernier_grid_tuner_register_type (module);
  vernier_plugin_provide (module, "grid", VERNIER_TYPE_GRID_TUNER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("grid", "Grid search over the space or the candidates",
                       grid_plugin_register)
