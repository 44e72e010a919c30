// SPDX-License-Identifier: GPL-2.0
/* The allocator behind tests/shim/linux/slab.h (see there). */
#include <stdlib.h>
#include <string.h>
#include <linux/slab.h>

static unsigned long fail_at;	/* 0: disarmed, else attempt number */
static unsigned long attempts;
static unsigned long failures;
static long live;

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
	return live;
}

void shim_slab_reset(void)
{
	fail_at = 0;
	attempts = 0;
	failures = 0;
}

void *shim_kmalloc(size_t size, gfp_t flags, bool zero)
{
	void *p;

	(void)flags;
	if (++attempts == fail_at) {
		fail_at = 0;
		failures++;
		return NULL;
	}
	p = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
	if (p)
		live++;
	return p;
}

void shim_kfree(const void *p)
{
	if (!p)
		return;
	live--;
	free((void *)p);
}
