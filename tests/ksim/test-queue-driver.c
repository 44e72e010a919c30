// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: the apmatrix AP queue driver (queue-driver.c) on the simulated AP
 * bus (ksim-ap-bus.c, as strict as Linux 6.1): registration with KVM=y
 * (late) and its failures (the veto never fails open), binding next to
 * the default drivers and vfio_ap (unbound queues found on the bus, not
 * in ap_get_qdev()'s hash of bound ones), in_use vetoing apmask/aqmask
 * edits that would steal a held queue, mask edits that reprobe only the
 * queues they concern, queues the host's drivers still drive refused,
 * queues that vanish and come back, a removed free queue that must not
 * cost later guests its adapter, quarantined queues retried, the
 * root-only sysfs holder text, vfio_ap exclusivity both ways.
 */
#include <stdio.h>
#include <string.h>
#include "ksim-test.h"
#include "ksim-ap-bus.h"
#include "shim/asm/bitops.h"

#define CEX7	AP_DEVICE_TYPE_CEX7

static long base_slab;

static void qd_setup(void)
{
	ksim_setup_bare();
	ksim_ap_bus_reset(true);
	base_slab = shim_slab_live();
}

static void qd_teardown(void)
{
	ksim_ap_bus_teardown();
	ck_assert_int_eq(ksim_kvm_refs, 0);
	ck_assert_int_eq(ksim_qdev_refs, 0);
	ksim_check_clean();
	ksim_teardown();
	ck_assert_int_eq(shim_slab_live(), base_slab);
}

static TCase *qd_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, qd_setup, qd_teardown);
	tcase_set_timeout(tc, 60);
	return tc;
}

static void masks_of(struct kvm_s390_ap_masks *m, const char *apm,
		     const char *aqm, const char *adm)
{
	ksim_masks(m, apm, aqm, adm);
}

#if IS_ENABLED(CONFIG_ZCRYPT)
static void start_zcrypt_only(void)
{
	ck_assert_int_eq(ap_driver_register(&ksim_zcrypt_drv, THIS_MODULE,
					    "cex4queue"), 0);
}

/* zcrypt's default driver, then apmatrix at its late_initcall */
static void start(void)
{
	start_zcrypt_only();
	ksim_ap_bus_late_initcall();
	ck_assert(apmx_qdrv_ready());
}

/* vfio_ap, registered before us, binds 06.0002 when it comes */
static void vfio_ap_binds_0602(void)
{
	ck_assert_int_eq(ap_driver_register(&ksim_vfio_ap_drv, THIS_MODULE,
					    "vfio_ap"), 0);
	start();
	ksim_qdev_add(6, 2, CEX7);
	ck_assert_ptr_eq(ksim_qdev_driver(6, 2), &ksim_vfio_ap_drv);
}

static struct ap_driver *apmatrix_drv(unsigned int a, unsigned int d)
{
	struct ap_driver *drv = ksim_qdev_driver(a, d);

	ck_assert_ptr_nonnull(drv);
	ck_assert_str_eq(drv->driver.name, "apmatrix");
	return drv;
}

static void holder_is(unsigned int a, unsigned int d, const char *want)
{
	char buf[KSIM_PAGE_SIZE];

	ck_assert_int_gt(ksim_qdev_attr(a, d, "apmatrix_holder", buf), 0);
	ck_assert_str_eq(buf, want);
}

START_TEST(test_binds_held_queues_only)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_masks m;

	ksim_host_own("1", "1");
	ksim_qdev_add(1, 1, CEX7);
	ksim_qdev_add(2, 1, CEX7);
	ksim_qdev_add(3, 1, 5);		/* CEX2A: not our type */
	start();
	ck_assert_str_eq(ksim_qdev_driver(1, 1)->driver.name, "cex4queue");
	/* free queues stay unbound: vfio_ap may load later and take them */
	ck_assert_ptr_null(ksim_qdev_driver(2, 1));
	/* a set binds what it claims (of our types, existing ones) */
	ck_assert_int_eq(ksim_set(kvm, "2:3", "1:2", "", NULL), 0);
	apmatrix_drv(2, 1);
	ck_assert_ptr_null(ksim_qdev_driver(3, 1));
	/* a held queue that appears later is bound too */
	ksim_qdev_add(2, 2, AP_DEVICE_TYPE_CEX4);
	apmatrix_drv(2, 2);
	/* given back: still bound, shown free */
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	holder_is(2, 2, "free\n");
	/* module exit unbinds; a second exit does nothing */
	ck_assert(apmx_qdrv_ready());
	kvm_s390_apmx_qdrv_exit();
	ck_assert_ptr_null(ksim_qdev_driver(2, 1));
	kvm_s390_apmx_qdrv_exit();
	ck_assert(!apmx_qdrv_ready());
	ck_assert_int_eq(ksim_qdev_attr(2, 1, "apmatrix_holder", (char[8]){0}),
			 -ENOENT);
	/* not registered: attaching binds nothing */
	masks_of(&m, "2", "1", "");
	apmx_qdrv_attach(&m);
	ck_assert_ptr_null(ksim_qdev_driver(2, 1));
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * 6.1's ap_get_qdev() only finds queues bound to a driver: a set must find
 * the unbound queues it claims on the bus (usage and control domains) and
 * leave alone the queues outside its matrix and the card devices.
 */
START_TEST(test_attach_finds_unbound_queues)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_grant g;

	start();
	ksim_qdev_add(2, 1, CEX7);
	ksim_qdev_add(2, 3, CEX7);
	ksim_qdev_add(2, 5, CEX7);
	ksim_qdev_add(3, 1, CEX7);
	ksim_qdev_add(6, 1, CEX7);
	/* unbound, so invisible to ap_get_qdev() */
	ck_assert_ptr_null(ap_get_qdev(AP_MKQID(2, 1)));
	ksim_logs_clear();
	ck_assert_int_eq(ksim_set(kvm, "2", "1", "3", NULL), 0);
	apmatrix_drv(2, 1);
	apmatrix_drv(2, 3);		/* a control domain's queue too */
	/* bound by the set that claimed them: nothing came back */
	ck_assert_msg(!strstr(ksim_printk_log(), "plugged into"),
		      "a set's own binding logged as a queue back:\n%s",
		      ksim_printk_log());
	ck_assert_ptr_null(ksim_qdev_driver(2, 5));
	ck_assert_ptr_null(ksim_qdev_driver(3, 1));
	/* bound: the documented unbind step works */
	ck_assert_int_eq(ksim_qdev_unbind(2, 3), 0);
	ck_assert_int_eq(ksim_qdev_unbind(2, 3), -ENODEV);
	/* a grant binds what it reserves */
	memset(&g, 0, sizeof(g));
	masks_of(&g.masks, "6", "1", "");
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), 0);
	apmatrix_drv(6, 1);
	ck_assert_int_eq(ksim_close(g.fd), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(test_register_before_bus)
{
	/* KVM=y: the bus registers after kvm's init; module init is a no-op */
	ksim_ap_bus_reset(false);
	kvm_s390_apmx_qdrv_init();
	ksim_ap_bus_late_initcall();
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "apmatrix not registered (-22)"));
	ck_assert(!apmx_qdrv_ready());
	/* no AP instructions: the driver does not even try */
	ksim_ap_bus_reset(true);
	ksim_logs_clear();
	ksim_host.ap_instr = false;
	ksim_ap_bus_late_initcall();
	ksim_qdev_add(2, 1, CEX7);
	ck_assert_ptr_null(ksim_qdev_driver(2, 1));
	ck_assert_str_eq(ksim_printk_log(), "");
	ck_assert(!apmx_qdrv_ready());
}
END_TEST

static int impostor_probe(struct ap_device *apdev)
{
	return 0;
}

static struct ap_device_id cex7_queues[] = {
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, CEX7 },
	{ 0, 0 },
};

static struct ap_driver impostor = {
	.ids = cex7_queues,
	.probe = impostor_probe,
};

/*
 * A failed registration leaves nothing to veto mask edits: the driver says
 * it is not ready (KVM_CAP_S390_AP_MATRIX reads 0, sets fail), for every
 * way driver_register() fails, and only a registration makes it ready.
 */
START_TEST(test_register_failure_not_ready)
{
	start_zcrypt_only();
	ck_assert(!apmx_qdrv_ready());
	/* bus_add_driver() cannot allocate */
	ksim_ap_bus_fail_register = -ENOMEM;
	ksim_ap_bus_late_initcall();
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "apmatrix not registered (-12)"));
	ck_assert(!apmx_qdrv_ready());
	ck_assert_ptr_null(ksim_ap_driver("apmatrix"));
	/* the name is taken */
	ck_assert_int_eq(ap_driver_register(&impostor, THIS_MODULE,
					    "apmatrix"), 0);
	ksim_ap_bus_late_initcall();
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "apmatrix not registered (-16)"));
	ck_assert(!apmx_qdrv_ready());
	ap_driver_unregister(&impostor);
	/* now it registers and vetoes */
	ksim_ap_bus_late_initcall();
	ck_assert(apmx_qdrv_ready());
	ck_assert_ptr_nonnull(ksim_ap_driver("apmatrix"));
	kvm_s390_apmx_qdrv_exit();
	ck_assert(!apmx_qdrv_ready());
}
END_TEST

START_TEST(test_in_use_vetoes_held_queue)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	char want[64];

	start();
	ksim_qdev_add(4, 1, CEX7);
	ksim_qdev_add(5, 1, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", NULL), 0);
	/* aqmask 1 alone gives no APQN to the host: allowed */
	ck_assert_int_eq(ksim_aqmask_store("1"), 0);
	/* apmask 4 would take 04.0001 from the guest: refused, unchanged */
	ck_assert_int_eq(ksim_apmask_store("4"), -EBUSY);
	ck_assert(!apmx_mask_test(ksim_host.apmask, 4));
	snprintf(want, sizeof(want), "04.0001 stays with apmatrix: vm %llu pid 1000 usage",
		 (unsigned long long)ksim_vm_id(kvm));
	ck_assert_msg(strstr(ksim_printk_log(), want), "log: %s",
		      ksim_printk_log());
	apmatrix_drv(4, 1);
	/* apmask 5 takes a queue nobody holds: allowed, zcrypt gets it */
	ck_assert_int_eq(ksim_apmask_store("5"), 0);
	ck_assert_str_eq(ksim_qdev_driver(5, 1)->driver.name, "cex4queue");
	ck_assert_int_eq(ksim_set(kvm, "4:5", "1", "", NULL), -EADDRNOTAVAIL);
	/* aqmask 1:2 would give the host 05.0002, which the guest uses */
	ck_assert_int_eq(ksim_set(kvm, "5", "2", "", NULL), 0);
	ck_assert_int_eq(ksim_aqmask_store("1:2"), -EBUSY);
	ck_assert(!apmx_mask_test(ksim_host.aqmask, 2));
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "05.0002 stays with apmatrix: vm"));
	/* after a clear the queue goes to the host */
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_int_eq(ksim_apmask_store("4:5"), 0);
	ck_assert_str_eq(ksim_qdev_driver(4, 1)->driver.name, "cex4queue");
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(test_in_use_grant_and_quarantine)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_grant g;
	char want[64];

	start();
	ksim_qdev_add(6, 3, CEX7);
	ksim_qdev_add(7, 3, CEX7);
	memset(&g, 0, sizeof(g));
	masks_of(&g.masks, "6", "3", "");
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), 0);
	snprintf(want, sizeof(want), "grant %llu pid 1000\n",
		 (unsigned long long)g.grant_id);
	holder_is(6, 3, want);
	ck_assert_int_eq(ksim_aqmask_store("3"), 0);
	ck_assert_int_eq(ksim_apmask_store("6"), -EBUSY);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "06.0003 stays with apmatrix: grant"));
	ck_assert_int_eq(ksim_close(g.fd), 0);
	holder_is(6, 3, "free\n");
	/* a queue whose reset failed is not handed to the host either */
	ksim_host.q[7][3].reset_hangs = true;
	ck_assert_int_eq(ksim_set(kvm, "7", "3", "", NULL), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	holder_is(7, 3, "quarantined\n");
	ck_assert_int_eq(ksim_apmask_store("7"), -EBUSY);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "07.0003 stays with apmatrix: quarantined"));
	/* the grant's queue may go now */
	ck_assert_int_eq(ksim_apmask_store("6"), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

static char during_zapq[KSIM_PAGE_SIZE];

static void read_holder_during_zapq(unsigned int apid, unsigned int apqi)
{
	if (apid != 8 || apqi != 1)
		return;
	ksim_thread_switch();
	ck_assert_int_gt(ksim_qdev_attr(8, 1, "apmatrix_holder", during_zapq),
			 0);
	ksim_thread_return();
}

START_TEST(test_holder_text)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_grant g;
	char want[96];
	u64 id;

	start();
	ksim_qdev_add(8, 1, CEX7);
	ksim_qdev_add(8, 2, CEX7);
	ksim_qdev_add(8, 3, CEX7);
	memset(&g, 0, sizeof(g));
	masks_of(&g.masks, "8", "3", "");
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), 0);
	snprintf(want, sizeof(want), "grant %llu pid 1000\n",
		 (unsigned long long)g.grant_id);
	holder_is(8, 3, want);
	ksim_task.tgid = 4242;
	ck_assert_int_eq(ksim_set(kvm, "8", "1", "1:2", NULL), 0);
	ksim_task.tgid = 1000;
	id = ksim_vm_id(kvm);
	snprintf(want, sizeof(want), "vm %llu pid 4242 usage+control\n",
		 (unsigned long long)id);
	holder_is(8, 1, want);
	snprintf(want, sizeof(want), "vm %llu pid 4242 control\n",
		 (unsigned long long)id);
	holder_is(8, 2, want);
	/* the VMM uses the grant: both show */
	{
		struct kvm_s390_ap_matrix a;

		ksim_matrix(&a, "8", "1:3", "1:2");
		a.flags = KVM_S390_AP_MATRIX_F_GRANT;
		a.grant_fd = g.fd;
		ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a), 0);
	}
	snprintf(want, sizeof(want), "vm %llu pid 4242 usage grant %llu pid 1000\n",
		 (unsigned long long)id, (unsigned long long)g.grant_id);
	holder_is(8, 3, want);
	ck_assert_int_eq(ksim_close(g.fd), 0);
	/* while the destroy zeroizes 08.0001 another thread reads the text */
	ksim_host.on_zapq = read_holder_during_zapq;
	ksim_vm_destroy(kvm);
	ksim_host.on_zapq = NULL;
	ck_assert_str_eq(during_zapq, "resetting\n");
	holder_is(8, 1, "free\n");
}
END_TEST

START_TEST(test_removed_queue_unplugged)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_masks eff;
	struct ap_driver *drv;

	start();
	ksim_qdev_add(4, 1, CEX7);
	ksim_qdev_add(4, 2, CEX7);
	ksim_qdev_add(9, 1, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "4:9", "1:2", "1", NULL), 0);
	drv = apmatrix_drv(4, 1);
	ksim_host.q[4][1].secret = 0x5ec7e7;
	ksim_host.q[9][1].secret = 0x5ec7e8;
	/*
	 * The admin unbinds 04.0001: adapter 4 leaves the CRYCB.  The queue
	 * stays the guest's (nothing else can bind it) and is reset when the
	 * guest gives it back, not now.
	 */
	ksim_qdev_unbind(4, 1);
	ksim_get(kvm, &m);
	masks_of(&eff, "9", "1:2", "1");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_assert_crycb(kvm, &eff);
	masks_of(&eff, "4:9", "1:2", "1");
	ck_assert_mem_eq(&m.requested, &eff, sizeof(eff));
	ck_assert_uint_eq(ksim_host.q[4][1].secret, 0x5ec7e7);
	ck_assert_uint_eq(ksim_host.q[9][1].secret, 0x5ec7e8);
	ck_assert_ptr_eq(ksim_user(4, 1), &kvm->arch.crypto.apmx->owner);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "04.0001: removed, unplugged from VM"));
	/* binding it again plugs it back */
	ksim_logs_clear();
	ck_assert_int_eq(ksim_qdev_bind(4, 1, drv), 0);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "04.0001: back, plugged into VM"));
	ksim_get(kvm, &m);
	masks_of(&eff, "4:9", "1:2", "1");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	/* so does the guest's next set, which binds what it asks for */
	ksim_qdev_unbind(4, 1);
	ck_assert_ptr_null(ksim_qdev_driver(4, 1));
	ck_assert_int_eq(ksim_set(kvm, "4:9", "1:2", "", &m), 0);
	ck_assert_ptr_eq(ksim_qdev_driver(4, 1), drv);
	ksim_get(kvm, &m);
	masks_of(&eff, "4:9", "1:2", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_assert_crycb(kvm, &eff);
	/* the queue vanishes from the configuration and comes back */
	ksim_qdev_del(9, 2);	/* never had a device: nothing happens */
	ksim_qdev_add(9, 2, CEX7);
	ksim_qdev_del(9, 2);
	ksim_get(kvm, &m);
	masks_of(&eff, "4", "1:2", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_qdev_add(9, 2, CEX7);
	ksim_get(kvm, &m);
	masks_of(&eff, "4:9", "1:2", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	/* an unbound queue is not reset then: its reset is its release's */
	ksim_zapq_counts_clear();
	ksim_qdev_unbind(4, 2);
	ck_assert_uint_eq(ksim_host.q[4][2].zapq_calls, 0);
	/* a dying VM is left to its teardown */
	ksim_kvm_dying = true;
	ksim_host.q[9][1].secret = 7;
	ksim_qdev_unbind(9, 1);
	ck_assert_uint_eq(ksim_host.q[9][1].secret, 7);
	ksim_kvm_dying = false;
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_host.q[9][1].secret, 0);
}
END_TEST

/*
 * Every queue that left apmatrix while held logs its return, once, also
 * while its adapter stays out of the CRYCB because other queues of it are
 * still away (6.1 ap_bus.c ap_scan_domains() registers a returning card's
 * queue devices one by one, each probed at once), and a control domain's
 * queue, whose removal never changes the effective matrix (review
 * helper-60).
 */
START_TEST(test_queue_back_logged_once_each)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2), *kvm2;
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_masks eff;
	struct ap_driver *drv;
	unsigned int d;

	start();
	for (d = 1; d <= 3; d++) {
		ksim_qdev_add(4, d, CEX7);
		ksim_qdev_add(9, d, CEX7);
	}
	ck_assert_int_eq(ksim_set(kvm, "4:9", "1:2", "3", NULL), 0);
	drv = apmatrix_drv(4, 1);
	/* card 4 leaves the configuration and comes back */
	ksim_logs_clear();
	for (d = 1; d <= 3; d++)
		ksim_qdev_del(4, d);
	/* the first takes adapter 4 out of the CRYCB, the others change nothing */
	ck_assert_uint_eq(ksim_printk_count("AP queue 04.0001: removed, unplugged from VM"), 1);
	ck_assert_uint_eq(ksim_printk_count("AP queue 04.0002: removed, still held by VM"), 1);
	ck_assert_uint_eq(ksim_printk_count("AP queue 04.0003: removed, still held by VM"), 1);
	ksim_get(kvm, &m);
	masks_of(&eff, "9", "1:2", "3");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_logs_clear();
	ksim_qdev_add(4, 1, CEX7);
	/* 04.0002 still away: adapter 4 stays out, the queue is logged */
	ck_assert_msg(ksim_printk_count("AP queue 04.0001: back, still held by VM") == 1,
		      "04.0001 back, not logged once:\n%s", ksim_printk_log());
	ksim_qdev_add(4, 2, CEX7);
	ksim_qdev_add(4, 3, CEX7);
	ck_assert_uint_eq(ksim_printk_count("AP queue 04.0002: back, plugged into VM"), 1);
	ck_assert_uint_eq(ksim_printk_count("AP queue 04.0003: back, "), 1);
	ck_assert_uint_eq(ksim_printk_count(": back, "), 3);
	ksim_get(kvm, &m);
	masks_of(&eff, "4:9", "1:2", "3");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	/* two queues of adapter 9 unbound by root and bound again */
	ck_assert_int_eq(ksim_qdev_unbind(9, 1), 0);
	ck_assert_int_eq(ksim_qdev_unbind(9, 2), 0);
	ksim_logs_clear();
	ck_assert_int_eq(ksim_qdev_bind(9, 1, drv), 0);
	ck_assert_int_eq(ksim_qdev_bind(9, 2, drv), 0);
	ck_assert_uint_eq(ksim_printk_count("AP queue 09.0001: back, still held by VM"), 1);
	ck_assert_uint_eq(ksim_printk_count("AP queue 09.0002: back, plugged into VM"), 1);
	/* the control domain's queue: its removal changes nothing */
	ksim_logs_clear();
	ck_assert_int_eq(ksim_qdev_unbind(4, 3), 0);
	ck_assert_uint_eq(ksim_printk_count("AP queue 04.0003: removed, still held by VM"), 1);
	ck_assert_int_eq(ksim_qdev_bind(4, 3, drv), 0);
	ck_assert_uint_eq(ksim_printk_count("AP queue 04.0003: back, still held by VM"), 1);
	/* a set that binds only what it claims logs nothing back */
	ksim_qdev_add(9, 5, CEX7);
	ksim_logs_clear();
	ck_assert_int_eq(ksim_set(kvm, "4:9", "1:2:5", "3", NULL), 0);
	ck_assert_ptr_eq(ksim_qdev_driver(9, 5), drv);
	ck_assert_uint_eq(ksim_printk_count(": back, "), 0);
	/*
	 * Unbound by root while held, then given up: the next guest's claim
	 * binds it, and nothing of it came back (apmx_qdrv_claimed() clears
	 * the mark).
	 */
	ck_assert_int_eq(ksim_qdev_unbind(9, 5), 0);
	ck_assert_int_eq(ksim_set(kvm, "4:9", "1:2", "3", NULL), 0);
	kvm2 = ksim_vm_create(CRYCB_FORMAT2);
	ksim_logs_clear();
	ck_assert_int_eq(ksim_set(kvm2, "9", "5", "", NULL), 0);
	ck_assert_ptr_eq(ksim_qdev_driver(9, 5), drv);
	ck_assert_msg(!ksim_printk_count(": back, "), "a new claim logged as back:\n%s",
		      ksim_printk_log());
	ksim_vm_destroy(kvm2);
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(test_vfio_ap_bound_queue_never_claimed)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_grant g;

	/* vfio_ap registered first takes the free queues */
	vfio_ap_binds_0602();
	ck_assert_int_eq(ksim_set(kvm, "6", "2", "", &m), -EBUSY);
	ck_assert_refusal(&m.refusal, KVM_S390_AP_R_VFIO_AP, 6, 2,
			  KVM_S390_AP_HOLDER_VFIO_AP);
	ck_assert_int_eq(ksim_set(kvm, "6", "", "2", &m), -EBUSY);
	ck_assert_uint_eq(m.refusal.field, KVM_S390_AP_FIELD_CONTROL);
	ck_assert_uint_eq(ksim_table_used(), 0);
	memset(&g, 0, sizeof(g));
	masks_of(&g.masks, "6", "2", "");
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), -EBUSY);
	ck_assert_refusal(&g.refusal, KVM_S390_AP_R_VFIO_AP, 6, 2,
			  KVM_S390_AP_HOLDER_VFIO_AP);
	/* unbound from vfio_ap (and reset by it): free for us again */
	ksim_qdev_unbind(6, 2);
	ck_assert_int_eq(ksim_set(kvm, "6", "2", "", NULL), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A queue vfio_ap gave up while it was out of the configuration (its
 * remove's reset answered 01: 6.1 vfio_ap_ops.c vfio_ap_mdev_remove_queue()
 * ignores that) may hold what vfio_ap's guest left: a guest that claims it
 * meanwhile does not see it until a reset of ours is verified, and its
 * release does not free it unreset.  (review rv12c)
 */
/*
 * 06.0002 bound to vfio_ap, used by its guest (secret 0x55), then out of
 * the configuration: vfio_ap's remove resets it with ZAPQ RC 01, so the
 * secret stays.
 */
static void vfio_ap_leaves_leftover(void)
{
	vfio_ap_binds_0602();
	ksim_host.q[6][2].secret = 0x55;
	ksim_qdev_del(6, 2);
	ck_assert_uint_eq(ksim_host.q[6][2].secret, 0x55);
}

START_TEST(test_vfio_ap_leftover_out_of_config_is_reset_first)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;

	vfio_ap_leaves_leftover();
	/* the mark pins kvm.ko: a reload would forget it (review rv12d) */
	ck_assert_int_eq(ksim_module_refs, 1);
	ck_assert_int_eq(ksim_set(kvm, "6", "2", "", &m), 0);
	ksim_qdev_add(6, 2, CEX7);	/* back, still holding it */
	ksim_get(kvm, &m);
	ck_assert_msg(!(apmx_mask_test(m.effective.apm, 6) &&
			apmx_mask_test(m.effective.aqm, 2)) ||
		      ksim_host.q[6][2].secret != 0x55,
		      "the guest sees what vfio_ap's guest left in 06.0002");
	/* the guest's reset makes it clean, and then it is seen */
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ksim_get(kvm, &m);
	ck_assert_uint_eq(ksim_host.q[6][2].secret, 0);
	ck_assert(apmx_mask_test(m.effective.apm, 6) &&
		  apmx_mask_test(m.effective.aqm, 2));
	ck_assert_int_eq(ksim_module_refs, 0);	/* verified: unpinned */
	ksim_vm_destroy(kvm);
	ck_assert(ksim_table_free(6, 2));
}
END_TEST

/*
 * The same queue released by its guest while it is still out of the
 * configuration is quarantined, not freed.
 */
START_TEST(test_vfio_ap_leftover_released_absent_is_quarantined)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;

	vfio_ap_leaves_leftover();
	ck_assert_int_eq(ksim_set(kvm, "6", "2", "", &m), 0);
	ksim_vm_destroy(kvm);
	ck_assert_msg(!ksim_table_free(6, 2),
		      "06.0002 freed unreset, with what vfio_ap's guest left");
	ksim_qdev_add(6, 2, CEX7);
	ck_assert_int_eq(apmx_zeroize_retry(6, 2), 0);
	ck_assert_uint_eq(ksim_host.q[6][2].secret, 0);
	ck_assert(ksim_table_free(6, 2));
}
END_TEST

/*
 * vfio_ap gives up a queue still in the configuration whose reset it did
 * not see end (6.1 vfio_ap_mdev_reset_queue() polls two TAPQs 20 ms apart
 * and returns 0 anyway): KVM resets it itself, verified, so a reset that
 * was merely slow leaves no mark and does not pin kvm.ko.  (review rv12f)
 */
START_TEST(test_vfio_ap_slow_reset_finished_here)
{
	vfio_ap_binds_0602();
	ksim_host.q[6][2].reset_ms = 100;
	ck_assert_int_eq(ksim_qdev_unbind(6, 2), 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert_uint_eq(ksim_host.q[6][2].secret, 0);
}
END_TEST

/*
 * vfio_ap's two ZAPQs answer 02 (the AP bus's RAPQ runs: it empties the
 * queue, it does not zeroize) and it gives up; TAPQ then reads 00, empty:
 * a TAPQ alone cannot tell that nothing zeroized the queue.  KVM's own
 * reset does (ap_queue_remove()'s later unverified ZAPQ is not counted
 * on: it is not performed either while a reset runs).  (review rv12f)
 */
START_TEST(test_vfio_ap_rapq_is_no_zeroize)
{
	struct ksim_queue *q = &ksim_host.q[6][2];

	vfio_ap_binds_0602();
	q->secret = 0x55;
	q->zapq_script[0] = AP_RESPONSE_RESET_IN_PROGRESS;
	q->zapq_script[1] = AP_RESPONSE_RESET_IN_PROGRESS;
	q->zapq_script_len = 2;
	ck_assert_int_eq(ksim_qdev_unbind(6, 2), 0);
	ck_assert_msg(q->secret == 0,
		      "06.0002 left vfio_ap holding what its guest left");
	ck_assert_int_eq(ksim_module_refs, 0);
}
END_TEST

/*
 * vfio_ap's probe fails after KVM allowed it (6.1 vfio_ap_ops.c
 * vfio_ap_mdev_probe_queue(): sysfs_create_group() or kzalloc() fails):
 * the queue never reached a guest of vfio_ap's, so undoing KVM's probe
 * neither resets the queue nor marks it, and kvm.ko stays unpinned even
 * when a reset would fail (deconfigured: RC 03).  The queue is free and
 * claimable afterwards.  (review of c and d, 1)
 */
START_TEST(test_vfio_ap_probe_error_undoes_without_reset)
{
	static const int fails[] = { KSIM_VFIO_PROBE_SYSFS,
				     KSIM_VFIO_PROBE_ALLOC };
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct ksim_queue *q = &ksim_host.q[6][2];
	unsigned int i, zapqs;

	ck_assert_int_eq(ap_driver_register(&ksim_vfio_ap_drv, THIS_MODULE,
					    "vfio_ap"), 0);
	start();
	for (i = 0; i < ARRAY_SIZE(fails); i++) {
		q->deconfigured = true;
		zapqs = q->zapq_calls;
		ksim_vfio_ap_probe_fail = fails[i];
		ksim_qdev_add(6, 2, CEX7);
		ck_assert_ptr_null(ksim_qdev_driver(6, 2));
		ck_assert_msg(ksim_module_refs == 0,
			      "vfio_ap's failed probe pinned kvm.ko");
		mutex_lock(&apmx_table_lock);
		ck_assert_msg(!apmx_zq_is_leftover(6, 2),
			      "vfio_ap's failed probe marked 06.0002");
		mutex_unlock(&apmx_table_lock);
		ck_assert_msg(q->zapq_calls == zapqs,
			      "vfio_ap's failed probe reset 06.0002 (%u ZAPQs)",
			      q->zapq_calls - zapqs);
		ck_assert(ksim_table_free(6, 2));
		/* not vfio_ap's: a guest of ours may claim it */
		q->deconfigured = false;
		ck_assert_int_eq(ksim_set(kvm, "6", "2", "", NULL), 0);
		ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL),
				 0);
		ksim_qdev_del(6, 2);
	}
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(test_vfio_ap_cannot_take_held_queue)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct ap_driver *drv;

	ck_assert_int_eq(ap_driver_register(&ksim_vfio_ap_drv, THIS_MODULE,
					    "vfio_ap"), 0);
	start();
	/* requested before the queue exists; vfio_ap's probe refuses it */
	ck_assert_int_eq(ksim_set(kvm, "7", "3", "", NULL), 0);
	ksim_qdev_add(7, 3, CEX7);
	drv = apmatrix_drv(7, 3);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "07.0003 not bound to vfio_ap: apmatrix vm"));
	/* sysfs bind to vfio_ap after an unbind is refused too */
	ksim_qdev_unbind(7, 3);
	ck_assert_int_eq(ksim_qdev_bind(7, 3, &ksim_vfio_ap_drv), -EBUSY);
	ck_assert_int_eq(ksim_qdev_bind(7, 3, drv), 0);
	/* vfio_ap cannot attach: the VM has a PQAP hook */
	ck_assert_ptr_nonnull(kvm->arch.crypto.pqap_hook);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_ptr_null(kvm->arch.crypto.pqap_hook);
	/* a VM vfio_ap attached to refuses the set */
	{
		static crypto_hook vfio_hook;
		struct kvm_s390_ap_matrix m;

		kvm->arch.crypto.pqap_hook = &vfio_hook;
		ck_assert_int_eq(ksim_set(kvm, "7", "3", "", &m), -EBUSY);
		ck_assert_refusal(&m.refusal, KVM_S390_AP_R_VFIO_AP,
				  KVM_S390_AP_ID_NONE, KVM_S390_AP_ID_NONE,
				  KVM_S390_AP_HOLDER_VFIO_AP);
		kvm->arch.crypto.pqap_hook = NULL;
	}
	/* after the clear, vfio_ap may have the queue */
	ksim_qdev_unbind(7, 3);
	ck_assert_int_eq(ksim_qdev_bind(7, 3, &ksim_vfio_ap_drv), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * vfio_ap's control domains: an mdev's adapters x control domains are
 * APQNs its guest controls (it may set the domain's master keys).  An
 * mdev gets none that a guest configured by ioctl uses, a grant reserves
 * or the table withholds, and no guest or grant here gets one an mdev
 * controls, for usage or control.  Before this, vfio_ap's assign stores
 * did not ask KVM at all.
 */
START_TEST(test_vfio_ap_mdev_control_domains)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_grant g;
	struct ksim_mdev mdev, other;

	memset(&mdev, 0, sizeof(mdev));
	memset(&other, 0, sizeof(other));
	start();
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "", NULL), 0);
	/* adapter 5, then control domain 4: 05.0004 is the guest's */
	ck_assert_int_eq(ksim_mdev_assign_adapter(&mdev, 5), 0);
	ck_assert_int_eq(ksim_mdev_assign_control_domain(&mdev, 4),
			 -EADDRINUSE);
	ck_assert(!test_bit_inv(4, mdev.adm));
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
		"05.0004 not given to a vfio_ap mdev as a control domain"));
	/* the other order: control domain 4 first, then adapter 5 */
	ck_assert_int_eq(ksim_mdev_assign_control_domain(&other, 4), 0);
	ck_assert_int_eq(ksim_mdev_assign_adapter(&other, 5), -EADDRINUSE);
	ck_assert(!test_bit_inv(5, other.apm));
	/* a grant's reservation counts as held */
	memset(&g, 0, sizeof(g));
	masks_of(&g.masks, "9", "", "4");
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), 0);
	ck_assert_int_eq(ksim_mdev_assign_adapter(&other, 9), -EADDRINUSE);
	ck_assert_int_eq(ksim_close(g.fd), 0);

	/* the reverse: 05.0006 controlled by the mdev is nobody's here */
	ck_assert_int_eq(ksim_mdev_assign_control_domain(&mdev, 6), 0);
	ck_assert_int_eq(ksim_set(kvm, "5", "4,6", "", &m), -EBUSY);
	ck_assert_refusal(&m.refusal, KVM_S390_AP_R_VFIO_AP, 5, 6,
			  KVM_S390_AP_HOLDER_VFIO_AP);
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "6", &m), -EBUSY);
	ck_assert_uint_eq(m.refusal.field, KVM_S390_AP_FIELD_CONTROL);
	memset(&g, 0, sizeof(g));
	masks_of(&g.masks, "5", "6", "");
	ck_assert_int_eq(ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &g), -EBUSY);
	/* the refused sets changed nothing */
	ksim_get(kvm, &m);
	ck_assert_int_eq(apmx_mask_test(m.requested.aqm, 4), 1);
	ck_assert_int_eq(apmx_mask_test(m.requested.aqm, 6), 0);
	/* unassigning control domain 6 frees 05.0006 */
	ksim_mdev_unassign_control_domain(&mdev, 6);
	ck_assert_int_eq(ksim_set(kvm, "5", "4,6", "", NULL), 0);
	/* removed mdevs leave nothing behind (the fixture checks leaks) */
	ksim_mdev_unassign_adapter(&mdev, 5);
	ksim_mdev_remove(&mdev);
	ksim_mdev_remove(&other);
	ksim_vm_destroy(kvm);
}
END_TEST

/* Fewer control APQNs never fail: no allocation after the first. */
START_TEST(test_vfio_ap_mdev_shrink_never_fails)
{
	struct ksim_mdev mdev, other;
	unsigned long allocs;

	memset(&mdev, 0, sizeof(mdev));
	memset(&other, 0, sizeof(other));
	start();
	ck_assert_int_eq(ksim_mdev_assign_adapter(&mdev, 2), 0);
	ck_assert_int_eq(ksim_mdev_assign_control_domain(&mdev, 3), 0);
	allocs = shim_slab_allocs();
	ck_assert_int_eq(ksim_mdev_assign_control_domain(&mdev, 7), 0);
	ksim_mdev_unassign_control_domain(&mdev, 3);
	ksim_mdev_unassign_adapter(&mdev, 2);
	ck_assert_uint_eq(shim_slab_allocs(), allocs);
	/* and the first allocation's failure is an error, nothing recorded */
	shim_slab_fail_nth(1);
	ck_assert_int_eq(ksim_mdev_assign_adapter(&other, 2), -ENOMEM);
	ck_assert(!test_bit_inv(2, other.apm));
	{
		struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);

		/* what the mdev no longer has is free */
		ck_assert_int_eq(ksim_set(kvm, "2", "3", "", NULL), 0);
		ksim_vm_destroy(kvm);
	}
	ksim_mdev_remove(&mdev);
}
END_TEST

/*
 * The documented way of moving a free queue to vfio_ap and back must not
 * cost a later guest the queue's adapter: a guest gives 05.0004 back, the
 * administrator unbinds it from apmatrix, binds it to vfio_ap, unbinds it
 * again; a new guest that sets adapter 5 gets adapter 5.
 */
START_TEST(test_gone_does_not_poison_adapter)
{
	struct kvm *a = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm *b = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_masks eff;

	start();
	ksim_qdev_add(5, 4, CEX7);
	ksim_qdev_add(5, 5, CEX7);
	ck_assert_int_eq(ksim_set(a, "5", "4:5", "", NULL), 0);
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	holder_is(5, 4, "free\n");
	ck_assert_int_eq(ap_driver_register(&ksim_vfio_ap_drv, THIS_MODULE,
					    "vfio_ap"), 0);
	/* echo 05.0004 > /sys/bus/ap/drivers/apmatrix/unbind */
	ck_assert_int_eq(ksim_qdev_unbind(5, 4), 0);
	/* echo 05.0004 > /sys/bus/ap/drivers/vfio_ap/bind */
	ck_assert_int_eq(ksim_qdev_bind(5, 4, &ksim_vfio_ap_drv), 0);
	/* echo 05.0004 > /sys/bus/ap/drivers/vfio_ap/unbind */
	ck_assert_int_eq(ksim_qdev_unbind(5, 4), 0);
	/* a new guest: adapter 5 with both domains, at once and later */
	ck_assert_int_eq(ksim_set(b, "5", "4:5", "", &m), 0);
	masks_of(&eff, "5", "4:5", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_get(b, &m);
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_assert_crycb(b, &eff);
	apmatrix_drv(5, 4);
	/* the same after a removal while held: the guest gives it back */
	ck_assert_int_eq(ksim_qdev_unbind(5, 4), 0);
	ksim_get(b, &m);
	masks_of(&eff, "", "4:5", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ck_assert_int_eq(ksim_ioctl(b, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert_int_eq(ksim_qdev_bind(5, 4, &ksim_vfio_ap_drv), 0);
	ck_assert_int_eq(ksim_qdev_unbind(5, 4), 0);
	ck_assert_int_eq(ksim_set(a, "5", "4", "", &m), 0);
	masks_of(&eff, "5", "4", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	/* a queue that vanished while free costs nothing either */
	ck_assert_int_eq(ksim_ioctl(a, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ksim_qdev_del(5, 4);
	ck_assert_int_eq(ksim_set(b, "5", "4:5", "", &m), 0);
	masks_of(&eff, "5", "4:5", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_qdev_add(5, 4, CEX7);
	ksim_vm_destroy(a);
	ksim_vm_destroy(b);
}
END_TEST

static int window_rc[3];
static struct kvm_s390_ap_matrix window_m[2];
static struct kvm_s390_ap_grant window_g;
static struct kvm *window_kvm;

/* another thread, after apmask_store() dropped ap_perms_mutex */
static void set_in_revise_window(void)
{
	ksim_thread_switch();
	window_rc[0] = ksim_set(window_kvm, "5", "4", "", &window_m[0]);
	window_rc[1] = ksim_set(window_kvm, "5", "", "4", &window_m[1]);
	memset(&window_g, 0, sizeof(window_g));
	masks_of(&window_g.masks, "5", "4", "");
	window_rc[2] = ksim_dev_ioctl(KVM_S390_CREATE_AP_GRANT, &window_g);
	ksim_thread_return();
}

static int other_probe(struct ap_device *apdev)
{
	return 0;
}

static struct ap_device_id cex7_only[] = {
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, CEX7 },
	{ 0, 0 },
};

/* a non-default driver that is not vfio_ap, and a vfio_ap without 0051 */
static struct ap_driver other_drv = {
	.ids = cex7_only,
	.probe = other_probe,
};

static struct ap_driver plain_vfio_ap = {
	.ids = cex7_only,
	.probe = other_probe,
};

/*
 * 6.1's apmask_store() drops ap_perms_mutex before ap_bus_revise_bindings()
 * unbinds cex4queue from the queues it released: a set (or grant) in that
 * window must not get a queue cex4queue still drives.
 */
START_TEST(test_refuses_queue_bound_to_host_driver)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);

	ksim_host_own("5", "4");
	start();
	ksim_qdev_add(5, 4, CEX7);
	ck_assert_str_eq(ksim_qdev_driver(5, 4)->driver.name, "cex4queue");
	window_kvm = kvm;
	ksim_ap_bus_before_revise = set_in_revise_window;
	ck_assert_int_eq(ksim_apmask_store(""), 0);
	ksim_ap_bus_before_revise = NULL;
	ck_assert_int_eq(window_rc[0], -EADDRNOTAVAIL);
	ck_assert_refusal(&window_m[0].refusal, KVM_S390_AP_R_HOST_OWNED, 5, 4,
			  KVM_S390_AP_HOLDER_HOST);
	ck_assert_uint_eq(window_m[0].refusal.field, KVM_S390_AP_FIELD_APQN);
	ck_assert_int_eq(window_rc[1], -EADDRNOTAVAIL);
	ck_assert_refusal(&window_m[1].refusal, KVM_S390_AP_R_HOST_OWNED, 5, 4,
			  KVM_S390_AP_HOLDER_HOST);
	ck_assert_uint_eq(window_m[1].refusal.field, KVM_S390_AP_FIELD_CONTROL);
	ck_assert_int_eq(window_rc[2], -EADDRNOTAVAIL);
	ck_assert_refusal(&window_g.refusal, KVM_S390_AP_R_HOST_OWNED, 5, 4,
			  KVM_S390_AP_HOLDER_HOST);
	ck_assert_uint_eq(ksim_table_used(), 0);
	/* revised: cex4queue let go, the queue is unbound, a set may have it */
	ck_assert_ptr_null(ksim_qdev_driver(5, 4));
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "", NULL), 0);
	apmatrix_drv(5, 4);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	/* any other driver's queue is refused too */
	ck_assert_int_eq(ksim_qdev_unbind(5, 4), 0);
	ck_assert_int_eq(ap_driver_register(&other_drv, THIS_MODULE, "other"),
			 0);
	ck_assert_ptr_eq(ksim_qdev_driver(5, 4), &other_drv);
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "", &window_m[0]), -EADDRNOTAVAIL);
	ck_assert_refusal(&window_m[0].refusal, KVM_S390_AP_R_HOST_OWNED, 5, 4,
			  KVM_S390_AP_HOLDER_HOST);
	ap_driver_unregister(&other_drv);
	/* vfio_ap by its name, also before its probe asked KVM */
	ck_assert_int_eq(ap_driver_register(&plain_vfio_ap, THIS_MODULE,
					    "vfio_ap"), 0);
	ck_assert_ptr_eq(ksim_qdev_driver(5, 4), &plain_vfio_ap);
	ck_assert_int_eq(ksim_set(kvm, "5", "4", "", &window_m[0]), -EBUSY);
	ck_assert_refusal(&window_m[0].refusal, KVM_S390_AP_R_VFIO_AP, 5, 4,
			  KVM_S390_AP_HOLDER_VFIO_AP);
	ap_driver_unregister(&plain_vfio_ap);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/* (@a, @d) is quarantined: a guest gave it back and its reset hung */
static void quarantine(struct kvm *kvm, const char *a, const char *d,
		       unsigned int apid, unsigned int apqi)
{
	ksim_host.q[apid][apqi].reset_hangs = true;
	ck_assert_int_eq(ksim_set(kvm, a, d, "", NULL), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	holder_is(apid, apqi, "quarantined\n");
}

/*
 * A withheld APQN (quarantined: its reset was not verified) is KVM's too:
 * no vfio_ap mdev may control it, until a verified reset frees it.
 */
START_TEST(test_vfio_ap_mdev_refused_quarantined)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct ksim_mdev mdev;

	memset(&mdev, 0, sizeof(mdev));
	start();
	ksim_qdev_add(7, 2, CEX7);
	quarantine(kvm, "7", "2", 7, 2);
	ck_assert_int_eq(ksim_mdev_assign_control_domain(&mdev, 2), 0);
	ck_assert_int_eq(ksim_mdev_assign_adapter(&mdev, 7), -EADDRINUSE);
	ck_assert(!test_bit_inv(7, mdev.apm));
	ksim_host.q[7][2].reset_hangs = false;
	ck_assert_int_eq(apmx_zeroize_retry(7, 2), 0);
	ck_assert_int_eq(ksim_mdev_assign_adapter(&mdev, 7), 0);
	ksim_mdev_remove(&mdev);
	ksim_vm_destroy(kvm);
}
END_TEST

/* A quarantined queue that comes back (its card again in the
 * configuration) is reset again: free if that works, else still withheld.
 */
START_TEST(test_quarantined_queue_retried_on_probe)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);

	start();
	ksim_qdev_add(7, 3, CEX7);
	ksim_qdev_add(7, 4, CEX7);
	quarantine(kvm, "7", "3", 7, 3);
	/* the card leaves the configuration and comes back repaired */
	ksim_qdev_del(7, 3);
	ksim_host.q[7][3].reset_hangs = false;
	ksim_host.q[7][3].secret = 0x5ec7e7;
	ksim_logs_clear();
	ksim_qdev_add(7, 3, CEX7);
	ck_assert(ksim_table_free(7, 3));
	ck_assert_uint_eq(ksim_host.q[7][3].secret, 0);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "07.0003"));
	holder_is(7, 3, "free\n");
	ck_assert_int_eq(ksim_set(kvm, "7", "3", "", NULL), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	/* back, but still broken: still quarantined */
	quarantine(kvm, "7", "4", 7, 4);
	ksim_qdev_del(7, 4);
	ksim_qdev_add(7, 4, CEX7);
	ck_assert(!ksim_table_free(7, 4));
	holder_is(7, 4, "quarantined\n");
	ck_assert_int_eq(ksim_set(kvm, "7", "4", "", NULL), -EIO);
	ksim_host.q[7][4].reset_hangs = false;
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * The shim's driver core retries a deferred probe as 6.1's dd.c does
 * (driver_deferred_probe_trigger(), deferred_probe_work_func()): not at
 * once, not by itself, only once some other device bound since and the
 * work runs; a device that binds in between is off the list.  A driver
 * that defers every probe while defer_all is set.  (review helper-55, 4)
 */
static struct ap_device_id defer_ids[] = {
	{ AP_DEVICE_ID_MATCH_QUEUE_TYPE, CEX7 },
	{ 0, 0 },
};
static bool defer_all;
static unsigned int defer_probes;

static int defer_probe(struct ap_device *apdev)
{
	defer_probes++;
	return defer_all ? -EPROBE_DEFER : 0;
}

static void defer_remove(struct ap_device *apdev)
{
}

static struct ap_driver defer_drv = {
	.ids = defer_ids,
	.probe = defer_probe,
	.remove = defer_remove,
};

START_TEST(test_shim_deferred_probe_retried_after_a_bind)
{
	start();
	ck_assert_int_eq(ap_driver_register(&defer_drv, THIS_MODULE,
					    "deferring"), 0);
	defer_all = true;
	defer_probes = 0;
	ksim_qdev_add(6, 2, CEX7);	/* free: apmatrix declines, deferred */
	ck_assert_ptr_null(ksim_qdev_driver(6, 2));
	ck_assert(ksim_qdev_deferred(6, 2));
	ck_assert_uint_eq(defer_probes, 1);
	defer_all = false;
	/* nothing bound since: the work is not queued, nothing retried */
	ck_assert(!ksim_deferred_probe_work());
	ck_assert_ptr_null(ksim_qdev_driver(6, 2));
	ck_assert_uint_eq(defer_probes, 1);
	/* another device binds: triggered, but only the work retries it */
	ksim_qdev_add(7, 3, CEX7);
	ck_assert_ptr_eq(ksim_qdev_driver(7, 3), &defer_drv);
	ck_assert_uint_eq(defer_probes, 2);
	ck_assert_ptr_null(ksim_qdev_driver(6, 2));
	ck_assert(ksim_deferred_probe_work());
	ck_assert_ptr_eq(ksim_qdev_driver(6, 2), &defer_drv);
	ck_assert(!ksim_qdev_deferred(6, 2));
	ck_assert_uint_eq(ksim_qdev_deferred_retries(6, 2), 1);
	ck_assert_uint_eq(defer_probes, 3);
	/* deferred again and bound by root before the work: off the list */
	ksim_qdev_del(6, 2);
	defer_all = true;
	ksim_qdev_add(6, 2, CEX7);
	ck_assert(ksim_qdev_deferred(6, 2));
	defer_all = false;
	ck_assert_int_eq(ksim_qdev_bind(6, 2, &defer_drv), 0);
	ck_assert(!ksim_qdev_deferred(6, 2));
	ck_assert(ksim_deferred_probe_work());	/* queued by that bind */
	ck_assert_uint_eq(ksim_qdev_deferred_retries(6, 2), 1);
	ap_driver_unregister(&defer_drv);
}
END_TEST

/* echo 06.0002 > /sys/bus/ap/drivers/apmatrix/reset_quarantined */
START_TEST(test_reset_quarantined_attribute)
{
	static const char * const bad[] = {
		"", "\n", "6", "06.", ".0002", "x6.0002", "06.0002x",
		"06.0002\n\n", "100.0002", "06.0100", "06.-2", "06 0002",
		"0006.00000000002x", "4294967302.0002",
	};
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct ap_driver *drv;
	unsigned int i;
	long rc;

	start();
	drv = ksim_ap_driver("apmatrix");
	ck_assert_ptr_nonnull(drv);
	ksim_qdev_add(6, 2, CEX7);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		rc = ksim_drv_attr_store(drv, "reset_quarantined", bad[i]);
		ck_assert_msg(rc == -EINVAL, "input \"%s\": %ld, not -EINVAL",
			      bad[i], rc);
	}
	/* nothing to reset */
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EINVAL);
	quarantine(kvm, "6", "2", 6, 2);
	/* root only (mode 0200) */
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EACCES);
	ksim_cap_sys_admin = true;
	/* the reset runs and is not verified again: EIO, as for a leftover */
	ksim_logs_clear();
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EIO);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "06.0002: reset not verified, still quarantined"));
	holder_is(6, 2, "quarantined\n");
	/* the card works again: the queue is free */
	ksim_host.q[6][2].reset_hangs = false;
	ksim_logs_clear();
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), 8);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "06.0002"));
	ck_assert(ksim_table_free(6, 2));
	holder_is(6, 2, "free\n");
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "0x6.0x2"), -EINVAL);
	ck_assert_int_eq(ksim_set(kvm, "6", "2", "", NULL), 0);
	/* held by a guest: not quarantined */
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "6.2"), -EINVAL);
	ck_assert_int_eq(ksim_drv_attr_store(drv, "no_such_file", "6.2"),
			 -ENOENT);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * reset_quarantined of a quarantined queue answers as for a leftover
 * (test_reset_quarantined_leftover_withheld_is_ebusy): EIO if the reset
 * ran and was not verified (test_reset_quarantined_attribute), EBUSY,
 * without a second reset, while another retry of it runs; the first
 * retry frees it.  (review helper-55, 1)
 */
static long nested_q_rc;
static bool nested_q_done;

/*
 * Root writes 06.0002 to reset_quarantined, @during running at its ZAPQ
 * (another thread meanwhile); the write succeeds
 */
static void retry_0602_during_zapq(void (*during)(unsigned int apid,
						  unsigned int apqi))
{
	ksim_host.on_zapq = during;
	ck_assert_int_eq(ksim_drv_attr_store(ksim_ap_driver("apmatrix"),
					     "reset_quarantined",
					     "06.0002\n"), 8);
	ksim_host.on_zapq = NULL;
}

static void quarantined_retry_during_zapq(unsigned int apid, unsigned int apqi)
{
	if (apid != 6 || apqi != 2 || nested_q_done)
		return;
	nested_q_done = true;
	ksim_thread_switch();
	nested_q_rc = ksim_drv_attr_store(ksim_ap_driver("apmatrix"),
					  "reset_quarantined", "06.0002\n");
	ksim_thread_return();
}

START_TEST(test_reset_quarantined_retry_running_is_ebusy)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	unsigned int zapqs;

	start();
	ksim_qdev_add(6, 2, CEX7);
	quarantine(kvm, "6", "2", 6, 2);
	ksim_host.q[6][2].reset_hangs = false;
	zapqs = ksim_host.q[6][2].zapq_calls;
	nested_q_done = false;
	nested_q_rc = 1;
	ksim_logs_clear();
	retry_0602_during_zapq(quarantined_retry_during_zapq);
	ck_assert(nested_q_done);
	ck_assert_msg(nested_q_rc == -EBUSY,
		      "reset_quarantined of 06.0002 during its retry: %ld, not -EBUSY",
		      nested_q_rc);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "06.0002: not reset: being reset by another retry or in use"));
	ck_assert_uint_eq(ksim_host.q[6][2].zapq_calls, zapqs + 1);
	ck_assert(ksim_table_free(6, 2));
	holder_is(6, 2, "free\n");
	ck_assert_int_eq(ksim_module_refs, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A marked APQN (vfio_ap gave it up, its reset not verified) whose card
 * comes back in place (deconfigured: RC 03, then configured again; the AP
 * bus keeps the queue device and probes nothing) is reset on root's
 * request through reset_quarantined: a verified reset clears the mark and
 * unpins kvm.ko, a failed one keeps both, and the slot is free again
 * either way.  During the retry the APQN is withheld: a set of it is
 * refused, naming it.  (review rv12f, item c)
 */
static struct kvm *retry_kvm;
static int retry_set_rc;
static struct kvm_s390_ap_matrix retry_set_m;

static void set_during_zapq(unsigned int apid, unsigned int apqi)
{
	if (apid != 6 || apqi != 2)
		return;
	ksim_thread_switch();
	retry_set_rc = ksim_set(retry_kvm, "6", "2", "", &retry_set_m);
	ksim_thread_return();
}

/* 06.0002 used by vfio_ap's guest, deconfigured, then unbound: marked */
static void vfio_ap_leaves_leftover_in_place(void)
{
	struct ksim_queue *q = &ksim_host.q[6][2];

	vfio_ap_binds_0602();
	q->secret = 0x55;
	q->deconfigured = true;
	ck_assert_int_eq(ksim_qdev_unbind(6, 2), 0);
	ck_assert_uint_eq(q->secret, 0x55);
	ck_assert_int_eq(ksim_module_refs, 1);
	ck_assert(ksim_table_free(6, 2));
}

START_TEST(test_reset_quarantined_retries_leftover)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct ksim_queue *q = &ksim_host.q[6][2];
	struct ap_driver *drv;

	vfio_ap_leaves_leftover_in_place();
	drv = ksim_ap_driver("apmatrix");
	ck_assert_ptr_nonnull(drv);
	/* still deconfigured: the reset fails (EIO), mark and pin kept */
	ksim_logs_clear();
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EIO);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "06.0002: reset not verified"));
	ck_assert_uint_eq(q->secret, 0x55);
	ck_assert_int_eq(ksim_module_refs, 1);
	ck_assert(ksim_table_free(6, 2));
	/* configured again, in place: the reset works, a set meanwhile fails */
	q->deconfigured = false;
	retry_kvm = kvm;
	retry_set_rc = 1;
	ksim_logs_clear();
	retry_0602_during_zapq(set_during_zapq);
	ck_assert_int_eq(retry_set_rc, -EIO);
	ck_assert_refusal(&retry_set_m.refusal, KVM_S390_AP_R_QUARANTINED, 6, 2,
			  KVM_S390_AP_HOLDER_QUARANTINE);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "06.0002"));
	ck_assert_uint_eq(q->secret, 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert(ksim_table_free(6, 2));
	/* nothing marked any more */
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EINVAL);
	ck_assert_int_eq(ksim_set(kvm, "6", "2", "", NULL), 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A leftover retry finds the slot withheld by someone else (here a second
 * retry of the same APQN, while the first one's ZAPQ runs): EBUSY, the
 * refusal naming the APQN as withheld, and the store's message naming it;
 * nothing is reset twice.  A reset that ran and was not verified is EIO
 * (test_reset_quarantined_retries_leftover).  (review of c and d, 2)
 */
static int nested_fn_rc, nested_store_rc;
static struct kvm_s390_ap_refusal nested_r;
static bool nested_done;

static void retry_during_zapq(unsigned int apid, unsigned int apqi)
{
	if (apid != 6 || apqi != 2 || nested_done)
		return;
	nested_done = true;
	ksim_thread_switch();
	nested_fn_rc = apmx_zeroize_retry_leftover(6, 2, &nested_r);
	nested_store_rc = ksim_drv_attr_store(ksim_ap_driver("apmatrix"),
					      "reset_quarantined",
					      "06.0002\n");
	ksim_thread_return();
}

START_TEST(test_reset_quarantined_leftover_withheld_is_ebusy)
{
	struct ksim_queue *q = &ksim_host.q[6][2];
	unsigned int zapqs;

	vfio_ap_leaves_leftover_in_place();
	q->deconfigured = false;
	zapqs = q->zapq_calls;
	nested_done = false;
	nested_fn_rc = nested_store_rc = 1;
	ksim_logs_clear();
	retry_0602_during_zapq(retry_during_zapq);
	ck_assert(nested_done);
	ck_assert_msg(nested_fn_rc == -EBUSY,
		      "a retry of a withheld 06.0002 answered %d, not -EBUSY",
		      nested_fn_rc);
	ck_assert_refusal(&nested_r, KVM_S390_AP_R_QUARANTINED, 6, 2,
			  KVM_S390_AP_HOLDER_QUARANTINE);
	ck_assert_int_eq(nested_store_rc, -EBUSY);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "06.0002: left unreset, not reset: being reset"));
	ck_assert_uint_eq(q->zapq_calls, zapqs + 1);	/* the first retry's */
	ck_assert_uint_eq(q->secret, 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert(ksim_table_free(6, 2));
}
END_TEST

/*
 * A queue device that appears (the AP bus's scan) while a leftover retry
 * withholds its slot is not a guest's: it must end with the driver the
 * host's masks give it to, as if it had appeared after the retry -- here
 * (apmask, aqmask clear) vfio_ap if it is loaded, else no driver; never
 * left bound to apmatrix, free.  (review of c and d, 3)
 */
static struct ap_driver *appeared_drv, *appeared_retried_drv;
static bool appeared, appeared_deferred, appeared_retried_deferred;
static int appeared_bind_rc;
static unsigned int appeared_retries;

static void qdev_appears_during_zapq(unsigned int apid, unsigned int apqi)
{
	if (apid != 6 || apqi != 2 || appeared)
		return;
	appeared = true;
	ksim_thread_switch();
	ksim_qdev_add(6, 2, CEX7);
	appeared_drv = ksim_qdev_driver(6, 2);
	appeared_deferred = ksim_qdev_deferred(6, 2);
	/* root's bind to vfio_ap meanwhile: try again (dd.c: EAGAIN) */
	appeared_bind_rc = ksim_ap_driver("vfio_ap") ?
			   ksim_qdev_bind(6, 2, &ksim_vfio_ap_drv) : 0;
	/*
	 * Another queue binds meanwhile (07.0003, to vfio_ap if loaded): the
	 * driver core retries the deferred 06.0002 (dd.c
	 * deferred_probe_work_func()), which is still withheld.
	 */
	ksim_qdev_add(7, 3, CEX7);
	ksim_deferred_probe_work();
	appeared_retries = ksim_qdev_deferred_retries(6, 2);
	appeared_retried_drv = ksim_qdev_driver(6, 2);
	appeared_retried_deferred = ksim_qdev_deferred(6, 2);
	ksim_thread_return();
}

/* 06.0002 left unreset by vfio_ap, back in the configuration, no device */
static void leftover_back_without_device(void)
{
	vfio_ap_leaves_leftover();
	ck_assert_int_eq(ksim_module_refs, 1);
	ck_assert(ksim_qdev_unscanned(6, 2, true, true));
	appeared = false;
	appeared_drv = NULL;
	ksim_logs_clear();
	retry_0602_during_zapq(qdev_appears_during_zapq);
	ck_assert(appeared);
	ck_assert_uint_eq(ksim_host.q[6][2].secret, 0);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert(ksim_table_free(6, 2));
}

START_TEST(test_reset_quarantined_leftover_appearing_queue_to_vfio_ap)
{
	leftover_back_without_device();
	/* meanwhile nobody's: unbound, vfio_ap's probe deferred */
	ck_assert_ptr_null(appeared_drv);
	ck_assert(appeared_deferred);
	ck_assert_int_eq(appeared_bind_rc, -EAGAIN);
	/*
	 * vfio_ap's probe was deferred twice (the device's, root's bind):
	 * logged once per queue and retry.  (review helper-55, 2)
	 */
	ck_assert_msg(ksim_printk_count("06.0002: vfio_ap's probe deferred") == 1,
		      "vfio_ap's deferred probe of 06.0002 logged %u times, not once",
		      ksim_printk_count("06.0002: vfio_ap's probe deferred"));
	/* 07.0003 bound to vfio_ap: the driver core's retry, deferred again */
	ck_assert_uint_eq(appeared_retries, 1);
	ck_assert_ptr_null(appeared_retried_drv);
	ck_assert(appeared_retried_deferred);
	ck_assert_msg(ksim_qdev_driver(6, 2) == &ksim_vfio_ap_drv,
		      "06.0002, appeared during the retry, bound to %s after it, not vfio_ap",
		      ksim_qdev_driver(6, 2) ?
		      ksim_qdev_driver(6, 2)->driver.name : "nothing");
	/* the masks decide: given to the host, the default driver gets it */
	ck_assert_int_eq(ksim_apmask_store("6"), 0);
	ck_assert_int_eq(ksim_aqmask_store("2"), 0);
	ck_assert_ptr_eq(ksim_qdev_driver(6, 2), &ksim_zcrypt_drv);
}
END_TEST

/* root's bind of 06.0002 to vfio_ap during the retry's ZAPQ */
static int second_bind_rc;
static bool second_bound, second_deferred;

static void bind_during_zapq(unsigned int apid, unsigned int apqi)
{
	if (apid != 6 || apqi != 2 || second_bound)
		return;
	second_bound = true;
	ksim_thread_switch();
	second_bind_rc = ksim_qdev_bind(6, 2, &ksim_vfio_ap_drv);
	/* dd.c device_driver_attach(): never on the deferred-probe list */
	second_deferred = ksim_qdev_deferred(6, 2);
	ksim_thread_return();
}

/*
 * The records of one retry (a probe met it, its deferral was logged) go
 * with it: a later retry that no probe meets leaves the queue as root
 * left it, and one that meets a probe logs its deferral again (review
 * helper-59).
 */
START_TEST(test_reset_quarantined_leftover_second_retry_starts_clean)
{
	struct ksim_queue *q = &ksim_host.q[6][2];
	struct ap_driver *drv;

	leftover_back_without_device();
	ck_assert_ptr_eq(ksim_qdev_driver(6, 2), &ksim_vfio_ap_drv);
	drv = ksim_ap_driver("apmatrix");
	/* root unbinds it from vfio_ap, deconfigured: marked again */
	q->deconfigured = true;
	ck_assert_int_eq(ksim_qdev_unbind(6, 2), 0);
	ck_assert_int_eq(ksim_module_refs, 1);
	q->deconfigured = false;
	/* no probe meets this retry: left unbound, as root left it */
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), 8);
	ck_assert_msg(!ksim_qdev_driver(6, 2),
		      "06.0002, unbound by root, bound to %s by a later retry",
		      ksim_qdev_driver(6, 2)->driver.name);
	/* marked again; this retry meets root's bind: logged again */
	q->deconfigured = true;
	ck_assert_int_eq(ksim_qdev_bind(6, 2, &ksim_vfio_ap_drv), 0);
	ck_assert_int_eq(ksim_qdev_unbind(6, 2), 0);
	q->deconfigured = false;
	ck_assert_int_eq(ksim_module_refs, 1);
	second_bound = false;
	ksim_logs_clear();
	retry_0602_during_zapq(bind_during_zapq);
	ck_assert(second_bound);
	ck_assert_int_eq(second_bind_rc, -EAGAIN);
	ck_assert_msg(!second_deferred,
		      "a bind through sysfs put 06.0002 on the deferred list");
	ck_assert_msg(ksim_printk_count("06.0002: vfio_ap's probe deferred") == 1,
		      "the second retry's deferral logged %u times",
		      ksim_printk_count("06.0002: vfio_ap's probe deferred"));
	ck_assert_ptr_eq(ksim_qdev_driver(6, 2), &ksim_vfio_ap_drv);
}
END_TEST

START_TEST(test_reset_quarantined_leftover_appearing_queue_no_vfio_ap)
{
	ck_assert_int_eq(ap_driver_register(&ksim_vfio_ap_drv, THIS_MODULE,
					    "vfio_ap"), 0);
	start();
	/* as vfio_ap_leaves_leftover(), then vfio_ap.ko goes */
	ksim_qdev_add(6, 2, CEX7);
	ksim_host.q[6][2].secret = 0x55;
	ksim_qdev_del(6, 2);
	ap_driver_unregister(&ksim_vfio_ap_drv);
	ck_assert_int_eq(ksim_module_refs, 1);
	ck_assert(ksim_qdev_unscanned(6, 2, true, true));
	appeared = false;
	retry_0602_during_zapq(qdev_appears_during_zapq);
	ck_assert(appeared);
	ck_assert_ptr_null(appeared_drv);
	ck_assert_msg(!ksim_qdev_driver(6, 2),
		      "06.0002, appeared during the retry, bound to %s after it, free",
		      ksim_qdev_driver(6, 2)->driver.name);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert(ksim_table_free(6, 2));
}
END_TEST

/*
 * The retry never resets a marked queue under someone: a guest of ours
 * that holds it (unclean), vfio_ap when the queue is bound to it again,
 * the host's default drivers when the masks give it to them.  Refused
 * with EBUSY, the mark and the pin kept, the queue not touched.
 */
START_TEST(test_reset_quarantined_leftover_not_under_a_holder)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct ksim_queue *q = &ksim_host.q[6][2];
	struct ap_driver *drv;
	unsigned int zapqs;

	vfio_ap_leaves_leftover_in_place();
	drv = ksim_ap_driver("apmatrix");
	/* a guest of ours holds it: unclean, its reset failed (RC 03) */
	ck_assert_int_eq(ksim_set(kvm, "6", "2", "", NULL), 0);
	ck_assert_int_eq(ksim_module_refs, 1);
	q->deconfigured = false;
	zapqs = q->zapq_calls;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EBUSY);
	ck_assert_uint_eq(q->zapq_calls, zapqs);
	ck_assert_uint_eq(q->secret, 0x55);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	ck_assert(ksim_table_free(6, 2));
	ck_assert_int_eq(ksim_module_refs, 0);	/* the release's reset */
	ksim_vm_destroy(kvm);
}
END_TEST

START_TEST(test_reset_quarantined_leftover_not_under_vfio_ap)
{
	struct ksim_queue *q = &ksim_host.q[6][2];
	struct ap_driver *drv;
	unsigned int zapqs;

	vfio_ap_leaves_leftover_in_place();
	drv = ksim_ap_driver("apmatrix");
	/* deconfigured still, bound to vfio_ap again */
	ck_assert_int_eq(ksim_qdev_bind(6, 2, &ksim_vfio_ap_drv), 0);
	zapqs = q->zapq_calls;
	ksim_logs_clear();
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EBUSY);
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(), "06.0002"));
	ck_assert_uint_eq(q->zapq_calls, zapqs);
	ck_assert_int_eq(ksim_module_refs, 1);
	/* the host's: apmask and aqmask give 06.0002 to the default drivers */
	ck_assert_int_eq(ksim_qdev_unbind(6, 2), 0);
	ck_assert_int_eq(ksim_module_refs, 1);
	ck_assert_int_eq(ksim_apmask_store("6"), 0);
	ck_assert_int_eq(ksim_aqmask_store("2"), 0);
	zapqs = q->zapq_calls;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), -EBUSY);
	ck_assert_uint_eq(q->zapq_calls, zapqs);
	ck_assert_int_eq(ksim_module_refs, 1);
	/* given back to nobody: the retry works */
	ck_assert_int_eq(ksim_apmask_store(""), 0);
	ck_assert_int_eq(ksim_aqmask_store(""), 0);
	/* vfio_ap may have taken it again: its remove's reset fails (03) */
	ksim_qdev_unbind(6, 2);
	ck_assert_int_eq(ksim_module_refs, 1);
	q->deconfigured = false;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), 8);
	ck_assert_int_eq(ksim_module_refs, 0);
	ck_assert_uint_eq(q->secret, 0);
}
END_TEST

/*
 * /sys/bus/ap/drivers/apmatrix/quarantined and leftover (0400): the
 * quarantined APQNs, and those another driver (vfio_ap) left without a
 * verified reset, one a line in ascending order, each as the AP bus names
 * the queue and reset_quarantined takes it.  (review rv12f, item d)
 */
static void drv_attr_is(struct ap_driver *drv, const char *name,
			const char *want)
{
	char buf[KSIM_PAGE_SIZE];

	ck_assert_int_eq(ksim_drv_attr_show(drv, name, buf), strlen(want));
	ck_assert_str_eq(buf, want);
}

START_TEST(test_quarantined_and_leftover_attributes)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	char buf[KSIM_PAGE_SIZE];
	struct ap_driver *drv;

	ck_assert_int_eq(ap_driver_register(&ksim_vfio_ap_drv, THIS_MODULE,
					    "vfio_ap"), 0);
	start();
	drv = ksim_ap_driver("apmatrix");
	ck_assert_ptr_nonnull(drv);
	drv_attr_is(drv, "quarantined", "");
	drv_attr_is(drv, "leftover", "");
	/* root only (mode 0400), and not writable */
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(ksim_drv_attr_show(drv, "quarantined", buf), -EACCES);
	ck_assert_int_eq(ksim_drv_attr_show(drv, "leftover", buf), -EACCES);
	ksim_cap_sys_admin = true;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "quarantined", "07.0003"),
			 -EACCES);
	ck_assert_int_eq(ksim_drv_attr_store(drv, "leftover", "06.0002"),
			 -EACCES);
	ck_assert_int_eq(ksim_drv_attr_show(drv, "reset_quarantined", buf),
			 -EACCES);
	/* vfio_ap gives up 06.0002 deconfigured: its reset fails, marked */
	ksim_qdev_add(6, 2, CEX7);
	ck_assert_ptr_eq(ksim_qdev_driver(6, 2), &ksim_vfio_ap_drv);
	ksim_host.q[6][2].deconfigured = true;
	ck_assert_int_eq(ksim_qdev_unbind(6, 2), 0);
	drv_attr_is(drv, "leftover", "06.0002\n");
	drv_attr_is(drv, "quarantined", "");
	/* two quarantined queues, listed in (adapter, domain) order */
	ksim_qdev_add(0x1a, 4, CEX7);
	ksim_qdev_add(7, 3, CEX7);
	/* vfio_ap took them; reset by it (verified): no mark */
	ck_assert_int_eq(ksim_qdev_unbind(0x1a, 4), 0);
	ck_assert_int_eq(ksim_qdev_unbind(7, 3), 0);
	quarantine(kvm, "26", "4", 0x1a, 4);
	quarantine(kvm, "7", "3", 7, 3);
	drv_attr_is(drv, "quarantined", "07.0003\n1a.0004\n");
	drv_attr_is(drv, "leftover", "06.0002\n");
	/* a line written back to reset_quarantined: off the list */
	ksim_host.q[0x1a][4].reset_hangs = false;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "1a.0004\n"), 8);
	drv_attr_is(drv, "quarantined", "07.0003\n");
	ksim_host.q[7][3].reset_hangs = false;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "07.0003\n"), 8);
	ksim_host.q[6][2].deconfigured = false;
	ck_assert_int_eq(ksim_drv_attr_store(drv, "reset_quarantined",
					     "06.0002\n"), 8);
	drv_attr_is(drv, "quarantined", "");
	drv_attr_is(drv, "leftover", "");
	ck_assert_int_eq(ksim_module_refs, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * More APQNs than a page holds: as many lines as fit with a last "...",
 * never a cut line or a write beyond the page (sysfs_emit_at()).
 */
START_TEST(test_quarantined_attribute_one_page)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	char buf[KSIM_PAGE_SIZE], line[16];
	struct ap_driver *drv;
	unsigned int a, d, n = 0;
	long len;

	start();
	drv = ksim_ap_driver("apmatrix");
	for (a = 1; a <= 24; a++)
		for (d = 0; d <= 24; d++)
			ksim_host.q[a][d].reset_hangs = true;
	ck_assert_int_eq(ksim_set(kvm, "1-24", "0-24", "", NULL), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	len = ksim_drv_attr_show(drv, "quarantined", buf);
	ck_assert_int_eq(len, (long)strlen(buf));
	ck_assert_int_lt(len, KSIM_PAGE_SIZE);
	/* 511 lines of 8 characters, then "...\n": 4092 */
	ck_assert_int_eq(len, 511 * 8 + 4);
	for (a = 1; a <= 24 && n < 511; a++)
		for (d = 0; d <= 24 && n < 511; d++, n++) {
			snprintf(line, sizeof(line), "%02x.%04x\n", a, d);
			ck_assert_msg(!memcmp(buf + n * 8, line, 8),
				      "line %u is not %s", n, line);
		}
	ck_assert_str_eq(buf + 511 * 8, "...\n");
	for (a = 1; a <= 24; a++)
		for (d = 0; d <= 24; d++)
			ksim_host.q[a][d].reset_hangs = false;
	ck_assert_int_eq(ksim_set(kvm, "1-24", "0-24", "", NULL), 0);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	drv_attr_is(drv, "quarantined", "");
	ksim_vm_destroy(kvm);
}
END_TEST

/* /sys/bus/ap/devices/XX.YYYY/apmatrix_holder: mode 0400 */
START_TEST(test_holder_file_root_only)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	char buf[KSIM_PAGE_SIZE];

	start();
	ksim_qdev_add(8, 1, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "8", "1", "", NULL), 0);
	ck_assert_int_gt(ksim_qdev_attr(8, 1, "apmatrix_holder", buf), 0);
	ksim_cap_sys_admin = false;
	ck_assert_int_eq(ksim_qdev_attr(8, 1, "apmatrix_holder", buf),
			 -EACCES);
	ksim_cap_sys_admin = true;
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A queue that leaves apmatrix while a guest holds it is not reset then
 * (that reset, outside the guest's op_lock and with the slot not withheld,
 * could hit the queue after it moved to another guest); it is reset when
 * the guest gives it back.
 */
START_TEST(test_removed_queue_reset_on_release)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	unsigned long slept;

	start();
	ksim_qdev_add(4, 1, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", NULL), 0);
	ksim_host.q[4][1].secret = 0x5ec7e7;
	ksim_zapq_counts_clear();
	slept = ksim_slept_ms;
	ksim_lock_hold_reset();
	ck_assert_int_eq(ksim_qdev_unbind(4, 1), 0);
	ck_assert_uint_eq(ksim_host.q[4][1].zapq_calls, 0);
	ck_assert_uint_eq(ksim_slept_ms, slept);
	ck_assert_uint_eq(ksim_lock_hold_max(KSIM_RANK_KVM), 0);
	ck_assert_ptr_eq(ksim_user(4, 1), &kvm->arch.crypto.apmx->owner);
	ksim_vm_destroy(kvm);
	ck_assert_uint_eq(ksim_host.q[4][1].secret, 0);
	ck_assert(ksim_table_free(4, 1));
}
END_TEST

/*
 * A guest reset resets every usage queue the guest holds, also one that
 * is out of its CRYCB now (unbound): it comes back to the rebooted guest
 * without the previous boot's replies.
 */
START_TEST(test_guest_reset_covers_gone_queue)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_refusal r;

	start();
	ksim_qdev_add(4, 1, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", NULL), 0);
	ksim_host.q[4][1].secret = 0x5ec7e7;
	ck_assert_int_eq(ksim_qdev_unbind(4, 1), 0);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ck_assert_uint_eq(ksim_host.q[4][1].secret, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A queue of a type apmatrix does not bind (CEX3) is never bound, but it
 * was there when the guest claimed it: released while it answers RC 01
 * (out of the configuration, its device not yet removed by the AP bus's
 * next scan), it stays withheld.
 */
START_TEST(test_unbound_type_present_at_claim)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct apmx_slot sl;

	start();
	ksim_qdev_add(6, 1, AP_DEVICE_TYPE_CEX3C);
	ck_assert_int_eq(ksim_set(kvm, "6", "1", "", NULL), 0);
	ck_assert_ptr_null(ksim_qdev_driver(6, 1));
	ksim_host.q[6][1].secret = 0x61;
	ksim_host.q[6][1].exists = false;
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	apmx_table_lookup(&apmx_table, 6, 1, &sl);
	ck_assert_uint_eq(sl.state, APMX_SLOT_QUARANTINED);
	ksim_host.q[6][1].exists = true;
	ck_assert_int_eq(apmx_zeroize_retry(6, 1), 0);
	ck_assert_uint_eq(ksim_host.q[6][1].secret, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A queue of a type apmatrix does not bind (CEX3) that appears after the
 * claim is present as well: apmatrix's probe sees it (and leaves it
 * unbound), so when its card leaves the configuration (ZAPQ RC 01) the
 * release quarantines it; when it comes back, the probe resets it.
 * Before, only devices that existed at the claim counted, and this one
 * went back free with the guest's reply in it.
 */
START_TEST(test_unbound_type_appearing_after_claim)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct apmx_slot sl;

	start();
	ck_assert_int_eq(ksim_set(kvm, "6", "1", "", NULL), 0);
	ksim_qdev_add(6, 1, AP_DEVICE_TYPE_CEX3C);
	ck_assert_ptr_null(ksim_qdev_driver(6, 1));
	ksim_host.q[6][1].secret = 0x61;
	ksim_qdev_del(6, 1);
	ksim_host.q[6][1].exists = false;
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_CLEAR_AP_MATRIX, NULL), 0);
	apmx_table_lookup(&apmx_table, 6, 1, &sl);
	ck_assert_uint_eq(sl.state, APMX_SLOT_QUARANTINED);
	/* back: the probe resets it, and it stays unbound */
	ksim_host.q[6][1].exists = true;
	ksim_qdev_add(6, 1, AP_DEVICE_TYPE_CEX3C);
	ck_assert_ptr_null(ksim_qdev_driver(6, 1));
	apmx_table_lookup(&apmx_table, 6, 1, &sl);
	ck_assert_uint_eq(sl.state, 0);
	ck_assert_uint_eq(ksim_host.q[6][1].secret, 0);
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * A new queue whose device is there but that answers RC 01 (it left the
 * configuration; the AP bus's next scan will remove the device) was not
 * reset: it stays unclean, and a guest reset that again gets RC 01 does
 * not make it clean.
 */
START_TEST(test_unavailable_new_queue_stays_unclean)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_refusal r;

	start();
	ksim_qdev_add(4, 1, CEX7);
	ck_assert(!ksim_qdev_unscanned(4, 1, false, false));
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", &m), 0);
	ck_assert(apmx_mask_empty(m.effective.apm));
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ksim_get(kvm, &m);
	ck_assert(apmx_mask_empty(m.effective.apm));
	/* back in the configuration: the guest reset verifies it */
	ck_assert(ksim_qdev_unscanned(4, 1, true, false));
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_RESET_AP_QUEUES, &r), 0);
	ksim_get(kvm, &m);
	ck_assert_mem_eq(&m.effective, &m.requested, sizeof(m.requested));
	ksim_vm_destroy(kvm);
}
END_TEST

static void vmm_exits(struct kvm *kvm)
{
	ksim_on_kvm_get = NULL;
	ksim_vm_destroy(kvm);	/* its fd: the queue driver's is the last */
}

/*
 * The VMM exits while the queue driver holds a reference to its VM (a
 * queue is unplugged): the driver's kvm_put_kvm() is the last one and
 * destroys the VM from the remove path, under the device lock; the VM's
 * queues are given back and reset there.
 */
START_TEST(test_last_kvm_reference_in_remove)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);

	start();
	ksim_qdev_add(4, 1, CEX7);
	ksim_qdev_add(4, 2, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "4", "1-2", "", NULL), 0);
	ksim_host.q[4][2].secret = 0x5ec7e7;
	ksim_on_kvm_get = vmm_exits;
	ck_assert_int_eq(ksim_qdev_unbind(4, 1), 0);
	ck_assert_ptr_null(ksim_on_kvm_get);
	ck_assert_int_eq(ksim_kvm_refs, 0);
	ck_assert_uint_eq(ksim_table_used(), 0);
	ck_assert_uint_eq(ksim_host.q[4][2].secret, 0);
	ck_assert_ptr_null(strstr(ksim_printk_log(), "VIOLATION"));
}
END_TEST

static unsigned int revisions;

static void count_revision(void)
{
	revisions++;
}

/*
 * A mask edit reprobes only the queues whose default-driver status it
 * changed (6.1's __ap_revise_reserved()), not every unbound queue: a held
 * queue the administrator unbound stays unbound.
 */
START_TEST(test_mask_edit_reprobes_changed_queues_only)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix m;
	struct kvm_s390_ap_masks eff;

	start();
	ksim_qdev_add(4, 1, CEX7);
	ksim_qdev_add(9, 1, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", NULL), 0);
	ck_assert_int_eq(ksim_qdev_unbind(4, 1), 0);
	ksim_ap_bus_before_revise = count_revision;
	/* the host takes adapter 9: 09.0001 goes to cex4queue, 04.0001 stays */
	ck_assert_int_eq(ksim_aqmask_store("1"), 0);
	ck_assert_int_eq(ksim_apmask_store("9"), 0);
	ck_assert_uint_eq(revisions, 2);
	ck_assert_str_eq(ksim_qdev_driver(9, 1)->driver.name, "cex4queue");
	ck_assert_ptr_null(ksim_qdev_driver(4, 1));
	ksim_get(kvm, &m);
	masks_of(&eff, "", "1", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	/* an edit that changes nothing revises nothing */
	ck_assert_int_eq(ksim_apmask_store("9"), 0);
	ck_assert_uint_eq(revisions, 2);
	/* the host gives adapter 9 back: cex4queue lets go, nobody takes it */
	ck_assert_int_eq(ksim_apmask_store(""), 0);
	ck_assert_uint_eq(revisions, 3);
	ck_assert_ptr_null(ksim_qdev_driver(9, 1));
	/* where 6.1 reads a default flag for an unbound queue, it reprobes */
	ksim_revise_unbound_flags = AP_DRIVER_FLAG_DEFAULT;
	ck_assert_int_eq(ksim_aqmask_store("1:2"), 0);
	apmatrix_drv(4, 1);
	ksim_get(kvm, &m);
	masks_of(&eff, "4", "1", "");
	ck_assert_mem_eq(&m.effective, &eff, sizeof(eff));
	ksim_ap_bus_before_revise = NULL;
	ksim_vm_destroy(kvm);
}
END_TEST

/* The simulated bus and driver core behave as 6.1's where it matters. */
START_TEST(test_ksim_bus_is_61)
{
	struct ap_queue *q;

	start_zcrypt_only();
	ksim_host_own("1", "1");
	ksim_qdev_add(1, 1, CEX7);
	ksim_qdev_add(2, 1, CEX7);
	ksim_qdev_add(3, 1, 5);		/* CEX2A: no driver here matches */
	/* ap_get_qdev(): bound queues only, with a reference */
	q = ap_get_qdev(AP_MKQID(1, 1));
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(ksim_qdev_refs, 1);
	put_device(&q->ap_dev.device);
	ck_assert_ptr_null(ap_get_qdev(AP_MKQID(2, 1)));
	ck_assert_ptr_null(ap_get_qdev(AP_MKQID(9, 9)));
	/* sysfs bind: a matching driver whose probe takes it */
	ck_assert_int_eq(ksim_qdev_bind(2, 1, &ksim_zcrypt_drv), -ENODEV);
	ck_assert_int_eq(ksim_qdev_bind(3, 1, &ksim_vfio_ap_drv), -ENODEV);
	ck_assert_int_eq(ksim_qdev_bind(9, 9, &ksim_vfio_ap_drv), -ENODEV);
	ck_assert_int_eq(ksim_qdev_bind(1, 1, &ksim_zcrypt_drv), -EBUSY);
	ck_assert_int_eq(ksim_qdev_unbind(2, 1), -ENODEV);
	ck_assert_int_eq(ksim_qdev_unbind(9, 9), -ENODEV);
	/* device_attach(): 1 bound (already), 0 no driver took it */
	q = ap_get_qdev(AP_MKQID(1, 1));
	ck_assert_int_eq(device_attach(&q->ap_dev.device), 1);
	put_device(&q->ap_dev.device);
	/* device_release_driver(): unbound, out of the hash */
	q = ap_get_qdev(AP_MKQID(1, 1));
	device_release_driver(&q->ap_dev.device);
	ck_assert_ptr_null(ksim_qdev_driver(1, 1));
	ck_assert_ptr_null(ap_get_qdev(AP_MKQID(1, 1)));
	ck_assert_int_eq(device_attach(&q->ap_dev.device), 1);
	ck_assert_str_eq(ksim_qdev_driver(1, 1)->driver.name, "cex4queue");
	/* a reference keeps a vanished device; unbound, not on the bus */
	ksim_qdev_del(1, 1);
	ck_assert_ptr_null(ap_get_qdev(AP_MKQID(1, 1)));
	ck_assert_int_eq(device_attach(&q->ap_dev.device), 0);
	put_device(&q->ap_dev.device);
	ck_assert_int_eq(ksim_qdev_refs, 0);
	/* not bound to the driver asked: no attribute */
	ck_assert_int_eq(ksim_qdev_attr(2, 1, "apmatrix_holder",
					(char[8]){0}), -ENOENT);
	ck_assert_ptr_null(ksim_ap_driver("apmatrix"));
	ck_assert_ptr_eq(ksim_ap_driver("cex4queue"), &ksim_zcrypt_drv);
}
END_TEST

/*
 * The simulated AP bus tells 01 from 03 as 6.1 does (ap_bus.c
 * ap_queue_info(), ap_scan_domains()): a deconfigured queue answers 03
 * and keeps its device, config false; configured on again it is config
 * true, and only a queue a default driver initialized gets the state
 * machine's RAPQ (AP_SM_STATE_RESET_START), which does not zeroize.  A
 * queue out of the configuration answers 01, keeps its device until the
 * scan removes it, and comes back before a scan only with its device.
 */
START_TEST(test_ksim_config_is_61)
{
	struct ksim_queue *z = &ksim_host.q[1][1], *x = &ksim_host.q[2][1];
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct ap_queue *q;

	start();
	ksim_host_own("1", "1");
	ksim_qdev_add(1, 1, CEX7);		/* zcrypt's */
	ksim_qdev_add(2, 1, CEX7);
	ck_assert_int_eq(ksim_set(kvm, "2", "1", "", NULL), 0);
	apmatrix_drv(2, 1);
	z->secret = x->secret = 0x77;
	z->reset_polls = x->reset_polls = 2;
	ksim_qdev_config(1, 1, false);
	ksim_qdev_config(2, 1, false);
	ck_assert_uint_eq(ap_zapq(AP_MKQID(1, 1)).response_code,
			  AP_RESPONSE_DECONFIGURED);
	ck_assert_uint_eq(ap_tapq(AP_MKQID(2, 1), NULL).response_code,
			  AP_RESPONSE_DECONFIGURED);
	q = ap_get_qdev(AP_MKQID(1, 1));	/* kept, config off */
	ck_assert_ptr_nonnull(q);
	ck_assert(!q->config);
	put_device(&q->ap_dev.device);
	ksim_qdev_config(1, 1, true);
	ksim_qdev_config(2, 1, true);
	q = ap_get_qdev(AP_MKQID(1, 1));
	ck_assert(q->config);
	put_device(&q->ap_dev.device);
	/* zcrypt's queue: RAPQ (2 polls say 02), nothing zeroized */
	ck_assert_uint_eq(z->resetting, 2);
	ck_assert_uint_eq(z->secret, 0x77);
	/* apmatrix's: nothing at all */
	ck_assert_uint_eq(x->resetting, 0);
	ck_assert_uint_eq(x->zapq_calls, 1);	/* the claim's; ours above */
	apmatrix_drv(2, 1);
	/* a deconfigured queue without a device gets one, config off */
	ksim_qdev_del(3, 1);
	ksim_host.q[3][1].exists = true;
	ksim_qdev_config(3, 1, false);
	ck_assert_uint_eq(ap_tapq(AP_MKQID(3, 1), NULL).response_code,
			  AP_RESPONSE_DECONFIGURED);
	ksim_qdev_config(3, 1, true);
	/* out of the configuration: 01, the device stays until the scan */
	ck_assert(!ksim_qdev_unscanned(2, 1, false, false));
	ck_assert_uint_eq(ap_zapq(AP_MKQID(2, 1)).response_code,
			  AP_RESPONSE_Q_NOT_AVAIL);
	apmatrix_drv(2, 1);
	ksim_qdev_config(2, 1, false);		/* not configurable: 01 */
	ck_assert_uint_eq(ap_zapq(AP_MKQID(2, 1)).response_code,
			  AP_RESPONSE_Q_NOT_AVAIL);
	ck_assert(ksim_qdev_unscanned(2, 1, true, false));	/* has one */
	ksim_qdev_del(2, 1);			/* the scan removes it */
	ck_assert_ptr_null(ksim_qdev_driver(2, 1));
	ck_assert(!ksim_qdev_unscanned(2, 1, true, false));	/* no device */
	ck_assert(ksim_qdev_unscanned(2, 1, true, true));
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * /sys/bus/ap/apmask and aqmask take 6.1's syntax (ap_bus.c
 * ap_parse_bitmap_str()): a hex mask, most significant bit first, or
 * relative terms applied to the mask as it is; anything else is -EINVAL
 * and changes nothing.
 */
static void ids_of(u8 *m, const char *list)
{
	struct kvm_s390_ap_masks mk;

	ksim_masks(&mk, list, "", "");
	memcpy(m, mk.apm, 32);
}

START_TEST(test_ksim_mask_syntax_is_61)
{
	static const char * const bad[] = {
		"+256", "-0-256", "+5-4", "+1,2", "+", "+x", "1,2", "0x1g",
		"0x00000000000000000000000000000000000000000000000000000000000000001",
		"+1 ", "*3",
	};
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	u8 want[32], before[32];
	unsigned int i;

	start();
	ck_assert_int_eq(ksim_apmask_write("0x8"), 0);	/* adapter 0 */
	ids_of(want, "0");
	ck_assert_mem_eq(ksim_host.apmask, want, 32);
	ck_assert_int_eq(ksim_apmask_write("x5\n"), 0);	/* 0101: 1, 3 */
	ids_of(want, "1,3");
	ck_assert_mem_eq(ksim_host.apmask, want, 32);
	ck_assert_int_eq(ksim_apmask_write("+4,+6-9,,-7\n"), 0);
	ids_of(want, "1,3-4,6,8-9");
	ck_assert_mem_eq(ksim_host.apmask, want, 32);
	/* base 0: hex, octal, decimal */
	ck_assert_int_eq(ksim_apmask_write("+0x10,+010,-1,+255"), 0);
	ids_of(want, "3-4,6,8-9,16,255");
	ck_assert_mem_eq(ksim_host.apmask, want, 32);
	/* simple_strtoul() wraps: 2^64 + 2 is 2 */
	ck_assert_int_eq(ksim_apmask_write("+18446744073709551618"), 0);
	ids_of(want, "2-4,6,8-9,16,255");
	ck_assert_mem_eq(ksim_host.apmask, want, 32);
	ck_assert_int_eq(ksim_apmask_write("-2"), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memcpy(before, ksim_host.apmask, 32);
		ck_assert_msg(ksim_apmask_write(bad[i]) == -EINVAL, "%s", bad[i]);
		ck_assert_mem_eq(ksim_host.apmask, before, 32);
	}
	ck_assert_int_eq(ksim_apmask_write(""), 0);	/* the empty mask */
	ck_assert(apmx_mask_empty(ksim_host.apmask));
	/* a relative edit is vetoed like any other */
	ck_assert_int_eq(ksim_aqmask_write("+1"), 0);
	ck_assert_int_eq(ksim_set(kvm, "4", "1", "", NULL), 0);
	ck_assert_int_eq(ksim_apmask_write("+2-5"), -EBUSY);
	ck_assert(apmx_mask_empty(ksim_host.apmask));
	ck_assert_int_eq(ksim_apmask_write("+5"), 0);
	ksim_vm_destroy(kvm);
}
END_TEST
#else
START_TEST(test_no_ap_bus)
{
	struct kvm_s390_ap_masks m;
	struct kvm_s390_ap_masks before;
	struct kvm_s390_ap_refusal r;

	kvm_s390_apmx_qdrv_init();
	kvm_s390_apmx_qdrv_exit();
	masks_of(&m, "1-3", "4", "5");
	before = m;
	apmx_qdrv_filter(&m);
	ck_assert_mem_eq(&m, &before, sizeof(m));
	ck_assert_int_eq(apmx_qdrv_veto(1, 4, false, &r), 0);
	/* no AP bus, no default drivers: nothing to veto */
	ck_assert(apmx_qdrv_ready());
}
END_TEST
#endif

Suite *ksim_suite_queue_driver(void)
{
	Suite *s = suite_create("queue-driver");
	TCase *tc = qd_tcase("queue-driver");

#if IS_ENABLED(CONFIG_ZCRYPT)
	tcase_add_test(tc, test_binds_held_queues_only);
	tcase_add_test(tc, test_register_before_bus);
	tcase_add_test(tc, test_in_use_vetoes_held_queue);
	tcase_add_test(tc, test_in_use_grant_and_quarantine);
	tcase_add_test(tc, test_holder_text);
	tcase_add_test(tc, test_removed_queue_unplugged);
	tcase_add_test(tc, test_queue_back_logged_once_each);
	tcase_add_test(tc, test_vfio_ap_bound_queue_never_claimed);
	tcase_add_test(tc, test_vfio_ap_cannot_take_held_queue);
	tcase_add_test(tc, test_vfio_ap_leftover_out_of_config_is_reset_first);
	tcase_add_test(tc, test_vfio_ap_leftover_released_absent_is_quarantined);
	tcase_add_test(tc, test_vfio_ap_slow_reset_finished_here);
	tcase_add_test(tc, test_vfio_ap_rapq_is_no_zeroize);
	tcase_add_test(tc, test_vfio_ap_probe_error_undoes_without_reset);
	tcase_add_test(tc, test_vfio_ap_mdev_control_domains);
	tcase_add_test(tc, test_unbound_type_appearing_after_claim);
	tcase_add_test(tc, test_vfio_ap_mdev_refused_quarantined);
	tcase_add_test(tc, test_vfio_ap_mdev_shrink_never_fails);
	tcase_add_test(tc, test_attach_finds_unbound_queues);
	tcase_add_test(tc, test_register_failure_not_ready);
	tcase_add_test(tc, test_gone_does_not_poison_adapter);
	tcase_add_test(tc, test_refuses_queue_bound_to_host_driver);
	tcase_add_test(tc, test_quarantined_queue_retried_on_probe);
	tcase_add_test(tc, test_shim_deferred_probe_retried_after_a_bind);
	tcase_add_test(tc, test_reset_quarantined_attribute);
	tcase_add_test(tc, test_reset_quarantined_retry_running_is_ebusy);
	tcase_add_test(tc, test_reset_quarantined_retries_leftover);
	tcase_add_test(tc, test_reset_quarantined_leftover_withheld_is_ebusy);
	tcase_add_test(tc, test_reset_quarantined_leftover_appearing_queue_to_vfio_ap);
	tcase_add_test(tc, test_reset_quarantined_leftover_appearing_queue_no_vfio_ap);
	tcase_add_test(tc, test_reset_quarantined_leftover_second_retry_starts_clean);
	tcase_add_test(tc, test_reset_quarantined_leftover_not_under_a_holder);
	tcase_add_test(tc, test_reset_quarantined_leftover_not_under_vfio_ap);
	tcase_add_test(tc, test_quarantined_and_leftover_attributes);
	tcase_add_test(tc, test_quarantined_attribute_one_page);
	tcase_add_test(tc, test_holder_file_root_only);
	tcase_add_test(tc, test_mask_edit_reprobes_changed_queues_only);
	tcase_add_test(tc, test_ksim_bus_is_61);
	tcase_add_test(tc, test_ksim_config_is_61);
	tcase_add_test(tc, test_ksim_mask_syntax_is_61);
	tcase_add_test(tc, test_removed_queue_reset_on_release);
	tcase_add_test(tc, test_last_kvm_reference_in_remove);
	tcase_add_test(tc, test_guest_reset_covers_gone_queue);
	tcase_add_test(tc, test_unavailable_new_queue_stays_unclean);
	tcase_add_test(tc, test_unbound_type_present_at_claim);
#else
	tcase_add_test(tc, test_no_ap_bus);
#endif
	suite_add_tcase(s, tc);
	return s;
}
