// SPDX-License-Identifier: GPL-2.0
/*
 * ksim --bench: releases of 256 queues whose resets take 20 ms each, on
 * the virtual clock of msleep() (make bench prints them; not part of the
 * test run).  Three ways to give up 256 queues: KVM_S390_CLEAR_AP_MATRIX
 * of one adapter x 256 domains, a SET that drops 16 adapters x 16 domains,
 * and destroying a VM that holds one adapter x 256 domains.  Each line
 * gives the simulated time of the call and the longest hold of the VM's
 * op_lock and of the global table lock; every queue must be zeroized and
 * free afterwards, or the benchmark fails.
 */
#include <stdio.h>
#include "ksim-test.h"

#define BENCH_RESET_MS	20

static void slow_resets(const char *apm, const char *aqm)
{
	struct kvm_s390_ap_masks m;
	unsigned int a, d;

	ksim_masks(&m, apm, aqm, "");
	apmx_for_each_id(a, m.apm)
		apmx_for_each_id(d, m.aqm) {
			ksim_host.q[a][d].secret = 0x5ec0000 + a * 256 + d;
			ksim_host.q[a][d].reset_ms = BENCH_RESET_MS;
		}
}

static void all_zeroized(const char *apm, const char *aqm)
{
	struct kvm_s390_ap_masks m;
	unsigned int a, d;

	ksim_masks(&m, apm, aqm, "");
	apmx_for_each_id(a, m.apm)
		apmx_for_each_id(d, m.aqm)
			ck_assert_uint_eq(ksim_host.q[a][d].secret, 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
}

static void report(const char *what, unsigned long ms)
{
	printf("release: %-44s %4lu ms simulated (goal <= 100), op_lock held <= %lu ms, table lock <= %lu ms\n",
	       what, ms, ksim_lock_hold_max(KSIM_RANK_VM_OP),
	       ksim_lock_hold_max(KSIM_RANK_TABLE));
	fflush(stdout);
}

START_TEST(release_256_slow_resets)
{
	struct kvm *vm = ksim_vm_create(CRYCB_FORMAT2);
	unsigned long t0;

	/* CLEAR of 1 x 256 */
	ck_assert_int_eq(ksim_set(vm, "7", "0-255", "", NULL), 0);
	slow_resets("7", "0-255");
	ksim_lock_hold_reset();
	t0 = ksim_now_ms;
	ck_assert_int_eq(ksim_ioctl(vm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	report("CLEAR_AP_MATRIX of 1 adapter x 256 domains", ksim_now_ms - t0);
	all_zeroized("7", "0-255");

	/* SET that drops 16 x 16 for one other queue */
	ck_assert_int_eq(ksim_set(vm, "0-15", "0-15", "", NULL), 0);
	slow_resets("0-15", "0-15");
	ksim_lock_hold_reset();
	t0 = ksim_now_ms;
	ck_assert_int_eq(ksim_set(vm, "100", "0", "", NULL), 0);
	report("SET dropping 16 adapters x 16 domains", ksim_now_ms - t0);
	ck_assert_int_eq(ksim_ioctl(vm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	all_zeroized("0-15", "0-15");

	/* VM destroy holding 1 x 256 */
	ck_assert_int_eq(ksim_set(vm, "9", "0-255", "", NULL), 0);
	slow_resets("9", "0-255");
	ksim_lock_hold_reset();
	t0 = ksim_now_ms;
	ksim_vm_destroy(vm);
	report("VM destroy holding 1 adapter x 256 domains", ksim_now_ms - t0);
	all_zeroized("9", "0-255");
}
END_TEST

Suite *ksim_suite_bench(void)
{
	Suite *s = suite_create("bench");
	TCase *tc = ksim_tcase("bench-release");

	tcase_add_test(tc, release_256_slow_resets);
	suite_add_tcase(s, tc);
	return s;
}
