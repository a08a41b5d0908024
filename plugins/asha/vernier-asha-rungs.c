/* vernier-asha-rungs.c: the rungs of asynchronous successive halving
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

#include "vernier-asha-rungs.h"

typedef struct
{
  gint64  step;         /* a trial completes the rung at this step */
  GArray *losses;       /* of gdouble, ascending */
} Rung;

struct _VernierAshaRungs
{
  guint      reduction_factor;
  guint      bootstrap_count;
  gint64     first_step;        /* 0: beyond any step */
  GPtrArray *rungs;             /* of Rung, created as trials reach them */
};

static void
rung_free (gpointer data)
{
  Rung *rung = data;

  g_array_unref (rung->losses);
  g_free (rung);
}

/**
 * vernier_asha_rungs_new:
 * @min_resource: the step of the first rung without early-stopping rate
 * @reduction_factor: the ratio of the steps of two successive rungs, and
 *   the inverse of the fraction of trials promoted at each, at least 2
 * @min_early_stopping_rate: how many rungs the first rung is above
 *   @min_resource
 * @bootstrap_count: how many trials must complete a rung before one is
 *   promoted from it
 *
 * Creates empty rungs.
 *
 * Returns: (transfer full): a new #VernierAshaRungs
 */
VernierAshaRungs *
vernier_asha_rungs_new (gint64 min_resource,
                        guint  reduction_factor,
                        guint  min_early_stopping_rate,
                        guint  bootstrap_count)
{
  VernierAshaRungs *self = g_new0 (VernierAshaRungs, 1);
  gint64 step = MAX (min_resource, 1);

  self->reduction_factor = MAX (reduction_factor, 2);
  self->bootstrap_count = bootstrap_count;
  self->rungs = g_ptr_array_new_with_free_func (rung_free);

  /* min_resource × reduction_factor^rate, or 0 past the largest step */
  for (guint i = 0; i < min_early_stopping_rate && step != 0; i++)
    step = step <= G_MAXINT64 / self->reduction_factor ? step * self->reduction_factor : 0;
  self->first_step = step;
  return self;
}

/**
 * vernier_asha_rungs_free:
 * @self: (transfer full): rungs
 *
 * Frees @self.
 */
void
vernier_asha_rungs_free (VernierAshaRungs *self)
{
  g_ptr_array_unref (self->rungs);
  g_free (self);
}

/* Rung @index, created on first use; %NULL if its step is beyond any
 * representable step (no trial ever completes it). */
static Rung *
get_rung (VernierAshaRungs *self,
          guint             index)
{
  while (self->rungs->len <= index)
    {
      gint64 step;
      Rung *rung;

      if (self->rungs->len == 0)
        step = self->first_step;
      else
        {
          gint64 previous = ((Rung *) g_ptr_array_index (self->rungs, self->rungs->len - 1))->step;

          step = previous <= G_MAXINT64 / self->reduction_factor
                 ? previous * self->reduction_factor : 0;
        }
      if (step == 0)
        return NULL;

      rung = g_new0 (Rung, 1);
      rung->step = step;
      rung->losses = g_array_new (FALSE, FALSE, sizeof (gdouble));
      g_ptr_array_add (self->rungs, rung);
    }
  return g_ptr_array_index (self->rungs, index);
}

/* Inserts @loss in order; returns how many losses the rung then holds. */
static guint
rung_record (Rung    *rung,
             gdouble  loss)
{
  guint lo = 0, hi = rung->losses->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (rung->losses, gdouble, mid) <= loss)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_array_insert_val (rung->losses, lo, loss);
  return rung->losses->len;
}

/* Whether @loss, just recorded in @rung, is among the best
 * 1/reduction_factor of the rung's losses. While the rung holds fewer
 * losses than the reduction factor, only the best one is: no trial is
 * suspended to be resumed later, so this is the asynchronous rule. */
static gboolean
is_promotable (VernierAshaRungs *self,
               Rung             *rung,
               gdouble           loss)
{
  guint n = rung->losses->len;
  guint index = n / self->reduction_factor;

  index = index > 0 ? index - 1 : 0;
  return loss <= g_array_index (rung->losses, gdouble, index);
}

/**
 * vernier_asha_rungs_judge:
 * @self: rungs
 * @progress: the trial's progress, updated
 * @step: the step the trial has just reported
 * @loss: the value it reported, as a loss
 *
 * Judges a running trial at its last report: at each rung whose step
 * @step has reached and the trial had not completed yet, its @loss is
 * recorded and it goes on only if it is among the best 1/reduction-factor
 * of the losses recorded there (itself included), and if more than
 * bootstrap-count trials have completed the rung. A NaN loss at a rung
 * stops the trial.
 *
 * Returns: %TRUE to prune the trial
 */
gboolean
vernier_asha_rungs_judge (VernierAshaRungs    *self,
                          VernierAshaProgress *progress,
                          gint64               step,
                          gdouble              loss)
{
  if (progress->stopped)
    return TRUE;

  for (;;)
    {
      Rung *rung = get_rung (self, progress->rung);
      guint n;

      if (rung == NULL || step < rung->step)
        return FALSE;

      if (isnan (loss))
        {
          progress->stopped = TRUE;
          return TRUE;
        }

      n = rung_record (rung, loss);
      progress->rung++;
      if (n <= self->bootstrap_count || !is_promotable (self, rung, loss))
        {
          progress->stopped = TRUE;
          return TRUE;
        }
    }
}

/**
 * vernier_asha_rungs_replay:
 * @self: rungs
 * @progress: the trial's progress, updated
 * @trial: a finished trial
 * @objective: the study's objective
 *
 * Records the values of a finished trial at the rungs it completed that
 * @progress does not count yet: what judging it at each of its reports
 * would have recorded, without deciding anything. Nothing for a trial
 * that was pruned by these rungs.
 */
void
vernier_asha_rungs_replay (VernierAshaRungs    *self,
                           VernierAshaProgress *progress,
                           VernierTrial        *trial,
                           VernierObjective    *objective)
{
  guint n = vernier_trial_get_n_reports (trial);

  if (progress->stopped)
    return;

  for (guint i = 0; i < n; i++)
    {
      gint64 step;
      gdouble value, loss;

      if (!vernier_trial_get_report (trial, i, &step, &value))
        break;
      loss = vernier_objective_to_loss (objective, value);

      for (;;)
        {
          Rung *rung = get_rung (self, progress->rung);

          if (rung == NULL || step < rung->step)
            break;
          if (isnan (loss))
            return;
          rung_record (rung, loss);
          progress->rung++;
        }
    }
}
