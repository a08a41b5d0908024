#pragma once

/* Program-private: a running study on the session bus. Not installed. */

#include "vernier-core.h"

G_BEGIN_DECLS

#define VERNIER_STUDY_EXPORT_BUS_PREFIX "io.github.vernier.Vernier.Run_"
#define VERNIER_STUDY_EXPORT_PATH_PREFIX "/io/github/vernier/Vernier/Study"

#define VERNIER_TYPE_STUDY_EXPORT (vernier_study_export_get_type ())
G_DECLARE_FINAL_TYPE (VernierStudyExport, vernier_study_export, VERNIER, STUDY_EXPORT, GObject)

VernierStudyExport *vernier_study_export_new (VernierStudy     *study,
                                              GDBusConnection  *connection,
                                              GError          **error);

G_END_DECLS
