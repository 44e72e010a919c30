/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim shim of <linux/pid.h>: struct pid and the numbers it has in the
 * pid namespaces a test sets up (ksim-task.c, ksim-task.h).
 */
#ifndef _KSIM_LINUX_PID_H
#define _KSIM_LINUX_PID_H
#include "../ksim.h"

/* include/linux/pid.h: enum pid_type (the two the kernel files use) */
enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
};

struct pid;
/* kernel/pid.c: get_task_pid(), a counted reference */
struct pid *get_task_pid(struct task_struct *task, enum pid_type type);
/* kernel/pid.c: put_pid(); NULL is fine */
void put_pid(struct pid *pid);
/* kernel/pid.c: pid_vnr(), the number in current's active namespace */
pid_t pid_vnr(struct pid *pid);
#endif
