/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <asm/ap.h>: see ../ksim.h */
#include "../ksim.h"
