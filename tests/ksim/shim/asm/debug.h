/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <asm/debug.h>: see ../ksim.h */
#include "../ksim.h"
