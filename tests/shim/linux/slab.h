/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of the kernel's <linux/slab.h> with fault injection.
 *
 * kmalloc/kzalloc/kcalloc/kfree map to the C library, but every allocation
 * is counted and one of them can be made to fail: after
 * shim_slab_fail_nth(n) the n-th allocation from then on (1-based) returns
 * NULL, once.  shim_slab_live() tells how many allocations are not freed
 * yet, so tests can assert that a failed call leaked nothing.
 */
#ifndef _APMX_SHIM_LINUX_SLAB_H
#define _APMX_SHIM_LINUX_SLAB_H

#include <linux/types.h>

typedef unsigned int gfp_t;
#define GFP_KERNEL	0x1u
#define GFP_ATOMIC	0x2u

void *shim_kmalloc(size_t size, gfp_t flags, bool zero);
void shim_kfree(const void *p);

/* Fail the n-th allocation from now on (1-based); 0 disarms. */
void shim_slab_fail_nth(unsigned long n);
/* Allocations attempted (successful or not) since the last reset. */
unsigned long shim_slab_allocs(void);
/* Allocations failed on purpose since the last reset. */
unsigned long shim_slab_failed(void);
/* Allocations not freed yet (never reset). */
long shim_slab_live(void);
/* Disarm and zero the attempt/failure counters. */
void shim_slab_reset(void);

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return shim_kmalloc(size, flags, false);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return shim_kmalloc(size, flags, true);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return shim_kmalloc(n * size, flags, true);
}

static inline void kfree(const void *p)
{
	shim_kfree(p);
}

#endif
