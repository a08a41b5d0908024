#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vernier-context.h"
#include "vernier-trial.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_TRAINER (vernier_trainer_get_type ())
G_DECLARE_INTERFACE (VernierTrainer, vernier_trainer, VERNIER, TRAINER, GObject)

/**
 * VernierTrainerInterface:
 * @g_iface: the parent interface
 * @prepare: optional; called once before the first trial with the study's
 *   context.
 * @train_async: starts evaluating @trial. On success the trainer has set
 *   the trial's value with vernier_trial_set_value(); it may report
 *   intermediate values with vernier_trial_report() meanwhile. It must
 *   honour @cancellable promptly and then fail with %G_IO_ERROR_CANCELLED.
 *   @cancellable may be cancelled from inside vernier_trial_report() (a
 *   pruner decided): keep a reference to your own state across that call.
 * @train_finish: finishes an operation started with @train_async.
 *
 * A trainer evaluates one configuration: runs a command, computes a
 * function, trains a model.
 */
struct _VernierTrainerInterface
{
  GTypeInterface g_iface;

  gboolean (*prepare)      (VernierTrainer       *self,
                            VernierContext       *context,
                            GError              **error);
  void     (*train_async)  (VernierTrainer       *self,
                            VernierTrial         *trial,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data);
  gboolean (*train_finish) (VernierTrainer       *self,
                            GAsyncResult         *result,
                            GError              **error);

  /*< private >*/
  gpointer padding[8];
};

gboolean vernier_trainer_prepare      (VernierTrainer       *self,
                                       VernierContext       *context,
                                       GError              **error);
void     vernier_trainer_train_async  (VernierTrainer       *self,
                                       VernierTrial         *trial,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean vernier_trainer_train_finish (VernierTrainer       *self,
                                       GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
