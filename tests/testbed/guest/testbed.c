// SPDX-License-Identifier: GPL-2.0
/*
 * Test-bed guest tests: run as a static s390x program inside a Linux 6.1
 * guest of qemu-system-s390x -accel tcg with emulated AP adapters
 * (QEMU device s390-ap-emu, tests/testbed/qemu/).  They look at the real
 * AP bus, zcrypt and KVM through sysfs, /dev/hwrng and /dev/kvm.
 *
 *   testbed --adapters LIST --domains LIST [--type N] [--mode M] [--kvm]
 *           [--apmatrix]
 *
 * --kvm: kvm.ko is loaded: /dev/kvm, KVM_CREATE_VM, KVM_CREATE_VCPU (never
 * KVM_RUN: the emulated machine has no SIE).  --apmatrix: the kernel has
 * the apmatrix series: a first scenario through its ioctls and sysfs.
 *
 * LIST is an id list in the apmatrix syntax (docs/id-list-syntax.md),
 * parsed by the core's apmx_idlist_parse(); it must be the configuration
 * QEMU was started with.  Prints "ok N - ..." / "not ok N - ..." per check
 * and a last line "testbed-guest: P passed, F failed".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <asm/kvm_ap_matrix.h>

#include "apmx.h"
#include "apbus-mask.h"
#include "tb.h"

static void fmt_mask(const u8 *mask, char *buf, size_t len)
{
	apmx_idlist_format(mask, buf, len);
}

static void test_ap_bus(const u8 *apm, const u8 *aqm, int type, char mode)
{
	char buf[APMX_IDLIST_FMT_LEN], want[APMX_IDLIST_FMT_LEN];
	char path[256], drv[256], expect_type[16];
	u8 mask[APMX_MASK_BYTES];
	unsigned int apid, apqi, ncards = 0, nqueues = 0;
	long requests = 0, pending = 0;
	int cards_ok = 1, queues_ok = 1, extra = 0;
	struct dirent *de;
	DIR *d;

	check(access("/sys/bus/ap", F_OK) == 0, "the AP bus exists");

	check(!read_mask("ap_adapter_mask", mask) &&
	      !memcmp(mask, apm, APMX_MASK_BYTES),
	      "ap_adapter_mask is the emulated adapters");
	check(!read_mask("ap_usage_domain_mask", mask) &&
	      !memcmp(mask, aqm, APMX_MASK_BYTES),
	      "ap_usage_domain_mask is the emulated domains");

	if (wait_bindings(60, buf, sizeof(buf)))
		check(0, "bindings complete: '%s'", buf);
	else
		check(1, "bindings complete: %s", buf);

	snprintf(expect_type, sizeof(expect_type), "CEX%d%c", type - 6, mode);
	apmx_for_each_id(apid, apm) {
		snprintf(path, sizeof(path), AP_DEVICES "/card%02x", apid);
		ncards++;
		if (access(path, F_OK)) {
			printf("# card%02x missing\n", apid);
			cards_ok = 0;
			continue;
		}
		driver_of(path + strlen(AP_DEVICES "/"), drv, sizeof(drv));
		snprintf(path, sizeof(path), AP_DEVICES "/card%02x/type", apid);
		if (strcmp(drv, "cex4card") || read_attr(path, buf, sizeof(buf)) ||
		    strcmp(buf, expect_type)) {
			printf("# card%02x: driver '%s' type '%s'\n", apid, drv,
			       buf);
			cards_ok = 0;
		}
		snprintf(path, sizeof(path), AP_DEVICES "/card%02x/hwtype", apid);
		if (read_long(path) != type) {
			printf("# card%02x: hwtype %ld\n", apid, read_long(path));
			cards_ok = 0;
		}
		apmx_for_each_id(apqi, aqm) {
			char q[16];

			snprintf(q, sizeof(q), "%02x.%04x", apid, apqi);
			nqueues++;
			snprintf(path, sizeof(path), AP_DEVICES "/%s/online", q);
			driver_of(q, drv, sizeof(drv));
			if (strcmp(drv, "cex4queue") || read_long(path) != 1) {
				printf("# %s: driver '%s' online %ld\n", q, drv,
				       read_long(path));
				queues_ok = 0;
				continue;
			}
			snprintf(path, sizeof(path), AP_DEVICES "/%s/request_count", q);
			requests += read_long(path);
			snprintf(path, sizeof(path), AP_DEVICES "/%s/pendingq_count", q);
			pending += read_long(path);
			snprintf(path, sizeof(path), AP_DEVICES "/%s/requestq_count", q);
			pending += read_long(path);
		}
	}
	check(cards_ok, "%u cards %s, bound to cex4card", ncards, expect_type);
	check(queues_ok, "%u queues bound to cex4queue and online", nqueues);

	/* nothing else on the bus */
	d = opendir(AP_DEVICES);
	while (d && (de = readdir(d))) {
		unsigned int a, q;

		if (de->d_name[0] == '.')
			continue;
		if (sscanf(de->d_name, "card%2x", &a) == 1 &&
		    apmx_mask_test(apm, a))
			continue;
		if (sscanf(de->d_name, "%2x.%4x", &a, &q) == 2 &&
		    apmx_mask_test(apm, a) && apmx_mask_test(aqm, q))
			continue;
		printf("# unexpected AP device %s\n", de->d_name);
		extra++;
	}
	if (d)
		closedir(d);
	check(d && !extra, "no other AP devices");

	/*
	 * A CCA coprocessor registers an hwrng whose first read is sent as
	 * a request at bind; the emulated adapter answers every request with
	 * an error reply.  So requests went out (request_count grows with a
	 * read of /dev/hwrng) and none is left unanswered.
	 */
	if (mode == 'C') {
		char rnd[16];
		int fd = open("/dev/hwrng", O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, rnd, sizeof(rnd));
		int err = errno;
		long before = requests, after = 0;

		if (fd >= 0)
			close(fd);
		/* zcrypt_rng_data_read() turns the reply's -EINVAL into -EIO */
		check(fd >= 0 && n < 0 && err == EIO,
		      "reading /dev/hwrng sends a request and gets the error reply (EIO): fd %d n %zd errno %d",
		      fd, n, err);
		apmx_for_each_id(apid, apm) {
			apmx_for_each_id(apqi, aqm) {
				snprintf(path, sizeof(path),
					 AP_DEVICES "/%02x.%04x/request_count",
					 apid, apqi);
				after += read_long(path);
			}
		}
		check(after > before && pending == 0,
		      "request_count %ld -> %ld, %ld requests left unanswered",
		      before, after, pending);
	}

	/* the reset attribute resets a queue (RAPQ), which comes back */
	apid = apmx_mask_next(apm, 0);
	apqi = apmx_mask_next(aqm, 0);
	if (apid < APMX_NR_IDS && apqi < APMX_NR_IDS) {
		char q[16];
		int i, rc;

		snprintf(q, sizeof(q), "%02x.%04x", apid, apqi);
		snprintf(path, sizeof(path), AP_DEVICES "/%s/reset", q);
		rc = write_attr(path, "1");
		for (i = 0; i < 50; i++) {
			if (!read_attr(path, buf, sizeof(buf)) &&
			    !strcmp(buf, "No Reset Timer set."))
				break;
			usleep(100000);
		}
		snprintf(path, sizeof(path), AP_DEVICES "/%s/online", q);
		check(!rc && i < 50 && read_long(path) == 1,
		      "%s: reset completes and the queue stays online ('%s')",
		      q, buf);
	}

	fmt_mask(apm, want, sizeof(want));
	printf("# adapters %s", want);
	fmt_mask(aqm, want, sizeof(want));
	printf(" domains %s\n", want);
}

static void test_kvm(void)
{
	int kvm, vm, vcpu, ver;

	kvm = open("/dev/kvm", O_RDWR);
	check(kvm >= 0, "/dev/kvm opens (errno %d)", kvm < 0 ? errno : 0);
	if (kvm < 0)
		return;
	ver = ioctl(kvm, KVM_GET_API_VERSION, 0);
	check(ver == KVM_API_VERSION, "KVM_GET_API_VERSION is %d", ver);
	/* needs a PGSTE mm: this program is linked with --s390-pgste */
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	check(vm >= 0, "KVM_CREATE_VM (errno %d)", vm < 0 ? errno : 0);
	if (vm >= 0) {
		/* never KVM_RUN: the emulated machine has no SIE */
		vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
		check(vcpu >= 0, "KVM_CREATE_VCPU 0 (errno %d)",
		      vcpu < 0 ? errno : 0);
		if (vcpu >= 0)
			close(vcpu);
		close(vm);
	}
	close(kvm);
}

/*
 * Queues (@qs, space-separated APQNs) that the mask edit @edit released
 * from the host and nobody claimed: they exist and no driver binds them
 * (apmatrix's probe declines a queue the table does not hold,
 * queue-driver.c apmx_qdrv_probe(); vfio_ap is not loaded yet).
 */
static void check_unbound_list(const char *qs, const char *edit)
{
	char list[512], drv[64], bad[512] = "";
	char *q, *save;

	snprintf(list, sizeof(list), "%s", qs);
	for (q = strtok_r(list, " ", &save); q; q = strtok_r(NULL, " ", &save)) {
		driver_of(q, drv, sizeof(drv));
		if (!dev_exists(q) || drv[0])
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad),
				 " %s:'%s'%s", q, drv,
				 dev_exists(q) ? "" : "(missing)");
	}
	check(qs[0] && !bad[0],
	      "apmatrix: the queues %s released but not claimed (%s) stay unbound:%s",
	      edit, qs, bad[0] ? bad : " none bound");
}

/*
 * The released, unclaimed neighbours of the held queue @apid.@held: after
 * an apmask edit (@by_adapter) adapter @apid's queues with the other
 * domains of @ids; after an aqmask edit the queues of the other adapters
 * of @ids with domain @held.
 */
static void check_unbound(unsigned int apid, const u8 *ids, unsigned int held,
			  int by_adapter, const char *edit)
{
	char qs[512] = "";
	unsigned int id;

	apmx_for_each_id(id, ids) {
		if (id == (by_adapter ? held : apid))
			continue;
		snprintf(qs + strlen(qs), sizeof(qs) - strlen(qs), "%s%02x.%04x",
			 qs[0] ? " " : "", by_adapter ? apid : id,
			 by_adapter ? id : held);
	}
	check_unbound_list(qs, edit);
}

/*
 * aqmask, the AP bus's other mask (ap_bus.c aqmask_store(),
 * aqmask_commit(): setting a bit asks every driver's in_use() for the
 * adapters of apmask x the new domain): aqmask -@apqi releases domain @apqi
 * of every host adapter, @vm claims @apid.@apqi, and "+@apqi", which would
 * give it back to cex4queue, is refused EBUSY while the VM holds it; the
 * log names the queue.  After the VM is gone the same edit goes through.
 */
static void test_aqmask(int vm, const u8 *apm, unsigned int apid,
			unsigned int apqi)
{
	struct kvm_s390_ap_matrix m;
	u8 aqm_now[APMX_MASK_BYTES];
	char q[16], needle[64];
	int rc, err, kmsg;

	snprintf(q, sizeof(q), "%02x.%04x", apid, apqi);
	rc = ap_mask_edit("aqmask", '-', apqi);
	check(!rc && !wait_driver(q, ""),
	      "apmatrix: aqmask -%u releases %s from cex4queue (rc %d)", apqi,
	      q, rc);

	memset(&m, 0, sizeof(m));
	apmx_mask_set(m.requested.apm, apid);
	apmx_mask_set(m.requested.aqm, apqi);
	rc = ioctl(vm, KVM_S390_SET_AP_MATRIX, &m);
	err = errno;
	check(rc == 0 && !wait_driver(q, "apmatrix"),
	      "apmatrix: SET of %s, released by aqmask: bound to apmatrix (rc %d errno %d reason %u)",
	      q, rc, rc ? err : 0, m.refusal.reason);
	check_unbound(apid, apm, apqi, 0, "aqmask");

	kmsg = tb_kmsg_open();
	rc = ap_mask_edit("aqmask", '+', apqi);
	snprintf(needle, sizeof(needle), "AP queue %s stays with apmatrix", q);
	check(rc == -EBUSY && !wait_driver(q, "apmatrix") &&
	      !read_mask("aqmask", aqm_now) && !apmx_mask_test(aqm_now, apqi),
	      "apmatrix: aqmask +%u vetoed by in_use while the VM holds %s (rc %d), aqmask unchanged",
	      apqi, q, rc);
	check(tb_kmsg_find(kmsg, needle), "apmatrix: the log says '%s'",
	      needle);
	if (kmsg >= 0)
		close(kmsg);

	close(vm);
	rc = ap_mask_edit("aqmask", '+', apqi);
	check(!rc && !wait_driver(q, "cex4queue"),
	      "apmatrix: after the VM is gone aqmask +%u gives %s back to cex4queue (rc %d)",
	      apqi, q, rc);
}

/*
 * The apmatrix series on the real AP bus: a host-owned queue is refused;
 * apmask releases it; SET claims it and the apmatrix driver binds it; an
 * apmask edit that would give it back is vetoed by in_use while the VM
 * holds it; closing the VM releases it and the edit then goes through.
 */
static void test_apmatrix(const u8 *apm, const u8 *aqm)
{
	struct kvm_s390_ap_matrix m;
	unsigned int apid = apmx_mask_last(apm), apqi = apmx_mask_last(aqm);
	char q[16], val[16], path[256], buf[256];
	int kvm, vm, rc, err;

	snprintf(q, sizeof(q), "%02x.%04x", apid, apqi);
	kvm = open("/dev/kvm", O_RDWR);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	check(vm >= 0, "apmatrix: a VM to configure (errno %d)", errno);
	if (vm < 0)
		goto out;
	rc = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_S390_AP_MATRIX);
	check(rc == 1, "apmatrix: KVM_CAP_S390_AP_MATRIX is %d", rc);

	memset(&m, 0, sizeof(m));
	apmx_mask_set(m.requested.apm, apid);
	apmx_mask_set(m.requested.aqm, apqi);
	rc = ioctl(vm, KVM_S390_SET_AP_MATRIX, &m);
	err = errno;
	check(rc == -1 && err == EADDRNOTAVAIL &&
	      m.refusal.reason == KVM_S390_AP_R_HOST_OWNED &&
	      m.refusal.adapter == apid && m.refusal.domain == apqi &&
	      m.refusal.holder_type == KVM_S390_AP_HOLDER_HOST,
	      "apmatrix: SET of host-owned %s refused: rc %d errno %d reason %u at %02x.%04x holder %u",
	      q, rc, err, m.refusal.reason, m.refusal.adapter,
	      m.refusal.domain, m.refusal.holder_type);

	snprintf(val, sizeof(val), "-%u", apid);
	rc = write_attr("/sys/bus/ap/apmask", val);
	check(!rc && !wait_driver(q, ""),
	      "apmatrix: apmask %s releases %s from cex4queue (rc %d)", val,
	      q, rc);

	memset(&m.refusal, 0, sizeof(m.refusal));
	rc = ioctl(vm, KVM_S390_SET_AP_MATRIX, &m);
	err = errno;
	check(rc == 0 && apmx_mask_test(m.effective.apm, apid) &&
	      apmx_mask_test(m.effective.aqm, apqi),
	      "apmatrix: SET of the released %s (rc %d errno %d reason %u)",
	      q, rc, err, m.refusal.reason);
	check(!wait_driver(q, "apmatrix"),
	      "apmatrix: the apmatrix driver binds the claimed %s", q);
	check_unbound(apid, aqm, apqi, 1, "apmask");
	snprintf(path, sizeof(path), AP_DEVICES "/%s/apmatrix_holder", q);
	rc = read_attr(path, buf, sizeof(buf));
	check(!rc && !strncmp(buf, "vm ", 3),
	      "apmatrix: %s apmatrix_holder names the VM: '%s'", q,
	      rc ? "" : buf);

	snprintf(val, sizeof(val), "+%u", apid);
	rc = write_attr("/sys/bus/ap/apmask", val);
	check(rc == -EBUSY && !wait_driver(q, "apmatrix"),
	      "apmatrix: apmask %s vetoed by in_use while the VM holds %s (rc %d)",
	      val, q, rc);

	close(vm);
	vm = -1;
	rc = write_attr("/sys/bus/ap/apmask", val);
	check(!rc && !wait_driver(q, "cex4queue"),
	      "apmatrix: after the VM is gone apmask %s gives %s back to cex4queue (rc %d)",
	      val, q, rc);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm >= 0) {
		test_aqmask(vm, apm, apid, apqi);	/* closes it */
		vm = -1;
	} else {
		check(0, "apmatrix: a VM for the aqmask scenario (errno %d)",
		      errno);
	}
out:
	if (vm >= 0)
		close(vm);
	if (kvm >= 0)
		close(kvm);
}

static void usage(void)
{
	fprintf(stderr, "usage: testbed --adapters LIST --domains LIST "
		"[--type N] [--mode cca|ep11|accel] [--kvm] [--apmatrix]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u8 apm[APMX_MASK_BYTES] = { 0 }, aqm[APMX_MASK_BYTES] = { 0 };
	char err[APMX_ERRMSG_LEN];
	int i, type = 14, kvm = 0, apmatrix = 0, have_a = 0, have_d = 0;
	char mode = 'C';

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kvm")) {
			kvm = 1;
		} else if (!strcmp(argv[i], "--apmatrix")) {
			apmatrix = 1;
		} else if (i + 1 >= argc) {
			usage();
		} else if (!strcmp(argv[i], "--adapters")) {
			if (apmx_idlist_parse(argv[++i], KVM_S390_AP_MAX_ID, apm,
					      err, sizeof(err))) {
				fprintf(stderr, "testbed: --adapters: %s\n", err);
				return 2;
			}
			have_a = 1;
		} else if (!strcmp(argv[i], "--domains")) {
			if (apmx_idlist_parse(argv[++i], KVM_S390_AP_MAX_ID, aqm,
					      err, sizeof(err))) {
				fprintf(stderr, "testbed: --domains: %s\n", err);
				return 2;
			}
			have_d = 1;
		} else if (!strcmp(argv[i], "--type")) {
			type = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--mode")) {
			i++;
			if (!strcmp(argv[i], "cca"))
				mode = 'C';
			else if (!strcmp(argv[i], "ep11"))
				mode = 'P';
			else if (!strcmp(argv[i], "accel"))
				mode = 'A';
			else
				usage();
		} else {
			usage();
		}
	}
	if (!have_a || !have_d)
		usage();

	test_ap_bus(apm, aqm, type, mode);
	if (kvm)
		test_kvm();
	if (apmatrix)
		test_apmatrix(apm, aqm);

	return tb_finish();
}
