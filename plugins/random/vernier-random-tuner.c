/* vernier-random-tuner.c: independent uniform random sampling
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "vernier-random-tuner.h"

/**
 * VernierRandomTuner:
 *
 * A tuner that draws every dimension independently and uniformly: a float
 * dimension uniformly (log-uniformly for a log dimension) on its step grid
 * if it has one, an integer dimension uniformly among its values
 * (log-uniformly for a log dimension), a categorical dimension uniformly
 * among its choices. A dimension inactive under its condition is left out.
 * The draws come from a generator seeded with the study's seed: the same
 * seed gives the same sequence.
 *
 * Over a space of explicit candidates it visits the candidates in a seeded
 * random order, each once, and is then exhausted. Without candidates it
 * never runs out, unless [property@VernierRandomTuner:max-trials] is set.
 */
struct _VernierRandomTuner
{
  GObject parent_instance;

  /* properties */
  guint max_trials;

  /* state, set by prepare */
  VernierSpace *space;
  GRand *rand;
  guint *order;         /* candidates: a seeded permutation */
  guint n_order;        /* candidates to visit */
  guint n_suggested;
};

enum {
  PROP_0,
  PROP_MAX_TRIALS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void tuner_iface_init (VernierTunerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierRandomTuner, vernier_random_tuner,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_TUNER,
                                                               tuner_iface_init))

static void
reset_state (VernierRandomTuner *self)
{
  g_clear_object (&self->space);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->order, g_free);
  self->n_order = 0;
  self->n_suggested = 0;
}

static gboolean
vernier_random_tuner_prepare (VernierTuner    *tuner,
                              VernierContext  *context,
                              GError         **error)
{
  VernierRandomTuner *self = VERNIER_RANDOM_TUNER (tuner);
  VernierSpace *space = vernier_context_get_space (context);
  guint64 seed = vernier_context_get_seed (context);
  guint32 seed_array[2] = { (guint32) seed, (guint32) (seed >> 32) };
  guint n_candidates;

  reset_state (self);

  if (vernier_space_is_empty (space))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EMPTY_SPACE,
                   "random: the search space has neither dimensions nor "
                   "candidates");
      return FALSE;
    }

  self->space = g_object_ref (space);
  self->rand = g_rand_new_with_seed_array (seed_array,
                                           G_N_ELEMENTS (seed_array));

  n_candidates = vernier_space_get_n_candidates (space);
  if (n_candidates > 0)
    {
      /* Fisher-Yates: every order equally likely */
      self->order = g_new (guint, n_candidates);
      for (guint i = 0; i < n_candidates; i++)
        self->order[i] = i;
      for (guint i = n_candidates - 1; i > 0; i--)
        {
          guint j = (guint) g_rand_int_range (self->rand, 0, (gint32) i + 1);
          guint tmp = self->order[i];

          self->order[i] = self->order[j];
          self->order[j] = tmp;
        }
      self->n_order = n_candidates;
      if (self->max_trials > 0)
        self->n_order = MIN (self->n_order, self->max_trials);
    }

  return TRUE;
}

static JsonObject *
vernier_random_tuner_suggest (VernierTuner  *tuner,
                              GError       **error)
{
  VernierRandomTuner *self = VERNIER_RANDOM_TUNER (tuner);
  g_autoptr(JsonObject) params = NULL;
  guint n_dims;

  if (self->space == NULL)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                   "random: asked for a suggestion without a successful "
                   "prepare");
      return NULL;
    }

  if (self->order != NULL)
    {
      if (self->n_suggested >= self->n_order)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED,
                       "random: all %u candidates suggested", self->n_order);
          return NULL;
        }
      return vernier_json_object_copy (vernier_space_get_candidate (self->space,
                                                       self->order[self->n_suggested++]));
    }

  if (self->max_trials > 0 && self->n_suggested >= self->max_trials)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_EXHAUSTED,
                   "random: max-trials (%u) reached", self->max_trials);
      return NULL;
    }

  params = json_object_new ();
  n_dims = vernier_space_get_n_dimensions (self->space);
  for (guint i = 0; i < n_dims; i++)
    {
      VernierDimension *dim = vernier_space_get_dimension (self->space, i);
      /* Drawn even for an inactive dimension, so that each dimension
       * always consumes the same draws of the sequence. */
      gdouble u = g_rand_double (self->rand);

      if (vernier_space_is_active (self->space, dim, params))
        json_object_set_member (params, vernier_dimension_get_name (dim),
                                vernier_dimension_value_from_unit (dim, u));
    }

  self->n_suggested++;
  return g_steal_pointer (&params);
}

static void
tuner_iface_init (VernierTunerInterface *iface)
{
  iface->prepare = vernier_random_tuner_prepare;
  iface->suggest = vernier_random_tuner_suggest;
}

static void
vernier_random_tuner_finalize (GObject *object)
{
  VernierRandomTuner *self = VERNIER_RANDOM_TUNER (object);

  reset_state (self);

  G_OBJECT_CLASS (vernier_random_tuner_parent_class)->finalize (object);
}

static void
vernier_random_tuner_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  VernierRandomTuner *self = VERNIER_RANDOM_TUNER (object);

  switch (prop_id)
    {
    case PROP_MAX_TRIALS:
      g_value_set_uint (value, self->max_trials);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_random_tuner_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  VernierRandomTuner *self = VERNIER_RANDOM_TUNER (object);

  switch (prop_id)
    {
    case PROP_MAX_TRIALS:
      self->max_trials = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_random_tuner_class_init (VernierRandomTunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_random_tuner_finalize;
  object_class->get_property = vernier_random_tuner_get_property;
  object_class->set_property = vernier_random_tuner_set_property;

  /**
   * VernierRandomTuner:max-trials:
   *
   * How many configurations the tuner suggests before it is exhausted; 0
   * for no limit of its own (all the candidates, or as many samples as
   * the study's budget allows).
   */
  properties[PROP_MAX_TRIALS] =
    g_param_spec_uint ("max-trials", "Maximum trials",
                       "Suggestions (trials) before the tuner is exhausted; "
                       "0 means every candidate, or no limit without "
                       "candidates",
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_random_tuner_class_finalize (VernierRandomTunerClass *klass)
{
}

static void
vernier_random_tuner_init (VernierRandomTuner *self)
{
}

static gboolean
random_plugin_register (GTypeModule  *module,
                        GError      **error)
{
  vernier_random_tuner_register_type (module);
  vernier_plugin_provide (module, "random", VERNIER_TYPE_RANDOM_TUNER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("random",
                       "Independent uniform random sampling of the space or "
                       "the candidates",
                       random_plugin_register)
