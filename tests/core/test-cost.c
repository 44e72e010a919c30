// SPDX-License-Identifier: GPL-2.0
/* Memory and cost of the table: rows on demand, no scan over other owners. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "table-util.h"

START_TEST(rows_allocated_on_use_freed_when_empty)
{
	struct apmx_owner g = VM(1, 1);
	struct kvm_s390_ap_refusal r;
	unsigned int a, d;

	/* adapters without domains hold no APQN: no row */
	ck_assert_int_eq(claim(&g, M("1,2,3", "", ""), &r), 0);
	for (a = 0; a < APMX_NR_IDS; a++)
		ck_assert_ptr_null(T.rows[a]);
	ck_assert_int_eq(shim_slab_live(), live0);
	/* and no row for domains without adapters */
	ck_assert_int_eq(claim(&g, M("", "1,2", "3"), &r), 0);
	ck_assert_int_eq(shim_slab_live(), live0);

	ck_assert_int_eq(claim(&g, M("7,8", "0,255", ""), &r), 0);
	ck_assert_int_eq(shim_slab_live(), live0 + 2);
	ck_assert_int_eq(claim(&g, M("8", "0,255", ""), &r), 0);
	ck_assert_ptr_nonnull(T.rows[7]);	/* resetting slots */
	apmx_table_reset_done(&T, 7, 0, true);
	ck_assert_ptr_nonnull(T.rows[7]);
	apmx_table_reset_done(&T, 7, 255, true);
	ck_assert_ptr_null(T.rows[7]);
	ck_assert_int_eq(shim_slab_live(), live0 + 1);
	/* every APQN of the machine, then nothing */
	{
		struct kvm_s390_ap_masks all;

		memset(&all, 0xff, sizeof(all));
		ck_assert_int_eq(claim(&g, all, &r), 0);
		ck_assert_int_eq(shim_slab_live(), live0 + 256);
		for (a = 0; a < APMX_NR_IDS; a += 51)
			for (d = 0; d < APMX_NR_IDS; d += 17)
				ck_assert_uint_eq(slot(a, d).state,
						  APMX_SLOT_USAGE | APMX_SLOT_CONTROL);
	}
	ck_assert_int_eq(claim(&g, NONE_M, &r), 0);
	for (a = 0; a < APMX_NR_IDS; a++)
		for (d = 0; d < APMX_NR_IDS; d++)
			apmx_table_reset_done(&T, a, d, true);
	for (a = 0; a < APMX_NR_IDS; a++)
		ck_assert_ptr_null(T.rows[a]);
	ck_assert_int_eq(shim_slab_live(), live0);
}
END_TEST

/*
 * A claim touches only the rows of the adapters it names: the rows of
 * every other adapter are replaced by unreadable memory during the claim.
 */
START_TEST(claim_touches_only_its_adapters)
{
	struct apmx_owner others[40], g = VM(999, 999), G = GRANT(5, 5);
	struct apmx_row *saved[APMX_NR_IDS];
	struct kvm_s390_ap_refusal r;
	void *trap;
	unsigned int i, a;
	char apm[8];

	for (i = 0; i < 40; i++) {
		others[i] = VM(i, i);
		snprintf(apm, sizeof(apm), "%u", 10 + i);
		ck_assert_int_eq(claim(&others[i], M(apm, "1,2,3", "4"), &r), 0);
	}
	ck_assert_int_eq(reserve(&G, M("100", "1", ""), &r), 0);
	ck_assert_int_eq(claim(&g, M("5", "1", ""), &r), 0);
	trap = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(trap != MAP_FAILED);
	memcpy(saved, T.rows, sizeof(saved));
	for (a = 0; a < APMX_NR_IDS; a++)
		if (T.rows[a] && a != 5 && a != 6 && a != 100)
			T.rows[a] = trap;
	/* grow 5 -> 5,6, shrink to 6, then into the grant's APQN on 100 */
	ck_assert_int_eq(claim(&g, M("5,6", "1", ""), &r), 0);
	ck_assert_int_eq(claim(&g, M("6", "1", ""), &r), 0);
	ck_assert_int_eq(claim(&g, M("6,100", "1", ""), &r), -EADDRINUSE);
	assert_refusal(&r, KVM_S390_AP_R_RESERVED, 100, 1,
		       KVM_S390_AP_HOLDER_GRANT, &G);
	ck_assert_int_eq(claim_g(&g, M("6,100", "1", ""), &G, &r), 0);
	for (a = 0; a < APMX_NR_IDS; a++)
		if (T.rows[a] == trap)
			T.rows[a] = saved[a];
	munmap(trap, 8192);
	ck_assert_ptr_eq(slot(6, 1).user, &g);
	ck_assert_ptr_eq(slot(100, 1).user, &g);
	ck_assert_uint_eq(slot(5, 1).state, APMX_SLOT_RESETTING);
	ck_assert_ptr_eq(slot(12, 4).user, &others[2]);
}
END_TEST

/*
 * The memory bound of the table: 64 KiB in all with a row on every
 * adapter, and at most 512 bytes per owner.
 */
START_TEST(memory_bound)
{
	ck_assert_uint_le(sizeof(struct apmx_table) +
			  APMX_NR_IDS * sizeof(struct apmx_row), 64 * 1024);
	ck_assert_uint_le(sizeof(struct apmx_owner), 512);
}
END_TEST

/*
 * A claim that is not refused reads no other owner: 300 guests and a
 * grant live in pages that are made unreadable while guest g, already in
 * the table, grows, changes kinds, moves and shrinks next to them (and
 * claims under its own grant).  Only entering or leaving the lists
 * touches a neighbour, so g stays in the table throughout.
 */
START_TEST(claim_reads_no_other_owner)
{
	const size_t n = 300, len = (n + 1) * sizeof(struct apmx_owner);
	struct apmx_owner *others, g = VM(999, 999), G2 = GRANT(6, 6);
	struct kvm_s390_ap_refusal r;
	size_t i, plen = (len + 4095) & ~(size_t)4095;
	char apm[8], aqm[8];

	others = mmap(NULL, plen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(others != MAP_FAILED);
	for (i = 0; i < n; i++) {
		others[i] = VM(i, i);
		snprintf(apm, sizeof(apm), "%zu", i % 250);
		snprintf(aqm, sizeof(aqm), "%zu", 10 + i / 250);
		ck_assert_int_eq(claim(&others[i], M(apm, aqm, ""), &r), 0);
	}
	others[n] = GRANT(5, 5);
	ck_assert_int_eq(reserve(&others[n], M("251", "1", ""), &r), 0);
	ck_assert_int_eq(reserve(&G2, M("252", "1,2", "3"), &r), 0);
	ck_assert_int_eq(claim(&g, M("5", "1", ""), &r), 0);
	ck_assert_int_eq(mprotect(others, plen, PROT_NONE), 0);
	ck_assert_int_eq(claim(&g, M("0-249", "0-9", "200"), &r), 0);
	ck_assert_int_eq(claim(&g, M("0-249", "200", "0-9"), &r), 0);
	ck_assert_int_eq(claim(&g, M("7", "1", ""), &r), 0);
	ck_assert_int_eq(claim_g(&g, M("7,252", "1", "3"), &G2, &r), -EPERM);
	ck_assert_int_eq(mprotect(others, plen, PROT_READ), 0);
	ck_assert_ptr_eq(slot(7, 1).user, &g);
	ck_assert_ptr_eq(slot(3, 10).user, &others[3]);
	ck_assert_ptr_eq(slot(251, 1).reserver, &others[n]);
	munmap(others, plen);
}
END_TEST

Suite *cost_suite(void)
{
	Suite *s = suite_create("cost");
	TCase *tc = tcase_create("cost");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rows_allocated_on_use_freed_when_empty);
	tcase_add_test(tc, claim_touches_only_its_adapters);
	tcase_add_test(tc, memory_bound);
	tcase_add_test(tc, claim_reads_no_other_owner);
	suite_add_tcase(s, tc);
	return s;
}
