/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <ap_bus.h>: see ksim-ap-bus.h */
#include "ksim-ap-bus.h"
