/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/bitops.h>: the s390 MSB-0 helpers (asm/bitops.h) */
#include "../asm/bitops.h"
