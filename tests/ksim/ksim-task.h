/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim: the calling process as the kernel sees it -- its pid in the pid
 * namespaces (struct pid, pid_vnr()) and fatal signals (killable locks).
 */
#ifndef _KSIM_TASK_H
#define _KSIM_TASK_H

#include "shim/ksim.h"

/*
 * Namespace 0 is the initial pid namespace; namespaces 1..KSIM_NR_PIDNS-1
 * are children of it (level 1), as containers' are.
 */
#define KSIM_NR_PIDNS	4

/* Forget every pid namespace assignment; every process in namespace 0. */
void ksim_task_reset(void);
/*
 * From now on the caller is the process whose number in the initial
 * namespace is @tgid, living in namespace @ns (0: the initial one) with
 * number @ns_nr there.
 */
void ksim_task_enter(int tgid, unsigned int ns, int ns_nr);
/* References on struct pids not yet put. */
int ksim_pid_refs(void);
/* mutex_lock_killable() fails with -EINTR while this is true. */
extern bool ksim_fatal_signal;

#endif
