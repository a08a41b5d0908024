#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "vernier-context.h"
#include "vernier-enums.h"
#include "vernier-trial.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_TUNER (vernier_tuner_get_type ())
G_DECLARE_INTERFACE (VernierTuner, vernier_tuner, VERNIER, TUNER, GObject)

/**
 * VernierTunerInterface:
 * @g_iface: the parent interface
 * @prepare: optional; called once before the first @suggest with the
 *   study's context (space, objective, seed, history). Fails with
 *   %VERNIER_ERROR_INVALID_CONFIG when the tuner cannot search this space.
 * @suggest: returns the parameters of the next trial, or fails with
 *   %VERNIER_ERROR_EXHAUSTED when there is nothing left to suggest, or with
 *   %VERNIER_ERROR_PENDING when it must see a running trial finish first
 *   (or until it emits #VernierTuner::ready).
 *   Called on the main loop: it must be fast.
 * @observe: optional; told every finished trial, whoever suggested it:
 *   trials of earlier runs of a resumed study and of other workers too.
 * @get_flags: optional; what the engine should know about the tuner
 *   (#VernierTunerFlags)
 *
 * A tuning strategy: it proposes configurations (ask) and learns from the
 * results (tell). The core owns the loop; a tuner never runs trials.
 */
struct _VernierTunerInterface
{
  GTypeInterface g_iface;

  gboolean     (*prepare) (VernierTuner    *self,
                           VernierContext  *context,
                           GError         **error);
  JsonObject * (*suggest) (VernierTuner    *self,
                           GError         **error);
  void         (*observe) (VernierTuner    *self,
                           VernierTrial    *trial);
  VernierTunerFlags (*get_flags) (VernierTuner *self);

  /*< private >*/
  gpointer padding[7];
};

gboolean     vernier_tuner_prepare (VernierTuner    *self,
                                    VernierContext  *context,
                                    GError         **error);
JsonObject  *vernier_tuner_suggest (VernierTuner    *self,
                                    GError         **error);
void         vernier_tuner_observe (VernierTuner    *self,
                                    VernierTrial    *trial);
void         vernier_tuner_ready   (VernierTuner    *self);
VernierTunerFlags vernier_tuner_get_flags (VernierTuner *self);

G_END_DECLS
