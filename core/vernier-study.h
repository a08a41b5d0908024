#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_STUDY (vernier_study_get_type ())
G_DECLARE_FINAL_TYPE (VernierStudy, vernier_study, VERNIER, STUDY, GObject)

VernierStudy      *vernier_study_new                (VernierContext      *context);

VernierContext    *vernier_study_get_context        (VernierStudy        *self);
const gchar       *vernier_study_get_name           (VernierStudy        *self);

void               vernier_study_set_trainer        (VernierStudy        *self,
                                                     VernierTrainer      *trainer);
VernierTrainer    *vernier_study_get_trainer        (VernierStudy        *self);
void               vernier_study_add_tuner          (VernierStudy        *self,
                                                     VernierTuner        *tuner,
                                                     const gchar         *label,
                                                     guint               quota);
void               vernier_study_add_observer       (VernierStudy        *self,
                                                     VernierObserver     *observer);
void               vernier_study_add_pruner         (VernierStudy        *self,
                                                     VernierPruner       *pruner);

void               vernier_study_set_max_trials     (VernierStudy        *self,
                                                     guint               max_trials);
guint              vernier_study_get_max_trials     (VernierStudy        *self);
void               vernier_study_set_parallel       (VernierStudy        *self,
                                                     guint               parallel);
guint              vernier_study_get_parallel       (VernierStudy        *self);
void               vernier_study_set_time_budget    (VernierStudy        *self,
                                                     gint64              usec);
void               vernier_study_set_trial_timeout  (VernierStudy        *self,
                                                     gint64              usec);
void               vernier_study_set_cancel_grace   (VernierStudy        *self,
                                                     gint64              usec);
void               vernier_study_set_target         (VernierStudy        *self,
                                                     gdouble             target);
void               vernier_study_unset_target       (VernierStudy        *self);

void               vernier_study_set_storage        (VernierStudy        *self,
                                                     VernierStorage      *storage);
VernierStorage    *vernier_study_get_storage        (VernierStudy        *self);
void               vernier_study_set_retries        (VernierStudy        *self,
                                                     guint               retries);
void               vernier_study_set_heartbeat      (VernierStudy        *self,
                                                     gint64              usec);
guint              vernier_study_get_n_resumed      (VernierStudy        *self);
guint              vernier_study_get_n_taken_over   (VernierStudy        *self);
gchar             *vernier_study_describe           (VernierStudy        *self);
gchar             *vernier_study_describe_context   (VernierContext      *context);
void               vernier_study_run_async          (VernierStudy        *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
VernierTrial      *vernier_study_run_finish         (VernierStudy        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
VernierTrial      *vernier_study_run                (VernierStudy        *self,
                                                     GCancellable        *cancellable,
                                                     GError             **error);

void               vernier_study_stop               (VernierStudy        *self);
void               vernier_study_cancel             (VernierStudy        *self,
                                                     const GError        *reason);

gboolean           vernier_study_is_running         (VernierStudy        *self);
guint              vernier_study_get_n_running      (VernierStudy        *self);
guint              vernier_study_get_n_finished     (VernierStudy        *self);
guint              vernier_study_count_state        (VernierStudy        *self,
                                                     VernierTrialState   state);
VernierTrial      *vernier_study_get_best_trial     (VernierStudy        *self);
gint64             vernier_study_get_start_time     (VernierStudy        *self);
gint64             vernier_study_get_elapsed        (VernierStudy        *self);

G_END_DECLS
