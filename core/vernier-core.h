#pragma once

#include <vernier.h>
#include <vernier-sdk-private.h>

#include "vernier-config.h"
#include "vernier-module.h"
#include "vernier-plugin-info.h"
#include "vernier-registry.h"
#include "vernier-study.h"
