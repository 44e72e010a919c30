/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/anon_inodes.h>: see ../ksim.h */
#include "../ksim.h"
