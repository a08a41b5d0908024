#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierStorageJobFunc:
 * @storage: the storage
 * @data: the job's data
 *
 * The part of a job that calls the storage: on the queue's thread for a
 * blocking storage, else on the caller's.
 */
typedef void (*VernierStorageJobFunc) (VernierStorage *storage,
                                       gpointer        data);

#define VERNIER_TYPE_STORAGE_QUEUE (vernier_storage_queue_get_type ())
G_DECLARE_FINAL_TYPE (VernierStorageQueue, vernier_storage_queue, VERNIER, STORAGE_QUEUE, GObject)

VernierStorageQueue *vernier_storage_queue_new     (VernierStorage        *storage,
                                                    GMainContext          *context);
VernierStorage      *vernier_storage_queue_get_storage (VernierStorageQueue *self);
void                 vernier_storage_queue_push    (VernierStorageQueue   *self,
                                                    VernierStorageJobFunc  run,
                                                    GFunc                  done,
                                                    gpointer               data);
guint                vernier_storage_queue_get_n_pending (VernierStorageQueue *self);

G_END_DECLS
