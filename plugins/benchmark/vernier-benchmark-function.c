/* vernier-benchmark-function.c: classic test functions of optimization
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "vernier-benchmark-function.h"

static GType benchmark_function_type = G_TYPE_INVALID;

static const GEnumValue benchmark_function_values[] = {
  { VERNIER_BENCHMARK_FUNCTION_BRANIN,
    "VERNIER_BENCHMARK_FUNCTION_BRANIN", "branin" },
  { VERNIER_BENCHMARK_FUNCTION_HARTMANN6,
    "VERNIER_BENCHMARK_FUNCTION_HARTMANN6", "hartmann6" },
  { VERNIER_BENCHMARK_FUNCTION_ROSENBROCK,
    "VERNIER_BENCHMARK_FUNCTION_ROSENBROCK", "rosenbrock" },
  { VERNIER_BENCHMARK_FUNCTION_ACKLEY,
    "VERNIER_BENCHMARK_FUNCTION_ACKLEY", "ackley" },
  { VERNIER_BENCHMARK_FUNCTION_STYBLINSKI_TANG,
    "VERNIER_BENCHMARK_FUNCTION_STYBLINSKI_TANG", "styblinski-tang" },
  { VERNIER_BENCHMARK_FUNCTION_SPHERE,
    "VERNIER_BENCHMARK_FUNCTION_SPHERE", "sphere" },
  { VERNIER_BENCHMARK_FUNCTION_MIXED,
    "VERNIER_BENCHMARK_FUNCTION_MIXED", "mixed" },
  { 0, NULL, NULL }
};

/* The minimum of Styblinski-Tang per dimension, reached at x = -2.903534…,
 * the negative root of 4x³ - 32x + 5 = 0. */
#define STYBLINSKI_TANG_MINIMUM_PER_DIM (-39.16616570377142)

/* The global minimum of Hartmann 6-D. */
#define HARTMANN6_MINIMUM (-3.32236801141551)

/* The mixed function: for each choice of `kind`, the optimum of `x` and
 * an offset added to the value. Its minimum, 0, is at kind "b". */
static const struct {
  const gchar *kind;
  gdouble x_optimum;
  gdouble offset;
} mixed_kinds[] = {
  { "a", -1.0, 0.5 },
  { "b", 2.0, 0.0 },
  { "c", 0.0, 1.0 },
};

#define MIXED_N_OPTIMUM 3

/**
 * vernier_benchmark_function_get_type:
 *
 * The enumeration type of #VernierBenchmarkFunction, registered by
 * vernier_benchmark_function_register_type().
 *
 * Returns: the #GType
 */
GType
vernier_benchmark_function_get_type (void)
{
  return benchmark_function_type;
}

/**
 * vernier_benchmark_function_register_type:
 * @module: the plugin's type module
 *
 * Registers the #VernierBenchmarkFunction enumeration with @module.
 */
void
vernier_benchmark_function_register_type (GTypeModule *module)
{
  benchmark_function_type =
    g_type_module_register_enum (module, "VernierBenchmarkFunction",
                                 benchmark_function_values);
}

/**
 * vernier_benchmark_function_to_nick:
 * @function: a #VernierBenchmarkFunction
 *
 * Returns: the name of @function as a study file writes it
 */
const gchar *
vernier_benchmark_function_to_nick (VernierBenchmarkFunction function)
{
  for (guint i = 0; benchmark_function_values[i].value_nick != NULL; i++)
    if (benchmark_function_values[i].value == (gint) function)
      return benchmark_function_values[i].value_nick;
  return "unknown";
}

/**
 * vernier_benchmark_function_get_minimum:
 * @function: a #VernierBenchmarkFunction
 * @dimensions: the number of dimensions of an n-dimensional function
 *
 * Returns: the known global minimum of @function
 */
gdouble
vernier_benchmark_function_get_minimum (VernierBenchmarkFunction function,
                                        guint                    dimensions)
{
  switch (function)
    {
    case VERNIER_BENCHMARK_FUNCTION_BRANIN:
      return 5.0 / (4.0 * G_PI);
    case VERNIER_BENCHMARK_FUNCTION_HARTMANN6:
      return HARTMANN6_MINIMUM;
    case VERNIER_BENCHMARK_FUNCTION_STYBLINSKI_TANG:
      return STYBLINSKI_TANG_MINIMUM_PER_DIM * dimensions;
    case VERNIER_BENCHMARK_FUNCTION_ROSENBROCK:
    case VERNIER_BENCHMARK_FUNCTION_ACKLEY:
    case VERNIER_BENCHMARK_FUNCTION_SPHERE:
    case VERNIER_BENCHMARK_FUNCTION_MIXED:
    default:
      return 0.0;
    }
}

static void
describe_range (GString     *out,
                guint        dimensions,
                const gchar *domain)
{
  for (guint i = 0; i < dimensions; i++)
    g_string_append_printf (out, "%sx%u", i > 0 ? ", " : "", i);
  g_string_append_printf (out, " (each in %s)", domain);
}

/**
 * vernier_benchmark_function_describe_params:
 * @function: a #VernierBenchmarkFunction
 * @dimensions: the number of dimensions of an n-dimensional function
 *
 * Says which parameters @function reads and their domains, for error
 * messages and documentation.
 *
 * Returns: (transfer full): a description such as
 *   `x in [-5, 10], y in [0, 15]`
 */
gchar *
vernier_benchmark_function_describe_params (VernierBenchmarkFunction function,
                                            guint                    dimensions)
{
  GString *out = g_string_new (NULL);

  switch (function)
    {
    case VERNIER_BENCHMARK_FUNCTION_BRANIN:
      g_string_append (out, "x in [-5, 10], y in [0, 15]");
      break;
    case VERNIER_BENCHMARK_FUNCTION_HARTMANN6:
      describe_range (out, 6, "[0, 1]");
      break;
    case VERNIER_BENCHMARK_FUNCTION_ROSENBROCK:
      describe_range (out, dimensions, "[-5, 10]");
      break;
    case VERNIER_BENCHMARK_FUNCTION_ACKLEY:
      describe_range (out, dimensions, "[-32.768, 32.768]");
      break;
    case VERNIER_BENCHMARK_FUNCTION_STYBLINSKI_TANG:
      describe_range (out, dimensions, "[-5, 5]");
      break;
    case VERNIER_BENCHMARK_FUNCTION_SPHERE:
      describe_range (out, dimensions, "[-5.12, 5.12]");
      break;
    case VERNIER_BENCHMARK_FUNCTION_MIXED:
    default:
      g_string_append (out, "x (float in [-5, 5]), n (integer in [0, 10]), "
                            "kind (one of \"a\", \"b\", \"c\")");
      break;
    }
  return g_string_free (out, FALSE);
}

static void
set_missing_error (GError                   **error,
                   VernierBenchmarkFunction   function,
                   guint                      dimensions,
                   const gchar               *name,
                   const gchar               *problem)
{
  g_autofree gchar *expected =
    vernier_benchmark_function_describe_params (function, dimensions);

  g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
               "benchmark function '%s': parameter '%s' %s; it expects %s",
               vernier_benchmark_function_to_nick (function), name, problem,
               expected);
}

/* Reads the number @name of @params into @out. */
static gboolean
read_number (JsonObject                *params,
             const gchar               *name,
             VernierBenchmarkFunction   function,
             guint                      dimensions,
             gdouble                   *out,
             GError                   **error)
{
  JsonNode *node = params != NULL ? json_object_get_member (params, name) : NULL;

  if (node == NULL)
    {
      set_missing_error (error, function, dimensions, name, "is missing");
      return FALSE;
    }
  if (!vernier_json_node_get_number (node, out) || !isfinite (*out))
    {
      set_missing_error (error, function, dimensions, name,
                         "is not a finite number");
      return FALSE;
    }
  return TRUE;
}

/* Reads x0…x{n-1} into a new array. */
static gdouble *
read_vector (JsonObject                *params,
             VernierBenchmarkFunction   function,
             guint                      n,
             GError                   **error)
{
  g_autofree gdouble *x = g_new (gdouble, n);

  for (guint i = 0; i < n; i++)
    {
      gchar name[32];

      g_snprintf (name, sizeof name, "x%u", i);
      if (!read_number (params, name, function, n, &x[i], error))
        return NULL;
    }
  return g_steal_pointer (&x);
}

static gdouble
branin (gdouble x,
        gdouble y)
{
  const gdouble b = 5.1 / (4.0 * G_PI * G_PI);
  const gdouble c = 5.0 / G_PI;
  const gdouble t = 1.0 / (8.0 * G_PI);
  gdouble u = y - b * x * x + c * x - 6.0;

  return u * u + 10.0 * (1.0 - t) * cos (x) + 10.0;
}

static gdouble
hartmann6 (const gdouble *x)
{
  static const gdouble alpha[4] = { 1.0, 1.2, 3.0, 3.2 };
  static const gdouble a[4][6] = {
    { 10.0, 3.0, 17.0, 3.5, 1.7, 8.0 },
    { 0.05, 10.0, 17.0, 0.1, 8.0, 14.0 },
    { 3.0, 3.5, 1.7, 10.0, 17.0, 8.0 },
    { 17.0, 8.0, 0.05, 10.0, 0.1, 14.0 },
  };
  static const gdouble p[4][6] = {
    { 0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886 },
    { 0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991 },
    { 0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650 },
    { 0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381 },
  };
  gdouble sum = 0.0;

  for (guint i = 0; i < 4; i++)
    {
      gdouble inner = 0.0;

      for (guint j = 0; j < 6; j++)
        inner += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
      sum += alpha[i] * exp (-inner);
    }
  return -sum;
}

static gdouble
rosenbrock (const gdouble *x,
            guint          n)
{
  gdouble sum = 0.0;

  for (guint i = 0; i + 1 < n; i++)
    {
      gdouble u = x[i + 1] - x[i] * x[i];
      gdouble v = 1.0 - x[i];

      sum += 100.0 * u * u + v * v;
    }
  return sum;
}

static gdouble
ackley (const gdouble *x,
        guint          n)
{
  gdouble squares = 0.0, cosines = 0.0;

  for (guint i = 0; i < n; i++)
    {
      squares += x[i] * x[i];
      cosines += cos (2.0 * G_PI * x[i]);
    }
  return -20.0 * exp (-0.2 * sqrt (squares / n)) - exp (cosines / n) +
         20.0 + G_E;
}

static gdouble
styblinski_tang (const gdouble *x,
                 guint          n)
{
  gdouble sum = 0.0;

  for (guint i = 0; i < n; i++)
    sum += x[i] * x[i] * x[i] * x[i] - 16.0 * x[i] * x[i] + 5.0 * x[i];
  return sum / 2.0;
}

static gdouble
sphere (const gdouble *x,
        guint          n)
{
  gdouble sum = 0.0;

  for (guint i = 0; i < n; i++)
    sum += x[i] * x[i];
  return sum;
}

static gboolean
mixed (JsonObject  *params,
       gdouble     *out_value,
       GError     **error)
{
  const VernierBenchmarkFunction function = VERNIER_BENCHMARK_FUNCTION_MIXED;
  JsonNode *kind_node;
  const gchar *kind = NULL;
  gdouble x, n;

  if (!read_number (params, "x", function, 0, &x, error) ||
      !read_number (params, "n", function, 0, &n, error))
    return FALSE;
  if (n != floor (n))
    {
      set_missing_error (error, function, 0, "n", "is not an integer");
      return FALSE;
    }

  kind_node = params != NULL ? json_object_get_member (params, "kind") : NULL;
  if (kind_node == NULL)
    {
      set_missing_error (error, function, 0, "kind", "is missing");
      return FALSE;
    }
  if (JSON_NODE_HOLDS_VALUE (kind_node) &&
      json_node_get_value_type (kind_node) == G_TYPE_STRING)
    kind = json_node_get_string (kind_node);

  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (mixed_kinds); i++)
    {
      if (g_str_equal (kind, mixed_kinds[i].kind))
        {
          gdouble dx = x - mixed_kinds[i].x_optimum;
          gdouble dn = n - MIXED_N_OPTIMUM;

          *out_value = dx * dx + 0.1 * dn * dn + mixed_kinds[i].offset;
          return TRUE;
        }
    }

  set_missing_error (error, function, 0, "kind", "is not one of the choices");
  return FALSE;
}

/**
 * vernier_benchmark_function_evaluate:
 * @function: a #VernierBenchmarkFunction
 * @dimensions: the number of dimensions of an n-dimensional function
 *   (ignored by Branin, Hartmann6 and the mixed function)
 * @params: the trial's parameters
 * @out_value: (out): the value of @function at @params
 * @error: return location for a #GError
 *
 * Evaluates @function. Parameters it does not read are ignored; bounds are
 * not enforced (the functions are defined everywhere).
 *
 * Returns: %TRUE on success; %FALSE with %VERNIER_ERROR_TRAINING_FAILED
 *   naming the missing or invalid parameter and listing the expected ones
 */
gboolean
vernier_benchmark_function_evaluate (VernierBenchmarkFunction   function,
                                     guint                      dimensions,
                                     JsonObject                *params,
                                     gdouble                   *out_value,
                                     GError                   **error)
{
  g_autofree gdouble *x = NULL;
  guint n = dimensions;

  g_return_val_if_fail (out_value != NULL, FALSE);

  if (function == VERNIER_BENCHMARK_FUNCTION_MIXED)
    return mixed (params, out_value, error);

  if (function == VERNIER_BENCHMARK_FUNCTION_BRANIN)
    {
      gdouble px, py;

      if (!read_number (params, "x", function, 0, &px, error) ||
          !read_number (params, "y", function, 0, &py, error))
        return FALSE;
      *out_value = branin (px, py);
      return TRUE;
    }

  if (function == VERNIER_BENCHMARK_FUNCTION_HARTMANN6)
    n = 6;
  if (n == 0 ||
      (function == VERNIER_BENCHMARK_FUNCTION_ROSENBROCK && n < 2))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                   "benchmark function '%s' needs at least %u "
                   "dimensions (dimensions is %u)",
                   vernier_benchmark_function_to_nick (function),
                   function == VERNIER_BENCHMARK_FUNCTION_ROSENBROCK ? 2 : 1,
                   n);
      return FALSE;
    }

  x = read_vector (params, function, n, error);
  if (x == NULL)
    return FALSE;

  switch (function)
    {
    case VERNIER_BENCHMARK_FUNCTION_HARTMANN6:
      *out_value = hartmann6 (x);
      break;
    case VERNIER_BENCHMARK_FUNCTION_ROSENBROCK:
      *out_value = rosenbrock (x, n);
      break;
    case VERNIER_BENCHMARK_FUNCTION_ACKLEY:
      *out_value = ackley (x, n);
      break;
    case VERNIER_BENCHMARK_FUNCTION_STYBLINSKI_TANG:
      *out_value = styblinski_tang (x, n);
      break;
    case VERNIER_BENCHMARK_FUNCTION_SPHERE:
      *out_value = sphere (x, n);
      break;
    case VERNIER_BENCHMARK_FUNCTION_BRANIN:
    case VERNIER_BENCHMARK_FUNCTION_MIXED:
    default:
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                   "benchmark: unknown function %d", (gint) function);
      return FALSE;
    }
  return TRUE;
}
