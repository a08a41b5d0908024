#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_BENCHMARK_TRAINER (vernier_benchmark_trainer_get_type ())
G_DECLARE_FINAL_TYPE (VernierBenchmarkTrainer, vernier_benchmark_trainer, VERNIER, BENCHMARK_TRAINER, GObject)

G_END_DECLS
