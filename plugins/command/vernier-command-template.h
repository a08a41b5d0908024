#pragma once

#include <vernier.h>

G_BEGIN_DECLS

/**
 * VernierCommandTemplate:
 *
 * A command line with `{name}` placeholders, parsed once: each element of
 * the argument vector is a list of literal text and placeholders, and is
 * expanded on its own, so a value never spills into another argument.
 */
typedef struct _VernierCommandTemplate VernierCommandTemplate;

G_GNUC_INTERNAL
VernierCommandTemplate *vernier_command_template_new         (const gchar * const     *argv,
                                                              GError                 **error);
G_GNUC_INTERNAL
void                    vernier_command_template_free        (VernierCommandTemplate  *self);
G_GNUC_INTERNAL
gboolean                vernier_command_template_check_space (VernierCommandTemplate  *self,
                                                              VernierSpace            *space,
                                                              GError                 **error);
G_GNUC_INTERNAL
GStrv                   vernier_command_template_expand      (VernierCommandTemplate  *self,
                                                              JsonObject              *params,
                                                              VernierSpace            *space,
                                                              GError                 **error);
G_GNUC_INTERNAL
gchar                  *vernier_command_format_value         (JsonNode                *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VernierCommandTemplate, vernier_command_template_free)

G_END_DECLS
