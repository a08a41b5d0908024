#include "config.h"

#include "vernier-error.h"
#include "vernier-storage.h"
#include "vernier-utils.h"

/**
 * VernierStorage:
 *
 * Where a study's trials live: created and claimed, updated at every state
 * change, loaded back to resume, and shared by workers on many machines.
 *
 * The contract every storage honours:
 *
 * - Each method is one atomic step: either all of it happens, or none and
 *   an error in the %VERNIER_ERROR domain (%VERNIER_ERROR_STORAGE for a
 *   failure of the store itself) says why, naming the store (its file or
 *   server).
 * - Trial numbers start at 0 and are unique within a study; a trial keeps
 *   its number. Numbers are handed out by the storage, never by a worker.
 * - A trial that *counts* towards the budget is any trial that is not
 *   WAITING and not lost (vernier_storage_record_counts()).
 * - When a call returns, what it wrote is durable against the crash of the
 *   process.
 */
G_DEFINE_INTERFACE (VernierStorage, vernier_storage, G_TYPE_OBJECT)

static void
vernier_storage_default_init (VernierStorageInterface *iface)
{
}

#define CHECK_VFUNC(iface, name, ret)                                        \
  G_STMT_START {                                                             \
    if ((iface)->name == NULL)                                               \
      {                                                                      \
        g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,            \
                     "storage %s does not implement %s",                     \
                     G_OBJECT_TYPE_NAME (self), #name);                      \
        return ret;                                                          \
      }                                                                      \
  } G_STMT_END

/**
 * vernier_storage_open:
 * @self: a #VernierStorage
 * @context: the study: its name, and its directory for relative paths
 * @description: what identifies the study's trials as comparable: its
 *   search space and objective, as canonical text
 * @create: whether to create the study when it does not exist
 * @stored_description: (out) (transfer full) (optional): the description
 *   the study was created with
 * @error: return location for a #GError
 *
 * Opens the study named by @context, creating the store's schema when the
 * store is new. A store written by a newer Vernier (a schema version above
 * %VERNIER_STORAGE_SCHEMA_VERSION) is refused with
 * %VERNIER_ERROR_STORAGE. When the study does not exist, it is created
 * with @description if @create is %TRUE, else this fails with
 * %VERNIER_ERROR_STORAGE. The storage does not compare descriptions: the
 * engine does, with @stored_description. Every other method works on the
 * study opened here.
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_storage_open (VernierStorage  *self,
                      VernierContext  *context,
                      const gchar     *description,
                      gboolean         create,
                      gchar          **stored_description,
                      GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), FALSE);
  g_return_val_if_fail (VERNIER_IS_CONTEXT (context), FALSE);
  g_return_val_if_fail (description != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, open, FALSE);
  return iface->open (self, context, description, create, stored_description, error);
}

/**
 * vernier_storage_add_worker:
 * @self: a #VernierStorage
 * @host: the worker's host name
 * @pid: the worker's process id
 * @error: return location for a #GError
 *
 * Registers a worker: a process that runs trials of the study. Its
 * heartbeat starts now.
 *
 * Returns: the worker's id, at least 1 and never given to another worker
 *   of the study; 0 on error
 */
guint
vernier_storage_add_worker (VernierStorage  *self,
                            const gchar     *host,
                            gint64           pid,
                            GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), 0);
  g_return_val_if_fail (host != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, add_worker, 0);
  return iface->add_worker (self, host, pid, error);
}

/**
 * vernier_storage_load:
 * @self: a #VernierStorage
 * @error: return location for a #GError
 *
 * Reads every trial of the study, whatever its state.
 *
 * Returns: (transfer full): the records (JSON objects), by number; %NULL
 *   on error
 */
JsonArray *
vernier_storage_load (VernierStorage  *self,
                      GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, load, NULL);
  return iface->load (self, error);
}

/**
 * vernier_storage_claim:
 * @self: a #VernierStorage
 * @worker: the claiming worker's id
 * @proposal: (nullable): parameters a tuner suggested
 * @unique: whether @proposal must not run if the study has a trial with
 *   the same parameters (a grid point)
 * @budget: how many trials may count towards the budget, 0 for no limit
 * @record: (out) (transfer full) (optional): the record of the trial
 *   handed out, RUNNING
 * @error: return location for a #GError
 *
 * Hands out the next trial to @worker, atomically with respect to every
 * other worker of the study, in this order:
 *
 * 1. when @budget is not 0 and as many trials count as @budget, nothing
 *    happens: %VERNIER_CLAIM_SPENT;
 * 2. the WAITING trial of lowest number, if any, becomes RUNNING for the
 *    worker @worker: %VERNIER_CLAIM_DEQUEUED (the proposal is not used);
 * 3. without a proposal: %VERNIER_CLAIM_EMPTY;
 * 4. when @unique is %TRUE and a trial that is not lost has parameters
 *    equal to @proposal (vernier_storage_record_key()):
 *    %VERNIER_CLAIM_DUPLICATE;
 * 5. else a new trial numbered one above the highest number of the study
 *    (0 for the first), with @proposal as parameters, RUNNING for @worker:
 *    %VERNIER_CLAIM_STARTED.
 *
 * A claimed trial's record has `number`, `state` (`running`), `params`,
 * `start` (now) and `worker`, and keeps `retry-of` if it had one.
 *
 * Returns: what happened; %VERNIER_CLAIM_EMPTY with @error set on error
 */
VernierClaim
vernier_storage_claim (VernierStorage  *self,
                       guint            worker,
                       JsonObject      *proposal,
                       gboolean         unique,
                       guint            budget,
                       JsonObject     **record,
                       GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), VERNIER_CLAIM_EMPTY);
  g_return_val_if_fail (error == NULL || *error == NULL, VERNIER_CLAIM_EMPTY);

  if (record != NULL)
    *record = NULL;
  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, claim, VERNIER_CLAIM_EMPTY);
  return iface->claim (self, worker, proposal, unique, budget, record, error);
}

/**
 * vernier_storage_update:
 * @self: a #VernierStorage
 * @worker: the id of the worker running the trial
 * @record: the trial's whole record, in its new state
 *
 * Records a trial's new state (its `number` names it), replacing its
 * record. Only the worker the trial was handed to may update it while it
 * is RUNNING: when the trial was taken over meanwhile
 * (vernier_storage_take_over()), nothing is written and this fails with
 * %VERNIER_ERROR_STORAGE.
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_storage_update (VernierStorage  *self,
                        guint            worker,
                        JsonObject      *record,
                        GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, update, FALSE);
  return iface->update (self, worker, record, error);
}

/**
 * vernier_storage_release:
 * @self: a #VernierStorage
 * @worker: the id of the worker the trial was handed to
 * @number: the trial
 * @error: return location for a #GError
 *
 * Gives back a trial that @worker claimed but will not run (the study was
 * stopped meanwhile): it is WAITING again, first in line for the next
 * claim. A trial no longer RUNNING for @worker is left alone.
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_storage_release (VernierStorage  *self,
                         guint            worker,
                         guint            number,
                         GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, release, FALSE);
  return iface->release (self, worker, number, error);
}

/**
 * vernier_storage_heartbeat:
 * @self: a #VernierStorage
 * @worker: a worker's id
 * @error: return location for a #GError
 *
 * Records that @worker is alive now (wall-clock time).
 *
 * Returns: %TRUE on success
 */
gboolean
vernier_storage_heartbeat (VernierStorage  *self,
                           guint            worker,
                           GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, heartbeat, FALSE);
  return iface->heartbeat (self, worker, error);
}

/**
 * vernier_storage_list_running:
 * @self: a #VernierStorage
 * @error: return location for a #GError
 *
 * Lists the RUNNING trials of the study with their workers, so that the
 * engine can tell which workers died: one JSON object per trial with
 * `number`, `worker`, `host`, `pid` and `heartbeat` (the worker's last
 * heartbeat, in microseconds since the Unix epoch).
 *
 * Returns: (transfer full): the list, by number; %NULL on error
 */
JsonArray *
vernier_storage_list_running (VernierStorage  *self,
                              GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, list_running, NULL);
  return iface->list_running (self, error);
}

/**
 * vernier_storage_take_over:
 * @self: a #VernierStorage
 * @number: a RUNNING trial
 * @heartbeat: its worker's heartbeat as vernier_storage_list_running()
 *   gave it
 * @message: why the trial is lost, for its `error`
 * @retry: whether to re-queue its parameters
 * @error: return location for a #GError
 *
 * Takes over the trial of a worker that died, atomically: only if the
 * trial is still RUNNING and its worker's heartbeat is still @heartbeat
 * (the worker did not come back and nobody else took the trial over), the
 * trial becomes FAILED with `lost` set, @message as its `error` and an
 * `end` time, and, if @retry, a new WAITING trial (the next number) gets
 * the same parameters and `retry-of` set to @number.
 *
 * Returns: %TRUE if the trial was taken over; %FALSE with @error unset if
 *   the condition did not hold, with @error set on error
 */
gboolean
vernier_storage_take_over (VernierStorage  *self,
                           guint            number,
                           gint64           heartbeat,
                           const gchar     *message,
                           gboolean         retry,
                           GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, take_over, FALSE);
  return iface->take_over (self, number, heartbeat, message, retry, error);
}

/**
 * vernier_storage_enqueue:
 * @self: a #VernierStorage
 * @params: known parameters
 * @error: return location for a #GError
 *
 * Adds a WAITING trial with @params, numbered one above the highest
 * number of the study. The next claims take WAITING trials first.
 *
 * Returns: the new trial's number, or %G_MAXUINT on error
 */
guint
vernier_storage_enqueue (VernierStorage  *self,
                         JsonObject      *params,
                         GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), G_MAXUINT);
  g_return_val_if_fail (params != NULL, G_MAXUINT);
  g_return_val_if_fail (error == NULL || *error == NULL, G_MAXUINT);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, enqueue, G_MAXUINT);
  return iface->enqueue (self, params, error);
}

/**
 * vernier_storage_finished_since:
 * @self: a #VernierStorage
 * @worker: the asking worker's id
 * @since: the lowest trial number wanted
 * @error: return location for a #GError
 *
 * The finished trials (complete, pruned, failed, timed out, lost ones
 * included) numbered @since or above that were run by other workers than
 * the worker @worker: what its tuners have not been told yet.
 *
 * Returns: (transfer full): their records, by number; %NULL on error
 */
JsonArray *
vernier_storage_finished_since (VernierStorage  *self,
                                guint            worker,
                                guint            since,
                                GError         **error)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  CHECK_VFUNC (iface, finished_since, NULL);
  return iface->finished_since (self, worker, since, error);
}

/**
 * vernier_storage_is_blocking:
 * @self: a #VernierStorage
 *
 * Whether the storage's calls may block (on a disk or a network). The
 * engine calls a blocking storage from a thread of its own, and a
 * non-blocking one (kept in memory) directly from the main loop. Storages
 * that do not say are blocking.
 *
 * Returns: %TRUE if calls may block
 */
gboolean
vernier_storage_is_blocking (VernierStorage *self)
{
  VernierStorageInterface *iface;

  g_return_val_if_fail (VERNIER_IS_STORAGE (self), TRUE);

  iface = VERNIER_STORAGE_GET_IFACE (self);
  return iface->is_blocking == NULL || iface->is_blocking (self);
}

/**
 * vernier_storage_record_counts:
 * @record: a trial record
 *
 * Whether a trial counts towards a study's budget: every trial that is
 * not WAITING and not lost (a lost trial's parameters run again).
 *
 * Returns: %TRUE if it counts
 */
gboolean
vernier_storage_record_counts (JsonObject *record)
{
  const gchar *state;

  g_return_val_if_fail (record != NULL, FALSE);

  state = json_object_get_string_member_with_default (record, "state", "waiting");
  if (g_strcmp0 (state, "waiting") == 0)
    return FALSE;
  return !json_object_get_boolean_member_with_default (record, "lost", FALSE);
}

/**
 * vernier_storage_record_key:
 * @params: parameters
 *
 * The text that compares equal for equal parameters (members sorted,
 * numbers written exactly): what a storage indexes to find duplicates.
 *
 * Returns: (transfer full): the key
 */
gchar *
vernier_storage_record_key (JsonObject *params)
{
  g_return_val_if_fail (params != NULL, NULL);
  return vernier_json_object_canonical (params);
}

static void
set_now (JsonObject  *record,
         const gchar *member)
{
  g_autofree gchar *text = vernier_format_time (g_get_real_time ());

  json_object_set_string_member (record, member, text);
}

/**
 * vernier_storage_record_mark_claimed:
 * @record: a trial record
 * @worker: the worker it is handed to
 *
 * Makes @record what a claim hands out: `state` running, `start` now,
 * `worker` set.
 */
void
vernier_storage_record_mark_claimed (JsonObject *record,
                                     guint       worker)
{
  g_return_if_fail (record != NULL);

  json_object_set_string_member (record, "state", "running");
  set_now (record, "start");
  json_object_set_int_member (record, "worker", worker);
}

/**
 * vernier_storage_record_mark_lost:
 * @record: the record of a RUNNING trial
 * @message: why it is lost
 *
 * Makes @record what vernier_storage_take_over() stores: `state` failed,
 * `lost`, @message as its `error`, `end` now.
 */
void
vernier_storage_record_mark_lost (JsonObject  *record,
                                  const gchar *message)
{
  g_return_if_fail (record != NULL);
  g_return_if_fail (message != NULL);

  json_object_set_string_member (record, "state", "failed");
  json_object_set_boolean_member (record, "lost", TRUE);
  json_object_set_string_member (record, "error", message);
  set_now (record, "end");
}
