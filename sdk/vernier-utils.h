#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

GParamSpec *vernier_param_spec_duration     (const gchar  *name,
                                             const gchar  *nick,
                                             const gchar  *blurb,
                                             gint64        minimum,
                                             gint64        maximum,
                                             gint64        default_value,
                                             GParamFlags   flags);
gboolean    vernier_param_spec_is_duration  (GParamSpec   *pspec);

gboolean    vernier_parse_duration          (const gchar  *text,
                                             gint64       *out_usec,
                                             GError      **error);
gchar      *vernier_format_duration         (gint64        usec);

/**
 * VERNIER_JSON_MAX_DEPTH:
 *
 * The deepest nesting of arrays and objects Vernier reads in JSON from
 * study files and programs.
 */
#define VERNIER_JSON_MAX_DEPTH 64

gboolean    vernier_json_check_syntax       (const gchar  *text,
                                             gssize        length,
                                             guint         max_depth,
                                             GError      **error);
JsonNode   *vernier_json_node_from_string   (const gchar  *text);
gboolean    vernier_json_node_get_number    (JsonNode     *node,
                                             gdouble      *out_value);
gchar      *vernier_json_object_canonical   (JsonObject   *object);
gchar      *vernier_json_to_string          (JsonNode     *node,
                                             gboolean      pretty);
JsonObject *vernier_json_object_copy        (JsonObject   *object);
gchar      *vernier_format_time             (gint64        usec);

G_END_DECLS
