#pragma once

/* Helpers shared by the test programs: building search spaces without
 * repeating the error checks. Each aborts the test on an error. */

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

G_END_DECLS
