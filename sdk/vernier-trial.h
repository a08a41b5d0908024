#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vernier-enums.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_TRIAL (vernier_trial_get_type ())
G_DECLARE_FINAL_TYPE (VernierTrial, vernier_trial, VERNIER, TRIAL, GObject)

VernierTrial      *vernier_trial_new                 (guint              number,
                                                      JsonObject        *params);

guint              vernier_trial_get_number          (VernierTrial      *self);
JsonObject        *vernier_trial_get_params          (VernierTrial      *self);
gchar             *vernier_trial_dup_params_json     (VernierTrial      *self);

VernierTrialState  vernier_trial_get_state           (VernierTrial      *self);
gboolean           vernier_trial_is_finished         (VernierTrial      *self);

gboolean           vernier_trial_has_value           (VernierTrial      *self);
gdouble            vernier_trial_get_value           (VernierTrial      *self);
void               vernier_trial_set_value           (VernierTrial      *self,
                                                      gdouble            value);

void               vernier_trial_report              (VernierTrial      *self,
                                                      gint64             step,
                                                      gdouble            value);
guint              vernier_trial_get_n_reports       (VernierTrial      *self);
gboolean           vernier_trial_get_report          (VernierTrial      *self,
                                                      guint              index,
                                                      gint64            *step,
                                                      gdouble           *value);
gboolean           vernier_trial_get_last_report     (VernierTrial      *self,
                                                      gint64            *step,
                                                      gdouble           *value);

JsonNode          *vernier_trial_dup_user_attr       (VernierTrial      *self,
                                                      const gchar       *key);
void               vernier_trial_set_user_attr       (VernierTrial      *self,
                                                      const gchar       *key,
                                                      JsonNode          *value);
JsonObject        *vernier_trial_dup_user_attrs      (VernierTrial      *self);

const gchar       *vernier_trial_get_error_message   (VernierTrial      *self);
void               vernier_trial_set_error_message   (VernierTrial      *self,
                                                      const gchar       *message);

gint64             vernier_trial_get_start_time      (VernierTrial      *self);
gint64             vernier_trial_get_end_time        (VernierTrial      *self);
gint64             vernier_trial_get_duration        (VernierTrial      *self);

GCancellable      *vernier_trial_get_cancellable     (VernierTrial      *self);

JsonNode          *vernier_trial_to_json             (VernierTrial      *self);
VernierTrial      *vernier_trial_new_from_json       (JsonObject        *record,
                                                      GError           **error);

const gchar       *vernier_trial_state_to_nick       (VernierTrialState  state);

G_END_DECLS
