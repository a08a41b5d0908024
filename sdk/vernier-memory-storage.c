#include "config.h"

#include "vernier-error.h"
#include "vernier-memory-storage.h"
#include "vernier-utils.h"

/**
 * VernierMemoryStorage:
 *
 * A #VernierStorage that keeps the study in memory: nothing survives the
 * process. It is what a study uses when it is given no storage, what
 * `storage=memory` selects, and the reference for the storage contract.
 * Its calls never block, so the engine makes them from the main loop.
 */

typedef struct
{
  gchar  *host;
  gint64  pid;
  gint64  heartbeat;
} Worker;

struct _VernierMemoryStorage
{
  GObject     parent_instance;

  gchar      *description;
  GPtrArray  *records;     /* JsonObject*, index == number */
  GHashTable *keys;        /* canonical params → count of live trials */
  GArray     *workers;     /* Worker, index == id - 1 */
  GQueue      waiting;     /* numbers of WAITING trials, ascending */
  gboolean    indexed;     /* keys is built: only once a claim is unique */
  guint       n_counted;
};

static void storage_iface_init (VernierStorageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VernierMemoryStorage, vernier_memory_storage, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VERNIER_TYPE_STORAGE, storage_iface_init))

static void
worker_clear (gpointer data)
{
  g_free (((Worker *) data)->host);
}

static void
vernier_memory_storage_finalize (GObject *object)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (object);

  g_free (self->description);
  g_ptr_array_unref (self->records);
  g_hash_table_unref (self->keys);
  g_array_unref (self->workers);
  g_queue_clear (&self->waiting);

  G_OBJECT_CLASS (vernier_memory_storage_parent_class)->finalize (object);
}

static void
vernier_memory_storage_class_init (VernierMemoryStorageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vernier_memory_storage_finalize;
}

static void
vernier_memory_storage_init (VernierMemoryStorage *self)
{
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->workers = g_array_new (FALSE, TRUE, sizeof (Worker));
  g_array_set_clear_func (self->workers, worker_clear);
  g_queue_init (&self->waiting);
}

/**
 * vernier_memory_storage_new:
 *
 * Creates an empty in-memory storage.
 *
 * Returns: (transfer full): a new #VernierStorage
 */
VernierStorage *
vernier_memory_storage_new (void)
{
  return g_object_new (VERNIER_TYPE_MEMORY_STORAGE, NULL);
}

/* Records are never modified once stored (a change stores a new one), so
 * a new record shares the members of the old: only the top level is
 * copied. */
static JsonObject *
shallow_copy (JsonObject *object)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const gchar *name;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (copy, name, json_node_ref (node));
  return copy;
}


static const gchar *
record_state (JsonObject *record)
{
  return json_object_get_string_member_with_default (record, "state", "waiting");
}

static gboolean
record_is_finished (JsonObject *record)
{
  const gchar *state = record_state (record);

  return g_strcmp0 (state, "waiting") != 0 && g_strcmp0 (state, "running") != 0;
}

static gboolean
record_is_live (JsonObject *record)
{
  return !json_object_get_boolean_member_with_default (record, "lost", FALSE);
}

static gint
compare_numbers (gconstpointer a,
                 gconstpointer b,
                 gpointer      data)
{
  return GPOINTER_TO_INT (a) - GPOINTER_TO_INT (b);
}

/* Keeps the count of trials that count, the queue of WAITING trials and
 * the index of live parameters in step with a record entering (+1) or
 * leaving (-1) the study. */
static void
account (VernierMemoryStorage *self,
         JsonObject           *record,
         gint                  sign)
{
  JsonObject *params = json_object_get_object_member (record, "params");
  gint number = json_object_get_int_member (record, "number");
  g_autofree gchar *key = NULL;
  guint count;

  if (vernier_storage_record_counts (record))
    self->n_counted += sign;
  if (g_strcmp0 (record_state (record), "waiting") == 0)
    {
      if (sign > 0)
        g_queue_insert_sorted (&self->waiting, GINT_TO_POINTER (number), compare_numbers, NULL);
      else
        g_queue_remove (&self->waiting, GINT_TO_POINTER (number));
    }
  if (!self->indexed || params == NULL || !record_is_live (record))
    return;

  key = vernier_storage_record_key (params);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->keys, key));
  if (sign > 0)
    g_hash_table_insert (self->keys, g_steal_pointer (&key), GUINT_TO_POINTER (count + 1));
  else if (count <= 1)
    g_hash_table_remove (self->keys, key);
  else
    g_hash_table_insert (self->keys, g_steal_pointer (&key), GUINT_TO_POINTER (count - 1));
}

/* A trial's new record: the parameters never change, so the index of
 * parameters is touched only when the trial turns lost. */
static void
replace_record (VernierMemoryStorage *self,
                guint                 number,
                JsonObject           *record)
{
  JsonObject *old = g_ptr_array_index (self->records, number);

  if (record_is_live (old) != record_is_live (record))
    {
      account (self, old, -1);
      account (self, record, +1);
    }
  else
    {
      gboolean was_waiting = g_strcmp0 (record_state (old), "waiting") == 0;
      gboolean is_waiting = g_strcmp0 (record_state (record), "waiting") == 0;

      self->n_counted += vernier_storage_record_counts (record) - vernier_storage_record_counts (old);
      if (was_waiting && !is_waiting)
        g_queue_remove (&self->waiting, GUINT_TO_POINTER (number));
      else if (!was_waiting && is_waiting)
        g_queue_insert_sorted (&self->waiting, GUINT_TO_POINTER (number), compare_numbers, NULL);
    }
  self->records->pdata[number] = json_object_ref (record);
  json_object_unref (old);
}

static JsonObject *
new_record (VernierMemoryStorage *self,
            JsonObject           *params,
            const gchar          *state)
{
  JsonObject *record = json_object_new ();

  json_object_set_int_member (record, "number", self->records->len);
  json_object_set_string_member (record, "state", state);
  json_object_set_object_member (record, "params", vernier_json_object_copy (params));
  g_ptr_array_add (self->records, record);
  account (self, record, +1);
  return record;
}

static gboolean
memory_open (VernierStorage  *storage,
             VernierContext  *context,
             const gchar     *description,
             gboolean         create,
             gchar          **stored_description,
             GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);

  if (self->description == NULL)
    {
      if (!create)
        {
          g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                       "no study '%s' in memory", vernier_context_get_study_name (context));
          return FALSE;
        }
      self->description = g_strdup (description);
    }
  if (stored_description != NULL)
    *stored_description = g_strdup (self->description);
  return TRUE;
}

static guint
memory_add_worker (VernierStorage  *storage,
                   const gchar     *host,
                   gint64           pid,
                   GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  Worker worker = { g_strdup (host), pid, g_get_real_time () };

  g_array_append_val (self->workers, worker);
  return self->workers->len;
}

static JsonArray *
memory_load (VernierStorage  *storage,
             GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  JsonArray *records = json_array_sized_new (self->records->len);

  for (guint i = 0; i < self->records->len; i++)
    json_array_add_object_element (records,
                                   vernier_json_object_copy (g_ptr_array_index (self->records, i)));
  return records;
}


static VernierClaim
memory_claim (VernierStorage  *storage,
              guint            worker,
              JsonObject      *proposal,
              gboolean         unique,
              guint            budget,
              JsonObject     **record,
              GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  JsonObject *claimed = NULL;
  VernierClaim result;

  if (budget > 0 && self->n_counted >= budget)
    return VERNIER_CLAIM_SPENT;

  if (!g_queue_is_empty (&self->waiting))
    {
      guint first = GPOINTER_TO_UINT (g_queue_peek_head (&self->waiting));
      g_autoptr(JsonObject) copy = shallow_copy (g_ptr_array_index (self->records, first));

      vernier_storage_record_mark_claimed (copy, worker);
      replace_record (self, first, copy);
      claimed = copy;
    }

  if (claimed != NULL)
    result = VERNIER_CLAIM_DEQUEUED;
  else if (proposal == NULL)
    return VERNIER_CLAIM_EMPTY;
  else
    {
      if (unique)
        {
          g_autofree gchar *key = vernier_storage_record_key (proposal);

          if (!self->indexed)
            {
              /* The index of parameters costs a text per trial: built
               * the first time a tuner needs it (a grid). */
              self->indexed = TRUE;
              for (guint i = 0; i < self->records->len; i++)
                {
                  JsonObject *each = g_ptr_array_index (self->records, i);
                  JsonObject *params = json_object_get_object_member (each, "params");
                  g_autofree gchar *each_key = NULL;
                  guint count;

                  if (params == NULL || !record_is_live (each))
                    continue;
                  each_key = vernier_storage_record_key (params);
                  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->keys, each_key));
                  g_hash_table_insert (self->keys, g_steal_pointer (&each_key), GUINT_TO_POINTER (count + 1));
                }
            }

          if (g_hash_table_contains (self->keys, key))
            return VERNIER_CLAIM_DUPLICATE;
        }
      claimed = json_object_new ();
      json_object_set_int_member (claimed, "number", self->records->len);
      /* Parameters are sealed once suggested (a trial's are): shared. */
      json_object_seal (proposal);
      json_object_set_object_member (claimed, "params", json_object_ref (proposal));
      vernier_storage_record_mark_claimed (claimed, worker);
      g_ptr_array_add (self->records, claimed);
      account (self, claimed, +1);
      result = VERNIER_CLAIM_STARTED;
    }

  if (record != NULL)
    *record = json_object_ref (claimed);
  return result;
}

static JsonObject *
owned_record (VernierMemoryStorage  *self,
              guint                  worker,
              gint64                 number,
              GError               **error)
{
  JsonObject *record;

  if (number < 0 || number >= self->records->len)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "trial %" G_GINT64_FORMAT " is not in the study", number);
      return NULL;
    }
  record = g_ptr_array_index (self->records, number);
  if (json_object_get_boolean_member_with_default (record, "lost", FALSE) ||
      (g_strcmp0 (record_state (record), "running") == 0 &&
       json_object_get_int_member_with_default (record, "worker", 0) != worker))
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "trial %" G_GINT64_FORMAT " was taken over by another worker", number);
      return NULL;
    }
  if (g_strcmp0 (record_state (record), "running") != 0)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "trial %" G_GINT64_FORMAT " is %s, not running", number,
                   record_state (record));
      return NULL;
    }
  return record;
}

static gboolean
memory_update (VernierStorage  *storage,
               guint            worker,
               JsonObject      *record,
               GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  gint64 number = json_object_get_int_member_with_default (record, "number", -1);
  g_autoptr(JsonObject) copy = NULL;

  if (owned_record (self, worker, number, error) == NULL)
    return FALSE;
  copy = shallow_copy (record);
  json_object_set_int_member (copy, "worker", worker);
  replace_record (self, number, copy);
  return TRUE;
}

static gboolean
memory_release (VernierStorage  *storage,
                guint            worker,
                guint            number,
                GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  JsonObject *record = owned_record (self, worker, number, NULL);
  g_autoptr(JsonObject) copy = NULL;

  if (record == NULL)
    return TRUE;
  copy = shallow_copy (record);
  json_object_set_string_member (copy, "state", "waiting");
  json_object_remove_member (copy, "start");
  json_object_remove_member (copy, "worker");
  replace_record (self, number, copy);
  return TRUE;
}

static gboolean
memory_heartbeat (VernierStorage  *storage,
                  guint            worker,
                  GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);

  if (worker == 0 || worker > self->workers->len)
    {
      g_set_error (error, VERNIER_ERROR, VERNIER_ERROR_STORAGE,
                   "worker %u is not registered", worker);
      return FALSE;
    }
  g_array_index (self->workers, Worker, worker - 1).heartbeat = g_get_real_time ();
  return TRUE;
}

static JsonArray *
memory_list_running (VernierStorage  *storage,
                     GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  JsonArray *running = json_array_new ();

  for (guint i = 0; i < self->records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (self->records, i);
      gint64 id = json_object_get_int_member_with_default (record, "worker", 0);
      JsonObject *entry;

      if (g_strcmp0 (record_state (record), "running") != 0)
        continue;
      entry = json_object_new ();
      json_object_set_int_member (entry, "number", i);
      json_object_set_int_member (entry, "worker", id);
      if (id >= 1 && id <= self->workers->len)
        {
          Worker *worker = &g_array_index (self->workers, Worker, id - 1);

          json_object_set_string_member (entry, "host", worker->host);
          json_object_set_int_member (entry, "pid", worker->pid);
          json_object_set_int_member (entry, "heartbeat", worker->heartbeat);
        }
      json_array_add_object_element (running, entry);
    }
  return running;
}

static gint64
worker_heartbeat (VernierMemoryStorage *self,
                  gint64                id)
{
  if (id >= 1 && id <= self->workers->len)
    return g_array_index (self->workers, Worker, id - 1).heartbeat;
  return 0;
}

static gboolean
memory_take_over (VernierStorage  *storage,
                  guint            number,
                  gint64           heartbeat,
                  const gchar     *message,
                  gboolean         retry,
                  GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  g_autoptr(JsonObject) lost = NULL;
  JsonObject *record;

  if (number >= self->records->len)
    return FALSE;
  record = g_ptr_array_index (self->records, number);
  if (g_strcmp0 (record_state (record), "running") != 0 ||
      worker_heartbeat (self, json_object_get_int_member_with_default (record, "worker", 0)) != heartbeat)
    return FALSE;

  lost = shallow_copy (record);
  vernier_storage_record_mark_lost (lost, message);
  replace_record (self, number, lost);

  if (retry)
    {
      JsonObject *again = new_record (self, json_object_get_object_member (lost, "params"), "waiting");

      json_object_set_int_member (again, "retry-of", number);
    }
  return TRUE;
}

static guint
memory_enqueue (VernierStorage  *storage,
                JsonObject      *params,
                GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);

  return json_object_get_int_member (new_record (self, params, "waiting"), "number");
}

static JsonArray *
memory_finished_since (VernierStorage  *storage,
                       guint            worker,
                       guint            since,
                       GError         **error)
{
  VernierMemoryStorage *self = VERNIER_MEMORY_STORAGE (storage);
  JsonArray *records = json_array_new ();

  for (guint i = since; i < self->records->len; i++)
    {
      JsonObject *record = g_ptr_array_index (self->records, i);

      if (record_is_finished (record) &&
          json_object_get_int_member_with_default (record, "worker", 0) != worker)
        json_array_add_object_element (records, vernier_json_object_copy (record));
    }
  return records;
}

static gboolean
memory_is_blocking (VernierStorage *storage)
{
  return FALSE;
}

static void
storage_iface_init (VernierStorageInterface *iface)
{
  iface->open = memory_open;
  iface->add_worker = memory_add_worker;
  iface->load = memory_load;
  iface->claim = memory_claim;
  iface->update = memory_update;
  iface->release = memory_release;
  iface->heartbeat = memory_heartbeat;
  iface->list_running = memory_list_running;
  iface->take_over = memory_take_over;
  iface->enqueue = memory_enqueue;
  iface->finished_since = memory_finished_since;
  iface->is_blocking = memory_is_blocking;
}
