#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_MOCK_TRAINER (vernier_mock_trainer_get_type ())
G_DECLARE_FINAL_TYPE (VernierMockTrainer, vernier_mock_trainer, VERNIER, MOCK_TRAINER, GObject)

G_END_DECLS
