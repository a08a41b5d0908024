#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * VernierTrialState:
 * @VERNIER_TRIAL_STATE_WAITING: created, not started yet
 * @VERNIER_TRIAL_STATE_RUNNING: the trainer is evaluating it
 * @VERNIER_TRIAL_STATE_COMPLETE: finished with an objective value
 * @VERNIER_TRIAL_STATE_PRUNED: stopped early by a pruner
 * @VERNIER_TRIAL_STATE_FAILED: the trainer failed
 * @VERNIER_TRIAL_STATE_TIMED_OUT: cancelled when its time ran out
 *
 * The life cycle of a trial. The nicks (`waiting`, `running`, `complete`,
 * `pruned`, `failed`, `timed-out`) are the details of the study's
 * `trial-finished` signal and the states written by observers.
 */
typedef enum {
  VERNIER_TRIAL_STATE_WAITING,
  VERNIER_TRIAL_STATE_RUNNING,
  VERNIER_TRIAL_STATE_COMPLETE,
  VERNIER_TRIAL_STATE_PRUNED,
  VERNIER_TRIAL_STATE_FAILED,
  VERNIER_TRIAL_STATE_TIMED_OUT,
} VernierTrialState;

/**
 * VernierDirection:
 * @VERNIER_DIRECTION_MINIMIZE: smaller objective values are better
 * @VERNIER_DIRECTION_MAXIMIZE: larger objective values are better
 *
 * Which way an objective is optimized.
 */
typedef enum {
  VERNIER_DIRECTION_MINIMIZE,
  VERNIER_DIRECTION_MAXIMIZE,
} VernierDirection;

/**
 * VernierDimensionKind:
 * @VERNIER_DIMENSION_FLOAT: a real number between a low and a high bound
 * @VERNIER_DIMENSION_INT: an integer between a low and a high bound
 * @VERNIER_DIMENSION_CATEGORICAL: one of a list of JSON values
 *
 * The kind of one dimension of a #VernierSpace.
 */
typedef enum {
  VERNIER_DIMENSION_FLOAT,
  VERNIER_DIMENSION_INT,
  VERNIER_DIMENSION_CATEGORICAL,
} VernierDimensionKind;

/**
 * VernierTunerFlags:
 * @VERNIER_TUNER_FLAGS_NONE: no flag
 * @VERNIER_TUNER_FLAGS_UNIQUE: the tuner never means to run a configuration
 *   twice (a grid): when several workers share a study, a suggestion that
 *   another worker already has is dropped and the tuner asked again
 *
 * What the engine should know about a tuner.
 */
typedef enum /*< flags >*/ {
  VERNIER_TUNER_FLAGS_NONE = 0,
  VERNIER_TUNER_FLAGS_UNIQUE = 1 << 0,
} VernierTunerFlags;

G_END_DECLS
