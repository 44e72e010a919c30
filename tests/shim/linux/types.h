/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of the kernel's <linux/types.h>: the uapi header (__u8,
 * __u32, ...) plus the kernel-internal names the portable core uses.
 */
#ifndef _APMX_SHIM_LINUX_TYPES_H
#define _APMX_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#endif
