#include "config.h"

#include "vernier-observer.h"

/**
 * VernierObserver:
 *
 * Is told every event of a study. See #VernierObserverInterface.
 */
G_DEFINE_INTERFACE (VernierObserver, vernier_observer, G_TYPE_OBJECT)

static void
vernier_observer_default_init (VernierObserverInterface *iface)
{
}

/**
 * vernier_observer_prepare:
 * @self: a #VernierObserver
 * @context: the study as the observer sees it
 * @error: return location for a #GError
 *
 * Prepares the observer for a study (opens its files, for example).
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_observer_prepare (VernierObserver  *self,
                          VernierContext   *context,
                          GError          **error)
{
  VernierObserverInterface *iface;

  g_return_val_if_fail (VERNIER_IS_OBSERVER (self), FALSE);
  g_return_val_if_fail (VERNIER_IS_CONTEXT (context), FALSE);

  iface = VERNIER_OBSERVER_GET_IFACE (self);
  if (iface->prepare == NULL)
    return TRUE;
  return iface->prepare (self, context, error);
}

/**
 * vernier_observer_trial_started:
 * @self: a #VernierObserver
 * @trial: the trial that started
 *
 * Tells the observer a trial has started.
 */
void
vernier_observer_trial_started (VernierObserver *self,
                                VernierTrial    *trial)
{
  VernierObserverInterface *iface;

  g_return_if_fail (VERNIER_IS_OBSERVER (self));
  iface = VERNIER_OBSERVER_GET_IFACE (self);
  if (iface->trial_started != NULL)
    iface->trial_started (self, trial);
}

/**
 * vernier_observer_trial_finished:
 * @self: a #VernierObserver
 * @trial: the trial that finished
 *
 * Tells the observer a trial has finished.
 */
void
vernier_observer_trial_finished (VernierObserver *self,
                                 VernierTrial    *trial)
{
  VernierObserverInterface *iface;

  g_return_if_fail (VERNIER_IS_OBSERVER (self));
  iface = VERNIER_OBSERVER_GET_IFACE (self);
  if (iface->trial_finished != NULL)
    iface->trial_finished (self, trial);
}

/**
 * vernier_observer_study_finished:
 * @self: a #VernierObserver
 * @best: (nullable): the best trial, or %NULL when the study failed
 * @error: (nullable): why the study failed, or %NULL
 *
 * Tells the observer the study has finished.
 */
void
vernier_observer_study_finished (VernierObserver *self,
                                 VernierTrial    *best,
                                 const GError    *error)
{
  VernierObserverInterface *iface;

  g_return_if_fail (VERNIER_IS_OBSERVER (self));
  iface = VERNIER_OBSERVER_GET_IFACE (self);
  if (iface->study_finished != NULL)
    iface->study_finished (self, best, error);
}
