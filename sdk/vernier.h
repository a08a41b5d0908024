#pragma once

#define VERNIER_INSIDE

#include "vernier-version.h"
#include "vernier-enums.h"
#include "vernier-enum-types.h"
#include "vernier-error.h"
#include "vernier-utils.h"
#include "vernier-dimension.h"
#include "vernier-space.h"
#include "vernier-objective.h"
#include "vernier-trial.h"
#include "vernier-context.h"
#include "vernier-tuner.h"
#include "vernier-trainer.h"
#include "vernier-observer.h"
#include "vernier-pruner.h"
#include "vernier-storage.h"
#include "vernier-memory-storage.h"
#include "vernier-plugin.h"

#undef VERNIER_INSIDE
