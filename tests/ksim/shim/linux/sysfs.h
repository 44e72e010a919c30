/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/sysfs.h>: see ../ksim-ap-bus.h */
#include "../ksim-ap-bus.h"
