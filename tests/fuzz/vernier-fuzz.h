/* What the fuzz targets of tests/fuzz share. */

#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* The libFuzzer entry points every target defines. The replay build
 * renames them per target (see meson.build), so that one program holds
 * all the targets. */
int  LLVMFuzzerInitialize   (int            *argc,
                             char         ***argv);
int  LLVMFuzzerTestOneInput (const uint8_t  *data,
                             size_t          size);

void vernier_fuzz_init      (void);

G_END_DECLS
