#pragma once

/* What the commands of the `vernier` program share. Not installed. */

#include "vernier-core.h"

G_BEGIN_DECLS

#define EXIT_STUDY_FAILED 1
#define EXIT_USAGE 2

void     program_print_error   (const gchar     *message);
gint     program_usage_error   (const gchar     *message);
gboolean program_parse_options (GOptionContext  *context,
                                gint            *argc,
                                gchar         ***argv,
                                gint            *status);
void     program_print_params  (JsonObject      *params);
VernierRegistry *program_registry_new (void);

gint     program_cmd_show      (gint             argc,
                                gchar          **argv);
gint     program_cmd_best      (gint             argc,
                                gchar          **argv);
gint     program_cmd_export    (gint             argc,
                                gchar          **argv);
gint     program_cmd_enqueue   (gint             argc,
                                gchar          **argv);
gint     program_cmd_status    (gint             argc,
                                gchar          **argv);

G_END_DECLS
