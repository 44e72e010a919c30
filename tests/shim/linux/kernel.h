/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of the kernel's <linux/kernel.h>: snprintf/vsnprintf,
 * va_list, __printf, ARRAY_SIZE() and the min/max helpers, as in Linux 6.1.
 */
#ifndef _APMX_SHIM_LINUX_KERNEL_H
#define _APMX_SHIM_LINUX_KERNEL_H

#include <stdarg.h>
#include <stdio.h>
#include <linux/types.h>

#ifndef __printf
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#endif

/* include/linux/compiler.h, include/linux/build_bug.h */
#define __same_type(a, b) __builtin_types_compatible_p(typeof(a), typeof(b))
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int:(-!!(e)); })))
#define __must_be_array(a)	BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))

/* include/linux/array_size.h ARRAY_SIZE(): of a pointer it does not build */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))
#endif

/*
 * include/linux/minmax.h min_t()/max_t(); min()/max() without 6.1.y's
 * signedness check (__careful_cmp() needs the kernel's warning flags)
 */
#define min_t(type, x, y) ({ type __x = (x); type __y = (y); \
			     __x < __y ? __x : __y; })
#define max_t(type, x, y) ({ type __x = (x); type __y = (y); \
			     __x > __y ? __x : __y; })
#define min(x, y)	min_t(__typeof__((x) + (y)), x, y)
#define max(x, y)	max_t(__typeof__((x) + (y)), x, y)

#endif
