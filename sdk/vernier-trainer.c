#include "config.h"

#include "vernier-trainer.h"

/**
 * VernierTrainer:
 *
 * Evaluates one configuration. See #VernierTrainerInterface.
 */
G_DEFINE_INTERFACE (VernierTrainer, vernier_trainer, G_TYPE_OBJECT)

static void
vernier_trainer_default_init (VernierTrainerInterface *iface)
{
}

/**
 * vernier_trainer_prepare:
 * @self: a #VernierTrainer
 * @context: the study as the trainer sees it
 * @error: return location for a #GError
 *
 * Prepares the trainer for a study. Called once, before the first trial.
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_trainer_prepare (VernierTrainer  *self,
                         VernierContext  *context,
                         GError         **error)
{
  VernierTrainerInterface *iface;

  g_return_val_if_fail (VERNIER_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (VERNIER_IS_CONTEXT (context), FALSE);

  iface = VERNIER_TRAINER_GET_IFACE (self);
  if (iface->prepare == NULL)
    return TRUE;
  return iface->prepare (self, context, error);
}

/**
 * vernier_trainer_train_async:
 * @self: a #VernierTrainer
 * @trial: the trial to evaluate
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the evaluation is over
 * @user_data: data for @callback
 *
 * Starts evaluating @trial.
 */
void
vernier_trainer_train_async (VernierTrainer      *self,
                             VernierTrial        *trial,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  VernierTrainerInterface *iface;

  g_return_if_fail (VERNIER_IS_TRAINER (self));
  g_return_if_fail (VERNIER_IS_TRIAL (trial));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = VERNIER_TRAINER_GET_IFACE (self);
  g_return_if_fail (iface->train_async != NULL);
  iface->train_async (self, trial, cancellable, callback, user_data);
}

/**
 * vernier_trainer_train_finish:
 * @self: a #VernierTrainer
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes an evaluation started with vernier_trainer_train_async().
 *
 * Returns: %TRUE if the trial was evaluated and has a value
 */
gboolean
vernier_trainer_train_finish (VernierTrainer  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  VernierTrainerInterface *iface;

  g_return_val_if_fail (VERNIER_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  iface = VERNIER_TRAINER_GET_IFACE (self);
  g_return_val_if_fail (iface->train_finish != NULL, FALSE);
  return iface->train_finish (self, result, error);
}
