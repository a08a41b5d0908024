#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>

#include "vernier-context.h"
#include "vernier-trial.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_PRUNER (vernier_pruner_get_type ())
G_DECLARE_INTERFACE (VernierPruner, vernier_pruner, VERNIER, PRUNER, GObject)

/**
 * VernierPrunerInterface:
 * @g_iface: the parent interface
 * @prepare: optional; called once before the first trial with the study's
 *   context, whose history the pruner compares against.
 * @should_prune: asked on the main loop each time a running @trial reports
 *   an intermediate value; returns %TRUE to stop it.
 *
 * A pruner stops unpromising trials early.
 */
struct _VernierPrunerInterface
{
  GTypeInterface g_iface;

  gboolean (*prepare)      (VernierPruner    *self,
                            VernierContext   *context,
                            GError          **error);
  gboolean (*should_prune) (VernierPruner    *self,
                            VernierTrial     *trial);

  /*< private >*/
  gpointer padding[8];
};

gboolean vernier_pruner_prepare      (VernierPruner    *self,
                                      VernierContext   *context,
                                      GError          **error);
gboolean vernier_pruner_should_prune (VernierPruner    *self,
                                      VernierTrial     *trial);

G_END_DECLS
