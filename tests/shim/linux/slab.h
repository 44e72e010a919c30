/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim of the kernel's <linux/slab.h> with fault injection.
 *
 * kmalloc/kzalloc/kcalloc/kfree and kvmalloc/kvzalloc/kvmalloc_array/
 * kvfree map to the C library, but every allocation is counted and one of
 * them can be made to fail: after shim_slab_fail_nth(n) the n-th
 * allocation from then on (1-based) returns NULL, once.  shim_slab_live()
 * tells how many allocations are not freed yet, so tests can assert that
 * a failed call leaked nothing.
 *
 * As strict as include/linux/slab.h and mm/util.c of Linux 6.1:
 *  - kmalloc(0) (and kcalloc() of 0 bytes) returns ZERO_SIZE_PTR, which
 *    must not be dereferenced (it faults) but may be kfree()d;
 *  - kmalloc() above KMALLOC_MAX_SIZE fails with a WARN (the page
 *    allocator's, for an order above MAX_ORDER);
 *  - kvmalloc() above PAGE_SIZE may come from vmalloc(): shim-wise it
 *    always does, so kfree() of it (a crash in the kernel) is a bug report;
 *    kvfree() takes both;
 *  - kfree() of a pointer no allocator returned is a bug report.
 * Reports go to shim_slab_bug() (a BUG in the kernel) and shim_slab_warn()
 * (a WARN), which abort() unless the test harness defines its own.
 */
#ifndef _APMX_SHIM_LINUX_SLAB_H
#define _APMX_SHIM_LINUX_SLAB_H

#include <linux/types.h>

/* include/linux/gfp_types.h, the flags the shim tells apart */
typedef unsigned int gfp_t;
#define GFP_KERNEL	0x1u		/* may sleep */
#define GFP_ATOMIC	0x2u		/* may not */
#define __GFP_ACCOUNT	0x4u
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)

/* include/linux/slab.h */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= \
			     (unsigned long)ZERO_SIZE_PTR)
/* (MAX_ORDER + PAGE_SHIFT - 1) = 11 + 12 - 1 on s390 */
#define KMALLOC_MAX_SIZE	(1UL << 22)
#define SHIM_PAGE_SIZE		4096UL

void *shim_kmalloc(size_t size, gfp_t flags, bool zero);
void *shim_kvmalloc(size_t size, gfp_t flags, bool zero);
void shim_kfree(const void *p);
void shim_kvfree(const void *p);

/* What the kernel would BUG() / WARN() on; default: print and abort(). */
void shim_slab_bug(const char *what);
void shim_slab_warn(const char *what);

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

/* include/linux/slab.h kmalloc(), kzalloc() */
static inline void *kmalloc(size_t size, gfp_t flags)
{
	return shim_kmalloc(size, flags, false);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return shim_kmalloc(size, flags, true);
}

/* include/linux/slab.h kcalloc() = kmalloc_array(): NULL on overflow */
static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return shim_kmalloc(n * size, flags, true);
}

/* mm/slab_common.c kfree(): NULL and ZERO_SIZE_PTR are fine */
static inline void kfree(const void *p)
{
	shim_kfree(p);
}

/* include/linux/slab.h kvmalloc(), kvzalloc() (mm/util.c kvmalloc_node()) */
static inline void *kvmalloc(size_t size, gfp_t flags)
{
	return shim_kvmalloc(size, flags, false);
}

static inline void *kvzalloc(size_t size, gfp_t flags)
{
	return shim_kvmalloc(size, flags, true);
}

/* include/linux/slab.h kvmalloc_array(): NULL on overflow, not zeroed */
static inline void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return shim_kvmalloc(n * size, flags, false);
}

/* mm/util.c kvfree(): vfree() or kfree(), whichever allocated */
static inline void kvfree(const void *p)
{
	shim_kvfree(p);
}

#endif
