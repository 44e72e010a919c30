// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test the KVM/s390 AP matrix VM ioctls: the capability, a set/get round
 * trip, two VMs asking for the same APQN, and bad input.
 *
 * Needs AP hardware and an APQN that the host's default zcrypt drivers do
 * not own (see /sys/bus/ap/apmask and aqmask); skips otherwise.  Run as
 * root: setting a matrix without a grant needs CAP_SYS_ADMIN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <asm/kvm_ap_matrix.h>

#include "test_util.h"
#include "kvm_util.h"
#include "kselftest.h"

static void mask_set(__u8 *mask, unsigned int id)
{
	mask[id / 8] |= 0x80 >> (id % 8);
}

static int mask_test(const __u8 *mask, unsigned int id)
{
	return !!(mask[id / 8] & (0x80 >> (id % 8)));
}

/* Read an AP bus mask ("0x" + 64 hex digits, id 0 leftmost) from sysfs. */
static int read_ap_mask(const char *path, __u8 *mask)
{
	char buf[80], *p;
	unsigned int i, v;
	FILE *f;

	memset(mask, 0, KVM_S390_AP_MASK_BYTES);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || strncmp(buf, "0x", 2))
		return -1;
	for (i = 0; i < KVM_S390_AP_MASK_BYTES; i++) {
		if (sscanf(buf + 2 + 2 * i, "%2x", &v) != 1)
			break;
		mask[i] = v;
	}
	return 0;
}

/*
 * Find an APQN the default drivers do not own (@free) and, if there is
 * one, an APQN they do own (@owned), within the guest's limits.
 */
static bool find_apqns(unsigned int max_a, unsigned int max_d,
		       unsigned int *free_a, unsigned int *free_d,
		       int *owned_a, int *owned_d)
{
	__u8 apmask[KVM_S390_AP_MASK_BYTES], aqmask[KVM_S390_AP_MASK_BYTES];
	bool found = false;
	unsigned int a, d;

	*owned_a = -1;
	*owned_d = -1;
	if (read_ap_mask("/sys/bus/ap/apmask", apmask) ||
	    read_ap_mask("/sys/bus/ap/aqmask", aqmask))
		return false;
	for (a = 0; a <= max_a; a++) {
		for (d = 0; d <= max_d; d++) {
			bool owned = mask_test(apmask, a) && mask_test(aqmask, d);

			if (owned && *owned_a < 0) {
				*owned_a = a;
				*owned_d = d;
			} else if (!owned && !found) {
				*free_a = a;
				*free_d = d;
				found = true;
			}
		}
	}
	return found;
}

static int set_matrix(struct kvm_vm *vm, struct kvm_s390_ap_matrix *m)
{
	return __vm_ioctl(vm, KVM_S390_SET_AP_MATRIX, m);
}

static void test_capability(struct kvm_vm *vm)
{
	TEST_ASSERT(vm_check_cap(vm, KVM_CAP_S390_AP_MATRIX) == 1,
		    "VM capability differs from the system capability");
	ksft_test_result_pass("capability\n");
}

static void test_round_trip(struct kvm_vm *vm, unsigned int a, unsigned int d)
{
	struct kvm_s390_ap_matrix set = {}, get = {};

	vm_ioctl(vm, KVM_S390_GET_AP_MATRIX, &get);
	TEST_ASSERT(!mask_test(get.requested.apm, a),
		    "a new VM has adapter %u", a);

	mask_set(set.requested.apm, a);
	mask_set(set.requested.aqm, d);
	mask_set(set.requested.adm, d);
	TEST_ASSERT(!set_matrix(vm, &set),
		    "set (%u.%u): errno %d, reason %u", a, d, errno,
		    set.refusal.reason);
	TEST_ASSERT(set.refusal.reason == KVM_S390_AP_OK,
		    "successful set reports reason %u", set.refusal.reason);
	TEST_ASSERT(!memcmp(&set.effective, &set.requested,
			    sizeof(set.effective)),
		    "effective matrix differs from an in-limit request");

	memset(&get, 0, sizeof(get));
	vm_ioctl(vm, KVM_S390_GET_AP_MATRIX, &get);
	TEST_ASSERT(!memcmp(&get.requested, &set.requested,
			    sizeof(get.requested)),
		    "get does not return what set asked for");
	TEST_ASSERT(!memcmp(&get.effective, &set.effective,
			    sizeof(get.effective)),
		    "get and set disagree on the effective matrix");
	TEST_ASSERT(get.crycb_format == set.crycb_format &&
		    get.max_adapter == set.max_adapter &&
		    get.max_domain == set.max_domain,
		    "get and set disagree on the CRYCB limits");
	ksft_test_result_pass("set/get round trip with APQN %02x.%04x\n", a, d);
}

static void test_two_vms(struct kvm_vm *vm1, unsigned int a, unsigned int d)
{
	struct kvm_s390_ap_matrix m = {}, before = {}, after = {};
	struct kvm_vm *vm2 = vm_create_barebones();

	vm_ioctl(vm2, KVM_S390_GET_AP_MATRIX, &before);
	mask_set(m.requested.apm, a);
	mask_set(m.requested.aqm, d);
	TEST_ASSERT(set_matrix(vm2, &m) == -1 && errno == EADDRINUSE,
		    "second VM got APQN %02x.%04x (errno %d)", a, d, errno);
	TEST_ASSERT(m.refusal.reason == KVM_S390_AP_R_IN_USE &&
		    m.refusal.adapter == a && m.refusal.domain == d &&
		    m.refusal.holder_type == KVM_S390_AP_HOLDER_VM &&
		    m.refusal.holder_pid == getpid() && m.refusal.holder_id,
		    "refusal: reason %u, APQN %u.%u, holder type %u pid %d",
		    m.refusal.reason, m.refusal.adapter, m.refusal.domain,
		    m.refusal.holder_type, m.refusal.holder_pid);
	vm_ioctl(vm2, KVM_S390_GET_AP_MATRIX, &after);
	TEST_ASSERT(!memcmp(&before, &after, sizeof(after)),
		    "a refused set changed the second VM");

	/* once the first VM lets go, the second one gets the queue */
	vm_ioctl(vm1, KVM_S390_CLEAR_AP_MATRIX, NULL);
	memset(&m.refusal, 0, sizeof(m.refusal));
	TEST_ASSERT(!set_matrix(vm2, &m), "set after clear: errno %d, reason %u",
		    errno, m.refusal.reason);
	kvm_vm_free(vm2);	/* VM destroy releases the queue */
	memset(&m.refusal, 0, sizeof(m.refusal));
	TEST_ASSERT(!set_matrix(vm1, &m), "set after VM destroy: errno %d",
		    errno);
	ksft_test_result_pass("two VMs, one APQN\n");
}

static void test_bad_input(struct kvm_vm *vm, int owned_a, int owned_d)
{
	struct kvm_s390_ap_matrix m = {}, before = {}, after = {};

	vm_ioctl(vm, KVM_S390_GET_AP_MATRIX, &before);

	m.flags = ~KVM_S390_AP_MATRIX_F_ALL;
	TEST_ASSERT(set_matrix(vm, &m) == -1 && errno == EINVAL,
		    "unknown flags accepted");
	m.flags = 0;
	m.reserved[7] = 1;
	TEST_ASSERT(set_matrix(vm, &m) == -1 && errno == EINVAL,
		    "non-zero reserved field accepted");
	m.reserved[7] = 0;

	vm_ioctl(vm, KVM_S390_GET_AP_MATRIX, &m);
	if (m.max_adapter < KVM_S390_AP_MAX_ID) {
		unsigned int bad = m.max_adapter + 1;

		memset(&m, 0, sizeof(m));
		mask_set(m.requested.apm, bad);
		TEST_ASSERT(set_matrix(vm, &m) == -1 && errno == EINVAL,
			    "adapter %u beyond the limit accepted", bad);
		TEST_ASSERT(m.refusal.reason == KVM_S390_AP_R_ID_RANGE &&
			    m.refusal.field == KVM_S390_AP_FIELD_ADAPTER &&
			    m.refusal.adapter == bad,
			    "range refusal names %u/%u", m.refusal.field,
			    m.refusal.adapter);
	}
	if (owned_a >= 0) {
		memset(&m, 0, sizeof(m));
		mask_set(m.requested.apm, owned_a);
		mask_set(m.requested.aqm, owned_d);
		TEST_ASSERT(set_matrix(vm, &m) == -1 && errno == EADDRNOTAVAIL,
			    "host-owned APQN %d.%d accepted", owned_a, owned_d);
		TEST_ASSERT(m.refusal.reason == KVM_S390_AP_R_HOST_OWNED &&
			    m.refusal.holder_type == KVM_S390_AP_HOLDER_HOST,
			    "host refusal: reason %u holder %u",
			    m.refusal.reason, m.refusal.holder_type);
	}
	vm_ioctl(vm, KVM_S390_GET_AP_MATRIX, &after);
	TEST_ASSERT(!memcmp(&before, &after, sizeof(after)),
		    "a refused set changed the VM");
	ksft_test_result_pass("bad input refused, nothing changed\n");
}

int main(int argc, char *argv[])
{
	struct kvm_s390_ap_matrix m = {};
	unsigned int a = 0, d = 0;
	int owned_a, owned_d;
	struct kvm_vm *vm;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_S390_AP_MATRIX));
	TEST_REQUIRE(geteuid() == 0);

	ksft_print_header();
	ksft_set_plan(4);

	vm = vm_create_barebones();
	test_capability(vm);
	vm_ioctl(vm, KVM_S390_GET_AP_MATRIX, &m);
	if (!find_apqns(m.max_adapter, m.max_domain, &a, &d, &owned_a,
			&owned_d)) {
		ksft_test_result_skip("no APQN free of the default drivers\n");
		ksft_test_result_skip("two VMs, one APQN\n");
	} else {
		test_round_trip(vm, a, d);
		test_two_vms(vm, a, d);
	}
	test_bad_input(vm, owned_a, owned_d);
	kvm_vm_free(vm);
	ksft_finished();
}
