#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>

#include "vernier-objective.h"
#include "vernier-space.h"
#include "vernier-trial.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_CONTEXT (vernier_context_get_type ())
G_DECLARE_FINAL_TYPE (VernierContext, vernier_context, VERNIER, CONTEXT, GObject)

VernierContext    *vernier_context_new               (const gchar       *study_name,
                                                      VernierSpace      *space,
                                                      VernierObjective  *objective,
                                                      guint64            seed,
                                                      const gchar       *base_dir);
VernierContext    *vernier_context_derive            (VernierContext    *self,
                                                      guint64            seed);

const gchar       *vernier_context_get_study_name    (VernierContext    *self);
VernierSpace      *vernier_context_get_space         (VernierContext    *self);
VernierObjective  *vernier_context_get_objective     (VernierContext    *self);
guint64            vernier_context_get_seed          (VernierContext    *self);
const gchar       *vernier_context_get_base_dir      (VernierContext    *self);
gchar             *vernier_context_resolve_path      (VernierContext    *self,
                                                      const gchar       *path);

guint              vernier_context_get_n_trials      (VernierContext    *self);
VernierTrial      *vernier_context_get_trial         (VernierContext    *self,
                                                      guint              index);
VernierTrial      *vernier_context_get_best_trial    (VernierContext    *self);
guint              vernier_context_count_state       (VernierContext    *self,
                                                      VernierTrialState  state);
guint              vernier_context_get_n_running     (VernierContext    *self);
VernierTrial      *vernier_context_get_running_trial (VernierContext    *self,
                                                      guint              index);

G_END_DECLS
