// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: the shims themselves are as strict as the Linux 6.1 functions they
 * stand in for.  Each test does what the kernel refuses, or what it does
 * differently from the forgiving shim this one replaced, and checks that
 * ksim sees it (a violation, a WARN, or the kernel's own result).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include "ksim-ap-bus.h"
#include "ksim-test.h"

/* what the test provoked on purpose; the fixture then checks for zero */
static void expect_violations(unsigned int n)
{
	ck_assert_uint_eq(ksim_violations, n);
	ksim_violations = 0;
}

static void expect_warnings(unsigned int n)
{
	ck_assert_uint_eq(ksim_warnings, n);
	ksim_warnings = 0;
}

/* kernel/capability.c: an invalid cap is a BUG(), not "no" */
START_TEST(capable_invalid_cap)
{
	ck_assert(capable(CAP_SYS_ADMIN));
	ck_assert(!capable(CAP_LAST_CAP));
	expect_violations(0);
	ck_assert(!capable(-1));
	ck_assert(!capable(CAP_LAST_CAP + 1));
	expect_violations(2);
}
END_TEST

/*
 * mm/gup.c pin_user_pages_fast() as 6.1 has it: FOLL_GET, no pages array
 * or a flag internal_get_user_pages_fast() does not know is a WARN and
 * -EINVAL; FOLL_PIN from the caller is accepted (the function sets it
 * anyway); unless FOLL_FAST_ONLY it may take current->mm's mmap_lock for
 * reading (might_lock_read()), so not under a lock that ranks below it.
 */
START_TEST(pin_user_pages_fast_as_strict)
{
	struct page *pg;

	/* no vCPU: nothing mapped, -EFAULT, but the flags pass */
	ck_assert_int_eq(pin_user_pages_fast(0, 1, FOLL_WRITE | FOLL_PIN |
					     FOLL_LONGTERM, &pg), -EFAULT);
	expect_warnings(0);
	expect_violations(0);
	ck_assert_int_eq(pin_user_pages_fast(0, 1, FOLL_WRITE | FOLL_GET, &pg),
			 -EINVAL);
	expect_warnings(1);
	ck_assert_int_eq(pin_user_pages_fast(0, 1, FOLL_WRITE, NULL), -EINVAL);
	expect_warnings(1);
	ck_assert_int_eq(pin_user_pages_fast(0, 1, FOLL_WRITE | 0x02, &pg),
			 -EINVAL);	/* FOLL_TOUCH */
	expect_warnings(1);
	mutex_lock(&apmx_table_lock);
	ck_assert_int_eq(pin_user_pages_fast(0, 1, FOLL_WRITE, &pg), -EFAULT);
	mutex_unlock(&apmx_table_lock);
	expect_violations(1);	/* mmap_lock under apmx_table_lock */
	ck_assert_int_eq(pin_user_pages_fast(0, 1, FOLL_WRITE |
					     FOLL_FAST_ONLY, &pg), -EFAULT);
	expect_violations(0);
}
END_TEST

/*
 * The mistake the old all-or-nothing fault hid: a partial copy counted as
 * success because the caller compares with the length.
 */
static int buggy_get(u64 *to, const u64 __user *from)
{
	if (copy_from_user(to, from, sizeof(*to)) == sizeof(*to))
		return -EFAULT;
	return 0;
}

static int good_get(u64 *to, const u64 __user *from)
{
	if (copy_from_user(to, from, sizeof(*to)))
		return -EFAULT;
	return 0;
}

/* include/linux/uaccess.h: bytes NOT copied; the tail of @to zeroed */
START_TEST(copy_partial_fault)
{
	const u8 src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	u8 dst[8];
	u64 v, user = 0x1122334455667788ULL;

	memset(dst, 0xa5, sizeof(dst));
	ksim_fail_copy_from_nth_after(1, 3);
	ck_assert_uint_eq(copy_from_user(dst, src, sizeof(dst)), 5);
	ck_assert_mem_eq(dst, src, 3);
	ck_assert_mem_eq(dst + 3, "\0\0\0\0\0", 5);

	memset(dst, 0xa5, sizeof(dst));
	ksim_fail_copy_to_nth_after(1, 6);
	ck_assert_uint_eq(copy_to_user(dst, src, sizeof(dst)), 2);
	ck_assert_mem_eq(dst, src, 6);
	ck_assert_uint_eq(dst[6], 0xa5);	/* user memory beyond: untouched */

	/* a fault after everything but the last byte: still a fault */
	ksim_fail_copy_to_nth_after(1, 100);
	ck_assert_uint_eq(copy_to_user(dst, src, sizeof(dst)), 1);

	/* the buggy caller takes the half-copied value for good */
	ksim_fail_copy_from_nth_after(1, 4);
	ck_assert_int_eq(buggy_get(&v, &user), 0);
	ksim_fail_copy_from_nth_after(1, 4);
	ck_assert_int_eq(good_get(&v, &user), -EFAULT);
	ck_assert_int_eq(good_get(&v, &user), 0);
	ck_assert_uint_eq(v, user);
}
END_TEST

/* should_fail_usercopy(): nothing copied, and @to zeroed all the same */
START_TEST(copy_full_fault_zeroes)
{
	const u8 src[4] = { 1, 2, 3, 4 };
	u8 dst[4];

	memset(dst, 0xa5, sizeof(dst));
	ksim_fail_copy_from_nth(1);
	ck_assert_uint_eq(copy_from_user(dst, src, sizeof(dst)), 4);
	ck_assert_mem_eq(dst, "\0\0\0\0", 4);
	/* page 0 is never mapped: a NULL user pointer faults, no crash */
	memset(dst, 0xa5, sizeof(dst));
	ck_assert_uint_eq(copy_from_user(dst, NULL, sizeof(dst)), 4);
	ck_assert_mem_eq(dst, "\0\0\0\0", 4);
	ck_assert_uint_eq(copy_to_user(NULL, src, sizeof(src)), 4);
}
END_TEST

/* a partial fault on either side of a set is -EFAULT, as any other */
START_TEST(copy_partial_fault_ioctl)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	struct kvm_s390_ap_matrix a;

	ksim_matrix(&a, "1", "1", "");
	ksim_fail_copy_from_nth_after(1, sizeof(a) / 2);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a), -EFAULT);
	ck_assert_ptr_null(ksim_user(1, 1));
	ksim_matrix(&a, "1", "1", "");
	ksim_fail_copy_to_nth_after(1, sizeof(a) - 1);
	ck_assert_int_eq(ksim_ioctl(kvm, KVM_S390_SET_AP_MATRIX, &a), -EFAULT);
	ck_assert_ptr_null(ksim_user(1, 1));
	ksim_vm_destroy(kvm);
}
END_TEST

/*
 * include/linux/thread_info.h check_copy_size(): a copy beyond the kernel
 * object the compiler sees, or above INT_MAX, WARNs and copies nothing.
 * The object size is known with optimisation only, as in the kernel.
 */
START_TEST(copy_size_checked)
{
	static const u8 src[16] = { 1 };
	char *volatile hidden = malloc(4);
	u8 small[4] = { 0 };

	ck_assert_uint_eq(copy_to_user(hidden, src, (unsigned long)INT_MAX + 1),
			  (unsigned long)INT_MAX + 1);
	expect_warnings(1);
#ifdef __OPTIMIZE__
	{
		volatile unsigned long n = 16;

		ck_assert_uint_eq(copy_from_user(small, src, n), 16);
		ck_assert_mem_eq(small, "\0\0\0\0", 4);
		expect_warnings(1);
		ck_assert_uint_eq(copy_to_user(hidden, small, n), 16);
		expect_warnings(1);
	}
#endif
	ck_assert_uint_eq(copy_from_user(small, src, sizeof(small)), 0);
	ck_assert_uint_eq(small[0], 1);
	free(hidden);
}
END_TEST

/* ->release() counts for the files made here */
static int released;

static int count_release(struct inode *inode, struct file *filp)
{
	released++;
	return 0;
}

static const struct file_operations test_fops = {
	.release = count_release,
	.llseek = noop_llseek,
};

static int install_test_file(void)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);
	struct file *f = anon_inode_getfile("test", &test_fops, NULL, O_RDWR);

	ck_assert_int_ge(fd, 0);
	ck_assert(!IS_ERR(f));
	fd_install(fd, f);
	return fd;
}

static void put_last(void *arg)
{
	fput(arg);
	ck_assert_int_eq(released, 0);	/* queued as task work */
}

/* fs/file_table.c fput(): ->release() runs when the syscall returns */
START_TEST(fput_releases_at_syscall_exit)
{
	struct file *f = anon_inode_getfile("test", &test_fops, NULL, O_RDWR);

	released = 0;
	ck_assert_uint_eq(ksim_open_files(), 1);
	ksim_syscall(put_last, f);
	ck_assert_int_eq(released, 1);
	ck_assert_uint_eq(ksim_open_files(), 0);
	/* a late fput() is caught, not a use after free */
	fput(f);
	expect_violations(1);
}
END_TEST

static int test_fd;

static void fdget_twice_fdput(void *arg)
{
	struct fd f = fdget(test_fd);

	ck_assert_uint_eq(f.flags, FDPUT_FPUT);
	fdput(f);
	fdput(f);	/* the reference fdget() took is gone already */
}

static struct file *leaked;

static void fdget_no_fdput(void *arg)
{
	struct fd f = fdget(test_fd);

	ck_assert_ptr_nonnull(f.file);
	leaked = f.file;
}

/* include/linux/file.h: every fdget() reference is dropped, once */
START_TEST(fdget_fdput_balanced)
{
	struct fd empty = fdget(KSIM_MAX_FDS - 1);

	released = 0;
	test_fd = install_test_file();
	ck_assert_ptr_null(empty.file);
	fdput(empty);			/* nothing taken, nothing put */
	expect_violations(0);
	ksim_syscall(fdget_twice_fdput, NULL);
	expect_violations(1);
	ck_assert_int_eq(released, 0);	/* the fd still holds the file */
	ksim_syscall(fdget_no_fdput, NULL);
	expect_violations(1);
	ck_assert_int_eq(ksim_close(test_fd), 0);
	ck_assert_int_eq(released, 0);
	fput(leaked);			/* the leaked reference, by hand */
	ck_assert_int_eq(released, 1);
	expect_violations(0);
}
END_TEST

static void reserve_and_forget(void *arg)
{
	ck_assert_int_ge(get_unused_fd_flags(O_CLOEXEC), 0);
}

/*
 * fs/file.c: a reserved fd is installed or given back before the syscall
 * returns; given back after fd_install() it would be handed out again;
 * fd_install() needs a file; its reference belongs to the fd table.
 */
START_TEST(fd_lifecycle)
{
	struct file *f;
	struct fd got;
	int fd;

	released = 0;
	ksim_syscall(reserve_and_forget, NULL);
	expect_violations(1);
	fd = install_test_file();
	put_unused_fd(fd);
	expect_violations(1);
	got = fdget(fd);
	f = got.file;
	fdput(got);			/* fdget()'s reference: right */
	fput(f);			/* the fd table's: wrong */
	expect_violations(1);
	ck_assert_int_eq(released, 0);
	ck_assert_int_eq(ksim_close(fd), 0);
	ck_assert_int_eq(released, 1);
	fd = get_unused_fd_flags(O_CLOEXEC);
	fd_install(fd, ERR_PTR(-ENOMEM));
	expect_violations(1);
	put_unused_fd(fd);
	expect_violations(0);
}
END_TEST

/*
 * tests/shim/slab.c: kvmalloc() above PAGE_SIZE may be vmalloc()ed, so
 * only kvfree() frees it; kmalloc(0) is ZERO_SIZE_PTR; kmalloc() above
 * KMALLOC_MAX_SIZE fails with a WARN.
 */
START_TEST(slab_as_strict)
{
	long live = shim_slab_live();
	void *p;

	p = kvzalloc(2 * SHIM_PAGE_SIZE, GFP_KERNEL_ACCOUNT);
	ck_assert_ptr_nonnull(p);
	kfree(p);			/* vfree() needed */
	expect_violations(1);
	ck_assert_int_eq(shim_slab_live(), live);
	p = kvmalloc_array(2, SHIM_PAGE_SIZE, GFP_KERNEL);
	kvfree(p);
	p = kvzalloc(64, GFP_KERNEL);	/* small: always kmalloc()ed */
	kfree(p);
	p = kmalloc(64, GFP_KERNEL);
	kvfree(p);
	expect_violations(0);
	ck_assert_ptr_eq(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	ck_assert_ptr_eq(kcalloc(0, 8, GFP_KERNEL), ZERO_SIZE_PTR);
	kfree(ZERO_SIZE_PTR);
	kvfree(NULL);
	ck_assert_ptr_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	expect_warnings(1);
	p = kvmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL);	/* vmalloc() can */
	ck_assert_ptr_nonnull(p);
	kvfree(p);
	ck_assert_int_eq(shim_slab_live(), live);
	expect_violations(0);
}
END_TEST

/*
 * arch/s390/kernel/debug.c: above the area's level nothing is logged; an
 * entry keeps 6 longs (KVM's areas), the view prints the first again for
 * a 7th; a "%s" must point to static storage.
 */
START_TEST(debug_feature_as_strict)
{
	struct kvm *kvm = ksim_vm_create(CRYCB_FORMAT2);
	char stack[8] = "stack";

	ksim_logs_clear();
	ck_assert_ptr_null(debug_sprintf_event(kvm->arch.dbf, 4, "dropped\n"));
	ck_assert_str_eq(ksim_event_log(), "");
	ck_assert_ptr_nonnull(debug_sprintf_event(kvm->arch.dbf, 3,
						  "%d %d %d %d %d %d %d\n",
						  1, 2, 3, 4, 5, 6, 7));
	ck_assert_str_eq(ksim_event_log(), "1 2 3 4 5 6 1\n");
	/* the 7th argument is lost: the caller's bug */
	expect_violations(1);
	debug_sprintf_event(kvm->arch.dbf, 3, "%s\n", "static");
	ck_assert_ptr_nonnull(strstr(ksim_event_log(), "static\n"));
	expect_violations(0);
	debug_sprintf_event(kvm->arch.dbf, 3, "%s\n", stack);
	expect_violations(1);
	ck_assert_ptr_null(strstr(ksim_event_log(), "stack\n"));
	debug_sprintf_event(NULL, 3, "no area\n");
	expect_violations(1);
	ksim_vm_destroy(kvm);
}
END_TEST

static void warn_once_more(void)
{
	pr_warn_ratelimited("ratelimited %d\n", 0);
}

/* include/linux/printk.h printk_ratelimited(): 10 per 5 s per call site */
START_TEST(printk_ratelimited_as_strict)
{
	const char *p;
	int i, n = 0;

	ksim_logs_clear();
	for (i = 0; i < 12; i++)
		warn_once_more();
	for (p = ksim_printk_log(); (p = strstr(p, "ratelimited 0")); p++)
		n++;
	ck_assert_int_eq(n, KSIM_RATELIMIT_BURST);
	msleep(KSIM_RATELIMIT_INTERVAL_MS + 1);
	warn_once_more();
	ck_assert_ptr_nonnull(strstr(ksim_printk_log(),
				     "warn_once_more: 2 callbacks suppressed"));
	for (p = ksim_printk_log(), n = 0; (p = strstr(p, "ratelimited 0")); p++)
		n++;
	ck_assert_int_eq(n, KSIM_RATELIMIT_BURST + 1);
}
END_TEST

/*
 * arch/s390/kvm/kvm-s390.c: the CRYCB format the crycbd cannot have gets
 * nothing; both functions log VM_EVENT()s; both need kvm->lock.
 */
START_TEST(crycb_masks_as_strict)
{
	struct kvm *kvm = ksim_vm_create(2);	/* "can not happen" */
	unsigned long m[4] = { ~0UL, ~0UL, ~0UL, ~0UL };
	u8 zero[KSIM_CRYCB_BYTES];

	memset(zero, 0, sizeof(zero));
	ksim_logs_clear();
	mutex_lock(&kvm->lock);
	kvm_arch_crypto_set_masks(kvm, m, m, m);
	mutex_unlock(&kvm->lock);
	ck_assert_mem_eq(kvm->crycb_page, zero, sizeof(zero));
	kvm->arch.crypto.crycbd = 0x1000 | CRYCB_FORMAT1;
	mutex_lock(&kvm->lock);
	kvm_arch_crypto_set_masks(kvm, m, m, m);
	ck_assert_ptr_nonnull(strstr(ksim_event_log(),
				     "SET CRYCB: apm ffffffffffffffff aqm ffff adm ffff\n"));
	kvm_arch_crypto_clear_masks(kvm);
	mutex_unlock(&kvm->lock);
	ck_assert_ptr_nonnull(strstr(ksim_event_log(), "CLR CRYCB:\n"));
	ck_assert_mem_eq(kvm->crycb_page, zero, sizeof(zero));
	expect_violations(0);
	kvm_arch_crypto_clear_masks(kvm);
	expect_violations(1);
	ksim_vm_destroy(kvm);
}
END_TEST

#if IS_ENABLED(CONFIG_ZCRYPT)
/* ap_bus.c: "the ap_perms_mutex must be locked by the caller" */
START_TEST(owned_by_def_drv_needs_caller_lock)
{
	mutex_lock(&ap_perms_mutex);
	ck_assert_int_eq(ap_owned_by_def_drv(1, 1), 0);
	ck_assert_int_eq(ap_owned_by_def_drv(256, 1), -EINVAL);
	ck_assert_int_eq(ap_owned_by_def_drv(1, -1), -EINVAL);
	ksim_thread_switch();		/* held, but by another thread */
	ap_owned_by_def_drv(1, 1);
	ksim_thread_return();
	mutex_unlock(&ap_perms_mutex);
	expect_violations(1);
}
END_TEST
#endif

#ifdef CONFIG_ZCRYPT
static const bool ifdef_zcrypt = true;
#else
static const bool ifdef_zcrypt;
#endif

/*
 * include/linux/kconfig.h: the s390 defconfig has CONFIG_ZCRYPT=m, which
 * defines CONFIG_ZCRYPT_MODULE only: #ifdef CONFIG_ZCRYPT is false then,
 * IS_ENABLED() true; an option never defined is 0, not a build error.
 */
START_TEST(kconfig_as_strict)
{
	ck_assert(!ifdef_zcrypt);
	ck_assert_int_eq(IS_BUILTIN(CONFIG_ZCRYPT), 0);
	ck_assert_int_eq(IS_ENABLED(CONFIG_ZCRYPT), IS_MODULE(CONFIG_ZCRYPT));
	ck_assert_int_eq(IS_ENABLED(CONFIG_KSIM_NO_SUCH_OPTION), 0);
}
END_TEST

/* arch/s390/include/asm/ap.h ap_qci(): -EOPNOTSUPP leaves the block */
START_TEST(qci_unavailable)
{
	struct ap_config_info info, before;

	memset(&info, 0xa5, sizeof(info));
	before = info;
	ksim_host.qci = false;
	ck_assert_int_eq(ap_qci(&info), -EOPNOTSUPP);
	ck_assert_mem_eq(&info, &before, sizeof(info));
	ksim_host.qci = true;
	ck_assert_int_eq(ap_qci(&info), 0);
	ck_assert_uint_eq(info.apxa, 1);
	ck_assert_uint_eq(info.Na, 255);
}
END_TEST

/*
 * ap-matrix.h's LOCK ORDER: apmx_table_lock is held "never across a sleep
 * or an AP instruction".  Every AP instruction apmatrix issues (asm/ap.h
 * ap_zapq(), ap_tapq(), ap_qci(): each a PQAP) is a violation under it;
 * the same instructions without it are not.
 */
START_TEST(ap_instructions_not_under_table_lock)
{
	struct ap_config_info info;

	ap_zapq(AP_MKQID(1, 1));
	ap_tapq(AP_MKQID(1, 1), NULL);
	ck_assert_int_eq(ap_qci(&info), 0);
	expect_violations(0);
	mutex_lock(&apmx_table_lock);
	ap_zapq(AP_MKQID(1, 1));
	expect_violations(1);
	ap_tapq(AP_MKQID(1, 1), NULL);
	expect_violations(1);
	ap_qci(&info);
	expect_violations(1);
	mutex_unlock(&apmx_table_lock);
	expect_violations(0);
}
END_TEST

/*
 * drivers/s390/crypto/ap_bus.c apmask_store() -> ap_parse_bitmap_str():
 * the one parser of tests/shim/ap-bitmap-str.c (also the tool tests').
 * simple_strtoul() wraps, hex2bitmap() takes at most 64 digits, and a
 * refusal changes nothing, however many terms came before it.
 */
START_TEST(ap_mask_syntax_as_strict)
{
	u8 before[32], want[32];

	ck_assert_int_eq(ksim_apmask_write("0x00"), 0);
	ck_assert_int_eq(ksim_apmask_write("+18446744073709551622"), 0);
	memset(want, 0, sizeof(want));
	want[0] = 0x02;				/* adapter 6 */
	ck_assert_mem_eq(ksim_host.apmask, want, sizeof(want));
	ck_assert_int_eq(ksim_apmask_write("+010,+0x10\n"), 0);
	want[1] = 0x80;				/* adapter 8, octal */
	want[2] = 0x80;				/* adapter 16 */
	ck_assert_mem_eq(ksim_host.apmask, want, sizeof(want));
	memcpy(before, ksim_host.apmask, sizeof(before));
	ck_assert_int_eq(ksim_apmask_write("+1,+256"), -EINVAL);
	ck_assert_int_eq(ksim_apmask_write("+3-2"), -EINVAL);
	ck_assert_int_eq(ksim_apmask_write("+ 1"), -EINVAL);
	ck_assert_int_eq(ksim_apmask_write("+0x"), -EINVAL);
	ck_assert_int_eq(ksim_apmask_write("+1;"), -EINVAL);
	ck_assert_int_eq(ksim_apmask_write(
		"0x00000000000000000000000000000000000000000000000000000000000000001"),
		-EINVAL);
	ck_assert_mem_eq(ksim_host.apmask, before, sizeof(before));
	ck_assert_int_eq(ksim_apmask_write("x8\n"), 0);
	memset(want, 0, sizeof(want));
	want[0] = 0x80;
	ck_assert_mem_eq(ksim_host.apmask, want, sizeof(want));
}
END_TEST

Suite *ksim_suite_shims(void)
{
	Suite *s = suite_create("shims");
	TCase *tc = ksim_tcase("shims");

	tcase_add_test(tc, capable_invalid_cap);
	tcase_add_test(tc, pin_user_pages_fast_as_strict);
	tcase_add_test(tc, copy_partial_fault);
	tcase_add_test(tc, copy_full_fault_zeroes);
	tcase_add_test(tc, copy_partial_fault_ioctl);
	tcase_add_test(tc, copy_size_checked);
	tcase_add_test(tc, fput_releases_at_syscall_exit);
	tcase_add_test(tc, fdget_fdput_balanced);
	tcase_add_test(tc, fd_lifecycle);
	tcase_add_test(tc, slab_as_strict);
	tcase_add_test(tc, debug_feature_as_strict);
	tcase_add_test(tc, printk_ratelimited_as_strict);
	tcase_add_test(tc, crycb_masks_as_strict);
#if IS_ENABLED(CONFIG_ZCRYPT)
	tcase_add_test(tc, owned_by_def_drv_needs_caller_lock);
#endif
	tcase_add_test(tc, kconfig_as_strict);
	tcase_add_test(tc, qci_unavailable);
	tcase_add_test(tc, ap_instructions_not_under_table_lock);
	tcase_add_test(tc, ap_mask_syntax_as_strict);
	suite_add_tcase(s, tc);
	return s;
}
