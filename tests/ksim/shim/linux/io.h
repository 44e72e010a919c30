/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/io.h>: virt_to_phys(), see ../ksim.h */
#include "../ksim.h"
