#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierCmaesRestarts:
 * @VERNIER_CMAES_RESTARTS_NONE: no restart: the tuner is exhausted once the
 *   search has converged (nick `none`)
 * @VERNIER_CMAES_RESTARTS_IPOP: restart from a random point with a larger
 *   population each time the search stagnates (nick `ipop`)
 *
 * What the `cmaes` tuner does when a stopping criterion fires.
 */
typedef enum {
  VERNIER_CMAES_RESTARTS_NONE,
  VERNIER_CMAES_RESTARTS_IPOP,
} VernierCmaesRestarts;

#define VERNIER_TYPE_CMAES_RESTARTS (vernier_cmaes_restarts_get_type ())
GType vernier_cmaes_restarts_get_type (void);

/**
 * VernierCmaesSurrogate:
 * @VERNIER_CMAES_SURROGATE_NONE: every member of every generation is
 *   evaluated, as plain CMA-ES does (nick `none`)
 * @VERNIER_CMAES_SURROGATE_QUADRATIC: a linear-quadratic model of the
 *   evaluated trials ranks each generation; only its best members are
 *   evaluated while the model ranks the recent trials well (nick
 *   `quadratic`)
 *
 * Whether the `cmaes` tuner saves trials with a surrogate model.
 */
typedef enum {
  VERNIER_CMAES_SURROGATE_NONE,
  VERNIER_CMAES_SURROGATE_QUADRATIC,
} VernierCmaesSurrogate;

#define VERNIER_TYPE_CMAES_SURROGATE (vernier_cmaes_surrogate_get_type ())
GType vernier_cmaes_surrogate_get_type (void);

#define VERNIER_TYPE_CMAES_TUNER (vernier_cmaes_tuner_get_type ())
G_DECLARE_FINAL_TYPE (VernierCmaesTuner, vernier_cmaes_tuner, VERNIER, CMAES_TUNER, GObject)

G_END_DECLS
