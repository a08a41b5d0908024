#pragma once

#if !defined(VERNIER_INSIDE) && !defined(VERNIER_COMPILATION)
#error "Only <vernier.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "vernier-enums.h"

G_BEGIN_DECLS

#define VERNIER_TYPE_DIMENSION (vernier_dimension_get_type ())

/**
 * VernierDimension:
 *
 * One named dimension of a #VernierSpace: a float or integer range
 * (optionally log-scaled or stepped) or a list of categorical choices,
 * optionally active only when another parameter has a given value.
 *
 * A dimension is immutable once it is part of a space and reference
 * counted; tuners read it through the accessors below.
 */
typedef struct _VernierDimension VernierDimension;

GType                 vernier_dimension_get_type          (void) G_GNUC_CONST;

VernierDimension     *vernier_dimension_new_float         (const gchar       *name,
                                                           gdouble            low,
                                                           gdouble            high,
                                                           gboolean           log,
                                                           gdouble            step,
                                                           GError           **error);
VernierDimension     *vernier_dimension_new_int           (const gchar       *name,
                                                           gint64             low,
                                                           gint64             high,
                                                           gboolean           log,
                                                           gint64             step,
                                                           GError           **error);
VernierDimension     *vernier_dimension_new_categorical   (const gchar       *name,
                                                           JsonArray         *choices,
                                                           GError           **error);

VernierDimension     *vernier_dimension_ref               (VernierDimension  *self);
void                  vernier_dimension_unref             (VernierDimension  *self);

const gchar          *vernier_dimension_get_name          (VernierDimension  *self);
VernierDimensionKind  vernier_dimension_get_kind          (VernierDimension  *self);
gdouble               vernier_dimension_get_low           (VernierDimension  *self);
gdouble               vernier_dimension_get_high          (VernierDimension  *self);
gboolean              vernier_dimension_get_log           (VernierDimension  *self);
gdouble               vernier_dimension_get_step          (VernierDimension  *self);
JsonArray            *vernier_dimension_get_choices       (VernierDimension  *self);
guint                 vernier_dimension_get_n_choices     (VernierDimension  *self);
guint64               vernier_dimension_get_n_points      (VernierDimension  *self);

void                  vernier_dimension_set_condition     (VernierDimension  *self,
                                                           const gchar       *parent,
                                                           JsonNode          *value);
const gchar          *vernier_dimension_get_condition_parent (VernierDimension *self);
JsonNode             *vernier_dimension_get_condition_value  (VernierDimension *self);

JsonNode             *vernier_dimension_value_from_unit   (VernierDimension  *self,
                                                           gdouble            u);
gdouble               vernier_dimension_value_to_unit     (VernierDimension  *self,
                                                           JsonNode          *value);
JsonNode             *vernier_dimension_value_at          (VernierDimension  *self,
                                                           guint64            index,
                                                           guint64            n_points);
gboolean              vernier_dimension_validate          (VernierDimension  *self,
                                                           JsonNode          *value,
                                                           GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VernierDimension, vernier_dimension_unref)

G_END_DECLS
