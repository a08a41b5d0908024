#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>

#include "vernier-context.h"
#include "vernier-trial.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_OBSERVER (vernier_observer_get_type ())
G_DECLARE_INTERFACE (VernierObserver, vernier_observer, VERNIER, OBSERVER, GObject)

/**
 * VernierObserverInterface:
 * @g_iface: the parent interface
 * @prepare: optional; called once before the first trial.
 * @trial_started: optional; a trial has started.
 * @trial_finished: optional; a trial has finished, whatever its state.
 * @study_finished: optional; the study has finished, with its best trial
 *   or, when it failed, the error.
 *
 * An observer is told every event of a study, in order, on the main loop.
 */
struct _VernierObserverInterface
{
  GTypeInterface g_iface;

  gboolean (*prepare)        (VernierObserver  *self,
                              VernierContext   *context,
                              GError          **error);
  void     (*trial_started)  (VernierObserver  *self,
                              VernierTrial     *trial);
  void     (*trial_finished) (VernierObserver  *self,
                              VernierTrial     *trial);
  void     (*study_finished) (VernierObserver  *self,
                              VernierTrial     *best,
                              const GError     *error);

  /*< private >*/
  gpointer padding[8];
};

gboolean vernier_observer_prepare        (VernierObserver  *self,
                                          VernierContext   *context,
                                          GError          **error);
void     vernier_observer_trial_started  (VernierObserver  *self,
                                          VernierTrial     *trial);
void     vernier_observer_trial_finished (VernierObserver  *self,
                                          VernierTrial     *trial);
void     vernier_observer_study_finished (VernierObserver  *self,
                                          VernierTrial     *best,
                                          const GError     *error);

G_END_DECLS
