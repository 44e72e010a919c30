// SPDX-License-Identifier: GPL-2.0
/* The allocator behind tests/shim/linux/slab.h (see there). */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/slab.h>

/*
 * -DKSIM_THREADS (the ThreadSanitizer build of tests/ksim/race): the
 * counters are kept under a lock, as the kernel's allocators are
 * thread-safe.
 */
#ifdef KSIM_THREADS
#include <pthread.h>
static pthread_mutex_t slab_lock = PTHREAD_MUTEX_INITIALIZER;
#define SLAB_LOCK()	pthread_mutex_lock(&slab_lock)
#define SLAB_UNLOCK()	pthread_mutex_unlock(&slab_lock)
#else
#define SLAB_LOCK()	do { } while (0)
#define SLAB_UNLOCK()	do { } while (0)
#endif

static unsigned long fail_at;	/* 0: disarmed, else attempt number */
static unsigned long attempts;
static unsigned long failures;
static long live;

/* In front of every block: which allocator it came from. */
#define SHIM_KMALLOC	0x6b6d616cu	/* "kmal" */
#define SHIM_VMALLOC	0x766d616cu	/* "vmal" */
#define SHIM_FREED	0x66726565u	/* "free" */
union shim_hdr {
	struct {
		size_t size;
		unsigned int magic;
	} h;
	max_align_t align;
};

void __attribute__((weak)) shim_slab_bug(const char *what)
{
	fprintf(stderr, "slab shim: BUG: %s\n", what);
	abort();
}

void __attribute__((weak)) shim_slab_warn(const char *what)
{
	fprintf(stderr, "slab shim: WARNING: %s\n", what);
	abort();
}

void shim_slab_fail_nth(unsigned long n)
{
	fail_at = n ? attempts + n : 0;
}

unsigned long shim_slab_allocs(void)
{
	return attempts;
}

unsigned long shim_slab_failed(void)
{
	return failures;
}

long shim_slab_live(void)
{
	long n;

	SLAB_LOCK();
	n = live;
	SLAB_UNLOCK();
	return n;
}

void shim_slab_reset(void)
{
	fail_at = 0;
	attempts = 0;
	failures = 0;
}

static void *shim_alloc(size_t size, bool zero, unsigned int magic)
{
	union shim_hdr *h;

	SLAB_LOCK();
	if (++attempts == fail_at) {
		fail_at = 0;
		failures++;
		SLAB_UNLOCK();
		return NULL;
	}
	SLAB_UNLOCK();
	if (size > (size_t)-1 - sizeof(*h))
		return NULL;
	h = zero ? calloc(1, sizeof(*h) + size) : malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->h.size = size;
	h->h.magic = magic;
	SLAB_LOCK();
	live++;
	SLAB_UNLOCK();
	return h + 1;
}

/*
 * include/linux/slab.h kmalloc(): ZERO_SIZE_PTR for 0 bytes (no
 * allocation, so it cannot fail); beyond KMALLOC_MAX_SIZE NULL and the
 * page allocator's WARN (mm/page_alloc.c __alloc_pages(), order >=
 * MAX_ORDER).
 */
void *shim_kmalloc(size_t size, gfp_t flags, bool zero)
{
	(void)flags;
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_SIZE) {
		shim_slab_warn("kmalloc() above KMALLOC_MAX_SIZE");
		return NULL;
	}
	return shim_alloc(size, zero, SHIM_KMALLOC);
}

/*
 * mm/util.c kvmalloc_node(): kmalloc() first, then, above PAGE_SIZE and
 * if the flags allow sleeping, vmalloc(); above INT_MAX NULL with a WARN.
 * The shim takes the vmalloc() path whenever the kernel may.
 */
void *shim_kvmalloc(size_t size, gfp_t flags, bool zero)
{
	if (size <= SHIM_PAGE_SIZE || !(flags & GFP_KERNEL))
		return shim_kmalloc(size, flags, zero);
	if (size > INT_MAX) {
		shim_slab_warn("kvmalloc() above INT_MAX");
		return NULL;
	}
	return shim_alloc(size, zero, SHIM_VMALLOC);
}

static void shim_free(const void *p, bool kv)
{
	union shim_hdr *h;

	if (ZERO_OR_NULL_PTR(p))
		return;
	h = (union shim_hdr *)p - 1;
	if (h->h.magic == SHIM_VMALLOC && !kv) {
		/* mm/slab_common.c kfree() of a vmalloc() address */
		shim_slab_bug("kfree() of kvmalloc() memory (vmalloc()ed): use kvfree()");
	} else if (h->h.magic != SHIM_KMALLOC && h->h.magic != SHIM_VMALLOC) {
		shim_slab_bug("kfree() of a pointer no allocator returned");
		return;
	}
	h->h.magic = SHIM_FREED;
	SLAB_LOCK();
	live--;
	SLAB_UNLOCK();
	free(h);
}

void shim_kfree(const void *p)
{
	shim_free(p, false);
}

void shim_kvfree(const void *p)
{
	shim_free(p, true);
}
