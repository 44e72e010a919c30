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
/* -DKSIM_THREADS: the pids and their counts under a lock (kernel/pid.c's are atomic) */
#ifdef KSIM_THREADS
static pthread_mutex_t pid_lock = PTHREAD_MUTEX_INITIALIZER;
#define PID_LOCK()	pthread_mutex_lock(&pid_lock)
#define PID_UNLOCK()	pthread_mutex_unlock(&pid_lock)
#else
#define PID_LOCK()	do { } while (0)
#define PID_UNLOCK()	do { } while (0)
#endif
static unsigned int npids;
bool ksim_fatal_signal;

static void pid_violation(const char *what)
{
	__atomic_add_fetch(&ksim_violations, 1, __ATOMIC_SEQ_CST);
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

	PID_LOCK();
	for (i = 0; i < npids; i++)
		n += pids[i].count;
	PID_UNLOCK();
	return n;
}

/* kernel/pid.c: get_task_pid() -- a reference on the task's struct pid */
struct pid *get_task_pid(struct task_struct *task, enum pid_type type)
{
	struct pid *p;

	if (type != PIDTYPE_TGID)
		pid_violation("get_task_pid: only PIDTYPE_TGID is modelled");
	PID_LOCK();
	p = pid_of(task->tgid);
	p->count++;
	PID_UNLOCK();
	return p;
}

/* kernel/pid.c: put_pid() -- NULL is fine, a put without get is not */
void put_pid(struct pid *pid)
{
	bool bad;

	if (!pid)
		return;
	PID_LOCK();
	bad = pid->count <= 0;
	pid->count--;
	PID_UNLOCK();
	if (bad)
		pid_violation("put_pid without a reference");
}

/*
 * kernel/pid.c: pid_vnr() = pid_nr_ns(pid, task_active_pid_ns(current)):
 * the initial namespace sees the global number; a child namespace sees
 * the pids created in it, by their number there, and 0 for the others.
 */
pid_t pid_vnr(struct pid *pid)
{
	unsigned int reader;
	pid_t nr;
	bool bad;

	if (!pid)
		return 0;
	PID_LOCK();
	bad = pid->count <= 0;
	reader = pid_of(current->tgid)->ns;
	if (reader == 0)
		nr = pid->tgid;
	else
		nr = pid->ns == reader ? pid->ns_nr : 0;
	PID_UNLOCK();
	if (bad)
		pid_violation("pid_vnr on a pid without a reference");
	return nr;
}

/* the rank of a lock mutex_init() initialises, by its name */
int ksim_mutex_rank(const char *name)
{
	if (strstr(name, "op_lock"))
		return KSIM_RANK_VM_OP;
	if (strstr(name, "aqic_lock"))
		return KSIM_RANK_AQIC;
	pid_violation("mutex_init of a lock ksim has no rank for");
	return 0;
}

/* include/linux/mutex.h: mutex_destroy(); lockdep-style debug check */
void ksim_mutex_destroy(struct mutex *m)
{
	if (m->locked)
		pid_violation("mutex_destroy of a locked mutex");
}
