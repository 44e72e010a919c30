/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of the kernel's <linux/kernel.h>: snprintf/vsnprintf,
 * va_list, __printf and the min/max helpers, as in Linux 6.1.
 */
#ifndef _APMX_SHIM_LINUX_KERNEL_H
#define _APMX_SHIM_LINUX_KERNEL_H

#include <stdarg.h>
#include <stdio.h>
#include <linux/types.h>

#ifndef __printf
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define min_t(type, x, y) ({ type __x = (x); type __y = (y); \
			     __x < __y ? __x : __y; })
#define max_t(type, x, y) ({ type __x = (x); type __y = (y); \
			     __x > __y ? __x : __y; })
#define min(x, y)	min_t(__typeof__((x) + (y)), x, y)
#define max(x, y)	max_t(__typeof__((x) + (y)), x, y)

#endif
