// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: the apmatrix kernel files on a simulated AP host, under Check.
 * Usage: ksim [NAME]  -- NAME prefixes the summary line ("ksim-native").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksim-test.h"
#include "ksim-task.h"
#include "ksim-ap-bus.h"

static long slab_base;

/* the simulation without an AP bus up (the queue-driver suite's own) */
void ksim_setup_bare(void)
{
	ksim_reset();
	ksim_task_reset();
	ksim_ap_bus_reset(false);
	shim_slab_reset();
	slab_base = shim_slab_live();
}

/*
 * A host as it boots: the AP bus up with its default driver, then the
 * apmatrix queue driver from kvm's late_initcall, so that its veto is in
 * force (apmx_qdrv_ready()).
 */
void ksim_setup(void)
{
	ksim_setup_bare();
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_ap_bus_reset(true);
	ck_assert_int_eq(ap_driver_register(&ksim_zcrypt_drv, THIS_MODULE,
					    "cex4queue"), 0);
	ksim_ap_bus_late_initcall();
#endif
	ck_assert(apmx_qdrv_ready());
	slab_base = shim_slab_live();
}

void ksim_check_clean(void)
{
	ck_assert_uint_eq(ksim_locks_held(), 0);
	ck_assert_msg(ksim_violations == 0, "%u kernel rule violations:\n%s",
		      ksim_violations, ksim_printk_log());
	ck_assert_uint_eq(ksim_warnings, 0);
}

static void teardown(void)
{
	ksim_check_clean();
	kvm_s390_apmx_qdrv_exit();
#if IS_ENABLED(CONFIG_ZCRYPT)
	ksim_ap_bus_teardown();
#endif
	ksim_teardown();
	ck_assert_int_eq(shim_slab_live(), slab_base);
	ck_assert_int_eq(ksim_pid_refs(), 0);
}

TCase *ksim_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, ksim_setup, teardown);
	tcase_set_timeout(tc, 60);
	return tc;
}

long ksim_set(struct kvm *kvm, const char *apm, const char *aqm,
	      const char *adm, struct kvm_s390_ap_matrix *out)
{
	struct kvm_s390_ap_matrix a;

	ksim_matrix(&a, apm, aqm, adm);
	long rc = ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a);

	if (out)
		*out = a;
	return rc;
}

void ksim_get(struct kvm *kvm, struct kvm_s390_ap_matrix *out)
{
	memset(out, 0xa5, sizeof(*out));
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_GET_AP_MATRIX, out), 0);
}

/* set in @img at byte @off on the ids of @mask below @nbits (MSB-0) */
static void crycb_field(u8 *img, size_t off, const u8 *mask,
			unsigned int nbits)
{
	unsigned int id;

	for (id = 0; id < nbits; id++)
		if (mask[id / 8] & (0x80 >> (id % 8)))
			img[off + id / 8] |= 0x80 >> (id % 8);
}

/*
 * The expected CRYCB page, written from the architecture and from
 * arch/s390/include/asm/kvm_host.h (struct kvm_s390_crypto_cb: APCB0 at
 * 0x00 with apm 64 bits @0, aqm 16 bits @8, adm 16 bits @16; APCB1 at
 * 0x80 with apm, aqm, adm 256 bits each @0, @32, @64), independently of
 * the core's apmx_crycb_image(); the whole page is compared, so nothing
 * else may be written.
 */
void ksim_assert_crycb(struct kvm *kvm, const struct kvm_s390_ap_masks *m)
{
	u8 want[KSIM_CRYCB_BYTES];

	memset(want, 0, sizeof(want));
	if ((kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK) == CRYCB_FORMAT2) {
		crycb_field(want, KSIM_APCB1_OFFSET, m->apm, 256);
		crycb_field(want, KSIM_APCB1_OFFSET + 32, m->aqm, 256);
		crycb_field(want, KSIM_APCB1_OFFSET + 64, m->adm, 256);
	} else {
		crycb_field(want, 0, m->apm, 64);
		crycb_field(want, 8, m->aqm, 16);
		crycb_field(want, 16, m->adm, 16);
	}
	ck_assert_mem_eq(kvm->crycb_page, want, sizeof(want));
}

void ksim_zapq_counts_clear(void)
{
	unsigned int a, d;

	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++) {
			ksim_host.q[a][d].zapq_calls = 0;
			ksim_host.q[a][d].tapq_calls = 0;
		}
}

const struct apmx_owner *ksim_user(unsigned int apid, unsigned int apqi)
{
	struct apmx_slot s;

	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	return s.user;
}

u64 ksim_vm_id(struct kvm *kvm)
{
	return kvm->arch.crypto.apmx ? kvm->arch.crypto.apmx->owner.id : 0;
}

/* Suites of other files, linked in when they exist (queue driver). */
Suite *ksim_suite_queue_driver(void) __attribute__((weak));

/* ksim --bench: only the timed releases of bench-release.c (make bench) */
static int bench(void)
{
	SRunner *sr = srunner_create(ksim_suite_bench());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	if (failed)
		srunner_print(sr, CK_NORMAL);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "ksim";
	SRunner *sr;
	int run, failed;

	if (!strcmp(name, "--bench"))
		return bench();
	sr = srunner_create(ksim_suite_ioctl());
	srunner_add_suite(sr, ksim_suite_owner());
	srunner_add_suite(sr, ksim_suite_zeroize());
	srunner_add_suite(sr, ksim_suite_grant());
	srunner_add_suite(sr, ksim_suite_privilege());
	srunner_add_suite(sr, ksim_suite_shims());
	srunner_add_suite(sr, ksim_suite_faults());
	srunner_add_suite(sr, ksim_suite_hwfaults());
	srunner_add_suite(sr, ksim_suite_aqic());
	if (ksim_suite_queue_driver)
		srunner_add_suite(sr, ksim_suite_queue_driver());
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%s: %d passed, %d failed\n", name, run - failed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
