// SPDX-License-Identifier: GPL-2.0
/*
 * Test-bed scenario of the apmatrix PQAP(AQIC) hook (issue 13) on the real
 * /dev/kvm, AP bus and GISA of the apmatrix kernel, the emulated adapters
 * recording the host's AQIC (s390-ap-emu aqic=on,
 * tests/testbed/qemu/0006-*.patch):
 *
 *   a VM with guest memory and a vCPU holds adapter A x two domains; its
 *   guest's AQIC enable is driven through the PQAP hook as 6.1's
 *   handle_pqap() calls it (apmx_pqap_test.ko, tests/testbed/kmod/): the
 *   host issues AQIC with KVM's GIB alert ISC, the guest ISC, the VM's
 *   GISA and the pinned NIB page's address, and one page is pinned
 *   (/proc/vmstat nr_foll_pin_acquired - nr_foll_pin_released);
 *   bad NIBs answer 06 and pin nothing; then each way out -- the guest's
 *   disable, RESET_AP_QUEUES, a SET without the queue, CLEAR, the adapter
 *   leaving the configuration, VM destroy -- turns the host's
 *   interruptions off and releases the pin.  Lock debugging stays on
 *   (suite debug-locks).
 *
 *   scen-aqic --adapters LIST --domains LIST
 *
 * Uses the last adapter of LIST (freed here with apmask, given back at
 * the end) and the first two of its domains.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "apmx-pqap-test.h"
#include "tb.h"
#include "tbmon.h"

#define MEM_SIZE	(1UL << 20)	/* guest memory: 1 MiB at 0 */
#define NIB_GPA		0x8040UL	/* a NIB in guest page 8 */
#define GUEST_ISC	3
/* 6.1 arch/s390/include/asm/isc.h: GAL_ISC, the ISC of KVM's GIB alerts */
#define GIB_ALERT_ISC	5
#define AQIC_IR		(1ULL << (63 - 16))
#define STATUS_I	0x01000000u	/* interruptions enabled */
#define STATE_LEN	1024		/* a queue's state line */

static unsigned int A, D[2];
static int vm, vcpu, pqap;
static void *mem;

/*
 * Pins taken and not released, system wide: 6.1 mm/gup.c counts them in
 * the node stats NR_FOLL_PIN_ACQUIRED/RELEASED, whose per-CPU deltas
 * /proc/vmstat shows only once folded: a write to /proc/sys/vm/
 * stat_refresh folds them (mm/vmstat.c vmstat_refresh()).
 */
static long pins(void)
{
	char line[128];
	long acq = -1, rel = -1, v;
	FILE *f;

	if (write_attr("/proc/sys/vm/stat_refresh", "1"))
		return -1;
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "nr_foll_pin_acquired %ld", &v) == 1)
			acq = v;
		else if (sscanf(line, "nr_foll_pin_released %ld", &v) == 1)
			rel = v;
	}
	fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

/* the emulated queue A.@d's state line ("get" verb); "" if unreadable */
static void qstate(unsigned int d, char *st, size_t len)
{
	const char *a = tb_req("get %02x.%04x", A, d);

	snprintf(st, len, "%s", tb_req_ok(a) ? a : "");
}

/* a field of state line @st, -1 if absent */
static long long sfield(const char *st, const char *key)
{
	char want[32];
	const char *p;

	snprintf(want, sizeof(want), " %s=", key);
	p = strstr(st, want);
	return p ? strtoll(p + strlen(want), NULL, 0) : -1;
}

/* one field of the emulated queue A.@d's state, read now */
static long long qfield(unsigned int d, const char *key)
{
	char st[STATE_LEN];

	qstate(d, st, sizeof(st));
	return sfield(st, key);
}

/* the guest's PQAP(AQIC) through the hook: the status word, or -1 */
static long long aqic(unsigned int d, int enable, unsigned long nib)
{
	struct apmx_pqap_call c = {
		.vcpu_fd = vcpu,
		.gr0 = 3ULL << 24 | A << 8 | d,
		.gr1 = enable ? AQIC_IR | GUEST_ISC : 0,
		.gr2 = nib,
	};

	if (ioctl(pqap, APMX_PQAP_CALL, &c) || c.hook_ret) {
		printf("# AQIC %02x.%04x: errno %d hook %d\n", A, d, errno,
		       c.hook_ret);
		return -1;
	}
	return c.gr1_out & 0xffffffffu;
}

static unsigned int rc_of(long long st)
{
	return st < 0 ? 0x100 : (st >> 16) & 0xff;
}

/* a VM with 1 MiB of guest memory and one vCPU; 0 or -errno */
static int vm_new(void)
{
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
	};
	int kvm = tb_open_kvm();

	vm = kvm < 0 ? -1 : tb_create_vm(kvm);
	if (kvm >= 0)
		close(kvm);
	if (vm < 0)
		return -errno;
	r.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r))
		return -errno;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	return vcpu < 0 ? -errno : 0;
}

static void vm_close(void)
{
	close(vcpu);
	close(vm);
}

/* SET A x the first @nd domains; the errno */
static int set_domains(unsigned int nd)
{
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES] = { 0 };
	struct kvm_s390_ap_matrix m;
	unsigned int i;

	tb_mask1(apm, A);
	for (i = 0; i < nd; i++)
		apmx_mask_set(aqm, D[i]);
	return tb_set(vm, apm, aqm, NULL, -1, &m);
}

/* wait up to 10 s for @want pins (a release may wait for a reset) */
static long wait_pins(long want)
{
	long p = pins();
	int i;

	for (i = 0; i < 100 && p != want; i++) {
		usleep(100000);
		p = pins();
	}
	return p;
}

/* enable on D[0]: the answer's RC, and whether a pin was added */
static int enable_d0(long base)
{
	long long st = aqic(D[0], 1, NIB_GPA);

	return rc_of(st) == 0 && (st & STATUS_I) && pins() == base + 1 &&
	       qfield(D[0], "irq") == 1;
}

/*
 * @how took the pin away and, unless @aqic_off is false (the queue was
 * gone), issued the AQIC that turns the interruptions off first: a reset
 * would turn them off in the emulated adapter too, so the count of AQICs
 * with IR 0 (offs, from @offs0) is what shows the kernel's own
 */
static void check_released(const char *how, long base, long long offs0,
			   int aqic_off)
{
	long p = wait_pins(base);
	char st[STATE_LEN], off[64] = "";
	long long offs;

	qstate(D[0], st, sizeof(st));
	offs = sfield(st, "offs");
	if (aqic_off)
		snprintf(off, sizeof(off), "the kernel's AQIC off (offs %lld -> %lld), ",
			 offs0, offs);
	check(p == base && sfield(st, "irq") == 0 &&
	      (!aqic_off || offs > offs0),
	      "%s: %sthe host's interruptions off (irq %lld), the pin released (%ld held, %ld before)",
	      how, off, sfield(st, "irq"), p, base);
}

static void test_enable(long base)
{
	struct kvm_s390_ap_matrix m = { 0 };
	long long st, aqics, offs;
	char qst[STATE_LEN];
	int rc;

	rc = ioctl(vm, KVM_S390_GET_AP_MATRIX, &m) ? errno : 0;
	check(!rc && (m.flags & KVM_S390_AP_MATRIX_F_AQIC),
	      "GET reports KVM_S390_AP_MATRIX_F_AQIC (the VM has a GISA; flags 0x%x, errno %d)",
	      m.flags, rc);

	/* a marker in the guest's NIB byte: the host's NIB must show it */
	((volatile unsigned char *)mem)[NIB_GPA] = 0x5a;
	aqics = qfield(D[0], "aqics");
	st = aqic(D[0], 1, NIB_GPA);
	check(rc_of(st) == 0 && (st & STATUS_I),
	      "the guest's enable of %02x.%04x answers 00 with interruptions on (status 0x%08llx)",
	      A, D[0], st);
	/*
	 * a GISA: 6.1 kvm_s390_gisa_init() sets its first word (next_alert)
	 * to its own origin
	 */
	qstate(D[0], qst, sizeof(qst));
	check(sfield(qst, "aqics") == aqics + 1 && sfield(qst, "irq") == 1 &&
	      sfield(qst, "gisc") == GUEST_ISC &&
	      sfield(qst, "isc") == GIB_ALERT_ISC && sfield(qst, "gisa") > 0 &&
	      sfield(qst, "gisaword") == sfield(qst, "gisa"),
	      "the host issued one AQIC with the guest ISC %d, KVM's GIB alert ISC %d and a GISA (gisc %lld isc %lld gisa 0x%llx, its first word 0x%llx)",
	      GUEST_ISC, GIB_ALERT_ISC, sfield(qst, "gisc"), sfield(qst, "isc"),
	      sfield(qst, "gisa"), sfield(qst, "gisaword"));
	check(sfield(qst, "nib") > 0 &&
	      (sfield(qst, "nib") & 0xfff) == (NIB_GPA & 0xfff) &&
	      sfield(qst, "nibbyte") == 0x5a && pins() == base + 1,
	      "the host's NIB is the guest's NIB byte in the one pinned page (nib 0x%llx holds 0x%llx, the guest wrote 0x5a; %ld pins held, %ld before)",
	      sfield(qst, "nib"), sfield(qst, "nibbyte"), pins(), base);

	/* enabled twice: no second pin */
	st = aqic(D[0], 1, NIB_GPA);
	check(rc_of(st) == 0x07 && (st & STATUS_I) && pins() == base + 1,
	      "enabled again: 07, still on, still one pin (status 0x%08llx, %ld held)",
	      st, pins());

	/* bad NIBs: 06, nothing pinned, no host AQIC */
	aqics = qfield(D[1], "aqics");
	st = aqic(D[1], 1, MEM_SIZE + 0x40);
	check(rc_of(st) == 0x06 && pins() == base + 1 &&
	      qfield(D[1], "aqics") == aqics && qfield(D[1], "irq") == 0,
	      "a NIB outside guest memory answers 06, pins nothing, issues no AQIC (status 0x%08llx)",
	      st);
	st = aqic(D[1], 1, 0);
	check(rc_of(st) == 0x06 && pins() == base + 1 &&
	      qfield(D[1], "aqics") == aqics,
	      "a NIB of 0 answers 06, pins nothing, issues no AQIC (status 0x%08llx)",
	      st);
	/* a queue outside the matrix: 01 */
	st = aqic(D[1] + 1 == D[0] ? D[1] + 2 : D[1] + 1, 1, NIB_GPA);
	check(rc_of(st) == 0x01 && pins() == base + 1,
	      "a queue outside the VM's matrix answers 01 (status 0x%08llx)",
	      st);

	offs = qfield(D[0], "offs");
	st = aqic(D[0], 0, 0);
	check(rc_of(st) == 0 && !(st & STATUS_I),
	      "the guest's disable answers 00 with interruptions off (status 0x%08llx)",
	      st);
	check_released("the guest's disable", base, offs, 1);
}

static void test_exits(long base)
{
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	long long offs;
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;
	char removed[128], v[160];
	const char *a;
	int ok, rc;

	ok = enable_d0(base);
	offs = qfield(D[0], "offs");
	rc = ioctl(vm, KVM_S390_RESET_AP_QUEUES, &r) ? errno : 0;
	check(ok && !rc, "enabled, then RESET_AP_QUEUES (errno %d)", rc);
	check_released("RESET_AP_QUEUES", base, offs, 1);

	ok = enable_d0(base);
	offs = qfield(D[0], "offs");
	tb_mask1(apm, A);
	tb_mask1(aqm, D[1]);
	rc = tb_set(vm, apm, aqm, NULL, -1, &m);
	check(ok && !rc, "enabled, then a SET without %02x.%04x (errno %d)",
	      A, D[0], rc);
	check_released("a SET without the queue", base, offs, 1);

	rc = set_domains(2);
	ok = !rc && enable_d0(base);
	offs = qfield(D[0], "offs");
	rc = ioctl(vm, KVM_S390_CLEAR_AP_MATRIX, 0) ? errno : 0;
	check(ok && !rc, "enabled, then CLEAR (errno %d)", rc);
	check_released("CLEAR", base, offs, 1);

	/* the adapter leaves the configuration (the spares stay out) */
	rc = set_domains(2);
	ok = !rc && enable_d0(base);
	a = tb_req("prop removed");
	snprintf(removed, sizeof(removed), "%s",
		 tb_req_ok(a) && strcmp(a + 3, "-") ? a + 3 : "");
	snprintf(v, sizeof(v), "%u%s%s", A, removed[0] ? ":" : "", removed);
	a = tb_req("prop removed %s", v);
	rc = tb_req_ok(a) ? write_attr("/sys/bus/ap/scans", "1") : -1;
	check(ok && !rc, "enabled, then adapter %u leaves the configuration ('%s')",
	      A, a);
	/* an AQIC off to a queue out of the configuration answers 01 */
	check_released("the queue removed", base, 0, 0);
	a = tb_req("prop removed %s", removed[0] ? removed : "-");
	rc = tb_req_ok(a) ? write_attr("/sys/bus/ap/scans", "1") : -1;
	snprintf(v, sizeof(v), "%02x.%04x", A, D[0]);
	check(!rc && !wait_driver(v, "apmatrix"),
	      "adapter %u back, %s bound to apmatrix again", A, v);

	ok = enable_d0(base);
	offs = qfield(D[0], "offs");
	vm_close();
	check(ok, "enabled, then the VMM closes the VM");
	check_released("VM destroy", base, offs, 1);
}

static void usage(void)
{
	fprintf(stderr, "usage: scen-aqic --adapters LIST --domains LIST\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u8 apm[APMX_MASK_BYTES] = { 0 }, aqm[APMX_MASK_BYTES] = { 0 };
	unsigned int d, n = 0;
	long base;
	int rc, bad = 0;

	tb_suite = "aqic";
	rc = tb_host_lists(argc, argv, "scen-aqic", apm, aqm);
	if (rc == -1)
		usage();
	if (rc)
		return 2;
	A = apmx_mask_last(apm);
	apmx_for_each_id(d, aqm)
		if (n < 2)
			D[n++] = d;
	if (A >= APMX_NR_IDS || n < 2)
		usage();
	tb_mon_init();

	pqap = open(APMX_PQAP_TEST_DEV, O_RDWR);
	/* a memslot starts on a segment (1 MiB) boundary on s390 */
	mem = mmap(NULL, 2 * MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem != MAP_FAILED)
		mem = (void *)(((unsigned long)mem + MEM_SIZE - 1) &
			       ~(MEM_SIZE - 1));
	rc = tb_adapter_free(A, D, 2, &bad);
	rc = rc ?: vm_new();
	rc = rc ?: set_domains(2);
	base = pins();
	check(pqap >= 0 && mem != MAP_FAILED && !rc && !bad && base >= 0,
	      "setup: %s, apmask -%u, a VM with 1 MiB and a vCPU holds %02x x %u:%u (rc %d; %ld pins held)",
	      APMX_PQAP_TEST_DEV, A, A, D[0], D[1], rc, base);
	if (pqap < 0 || rc || base < 0) {
		tb_adapter_return(A, D, 2, &bad);
		return tb_finish();
	}

	test_enable(base);
	test_exits(base);

	rc = tb_adapter_return(A, D, 2, &bad);
	check(!rc && !bad && pins() == base,
	      "cleanup: apmask +%u gives the queues back to cex4queue, no pin left (rc %d, %ld held)",
	      A, rc, pins());
	return tb_finish();
}
