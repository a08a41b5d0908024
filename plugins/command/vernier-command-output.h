#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierCommandOutputRules:
 *
 * How the command trainer reads objective values from a program's
 * standard output: the objective's name, the optional pattern, the longest
 * line kept. Immutable once made; shared by every trial in flight.
 */
typedef struct _VernierCommandOutputRules VernierCommandOutputRules;

/**
 * VernierCommandOutput:
 *
 * The standard output of one running program, fed in chunks as they
 * arrive, cut into lines and read for intermediate and final values.
 */
typedef struct _VernierCommandOutput VernierCommandOutput;

G_GNUC_INTERNAL
VernierCommandOutputRules *vernier_command_output_rules_new  (const gchar                     *objective,
                                                              const gchar                     *regex,
                                                              gsize                            max_line,
                                                              guint                            max_reports,
                                                              GError                         **error);
G_GNUC_INTERNAL
void                       vernier_command_output_rules_free (VernierCommandOutputRules       *rules);

G_GNUC_INTERNAL
VernierCommandOutput      *vernier_command_output_new        (const VernierCommandOutputRules *rules,
                                                              VernierTrial                    *trial);
G_GNUC_INTERNAL
void                       vernier_command_output_free       (VernierCommandOutput            *self);
G_GNUC_INTERNAL
void                       vernier_command_output_feed       (VernierCommandOutput            *self,
                                                              const gchar                     *data,
                                                              gsize                            len);
G_GNUC_INTERNAL
void                       vernier_command_output_close      (VernierCommandOutput            *self);
G_GNUC_INTERNAL
gboolean                   vernier_command_output_get_value  (VernierCommandOutput            *self,
                                                              gdouble                         *value);
G_GNUC_INTERNAL
guint                      vernier_command_output_get_n_ignored   (VernierCommandOutput       *self);
G_GNUC_INTERNAL
guint                      vernier_command_output_get_n_truncated (VernierCommandOutput       *self);
G_GNUC_INTERNAL
guint                      vernier_command_output_get_n_dropped   (VernierCommandOutput       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VernierCommandOutputRules, vernier_command_output_rules_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VernierCommandOutput, vernier_command_output_free)

G_END_DECLS
