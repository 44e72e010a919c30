// SPDX-License-Identifier: GPL-2.0
/*
 * Test-bed scenario "kvm" (issue 10): the series' QEMU, built for s390x
 * (scripts/testbed kvm-qemu: --disable-tcg, KVM the only accelerator),
 * runs inside the test-bed guest on the real /dev/kvm of the apmatrix
 * kernel with -accel kvm -S.  The vCPUs never run (the emulated machine
 * has no SIE: KVM_RUN would fault), but everything QEMU does before and
 * around them goes through the real kernel:
 *
 *   start   -machine s390-ccw-virtio,ap-adapters=A,ap-domains=...: the
 *           kernel holds the queues for QEMU's VM (apmatrix_holder names
 *           QEMU's pid), query-s390-ap-matrix shows the effective matrix
 *           of KVM_S390_GET_AP_MATRIX
 *   qmp     qom-set of ap-domains and set-s390-ap-matrix change what the
 *           kernel holds; a qom-set the kernel refuses (a host-owned
 *           queue) is the one-line message and changes nothing
 *   reset   system_reset: KVM_S390_RESET_AP_QUEUES, seen as one more ZAPQ
 *           on each of the guest's emulated queues (the outer QEMU's
 *           s390-ap-emu counts them, tests/testbed/qemu/0004-*.patch)
 *   migrate refused by the migration blocker, with its reason
 *   refusal QEMU does not start, and says so in the one line
 *           docs/system/s390x/ap-matrix.rst promises: an APQN another VM
 *           (created here with the ioctl) holds, a host-owned one, one
 *           an unprivileged QEMU has no grant for
 *   grant   an unprivileged QEMU given a grant with -add-fd and
 *           ap-grant=/dev/fdset/N gets the queues; /dev/null passed the
 *           same way is refused as not an AP grant
 *   qtest   the series' qtest (tests/qtest/s390x-ap-matrix-test), built
 *           with this QEMU, passes against it: a build without TCG,
 *           which refuses -accel tcg and in which the qtest registers
 *           no case that needs TCG (issue 10, item 6)
 *
 *   scen-kvm --adapters LIST --domains LIST
 *
 * Uses the first and the last adapter of LIST (the first stays with the
 * host's drivers, the last is freed with apmask and given back) and the
 * first three and the last domain of LIST.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "tb.h"
#include "tbmon.h"
#include "tbrun.h"

/* where scripts/testbed puts the QEMU of the series and its firmware */
#define QEMU "/opt/qemu/bin/qemu-system-s390x"
#define QEMU_DATA "/opt/qemu/share"
#define QEMU_NAME "qemu-system-s390x"
/* the series' qtest, built with it (scripts/testbed kvm-qemu) */
#define QTEST "/opt/qemu/bin/s390x-ap-matrix-test"
/*
 * QTEST_QEMU_BINARY for it: libqtest takes the arch from what follows the
 * last '-' of the variable (qtest_get_arch()), so QEMU's -L goes into a
 * wrapper named like QEMU
 */
#define QTEST_QEMU "/tmp/qtestbin/" QEMU_NAME
/* the unprivileged user of the initramfs (scripts/testbed gen_init()) */
#define TBUSER 4242
/* a QEMU start under TCG takes seconds; allow for a slow host */
#define START_SECS 240
/* the longest wait for one QMP line (an event on the way waits anew) */
#define QMP_SECS 120
/*
 * The whole suite's time: it takes about 60 s under TCG, and the suites
 * after it (aqic, vfio, debug-locks) share the guest's timeout
 * (TESTBED_TIMEOUT, 900 s by default) with it.  Once it is used up, every
 * wait of the suite ends at once (its checks fail) and QEMU is killed, so
 * a QEMU that hangs costs at most this much.
 */
#define BUDGET_SECS 360

static double deadline;		/* the end of the budget (tb_now() time) */

static unsigned int H;		/* the host's adapter (stays with zcrypt) */
static unsigned int A;		/* the adapter given to the guests */
static unsigned int D[4];	/* D[0..2] the first domains, D[3] the last */
static char sa[8], sd1[8], sd3[8];	/* A, D[1], D[3] as id lists */

struct vmm {
	pid_t pid;
	int qmp;		/* QMP connection, -1 if none */
	int status;		/* wait status once exited, else -1 */
	char sock[64];
	char log[64];
	char buf[65536];	/* QMP input not consumed yet */
	size_t fill;
	char events[4096];	/* event names seen, space-separated */
	double start_secs;
};

/* @secs, or what is left of the suite's budget if that is less (>= 0) */
static double secs_left(double secs)
{
	double left = deadline - tb_now();
	static int said;

	if (left <= 0 && !said) {
		printf("# kvm: the suite's time budget of %d s is used up: every wait ends at once\n",
		       BUDGET_SECS);
		fflush(stdout);
		said = 1;
	}
	if (left < 0)
		left = 0;
	return left < secs ? left : secs;
}

/* a time limit for tb_run(): at most @secs, at least 1 (0 is none) */
static int run_secs(int secs)
{
	return 1 + (int)secs_left(secs - 1);
}

/*
 * Start QEMU with -machine s390-ccw-virtio,@mopts and @extra (NULL-ended),
 * as @uid (-1: root), with descriptor @keep_fd inherited (-1: none).
 * Its stdout and stderr go to v->log, stdin is /dev/null.
 */
static int vmm_start(struct vmm *v, int n, int uid, const char *mopts,
		     const char *const *extra, int keep_fd)
{
	char machine[256], qmp[96];
	const char *argv[40];
	int i = 0, fd;

	memset(v, 0, sizeof(*v));
	v->qmp = -1;
	v->status = -1;
	snprintf(v->sock, sizeof(v->sock), "/tmp/kvm-qmp-%d.sock", n);
	snprintf(v->log, sizeof(v->log), "/tmp/kvm-qemu-%d.log", n);
	unlink(v->sock);
	snprintf(machine, sizeof(machine), "s390-ccw-virtio,%s", mopts);
	snprintf(qmp, sizeof(qmp), "unix:%s,server=on,wait=off", v->sock);
	argv[i++] = QEMU;
	argv[i++] = "-L";
	argv[i++] = QEMU_DATA;
	argv[i++] = "-accel";
	argv[i++] = "kvm";
	argv[i++] = "-S";
	argv[i++] = "-nodefaults";
	argv[i++] = "-nographic";
	argv[i++] = "-m";
	argv[i++] = "64";
	argv[i++] = "-cpu";
	argv[i++] = "host";
	argv[i++] = "-machine";
	argv[i++] = machine;
	argv[i++] = "-qmp";
	argv[i++] = qmp;
	argv[i++] = "-trace";
	argv[i++] = "s390_ap_matrix_reset";
	while (extra && *extra && i < 39)
		argv[i++] = *extra++;
	argv[i] = NULL;

	tb_print_cmd((char *const *)argv, uid);
	v->start_secs = tb_now();
	v->pid = fork();
	if (v->pid < 0)
		return -1;
	if (v->pid == 0) {
		fd = open(v->log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		close(fd);
		/* -add-fd takes an inherited descriptor */
		if (keep_fd >= 0 && fcntl(keep_fd, F_SETFD, 0))
			_exit(126);
		if (uid >= 0 && (setgroups(0, NULL) || setgid(uid) ||
				 setuid(uid)))
			_exit(126);
		execv(QEMU, (char *const *)argv);
		perror(QEMU);
		_exit(127);
	}
	return 0;
}

/* has QEMU exited (reaped into v->status)? */
static int vmm_exited(struct vmm *v, int block)
{
	if (v->status >= 0)
		return 1;
	if (waitpid(v->pid, &v->status, block ? 0 : WNOHANG) == v->pid)
		return 1;
	v->status = -1;
	return 0;
}

/* QEMU's output (stdout and stderr), up to @len */
static void vmm_output(struct vmm *v, char *out, size_t len)
{
	read_attr(v->log, out, len);
}

/* print QEMU's output as comment lines */
static void vmm_show(struct vmm *v)
{
	char out[4096];

	vmm_output(v, out, sizeof(out));
	tb_print_lines("#   | ", out);
}

/* one QMP line (without CR LF) into @line: 0, or -1 on EOF/timeout */
static int qmp_line(struct vmm *v, char *line, size_t len, int secs)
{
	double end = tb_now() + secs_left(secs);

	for (;;) {
		char *nl = memchr(v->buf, '\n', v->fill);
		struct pollfd p = { .fd = v->qmp, .events = POLLIN };
		ssize_t r;

		if (nl) {
			size_t n = nl - v->buf;

			if (n && v->buf[n - 1] == '\r')
				v->buf[n - 1] = '\0';
			*nl = '\0';
			if (n >= len)
				n = len - 1;
			memcpy(line, v->buf, n);
			line[n] = '\0';
			n = nl - v->buf;
			v->fill -= n + 1;
			memmove(v->buf, nl + 1, v->fill);
			return 0;
		}
		if (tb_now() > end || poll(&p, 1, 1000) < 0)
			return -1;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		r = read(v->qmp, v->buf + v->fill, sizeof(v->buf) - 1 - v->fill);
		if (r <= 0)
			return -1;
		v->fill += r;
	}
}

/*
 * Send a QMP command (printf format) and wait for its answer, which goes
 * into @ans: 0 for "return", 1 for "error", -1 if none came.  Events on
 * the way are recorded in v->events.
 */
static int qmp(struct vmm *v, char *ans, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int qmp(struct vmm *v, char *ans, size_t len, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(cmd) - 1) {
		/* never send a command cut short */
		snprintf(ans, len, "(command longer than %zu bytes)",
			 sizeof(cmd) - 2);
		printf("# qmp< %s\n", ans);
		return -1;
	}
	printf("# qmp> %s\n", cmd);
	cmd[n++] = '\n';
	if (v->qmp < 0 || write(v->qmp, cmd, n) != n) {
		snprintf(ans, len, "(no QMP connection)");
		return -1;
	}
	for (;;) {
		if (qmp_line(v, ans, len, QMP_SECS)) {
			snprintf(ans, len, "(no answer)");
			printf("# qmp< %s\n", ans);
			return -1;
		}
		if (!strncmp(ans, "{\"event\"", 8) || strstr(ans, "\"event\": ")) {
			const char *e = strstr(ans, "\"event\": \"");

			if (e) {
				e += strlen("\"event\": \"");
				snprintf(v->events + strlen(v->events),
					 sizeof(v->events) - strlen(v->events),
					 " %.*s", (int)strcspn(e, "\""), e);
			}
			continue;
		}
		printf("# qmp< %s\n", ans);
		fflush(stdout);
		if (strstr(ans, "\"return\""))
			return 0;
		if (strstr(ans, "\"error\""))
			return 1;
	}
}

/*
 * Wait until QEMU listens on its QMP socket, read the greeting and enter
 * command mode.  0, or -1 if QEMU exited first or did not come up.
 */
static int vmm_connect(struct vmm *v)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double end = tb_now() + secs_left(v->start_secs + START_SECS - tb_now());
	char line[4096];
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", v->sock);
	for (;;) {
		if (vmm_exited(v, 0))
			return -1;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		if (fd >= 0)
			close(fd);
		if (tb_now() > end)
			return -1;
		usleep(100000);
	}
	v->qmp = fd;
	if (qmp_line(v, line, sizeof(line), START_SECS) ||
	    !strstr(line, "\"QMP\""))
		return -1;
	v->start_secs = tb_now() - v->start_secs;
	return qmp(v, line, sizeof(line), "{\"execute\": \"qmp_capabilities\"}");
}

/* quit over QMP (or kill), reap; QEMU's exit code, or -1 */
static int vmm_stop(struct vmm *v)
{
	char ans[512];
	int i;

	if (v->qmp >= 0 && !vmm_exited(v, 0))
		qmp(v, ans, sizeof(ans), "{\"execute\": \"quit\"}");
	for (i = 0; i < 300 && !vmm_exited(v, 0) && secs_left(1) > 0; i++)
		usleep(100000);
	if (!vmm_exited(v, 0)) {
		kill(v->pid, SIGKILL);
		vmm_exited(v, 1);
	}
	if (v->qmp >= 0)
		close(v->qmp);
	v->qmp = -1;
	unlink(v->sock);
	return WIFEXITED(v->status) ? WEXITSTATUS(v->status) : -1;
}

/*
 * The string value of "@key" in JSON text @json, after the first
 * occurrence of @after (NULL: from the start), into @out; -1 if absent.
 */
static int json_str(const char *json, const char *after, const char *key,
		    char *out, size_t len)
{
	char want[64];
	const char *p = after ? strstr(json, after) : json;

	out[0] = '\0';
	if (!p)
		return -1;
	snprintf(want, sizeof(want), "\"%s\": \"", key);
	p = strstr(p, want);
	if (!p)
		return -1;
	p += strlen(want);
	snprintf(out, len, "%.*s", (int)strcspn(p, "\""), p);
	return 0;
}

/* does query-s390-ap-matrix's @part ("requested", "effective") read @a x @d? */
static int matrix_is(struct vmm *v, const char *part, const char *a,
		     const char *d, const char *c, char *got, size_t len)
{
	char ans[4096], after[32], ga[64], gd[64], gc[64];

	if (qmp(v, ans, sizeof(ans), "{\"execute\": \"query-s390-ap-matrix\"}")) {
		snprintf(got, len, "%s", ans);
		return 0;
	}
	snprintf(after, sizeof(after), "\"%s\": {", part);
	json_str(ans, after, "adapters", ga, sizeof(ga));
	json_str(ans, after, "domains", gd, sizeof(gd));
	json_str(ans, after, "control-domains", gc, sizeof(gc));
	snprintf(got, len, "%s %s x %s control %s", part, ga, gd, gc);
	return strstr(ans, after) && !strcmp(ga, a) && !strcmp(gd, d) &&
	       !strcmp(gc, c);
}

/*
 * Every queue A.D[i] whose bit is set in @held has apmatrix_holder "vm N
 * pid @pid ..." (if @pid > 0), every other one of the four does not name
 * @pid (if @pid > 0) resp. is "free" (if @pid == 0: all must be free);
 * waits up to 5 s.  @why says what was found.
 */
static int holders_are(unsigned int held, pid_t pid, char *why, size_t len)
{
	char got[128], want[48];
	unsigned int i;
	int t, bad = 0;

	snprintf(want, sizeof(want), " pid %d", pid);
	for (t = 0; t < 50; t++) {
		bad = 0;
		why[0] = '\0';
		for (i = 0; i < 4; i++) {
			int mine;

			if (read_holder(A, D[i], got, sizeof(got)))
				snprintf(got, sizeof(got), "(none)");
			mine = !strncmp(got, "vm ", 3) && strstr(got, want) &&
			       (strstr(got, want)[strlen(want)] == ' ' ||
				!strstr(got, want)[strlen(want)]);
			if ((held & 1u << i) ? !mine :
			    pid ? mine : strcmp(got, "free"))
				bad++;
			snprintf(why + strlen(why), len - strlen(why),
				 "%s%02x.%04x '%s'", i ? ", " : "", A, D[i], got);
		}
		if (!bad)
			return 1;
		usleep(100000);
	}
	return 0;
}

/* the ZAPQs the emulated host saw on queue A.@d, -1 if unreadable */
static long long zapqs(unsigned int apid, unsigned int d)
{
	const char *a = tb_req("get %02x.%04x", apid, d);
	const char *p = tb_req_ok(a) ? strstr(a, " zapqs=") : NULL;

	return p ? strtoll(p + strlen(" zapqs="), NULL, 10) : -1;
}

/*
 * QEMU's output is exactly the line "qemu-system-s390x: @want", followed
 * by the line @hint if not NULL (QEMU's error_append_hint()), and it
 * exited with status 1 without ever answering QMP.
 */
static int refused_with(struct vmm *v, const char *want, const char *hint,
			char *got, size_t len)
{
	char line[768], *p;
	int ok, i;

	/*
	 * A refusal ends QEMU in machine init, before its main loop runs
	 * qmp_capabilities: a QEMU that answers it has started instead.
	 */
	if (!vmm_connect(v)) {
		vmm_stop(v);
		snprintf(got, len, "QEMU started");
		return 0;
	}
	/* its QMP socket may close just before it exits */
	for (i = 0; i < 300 && !vmm_exited(v, 0) && secs_left(1) > 0; i++)
		usleep(100000);
	if (!vmm_exited(v, 0)) {
		kill(v->pid, SIGKILL);
		vmm_exited(v, 1);
		snprintf(got, len, "QEMU did not exit");
		return 0;
	}
	v->start_secs = tb_now() - v->start_secs;
	vmm_output(v, got, len);
	snprintf(line, sizeof(line), QEMU_NAME ": %s%s%s", want,
		 hint ? "\n" : "", hint ? hint : "");
	ok = WIFEXITED(v->status) && WEXITSTATUS(v->status) == 1 &&
	     !strcmp(got, line);
	/* one check line: QEMU's lines joined with " | " */
	for (p = got; (p = strchr(p, '\n')); p++)
		*p = '|';
	return ok;
}

/* ---- start, QMP, reset, migration ------------------------------------ */

static void test_main(void)
{
	char mopts[128], ans[4096], why[512], want[256], d01[16], d02[16];
	struct vmm *v = calloc(1, sizeof(*v));
	long long z0, z3, z0b, z3b;
	int rc, up;

	snprintf(mopts, sizeof(mopts), "ap-adapters=%u,ap-domains=%u:%u", A,
		 D[0], D[1]);
	snprintf(d01, sizeof(d01), "%u-%u", D[0], D[1]);
	snprintf(d02, sizeof(d02), "%u-%u", D[0], D[2]);
	if (D[1] != D[0] + 1)
		snprintf(d01, sizeof(d01), "%u:%u", D[0], D[1]);
	if (!v || vmm_start(v, 0, -1, mopts, NULL, -1)) {
		check(0, "start: fork (errno %d)", errno);
		return;
	}
	up = !vmm_connect(v);
	check(up, "start: QEMU -accel kvm -S with %s answers QMP (%.1f s)",
	      mopts, v->start_secs);
	if (!up) {
		vmm_show(v);
		vmm_stop(v);
		return;
	}
	rc = qmp(v, ans, sizeof(ans), "{\"execute\": \"query-kvm\"}");
	up = !rc && strstr(ans, "\"enabled\": true");
	rc = qmp(v, ans, sizeof(ans), "{\"execute\": \"query-status\"}");
	check(up && !rc && strstr(ans, "\"status\": \"prelaunch\"") &&
	      strstr(ans, "\"running\": false"),
	      "start: KVM enabled, the machine in prelaunch: the vCPUs never run");

	check(holders_are(3, v->pid, why, sizeof(why)),
	      "start: the kernel holds %02x.%04x and %02x.%04x for QEMU's VM (pid %d), not the others: %s",
	      A, D[0], A, D[1], v->pid, why);
	check(matrix_is(v, "effective", sa, d01, "", why, sizeof(why)),
	      "start: query-s390-ap-matrix: KVM_S390_GET_AP_MATRIX reads back adapters %u domains %s (%s)",
	      A, d01, why);

	/* one property at a time */
	rc = qmp(v, ans, sizeof(ans),
		 "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/machine\", \"property\": \"ap-domains\", \"value\": \"%s\"}}",
		 d02);
	check(!rc && holders_are(7, v->pid, why, sizeof(why)) &&
	      matrix_is(v, "effective", sa, d02, "", ans, sizeof(ans)),
	      "qmp: qom-set ap-domains %s: the kernel holds %02x.%04x too (%s; %s)",
	      d02, A, D[2], why, ans);

	/* all lists at once */
	snprintf(want, sizeof(want), "%u", D[3]);
	v->events[0] = '\0';
	rc = qmp(v, ans, sizeof(ans),
		 "{\"execute\": \"set-s390-ap-matrix\", \"arguments\": {\"adapters\": \"%u\", \"domains\": \"%u\", \"control-domains\": \"%u\"}}",
		 A, D[3], D[3]);
	check(!rc && holders_are(8, v->pid, why, sizeof(why)) &&
	      matrix_is(v, "effective", sa, want, want, ans, sizeof(ans)) &&
	      strstr(v->events, "S390_AP_MATRIX_CHANGED"),
	      "qmp: set-s390-ap-matrix %u x %u control %u: the kernel holds only %02x.%04x, the effective matrix follows, S390_AP_MATRIX_CHANGED (%s; %s; events:%s)",
	      A, D[3], D[3], A, D[3], why, ans, v->events);

	/* a change the kernel refuses: host-owned H.D[3] */
	rc = qmp(v, ans, sizeof(ans),
		 "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/machine\", \"property\": \"ap-adapters\", \"value\": \"%u:%u\"}}",
		 H, A);
	snprintf(want, sizeof(want),
		 "\"desc\": \"APQN %02x.%04x is owned by the host's zcrypt drivers (see /sys/bus/ap/apmask and aqmask)\"",
		 H, D[3]);
	check(rc == 1 && strstr(ans, want) &&
	      holders_are(8, v->pid, why, sizeof(why)) &&
	      matrix_is(v, "effective", sa, sd3, sd3, ans, sizeof(ans)),
	      "qmp: qom-set ap-adapters %u:%u refused by the kernel with the one line for host-owned %02x.%04x, nothing changes (%s; %s)",
	      H, A, H, D[3], why, ans);

	/* system_reset: KVM_S390_RESET_AP_QUEUES zeroizes the guest's queue */
	z3 = zapqs(A, D[3]);
	z0 = zapqs(A, D[0]);
	rc = qmp(v, ans, sizeof(ans), "{\"execute\": \"system_reset\"}");
	/* the reset runs in QEMU's main loop after the answer */
	{
		int i;

		for (i = 0; i < 100; i++) {
			if (strstr(v->events, "RESET"))
				break;
			qmp(v, ans, sizeof(ans), "{\"execute\": \"query-status\"}");
			usleep(100000);
		}
	}
	z3b = zapqs(A, D[3]);
	z0b = zapqs(A, D[0]);
	/*
	 * what QEMU did: its trace event s390_ap_matrix_reset (vmm_start()
	 * enables it; the log backend writes it to stderr, v->log) prints
	 * "KVM_S390_RESET_AP_QUEUES: RET", RET the ioctl's result
	 */
	vmm_output(v, why, sizeof(why));
	check(!rc && z3 >= 0 && z3b == z3 + 1 && z0b == z0 &&
	      strstr(why, "KVM_S390_RESET_AP_QUEUES: 0") &&
	      holders_are(8, v->pid, ans, sizeof(ans)),
	      "reset: system_reset calls KVM_S390_RESET_AP_QUEUES: the emulated %02x.%04x saw one more ZAPQ (%lld -> %lld), %02x.%04x none (%lld -> %lld), the VM keeps its queue",
	      A, D[3], z3, z3b, A, D[0], z0, z0b);

	/* the migration blocker */
	rc = qmp(v, ans, sizeof(ans),
		 "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"exec:cat > /dev/null\"}}");
	up = rc == 1 && strstr(ans, "the guest uses AP queues passed through by ap-adapters/ap-domains: their keys and state stay on this host");
	rc = qmp(v, ans, sizeof(ans), "{\"execute\": \"query-migrate\"}");
	check(up && !rc && !strstr(ans, "\"status\""),
	      "migrate: refused by the blocker 'the guest uses AP queues passed through by ap-adapters/ap-domains: ...', no migration started");

	rc = vmm_stop(v);
	check(rc == 0 && holders_are(0, 0, why, sizeof(why)),
	      "quit: QEMU exits 0 (%d), the kernel freed its queues (%s)", rc,
	      why);
	free(v);
}

/* ---- refusals at start-up -------------------------------------------- */

static void test_refusals(void)
{
	struct kvm_s390_ap_matrix m;
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	struct vmm *v = calloc(1, sizeof(*v));
	char mopts[128], want[256], got[4096];
	unsigned long long id = 0;
	int kvm, vm, rc;

	/* another VM, created here, holds A.D[0] */
	kvm = tb_open_kvm();
	vm = kvm < 0 ? -1 : tb_create_vm(kvm);
	tb_mask1(apm, A);
	tb_mask1(aqm, D[0]);
	rc = vm < 0 ? -1 : tb_set(vm, apm, aqm, NULL, -1, &m);
	/* our VM's id, as the kernel names it */
	if (!rc && (read_holder(A, D[0], got, sizeof(got)) ||
		    sscanf(got, "vm %llu", &id) != 1))
		rc = -1;
	snprintf(mopts, sizeof(mopts), "ap-adapters=%u,ap-domains=%u", A, D[0]);
	snprintf(want, sizeof(want),
		 "APQN %02x.%04x is already used by another guest (pid %d, vm %llu)",
		 A, D[0], getpid(), id);
	if (!v || vmm_start(v, 1, -1, mopts, NULL, -1)) {
		check(0, "refusal: start QEMU (errno %d)", errno);
		if (vm >= 0)
			close(vm);
		if (kvm >= 0)
			close(kvm);
		free(v);
		return;
	}
	check(refused_with(v, want, NULL, got, sizeof(got)) && !rc,
	      "refusal: %02x.%04x held by VM %llu of pid %d: QEMU exits 1 with one line '%s' (%.1f s)",
	      A, D[0], id, getpid(), got, v->start_secs);
	if (vm >= 0)
		close(vm);

	/* host-owned H.D[0] */
	snprintf(mopts, sizeof(mopts), "ap-adapters=%u,ap-domains=%u", H, D[0]);
	snprintf(want, sizeof(want),
		 "APQN %02x.%04x is owned by the host's zcrypt drivers (see /sys/bus/ap/apmask and aqmask)",
		 H, D[0]);
	vmm_start(v, 2, -1, mopts, NULL, -1);
	check(refused_with(v, want, NULL, got, sizeof(got)),
	      "refusal: host-owned %02x.%04x: QEMU exits 1 with one line '%s'",
	      H, D[0], got);

	/* an unprivileged QEMU without a grant */
	snprintf(mopts, sizeof(mopts), "ap-adapters=%u,ap-domains=%u", A, D[1]);
	snprintf(want, sizeof(want),
		 "APQN %02x.%04x is not covered by a grant: pass ap-grant from the AP manager",
		 A, D[1]);
	vmm_start(v, 3, TBUSER, mopts, NULL, -1);
	check(refused_with(v, want, NULL, got, sizeof(got)),
	      "refusal: QEMU as uid %d without a grant for %02x.%04x: exits 1 with one line '%s'",
	      TBUSER, A, D[1], got);
	if (kvm >= 0)
		close(kvm);
	free(v);
}

/* ---- grants through -add-fd ------------------------------------------ */

static void test_grant(void)
{
	struct kvm_s390_ap_grant g;
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	struct vmm *v = calloc(1, sizeof(*v));
	char mopts[160], addfd[64], want[256], got[4096], why[512];
	const char *extra[3] = { "-add-fd", addfd, NULL };
	int kvm, gfd, nfd, up, rc;

	kvm = tb_open_kvm();
	tb_mask1(apm, A);
	tb_mask1(aqm, D[1]);
	gfd = kvm < 0 ? -1 : tb_grant(kvm, apm, aqm, NULL, &g);
	if (!v || gfd < 0) {
		check(0, "grant: root creates a grant for %02x.%04x (%d)", A,
		      D[1], gfd);
		return;
	}
	snprintf(addfd, sizeof(addfd), "fd=%d,set=4", gfd);
	snprintf(mopts, sizeof(mopts),
		 "ap-grant=/dev/fdset/4,ap-adapters=%u,ap-domains=%u", A, D[1]);
	vmm_start(v, 4, TBUSER, mopts, extra, gfd);
	up = !vmm_connect(v);
	snprintf(want, sizeof(want), "usage grant %llu pid %d",
		 (unsigned long long)g.grant_id, getpid());
	check(up && holders_are(2, v->pid, why, sizeof(why)) &&
	      strstr(why, want) &&
	      matrix_is(v, "effective", sa, sd1, "", got, sizeof(got)),
	      "grant: QEMU as uid %d with grant %llu in -add-fd %s and ap-grant=/dev/fdset/4 holds %02x.%04x (%s; %s)",
	      TBUSER, (unsigned long long)g.grant_id, addfd, A, D[1], why,
	      up ? got : "no QMP");
	if (!up)
		vmm_show(v);
	rc = vmm_stop(v);
	/* the VM is gone; the grant, whose fd we still hold, reserves it */
	snprintf(want, sizeof(want), "grant %llu pid %d",
		 (unsigned long long)g.grant_id, getpid());
	read_holder(A, D[1], got, sizeof(got));
	up = !strcmp(got, want);
	close(gfd);
	check(rc == 0 && up && holders_are(0, 0, why, sizeof(why)),
	      "grant: QEMU quits (exit %d), %02x.%04x is reserved by the grant only ('%s', want '%s'), free once it is closed (%s)",
	      rc, A, D[1], got, want, why);

	/*
	 * a grant, but for another queue: QEMU's own check passes it (it is
	 * a grant), the kernel's check of what a grant covers refuses the
	 * matrix.  The line is the one a QEMU that dropped the grant would
	 * get too; that QEMU fails the first grant check above.
	 */
	tb_mask1(aqm, D[2]);
	gfd = tb_grant(kvm, apm, aqm, NULL, &g);
	snprintf(addfd, sizeof(addfd), "fd=%d,set=4", gfd);
	snprintf(want, sizeof(want),
		 "APQN %02x.%04x is not covered by a grant: pass ap-grant from the AP manager",
		 A, D[1]);
	up = 0;
	got[0] = '\0';
	if (gfd >= 0 && !vmm_start(v, 6, TBUSER, mopts, extra, gfd))
		up = refused_with(v, want, NULL, got, sizeof(got));
	snprintf(want, sizeof(want), "grant %llu pid %d",
		 (unsigned long long)g.grant_id, getpid());
	read_holder(A, D[2], why, sizeof(why));
	rc = !strcmp(why, want);
	read_holder(A, D[1], why, sizeof(why));
	check(up && rc && !strcmp(why, "free"),
	      "grant: a grant for %02x.%04x in -add-fd, ap-domains=%u: the kernel refuses, QEMU exits 1 with one line '%s'; %02x.%04x stays the grant's only, %02x.%04x free ('%s')",
	      A, D[2], D[1], got, A, D[2], A, D[1], why);
	if (gfd >= 0)
		close(gfd);

	/* not a grant */
	nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	snprintf(addfd, sizeof(addfd), "fd=%d,set=4", nfd);
	snprintf(want, sizeof(want),
		 "ap-grant: /dev/fdset/4 is not an AP grant: it is /dev/null");
	vmm_start(v, 5, TBUSER, mopts, extra, nfd);
	check(refused_with(v, want,
			   "An AP grant comes from the AP manager ('apmatrix grant' or 'apmatrix serve').",
			   got, sizeof(got)),
	      "grant: /dev/null in -add-fd as ap-grant: QEMU exits 1 with the line and its hint '%s'",
	      got);
	close(nfd);
	close(kvm);
	free(v);
}

/* ---- the series' qtest in a build without TCG ------------------------ */

/*
 * The number of lines of @out that start with @prefix and, if @has is not
 * NULL, contain @has (@has_not: do not contain it).
 */
static unsigned int lines_with(const char *out, const char *prefix,
			       const char *has, int has_not)
{
	size_t n = strlen(prefix);
	unsigned int c = 0;
	const char *l, *e;

	for (l = out; l && *l; l = e ? e + 1 : NULL) {
		e = strchr(l, '\n');
		if (strncmp(l, prefix, n))
			continue;
		if (has) {
			const char *f = strstr(l, has);
			int in = f && (!e || f < e);

			if (in == has_not)
				continue;
		}
		c++;
	}
	return c;
}

static void test_qtest(void)
{
	char *const noaccel[] = { QEMU, "-L", QEMU_DATA, "-accel", "tcg",
				  "-machine", "none", "-nodefaults",
				  "-display", "none", NULL };
	char *const list[] = { QTEST, "-l", NULL };
	char *const run[] = { QTEST, "--tap", NULL };
	static char out[65536];
	unsigned int listed, ok, skipped, notok;
	int st, noacc;
	double t;
	FILE *f;

	st = tb_run(noaccel, -1, out, sizeof(out), run_secs(QMP_SECS));
	check(tb_exitcode(st) == 1 && strstr(out, "invalid accelerator tcg"),
	      "qtest: this QEMU has no TCG: -accel tcg exits %d with 'invalid accelerator tcg'",
	      tb_exitcode(st));

	f = NULL;
	if (!mkdir("/tmp/qtestbin", 0755) || errno == EEXIST)
		f = fopen(QTEST_QEMU, "w");
	if (f) {
		fprintf(f, "#!/bin/sh\nexec %s -L %s \"$@\"\n", QEMU, QEMU_DATA);
		fclose(f);
	}
	if (!f || chmod(QTEST_QEMU, 0755) ||
	    setenv("QTEST_QEMU_BINARY", QTEST_QEMU, 1)) {
		check(0, "qtest: the wrapper %s for QTEST_QEMU_BINARY (errno %d)",
		      QTEST_QEMU, errno);
		return;
	}
	st = tb_run(list, -1, out, sizeof(out), run_secs(QMP_SECS));
	listed = tb_exitcode(st) == 0 ?
		 lines_with(out, "/s390x/ap-matrix/", NULL, 0) : 0;
	t = tb_now();
	st = tb_run(run, -1, out, sizeof(out), run_secs(BUDGET_SECS));
	unsetenv("QTEST_QEMU_BINARY");
	/* "ok N /path # SKIP why" is TAP for a case that did not run */
	ok = lines_with(out, "ok ", "# SKIP", 1);
	skipped = lines_with(out, "ok ", "# SKIP", 0);
	notok = lines_with(out, "not ok ", NULL, 0);
	/*
	 * a case that needs TCG would start QEMU with -accel tcg, which this
	 * build refuses (the first check): none may have been registered
	 */
	noacc = !!strstr(out, "invalid accelerator");
	check(tb_exitcode(st) == 0 && listed > 0 && ok == listed && !skipped &&
	      !notok && !noacc,
	      "qtest: %s passes against this QEMU (exit %d): %u of %u cases ok, %u skipped, %u not ok, %s 'invalid accelerator' (%.1f s)",
	      QTEST, tb_exitcode(st), ok, listed, skipped, notok,
	      noacc ? "with an" : "no", tb_now() - t);
}

static void usage(void)
{
	fprintf(stderr, "usage: scen-kvm --adapters LIST --domains LIST\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u8 apm[APMX_MASK_BYTES] = { 0 }, aqm[APMX_MASK_BYTES] = { 0 };
	unsigned int d, n = 0;
	double t0 = tb_now();
	int rc, bad = 0;

	tb_suite = "kvm";
	rc = tb_host_lists(argc, argv, "scen-kvm", apm, aqm);
	if (rc == -1)
		usage();
	if (rc)
		return 2;
	H = apmx_mask_next(apm, 0);
	A = apmx_mask_last(apm);
	apmx_for_each_id(d, aqm) {
		if (n < 3)
			D[n++] = d;
		D[3] = d;
	}
	if (A >= APMX_NR_IDS || H == A || n < 3 || D[3] == D[2]) {
		fprintf(stderr, "scen-kvm: needs 2 adapters and 4 domains\n");
		return 2;
	}
	snprintf(sa, sizeof(sa), "%u", A);
	snprintf(sd1, sizeof(sd1), "%u", D[1]);
	snprintf(sd3, sizeof(sd3), "%u", D[3]);
	tb_mon_init();
	signal(SIGPIPE, SIG_IGN);
	deadline = t0 + BUDGET_SECS;

	rc = tb_adapter_free(A, D, 4, &bad);
	check(!rc && !bad && !access(QEMU, X_OK),
	      "setup: apmask -%u frees adapter %02x; %s is there (rc %d)", A,
	      A, QEMU, rc);

	/* what bounds the programs this suite runs */
	{
		/* a child of the shell holds the pipe: only a group kill ends it */
		char *const hang[] = { "/bin/sh", "-c", "sleep 60 & wait",
				       NULL };
		char out[256];
		double t = tb_now();
		int st = tb_run(hang, -1, out, sizeof(out), 2);

		t = tb_now() - t;
		check(tb_exitcode(st) == 128 + SIGKILL && t < 10,
		      "setup: a program still running at tb_run()'s time limit (sh -c 'sleep 60 & wait', limit 2 s) is killed with its process group: exit %d after %.1f s",
		      tb_exitcode(st), t);
	}

	test_main();
	test_refusals();
	test_grant();
	test_qtest();

	rc = tb_adapter_return(A, D, 4, &bad);
	check(!rc && !bad,
	      "cleanup: apmask +%u gives every queue of %02x back to cex4queue (rc %d)",
	      A, A, rc);
	printf("# kvm: %.1f s\n", tb_now() - t0);
	return tb_finish();
}
