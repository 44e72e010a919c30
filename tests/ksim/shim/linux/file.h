/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/file.h>: see ../ksim.h */
#include "../ksim.h"
