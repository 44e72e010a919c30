/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim of the kernel's <linux/string.h>: memcpy, memset, ... */
#ifndef _APMX_SHIM_LINUX_STRING_H
#define _APMX_SHIM_LINUX_STRING_H

#include <string.h>

#endif
