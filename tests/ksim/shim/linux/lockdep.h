/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/lockdep.h> */
#ifndef _KSIM_LINUX_LOCKDEP_H
#define _KSIM_LINUX_LOCKDEP_H
#include "../ksim.h"
/*
 * include/linux/lockdep.h: lockdep_assert_held() warns when the current
 * task does not hold the lock; ksim counts a violation (ksim.c).
 */
void ksim_lockdep_assert_held(const void *lock, const char *name);
#define lockdep_assert_held(l)	ksim_lockdep_assert_held((l), #l)
#endif
