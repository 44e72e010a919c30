/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of the kernel's <linux/errno.h>: the uapi errno values
 * (the C library's <errno.h> itself includes <linux/errno.h>).
 */
#ifndef _APMX_SHIM_LINUX_ERRNO_H
#define _APMX_SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

/* include/linux/errno.h: kernel-internal, never seen by userspace */
#ifndef EPROBE_DEFER
#define EPROBE_DEFER	517	/* Driver requests probe retry */
#endif

#endif
