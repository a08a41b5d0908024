#include "config.h"

#include "vernier-storage-queue.h"

/**
 * VernierStorageQueue:
 *
 * Runs a study's storage calls in order, off the main loop. A job is two
 * halves: `run` calls the storage (on the queue's own thread when the
 * storage may block, so that a slow disk or a distant database never
 * stalls running trials) and `done` continues on the main context the
 * queue was made for. Jobs run one at a time, in the order they were
 * pushed, and their `done` halves follow in the same order. A non-blocking
 * storage (in memory) runs both halves at once in the caller, which keeps
 * a study without persistence as fast as before.
 */

typedef struct
{
  VernierStorageQueue   *queue;   /* strong */
  VernierStorageJobFunc  run;
  GFunc                  done;
  gpointer               data;
} Job;

struct _VernierStorageQueue
{
  GObject         parent_instance;

  VernierStorage *storage;
  GMainContext   *context;
  GThread        *thread;     /* one thread of its own: jobs in order */
  GAsyncQueue    *jobs;       /* Job*, for the thread */
  gboolean        blocking;

  GMutex          lock;
  GQueue          finished;   /* Job*, under lock */
  GSource        *dispatch;   /* under lock */
  guint           n_pending;  /* main context only */
};

G_DEFINE_FINAL_TYPE (VernierStorageQueue, vernier_storage_queue, G_TYPE_OBJECT)

/* Pushed last: the thread ends. */
static Job stop_job;

static void
vernier_storage_queue_finalize (GObject *object)
{
  VernierStorageQueue *self = VERNIER_STORAGE_QUEUE (object);

  /* Every job holds a reference: nothing is pending or running here.
   * The thread is joined, so that none outlives its study (a process
   * that exits finds no thread of a study half-way through ending). */
  if (self->thread != NULL)
    {
      g_async_queue_push (self->jobs, &stop_job);
      g_thread_join (self->thread);
      g_async_queue_unref (self->jobs);
    }
  g_clear_object (&self->storage);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (vernier_storage_queue_parent_class)->finalize (object);
}

static void
vernier_storage_queue_class_init (VernierStorageQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vernier_storage_queue_finalize;
}

static void
vernier_storage_queue_init (VernierStorageQueue *self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->finished);
}

static void
finish_job (Job *job)
{
  VernierStorageQueue *self = job->queue;

  self->n_pending--;
  if (job->done != NULL)
    job->done (job->data, self);
  g_object_unref (self);
  g_free (job);
}

static gboolean
dispatch_finished (gpointer data)
{
  VernierStorageQueue *self = g_object_ref (data);

  for (;;)
    {
      Job *job;

      g_mutex_lock (&self->lock);
      job = g_queue_pop_head (&self->finished);
      if (job == NULL)
        g_clear_pointer (&self->dispatch, g_source_unref);
      g_mutex_unlock (&self->lock);
      if (job == NULL)
        break;
      finish_job (job);
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
run_job (Job *job)
{
  VernierStorageQueue *self = job->queue;

  job->run (self->storage, job->data);

  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->finished, job);
  if (self->dispatch == NULL)
    {
      self->dispatch = g_idle_source_new ();
      g_source_set_priority (self->dispatch, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->dispatch, dispatch_finished, self, NULL);
      g_source_attach (self->dispatch, self->context);
    }
  g_mutex_unlock (&self->lock);
}

static gpointer
queue_thread (gpointer data)
{
  GAsyncQueue *jobs = data;
  Job *job;

  while ((job = g_async_queue_pop (jobs)) != &stop_job)
    run_job (job);
  return NULL;
}

/**
 * vernier_storage_queue_new:
 * @storage: a storage
 * @context: (nullable): the main context where jobs' `done` halves run,
 *   %NULL for the thread-default one
 *
 * Returns: (transfer full): a new queue
 */
VernierStorageQueue *
vernier_storage_queue_new (VernierStorage *storage,
                           GMainContext   *context)
{
  VernierStorageQueue *self;

  g_return_val_if_fail (VERNIER_IS_STORAGE (storage), NULL);

  self = g_object_new (VERNIER_TYPE_STORAGE_QUEUE, NULL);
  self->storage = g_object_ref (storage);
  self->context = context != NULL ? g_main_context_ref (context)
                                  : g_main_context_ref_thread_default ();
  self->blocking = vernier_storage_is_blocking (storage);
  if (self->blocking)
    {
      self->jobs = g_async_queue_new ();
      self->thread = g_thread_new ("vernier-storage", queue_thread, self->jobs);
    }
  return self;
}

/**
 * vernier_storage_queue_get_storage:
 * @self: a #VernierStorageQueue
 *
 * Returns: (transfer none): the storage
 */
VernierStorage *
vernier_storage_queue_get_storage (VernierStorageQueue *self)
{
  g_return_val_if_fail (VERNIER_IS_STORAGE_QUEUE (self), NULL);
  return self->storage;
}

/**
 * vernier_storage_queue_push:
 * @self: a #VernierStorageQueue
 * @run: (scope async): calls the storage
 * @done: (scope async) (nullable): called on the queue's main context after
 *   @run, with @data and the queue
 * @data: the job's data, owned by the job's halves
 *
 * Queues a job. For a non-blocking storage both halves run before this
 * returns.
 */
void
vernier_storage_queue_push (VernierStorageQueue   *self,
                            VernierStorageJobFunc  run,
                            GFunc                  done,
                            gpointer               data)
{
  Job *job;

  g_return_if_fail (VERNIER_IS_STORAGE_QUEUE (self));
  g_return_if_fail (run != NULL);

  job = g_new0 (Job, 1);
  job->queue = g_object_ref (self);
  job->run = run;
  job->done = done;
  job->data = data;
  self->n_pending++;

  if (!self->blocking)
    {
      run (self->storage, data);
      finish_job (job);
      return;
    }
  g_async_queue_push (self->jobs, job);
}

/**
 * vernier_storage_queue_get_n_pending:
 * @self: a #VernierStorageQueue
 *
 * Returns: how many jobs have not finished their `done` half
 */
guint
vernier_storage_queue_get_n_pending (VernierStorageQueue *self)
{
  g_return_val_if_fail (VERNIER_IS_STORAGE_QUEUE (self), 0);
  return self->n_pending;
}
