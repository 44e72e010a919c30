/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the Check suites of the portable AP-matrix core
 * (kernel/arch/s390/kvm/ap-matrix/apmx.h), built against tests/shim.
 */
#ifndef APMX_CORE_TESTS_H
#define APMX_CORE_TESTS_H

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include "apmx.h"

/*
 * Check records the location of every passing ck_assert*() (a write to a
 * temporary file in fork mode): in loops that assert thousands of times,
 * use these, which call into Check only on failure.
 */
#define EXPECT(cond)							\
	do {								\
		if (!(cond))						\
			ck_abort_msg("%s:%d: failed: %s", __FILE__,	\
				     __LINE__, #cond);			\
	} while (0)
#define EXPECT_MSG(cond, ...)						\
	do {								\
		if (!(cond))						\
			ck_abort_msg(__VA_ARGS__);			\
	} while (0)
#define EXPECT_MEM_EQ(a, b, n)						\
	EXPECT_MSG(!memcmp((a), (b), (n)), "%s:%d: %s != %s", __FILE__,	\
		   __LINE__, #a, #b)

/* Terminates the id lists of ids_of() and masks_of() below. */
#define END	(-1)

/* Clear @mask and set the ids that follow, up to END. */
void ids_of(u8 *mask, ...);

/* Deterministic PRNG (xorshift64*); every test seeds its own. */
struct prng {
	u64 s;
};

void prng_seed(struct prng *p, u64 seed);
u64 prng_next(struct prng *p);
/* uniform in [0, n) */
unsigned int prng_below(struct prng *p, unsigned int n);
/* a random mask: each id set with probability @permille / 1000 */
void prng_mask(struct prng *p, u8 *mask, unsigned int permille);

/* Big-endian 64-bit value of bytes mask[0..7], assembled byte by byte. */
u64 be64_of(const u8 *bytes);

/* Suites */
Suite *mask_suite(void);
Suite *idlist_suite(void);
Suite *crycb_suite(void);
Suite *table_suite(void);
Suite *grant_suite(void);
Suite *atomic_suite(void);
Suite *cost_suite(void);
Suite *model_suite(void);

#endif
