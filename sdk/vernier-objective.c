#include "config.h"

#include "vernier-enum-types.h"
#include "vernier-objective.h"

/**
 * VernierObjective:
 *
 * What a study optimizes: the name of the value a trainer reports (such as
 * `loss`) and whether smaller or larger is better.
 */
struct _VernierObjective
{
  GObject           parent_instance;
  gchar            *name;
  VernierDirection  direction;
};

G_DEFINE_FINAL_TYPE (VernierObjective, vernier_objective, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_DIRECTION, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
vernier_objective_finalize (GObject *object)
{
  VernierObjective *self = VERNIER_OBJECTIVE (object);

  g_free (self->name);
  G_OBJECT_CLASS (vernier_objective_parent_class)->finalize (object);
}

static void
vernier_objective_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VernierObjective *self = VERNIER_OBJECTIVE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_objective_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  VernierObjective *self = VERNIER_OBJECTIVE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      break;
    case PROP_DIRECTION:
      self->direction = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_objective_class_init (VernierObjectiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vernier_objective_finalize;
  object_class->get_property = vernier_objective_get_property;
  object_class->set_property = vernier_objective_set_property;

  /**
   * VernierObjective:name:
   *
   * The name of the objective value, such as `loss`.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "value",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * VernierObjective:direction:
   *
   * Whether to minimize or maximize the objective.
   */
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, VERNIER_TYPE_DIRECTION,
                       VERNIER_DIRECTION_MINIMIZE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_objective_init (VernierObjective *self)
{
}

/**
 * vernier_objective_new:
 * @name: the objective's name, such as `loss`
 * @direction: whether to minimize or maximize it
 *
 * Returns: (transfer full): a new #VernierObjective
 */
VernierObjective *
vernier_objective_new (const gchar      *name,
                       VernierDirection  direction)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (VERNIER_TYPE_OBJECTIVE,
                       "name", name, "direction", direction, NULL);
}

/**
 * vernier_objective_get_name:
 * @self: a #VernierObjective
 *
 * Returns: the objective's name
 */
const gchar *
vernier_objective_get_name (VernierObjective *self)
{
  g_return_val_if_fail (VERNIER_IS_OBJECTIVE (self), NULL);
  return self->name;
}

/**
 * vernier_objective_get_direction:
 * @self: a #VernierObjective
 *
 * Returns: whether the objective is minimized or maximized
 */
VernierDirection
vernier_objective_get_direction (VernierObjective *self)
{
  g_return_val_if_fail (VERNIER_IS_OBJECTIVE (self), VERNIER_DIRECTION_MINIMIZE);
  return self->direction;
}

/**
 * vernier_objective_is_better:
 * @self: a #VernierObjective
 * @a: a value
 * @b: another value
 *
 * Returns: %TRUE if @a is strictly better than @b
 */
gboolean
vernier_objective_is_better (VernierObjective *self,
                             gdouble           a,
                             gdouble           b)
{
  g_return_val_if_fail (VERNIER_IS_OBJECTIVE (self), FALSE);
  return self->direction == VERNIER_DIRECTION_MINIMIZE ? a < b : a > b;
}

/**
 * vernier_objective_to_loss:
 * @self: a #VernierObjective
 * @value: a value of the objective
 *
 * Turns a value into a loss, smaller being better whatever the direction:
 * tuners that minimize internally use it.
 *
 * Returns: @value, negated when the objective is maximized
 */
gdouble
vernier_objective_to_loss (VernierObjective *self,
                           gdouble           value)
{
  g_return_val_if_fail (VERNIER_IS_OBJECTIVE (self), value);
  return self->direction == VERNIER_DIRECTION_MINIMIZE ? value : -value;
}
