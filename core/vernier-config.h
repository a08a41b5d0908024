#pragma once

#include <vernier.h>

#include "vernier-registry.h"
#include "vernier-study.h"

G_BEGIN_DECLS

/**
 * VERNIER_CONFIG_MAX_FILE_SIZE:
 *
 * The most bytes a study file, or a `[candidates]` file, may have: 16 MiB.
 * A larger file is refused before it is read. Study files are written by
 * people, or generated, and stay far below; many configurations are
 * queued with `vernier enqueue --file`, which reads them line by line.
 */
#define VERNIER_CONFIG_MAX_FILE_SIZE (16 * 1024 * 1024)

/**
 * VERNIER_CONFIG_MAX_GROUPS:
 *
 * The most groups a study file may have: 10,000 (`[param NAME]`,
 * `[observer NAME]`… together). Every parameter is in every trial's
 * record, every observer hears of every trial: more would make each trial
 * slow and large for nothing a study needs.
 */
#define VERNIER_CONFIG_MAX_GROUPS 10000

#define VERNIER_TYPE_CONFIG (vernier_config_get_type ())
G_DECLARE_FINAL_TYPE (VernierConfig, vernier_config, VERNIER, CONFIG, GObject)

VernierConfig     *vernier_config_new_from_file     (const gchar         *path,
                                                     const gchar * const *overrides,
                                                     GError             **error);
VernierConfig     *vernier_config_new_from_data     (const gchar         *data,
                                                     gssize               length,
                                                     const gchar         *path,
                                                     const gchar * const *overrides,
                                                     GError             **error);

const gchar       *vernier_config_get_path          (VernierConfig       *self);
const gchar       *vernier_config_get_study_name    (VernierConfig       *self);
VernierContext    *vernier_config_get_context       (VernierConfig       *self);

gboolean           vernier_config_has_key           (VernierConfig       *self,
                                                     const gchar         *group,
                                                     const gchar         *key);
VernierStorage    *vernier_config_create_storage    (VernierConfig       *self,
                                                     VernierRegistry     *registry,
                                                     GError             **error);
VernierStudy      *vernier_config_create_study      (VernierConfig       *self,
                                                     VernierRegistry     *registry,
                                                     GError             **error);
GObject           *vernier_config_create_plugin     (VernierRegistry     *registry,
                                                     const gchar         *kind,
                                                     GKeyFile            *key_file,
                                                     const gchar         *group,
                                                     const gchar * const *skip_keys,
                                                     const gchar         *path,
                                                     GError             **error);
gboolean           vernier_config_parse_value       (GParamSpec          *pspec,
                                                     GKeyFile            *key_file,
                                                     const gchar         *group,
                                                     const gchar         *key,
                                                     GValue              *value,
                                                     GError             **error);
gchar             *vernier_config_describe_pspec    (GParamSpec          *pspec);

G_END_DECLS
