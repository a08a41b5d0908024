#include "config.h"

#include "vernier-error.h"
#include "vernier-tuner.h"

/**
 * VernierTuner:
 *
 * A tuning strategy. See #VernierTunerInterface.
 */
G_DEFINE_INTERFACE (VernierTuner, vernier_tuner, G_TYPE_OBJECT)

static guint ready_signal;

static void
vernier_tuner_default_init (VernierTunerInterface *iface)
{
  /**
   * VernierTuner::ready:
   * @self: the tuner
   *
   * A tuner that answered %VERNIER_ERROR_PENDING emits this (with
   * vernier_tuner_ready()) when it can suggest again without waiting for a
   * trial to finish, for example when a computation it runs off the main
   * loop is done. The study then asks again. A tuner that says PENDING
   * while no trial runs must emit it eventually.
   */
  ready_signal = g_signal_new ("ready", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                               0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

/**
 * vernier_tuner_ready:
 * @self: a #VernierTuner
 *
 * Emits #VernierTuner::ready, on the main loop.
 */
void
vernier_tuner_ready (VernierTuner *self)
{
  g_return_if_fail (VERNIER_IS_TUNER (self));
  g_signal_emit (self, ready_signal, 0);
}

/**
 * vernier_tuner_prepare:
 * @self: a #VernierTuner
 * @context: the study as the tuner sees it
 * @error: return location for a #GError
 *
 * Prepares the tuner for a study. Called once, before the first suggestion.
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_tuner_prepare (VernierTuner    *self,
                       VernierContext  *context,
                       GError         **error)
{
  VernierTunerInterface *iface;

  g_return_val_if_fail (VERNIER_IS_TUNER (self), FALSE);
  g_return_val_if_fail (VERNIER_IS_CONTEXT (context), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VERNIER_TUNER_GET_IFACE (self);
  if (iface->prepare == NULL)
    return TRUE;
  return iface->prepare (self, context, error);
}

/**
 * vernier_tuner_suggest:
 * @self: a #VernierTuner
 * @error: return location for a #GError
 *
 * Asks the tuner for the parameters of the next trial.
 *
 * Returns: (transfer full): the parameters, or %NULL with @error set
 *   (%VERNIER_ERROR_EXHAUSTED when the tuner has nothing left to suggest)
 */
JsonObject *
vernier_tuner_suggest (VernierTuner  *self,
                       GError       **error)
{
  VernierTunerInterface *iface;
  JsonObject *params;

  g_return_val_if_fail (VERNIER_IS_TUNER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = VERNIER_TUNER_GET_IFACE (self);
  g_return_val_if_fail (iface->suggest != NULL, NULL);

  params = iface->suggest (self, error);
  if (params == NULL && error != NULL && *error == NULL)
    g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                 "tuner %s returned no parameters and no error",
                 G_OBJECT_TYPE_NAME (self));
  return params;
}

/**
 * vernier_tuner_observe:
 * @self: a #VernierTuner
 * @trial: a finished trial
 *
 * Tells the tuner that @trial has finished.
 */
void
vernier_tuner_observe (VernierTuner *self,
                       VernierTrial *trial)
{
  VernierTunerInterface *iface;

  g_return_if_fail (VERNIER_IS_TUNER (self));
  g_return_if_fail (VERNIER_IS_TRIAL (trial));

  iface = VERNIER_TUNER_GET_IFACE (self);
  if (iface->observe != NULL)
    iface->observe (self, trial);
}

/**
 * vernier_tuner_get_flags:
 * @self: a #VernierTuner
 *
 * Returns: what the engine should know about the tuner
 */
VernierTunerFlags
vernier_tuner_get_flags (VernierTuner *self)
{
  VernierTunerInterface *iface;

  g_return_val_if_fail (VERNIER_IS_TUNER (self), VERNIER_TUNER_FLAGS_NONE);

  iface = VERNIER_TUNER_GET_IFACE (self);
  return iface->get_flags != NULL ? iface->get_flags (self) : VERNIER_TUNER_FLAGS_NONE;
}
