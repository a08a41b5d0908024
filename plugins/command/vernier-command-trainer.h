#pragma once

#include <vernier.h>

G_BEGIN_DECLS

#define VERNIER_TYPE_COMMAND_TRAINER (vernier_command_trainer_get_type ())
G_DECLARE_FINAL_TYPE (VernierCommandTrainer, vernier_command_trainer, VERNIER, COMMAND_TRAINER, GObject)

G_END_DECLS
