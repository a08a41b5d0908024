#pragma once

/* Helpers shared by the test programs: building search spaces, temporary
 * files, and reading what the `vernier` program wrote, without repeating
 * the error checks. Each aborts the test on an error. */

#include <gio/gio.h>
#include <vernier.h>

G_BEGIN_DECLS

void              vt_add_dimension         (VernierSpace     *space,
                                            VernierDimension *dimension);
VernierDimension *vt_float_dimension       (const gchar      *name,
                                            gdouble           low,
                                            gdouble           high,
                                            gboolean          log,
                                            gdouble           step);
VernierDimension *vt_int_dimension         (const gchar      *name,
                                            gint64            low,
                                            gint64            high,
                                            gboolean          log,
                                            gint64            step);
VernierDimension *vt_categorical_dimension (const gchar      *name,
                                            const gchar      *choices_json);

gchar            *vt_make_tmp_dir          (const gchar      *area);
gchar            *vt_data_dir              (const gchar      *area);
void              vt_remove_tree           (const gchar      *path);
gchar            *vt_write_file            (const gchar      *dir,
                                            const gchar      *name,
                                            const gchar      *contents);
void              vt_assert_contains       (const gchar      *haystack,
                                            const gchar      *needle);
JsonObject       *vt_parse_object          (const gchar      *text);
gboolean          vt_objects_equal         (JsonObject       *a,
                                            JsonObject       *b);
JsonObject       *vt_params_of             (JsonObject       *object);
const gchar      *vt_state_of              (JsonObject       *record);
gboolean          vt_is_lost               (JsonObject       *record);
gint64            vt_number_of             (JsonObject       *object,
                                            const gchar      *member);
GPtrArray        *vt_read_events           (const gchar      *path,
                                            const gchar      *event);

/* What a finished process printed and how it ended. */
typedef struct
{
  gboolean  exited;
  gint      status;
  gint      term_sig;
  gchar    *out;
  gchar    *err;
} VtOutcome;

void              vt_outcome_clear         (VtOutcome        *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VtOutcome, vt_outcome_clear)
void              vt_collect               (GSubprocess      *process,
                                            VtOutcome        *o);

void              vt_become_subreaper      (void);
GSubprocess      *vt_spawn_tracked         (GSubprocessLauncher *launcher,
                                            const gchar * const *argv);

G_END_DECLS
