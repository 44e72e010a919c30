// SPDX-License-Identifier: GPL-2.0
/*
 * Runner of the Check suites of the portable AP-matrix core.  Prints Check's
 * summary ("100%: Checks: N, Failures: 0, Errors: 0"); tests/core/run-suite
 * turns it into the result line.  Exit status 0 only if every test passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include "core-tests.h"

void ids_of(u8 *mask, ...)
{
	va_list ap;
	int id;

	memset(mask, 0, APMX_MASK_BYTES);
	va_start(ap, mask);
	while ((id = va_arg(ap, int)) != END)
		apmx_mask_set(mask, id);
	va_end(ap);
}

void prng_seed(struct prng *p, u64 seed)
{
	p->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

u64 prng_next(struct prng *p)
{
	p->s ^= p->s >> 12;
	p->s ^= p->s << 25;
	p->s ^= p->s >> 27;
	return p->s * 0x2545f4914f6cdd1dull;
}

unsigned int prng_below(struct prng *p, unsigned int n)
{
	return (unsigned int)((prng_next(p) >> 32) % n);
}

void prng_mask(struct prng *p, u8 *mask, unsigned int permille)
{
	unsigned int id;

	memset(mask, 0, APMX_MASK_BYTES);
	for (id = 0; id < APMX_NR_IDS; id++)
		if (prng_below(p, 1000) < permille)
			mask[id / 8] |= 0x80 >> (id % 8);
}

u64 be64_of(const u8 *b)
{
	u64 v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

int main(void)
{
	SRunner *sr = srunner_create(mask_suite());
	int failed;

	srunner_add_suite(sr, idlist_suite());
	srunner_add_suite(sr, crycb_suite());
	srunner_add_suite(sr, table_suite());
	srunner_add_suite(sr, grant_suite());
	srunner_add_suite(sr, atomic_suite());
	srunner_add_suite(sr, cost_suite());
	srunner_add_suite(sr, model_suite());
	printf("apmx core tests on a %s-endian host, %zu-bit longs\n",
	       __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? "big" : "little",
	       sizeof(long) * 8);
	fflush(stdout);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
