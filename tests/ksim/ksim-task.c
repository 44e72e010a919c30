// SPDX-License-Identifier: GPL-2.0
/*
 * ksim: struct pid and pid namespaces, modelled on kernel/pid.c.
 *
 * In the kernel a struct pid has a number in each namespace from the
 * initial one down to the one the task was created in (pid->numbers[],
 * pid->level); pid_nr_ns() gives the number in a namespace only if the
 * pid has one there, and pid_vnr() asks for the namespace of current
 * (task_active_pid_ns()).  So a process in a container sees the pids of
 * its own container and nobody else's, and the initial namespace sees
 * every pid by its global number.  ksim has the initial namespace and
 * child namespaces at level 1.
 */
#include <stdio.h>
#include <linux/pid.h>
#include "ksim-task.h"
#include "ksim-host.h"

#define KSIM_NR_PIDS	32

struct pid {
	int count;		/* references (get_task_pid/put_pid) */
	int tgid;		/* number in the initial namespace */
	unsigned int ns;	/* namespace it was created in */
	int ns_nr;		/* number there (== tgid for ns 0) */
};

static struct pid pids[KSIM_NR_PIDS];
static unsigned int npids;
bool ksim_fatal_signal;

static void pid_violation(const char *what)
{
	ksim_violations++;
	fprintf(stderr, "ksim VIOLATION: %s\n", what);
}

void ksim_task_reset(void)
{
	memset(pids, 0, sizeof(pids));
	npids = 0;
	ksim_fatal_signal = false;
}

static struct pid *pid_of(int tgid)
{
	unsigned int i;

	for (i = 0; i < npids; i++)
		if (pids[i].tgid == tgid)
			return &pids[i];
	if (npids == KSIM_NR_PIDS) {
		pid_violation("too many pids");
		return &pids[0];
	}
	pids[npids] = (struct pid){ 0, tgid, 0, tgid };
	return &pids[npids++];
}

void ksim_task_enter(int tgid, unsigned int ns, int ns_nr)
{
	struct pid *p = pid_of(tgid);

	p->ns = ns % KSIM_NR_PIDNS;
	p->ns_nr = p->ns ? ns_nr : tgid;
	ksim_task.tgid = tgid;
}

int ksim_pid_refs(void)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < npids; i++)
		n += pids[i].count;
	return n;
}

/* kernel/pid.c: get_task_pid() -- a reference on the task's struct pid */
struct pid *get_task_pid(struct task_struct *task, enum pid_type type)
{
	struct pid *p = pid_of(task->tgid);

	if (type != PIDTYPE_TGID)
		pid_violation("get_task_pid: only PIDTYPE_TGID is modelled");
	p->count++;
	return p;
}

/* kernel/pid.c: put_pid() -- NULL is fine, a put without get is not */
void put_pid(struct pid *pid)
{
	if (!pid)
		return;
	if (pid->count <= 0)
		pid_violation("put_pid without a reference");
	pid->count--;
}

/*
 * kernel/pid.c: pid_vnr() = pid_nr_ns(pid, task_active_pid_ns(current)):
 * the initial namespace sees the global number; a child namespace sees
 * the pids created in it, by their number there, and 0 for the others.
 */
pid_t pid_vnr(struct pid *pid)
{
	unsigned int reader;

	if (!pid)
		return 0;
	if (pid->count <= 0)
		pid_violation("pid_vnr on a pid without a reference");
	reader = pid_of(current->tgid)->ns;
	if (reader == 0)
		return pid->tgid;
	return pid->ns == reader ? pid->ns_nr : 0;
}

/* the rank of a lock mutex_init() initialises, by its name */
int ksim_mutex_rank(const char *name)
{
	if (strstr(name, "op_lock"))
		return KSIM_RANK_VM_OP;
	pid_violation("mutex_init of a lock ksim has no rank for");
	return 0;
}

/* include/linux/mutex.h: mutex_destroy(); lockdep-style debug check */
void ksim_mutex_destroy(struct mutex *m)
{
	if (m->locked)
		pid_violation("mutex_destroy of a locked mutex");
}
