/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the kernel environment of arch/s390/kvm/ap-matrix/ in userspace.
 *
 * Just enough of struct kvm, locks, uaccess, printk, the s390 debug
 * feature and the AP instructions for the apmatrix kernel files to compile
 * unmodified, backed by a simulated AP host (ksim.c).  Every shim names
 * the Linux 6.1 function it stands in for and checks what that function
 * would check, no less: locks are taken in the documented order
 * (ap-matrix.h) and never recursively, kvm->lock is held when the CRYCB is
 * written, nobody sleeps holding the table lock, file and fd references
 * balance, user copies fault part way, debug events keep what the s390
 * debug feature keeps, ratelimited messages are ratelimited.  Breaking a
 * rule counts a violation (or, for what the kernel WARN()s on, a warning)
 * that every test asserts to be zero.
 *
 * One header for all shims: each <linux/...> / <asm/...> shim includes it.
 */
#ifndef _KSIM_H
#define _KSIM_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <sys/types.h>	/* pid_t, loff_t */
#include <asm/kvm_ap_matrix.h>

/*
 * The configuration, as autoconf.h spells it: the s390 defconfig's
 * CONFIG_ZCRYPT=m is "#define CONFIG_ZCRYPT_MODULE 1" with CONFIG_ZCRYPT
 * undefined, so that code testing it with #ifdef (false for =m) is
 * caught; -DCONFIG_ZCRYPT=0 is =n, -DCONFIG_ZCRYPT=1 is =y.
 */
#if defined(CONFIG_ZCRYPT) && !CONFIG_ZCRYPT
#undef CONFIG_ZCRYPT
#elif !defined(CONFIG_ZCRYPT) && !defined(CONFIG_ZCRYPT_MODULE)
#define CONFIG_ZCRYPT_MODULE 1
#endif

/* include/linux/kconfig.h IS_BUILTIN(), IS_MODULE(), IS_ENABLED(), verbatim */
#ifndef IS_ENABLED
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __or(x, y)			___or(x, y)
#define ___or(x, y)			____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y)		__take_second_arg(arg1_or_junk 1, y)
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(option) __is_defined(option)
#define IS_MODULE(option) __is_defined(option##_MODULE)
#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))
#endif

/* include/linux/compiler_attributes.h */
#ifndef __must_check
#define __must_check		__attribute__((__warn_unused_result__))
#endif
#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif

/* include/linux/compiler_types.h: sparse's address space, not checked */
#define __user
#define BITS_PER_LONG		(8 * sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
/*
 * include/linux/build_bug.h BUILD_BUG_ON(): a compile error; here for
 * integer constant expressions only (stricter: the kernel's also accepts
 * what the optimiser folds)
 */
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
/*
 * include/asm-generic/bug.h WARN_ON_ONCE(): the value of the condition;
 * ksim counts every hit as a warning (the kernel prints only the first),
 * and every test asserts there were none.
 */
#define WARN_ON_ONCE(c)		ksim_warn_on(!!(c), __FILE__, __LINE__)
int ksim_warn_on(int cond, const char *file, int line);

/*
 * -DKSIM_THREADS: the ThreadSanitizer build (tests/ksim/race): locks are
 * real pthread locks, the lock checker's state is per thread (KSIM_TLS),
 * and the simulation's shared state is kept under its own locks.
 */
#ifdef KSIM_THREADS
#include <pthread.h>
#define KSIM_TLS	__thread
#else
#define KSIM_TLS
#endif

/*
 * ---- locks: rank = position in the lock order of ap-matrix.h ----------
 * The AP bus simulation's locks (ksim-ap-bus.c) have no rank: its scan
 * lock and a device's lock come before rank 1 (entering a scan or taking
 * a device lock holding a ranked lock is reported), its klist lock and the
 * hardware's lock after apmx_table_lock (never held while ranked locks
 * are taken).
 * vfio_ap's two locks are ranked where 6.1's vfio_ap_ops.c
 * get_update_locks_for_kvm() takes them: guests_lock after ap_perms_mutex
 * (its sysfs stores take that first) and before kvm->lock, mdevs_lock after
 * pqap_hook_rwsem and before apmx_table_lock (the 0051 hooks take it).
 */
enum {
	KSIM_RANK_VM_OP = 1,		/* kvm_s390_apmx.op_lock */
	KSIM_RANK_AP_PERMS = 2,
	KSIM_RANK_VFIO_GUESTS = 3,	/* vfio_ap's matrix_dev->guests_lock */
	KSIM_RANK_KVM = 4,
	KSIM_RANK_VCPU = 5,		/* vcpu->mutex (KVM_RUN) */
	KSIM_RANK_PQAP_HOOK = 6,
	KSIM_RANK_VFIO_MDEVS = 7,	/* vfio_ap's matrix_dev->mdevs_lock */
	KSIM_RANK_AQIC = 8,		/* kvm_s390_apmx.aqic_lock */
	KSIM_RANK_MMAP = 9,		/* current->mm->mmap_lock (read) */
	KSIM_RANK_AQIC_ORPHAN = 10,	/* apmx_aqic_orphan_lock (aqic.c) */
	KSIM_RANK_TABLE = 11,
};

/*
 * kernel/locking/mutex.c and kernel/locking/rwsem.c, with the checks of
 * lockdep and CONFIG_DEBUG_MUTEXES (ksim.c): no recursion, the order of
 * ap-matrix.h, unlock only by the holder, no contended lock (single
 * threaded, it would never be released: a deadlock).
 */
struct mutex {
	int locked;
	int rank;
	const char *name;
#ifdef KSIM_THREADS
	pthread_mutex_t pm;	/* zero is PTHREAD_MUTEX_INITIALIZER (glibc) */
#endif
};

/* include/linux/mutex.h DEFINE_MUTEX(); ksim_reset() ranks the globals */
#define DEFINE_MUTEX(m)	struct mutex m = { 0, 0, #m }
/* kernel/locking/mutex.c mutex_lock(), mutex_unlock() */
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* include/linux/mutex.h mutex_is_locked(): by anyone */
int mutex_is_locked(struct mutex *m);

struct rw_semaphore {
	int writer;
	int readers;
	int rank;
	const char *name;
#ifdef KSIM_THREADS
	pthread_rwlock_t rw;	/* zero is PTHREAD_RWLOCK_INITIALIZER (glibc) */
#endif
};

/* kernel/locking/rwsem.c down_write(), up_write(), down_read(), up_read() */
void down_write(struct rw_semaphore *s);
void up_write(struct rw_semaphore *s);
void down_read(struct rw_semaphore *s);
void up_read(struct rw_semaphore *s);

/* include/linux/types.h atomic64_t */
typedef struct {
	s64 counter;
} atomic64_t;
#define ATOMIC64_INIT(i)	{ (i) }
/* include/linux/atomic/atomic-instrumented.h atomic64_inc_return() */
static inline s64 atomic64_inc_return(atomic64_t *v)
{
	return __atomic_add_fetch(&v->counter, 1, __ATOMIC_SEQ_CST);
}

/* ---- tasks, capabilities, uaccess, printk, debug feature, delay ------- */
struct task_struct {
	int tgid;
};

extern struct task_struct *ksim_current;
#define current ksim_current
/* include/linux/sched.h task_tgid_nr(): the initial namespace's number */
static inline pid_t task_tgid_nr(struct task_struct *tsk)
{
	return tsk->tgid;
}

/* include/uapi/linux/capability.h */
#define CAP_SYS_ADMIN	21
#define CAP_LAST_CAP	40		/* CAP_CHECKPOINT_RESTORE */
#define cap_valid(x)	((x) >= 0 && (x) <= CAP_LAST_CAP)
/*
 * kernel/capability.c capable(): CAP_SYS_ADMIN in the initial user
 * namespace (ksim_cap_sys_admin); an invalid cap is the BUG() of
 * ns_capable_common(), a violation.
 */
bool capable(int cap);

/*
 * include/linux/uaccess.h copy_from_user()/copy_to_user(): return the
 * number of bytes NOT copied (0 on success, up to @n), __must_check.
 * check_copy_size() (include/linux/thread_info.h) refuses, with a WARN
 * and nothing copied, a copy larger than the kernel object as the
 * compiler sees it (__builtin_object_size(), so with optimisation only,
 * as the kernel is always built) or above INT_MAX.  A fault may come
 * after part of the copy (raw_copy_*_user() stop at an unmapped page);
 * _copy_from_user() then zeroes the rest of @to.  ksim's user memory is
 * its own: a NULL user pointer faults (page 0 is never mapped), any other
 * is copied unless a fault is injected (ksim_fail_copy_*_nth*()).
 */
unsigned long ksim_copy_from_user(void *to, const void __user *from,
				  unsigned long n, size_t to_size);
unsigned long ksim_copy_to_user(void __user *to, const void *from,
				unsigned long n, size_t from_size);

static __always_inline __must_check unsigned long
copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return ksim_copy_from_user(to, from, n, __builtin_object_size(to, 0));
}

static __always_inline __must_check unsigned long
copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return ksim_copy_to_user(to, from, n, __builtin_object_size(from, 0));
}

/*
 * ksim controls: the n-th copy from now (1-based) faults after @copied
 * bytes (clamped below the length).  ksim_fail_copy_*_nth() (ksim-host.h)
 * is should_fail_usercopy(): nothing copied.
 */
void ksim_fail_copy_from_nth_after(unsigned int n, unsigned long copied);
void ksim_fail_copy_to_nth_after(unsigned int n, unsigned long copied);

/*
 * include/linux/printk.h pr_warn() etc.: printk() at the level, into the
 * log ksim_printk_log() returns.
 */
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
void ksim_printk(const char *level, const char *fmt, ...) __printf(2, 3);
#define pr_warn(fmt, ...) ksim_printk("warn", pr_fmt(fmt), ##__VA_ARGS__)
#ifndef pr_notice
#define pr_notice(fmt, ...) ksim_printk("notice", pr_fmt(fmt), ##__VA_ARGS__)
#endif

/*
 * include/linux/printk.h printk_ratelimited(): each call site prints at
 * most DEFAULT_RATELIMIT_BURST (10) messages per DEFAULT_RATELIMIT_INTERVAL
 * (5 s, on ksim's virtual clock); the next message after the interval is
 * preceded by "<func>: <n> callbacks suppressed" (lib/ratelimit.c
 * ___ratelimit()).  ksim_reset() starts every site afresh.
 */
struct ksim_ratelimit {
	bool registered;
	bool started;
	unsigned long begin;
	int printed;
	int missed;
	struct ksim_ratelimit *next;
};

#define KSIM_RATELIMIT_INTERVAL_MS	5000
#define KSIM_RATELIMIT_BURST		10
int ksim_ratelimit(struct ksim_ratelimit *rs, const char *func);
#define ksim_printk_ratelimited(level, fmt, ...)			\
({									\
	static struct ksim_ratelimit _rs;				\
									\
	if (ksim_ratelimit(&_rs, __func__))				\
		ksim_printk(level, fmt, ##__VA_ARGS__);			\
})
#define pr_warn_ratelimited(fmt, ...) \
	ksim_printk_ratelimited("warn", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice_ratelimited(fmt, ...) \
	ksim_printk_ratelimited("notice", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...) \
	ksim_printk_ratelimited("err", pr_fmt(fmt), ##__VA_ARGS__)

/*
 * arch/s390/include/asm/debug.h: a debug area (debug_info_t) keeps, per
 * sprintf event, the format pointer and buf_size / sizeof(long) - 1
 * longs; the sprintf view formats them when the area is read, so "%s"
 * arguments must be static.  KVM's areas (kvm-s390.c debug_register(...,
 * 7 * sizeof(long))) keep 6 arguments at DEBUG_DEFAULT_LEVEL 3.
 */
#define DEBUG_DEFAULT_LEVEL	3
typedef struct debug_info {
	int level;
	int buf_size;
} debug_info_t;
typedef struct __debug_entry debug_entry_t;

/*
 * arch/s390/kernel/debug.c __debug_sprintf_event(): stores at most
 * buf_size / sizeof(long) - 1 arguments, each read as a long; ksim
 * formats the entry at once as debug_sprintf_format_fn() does when the
 * area is read (an argument beyond those stored prints the first one),
 * into ksim_event_log().  A format or "%s" argument outside static
 * storage is a violation.
 */
debug_entry_t *__debug_sprintf_event(debug_info_t *id, int level,
				     char *string, ...) __printf(3, 4);
/* ksim: a debug event without a debug area (KVM always has one): a violation */
debug_entry_t *ksim_debug_no_area(void);
/* arch/s390/include/asm/debug.h debug_sprintf_event(), verbatim but for no area */
#define debug_sprintf_event(_id, _level, _fmt, ...)			\
({									\
	debug_entry_t *__ret;						\
	debug_info_t *__id = _id;					\
	int __level = _level;						\
									\
	if (!__id)							\
		__ret = ksim_debug_no_area();				\
	else if (__level > __id->level)					\
		__ret = NULL;						\
	else								\
		__ret = __debug_sprintf_event(__id, __level,		\
					      _fmt, ## __VA_ARGS__);	\
	__ret;								\
})

/*
 * kernel/time/timer.c msleep(): sleeps for at least @ms; see ksim.c for
 * how the virtual clock counts it.
 */
void msleep(unsigned int ms);

/* ---- files: a simulated fd table (grant fds) --------------------------- */
struct module;
#define THIS_MODULE	((struct module *)0)
/* kernel/module/main.c (ksim.c counts them: ksim_module_refs) */
void __module_get(struct module *module);
void module_put(struct module *module);
struct inode;
struct file;
/* include/linux/fs.h struct file_operations: what apmatrix sets */
struct file_operations {
	struct module *owner;
	int (*release)(struct inode *inode, struct file *filp);
	loff_t (*llseek)(struct file *filp, loff_t off, int whence);
};

/* include/linux/fs.h struct file, with ksim's bookkeeping */
struct file {
	const struct file_operations *f_op;
	void *private_data;
	loff_t f_pos;
	/* simulation only */
	int refs;		/* f_count */
	int fdget_refs;		/* references fdget() took, not fdput() yet */
	int installed;		/* fd table entries that point here */
	bool released;		/* __fput() ran; kept to catch a late fput() */
	struct file *ksim_next;	/* every file anon_inode_getfile() made */
	struct file *ksim_work;	/* queued for __fput() at syscall exit */
};

/* include/linux/file.h struct fd */
struct fd {
	struct file *file;
	unsigned int flags;
};
#define FDPUT_FPUT	1

#ifndef O_RDWR
#define O_RDWR		02
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC	02000000
#endif
/* include/linux/err.h, verbatim but for __force */
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void * __must_check ERR_PTR(long error)
{
	return (void *)error;
}

static inline long __must_check PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool __must_check IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE(ptr);
}

/* fs/read_write.c noop_llseek(): the position stays (always 0 here) */
loff_t noop_llseek(struct file *filp, loff_t off, int whence);
/*
 * include/linux/file.h fdget()/fdput() as in a multithreaded process (a
 * VMM): fdget() takes a reference (FDPUT_FPUT), fdput() drops it.  ksim
 * counts them per file: fdput() of a reference fdget() did not take
 * (twice, say) and a syscall that returns with one not dropped are
 * violations.
 */
struct fd fdget(unsigned int fd);
void fdput(struct fd f);
/*
 * fs/file.c get_unused_fd_flags(), put_unused_fd(), fd_install(): an fd
 * is reserved, then either given back or installed (which consumes the
 * caller's file reference).  put_unused_fd() of an fd not reserved (one
 * installed, say), fd_install() of an fd not reserved (the BUG_ON()) or
 * of no file, and a syscall that returns with an fd it reserved neither
 * installed nor given back (a leaked descriptor) are violations.
 */
int get_unused_fd_flags(unsigned int flags);
void put_unused_fd(unsigned int fd);
void fd_install(unsigned int fd, struct file *file);
/*
 * fs/file_table.c fput(): the last reference queues __fput(), which calls
 * ->release(), as task work run when the task returns to user space: in
 * ksim when the outermost simulated syscall (ksim_ioctl(), ksim_close(),
 * ...) returns, or at once outside one.  fput() of a released file, and
 * the last fput() of a file an fd still holds (the fd table's reference),
 * are violations.
 */
void fput(struct file *file);
/* ksim control: run @fn(@arg) as a simulated syscall (see fput()) */
void ksim_syscall(void (*fn)(void *arg), void *arg);
/* fs/anon_inodes.c anon_inode_getfile(): one reference, or an ERR_PTR */
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags);

/* ---- the AP instructions (asm/ap.h) ------------------------------------ */
/* arch/s390/include/asm/ap.h: ap_qid_t, AP_MKQID(), struct ap_queue_status */
typedef unsigned int ap_qid_t;
#define AP_MKQID(_card, _queue) (((_card) & 0xff) << 8 | ((_queue) & 0xff))
#define AP_QID_CARD(_qid)	(((_qid) >> 8) & 0xff)
#define AP_QID_QUEUE(_qid)	((_qid) & 0xff)

struct ap_queue_status {
	unsigned int queue_empty	: 1;
	unsigned int replies_waiting	: 1;
	unsigned int queue_full		: 1;
	unsigned int _pad1		: 4;
	unsigned int irq_enabled	: 1;
	unsigned int response_code	: 8;
	unsigned int _pad2		: 16;
};

/* the response codes, in asm/ap.h after kernel/patches/0001 (ap_bus.h in 6.1) */
#define AP_RESPONSE_NORMAL		0x00
#define AP_RESPONSE_Q_NOT_AVAIL		0x01
#define AP_RESPONSE_RESET_IN_PROGRESS	0x02
#define AP_RESPONSE_DECONFIGURED	0x03
#define AP_RESPONSE_CHECKSTOPPED	0x04
#define AP_RESPONSE_BUSY		0x05
#define AP_RESPONSE_INVALID_ADDRESS	0x06
#define AP_RESPONSE_OTHERWISE_CHANGED	0x07
#define AP_RESPONSE_INVALID_GISA	0x08

/* arch/s390/include/asm/ap.h struct ap_config_info, as in 6.1 */
struct ap_config_info {
	unsigned int apsc	 : 1;
	unsigned int apxa	 : 1;
	unsigned int qact	 : 1;
	unsigned int rc8a	 : 1;
	unsigned char _reserved1 : 4;
	unsigned char _reserved2[3];
	unsigned char Na;
	unsigned char Nd;
	unsigned char _reserved3[10];
	unsigned int apm[8];
	unsigned int aqm[8];
	unsigned int adm[8];
	unsigned char _reserved4[16];
} __attribute__((aligned(8)));

/*
 * arch/s390/include/asm/ap.h ap_instructions_available(), ap_qci() (0 or
 * -EOPNOTSUPP, the block untouched then), ap_zapq(), ap_tapq(): on the
 * simulated host (ksim.c)
 */
bool ap_instructions_available(void);
int ap_qci(struct ap_config_info *config);
struct ap_queue_status ap_zapq(ap_qid_t qid);
struct ap_queue_status ap_tapq(ap_qid_t qid, unsigned long *info);

#if IS_ENABLED(CONFIG_ZCRYPT)
/* drivers/s390/crypto/ap_bus.c, declared in asm/ap.h by kernel/patches/0001 */
extern struct mutex ap_perms_mutex;
/*
 * drivers/s390/crypto/ap_bus.c ap_owned_by_def_drv(): 1, 0 or -EINVAL;
 * "the ap_perms_mutex must be locked by the caller" (a violation if not)
 */
int ap_owned_by_def_drv(int card, int queue);
#else
/* the asm/ap.h stub of kernel/patches/0001: without the AP bus nothing is owned */
static inline int ap_owned_by_def_drv(int card, int queue)
{
	return 0;
}
#endif

/*
 * arch/s390/include/asm/ap.h struct ap_qirq_ctrl, as in 6.1 (GR1 of
 * PQAP(AQIC)), and ap_aqic() on the simulated host (ksim.c): @pa_ind is
 * the host physical address of the notification indicator byte.
 */
struct ap_qirq_ctrl {
	unsigned int _res1 : 8;
	unsigned int zone  : 8;
	unsigned int ir    : 1;
	unsigned int _res2 : 4;
	unsigned int gisc  : 3;
	unsigned int _res3 : 6;
	unsigned int gf    : 2;
	unsigned int _res4 : 1;
	unsigned int gisa  : 27;
	unsigned int _res5 : 1;
	unsigned int isc   : 3;
};

typedef u64 phys_addr_t;
struct ap_queue_status ap_aqic(ap_qid_t qid, struct ap_qirq_ctrl qirqctrl,
			       phys_addr_t pa_ind);

/* ---- guest memory and its pinning (mm/gup.c, kvm_main.c) --------------- */
/* arch/s390/include/asm/page.h */
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
/* include/linux/mm.h, 6.1 values */
#define FOLL_WRITE	0x01
#define FOLL_GET	0x04
#define FOLL_FORCE	0x10
#define FOLL_NOFAULT	0x80
#define FOLL_LONGTERM	0x10000
#define FOLL_PIN	0x40000
#define FOLL_FAST_ONLY	0x80000

/*
 * struct page of a guest page (ksim.c): the pins pin_user_pages_fast()
 * took and unpin_user_pages_dirty_lock() dropped (the page's
 * GUP_PIN_COUNTING_BIAS share of its refcount), the flags of the last pin,
 * dirtied by an unpin.
 */
struct page {
	unsigned int pins;
	unsigned int gup_flags;
	bool dirty;
};

typedef u64 gfn_t;
typedef u64 gpa_t;
/* include/linux/kvm_host.h gpa_to_gfn() */
static inline gfn_t gpa_to_gfn(gpa_t gpa)
{
	return (gfn_t)(gpa >> PAGE_SHIFT);
}

/* arch/s390/include/asm/kvm_host.h KVM_HVA_ERR_BAD, kvm_is_error_hva() */
#define KVM_HVA_ERR_BAD		(-1UL)
static inline bool kvm_is_error_hva(unsigned long addr)
{
	return IS_ERR_VALUE(addr);
}

struct kvm;
/*
 * virt/kvm/kvm_main.c gfn_to_hva(): the host virtual address of a guest
 * frame in the VM's memslots, KVM_HVA_ERR_BAD outside them.  It reads the
 * memslots under kvm->srcu (srcu_dereference_check()): a violation unless
 * called in a vCPU's run loop (ksim_vcpu_pqap(), which holds it, as
 * arch/s390/kvm/kvm-s390.c __vcpu_run() does around intercepts).
 */
unsigned long gfn_to_hva(struct kvm *kvm, gfn_t gfn);
/*
 * mm/gup.c pin_user_pages_fast(): pins user pages of current->mm (ksim:
 * of the VMM whose vCPU runs, none outside ksim_vcpu_pqap()); the number
 * pinned or a negative errno (-EFAULT unmapped, or the injected failure,
 * ksim_fail_pin_nth()).  As 6.1's pin_user_pages_fast() and
 * internal_get_user_pages_fast(): FOLL_GET, a NULL @pages or a flag
 * outside FOLL_WRITE, FOLL_LONGTERM, FOLL_FORCE, FOLL_PIN, FOLL_GET,
 * FOLL_FAST_ONLY and FOLL_NOFAULT is a WARN_ON_ONCE() (a warning) and
 * -EINVAL; FOLL_PIN from the caller is accepted.  Without FOLL_FAST_ONLY
 * it may take current->mm's mmap_lock for reading (might_lock_read()):
 * ksim takes ksim_mmap_lock (rank KSIM_RANK_MMAP: after aqic_lock, before
 * apmx_aqic_orphan_lock and apmx_table_lock) so the lock checker sees it.
 */
extern struct rw_semaphore ksim_mmap_lock;
int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages);
/*
 * mm/gup.c unpin_user_pages_dirty_lock(): drops one pin of each page
 * (dirtying it if @make_dirty); unpinning a page without a pin is the
 * refcount underflow the kernel BUG()s on, a violation.  So is dropping
 * the last pin of a page a queue's enabled interruptions still point into
 * (the hardware would write into a page the host may reuse).
 */
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages,
				 bool make_dirty);
/* include/linux/mm.h page_to_phys() (ksim: of a guest page only) */
phys_addr_t page_to_phys(struct page *page);
/* include/linux/mm.h offset_in_page() */
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)
/*
 * include/asm-generic/io.h virt_to_phys(): __pa(), the identity on s390
 * (arch/s390/include/asm/page.h)
 */
static inline unsigned long virt_to_phys(volatile void *address)
{
	return (unsigned long)address;
}

/* ---- struct kvm: what the AP matrix code uses (asm/kvm_host.h) -------- */
struct kvm_vcpu;
typedef int (*crypto_hook)(struct kvm_vcpu *vcpu);
struct kvm_s390_apmx;

#define CRYCB_FORMAT_MASK	0x00000003
#define CRYCB_FORMAT0		0x00000000
#define CRYCB_FORMAT1		0x00000001
#define CRYCB_FORMAT2		0x00000003

#define KSIM_CRYCB_BYTES	0x100	/* apcb0 @0x00, apcb1 @0x80 */
#define KSIM_APCB1_OFFSET	0x80

struct kvm_s390_crypto {
	u8 *crycb;
	struct rw_semaphore pqap_hook_rwsem;
	crypto_hook *pqap_hook;
	struct kvm_s390_apmx *apmx;
	u32 crycbd;
};

/* arch/s390/include/asm/kvm_host.h: the GISA's interruption alert mask */
#define MAX_ISC			7
struct kvm_s390_gisa {
	u32 ksim_word;
};

struct kvm_s390_gisa_iam {
	u8 mask;
	u32 ref_count[MAX_ISC + 1];
};

struct kvm_s390_gisa_interrupt {
	struct kvm_s390_gisa *origin;
	struct kvm_s390_gisa_iam alert;
};

struct kvm_arch {
	struct kvm_s390_crypto crypto;
	debug_info_t *dbf;
	struct kvm_s390_gisa_interrupt gisa_int;
};

struct kvm {
	struct mutex lock;
	struct kvm_arch arch;
	int created_vcpus;
	/* simulation only */
	u8 crycb_page[KSIM_CRYCB_BYTES];
	debug_info_t dbf_storage;
	unsigned int set_masks_calls;
	unsigned int clear_masks_calls;
	int users_count;	/* kvm->users_count: the VMM's fd + gets */
	struct kvm_s390_gisa gisa_storage;
	unsigned int mem_slot;	/* its guest pages in ksim's pool (ksim.c) */
};

struct kvm_run {
	struct {
		struct {
			u64 gprs[16];
		} regs;
	} s;
};

struct kvm_vcpu {
	struct kvm *kvm;
	struct kvm_run *run;
	/* simulation only */
	struct mutex mutex;	/* vcpu->mutex, held across KVM_RUN */
	bool ksim_pv;		/* a protected (Secure Execution) vCPU */
};

/*
 * arch/s390/kvm/interrupt.c kvm_s390_gisc_register(): -ENODEV without a
 * GISA, -ERANGE for an ISC above MAX_ISC, else one more reference on the
 * guest ISC in the GISA's alert mask and the GIB's host ISC (gib->nisc,
 * GAL_ISC = 5, arch/s390/include/asm/isc.h).
 * kvm_s390_gisc_unregister(): -ENODEV, -ERANGE as above, -EINVAL for an
 * ISC without references, else 0.
 */
#define KSIM_GAL_ISC		5
int kvm_s390_gisc_register(struct kvm *kvm, u32 gisc);
int kvm_s390_gisc_unregister(struct kvm *kvm, u32 gisc);

/*
 * arch/s390/kvm/kvm-s390.c kvm_arch_crypto_set_masks() and
 * kvm_arch_crypto_clear_masks(): write APCB0 (formats 0, 1) or APCB1
 * (format 2) of the CRYCB, or clear both, and log VM_EVENT()s at level 3;
 * "the kvm->lock mutex must be locked by the caller" (a violation if not).
 */
void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm);
void kvm_arch_crypto_clear_masks(struct kvm *kvm);

#endif /* _KSIM_H */
