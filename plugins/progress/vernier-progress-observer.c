#include <math.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vernier-progress-observer.h"

/* At most this often, except at the end of the study. */
#define REDRAW_INTERVAL_USEC (100 * 1000)
/* While trials run, the elapsed time and the ETA move on by themselves. */
#define TICK_INTERVAL_SECONDS 1

/**
 * VernierProgressObserver:
 *
 * An observer that shows the progress of a study on the terminal as one
 * line redrawn in place: the trials finished (out of
 * #VernierProgressObserver:total when it is known), the trials running,
 * the failed, pruned and timed-out ones, the best value so far, the
 * elapsed time and, when the total is known, an estimate of the time
 * left. It redraws at most ten times a second and ends the line when the
 * study finishes.
 *
 * It writes to the standard output, and only when that is a terminal
 * unless #VernierProgressObserver:force is set: a study whose output is
 * piped or redirected to a file is not cluttered with carriage returns.
 */
struct _VernierProgressObserver
{
  GObject parent_instance;

  gboolean force;
  guint total;

  gboolean is_tty;
  VernierObjective *objective;

  guint n_started;
  guint n_finished;
  guint n_finished_before;
  guint n_failed;
  guint n_pruned;
  guint n_timed_out;

  gboolean has_best;
  gdouble best_value;
  guint best_number;

  gint64 start_time;
  gint64 last_draw;
  gboolean finished;
  gboolean failed;

  GSource *redraw_source;
  GSource *tick_source;
};

enum {
  PROP_0,
  PROP_FORCE,
  PROP_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void observer_iface_init (VernierObserverInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierProgressObserver, vernier_progress_observer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_OBSERVER,
                                                               observer_iface_init))

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
vernier_progress_observer_dispose (GObject *object)
{
  VernierProgressObserver *self = VERNIER_PROGRESS_OBSERVER (object);

  clear_source (&self->redraw_source);
  clear_source (&self->tick_source);
  g_clear_object (&self->objective);

  G_OBJECT_CLASS (vernier_progress_observer_parent_class)->dispose (object);
}

static void
vernier_progress_observer_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  VernierProgressObserver *self = VERNIER_PROGRESS_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_FORCE:
      g_value_set_boolean (value, self->force);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_progress_observer_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  VernierProgressObserver *self = VERNIER_PROGRESS_OBSERVER (object);

  switch (prop_id)
    {
    case PROP_FORCE:
      self->force = g_value_get_boolean (value);
      break;
    case PROP_TOTAL:
      self->total = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_progress_observer_class_init (VernierProgressObserverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vernier_progress_observer_dispose;
  object_class->get_property = vernier_progress_observer_get_property;
  object_class->set_property = vernier_progress_observer_set_property;

  /**
   * VernierProgressObserver:force:
   *
   * Draw the progress line even when the standard output is not a
   * terminal.
   */
  properties[PROP_FORCE] =
    g_param_spec_boolean ("force", "Force",
                          "Draw the progress line even when the standard "
                          "output is not a terminal",
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * VernierProgressObserver:total:
   *
   * The number of trials the study will run, 0 when unknown. Vernier sets
   * it from the study's budget; with it the line shows `done/total` and an
   * estimate of the time left.
   */
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", "Total",
                       "Number of trials the study will run (set from the "
                       "study's trials= budget; 0: unknown, no ETA)",
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_progress_observer_class_finalize (VernierProgressObserverClass *klass)
{
}

static void
vernier_progress_observer_init (VernierProgressObserver *self)
{
  self->is_tty = isatty (STDOUT_FILENO);
}

/* Drawing */

static gboolean
is_enabled (VernierProgressObserver *self)
{
  return self->force || self->is_tty;
}

static void
append_clock (GString *line,
              gint64   usec)
{
  guint64 seconds = MAX (usec, 0) / G_USEC_PER_SEC;

  if (seconds >= 3600)
    g_string_append_printf (line, "%" G_GUINT64_FORMAT ":%02u:%02u",
                            seconds / 3600, (guint) (seconds / 60 % 60),
                            (guint) (seconds % 60));
  else
    g_string_append_printf (line, "%u:%02u",
                            (guint) (seconds / 60), (guint) (seconds % 60));
}

/* Columns of the terminal, 0 when unknown. */
static guint
terminal_width (void)
{
  struct winsize size;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
    return size.ws_col;
  return 0;
}

static void
draw (VernierProgressObserver *self)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();
  gint64 elapsed = now - self->start_time;
  guint running;

  self->last_draw = now;

  if (self->total > 0)
    g_string_append_printf (line, "%u/%u trials", self->n_finished, self->total);
  else
    g_string_append_printf (line, "%u trials", self->n_finished);

  running = self->n_started > self->n_finished
            ? self->n_started - self->n_finished : 0;
  if (running > 0 && !self->finished)
    g_string_append_printf (line, ", %u running", running);

  g_string_append_printf (line, ", %u failed", self->n_failed);
  if (self->n_pruned > 0)
    g_string_append_printf (line, ", %u pruned", self->n_pruned);
  if (self->n_timed_out > 0)
    g_string_append_printf (line, ", %u timed out", self->n_timed_out);

  g_string_append (line, " | best ");
  if (self->has_best)
    {
      gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (line, "%s (trial %u)",
                              g_ascii_formatd (buffer, sizeof buffer, "%.6g",
                                               self->best_value),
                              self->best_number);
    }
  else
    g_string_append (line, self->finished ? "none" : "none yet");

  g_string_append (line, " | elapsed ");
  append_clock (line, elapsed);

  /* At the pace of this run: a resumed study's earlier trials took no
   * time of it. */
  if (!self->finished && self->total > 0 &&
      self->n_finished > self->n_finished_before &&
      self->n_finished < self->total)
    {
      gint64 left = (gint64) ((gdouble) elapsed /
                              (self->n_finished - self->n_finished_before) *
                              (self->total - self->n_finished));

      g_string_append (line, ", ETA ");
      append_clock (line, left);
    }

  if (self->finished && self->failed)
    g_string_append (line, " | study failed");

  /* A line longer than the terminal would wrap, and "\r" would then redraw
   * only its last row. */
  if (self->is_tty)
    {
      guint width = terminal_width ();

      if (width > 1 && g_utf8_strlen (line->str, -1) >= width)
        g_string_truncate (line,
                           g_utf8_offset_to_pointer (line->str, width - 1) - line->str);
    }

  /* Back to the start of the line, the line, and clear what a longer
   * previous line left behind. */
  g_string_prepend_c (line, '\r');
  g_string_append (line, "\033[K");
  if (self->finished)
    g_string_append_c (line, '\n');

  fputs (line->str, stdout);
  fflush (stdout);
}

static gboolean
redraw_cb (gpointer user_data)
{
  VernierProgressObserver *self = user_data;

  g_clear_pointer (&self->redraw_source, g_source_unref);
  draw (self);
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer user_data)
{
  VernierProgressObserver *self = user_data;

  if (self->redraw_source == NULL)
    draw (self);
  return G_SOURCE_CONTINUE;
}

static GSource *
attach_source (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data,
               const gchar *name)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  g_source_set_callback (source, callback, user_data, NULL);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
  return source;
}

static void
start (VernierProgressObserver *self)
{
  if (self->start_time != 0)
    return;

  self->start_time = g_get_monotonic_time ();
  if (is_enabled (self))
    self->tick_source = attach_source (g_timeout_source_new_seconds (TICK_INTERVAL_SECONDS),
                                       tick_cb, self, "[vernier] progress tick");
}

/* Redraws now, or once REDRAW_INTERVAL_USEC has passed since the last
 * time if that was too recent. */
static void
update (VernierProgressObserver *self)
{
  gint64 now;
  gint64 due;

  if (!is_enabled (self) || self->finished)
    return;

  now = g_get_monotonic_time ();
  due = self->last_draw + REDRAW_INTERVAL_USEC;
  if (self->last_draw == 0 || now >= due)
    {
      clear_source (&self->redraw_source);
      draw (self);
    }
  else if (self->redraw_source == NULL)
    {
      GSource *source = g_timeout_source_new ((guint) ((due - now + 999) / 1000));

      self->redraw_source = attach_source (source, redraw_cb, self,
                                           "[vernier] progress redraw");
    }
}

/* VernierObserver */

static gboolean
vernier_progress_observer_prepare (VernierObserver  *observer,
                                   VernierContext   *context,
                                   GError          **error)
{
  VernierProgressObserver *self = VERNIER_PROGRESS_OBSERVER (observer);
  VernierObjective *objective = vernier_context_get_objective (context);
  VernierTrial *best = vernier_context_get_best_trial (context);

  g_set_object (&self->objective, objective);
  self->is_tty = isatty (STDOUT_FILENO);

  /* A resumed study starts with the trials of its earlier runs. */
  self->n_finished = self->n_finished_before = vernier_context_get_n_trials (context);
  self->n_started = self->n_finished;
  self->n_failed = vernier_context_count_state (context, VERNIER_TRIAL_STATE_FAILED);
  self->n_pruned = vernier_context_count_state (context, VERNIER_TRIAL_STATE_PRUNED);
  self->n_timed_out = vernier_context_count_state (context, VERNIER_TRIAL_STATE_TIMED_OUT);
  self->has_best = best != NULL && vernier_trial_has_value (best);
  if (self->has_best)
    {
      self->best_value = vernier_trial_get_value (best);
      self->best_number = vernier_trial_get_number (best);
    }

  start (self);

  return TRUE;
}

static void
vernier_progress_observer_trial_started (VernierObserver *observer,
                                         VernierTrial    *trial)
{
  VernierProgressObserver *self = VERNIER_PROGRESS_OBSERVER (observer);

  start (self);
  self->n_started++;
  update (self);
}

static void
vernier_progress_observer_trial_finished (VernierObserver *observer,
                                          VernierTrial    *trial)
{
  VernierProgressObserver *self = VERNIER_PROGRESS_OBSERVER (observer);

  start (self);
  self->n_finished++;

  switch (vernier_trial_get_state (trial))
    {
    case VERNIER_TRIAL_STATE_COMPLETE:
      if (vernier_trial_has_value (trial) &&
          isfinite (vernier_trial_get_value (trial)))
        {
          gdouble value = vernier_trial_get_value (trial);
          gboolean better;

          if (!self->has_best)
            better = TRUE;
          else if (self->objective != NULL)
            better = vernier_objective_is_better (self->objective, value,
                                                  self->best_value);
          else
            better = value < self->best_value;

          if (better)
            {
              self->has_best = TRUE;
              self->best_value = value;
              self->best_number = vernier_trial_get_number (trial);
            }
        }
      break;
    case VERNIER_TRIAL_STATE_FAILED:
      self->n_failed++;
      break;
    case VERNIER_TRIAL_STATE_PRUNED:
      self->n_pruned++;
      break;
    case VERNIER_TRIAL_STATE_TIMED_OUT:
      self->n_timed_out++;
      break;
    case VERNIER_TRIAL_STATE_WAITING:
    case VERNIER_TRIAL_STATE_RUNNING:
    default:
      break;
    }

  update (self);
}

static void
vernier_progress_observer_study_finished (VernierObserver *observer,
                                          VernierTrial    *best,
                                          const GError    *error)
{
  VernierProgressObserver *self = VERNIER_PROGRESS_OBSERVER (observer);

  start (self);
  clear_source (&self->redraw_source);
  clear_source (&self->tick_source);

  if (self->finished)
    return;
  self->finished = TRUE;
  self->failed = error != NULL;

  /* The study's own best wins: it also knows trials finished before this
   * run, for a resumed study. */
  if (best != NULL && vernier_trial_has_value (best))
    {
      self->has_best = TRUE;
      self->best_value = vernier_trial_get_value (best);
      self->best_number = vernier_trial_get_number (best);
    }

  if (is_enabled (self))
    draw (self);
}

static void
observer_iface_init (VernierObserverInterface *iface)
{
  iface->prepare = vernier_progress_observer_prepare;
  iface->trial_started = vernier_progress_observer_trial_started;
  iface->trial_finished = vernier_progress_observer_trial_finished;
  iface->study_finished = vernier_progress_observer_study_finished;
}

/* Plugin */

static gboolean
progress_plugin_register (GTypeModule  *module,
                          GError      **error)
{
  vernier_progress_observer_register_type (module);
  vernier_plugin_provide (module, "progress", VERNIER_TYPE_PROGRESS_OBSERVER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("progress",
                       "Shows a live progress line on the terminal: trials, failures, best value, ETA",
                       progress_plugin_register)
