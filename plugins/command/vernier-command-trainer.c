#include "vernier-command-trainer.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "vernier-command-output.h"
#include "vernier-command-template.h"

/**
 * VernierCommandTrainer:
 *
 * A trainer that runs a program per trial, without a shell, and reads the
 * objective value from what the program prints.
 *
 * Each element of #VernierCommandTrainer:argv is one argument; `{name}` in
 * it is replaced by the trial's value of parameter `name`. The program
 * also finds the parameters as JSON in `VERNIER_PARAMS` and the trial's
 * number in `VERNIER_TRIAL`. It runs in its own process group, which is
 * sent SIGTERM, then SIGKILL, when the trial is cancelled (a timeout, a
 * pruner, the user), and SIGKILL when the program exits and leaves
 * processes behind.
 *
 * Standard output is read line by line. A JSON object holding the
 * objective's name with a number is a value: with a `step` integer it is
 * an intermediate value (`{"step": 3, "loss": 0.41}`), without it the
 * final value (`{"loss": 0.37}`). A line matching
 * #VernierCommandTrainer:regex is a final value too, and so is a plain
 * number alone on the last line. The last final value wins.
 *
 * The properties are read by vernier_trainer_prepare(); trials started
 * afterwards use what they were then.
 */

#define READ_CHUNK_SIZE          (64 * 1024)
#define DEFAULT_KILL_GRACE       (5 * G_USEC_PER_SEC)
#define MAX_KILL_GRACE           (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define DEFAULT_MAX_OUTPUT_LINE  (1024 * 1024)
#define MIN_MAX_OUTPUT_LINE      16
#define MAX_MAX_OUTPUT_LINE      (1024 * 1024 * 1024)
#define DEFAULT_STDERR_TAIL      4096
#define DEFAULT_MAX_REPORTS      10000
#define MAX_STDERR_TAIL          (16 * 1024 * 1024)
/* How long output is still read once the program has exited and its
 * process group is gone: only a process that left the group can hold the
 * pipes open longer. */
#define MIN_DRAIN_TIME           G_USEC_PER_SEC
/* How often the program's process group is checked for survivors once the
 * program has exited. */
#define REAP_POLL_INTERVAL_MS    10

/* What prepare() made of the properties: immutable, shared by reference
 * with every trial in flight. */
typedef struct
{
  VernierCommandTemplate    *argv;
  VernierSpace              *space;
  gchar                     *workdir;
  GStrv                      env;
  gchar                     *objective;
  gchar                     *regex;
  VernierCommandOutputRules *rules;
  gint64                     kill_grace;
  gsize                      stderr_tail;
} Plan;

struct _VernierCommandTrainer
{
  GObject  parent_instance;

  GStrv    argv;
  gchar   *workdir;
  GStrv    env;
  gchar   *regex;
  gint64   kill_grace;
  guint    max_output_line;
  guint    stderr_tail;
  guint    max_reports;

  Plan    *plan;
};

enum {
  PROP_0,
  PROP_ARGV,
  PROP_WORKDIR,
  PROP_ENV,
  PROP_REGEX,
  PROP_KILL_GRACE,
  PROP_MAX_OUTPUT_LINE,
  PROP_STDERR_TAIL,
  PROP_MAX_REPORTS,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void trainer_iface_init (VernierTrainerInterface *iface);

G_DEFINE_DYNAMIC_TYPE_EXTENDED (VernierCommandTrainer, vernier_command_trainer,
                                G_TYPE_OBJECT, G_TYPE_FLAG_FINAL,
                                G_IMPLEMENT_INTERFACE_DYNAMIC (VERNIER_TYPE_TRAINER,
                                                               trainer_iface_init))

/* Plan */

static void
plan_clear (gpointer data)
{
  Plan *plan = data;

  g_clear_pointer (&plan->argv, vernier_command_template_free);
  g_clear_object (&plan->space);
  g_clear_pointer (&plan->workdir, g_free);
  g_clear_pointer (&plan->env, g_strfreev);
  g_clear_pointer (&plan->objective, g_free);
  g_clear_pointer (&plan->regex, g_free);
  g_clear_pointer (&plan->rules, vernier_command_output_rules_free);
}

static void
plan_release (Plan *plan)
{
  g_atomic_rc_box_release_full (plan, plan_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Plan, plan_release)

/* One trial in flight */

typedef struct
{
  Plan                 *plan;
  VernierTrial         *trial;
  guint                 number;
  gchar                *program;

  GSubprocess          *process;
  pid_t                 pid;
  GCancellable         *io_cancellable;
  GSource              *cancel_source;
  GSource              *kill_source;
  GSource              *drain_source;
  GSource              *reap_source;
  gint64                reap_deadline;
  GArray               *survivors;     /* of pid_t; NULL until looked for */
  gboolean              no_proc;

  VernierCommandOutput *output;
  guint8               *stdout_buffer;
  guint8               *stderr_buffer;
  GByteArray           *stderr_tail;
  gboolean              stderr_truncated;

  gboolean              exited;
  gboolean              stdout_done;
  gboolean              stderr_done;
  gboolean              cancelled;
  gboolean              sent_sigterm;
  gboolean              sent_sigkill;
  gboolean              lingering;
  gboolean              group_gone;
  gboolean              returned;
} Run;

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
run_free (gpointer data)
{
  Run *run = data;

  clear_source (&run->cancel_source);
  clear_source (&run->kill_source);
  clear_source (&run->drain_source);
  clear_source (&run->reap_source);
  g_clear_pointer (&run->plan, plan_release);
  g_clear_object (&run->trial);
  g_free (run->program);
  g_clear_object (&run->process);
  g_clear_object (&run->io_cancellable);
  g_clear_pointer (&run->output, vernier_command_output_free);
  g_free (run->stdout_buffer);
  g_free (run->stderr_buffer);
  g_clear_pointer (&run->stderr_tail, g_byte_array_unref);
  g_clear_pointer (&run->survivors, g_array_unref);
  g_free (run);
}

static void
child_setup (gpointer user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  pid_t pid = getpid ();
  gssize written;

  /* Runs in the child between fork and exec: a group of its own, so that
   * the whole tree the program starts can be signalled at once. The pid
   * goes to the parent, which cannot count on
   * g_subprocess_get_identifier() once the child may have exited. */
  setpgid (0, 0);
  written = write (fd, &pid, sizeof pid);
  (void) written;
}

/* Signals the program's process group while the program runs. */
static void
run_signal (Run *run,
            int  signum)
{
  if (run->exited)
    return;
  if (run->pid > 0 && kill (-run->pid, signum) == 0)
    return;
  g_subprocess_send_signal (run->process, signum);
}

/* Reads a process's state letter and process group from /proc (Linux). */
static gboolean
read_proc_stat (const gchar *pid_text,
                gchar       *state,
                pid_t       *pgrp)
{
  g_autofree gchar *path = g_build_filename ("/proc", pid_text, "stat", NULL);
  g_autofree gchar *contents = NULL;
  const gchar *after_name;
  int group;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* "pid (name) state ppid pgrp ...": the name may hold anything. */
  after_name = strrchr (contents, ')');
  if (after_name == NULL || sscanf (after_name + 1, " %c %*d %d", state, &group) != 2)
    return FALSE;
  *pgrp = group;
  return TRUE;
}

static gboolean
is_live_member (const gchar *pid_text,
                pid_t        pgid)
{
  gchar state;
  pid_t pgrp;

  return read_proc_stat (pid_text, &state, &pgrp) && pgrp == pgid &&
         state != 'Z' && state != 'X' && state != 'x';
}

/* Fills @members with the live processes of group @pgid, or returns FALSE
 * if processes cannot be listed. */
static gboolean
list_live_members (pid_t   pgid,
                   GArray *members)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const gchar *name;

  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      pid_t pid;

      if (!g_ascii_isdigit (name[0]) || !is_live_member (name, pgid))
        continue;
      pid = (pid_t) g_ascii_strtoll (name, NULL, 10);
      g_array_append_val (members, pid);
    }
  return TRUE;
}

/* Once the program has exited: kills what is left of its process group and
 * says whether any of it still lives. Killed processes become zombies until
 * their new parent (init) reaps them, and a group of zombies can still be
 * signalled, so where /proc allows, the survivors are looked at one by
 * one. */
static gboolean
run_group_alive (Run *run)
{
  if (kill (-run->pid, SIGKILL) < 0 && errno == ESRCH)
    return FALSE;

  if (run->survivors == NULL)
    {
      run->survivors = g_array_new (FALSE, FALSE, sizeof (pid_t));
      run->no_proc = !list_live_members (run->pid, run->survivors);
    }
  if (run->no_proc)
    return TRUE;

  for (guint i = run->survivors->len; i > 0; i--)
    {
      gchar pid_text[32];

      g_snprintf (pid_text, sizeof pid_text, "%d",
                  (int) g_array_index (run->survivors, pid_t, i - 1));
      if (!is_live_member (pid_text, run->pid))
        g_array_remove_index_fast (run->survivors, i - 1);
    }
  return run->survivors->len > 0;
}

static gchar *
run_dup_stderr_tail (Run *run)
{
  const gchar *data = (const gchar *) run->stderr_tail->data;
  gsize len = run->stderr_tail->len;
  g_autofree gchar *text = NULL;

  /* The tail may start in the middle of a character. */
  if (run->stderr_truncated)
    while (len > 0 && ((guchar) data[0] & 0xC0) == 0x80)
      {
        data++;
        len--;
      }

  if (run->plan->stderr_tail == 0)
    return g_strdup ("(standard error not kept: stderr-tail=0)");

  text = g_utf8_make_valid (data, len);
  g_strstrip (text);
  if (text[0] == '\0')
    return g_strdup ("(nothing on stderr)");
  if (run->stderr_truncated)
    return g_strconcat ("…", text, NULL);
  return g_steal_pointer (&text);
}

static void
set_int_attr (VernierTrial *trial,
              const gchar  *key,
              gint64        value)
{
  vernier_trial_set_user_attr (trial, key, json_node_init_int (json_node_alloc (), value));
}

static GError *
run_make_no_value_error (Run *run)
{
  Plan *plan = run->plan;
  g_autoptr(GString) message = g_string_new (NULL);
  guint n_truncated = vernier_command_output_get_n_truncated (run->output);

  g_string_append_printf (message,
                          "trial %u: `%s` printed no value for objective '%s' "
                          "(expected a JSON line like {\"%s\": 0.37}, ",
                          run->number, run->program, plan->objective,
                          plan->objective);
  if (plan->regex != NULL)
    g_string_append_printf (message,
                            "a line matching regex '%s' or a plain number "
                            "on the last line)", plan->regex);
  else
    g_string_append (message,
                     "a plain number on the last line, or set regex=)");
  if (n_truncated > 0)
    g_string_append_printf (message,
                            "; %u line(s) longer than max-output-line were "
                            "skipped", n_truncated);

  return g_error_new_literal (VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                              message->str);
}

static void
run_return (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  GSubprocess *process = run->process;
  gdouble value = NAN;
  g_autofree gchar *tail = NULL;

  run->returned = TRUE;
  clear_source (&run->cancel_source);
  clear_source (&run->kill_source);
  clear_source (&run->drain_source);
  clear_source (&run->reap_source);

  set_int_attr (run->trial, "ignored-lines",
                vernier_command_output_get_n_ignored (run->output));
  if (vernier_command_output_get_n_truncated (run->output) > 0)
    set_int_attr (run->trial, "long-lines",
                  vernier_command_output_get_n_truncated (run->output));
  if (vernier_command_output_get_n_dropped (run->output) > 0)
    set_int_attr (run->trial, "dropped-reports",
                  vernier_command_output_get_n_dropped (run->output));
  if (run->lingering)
    vernier_trial_set_user_attr (run->trial, "killed-leftover-processes",
                                 json_node_init_boolean (json_node_alloc (), TRUE));

  if (g_subprocess_get_if_exited (process))
    set_int_attr (run->trial, "exit-status", g_subprocess_get_exit_status (process));
  else if (g_subprocess_get_if_signaled (process))
    set_int_attr (run->trial, "signal", g_subprocess_get_term_sig (process));

  if (run->cancelled || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_autofree gchar *grace = vernier_format_duration (run->plan->kill_grace);

      if (run->sent_sigkill)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "trial %u: cancelled; `%s` ignored SIGTERM and "
                                 "was killed with SIGKILL %s later",
                                 run->number, run->program, grace);
      else if (run->sent_sigterm)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "trial %u: cancelled; `%s` was stopped with SIGTERM",
                                 run->number, run->program);
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "trial %u: cancelled as `%s` ended",
                                 run->number, run->program);
      return;
    }

  if (g_subprocess_get_if_signaled (process))
    {
      int signum = g_subprocess_get_term_sig (process);

      tail = run_dup_stderr_tail (run);
      g_task_return_new_error (task, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                               "trial %u: `%s` was killed by signal %d (%s): %s",
                               run->number, run->program, signum,
                               g_strsignal (signum), tail);
      return;
    }

  if (g_subprocess_get_exit_status (process) != 0)
    {
      tail = run_dup_stderr_tail (run);
      g_task_return_new_error (task, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                               "trial %u: `%s` exited with status %d: %s",
                               run->number, run->program,
                               g_subprocess_get_exit_status (process), tail);
      return;
    }

  if (!vernier_command_output_get_value (run->output, &value))
    {
      g_task_return_error (task, run_make_no_value_error (run));
      return;
    }

  if (!isfinite (value))
    {
      g_task_return_new_error (task, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                               "trial %u: `%s` printed a non-finite value for "
                               "objective '%s': %s",
                               run->number, run->program, run->plan->objective,
                               isnan (value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity");
      return;
    }

  vernier_trial_set_value (run->trial, value);
  g_task_return_boolean (task, TRUE);
}

static void
run_maybe_return (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->returned || !run->exited || !run->group_gone ||
      !run->stdout_done || !run->stderr_done)
    return;
  run_return (task);
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->kill_source, g_source_unref);
  if (!run->exited)
    {
      run->sent_sigkill = TRUE;
      run_signal (run, SIGKILL);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  Run *run = user_data;

  g_clear_pointer (&run->drain_source, g_source_unref);
  g_cancellable_cancel (run->io_cancellable);
  return G_SOURCE_REMOVE;
}

static GSource *
attach_timeout (GMainContext   *context,
                gint64          usec,
                GSourceFunc     func,
                gpointer        data,
                GDestroyNotify  notify)
{
  GSource *source = g_timeout_source_new ((guint) ((usec + 999) / 1000));

  g_source_set_static_name (source, "[vernier-command] timeout");
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, context);
  return source;
}

/* Until the program's process group is empty (or its survivors stay
 * unkillable past the deadline), kills what is left of it. */
static gboolean
on_reap_poll (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  Run *run = g_task_get_task_data (task);

  if (run_group_alive (run) && g_get_monotonic_time () < run->reap_deadline)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&run->reap_source, g_source_unref);
  run->group_gone = TRUE;
  run_maybe_return (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->cancel_source, g_source_unref);
  if (run->returned)
    return G_SOURCE_REMOVE;

  run->cancelled = TRUE;
  if (run->exited)
    {
      /* Only output is left to read: stop. */
      g_cancellable_cancel (run->io_cancellable);
      return G_SOURCE_REMOVE;
    }

  run->sent_sigterm = TRUE;
  run_signal (run, SIGTERM);
  run->kill_source = attach_timeout (g_task_get_context (task),
                                     run->plan->kill_grace,
                                     on_kill_timeout, run, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_wait (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);

  /* Without a cancellable, waiting cannot fail: the child is reaped. */
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->exited = TRUE;
  clear_source (&run->kill_source);

  /* Nothing the program started may outlive the trial: what is left of
   * its process group is killed, and the trial ends once it is gone. The
   * survivors are listed before the kill, which may be over at once. */
  if (run->pid > 0 && kill (-run->pid, 0) == 0)
    {
      run->survivors = g_array_new (FALSE, FALSE, sizeof (pid_t));
      run->no_proc = !list_live_members (run->pid, run->survivors);
      run->lingering = run->no_proc || run->survivors->len > 0;
    }
  if (run->pid > 0 && run_group_alive (run))
    {
      run->reap_deadline = g_get_monotonic_time () +
                           MAX (run->plan->kill_grace, MIN_DRAIN_TIME);
      /* Once the output is read, this source alone keeps the task. */
      run->reap_source = attach_timeout (g_task_get_context (task),
                                         REAP_POLL_INTERVAL_MS * G_TIME_SPAN_MILLISECOND,
                                         on_reap_poll, g_object_ref (task),
                                         g_object_unref);
    }
  else
    run->group_gone = TRUE;

  if (!run->stdout_done || !run->stderr_done)
    run->drain_source = attach_timeout (g_task_get_context (task),
                                        MAX (run->plan->kill_grace, MIN_DRAIN_TIME),
                                        on_drain_timeout, run, NULL);

  run_maybe_return (task);
}

static void on_stdout_read (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);
static void on_stderr_read (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
read_stdout (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  g_input_stream_read_async (g_subprocess_get_stdout_pipe (run->process),
                             run->stdout_buffer, READ_CHUNK_SIZE,
                             G_PRIORITY_DEFAULT, run->io_cancellable,
                             on_stdout_read, g_object_ref (task));
}

static void
read_stderr (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  g_input_stream_read_async (g_subprocess_get_stderr_pipe (run->process),
                             run->stderr_buffer, READ_CHUNK_SIZE,
                             G_PRIORITY_DEFAULT, run->io_cancellable,
                             on_stderr_read, g_object_ref (task));
}

static void
on_stdout_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  gssize n;

  /* An error (the drain timeout, a broken pipe) ends the output too. */
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  if (n > 0)
    {
      vernier_command_output_feed (run->output, (const gchar *) run->stdout_buffer, n);
      read_stdout (task);
      return;
    }

  run->stdout_done = TRUE;
  vernier_command_output_close (run->output);
  run_maybe_return (task);
}

static void
on_stderr_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  gsize keep = run->plan->stderr_tail;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  if (n <= 0)
    {
      run->stderr_done = TRUE;
      run_maybe_return (task);
      return;
    }

  if ((gsize) n >= keep)
    {
      run->stderr_truncated = run->stderr_truncated || (gsize) n > keep ||
                              run->stderr_tail->len > 0;
      g_byte_array_set_size (run->stderr_tail, 0);
      g_byte_array_append (run->stderr_tail, run->stderr_buffer + n - keep, keep);
    }
  else
    {
      g_byte_array_append (run->stderr_tail, run->stderr_buffer, n);
      if (run->stderr_tail->len > keep)
        {
          g_byte_array_remove_range (run->stderr_tail, 0, run->stderr_tail->len - keep);
          run->stderr_truncated = TRUE;
        }
    }

  read_stderr (task);
}

/* Starts the program; sets run->process and run->pid. */
static gboolean
run_spawn (Run      *run,
           GStrv     argv,
           GError  **error)
{
  Plan *plan = run->plan;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree gchar *params_json = NULL;
  g_autofree gchar *number = NULL;
  g_autoptr(GError) local_error = NULL;
  int pid_pipe[2];
  pid_t pid = 0;
  gssize n;

  if (!g_unix_open_pipe (pid_pipe, FD_CLOEXEC, &local_error))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_TRAINING_FAILED,
                   "trial %u: cannot run `%s`: %s",
                   run->number, run->program, local_error->message);
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, plan->workdir);
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
                                         GINT_TO_POINTER (pid_pipe[1]), NULL);

  for (guint i = 0; plan->env != NULL && plan->env[i] != NULL; i++)
    {
      const gchar *equal = strchr (plan->env[i], '=');
      g_autofree gchar *key = g_strndup (plan->env[i], equal - plan->env[i]);

      g_subprocess_launcher_setenv (launcher, key, equal + 1, TRUE);
    }

  params_json = vernier_trial_dup_params_json (run->trial);
  number = g_strdup_printf ("%u", run->number);
  g_subprocess_launcher_setenv (launcher, "VERNIER_PARAMS", params_json, TRUE);
  g_subprocess_launcher_setenv (launcher, "VERNIER_TRIAL", number, TRUE);

  run->process = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) argv,
                                               &local_error);

  /* The child wrote its pid before exec, and spawning returns after exec:
   * this read does not wait. */
  g_close (pid_pipe[1], NULL);
  n = read (pid_pipe[0], &pid, sizeof pid);
  g_close (pid_pipe[0], NULL);

  if (run->process == NULL)
    {
      /* No such program (it came from a placeholder): every trial would
       * fail alike, so it is a configuration error. */
      g_set_error (error, VERNIER_ERROR,
                   g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT) ||
                   g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_ACCES)
                     ? VERNIER_ERROR_INVALID_CONFIG : VERNIER_ERROR_TRAINING_FAILED,
                   "trial %u: cannot run `%s` in %s: %s",
                   run->number, run->program, plan->workdir,
                   local_error->message);
      return FALSE;
    }

  if (n == sizeof pid && pid > 0)
    run->pid = pid;
  else if (g_subprocess_get_identifier (run->process) != NULL)
    run->pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (run->process), NULL, 10);

  return TRUE;
}

static void
vernier_command_trainer_train_async (VernierTrainer      *trainer,
                                     VernierTrial        *trial,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  VernierCommandTrainer *self = VERNIER_COMMAND_TRAINER (trainer);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  Run *run;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vernier_command_trainer_train_async);
  g_task_set_name (task, "[vernier-command] train");
  /* Cancellation is reported once the program is gone, with details. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->plan == NULL)
    {
      g_task_return_new_error (task, VERNIER_ERROR, VERNIER_ERROR_INTERNAL,
                               "trial %u: the command trainer was used before "
                               "vernier_trainer_prepare()",
                               vernier_trial_get_number (trial));
      return;
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "trial %u: cancelled before it started",
                               vernier_trial_get_number (trial));
      return;
    }

  run = g_new0 (Run, 1);
  run->plan = g_atomic_rc_box_acquire (self->plan);
  run->trial = g_object_ref (trial);
  run->number = vernier_trial_get_number (trial);
  g_task_set_task_data (task, run, run_free);

  argv = vernier_command_template_expand (run->plan->argv,
                                          vernier_trial_get_params (trial),
                                          run->plan->space, &error);
  if (argv == NULL)
    {
      g_task_return_new_error (task, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                               "trial %u: %s", run->number, error->message);
      return;
    }
  run->program = g_strdup (argv[0]);

  if (!run_spawn (run, argv, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  run->io_cancellable = g_cancellable_new ();
  run->output = vernier_command_output_new (run->plan->rules, trial);
  run->stdout_buffer = g_malloc (READ_CHUNK_SIZE);
  run->stderr_buffer = g_malloc (READ_CHUNK_SIZE);
  run->stderr_tail = g_byte_array_sized_new (MIN (run->plan->stderr_tail, READ_CHUNK_SIZE));

  g_subprocess_wait_async (run->process, NULL, on_wait, g_object_ref (task));
  read_stdout (task);
  read_stderr (task);

  if (cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (run->cancel_source, "[vernier-command] cancelled");
      g_source_set_callback (run->cancel_source,
                             (GSourceFunc) (void (*) (void)) on_cancelled,
                             task, NULL);
      g_source_attach (run->cancel_source, g_task_get_context (task));
    }
}

static gboolean
vernier_command_trainer_train_finish (VernierTrainer  *trainer,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, trainer), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        vernier_command_trainer_train_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
vernier_command_trainer_prepare (VernierTrainer  *trainer,
                                 VernierContext  *context,
                                 GError         **error)
{
  VernierCommandTrainer *self = VERNIER_COMMAND_TRAINER (trainer);
  g_autoptr(Plan) plan = NULL;
  VernierSpace *space;

  plan = g_atomic_rc_box_new0 (Plan);
  plan->kill_grace = self->kill_grace;
  plan->stderr_tail = self->stderr_tail;
  plan->objective = g_strdup (vernier_objective_get_name (vernier_context_get_objective (context)));

  plan->argv = vernier_command_template_new ((const gchar * const *) self->argv, error);
  if (plan->argv == NULL)
    return FALSE;

  space = vernier_context_get_space (context);
  if (space != NULL)
    {
      if (!vernier_command_template_check_space (plan->argv, space, error))
        return FALSE;
      plan->space = g_object_ref (space);
    }

  if (self->workdir != NULL && self->workdir[0] != '\0')
    plan->workdir = vernier_context_resolve_path (context, self->workdir);
  else if (vernier_context_get_base_dir (context) != NULL)
    plan->workdir = g_strdup (vernier_context_get_base_dir (context));
  else
    plan->workdir = g_get_current_dir ();
  if (!g_file_test (plan->workdir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                   "property 'workdir': %s is not a directory", plan->workdir);
      return FALSE;
    }

  /* A program named literally must exist now, not fail every trial. */
  if (self->argv != NULL && self->argv[0] != NULL && strchr (self->argv[0], '{') == NULL)
    {
      const gchar *program = self->argv[0];
      g_autofree gchar *found = NULL;

      if (strchr (program, '/') != NULL)
        {
          g_autofree gchar *path = g_canonicalize_filename (program, plan->workdir);

          if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) &&
              !g_file_test (path, G_FILE_TEST_IS_DIR))
            found = g_steal_pointer (&path);
        }
      else
        found = g_find_program_in_path (program);

      if (found == NULL)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "property 'argv': program '%s' %s", program,
                       strchr (program, '/') != NULL
                         ? "is not an executable file (relative paths start from the working directory)"
                         : "is not in PATH");
          if (strchr (program, '/') != NULL)
            g_prefix_error (error, "%s: ", plan->workdir);
          return FALSE;
        }
    }

  for (guint i = 0; self->env != NULL && self->env[i] != NULL; i++)
    {
      const gchar *equal = strchr (self->env[i], '=');

      if (equal == NULL || equal == self->env[i])
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_INVALID_CONFIG,
                       "property 'env': '%s' is not of the form KEY=VALUE",
                       self->env[i]);
          return FALSE;
        }
    }
  plan->env = g_strdupv (self->env);

  if (self->regex != NULL && self->regex[0] != '\0')
    plan->regex = g_strdup (self->regex);
  plan->rules = vernier_command_output_rules_new (plan->objective, plan->regex,
                                                  self->max_output_line,
                                                  self->max_reports, error);
  if (plan->rules == NULL)
    return FALSE;

  g_clear_pointer (&self->plan, plan_release);
  self->plan = g_steal_pointer (&plan);
  return TRUE;
}

static void
trainer_iface_init (VernierTrainerInterface *iface)
{
  iface->prepare = vernier_command_trainer_prepare;
  iface->train_async = vernier_command_trainer_train_async;
  iface->train_finish = vernier_command_trainer_train_finish;
}

static void
vernier_command_trainer_finalize (GObject *object)
{
  VernierCommandTrainer *self = VERNIER_COMMAND_TRAINER (object);

  g_strfreev (self->argv);
  g_free (self->workdir);
  g_strfreev (self->env);
  g_free (self->regex);
  g_clear_pointer (&self->plan, plan_release);

  G_OBJECT_CLASS (vernier_command_trainer_parent_class)->finalize (object);
}

static void
vernier_command_trainer_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  VernierCommandTrainer *self = VERNIER_COMMAND_TRAINER (object);

  switch (prop_id)
    {
    case PROP_ARGV:
      g_value_set_boxed (value, self->argv);
      break;
    case PROP_WORKDIR:
      g_value_set_string (value, self->workdir);
      break;
    case PROP_ENV:
      g_value_set_boxed (value, self->env);
      break;
    case PROP_REGEX:
      g_value_set_string (value, self->regex);
      break;
    case PROP_KILL_GRACE:
      g_value_set_int64 (value, self->kill_grace);
      break;
    case PROP_MAX_OUTPUT_LINE:
      g_value_set_uint (value, self->max_output_line);
      break;
    case PROP_STDERR_TAIL:
      g_value_set_uint (value, self->stderr_tail);
      break;
    case PROP_MAX_REPORTS:
      g_value_set_uint (value, self->max_reports);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_command_trainer_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  VernierCommandTrainer *self = VERNIER_COMMAND_TRAINER (object);

  switch (prop_id)
    {
    case PROP_ARGV:
      g_strfreev (self->argv);
      self->argv = g_value_dup_boxed (value);
      break;
    case PROP_WORKDIR:
      g_free (self->workdir);
      self->workdir = g_value_dup_string (value);
      break;
    case PROP_ENV:
      g_strfreev (self->env);
      self->env = g_value_dup_boxed (value);
      break;
    case PROP_REGEX:
      g_free (self->regex);
      self->regex = g_value_dup_string (value);
      break;
    case PROP_KILL_GRACE:
      self->kill_grace = g_value_get_int64 (value);
      break;
    case PROP_MAX_OUTPUT_LINE:
      self->max_output_line = g_value_get_uint (value);
      break;
    case PROP_STDERR_TAIL:
      self->stderr_tail = g_value_get_uint (value);
      break;
    case PROP_MAX_REPORTS:
      self->max_reports = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vernier_command_trainer_class_init (VernierCommandTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vernier_command_trainer_finalize;
  object_class->get_property = vernier_command_trainer_get_property;
  object_class->set_property = vernier_command_trainer_set_property;

  /**
   * VernierCommandTrainer:argv:
   *
   * The program and its arguments, one element each, run without a shell.
   * `{name}` in an element is replaced by the value of parameter `name`
   * (a string as it is, a number as JSON writes it, other values as
   * compact JSON); `{{` and `}}` are literal braces. A program name
   * without a slash is looked up in `PATH`; a relative path is relative
   * to #VernierCommandTrainer:workdir.
   */
  properties[PROP_ARGV] =
    g_param_spec_boxed ("argv", "Command line",
                        "The program and its arguments, one element each, "
                        "run without a shell; {name} is replaced by the "
                        "value of parameter name, {{ and }} are literal braces",
                        G_TYPE_STRV, flags);

  /**
   * VernierCommandTrainer:workdir:
   *
   * The directory the program runs in; a relative path is relative to the
   * study file's directory, which is also the default.
   */
  properties[PROP_WORKDIR] =
    g_param_spec_string ("workdir", "Working directory",
                         "The directory the program runs in, relative to "
                         "the study file's directory (default: that directory)",
                         NULL, flags);

  /**
   * VernierCommandTrainer:env:
   *
   * `KEY=VALUE` pairs added to the environment the program inherits.
   * `VERNIER_PARAMS` (the parameters as JSON) and `VERNIER_TRIAL` (the
   * trial's number) are always set.
   */
  properties[PROP_ENV] =
    g_param_spec_boxed ("env", "Environment",
                        "KEY=VALUE pairs added to the inherited environment "
                        "(VERNIER_PARAMS and VERNIER_TRIAL are always set)",
                        G_TYPE_STRV, flags);

  /**
   * VernierCommandTrainer:regex:
   *
   * A regular expression (GRegex syntax) with one capture group, or a
   * group named `value`, that captures the final objective value in a
   * line of standard output. The last match wins.
   */
  properties[PROP_REGEX] =
    g_param_spec_string ("regex", "Value pattern",
                         "A regular expression with one capture group, or a "
                         "group named value, capturing the objective value "
                         "in a line of output; the last match wins",
                         NULL, flags);

  /**
   * VernierCommandTrainer:kill-grace:
   *
   * When a trial is cancelled, the time between SIGTERM and SIGKILL to the
   * program's process group, in microseconds.
   */
  properties[PROP_KILL_GRACE] =
    vernier_param_spec_duration ("kill-grace", "Kill grace period",
                                 "Time between SIGTERM and SIGKILL when a "
                                 "trial is cancelled (a duration: 500ms, 5s)",
                                 0, MAX_KILL_GRACE, DEFAULT_KILL_GRACE, flags);

  /**
   * VernierCommandTrainer:max-output-line:
   *
   * The longest line of standard output read, in bytes; a longer line is
   * skipped, never kept whole in memory.
   */
  properties[PROP_MAX_OUTPUT_LINE] =
    g_param_spec_uint ("max-output-line", "Longest output line",
                       "The longest line of standard output read, in bytes; "
                       "longer lines are skipped",
                       MIN_MAX_OUTPUT_LINE, MAX_MAX_OUTPUT_LINE,
                       DEFAULT_MAX_OUTPUT_LINE, flags);

  /**
   * VernierCommandTrainer:stderr-tail:
   *
   * How many of the last bytes of standard error are kept for the error
   * message of a failed trial.
   */
  properties[PROP_STDERR_TAIL] =
    g_param_spec_uint ("stderr-tail", "Standard error tail",
                       "How many of the last bytes of standard error are "
                       "kept for the error message of a failed trial",
                       0, MAX_STDERR_TAIL, DEFAULT_STDERR_TAIL, flags);

  /**
   * VernierCommandTrainer:max-reports:
   *
   * The most intermediate values (steps) kept for one trial: a program
   * that prints a step per line for hours keeps bounded memory. Later
   * steps are counted in the trial's `dropped-reports` attribute.
   */
  properties[PROP_MAX_REPORTS] =
    g_param_spec_uint ("max-reports", "Most intermediate values",
                       "The most intermediate values (steps) kept per trial; "
                       "later ones are dropped and counted",
                       1, G_MAXUINT, DEFAULT_MAX_REPORTS, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vernier_command_trainer_class_finalize (VernierCommandTrainerClass *klass)
{
}

static void
vernier_command_trainer_init (VernierCommandTrainer *self)
{
}

static gboolean
command_plugin_register (GTypeModule  *module,
                         GError      **error)
{
  vernier_command_trainer_register_type (module);
  vernier_plugin_provide (module, "command", VERNIER_TYPE_COMMAND_TRAINER);
  return TRUE;
}

VERNIER_PLUGIN_DEFINE ("command",
                       "Runs a program per trial (no shell) and reads the "
                       "objective from its output",
                       command_plugin_register)
