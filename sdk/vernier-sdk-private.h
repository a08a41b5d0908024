#pragma once

/* What the engine does to SDK objects and plugins never do: the life cycle
 * of trials and the study's history. Not installed: plugins see trials and
 * the history read-only. */

#include "vernier.h"

G_BEGIN_DECLS

void vernier_trial_set_state        (VernierTrial      *self,
                                     VernierTrialState  state);
void vernier_trial_mark_started     (VernierTrial      *self);
void vernier_trial_mark_finished    (VernierTrial      *self,
                                     VernierTrialState  state);

void vernier_context_add_trial      (VernierContext    *self,
                                     VernierTrial      *trial);
void vernier_context_add_running    (VernierContext    *self,
                                     VernierTrial      *trial);
void vernier_context_remove_running (VernierContext    *self,
                                     VernierTrial      *trial);

G_END_DECLS
