#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "vernier-context.h"

G_BEGIN_DECLS

#define VERNIER_STORAGE_SCHEMA_VERSION 1

/**
 * VernierClaim:
 * @VERNIER_CLAIM_STARTED: the proposal became a new RUNNING trial
 * @VERNIER_CLAIM_DEQUEUED: a WAITING trial was claimed instead; the proposal
 *   was not used
 * @VERNIER_CLAIM_DUPLICATE: the proposal is unique and the study already has
 *   a trial with the same parameters; nothing was created
 * @VERNIER_CLAIM_SPENT: the budget is spent; nothing was created
 * @VERNIER_CLAIM_EMPTY: there was no proposal and no WAITING trial
 *
 * What vernier_storage_claim() did.
 */
typedef enum {
  VERNIER_CLAIM_STARTED,
  VERNIER_CLAIM_DEQUEUED,
  VERNIER_CLAIM_DUPLICATE,
  VERNIER_CLAIM_SPENT,
  VERNIER_CLAIM_EMPTY,
} VernierClaim;

#define VERNIER_TYPE_STORAGE (vernier_storage_get_type ())
G_DECLARE_INTERFACE (VernierStorage, vernier_storage, VERNIER, STORAGE, GObject)

/**
 * VernierStorageInterface:
 * @g_iface: the parent interface
 * @open: open the study, creating it if asked
 * @add_worker: register a process working on the study
 * @load: every trial record of the study
 * @claim: atomically hand out the next trial
 * @update: record a trial's new state
 * @release: give back a claimed trial that will not run
 * @heartbeat: say that a worker is alive
 * @list_running: the RUNNING trials and their workers
 * @take_over: mark the trial of a dead worker lost and re-queue it
 * @enqueue: add a WAITING trial with known parameters
 * @finished_since: finished trials of other workers
 * @is_blocking: whether calls may block (run on the storage thread)
 *
 * A study's persistence. The engine calls a storage from one thread at a
 * time, in order; calls of a blocking storage (the default) come from a
 * dedicated thread, never from the main loop, so they may block on disk
 * or network. A trial travels as a *record*: the JSON object of
 * vernier_trial_to_json() with, in addition, `tuner` (the label of the
 * tuner that suggested it), `worker` (the id of the worker that ran it),
 * `retry-of` (the number of the lost trial it repeats) and `lost` (%TRUE
 * when its worker died while running it). A storage keeps each record
 * whole and may index the fields it needs.
 */
struct _VernierStorageInterface
{
  GTypeInterface g_iface;

  gboolean      (*open)           (VernierStorage  *self,
                                   VernierContext  *context,
                                   const gchar     *description,
                                   gboolean         create,
                                   gchar          **stored_description,
                                   GError         **error);
  guint         (*add_worker)     (VernierStorage  *self,
                                   const gchar     *host,
                                   gint64           pid,
                                   GError         **error);
  JsonArray *   (*load)           (VernierStorage  *self,
                                   GError         **error);
  VernierClaim  (*claim)          (VernierStorage  *self,
                                   guint            worker,
                                   JsonObject      *proposal,
                                   gboolean         unique,
                                   guint            budget,
                                   JsonObject     **record,
                                   GError         **error);
  gboolean      (*update)         (VernierStorage  *self,
                                   guint            worker,
                                   JsonObject      *record,
                                   GError         **error);
  gboolean      (*release)        (VernierStorage  *self,
                                   guint            worker,
                                   guint            number,
                                   GError         **error);
  gboolean      (*heartbeat)      (VernierStorage  *self,
                                   guint            worker,
                                   GError         **error);
  JsonArray *   (*list_running)   (VernierStorage  *self,
                                   GError         **error);
  gboolean      (*take_over)      (VernierStorage  *self,
                                   guint            number,
                                   gint64           heartbeat,
                                   const gchar     *message,
                                   gboolean         retry,
                                   GError         **error);
  guint         (*enqueue)        (VernierStorage  *self,
                                   JsonObject      *params,
                                   GError         **error);
  JsonArray *   (*finished_since) (VernierStorage  *self,
                                   guint            worker,
                                   guint            since,
                                   GError         **error);
  gboolean      (*is_blocking)    (VernierStorage  *self);

  /*< private >*/
  gpointer padding[8];
};

gboolean      vernier_storage_open           (VernierStorage  *self,
                                              VernierContext  *context,
                                              const gchar     *description,
                                              gboolean         create,
                                              gchar          **stored_description,
                                              GError         **error);
guint         vernier_storage_add_worker     (VernierStorage  *self,
                                              const gchar     *host,
                                              gint64           pid,
                                              GError         **error);
JsonArray    *vernier_storage_load           (VernierStorage  *self,
                                              GError         **error);
VernierClaim  vernier_storage_claim          (VernierStorage  *self,
                                              guint            worker,
                                              JsonObject      *proposal,
                                              gboolean         unique,
                                              guint            budget,
                                              JsonObject     **record,
                                              GError         **error);
gboolean      vernier_storage_update         (VernierStorage  *self,
                                              guint            worker,
                                              JsonObject      *record,
                                              GError         **error);
gboolean      vernier_storage_release        (VernierStorage  *self,
                                              guint            worker,
                                              guint            number,
                                              GError         **error);
gboolean      vernier_storage_heartbeat      (VernierStorage  *self,
                                              guint            worker,
                                              GError         **error);
JsonArray    *vernier_storage_list_running   (VernierStorage  *self,
                                              GError         **error);
gboolean      vernier_storage_take_over      (VernierStorage  *self,
                                              guint            number,
                                              gint64           heartbeat,
                                              const gchar     *message,
                                              gboolean         retry,
                                              GError         **error);
guint         vernier_storage_enqueue        (VernierStorage  *self,
                                              JsonObject      *params,
                                              GError         **error);
JsonArray    *vernier_storage_finished_since (VernierStorage  *self,
                                              guint            worker,
                                              guint            since,
                                              GError         **error);
gboolean      vernier_storage_is_blocking    (VernierStorage  *self);

gboolean      vernier_storage_record_counts  (JsonObject      *record);
gchar        *vernier_storage_record_key     (JsonObject      *params);
void          vernier_storage_record_mark_claimed (JsonObject *record,
                                                   guint       worker);
void          vernier_storage_record_mark_lost    (JsonObject  *record,
                                                   const gchar *message);

G_END_DECLS
