#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define EXAMPLE_TYPE_BEST_FILE_OBSERVER (example_best_file_observer_get_type ())
G_DECLARE_FINAL_TYPE (ExampleBestFileObserver, example_best_file_observer, EXAMPLE, BEST_FILE_OBSERVER, GObject)

G_END_DECLS
