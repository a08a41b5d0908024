#include "config.h"

#include <math.h>

#include "vernier-context.h"
#include "vernier-sdk-private.h"

/**
 * VernierContext:
 *
 * The study as a plugin sees it: its name, search space, objective, seed,
 * the directory that relative paths are resolved against, and a read-only
 * view of the finished trials (the history), shared by every plugin of the
 * study and kept up to date by the core.
 */

typedef struct
{
  grefcount     ref_count;
  GPtrArray    *trials;          /* finished VernierTrial, in finishing order */
  GPtrArray    *running;         /* VernierTrial in flight */
  VernierTrial *best;            /* borrowed from trials */
  guint         counts[VERNIER_TRIAL_STATE_TIMED_OUT + 1];
} History;

struct _VernierContext
{
  GObject           parent_instance;

  gchar            *study_name;
  VernierSpace     *space;
  VernierObjective *objective;
  guint64           seed;
  gchar            *base_dir;
  History          *history;
};

G_DEFINE_FINAL_TYPE (VernierContext, vernier_context, G_TYPE_OBJECT)

static History *
history_new (void)
{
  History *h = g_new0 (History, 1);

  g_ref_count_init (&h->ref_count);
  h->trials = g_ptr_array_new_with_free_func (g_object_unref);
  h->running = g_ptr_array_new_with_free_func (g_object_unref);
  return h;
}

static void
history_unref (History *h)
{
  if (!g_ref_count_dec (&h->ref_count))
    return;
  g_ptr_array_unref (h->trials);
  g_ptr_array_unref (h->running);
  g_free (h);
}

static void
vernier_context_finalize (GObject *object)
{
  VernierContext *self = VERNIER_CONTEXT (object);

  g_free (self->study_name);
  g_clear_object (&self->space);
  g_clear_object (&self->objective);
  g_free (self->base_dir);
  g_clear_pointer (&self->history, history_unref);

  G_OBJECT_CLASS (vernier_context_parent_class)->finalize (object);
}

static void
vernier_context_class_init (VernierContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vernier_context_finalize;
}

static void
vernier_context_init (VernierContext *self)
{
}

/**
 * vernier_context_new:
 * @study_name: the study's name
 * @space: the search space
 * @objective: the objective
 * @seed: the study's random seed
 * @base_dir: (nullable): the directory relative paths are resolved against
 *   (the study file's), or %NULL for the current directory
 *
 * Creates a context with an empty history.
 *
 * Returns: (transfer full): a new #VernierContext
 */
VernierContext *
vernier_context_new (const gchar      *study_name,
                     VernierSpace     *space,
                     VernierObjective *objective,
                     guint64           seed,
                     const gchar      *base_dir)
{
  VernierContext *self;

  g_return_val_if_fail (study_name != NULL, NULL);
  g_return_val_if_fail (VERNIER_IS_SPACE (space), NULL);
  g_return_val_if_fail (VERNIER_IS_OBJECTIVE (objective), NULL);

  self = g_object_new (VERNIER_TYPE_CONTEXT, NULL);
  self->study_name = g_strdup (study_name);
  self->space = g_object_ref (space);
  self->objective = g_object_ref (objective);
  self->seed = seed;
  self->base_dir = base_dir != NULL ? g_strdup (base_dir) : g_get_current_dir ();
  self->history = history_new ();
  return self;
}

/**
 * vernier_context_derive:
 * @self: a #VernierContext
 * @seed: another seed
 *
 * A context identical to @self, sharing its history, with another seed: the
 * core gives each tuner of a chain its own.
 *
 * Returns: (transfer full): a new #VernierContext
 */
VernierContext *
vernier_context_derive (VernierContext *self,
                        guint64         seed)
{
  VernierContext *copy;

  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);

  copy = g_object_new (VERNIER_TYPE_CONTEXT, NULL);
  copy->study_name = g_strdup (self->study_name);
  copy->space = g_object_ref (self->space);
  copy->objective = g_object_ref (self->objective);
  copy->seed = seed;
  copy->base_dir = g_strdup (self->base_dir);
  copy->history = self->history;
  g_ref_count_inc (&copy->history->ref_count);
  return copy;
}

/**
 * vernier_context_get_study_name:
 * @self: a #VernierContext
 *
 * Returns: the study's name
 */
const gchar *
vernier_context_get_study_name (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  return self->study_name;
}

/**
 * vernier_context_get_space:
 * @self: a #VernierContext
 *
 * Returns: (transfer none): the search space
 */
VernierSpace *
vernier_context_get_space (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  return self->space;
}

/**
 * vernier_context_get_objective:
 * @self: a #VernierContext
 *
 * Returns: (transfer none): the objective
 */
VernierObjective *
vernier_context_get_objective (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  return self->objective;
}

/**
 * vernier_context_get_seed:
 * @self: a #VernierContext
 *
 * Returns: the seed a plugin should draw its random numbers from
 */
guint64
vernier_context_get_seed (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), 0);
  return self->seed;
}

/**
 * vernier_context_get_base_dir:
 * @self: a #VernierContext
 *
 * Returns: (type filename): the directory of the study file, or the
 *   current directory when the context was made without one
 */
const gchar *
vernier_context_get_base_dir (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  return self->base_dir;
}

/**
 * vernier_context_resolve_path:
 * @self: a #VernierContext
 * @path: a path from the study file
 *
 * Resolves a path the way a study file means it: relative to the study
 * file's directory; `~/` is the home directory.
 *
 * Returns: (transfer full) (type filename): an absolute path
 */
gchar *
vernier_context_resolve_path (VernierContext *self,
                              const gchar    *path)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);
  if (g_path_is_absolute (path))
    return g_canonicalize_filename (path, NULL);
  return g_canonicalize_filename (path, self->base_dir);
}

/**
 * vernier_context_get_n_trials:
 * @self: a #VernierContext
 *
 * Returns: the number of finished trials
 */
guint
vernier_context_get_n_trials (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), 0);
  return self->history->trials->len;
}

/**
 * vernier_context_get_trial:
 * @self: a #VernierContext
 * @index: from 0, below vernier_context_get_n_trials()
 *
 * The finished trials, in the order they finished.
 *
 * Returns: (transfer none): the trial
 */
VernierTrial *
vernier_context_get_trial (VernierContext *self,
                           guint           index)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  g_return_val_if_fail (index < self->history->trials->len, NULL);
  return g_ptr_array_index (self->history->trials, index);
}

/**
 * vernier_context_get_best_trial:
 * @self: a #VernierContext
 *
 * Returns: (transfer none) (nullable): the best COMPLETE trial so far
 */
VernierTrial *
vernier_context_get_best_trial (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  return self->history->best;
}

/**
 * vernier_context_count_state:
 * @self: a #VernierContext
 * @state: a final state
 *
 * Returns: how many finished trials are in @state
 */
guint
vernier_context_count_state (VernierContext    *self,
                             VernierTrialState  state)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), 0);
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (self->history->counts), 0);
  return self->history->counts[state];
}

/**
 * vernier_context_add_trial:
 * @self: a #VernierContext
 * @trial: a finished trial
 *
 * Appends a finished trial to the history. The core does this; plugins
 * only read the history.
 */
void
vernier_context_add_trial (VernierContext *self,
                           VernierTrial   *trial)
{
  History *h;
  VernierTrialState state;

  g_return_if_fail (VERNIER_IS_CONTEXT (self));
  g_return_if_fail (VERNIER_IS_TRIAL (trial));

  h = self->history;
  state = vernier_trial_get_state (trial);
  g_ptr_array_add (h->trials, g_object_ref (trial));
  if ((guint) state < G_N_ELEMENTS (h->counts))
    h->counts[state]++;

  if (state == VERNIER_TRIAL_STATE_COMPLETE && vernier_trial_has_value (trial) &&
      isfinite (vernier_trial_get_value (trial)) &&
      (h->best == NULL ||
       vernier_objective_is_better (self->objective, vernier_trial_get_value (trial),
                                    vernier_trial_get_value (h->best))))
    h->best = trial;
}

/**
 * vernier_context_get_n_running:
 * @self: a #VernierContext
 *
 * Returns: how many trials are in flight (a tuner that suggests while
 *   others run may want to avoid their parameters)
 */
guint
vernier_context_get_n_running (VernierContext *self)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), 0);
  return self->history->running->len;
}

/**
 * vernier_context_get_running_trial:
 * @self: a #VernierContext
 * @index: from 0, below vernier_context_get_n_running()
 *
 * Returns: (transfer none): a trial in flight, in no particular order
 */
VernierTrial *
vernier_context_get_running_trial (VernierContext *self,
                                   guint           index)
{
  g_return_val_if_fail (VERNIER_IS_CONTEXT (self), NULL);
  g_return_val_if_fail (index < self->history->running->len, NULL);
  return g_ptr_array_index (self->history->running, index);
}

/**
 * vernier_context_add_running:
 * @self: a #VernierContext
 * @trial: a trial that has just started
 *
 * For the engine: records a trial in flight.
 */
void
vernier_context_add_running (VernierContext *self,
                             VernierTrial   *trial)
{
  g_return_if_fail (VERNIER_IS_CONTEXT (self));
  g_ptr_array_add (self->history->running, g_object_ref (trial));
}

/**
 * vernier_context_remove_running:
 * @self: a #VernierContext
 * @trial: a trial that has finished
 *
 * For the engine: forgets a trial in flight.
 */
void
vernier_context_remove_running (VernierContext *self,
                                VernierTrial   *trial)
{
  g_return_if_fail (VERNIER_IS_CONTEXT (self));
  g_ptr_array_remove_fast (self->history->running, trial);
}
