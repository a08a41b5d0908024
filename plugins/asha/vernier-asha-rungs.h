#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/*
 * VernierAshaRungs:
 *
 * The rungs of one asynchronous successive halving: rung k is completed at
 * step min_resource × reduction_factor^(min_early_stopping_rate + k), and
 * holds, sorted, the value (as a loss) of every trial that reached it. The
 * `asha` pruner has one, the `hyperband` pruner one per bracket.
 */
typedef struct _VernierAshaRungs VernierAshaRungs;

/*
 * VernierAshaProgress:
 * @rung: how many rungs the trial has completed (its value is recorded in
 *   each of them)
 * @stopped: whether the trial was pruned: it completes no other rung
 *
 * How far one trial went up the rungs.
 */
typedef struct
{
  guint    rung;
  gboolean stopped;
} VernierAshaProgress;

G_GNUC_INTERNAL
VernierAshaRungs *vernier_asha_rungs_new        (gint64               min_resource,
                                                 guint                reduction_factor,
                                                 guint                min_early_stopping_rate,
                                                 guint                bootstrap_count);
G_GNUC_INTERNAL
void              vernier_asha_rungs_free       (VernierAshaRungs    *self);

G_GNUC_INTERNAL
gboolean          vernier_asha_rungs_judge      (VernierAshaRungs    *self,
                                                 VernierAshaProgress *progress,
                                                 gint64               step,
                                                 gdouble              loss);
G_GNUC_INTERNAL
void              vernier_asha_rungs_replay     (VernierAshaRungs    *self,
                                                 VernierAshaProgress *progress,
                                                 VernierTrial        *trial,
                                                 VernierObjective    *objective);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VernierAshaRungs, vernier_asha_rungs_free)

G_END_DECLS
