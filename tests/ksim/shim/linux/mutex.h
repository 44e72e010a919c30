/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/mutex.h>: see ../ksim.h */
#include "../ksim.h"

#ifndef _KSIM_LINUX_MUTEX_H
#define _KSIM_LINUX_MUTEX_H
/*
 * kernel/locking/mutex.c: mutex_lock_killable() returns -EINTR, without
 * the lock, when a fatal signal is pending (ksim_fatal_signal); otherwise
 * it is mutex_lock().  The kernel's takes a free lock even then (the
 * signal is only checked while it waits): ksim models the lock as
 * contended, a case the kernel has too.  __must_check, as there.
 */
extern bool ksim_fatal_signal;
static inline int __must_check mutex_lock_killable(struct mutex *m)
{
	if (ksim_fatal_signal)
		return -EINTR;
	mutex_lock(m);
	return 0;
}

/*
 * include/linux/mutex.h: mutex_init().  Lockdep gives every mutex_init()
 * site its own class; ksim gives it its rank in the order of ap-matrix.h
 * (ksim_mutex_rank(), by the name of the lock).
 */
int ksim_mutex_rank(const char *name);
#define mutex_init(m)	(*(m) = (struct mutex){ 0, ksim_mutex_rank(#m), #m })
/* include/linux/mutex.h: mutex_destroy(); the mutex must be unlocked */
void ksim_mutex_destroy(struct mutex *m);
#define mutex_destroy(m)	ksim_mutex_destroy(m)
#endif
