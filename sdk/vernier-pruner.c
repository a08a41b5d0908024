#include "config.h"

#include "vernier-pruner.h"

/**
 * VernierPruner:
 *
 * Stops unpromising trials early. See #VernierPrunerInterface.
 */
G_DEFINE_INTERFACE (VernierPruner, vernier_pruner, G_TYPE_OBJECT)

static void
vernier_pruner_default_init (VernierPrunerInterface *iface)
{
}

/**
 * vernier_pruner_prepare:
 * @self: a #VernierPruner
 * @context: the study as the pruner sees it
 * @error: return location for a #GError
 *
 * Prepares the pruner for a study.
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_pruner_prepare (VernierPruner   *self,
                        VernierContext  *context,
                        GError         **error)
{
  VernierPrunerInterface *iface;

  g_return_val_if_fail (VERNIER_IS_PRUNER (self), FALSE);
  g_return_val_if_fail (VERNIER_IS_CONTEXT (context), FALSE);

  iface = VERNIER_PRUNER_GET_IFACE (self);
  if (iface->prepare == NULL)
    return TRUE;
  return iface->prepare (self, context, error);
}

/**
 * vernier_pruner_should_prune:
 * @self: a #VernierPruner
 * @trial: a running trial that has just reported an intermediate value
 *
 * Asks whether @trial should be stopped.
 *
 * Returns: %TRUE to prune the trial
 */
gboolean
vernier_pruner_should_prune (VernierPruner *self,
                             VernierTrial  *trial)
{
  VernierPrunerInterface *iface;

  g_return_val_if_fail (VERNIER_IS_PRUNER (self), FALSE);
  g_return_val_if_fail (VERNIER_IS_TRIAL (trial), FALSE);

  iface = VERNIER_PRUNER_GET_IFACE (self);
  if (iface->should_prune == NULL)
    return FALSE;
  return iface->should_prune (self, trial);
}
