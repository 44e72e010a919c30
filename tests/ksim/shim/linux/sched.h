/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/sched.h>: see ../ksim.h */
#include "../ksim.h"

#ifndef _KSIM_LINUX_SCHED_H
#define _KSIM_LINUX_SCHED_H
/*
 * include/linux/sched.h cond_resched(): may sleep (a scheduling point),
 * so it is as illegal as msleep() under the table lock or ap_perms_mutex;
 * ksim counts the calls.
 */
void ksim_cond_resched(void);
#define cond_resched()	ksim_cond_resched()
#endif
