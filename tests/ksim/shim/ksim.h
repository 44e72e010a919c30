/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the kernel environment of arch/s390/kvm/ap-matrix/ in userspace.
 *
 * Just enough of struct kvm, locks, uaccess, printk, the s390 debug
 * feature and the AP instructions for the apmatrix kernel files to compile
 * unmodified, backed by a simulated AP host (ksim.c).  Every shim checks
 * what the kernel would check: locks are taken in the documented order
 * (ap-matrix.h) and never recursively, kvm->lock is held when the CRYCB is
 * written, nobody sleeps holding the table lock.  Breaking a rule counts a
 * violation that every test asserts to be zero.
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
#include <asm/kvm_ap_matrix.h>

#ifndef CONFIG_ZCRYPT
#define CONFIG_ZCRYPT 1
#endif
#define IS_ENABLED(option)	(option)

#define __user
#define BITS_PER_LONG		(8 * sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#define WARN_ON_ONCE(c)		ksim_warn_on(!!(c), __FILE__, __LINE__)
int ksim_warn_on(int cond, const char *file, int line);

/* ---- locks: rank = position in the lock order of ap-matrix.h ---------- */
enum {
	KSIM_RANK_VM_OP = 1,		/* kvm_s390_apmx.op_lock */
	KSIM_RANK_AP_PERMS = 2,
	KSIM_RANK_KVM = 3,
	KSIM_RANK_PQAP_HOOK = 4,
	KSIM_RANK_TABLE = 5,
};

struct mutex {
	int locked;
	int rank;
	const char *name;
};

#define DEFINE_MUTEX(m)	struct mutex m = { 0, 0, #m }
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
int mutex_is_locked(struct mutex *m);

struct rw_semaphore {
	int writer;
	int readers;
	int rank;
	const char *name;
};

void down_write(struct rw_semaphore *s);
void up_write(struct rw_semaphore *s);
void down_read(struct rw_semaphore *s);
void up_read(struct rw_semaphore *s);

typedef struct {
	long long counter;
} atomic64_t;
#define ATOMIC64_INIT(i)	{ (i) }
static inline long long atomic64_inc_return(atomic64_t *v)
{
	return ++v->counter;
}

/* ---- tasks, capabilities, uaccess, printk, debug feature, delay ------- */
struct task_struct {
	int tgid;
};

extern struct task_struct *ksim_current;
#define current ksim_current
static inline int task_tgid_nr(struct task_struct *t)
{
	return t->tgid;
}

#define CAP_SYS_ADMIN	21
bool capable(int cap);

unsigned long copy_from_user(void *to, const void __user *from,
			     unsigned long n);
unsigned long copy_to_user(void __user *to, const void *from,
			   unsigned long n);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
void ksim_printk(const char *level, const char *fmt, ...) __printf(2, 3);
#define pr_warn(fmt, ...) ksim_printk("warn", pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice_ratelimited(fmt, ...) \
	ksim_printk("notice", pr_fmt(fmt), ##__VA_ARGS__)

typedef struct debug_info {
	int level;
} debug_info_t;
int debug_sprintf_event(debug_info_t *id, int level, const char *fmt, ...)
	__printf(3, 4);

void msleep(unsigned int ms);

/* include/linux/printk.h; ksim logs every message (no rate limit) */
#define pr_warn_ratelimited(fmt, ...) \
	ksim_printk("warn", pr_fmt(fmt), ##__VA_ARGS__)
#ifndef pr_notice
#define pr_notice(fmt, ...) ksim_printk("notice", pr_fmt(fmt), ##__VA_ARGS__)
#endif

/* include/linux/slab.h kvmalloc_array(): NULL on overflow, not zeroed */
static inline void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kmalloc(n * size, flags);
}

/* GFP flags and kvzalloc on top of the core's slab shim */
#define GFP_KERNEL_ACCOUNT	GFP_KERNEL
static inline void *kvzalloc(size_t size, gfp_t flags)
{
	return kzalloc(size, flags);
}

static inline void kvfree(const void *p)
{
	kfree(p);
}

/* ---- files: a simulated fd table (grant fds) --------------------------- */
struct module;
#define THIS_MODULE	((struct module *)0)
/* kernel/module/main.c (ksim.c counts them: ksim_module_refs) */
void __module_get(struct module *module);
void module_put(struct module *module);
struct inode;
struct file;
#include <sys/types.h>	/* loff_t */
struct file_operations {
	struct module *owner;
	int (*release)(struct inode *inode, struct file *filp);
	loff_t (*llseek)(struct file *filp, loff_t off, int whence);
};

struct file {
	const struct file_operations *f_op;
	void *private_data;
	int refs;
};

struct fd {
	struct file *file;
	unsigned int flags;
};

#ifndef O_RDWR
#define O_RDWR		02
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC	02000000
#endif
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE(ptr);
}

loff_t noop_llseek(struct file *filp, loff_t off, int whence);
struct fd fdget(unsigned int fd);
void fdput(struct fd f);
int get_unused_fd_flags(unsigned int flags);
void put_unused_fd(unsigned int fd);
void fd_install(unsigned int fd, struct file *file);
void fput(struct file *file);
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags);

/* ---- the AP instructions (asm/ap.h) ------------------------------------ */
typedef unsigned int ap_qid_t;
#define AP_MKQID(_card, _queue) (((_card) & 0xff) << 8 | ((_queue) & 0xff))

struct ap_queue_status {
	unsigned int queue_empty	: 1;
	unsigned int replies_waiting	: 1;
	unsigned int queue_full		: 1;
	unsigned int _pad1		: 4;
	unsigned int irq_enabled	: 1;
	unsigned int response_code	: 8;
	unsigned int _pad2		: 16;
};

#define AP_RESPONSE_NORMAL		0x00
#define AP_RESPONSE_Q_NOT_AVAIL		0x01
#define AP_RESPONSE_RESET_IN_PROGRESS	0x02
#define AP_RESPONSE_DECONFIGURED	0x03
#define AP_RESPONSE_CHECKSTOPPED	0x04
#define AP_RESPONSE_BUSY		0x05
#define AP_RESPONSE_INVALID_ADDRESS	0x06
#define AP_RESPONSE_OTHERWISE_CHANGED	0x07
#define AP_RESPONSE_INVALID_GISA	0x08

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

bool ap_instructions_available(void);
int ap_qci(struct ap_config_info *config);
struct ap_queue_status ap_zapq(ap_qid_t qid);
struct ap_queue_status ap_tapq(ap_qid_t qid, unsigned long *info);

#if IS_ENABLED(CONFIG_ZCRYPT)
extern struct mutex ap_perms_mutex;
int ap_owned_by_def_drv(int card, int queue);
#else
/* as the asm/ap.h stub: without the AP bus nothing is owned */
static inline int ap_owned_by_def_drv(int card, int queue)
{
	return 0;
}
#endif

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

struct kvm_arch {
	struct kvm_s390_crypto crypto;
	debug_info_t *dbf;
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
};

void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm);
void kvm_arch_crypto_clear_masks(struct kvm *kvm);

#endif /* _KSIM_H */
