// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: the simulated AP host and kernel environment (see ksim-host.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksim-host.h"
#include <linux/err.h>

struct ksim_host ksim_host;
unsigned int ksim_violations;
unsigned int ksim_warnings;
unsigned long ksim_slept_ms;
KSIM_TLS bool ksim_cap_sys_admin;

/*
 * -DKSIM_THREADS: sim_lock keeps the logs, counters and lock statistics,
 * hw_lock the simulated AP queues (an AP instruction is atomic),
 * file_lock the fd table and the files (fs/file.c's files->file_lock and
 * the atomic f_count); none of them is a kernel lock, none is held while
 * kernel code runs.
 */
#ifdef KSIM_THREADS
#include <sched.h>
#include <unistd.h>
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t hw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;
#define LOCKED(l)	pthread_mutex_lock(&l)
#define UNLOCKED(l)	pthread_mutex_unlock(&l)
#else
#define LOCKED(l)	do { } while (0)
#define UNLOCKED(l)	do { } while (0)
#endif
struct task_struct ksim_task;
struct task_struct *ksim_current = &ksim_task;
DEFINE_MUTEX(ap_perms_mutex);

static unsigned int fail_fd_at, fail_anon_at;

/* ---- rule checking ------------------------------------------------------ */
#define KSIM_LOG_LEN	65536
static char printk_log[KSIM_LOG_LEN];
static char event_log[KSIM_LOG_LEN];

static void log_append(char *log, const char *prefix, const char *fmt,
		       va_list ap)
{
	size_t len;

	LOCKED(sim_lock);
	len = strlen(log);
	if (len + 256 >= KSIM_LOG_LEN) {	/* keep the newest half */
		memmove(log, log + KSIM_LOG_LEN / 2, len - KSIM_LOG_LEN / 2 + 1);
		len = strlen(log);
	}
	len += snprintf(log + len, KSIM_LOG_LEN - len, "%s", prefix);
	vsnprintf(log + len, KSIM_LOG_LEN - len, fmt, ap);
	UNLOCKED(sim_lock);
}

static void log_printf(char *log, const char *fmt, ...) __printf(2, 3);
static void log_printf(char *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_append(log, "", fmt, ap);
	va_end(ap);
}

static void violation(const char *fmt, ...) __printf(1, 2);
static void violation(const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&ksim_violations, 1, __ATOMIC_SEQ_CST);
	va_start(ap, fmt);
	fprintf(stderr, "ksim VIOLATION: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	log_append(printk_log, "VIOLATION: ", fmt, ap);
	va_end(ap);
}

/* include/asm-generic/bug.h WARN_ON_ONCE(): every hit counts */
int ksim_warn_on(int cond, const char *file, int line)
{
	if (cond) {
		__atomic_add_fetch(&ksim_warnings, 1, __ATOMIC_SEQ_CST);
		fprintf(stderr, "ksim WARNING at %s:%d\n", file, line);
	}
	return cond;
}

/* a WARN() a kernel function would print, with its message */
static void warning(const char *fmt, ...) __printf(1, 2);
static void warning(const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&ksim_warnings, 1, __ATOMIC_SEQ_CST);
	va_start(ap, fmt);
	fprintf(stderr, "ksim WARNING: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	log_append(printk_log, "WARNING: ", fmt, ap);
	va_end(ap);
}

/* tests/shim/slab.c: what kfree()/kmalloc() would BUG() or WARN() on */
void shim_slab_bug(const char *what)
{
	violation("%s\n", what);
}

void shim_slab_warn(const char *what)
{
	warning("%s\n", what);
}

/* kernel/printk/printk.c printk(): into the log ksim_printk_log() shows */
void ksim_printk(const char *level, const char *fmt, ...)
{
	char prefix[16];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "<%s> ", level);
	va_start(ap, fmt);
	log_append(printk_log, prefix, fmt, ap);
	va_end(ap);
}

/*
 * lib/ratelimit.c ___ratelimit() with DEFAULT_RATELIMIT_INTERVAL (5 s)
 * and DEFAULT_RATELIMIT_BURST (10), on the virtual clock.
 */
static struct ksim_ratelimit *ratelimits;

/* the virtual clock (msleep() advances it from any thread) */
static unsigned long vnow(void)
{
	return __atomic_load_n(&ksim_now_ms, __ATOMIC_RELAXED);
}

static int ratelimit(struct ksim_ratelimit *rs, const char *func);

int ksim_ratelimit(struct ksim_ratelimit *rs, const char *func)
{
	int rc;

	LOCKED(rl_lock);
	rc = ratelimit(rs, func);
	UNLOCKED(rl_lock);
	return rc;
}

static int ratelimit(struct ksim_ratelimit *rs, const char *func)
{
	if (!rs->registered) {
		rs->registered = true;
		rs->next = ratelimits;
		ratelimits = rs;
	}
	if (!rs->started) {
		rs->started = true;
		rs->begin = vnow();
	}
	if (vnow() > rs->begin + KSIM_RATELIMIT_INTERVAL_MS) {
		if (rs->missed) {
			ksim_printk("warn", "%s: %d callbacks suppressed\n",
				    func, rs->missed);
			rs->missed = 0;
		}
		rs->begin = vnow();
		rs->printed = 0;
	}
	if (rs->printed < KSIM_RATELIMIT_BURST) {
		rs->printed++;
		return 1;
	}
	rs->missed++;
	return 0;
}

static void ratelimits_reset(void)
{
	struct ksim_ratelimit *rs;

	for (rs = ratelimits; rs; rs = rs->next) {
		rs->started = false;
		rs->printed = 0;
		rs->missed = 0;
	}
}

/* What the executable maps from its file: text, rodata, data, bss. */
extern char __executable_start[], _end[];

static bool is_static(const void *p)
{
	return (const char *)p >= __executable_start &&
	       (const char *)p < _end;
}

/* arch/s390/kernel/debug.c debug_count_numargs(): every '%' counts */
static int debug_count_numargs(const char *string)
{
	int numargs = 0;

	while (*string) {
		if (*string++ == '%')
			numargs++;
	}
	return numargs;
}

/*
 * The conversions of @fmt ("%%" takes no argument): their number, and in
 * *@strs bit i for an i-th that is "%s" (i < 32).
 */
static int conversions(const char *fmt, unsigned int *strs)
{
	int n = 0;

	*strs = 0;
	while (*fmt) {
		if (*fmt++ != '%')
			continue;
		if (*fmt == '%') {
			fmt++;
			continue;
		}
		fmt += strspn(fmt, "-+ #0123456789.*hlLqjzt");
		if (*fmt == 's' && n < 32)
			*strs |= 1u << n;
		if (*fmt)
			fmt++;
		n++;
	}
	return n;
}

#define DEBUG_SPRINTF_MAX_ARGS 10
static char debug_entry;	/* what a written entry's address stands for */

/*
 * arch/s390/kernel/debug.c __debug_sprintf_event() and, at once,
 * debug_sprintf_format_fn() (the sprintf view reading the entry back):
 * min(numargs, buf_size / sizeof(long) - 1) longs are stored; the view
 * passes 10 to sprintf(), those the area keeps and then the first one
 * again.  Reading the area later, a "%s" must still point to its string.
 */
debug_entry_t *__debug_sprintf_event(debug_info_t *id, int level,
				     char *string, ...)
{
	int num_longs = id->buf_size / (int)sizeof(long);
	int numargs, stored, nconv, i, index[DEBUG_SPRINTF_MAX_ARGS];
	long args[DEBUG_SPRINTF_MAX_ARGS];
	bool bad = false;
	unsigned int strs;
	char buf[512];
	va_list ap;

	if (num_longs < 1) {
		violation("debug area of %d bytes per entry\n", id->buf_size);
		return NULL;
	}
	if (!is_static(string)) {
		violation("debug_sprintf_event() format not in static storage\n");
		return (debug_entry_t *)&debug_entry;
	}
	numargs = debug_count_numargs(string);
	if (numargs > num_longs - 1)
		violation("debug_sprintf_event() with %d arguments, the area keeps %d: %s",
			  numargs, num_longs - 1, string);
	stored = numargs < num_longs - 1 ? numargs : num_longs - 1;
	if (stored > DEBUG_SPRINTF_MAX_ARGS)
		stored = DEBUG_SPRINTF_MAX_ARGS;
	memset(args, 0, sizeof(args));
	va_start(ap, string);
	for (i = 0; i < stored; i++)
		args[i] = va_arg(ap, long);
	va_end(ap);
	for (i = 0; i < DEBUG_SPRINTF_MAX_ARGS; i++)
		index[i] = i < num_longs - 1 ? i : 0;
	nconv = conversions(string, &strs);
	if (nconv > DEBUG_SPRINTF_MAX_ARGS && num_longs > 1) {
		violation("debug_sprintf_event() with %d arguments, the view passes %d: %s",
			  nconv, DEBUG_SPRINTF_MAX_ARGS, string);
		bad = true;
	}
	for (i = 0; i < nconv && i < DEBUG_SPRINTF_MAX_ARGS; i++) {
		if ((strs & (1u << i)) &&
		    !is_static((const void *)args[index[i]])) {
			violation("debug_sprintf_event() \"%%s\" argument %d not in static storage: %s",
				  i + 1, string);
			bad = true;
		}
	}
	if (bad)
		snprintf(buf, sizeof(buf), "(unprintable) %s", string);
	else if (num_longs == 1)
		snprintf(buf, sizeof(buf), "%s", string);
	else
		snprintf(buf, sizeof(buf), string, args[index[0]],
			 args[index[1]], args[index[2]], args[index[3]],
			 args[index[4]], args[index[5]], args[index[6]],
			 args[index[7]], args[index[8]], args[index[9]]);
	log_printf(event_log, "%s", buf);
	return (debug_entry_t *)&debug_entry;
}

debug_entry_t *ksim_debug_no_area(void)
{
	violation("debug event without a debug area\n");
	return NULL;
}

const char *ksim_printk_log(void)
{
	return printk_log;
}

unsigned int ksim_printk_count(const char *what)
{
	const char *p = printk_log;
	unsigned int n = 0;

	while ((p = strstr(p, what))) {
		n++;
		p += strlen(what);
	}
	return n;
}

const char *ksim_event_log(void)
{
	return event_log;
}

void ksim_logs_clear(void)
{
	printk_log[0] = 0;
	event_log[0] = 0;
}

/* ---- locks: one held-lock stack per simulated thread -------------------- */
#define KSIM_MAX_HELD	16
#define KSIM_MAX_THREADS 4
struct held {
	const void *lock;
	int rank;
	const char *name;
	unsigned long since;	/* ksim_now_ms when taken */
};
static KSIM_TLS struct held held[KSIM_MAX_THREADS][KSIM_MAX_HELD];
/* the longest hold (virtual ms) per rank since ksim_lock_hold_reset() */
#define KSIM_MAX_RANK	16
static unsigned long hold_max[KSIM_MAX_RANK];
unsigned long ksim_now_ms;
static KSIM_TLS unsigned int nheld[KSIM_MAX_THREADS];
static KSIM_TLS unsigned int thread;

unsigned int ksim_locks_held(void)
{
	return nheld[thread];
}

void ksim_thread_switch(void)
{
	if (thread + 1 >= KSIM_MAX_THREADS) {
		violation("too many simulated threads\n");
		return;
	}
	thread++;
	nheld[thread] = 0;
}

void ksim_thread_return(void)
{
	if (nheld[thread])
		violation("thread %u returns holding %s\n", thread,
			  held[thread][nheld[thread] - 1].name);
	if (thread)
		thread--;
}

static bool lock_held_here(const void *lock)
{
	unsigned int i;

	for (i = 0; i < nheld[thread]; i++)
		if (held[thread][i].lock == lock)
			return true;
	return false;
}

/* include/linux/lockdep.h lockdep_assert_held(): a violation if not */
void ksim_lockdep_assert_held(const void *lock, const char *name)
{
	if (!lock_held_here(lock))
		violation("lockdep_assert_held(%s) without the lock\n", name);
}

#ifdef KSIM_THREADS
/*
 * kernel/locking/lockdep.c in small, for the threaded build: every pair
 * of lock classes (a class is a rank of ap-matrix.h's LOCK ORDER: op_lock,
 * ap_perms_mutex, kvm->lock, vcpu->mutex, pqap_hook_rwsem, aqic_lock,
 * apmx_aqic_orphan_lock, apmx_table_lock) that any
 * thread ever took nested -- "B taken holding A" -- is recorded; taking
 * A holding B afterwards, in any thread, is an inversion (a possible ABBA
 * deadlock), reported before the thread blocks.  acquire() also checks
 * each nesting against the written order itself (rank).
 */
#define KSIM_MAX_CLASS	KSIM_MAX_RANK
static bool order_seen[KSIM_MAX_CLASS][KSIM_MAX_CLASS];
static const char *class_name[KSIM_MAX_CLASS];
unsigned int ksim_lock_pairs;		/* distinct pairs recorded */

static void lockdep_order(int rank, const char *name)
{
	unsigned int i;

	if (rank <= 0 || rank >= KSIM_MAX_CLASS)
		return;
	LOCKED(sim_lock);
	class_name[rank] = name;
	for (i = 0; i < nheld[thread]; i++) {
		int h = held[thread][i].rank;

		if (h <= 0 || h >= KSIM_MAX_CLASS || h == rank)
			continue;
		if (order_seen[rank][h]) {
			UNLOCKED(sim_lock);
			violation("lock inversion: %s taken holding %s, the reverse order was seen before\n",
				  name, held[thread][i].name);
			LOCKED(sim_lock);
		}
		if (!order_seen[h][rank]) {
			order_seen[h][rank] = true;
			ksim_lock_pairs++;
		}
	}
	UNLOCKED(sim_lock);
}
#endif

static void acquire(const void *lock, int rank, const char *name)
{
	unsigned int n = nheld[thread];

	if (!rank)
		violation("lock %s has no rank\n", name);
#ifdef KSIM_THREADS
	if (lock_held_here(lock)) {
		violation("recursive locking: %s\n", name);
		return;
	}
	lockdep_order(rank, name);
#endif
	if (n && held[thread][n - 1].rank >= rank)
		violation("lock order: %s (rank %d) taken under %s (rank %d)\n",
			  name, rank, held[thread][n - 1].name,
			  held[thread][n - 1].rank);
	/*
	 * Legal by the order, but not for apmatrix: a VMM decides how long
	 * kvm->lock is held, and the whole AP bus waits for ap_perms_mutex
	 * (ap-matrix.h, vm.c apmx_vm_apply()).
	 */
	if (rank == KSIM_RANK_KVM && lock_held_here(&ap_perms_mutex))
		violation("%s taken holding ap_perms_mutex\n", name);
	if (n == KSIM_MAX_HELD) {
		violation("too many locks held\n");
		return;
	}
	held[thread][n] = (struct held){ lock, rank, name,
		__atomic_load_n(&ksim_now_ms, __ATOMIC_RELAXED) };
	nheld[thread] = n + 1;
}

static void record_hold(const struct held *h)
{
	unsigned long t = __atomic_load_n(&ksim_now_ms, __ATOMIC_RELAXED) -
			  h->since;
	int r = h->rank < 0 || h->rank >= KSIM_MAX_RANK ? 0 : h->rank;

	LOCKED(sim_lock);
	if (t > hold_max[r])
		hold_max[r] = t;
	UNLOCKED(sim_lock);
}

unsigned long ksim_lock_hold_max(int rank)
{
	return rank < 0 || rank >= KSIM_MAX_RANK ? 0 : hold_max[rank];
}

void ksim_lock_hold_reset(void)
{
	memset(hold_max, 0, sizeof(hold_max));
}

static void release(const void *lock, const char *name)
{
	unsigned int i, n = nheld[thread];

	for (i = 0; i < n; i++) {
		if (held[thread][i].lock == lock) {
			record_hold(&held[thread][i]);
			memmove(&held[thread][i], &held[thread][i + 1],
				(n - i - 1) * sizeof(held[0][0]));
			nheld[thread] = n - 1;
			return;
		}
	}
	violation("unlock of %s, which this thread does not hold\n", name);
}

/*
 * kernel/locking/mutex.c mutex_lock()/mutex_unlock() and
 * kernel/locking/rwsem.c down_*()/up_*(), with the checks lockdep
 * (kernel/locking/lockdep.c) makes: the lock order of ap-matrix.h (by
 * rank), no recursion, no unlock of a lock this thread does not hold.
 * Single threaded, a contended lock would never be released, so it is a
 * deadlock.  Every hold is timed on the virtual clock of msleep(), so
 * tests can assert how long a lock was held (ksim_lock_hold_max()).
 */
#ifndef KSIM_THREADS
void mutex_lock(struct mutex *m)
{
	if (m->locked) {
		/* single threaded: another holder would never let go */
		violation("deadlock: %s is already locked\n", m->name);
		return;
	}
	m->locked = 1;
	acquire(m, m->rank, m->name);
}

void mutex_unlock(struct mutex *m)
{
	if (!m->locked)
		violation("unlock of unlocked %s\n", m->name);
	m->locked = 0;
	release(m, m->name);
}

int mutex_is_locked(struct mutex *m)
{
	return m->locked;
}

void down_write(struct rw_semaphore *s)
{
	if (s->writer || s->readers)
		violation("deadlock: %s is held\n", s->name);
	s->writer = 1;
	acquire(s, s->rank, s->name);
}

void up_write(struct rw_semaphore *s)
{
	if (!s->writer)
		violation("up_write of %s without writer\n", s->name);
	s->writer = 0;
	release(s, s->name);
}

void down_read(struct rw_semaphore *s)
{
	if (s->writer)
		violation("deadlock: %s is write-held\n", s->name);
	s->readers++;
	acquire(s, s->rank, s->name);
}

void up_read(struct rw_semaphore *s)
{
	if (!s->readers)
		violation("up_read of %s without reader\n", s->name);
	s->readers--;
	release(s, s->name);
}
#else
/*
 * The threaded build: real blocking locks.  The checks run before the
 * thread blocks (as lockdep's do), so an inversion is reported, not hung
 * on; a recursive acquisition is reported and not taken.
 */
void mutex_lock(struct mutex *m)
{
	unsigned int n = nheld[thread];

	acquire(m, m->rank, m->name);
	if (nheld[thread] == n)
		return;		/* refused: recursion or too many */
	pthread_mutex_lock(&m->pm);
	__atomic_store_n(&m->locked, 1, __ATOMIC_SEQ_CST);
}

void mutex_unlock(struct mutex *m)
{
	if (!lock_held_here(m)) {
		violation("unlock of %s, which this thread does not hold\n",
			  m->name);
		return;
	}
	release(m, m->name);
	__atomic_store_n(&m->locked, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&m->pm);
}

int mutex_is_locked(struct mutex *m)
{
	return __atomic_load_n(&m->locked, __ATOMIC_SEQ_CST);
}

void down_write(struct rw_semaphore *s)
{
	unsigned int n = nheld[thread];

	acquire(s, s->rank, s->name);
	if (nheld[thread] == n)
		return;
	pthread_rwlock_wrlock(&s->rw);
	s->writer = 1;
}

void up_write(struct rw_semaphore *s)
{
	if (!lock_held_here(s) || !s->writer) {
		violation("up_write of %s without writer\n", s->name);
		return;
	}
	s->writer = 0;
	release(s, s->name);
	pthread_rwlock_unlock(&s->rw);
}

void down_read(struct rw_semaphore *s)
{
	unsigned int n = nheld[thread];

	acquire(s, s->rank, s->name);
	if (nheld[thread] == n)
		return;
	pthread_rwlock_rdlock(&s->rw);
	__atomic_add_fetch(&s->readers, 1, __ATOMIC_SEQ_CST);
}

void up_read(struct rw_semaphore *s)
{
	if (!lock_held_here(s)) {
		violation("up_read of %s without reader\n", s->name);
		return;
	}
	__atomic_sub_fetch(&s->readers, 1, __ATOMIC_SEQ_CST);
	release(s, s->name);
	pthread_rwlock_unlock(&s->rw);
}
#endif

/*
 * kernel/time/timer.c msleep(): sleeps uninterruptibly for at least @ms
 * (msecs_to_jiffies(@ms) + 1 jiffies: 30 ms for msleep(20) at HZ=100).
 * ksim advances its virtual clock, ksim_now_ms, by exactly @ms, the lower
 * bound (so a reset that needs some time gets the fewest rounds' worth, and
 * the figures the tests assert are msleep() time, not wall time), and
 * counts the sleep in ksim_slept_ms.  Sleeping holding the table lock or
 * ap_perms_mutex (which every AP bus probe and mask edit waits for) is a
 * violation: apmatrix's rule (the kernel forbids it in atomic context).
 */
unsigned long ksim_resched_calls;

/* include/linux/sched.h cond_resched(): a scheduling point, as msleep() */
void ksim_cond_resched(void)
{
	if (lock_held_here(&apmx_table_lock) || lock_held_here(&ap_perms_mutex))
		violation("cond_resched() holding the table lock or ap_perms_mutex\n");
	__atomic_add_fetch(&ksim_resched_calls, 1, __ATOMIC_RELAXED);
#ifdef KSIM_THREADS
	sched_yield();
#endif
}

void msleep(unsigned int ms)
{
	if (lock_held_here(&apmx_table_lock) || lock_held_here(&ap_perms_mutex))
		violation("msleep(%u) holding the table lock or ap_perms_mutex\n",
			  ms);
	/*
	 * ap-matrix.h: the vfio_ap hooks wait for nothing under vfio_ap's
	 * locks, which every vfio_ap mdev operation takes.
	 */
	if (lock_held_here(&ksim_vfio_guests_lock) ||
	    lock_held_here(&ksim_vfio_mdevs_lock))
		violation("msleep(%u) in a hook under vfio_ap's guests_lock or mdevs_lock\n",
			  ms);
	__atomic_add_fetch(&ksim_slept_ms, ms, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ksim_now_ms, ms, __ATOMIC_RELAXED);
#ifdef KSIM_THREADS
	usleep(ms * 25);	/* let the others run: 20 ms are 0.5 ms here */
#endif
}

/*
 * kernel/module/main.c __module_get()/module_put() for a KVM=m build,
 * where THIS_MODULE is kvm.ko: ksim counts them whatever the module
 * pointer (in ksim THIS_MODULE is NULL, as with KVM=y, where both do
 * nothing).  module_put() below zero is the WARN_ON() of module_put().
 */
int ksim_module_refs;

void __module_get(struct module *module)
{
	__atomic_add_fetch(&ksim_module_refs, 1, __ATOMIC_SEQ_CST);
}

void module_put(struct module *module)
{
	if (__atomic_sub_fetch(&ksim_module_refs, 1, __ATOMIC_SEQ_CST) < 0) {
		__atomic_add_fetch(&ksim_module_refs, 1, __ATOMIC_SEQ_CST);
		violation("module_put() without a reference\n");
	}
}

/* ---- caller ------------------------------------------------------------- */
/* kernel/capability.c capable() -> ns_capable_common() */
bool capable(int cap)
{
	if (!cap_valid(cap)) {
		violation("capable() called with invalid cap=%u (BUG)\n", cap);
		return false;
	}
	return cap == CAP_SYS_ADMIN && ksim_cap_sys_admin;
}

/* the n-th copy faults (0: none) after *_copied bytes */
static unsigned int fail_from_at, fail_to_at;
static unsigned long fail_from_copied, fail_to_copied;

void ksim_fail_copy_from_nth(unsigned int n)
{
	fail_from_at = n;
	fail_from_copied = 0;
}

void ksim_fail_copy_to_nth(unsigned int n)
{
	fail_to_at = n;
	fail_to_copied = 0;
}

void ksim_fail_copy_from_nth_after(unsigned int n, unsigned long copied)
{
	fail_from_at = n;
	fail_from_copied = copied;
}

void ksim_fail_copy_to_nth_after(unsigned int n, unsigned long copied)
{
	fail_to_at = n;
	fail_to_copied = copied;
}

static bool fault(unsigned int *at)
{
	if (!*at)
		return false;
	return --*at == 0;
}

/* include/linux/thread_info.h check_copy_size() */
static bool check_copy_size(size_t objsz, unsigned long bytes)
{
	int sz = objsz;

	if (sz >= 0 && (unsigned long)sz < bytes) {
		/* copy_overflow(), or __bad_copy_*() at build time */
		warning("Buffer overflow detected (%d < %lu)!\n", sz, bytes);
		return false;
	}
	if (bytes > INT_MAX) {
		warning("copy of %lu bytes (> INT_MAX)\n", bytes);
		return false;
	}
	return true;
}

/*
 * How many of @n bytes the raw copy gets through: all, unless the user
 * pointer is NULL or a fault is due (then up to @copied, less than @n).
 */
static unsigned long user_reach(const void *uptr, unsigned long n,
				unsigned int *at, unsigned long copied)
{
	if (fault(at))
		return copied < n ? copied : (n ? n - 1 : 0);
	return uptr ? n : 0;
}

/*
 * include/linux/uaccess.h copy_from_user() -> _copy_from_user(): might
 * sleep (so never under the table lock: apmatrix's rule); the bytes not
 * copied are zeroed in @to.
 */
unsigned long ksim_copy_from_user(void *to, const void __user *from,
				  unsigned long n, size_t to_size)
{
	unsigned long ok;

	if (!check_copy_size(to_size, n))
		return n;
	if (lock_held_here(&apmx_table_lock))
		violation("copy_from_user under the table lock\n");
	ok = user_reach(from, n, &fail_from_at, fail_from_copied);
	if (ok)
		memcpy(to, from, ok);
	if (ok < n)
		memset((char *)to + ok, 0, n - ok);
	return n - ok;
}

/* include/linux/uaccess.h copy_to_user() -> _copy_to_user() */
unsigned long ksim_copy_to_user(void __user *to, const void *from,
				unsigned long n, size_t from_size)
{
	unsigned long ok;

	if (!check_copy_size(from_size, n))
		return n;
	if (lock_held_here(&apmx_table_lock))
		violation("copy_to_user under the table lock\n");
	ok = user_reach(to, n, &fail_to_at, fail_to_copied);
	if (ok)
		memcpy(to, from, ok);
	return n - ok;
}

/* ---- the simulated AP host --------------------------------------------- */
/*
 * Every AP instruction apmatrix issues (PQAP: ZAPQ, TAPQ, QCI) is a
 * violation while the thread holds apmx_table_lock: ap-matrix.h's LOCK
 * ORDER (WORST-CASE HOLD TIMES) holds that lock "never across a sleep or
 * an AP instruction": every queue probe, in_use() and AP matrix ioctl
 * waits for it.
 */
/* arch/s390/include/asm/ap.h ap_instructions_available(): TAPQ works */
bool ap_instructions_available(void)
{
	return ksim_host.ap_instr;
}

static void put_mask(unsigned int *words, const u8 *bytes)
{
	memcpy(words, bytes, 32);	/* MSB-0 image, as on s390 */
}

/*
 * arch/s390/include/asm/ap.h ap_qci(): 0 with the whole block written, or
 * -EOPNOTSUPP (PQAP(QCI) not installed: the program check is caught) with
 * the block untouched.  The host's masks are all ones.
 */
int ap_qci(struct ap_config_info *info)
{
	u8 all[32];

	if (lock_held_here(&apmx_table_lock))
		violation("QCI under the table lock\n");
	if (!ksim_host.ap_instr || !ksim_host.qci)
		return -EOPNOTSUPP;
	memset(info, 0, sizeof(*info));
	info->apxa = ksim_host.apxa;
	info->Na = ksim_host.apxa ? ksim_host.na : 0;
	info->Nd = ksim_host.apxa ? ksim_host.nd : 0;
	memset(all, 0xff, sizeof(all));
	put_mask(info->apm, all);
	put_mask(info->aqm, all);
	put_mask(info->adm, all);
	return 0;
}

static struct ap_queue_status status(u8 rc, bool empty, bool irq)
{
	struct ap_queue_status st;

	memset(&st, 0, sizeof(st));
	st.response_code = rc;
	st.queue_empty = empty;
	st.irq_enabled = irq;
	return st;
}

/*
 * A reset of @q (a ZAPQ, or the AP bus's RAPQ) is still running: TAPQ
 * answers 02 and a new ZAPQ is not performed.  It ends after
 * q->reset_polls TAPQs and q->reset_ms of virtual time, whichever is
 * later (both 0: at once).
 */
static bool in_reset(const struct ksim_queue *q)
{
	return q->resetting || vnow() < q->reset_end;
}

/* Start a reset; only ZAPQ (@zeroize) clears what the queue holds. */
static void start_reset(struct ksim_queue *q, bool zeroize)
{
	/*
	 * a reset (ZAPQ or RAPQ) disables the queue's interruptions, also a
	 * change still pending
	 */
	q->irq_on = false;
	q->irq_pending = 0;
	if (zeroize)
		q->secret = 0;
	q->reset_zeroizes = zeroize;
	q->resetting = q->reset_polls;
	q->reset_end = vnow() + q->reset_ms;
}

/*
 * arch/s390/include/asm/ap.h ap_rapq() as drivers/s390/crypto/ap_queue.c
 * ap_sm_reset() issues it: the AP bus resets a queue (on probe, after an
 * error, on a mask change).  RAPQ empties the queue but does not zeroize:
 * the secret stays.  Meanwhile ZAPQ answers 02 and is not performed.
 */
void ksim_rapq(unsigned int apid, unsigned int apqi)
{
	struct ksim_queue *q = &ksim_host.q[apid & 0xff][apqi & 0xff];

	LOCKED(hw_lock);
	if (q->exists && !q->deconfigured && !in_reset(q))
		start_reset(q, false);
	UNLOCKED(hw_lock);
}

/* -DKSIM_THREADS: the queues of the simulated host, atomically */
void ksim_hw_lock(void)
{
	LOCKED(hw_lock);
}

void ksim_hw_unlock(void)
{
	UNLOCKED(hw_lock);
}

/*
 * arch/s390/include/asm/ap.h ap_zapq(), PQAP(ZAPQ), with the response
 * codes 6.1 reads in drivers/s390/crypto/vfio_ap_ops.c
 * vfio_ap_mdev_reset_queue():
 *   01  the queue is not in the configuration: nothing happens; whatever
 *       it holds is still there when it comes back;
 *   03  it is in the configuration, but deconfigured (its card or queue
 *       configured off; the AP bus keeps its device, ap_bus.c
 *       ap_scan_domains()): nothing happens either;
 *   02  a reset is in progress (the AP bus's RAPQ, or an earlier ZAPQ):
 *       this ZAPQ is not performed;
 *   00  the reset starts and the queue is zeroized (secret cleared).
 * A script code replaces the answer: 00 as above, 02 means a RAPQ runs
 * (it starts now unless one is running; the secret stays), anything else
 * (05 busy, 07, 03, 04, 06) changes nothing.
 */
/*
 * Hardware fault injection (tests/ksim/test-hwfaults.c): the n-th ZAPQ or
 * TAPQ from now (1-based, on any queue) answers the given status word, as
 * 6.1's arch/s390/include/asm/ap.h ap_zapq() and ap_tapq() return it:
 * GR1 after PQAP, struct ap_queue_status -- the response code and the
 * queue_empty (E), replies_waiting (R), queue_full (F) and irq_enabled (I)
 * bits.  A ZAPQ answered 00 starts the reset (zeroizes) and 02 means
 * another reset (RAPQ) runs, as a scripted code (zapq() below); any other
 * code changes nothing.  A TAPQ answer changes nothing.  Which queue got
 * the injected answer is in ksim_injected_apqn (-1: none yet).
 */
static unsigned int inj_zapq_at, inj_tapq_at;
static struct ap_queue_status inj_zapq_st, inj_tapq_st;
int ksim_injected_apqn = -1;

void ksim_inject_zapq_nth(unsigned int n, u8 rc)
{
	memset(&inj_zapq_st, 0, sizeof(inj_zapq_st));
	inj_zapq_st.response_code = rc;
	inj_zapq_at = n;
	ksim_injected_apqn = -1;
}

void ksim_inject_tapq_nth(unsigned int n, u8 rc, bool empty, bool replies,
			  bool irq)
{
	memset(&inj_tapq_st, 0, sizeof(inj_tapq_st));
	inj_tapq_st.response_code = rc;
	inj_tapq_st.queue_empty = empty;
	inj_tapq_st.replies_waiting = replies;
	inj_tapq_st.irq_enabled = irq;
	inj_tapq_at = n;
	ksim_injected_apqn = -1;
}

bool ksim_hw_fault_armed(void)
{
	return inj_zapq_at || inj_tapq_at;
}

static struct ap_queue_status zapq(ap_qid_t qid);

struct ap_queue_status ap_zapq(ap_qid_t qid)
{
	struct ap_queue_status st;

	LOCKED(hw_lock);
	st = zapq(qid);
	UNLOCKED(hw_lock);
	return st;
}

static struct ap_queue_status zapq(ap_qid_t qid)
{
	unsigned int apid = (qid >> 8) & 0xff, apqi = qid & 0xff;
	struct ksim_queue *q = &ksim_host.q[apid][apqi];
	u8 rc;

	if (lock_held_here(&apmx_table_lock))
		violation("ZAPQ %02x.%04x under the table lock\n", apid, apqi);
	q->zapq_calls++;
	__atomic_add_fetch(&ksim_ap_instr_calls, 1, __ATOMIC_RELAXED);
	if (ksim_host.on_zapq)
		ksim_host.on_zapq(apid, apqi);
	if (fault(&inj_zapq_at)) {
		ksim_injected_apqn = apid << 8 | apqi;
		if (inj_zapq_st.response_code == AP_RESPONSE_NORMAL)
			start_reset(q, true);
		else if (inj_zapq_st.response_code ==
			 AP_RESPONSE_RESET_IN_PROGRESS && !in_reset(q))
			start_reset(q, false);	/* the AP bus's RAPQ */
		return inj_zapq_st;
	}
	if (!q->exists)
		return status(AP_RESPONSE_Q_NOT_AVAIL, false, false);
	if (q->deconfigured)
		return status(AP_RESPONSE_DECONFIGURED, false, false);
	if (q->zapq_script_len) {
		rc = q->zapq_script[0];
		memmove(q->zapq_script, q->zapq_script + 1,
			--q->zapq_script_len);
	} else {
		rc = in_reset(q) ? AP_RESPONSE_RESET_IN_PROGRESS :
				   AP_RESPONSE_NORMAL;
	}
#ifdef FUZZ_SELFTEST_BREAK
	/*
	 * The deliberately broken build (tests/ksim/fuzz): ZAPQ says 00 but
	 * the reset is skipped, so what the queue holds survives; the fuzz
	 * suite must catch the secret handed on.  Never in a real build.
	 */
	if (rc == AP_RESPONSE_NORMAL)
		return status(rc, false, false);
#endif
	if (rc == AP_RESPONSE_NORMAL)
		start_reset(q, true);
	else if (rc == AP_RESPONSE_RESET_IN_PROGRESS && !in_reset(q))
		start_reset(q, false);	/* the AP bus's RAPQ */
	return status(rc, false, false);
}

/*
 * arch/s390/include/asm/ap.h ap_tapq(), PQAP(TAPQ): 01 for a queue not in
 * the configuration, 03 for one deconfigured (as ap_bus.c ap_queue_info()
 * reads it), 02 while a reset runs (forever with reset_hangs),
 * then 00 with an empty queue and interruptions disabled (irq_stays: a
 * broken queue that keeps them enabled).  Each TAPQ of a configured queue
 * counts down an AQIC change still pending (ksim_queue.irq_lag), as 6.1's
 * drivers/s390/crypto/ap_queue.c ap_sm_setirq_wait() polls TAPQ until
 * irq_enabled shows the change.  A scripted code is answered first, with
 * queue_empty set for 00 only; a scripted 00 only once no reset runs.
 * @info is not modelled (0).
 */
static struct ap_queue_status tapq(ap_qid_t qid, unsigned long *info);

struct ap_queue_status ap_tapq(ap_qid_t qid, unsigned long *info)
{
	struct ap_queue_status st;

	LOCKED(hw_lock);
	st = tapq(qid, info);
	UNLOCKED(hw_lock);
	return st;
}

static struct ap_queue_status tapq(ap_qid_t qid, unsigned long *info)
{
	unsigned int apid = (qid >> 8) & 0xff, apqi = qid & 0xff;
	struct ksim_queue *q = &ksim_host.q[apid][apqi];
	u8 rc;

	if (lock_held_here(&apmx_table_lock))
		violation("TAPQ %02x.%04x under the table lock\n", apid, apqi);
	if (info)
		*info = 0;
	q->tapq_calls++;
	__atomic_add_fetch(&ksim_ap_instr_calls, 1, __ATOMIC_RELAXED);
	if (fault(&inj_tapq_at)) {
		ksim_injected_apqn = apid << 8 | apqi;
		return inj_tapq_st;
	}
	if (!q->exists)
		return status(AP_RESPONSE_Q_NOT_AVAIL, false, false);
	if (q->deconfigured)
		return status(AP_RESPONSE_DECONFIGURED, false, false);
	if (q->irq_pending && !--q->irq_pending)
		q->irq_on = q->irq_want;
	/*
	 * A scripted 00 waits until no reset runs: TAPQ cannot tell a reset
	 * done before it is (it answers 02 meanwhile), and a 00 answered
	 * early would let a caller hand the queue on mid-reset.
	 */
	if (q->tapq_script_len &&
	    (q->tapq_script[0] != AP_RESPONSE_NORMAL ||
	     (!q->reset_hangs && !in_reset(q)))) {
		rc = q->tapq_script[0];
		memmove(q->tapq_script, q->tapq_script + 1,
			--q->tapq_script_len);
		return status(rc, rc == AP_RESPONSE_NORMAL, false);
	}
	if (q->reset_hangs)
		return status(AP_RESPONSE_RESET_IN_PROGRESS, false, false);
	if (in_reset(q)) {
		if (q->resetting)
			q->resetting--;
		return status(AP_RESPONSE_RESET_IN_PROGRESS, false, false);
	}
	return status(AP_RESPONSE_NORMAL, true, q->irq_stays || q->irq_on);
}

/* ---- AQIC, guest memory, pinning, the GISA ------------------------------ */
/*
 * Guest memory: VM n (in creation order, modulo KSIM_MEM_VMS) has the pool
 * pages [n * KSIM_GUEST_PAGES, (n + 1) * KSIM_GUEST_PAGES), mapped in its
 * VMM at KSIM_HVA_BASE + page index * PAGE_SIZE, at host physical address
 * KSIM_PHYS_BASE + page index * PAGE_SIZE.
 */
#define KSIM_MEM_VMS	64
#define KSIM_POOL_PAGES	(KSIM_MEM_VMS * KSIM_GUEST_PAGES)
#define KSIM_HVA_BASE	0x3ff00000000UL
#define KSIM_PHYS_BASE	0x40000000UL
static struct page pool[KSIM_POOL_PAGES];
static unsigned int mem_next;
static bool mem_used[KSIM_MEM_VMS];	/* under hw_lock: a live VM's slot */
static KSIM_TLS struct kvm *vcpu_kvm;	/* the VM whose vCPU runs: current->mm */
static unsigned int fail_pin_at, inj_aqic_at;
static u8 inj_aqic_rc;

struct page *ksim_guest_page(struct kvm *kvm, gfn_t gfn)
{
	if (gfn >= KSIM_GUEST_PAGES)
		abort();
	return &pool[kvm->mem_slot * KSIM_GUEST_PAGES + gfn];
}

unsigned int ksim_pins(void)
{
	unsigned int i, n = 0;

	LOCKED(hw_lock);
	for (i = 0; i < KSIM_POOL_PAGES; i++)
		n += pool[i].pins;
	UNLOCKED(hw_lock);
	return n;
}

void ksim_fail_pin_nth(unsigned int n)
{
	fail_pin_at = n;
}

void ksim_inject_aqic_nth(unsigned int n, u8 rc)
{
	inj_aqic_at = n;
	inj_aqic_rc = rc;
}

/* virt/kvm/kvm_main.c gfn_to_hva(), see ksim.h */
unsigned long gfn_to_hva(struct kvm *kvm, gfn_t gfn)
{
	if (vcpu_kvm != kvm)
		violation("gfn_to_hva outside the VM's vCPU (kvm->srcu not held)\n");
	if (gfn >= KSIM_GUEST_PAGES)
		return KVM_HVA_ERR_BAD;
	return KSIM_HVA_BASE +
	       (kvm->mem_slot * KSIM_GUEST_PAGES + gfn) * PAGE_SIZE;
}

/* current->mm->mmap_lock of the VMMs (one class, as lockdep has it) */
struct rw_semaphore ksim_mmap_lock = { .name = "mmap_lock" };

/* mm/gup.c pin_user_pages_fast(), see ksim.h */
int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	unsigned long first, idx;
	int i;

	/* pin_user_pages_fast(): FOLL_GET and FOLL_PIN are exclusive */
	if (ksim_warn_on(!!(gup_flags & FOLL_GET), __FILE__, __LINE__))
		return -EINVAL;
	if (ksim_warn_on(!pages, __FILE__, __LINE__))
		return -EINVAL;
	/* internal_get_user_pages_fast(): the flags it knows */
	if (ksim_warn_on(!!(gup_flags & ~(FOLL_WRITE | FOLL_LONGTERM |
					  FOLL_FORCE | FOLL_PIN | FOLL_GET |
					  FOLL_FAST_ONLY | FOLL_NOFAULT)),
			 __FILE__, __LINE__))
		return -EINVAL;
	/* might_lock_read(&current->mm->mmap_lock): the lock checker sees it */
	if (!(gup_flags & FOLL_FAST_ONLY)) {
		down_read(&ksim_mmap_lock);
		up_read(&ksim_mmap_lock);
	}
	if (nr_pages <= 0)
		return 0;
	if (fault(&fail_pin_at))
		return -EFAULT;
	if (!vcpu_kvm || start < KSIM_HVA_BASE)
		return -EFAULT;
	first = vcpu_kvm->mem_slot * KSIM_GUEST_PAGES;
	idx = (start - KSIM_HVA_BASE) >> PAGE_SHIFT;
	if (idx < first || idx + nr_pages > first + KSIM_GUEST_PAGES)
		return -EFAULT;		/* not in the VMM's address space */
	LOCKED(hw_lock);
	for (i = 0; i < nr_pages; i++) {
		pool[idx + i].pins++;
		pool[idx + i].gup_flags = gup_flags | FOLL_PIN;
		pages[i] = &pool[idx + i];
	}
	UNLOCKED(hw_lock);
	return nr_pages;
}

phys_addr_t page_to_phys(struct page *page)
{
	if (page < pool || page >= pool + KSIM_POOL_PAGES)
		abort();
	return KSIM_PHYS_BASE + (phys_addr_t)(page - pool) * PAGE_SIZE;
}

static struct page *phys_to_page(phys_addr_t pa)
{
	if (pa < KSIM_PHYS_BASE ||
	    pa >= KSIM_PHYS_BASE + (phys_addr_t)KSIM_POOL_PAGES * PAGE_SIZE)
		return NULL;
	return &pool[(pa - KSIM_PHYS_BASE) >> PAGE_SHIFT];
}

/*
 * The adapter may write @q's indicator: interruptions on, or an enable
 * accepted but not landed yet (ap_aqic()).
 */
static bool ksim_irq_may_write(const struct ksim_queue *q)
{
	return q->irq_on || (q->irq_pending && q->irq_want);
}

/* mm/gup.c unpin_user_pages_dirty_lock(), see ksim.h */
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages,
				 bool make_dirty)
{
	unsigned long i;
	unsigned int a, d;
	int busy;
	bool unpinned;

	for (i = 0; i < npages; i++) {
		busy = -1;
		LOCKED(hw_lock);
		unpinned = !pages[i]->pins;
		if (!unpinned) {
			pages[i]->dirty |= make_dirty;
			pages[i]->pins--;
		}
		for (a = 0; !unpinned && !pages[i]->pins && a < 256; a++)
			for (d = 0; d < 256; d++)
				if (ksim_irq_may_write(&ksim_host.q[a][d]) &&
				    phys_to_page(ksim_host.q[a][d].ind) == pages[i])
					busy = a << 8 | d;
		UNLOCKED(hw_lock);
		if (unpinned)
			violation("unpin of a page without a pin\n");
		if (busy >= 0)
			violation("page unpinned while %02x.%04x's interruptions point into it\n",
				  busy >> 8, busy & 0xff);
	}
}

/* arch/s390/kvm/interrupt.c kvm_s390_gisc_register(), see ksim.h */
int kvm_s390_gisc_register(struct kvm *kvm, u32 gisc)
{
	struct kvm_s390_gisa_interrupt *gi = &kvm->arch.gisa_int;

	if (!gi->origin)
		return -ENODEV;
	if (gisc > MAX_ISC)
		return -ERANGE;
	if (gi->alert.ref_count[gisc]++ == 0)
		gi->alert.mask |= 0x80 >> gisc;
	return KSIM_GAL_ISC;
}

/* arch/s390/kvm/interrupt.c kvm_s390_gisc_unregister(), see ksim.h */
int kvm_s390_gisc_unregister(struct kvm *kvm, u32 gisc)
{
	struct kvm_s390_gisa_interrupt *gi = &kvm->arch.gisa_int;

	if (!gi->origin)
		return -ENODEV;
	if (gisc > MAX_ISC)
		return -ERANGE;
	if (!gi->alert.ref_count[gisc])
		return -EINVAL;
	if (--gi->alert.ref_count[gisc] == 0)
		gi->alert.mask &= ~(0x80 >> gisc);
	return 0;
}

unsigned int ksim_gisc_refs(struct kvm *kvm)
{
	unsigned int i, n = 0;

	for (i = 0; i <= MAX_ISC; i++)
		n += kvm->arch.gisa_int.alert.ref_count[i];
	return n;
}

/*
 * arch/s390/include/asm/ap.h ap_aqic(), PQAP(AQIC), with the answers 6.1's
 * drivers/s390/crypto/vfio_ap_ops.c vfio_ap_irq_enable() and
 * vfio_ap_irq_disable() read:
 *   01  the queue is not in the configuration;
 *   02  a reset is in progress (vfio_ap_irq_disable() retries);
 *   07  the interruption controls were not changed: enabling a queue whose
 *       interruptions are on, or disabling one whose are off (both
 *       handled as "nothing changed" by vfio_ap);
 *   00  enabled (to @pa_ind, with the ISCs of @ctrl) or disabled; a
 *       later reset (ZAPQ, RAPQ) disables again.
 * The status has irq_enabled as the queue has it afterwards.  AQIC is
 * asynchronous (6.1's drivers/s390/crypto/ap_queue.c ap_sm_setirq_wait()
 * polls TAPQ until irq_enabled changes): with irq_lag the accepted change
 * lands only after that many TAPQs, the old setting holding meanwhile, and
 * an AQIC while a change is pending answers 07 and changes nothing.  Enabling
 * with an indicator outside a pinned guest page is a violation: the
 * hardware would write into memory the host may reuse.  An injected code
 * (ksim_inject_aqic_nth()) changes nothing.
 */
struct ap_queue_status ap_aqic(ap_qid_t qid, struct ap_qirq_ctrl ctrl,
			       phys_addr_t pa_ind)
{
	unsigned int apid = (qid >> 8) & 0xff, apqi = qid & 0xff;
	struct ksim_queue *q = &ksim_host.q[apid][apqi];
	struct ap_queue_status st;
	struct page *pg;
	u8 rc;

	if (lock_held_here(&apmx_table_lock))
		violation("AQIC %02x.%04x under the table lock\n", apid, apqi);
	LOCKED(hw_lock);
	q->aqic_calls++;
	__atomic_add_fetch(&ksim_ap_instr_calls, 1, __ATOMIC_RELAXED);
	if (fault(&inj_aqic_at)) {
		st = status(inj_aqic_rc, false, q->irq_on);
		goto out;
	}
	if (!q->exists) {
		st = status(AP_RESPONSE_Q_NOT_AVAIL, false, false);
		goto out;
	}
	if (in_reset(q)) {
		st = status(AP_RESPONSE_RESET_IN_PROGRESS, false, q->irq_on);
		goto out;
	}
	if (q->irq_pending || ctrl.ir == q->irq_on) {
		rc = AP_RESPONSE_OTHERWISE_CHANGED;
	} else {
		if (ctrl.ir) {
			pg = phys_to_page(pa_ind);
			if (!pg || !pg->pins) {
				UNLOCKED(hw_lock);
				violation("AQIC %02x.%04x enables an indicator outside a pinned page\n",
					  apid, apqi);
				LOCKED(hw_lock);
			}
			q->ind = pa_ind;
			q->gisc = ctrl.gisc;
			q->isc = ctrl.isc;
		}
		if (q->irq_lag) {
			q->irq_pending = q->irq_lag;
			q->irq_want = ctrl.ir;
		} else {
			q->irq_on = ctrl.ir;
		}
		rc = AP_RESPONSE_NORMAL;
	}
	st = status(rc, false, q->irq_on);
out:
	UNLOCKED(hw_lock);
	return st;
}

static void syscall_enter(void);
static void syscall_exit(void);

/* see ksim-host.h */
int ksim_vcpu_pqap(struct kvm *kvm, bool pv, unsigned int apqn, u64 gr1,
		   u64 nib, u64 *gr1out)
{
	struct kvm_run run;
	struct kvm_vcpu vcpu;
	crypto_hook hook;
	int ret = -EOPNOTSUPP;

	memset(&run, 0, sizeof(run));
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.kvm = kvm;
	vcpu.run = &run;
	vcpu.ksim_pv = pv;
	vcpu.mutex = (struct mutex){ 0, KSIM_RANK_VCPU, "vcpu->mutex" };
	run.s.regs.gprs[0] = (3ULL << 24) | (apqn & 0xffff);
	run.s.regs.gprs[1] = gr1;
	run.s.regs.gprs[2] = nib;
	syscall_enter();
	mutex_lock(&vcpu.mutex);
	vcpu_kvm = kvm;
	down_read(&kvm->arch.crypto.pqap_hook_rwsem);
	if (kvm->arch.crypto.pqap_hook) {
		hook = *kvm->arch.crypto.pqap_hook;
		ret = hook(&vcpu);
	}
	up_read(&kvm->arch.crypto.pqap_hook_rwsem);
	vcpu_kvm = NULL;
	mutex_unlock(&vcpu.mutex);
	if (ksim_locks_held())
		violation("PQAP returned holding %u locks\n", ksim_locks_held());
	syscall_exit();
	*gr1out = run.s.regs.gprs[1];
	return ret;
}

#if IS_ENABLED(CONFIG_ZCRYPT)
/* drivers/s390/crypto/ap_bus.c ap_owned_by_def_drv() */
int ap_owned_by_def_drv(int card, int queue)
{
	if (!lock_held_here(&ap_perms_mutex))
		violation("ap_owned_by_def_drv without ap_perms_mutex\n");
	if (card < 0 || card > 255 || queue < 0 || queue > 255)
		return -EINVAL;
	return apmx_mask_test(ksim_host.apmask, card) &&
	       apmx_mask_test(ksim_host.aqmask, queue);
}
#endif

/* ---- the CRYCB (kvm-s390.c) -------------------------------------------- */
/* arch/s390/kvm/kvm-s390.h VM_EVENT() */
#define VM_EVENT(d_kvm, d_loglevel, d_string, d_args...) \
	debug_sprintf_event((d_kvm)->arch.dbf, d_loglevel, d_string "\n", d_args)

/*
 * arch/s390/kvm/kvm-s390.c kvm_arch_crypto_set_masks(): APCB1 (256 bits
 * each) for format 2, APCB0 (apm 64, aqm and adm 16 bits) for formats 0
 * and 1, nothing for the format that "can not happen"; the vCPUs are
 * blocked meanwhile and their shadow CRYCBs rebuilt (nothing to model).
 */
void kvm_arch_crypto_set_masks(struct kvm *kvm, unsigned long *apm,
			       unsigned long *aqm, unsigned long *adm)
{
	u8 *crycb = kvm->arch.crypto.crycb;

	if (!lock_held_here(&kvm->lock))
		violation("kvm_arch_crypto_set_masks without kvm->lock\n");
	kvm->set_masks_calls++;
	switch (kvm->arch.crypto.crycbd & CRYCB_FORMAT_MASK) {
	case CRYCB_FORMAT2:
		memcpy(crycb + KSIM_APCB1_OFFSET, apm, 32);
		VM_EVENT(kvm, 3, "SET CRYCB: apm %016lx %016lx %016lx %016lx",
			 apm[0], apm[1], apm[2], apm[3]);
		memcpy(crycb + KSIM_APCB1_OFFSET + 32, aqm, 32);
		VM_EVENT(kvm, 3, "SET CRYCB: aqm %016lx %016lx %016lx %016lx",
			 aqm[0], aqm[1], aqm[2], aqm[3]);
		memcpy(crycb + KSIM_APCB1_OFFSET + 64, adm, 32);
		VM_EVENT(kvm, 3, "SET CRYCB: adm %016lx %016lx %016lx %016lx",
			 adm[0], adm[1], adm[2], adm[3]);
		break;
	case CRYCB_FORMAT1:
	case CRYCB_FORMAT0:
		memcpy(crycb, apm, 8);
		memcpy(crycb + 8, aqm, 2);
		memcpy(crycb + 16, adm, 2);
		VM_EVENT(kvm, 3, "SET CRYCB: apm %016lx aqm %04x adm %04x",
			 apm[0], *((unsigned short *)aqm),
			 *((unsigned short *)adm));
		break;
	default:	/* Can not happen */
		break;
	}
}

/*
 * arch/s390/kvm/kvm-s390.c kvm_arch_crypto_clear_masks(): APCB0 (32
 * bytes) and APCB1 (128 bytes) zeroed, the wrapping key masks between
 * them left alone.
 */
void kvm_arch_crypto_clear_masks(struct kvm *kvm)
{
	u8 *crycb = kvm->arch.crypto.crycb;

	if (!lock_held_here(&kvm->lock))
		violation("kvm_arch_crypto_clear_masks without kvm->lock\n");
	kvm->clear_masks_calls++;
	memset(crycb, 0, 32);
	memset(crycb + KSIM_APCB1_OFFSET, 0, 128);
	VM_EVENT(kvm, 3, "%s", "CLR CRYCB:");
}

/* ---- VMs ----------------------------------------------------------------- */
static void syscall_enter(void);
static void syscall_exit(void);

struct kvm *ksim_vm_create(u32 crycb_format_bits)
{
	struct kvm *kvm = calloc(1, sizeof(*kvm));
	unsigned int i;

	if (!kvm)
		abort();
	kvm->lock = (struct mutex){ 0, KSIM_RANK_KVM, "kvm->lock" };
	kvm->arch.crypto.pqap_hook_rwsem =
		(struct rw_semaphore){ 0, 0, KSIM_RANK_PQAP_HOOK,
				       "pqap_hook_rwsem" };
	kvm->arch.crypto.crycb = kvm->crycb_page;
	/* the page is 2K aligned in the kernel; the format is in the low bits */
	kvm->arch.crypto.crycbd = 0x1000 | crycb_format_bits;
	/* kvm-s390.c kvm_arch_init_vm(): debug_register(, 32, 1, 7 * sizeof(long)) */
	kvm->dbf_storage.level = DEBUG_DEFAULT_LEVEL;
	kvm->dbf_storage.buf_size = 7 * sizeof(long);
	kvm->arch.dbf = &kvm->dbf_storage;
	kvm->users_count = 1;	/* the VM fd */
	/* kvm-s390.c kvm_s390_gisa_init(): a GISA where the host has AIV */
	kvm->arch.gisa_int.origin = &kvm->gisa_storage;
	/* the next slot no live VM has: two VMs never share guest pages */
	LOCKED(hw_lock);
	for (i = 0; i < KSIM_MEM_VMS && mem_used[mem_next % KSIM_MEM_VMS]; i++)
		mem_next++;
	if (i == KSIM_MEM_VMS)
		abort();	/* more live VMs than KSIM_MEM_VMS */
	kvm->mem_slot = mem_next++ % KSIM_MEM_VMS;
	mem_used[kvm->mem_slot] = true;
	UNLOCKED(hw_lock);
	return kvm;
}

/*
 * virt/kvm/kvm_main.c kvm_put_kvm(): the last reference destroys the VM
 * (kvm_destroy_vm() -> kvm_arch_destroy_vm() -> kvm_s390_apmx_destroy()),
 * in whatever context drops it: the VMM closing its fd, or the queue
 * driver putting the reference it took.
 */
void ksim_kvm_put(struct kvm *kvm)
{
	/* refcount_dec_and_test(&kvm->users_count): atomic, as the gets */
	int n = __atomic_sub_fetch(&kvm->users_count, 1, __ATOMIC_SEQ_CST);

	if (n < 0) {
		__atomic_add_fetch(&kvm->users_count, 1, __ATOMIC_SEQ_CST);
		violation("kvm_put_kvm of a VM without references\n");
		return;
	}
	if (n)
		return;
	kvm_s390_apmx_destroy(kvm);
	if (kvm->arch.crypto.apmx || kvm->arch.crypto.pqap_hook)
		violation("VM destroyed with AP matrix state or PQAP hook left\n");
	if (kvm->lock.locked)
		violation("VM destroyed with kvm->lock held\n");
	/* kvm_s390_gisa_destroy() WARNs on registered ISCs; pins would leak */
	if (ksim_gisc_refs(kvm))
		violation("VM destroyed with %u guest ISC registrations\n",
			  ksim_gisc_refs(kvm));
	/*
	 * Only aqic.c's orphans may keep a pin (TAPQ did not show their
	 * interruptions disabled, the queue quarantined): at most one pin
	 * each.
	 */
	{
		unsigned int g, n = 0, orphans = apmx_aqic_orphans();

		for (g = 0; g < KSIM_GUEST_PAGES; g++)
			n += __atomic_load_n(&ksim_guest_page(kvm, g)->pins,
					     __ATOMIC_RELAXED);
		if (n > orphans)
			violation("VM destroyed with %u guest page pins, %u orphaned\n",
				  n, orphans);
	}
	LOCKED(hw_lock);
	mem_used[kvm->mem_slot] = false;
	UNLOCKED(hw_lock);
	free(kvm);
}

/* The VMM closes the VM fd (its reference): a close() syscall. */
void ksim_vm_destroy(struct kvm *kvm)
{
	syscall_enter();
	ksim_kvm_put(kvm);
	syscall_exit();
}

long ksim_ioctl(struct kvm *kvm, unsigned int ioctl, void *arg)
{
	long rc;

	syscall_enter();
	rc = kvm_s390_apmx_vm_ioctl(kvm, ioctl, arg);
	if (ksim_locks_held())
		violation("ioctl %#x returned holding %u locks\n", ioctl,
			  ksim_locks_held());
	syscall_exit();
	return rc;
}

/* ---- setup ---------------------------------------------------------------- */
unsigned long ksim_ap_instr_calls;

void ksim_reset(void)
{
	unsigned int a, d;

	memset(&ksim_host, 0, sizeof(ksim_host));
	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++)
			ksim_host.q[a][d].exists = true;
	ksim_reset_keep_queues();
}

void ksim_reset_keep_queues(void)
{
	ksim_host.ap_instr = true;
	ksim_host.qci = true;
	ksim_host.apxa = true;
	ksim_host.na = 255;
	ksim_host.nd = 255;
	memset(ksim_host.apmask, 0, sizeof(ksim_host.apmask));
	memset(ksim_host.aqmask, 0, sizeof(ksim_host.aqmask));
	ksim_host.on_zapq = NULL;
	ksim_violations = 0;
	ksim_warnings = 0;
	ksim_slept_ms = 0;
	ksim_cap_sys_admin = true;
	ksim_task.tgid = 1000;
	fail_from_at = 0;
	fail_to_at = 0;
	inj_zapq_at = 0;
	inj_tapq_at = 0;
	fail_from_copied = 0;
	fail_to_copied = 0;
	ratelimits_reset();
	fail_fd_at = 0;
	fail_anon_at = 0;
	fail_pin_at = 0;
	inj_aqic_at = 0;
	memset(pool, 0, sizeof(pool));
	memset(mem_used, 0, sizeof(mem_used));
	memset(nheld, 0, sizeof(nheld));
	thread = 0;
	ap_perms_mutex = (struct mutex){ 0, KSIM_RANK_AP_PERMS,
					 "ap_perms_mutex" };
	apmx_table_lock.rank = KSIM_RANK_TABLE;
	apmx_table_lock.locked = 0;
	ksim_mmap_lock.rank = KSIM_RANK_MMAP;
	ksim_mmap_lock.readers = 0;
	ksim_mmap_lock.writer = 0;
	apmx_aqic_orphan_lock.rank = KSIM_RANK_AQIC_ORPHAN;
	apmx_aqic_orphan_lock.locked = 0;
	apmx_table_init(&apmx_table);
	ksim_logs_clear();
}

void ksim_files_reset(void);

void ksim_teardown(void)
{
	ksim_files_reset();
	kvm_s390_apmx_exit();
}

static void parse(u8 *m, const char *s)
{
	char err[APMX_ERRMSG_LEN];

	if (apmx_idlist_parse(s ? s : "", 255, m, err, sizeof(err))) {
		fprintf(stderr, "ksim: bad id list '%s': %s\n", s, err);
		abort();
	}
}

void ksim_masks(struct kvm_s390_ap_masks *m, const char *apm,
		const char *aqm, const char *adm)
{
	memset(m, 0, sizeof(*m));
	parse(m->apm, apm);
	parse(m->aqm, aqm);
	parse(m->adm, adm);
}

void ksim_matrix(struct kvm_s390_ap_matrix *a, const char *apm,
		 const char *aqm, const char *adm)
{
	memset(a, 0, sizeof(*a));
	ksim_masks(&a->requested, apm, aqm, adm);
}

void ksim_host_own(const char *apm, const char *aqm)
{
	parse(ksim_host.apmask, apm);
	parse(ksim_host.aqmask, aqm);
}

bool ksim_table_free(unsigned int apid, unsigned int apqi)
{
	struct apmx_slot s;

	apmx_table_lookup(&apmx_table, apid, apqi, &s);
	return !s.user && !s.reserver && !s.state;
}

unsigned int ksim_table_used(void)
{
	unsigned int a, d, n = 0;

	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++)
			n += !ksim_table_free(a, d);
	return n;
}

void ksim_table_snapshot(struct apmx_slot *out)
{
	unsigned int a, d;

	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++)
			apmx_table_lookup(&apmx_table, a, d, &out[a * 256 + d]);
}

/* ---- files ---------------------------------------------------------------- */
static struct file *fds[KSIM_MAX_FDS];
static bool fd_reserved[KSIM_MAX_FDS];
static unsigned int open_files;
static struct file *all_files;	/* every file made, released ones too */

/*
 * Simulated syscalls, nested when another thread's runs inside one (from
 * a hook): each has its task work, the __fput()s of the files whose last
 * reference went in it, run when it returns to user space.
 */
#define KSIM_MAX_SYSCALLS	8
static KSIM_TLS struct file *task_work[KSIM_MAX_SYSCALLS];
static KSIM_TLS bool reserved_at_entry[KSIM_MAX_SYSCALLS][KSIM_MAX_FDS];
static KSIM_TLS unsigned int syscall_depth;
#ifdef KSIM_THREADS
/*
 * Threads share the fd table: what a syscall must not leave behind is
 * counted per thread -- fds it reserved and neither installed nor gave
 * back, fdget() references it did not fdput().
 */
static KSIM_TLS int my_reserved, my_reserved_at[KSIM_MAX_SYSCALLS];
static KSIM_TLS int my_fdget_refs;
#endif

void ksim_fail_fd_nth(unsigned int n)
{
	fail_fd_at = n;
}

/* Is a uaccess, fd or anon-inode fault armed and not yet fired? */
bool ksim_fault_armed(void)
{
	return fail_from_at || fail_to_at || fail_fd_at || fail_anon_at;
}

void ksim_fail_anon_inode_nth(unsigned int n)
{
	fail_anon_at = n;
}

unsigned int ksim_open_files(void)
{
	unsigned int n;

	LOCKED(file_lock);
	n = open_files;
	UNLOCKED(file_lock);
	return n;
}

/* fs/read_write.c noop_llseek() */
loff_t noop_llseek(struct file *filp, loff_t off, int whence)
{
	return filp->f_pos;
}

/*
 * fs/file.c get_unused_fd_flags() -> alloc_fd(): the lowest free fd
 * (from 3: stdin, stdout, stderr are open) or -EMFILE.  A grant fd
 * without O_CLOEXEC would leak into what the VMM execs: apmatrix's rule.
 */
int get_unused_fd_flags(unsigned int flags)
{
	int fd;

	if (!(flags & O_CLOEXEC))
		violation("grant fd without O_CLOEXEC\n");
	if (fault(&fail_fd_at))
		return -EMFILE;
	LOCKED(file_lock);
	for (fd = 3; fd < KSIM_MAX_FDS; fd++) {
		if (!fds[fd] && !fd_reserved[fd]) {
			fd_reserved[fd] = true;
#ifdef KSIM_THREADS
			my_reserved++;
#endif
			UNLOCKED(file_lock);
			return fd;
		}
	}
	UNLOCKED(file_lock);
	return -EMFILE;
}

/*
 * fs/file.c put_unused_fd() clears the fd's open bit whatever it holds:
 * after fd_install() the next get_unused_fd_flags() hands the installed
 * fd out again (and its fd_install() hits the BUG_ON()).
 */
void put_unused_fd(unsigned int fd)
{
	bool bad;

	LOCKED(file_lock);
	bad = fd >= KSIM_MAX_FDS || !fd_reserved[fd] || fds[fd];
	if (!bad) {
		fd_reserved[fd] = false;
#ifdef KSIM_THREADS
		my_reserved--;
#endif
	}
	UNLOCKED(file_lock);
	if (bad)
		violation("put_unused_fd(%u) of a fd not reserved\n", fd);
}

/* fs/file.c fd_install(): BUG_ON(fdt->fd[fd] != NULL) */
void fd_install(unsigned int fd, struct file *file)
{
	LOCKED(file_lock);
	if (fd >= KSIM_MAX_FDS || !fd_reserved[fd] || fds[fd]) {
		UNLOCKED(file_lock);
		violation("fd_install(%u) of a fd not reserved\n", fd);
		return;
	}
	if (IS_ERR_OR_NULL(file) || file->released || file->refs <= 0) {
		UNLOCKED(file_lock);
		violation("fd_install(%u) of no file\n", fd);
		return;
	}
	fd_reserved[fd] = false;
#ifdef KSIM_THREADS
	my_reserved--;
#endif
	fds[fd] = file;
	file->installed++;
	UNLOCKED(file_lock);
}

/*
 * fs/anon_inodes.c anon_inode_getfile() -> alloc_file_pseudo(): f_count
 * 1; the flags keep O_ACCMODE | O_NONBLOCK (O_CLOEXEC is the fd's).
 * fops->owner is NULL in ksim (try_module_get() and __fput()'s
 * fops_put() balance anyway).
 */
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags)
{
	struct file *f;

	if (fault(&fail_anon_at))
		return ERR_PTR(-ENOMEM);
	f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	f->f_op = fops;
	f->private_data = priv;
	f->refs = 1;
	LOCKED(file_lock);
	f->ksim_next = all_files;
	all_files = f;
	open_files++;
	UNLOCKED(file_lock);
	return f;
}

/* fs/file_table.c __fput(): ->release(), then the file is gone */
static void __fput(struct file *file)
{
	if (file->f_op && file->f_op->release)
		file->f_op->release(NULL, file);
	LOCKED(file_lock);
	file->released = true;
	open_files--;
	UNLOCKED(file_lock);
}

/* fs/file_table.c fput(): the last reference queues __fput() */
void fput(struct file *file)
{
	if (IS_ERR_OR_NULL(file)) {
		violation("fput(%p)\n", (void *)file);
		return;
	}
	LOCKED(file_lock);
	if (file->released || file->refs <= 0) {
		UNLOCKED(file_lock);
		violation("fput of a released file\n");
		return;
	}
	if (file->refs == 1 && file->installed) {
		UNLOCKED(file_lock);
		/* the fd table's reference: the fd would point to freed memory */
		violation("fput of the reference fd_install() gave the fd table\n");
		return;
	}
	if (--file->refs) {
		UNLOCKED(file_lock);
		return;
	}
	UNLOCKED(file_lock);
	if (!syscall_depth) {
		/* no syscall to return from: flush_delayed_fput() */
		__fput(file);
		return;
	}
	file->ksim_work = task_work[syscall_depth - 1];
	task_work[syscall_depth - 1] = file;
}

/* include/linux/file.h fdget() -> fs/file.c __fget_light(), shared table */
struct fd fdget(unsigned int fd)
{
	struct fd f = { NULL, 0 };

	LOCKED(file_lock);
	if (fd < KSIM_MAX_FDS && fds[fd]) {
		f.file = fds[fd];
		f.file->refs++;
		f.file->fdget_refs++;
		f.flags = FDPUT_FPUT;
#ifdef KSIM_THREADS
		my_fdget_refs++;
#endif
	}
	UNLOCKED(file_lock);
	return f;
}

/* include/linux/file.h fdput() */
void fdput(struct fd f)
{
	if (!(f.flags & FDPUT_FPUT))
		return;
	LOCKED(file_lock);
	if (IS_ERR_OR_NULL(f.file) || f.file->fdget_refs <= 0) {
		UNLOCKED(file_lock);
		violation("fdput without fdget\n");
		return;
	}
	f.file->fdget_refs--;
#ifdef KSIM_THREADS
	my_fdget_refs--;
#endif
	UNLOCKED(file_lock);
	fput(f.file);
}

static void syscall_enter(void)
{
	if (syscall_depth == KSIM_MAX_SYSCALLS) {
		violation("too many nested syscalls\n");
		abort();
	}
#ifdef KSIM_THREADS
	my_reserved_at[syscall_depth] = my_reserved;
#else
	memcpy(reserved_at_entry[syscall_depth], fd_reserved,
	       sizeof(fd_reserved));
#endif
	task_work[syscall_depth++] = NULL;
}

/*
 * Back to user space: kernel/task_work.c task_work_run() (the __fput()s,
 * which may queue more), then what the syscall must not leave behind: an
 * fd it reserved and neither installed nor gave back, and (when the
 * outermost returns) a reference fdget() took and fdput() did not drop.
 */
static void syscall_exit(void)
{
	unsigned int d = syscall_depth - 1;
	struct file *f;
	int fd;

	while ((f = task_work[d])) {
		task_work[d] = f->ksim_work;
		f->ksim_work = NULL;
		__fput(f);
	}
#ifdef KSIM_THREADS
	(void)fd;
	if (my_reserved != my_reserved_at[d]) {
		violation("syscall returned with %d fds reserved, neither installed nor put\n",
			  my_reserved - my_reserved_at[d]);
		my_reserved = my_reserved_at[d];
	}
	syscall_depth = d;
	if (!d && my_fdget_refs) {
		violation("syscall returned without fdput() of %d fdget() references\n",
			  my_fdget_refs);
		my_fdget_refs = 0;
	}
	if (true)
		return;
#endif
	for (fd = 0; fd < KSIM_MAX_FDS; fd++) {
		if (fd_reserved[fd] && !reserved_at_entry[d][fd]) {
			violation("syscall returned with fd %d reserved, neither installed nor put\n",
				  fd);
			fd_reserved[fd] = false;
		}
	}
	syscall_depth = d;
	if (d)
		return;
	for (f = all_files; f; f = f->ksim_next) {
		if (f->fdget_refs) {
			violation("syscall returned without fdput() of %d fdget() references\n",
				  f->fdget_refs);
			f->fdget_refs = 0;
		}
	}
}

void ksim_syscall(void (*fn)(void *arg), void *arg)
{
	syscall_enter();
	fn(arg);
	syscall_exit();
}

/* fs/open.c close() -> filp_close() -> fput(), a syscall */
int ksim_close(int fd)
{
	struct file *f;

	LOCKED(file_lock);
	if (fd < 0 || fd >= KSIM_MAX_FDS || !fds[fd]) {
		UNLOCKED(file_lock);
		return -EBADF;
	}
	f = fds[fd];
	fds[fd] = NULL;
	f->installed--;
	UNLOCKED(file_lock);
	syscall_enter();
	fput(f);
	syscall_exit();
	return 0;
}

static const struct file_operations other_fops;

int ksim_open_other(void)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	fd_install(fd, anon_inode_getfile("other", &other_fops, NULL, O_RDWR));
	return fd;
}

long ksim_dev_ioctl(unsigned int ioctl, void *arg)
{
	long rc;

	syscall_enter();
	rc = kvm_s390_apmx_dev_ioctl(ioctl, arg);
	if (ksim_locks_held())
		violation("dev ioctl %#x returned holding locks\n", ioctl);
	syscall_exit();
	return rc;
}

/* The process exits: its fds are closed, then ksim forgets every file. */
void ksim_files_reset(void)
{
	struct file *f;
	int fd;

	for (fd = 0; fd < KSIM_MAX_FDS; fd++)
		if (fds[fd])
			ksim_close(fd);
	memset(fd_reserved, 0, sizeof(fd_reserved));
	syscall_depth = 0;
	while ((f = all_files)) {
		all_files = f->ksim_next;
		if (!f->released) {
			/* a reference nobody will put: ->release() never runs */
			fprintf(stderr, "ksim: file %p leaked (%d references)\n",
				(void *)f, f->refs);
			abort();
		}
		free(f);
	}
	fail_fd_at = 0;
	fail_anon_at = 0;
}
