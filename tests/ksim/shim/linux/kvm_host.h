/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/kvm_host.h>: see ../ksim.h */
#include "../ksim.h"
