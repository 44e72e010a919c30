/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of the kernel's <asm/unaligned.h> (include/asm-generic/
 * unaligned.h in Linux 6.1): get_unaligned_be64(), a big-endian 64-bit
 * load from any address, as __get_unaligned_t() + be64_to_cpu() do.
 */
#ifndef _APMX_SHIM_ASM_UNALIGNED_H
#define _APMX_SHIM_ASM_UNALIGNED_H

#include <string.h>
#include <linux/types.h>

static inline u64 get_unaligned_be64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

#endif
