// SPDX-License-Identifier: GPL-2.0
/*
 * The admin tool apmatrix(8) (tools/apmatrix, issue 11) against the real
 * sysfs, in_use veto and /dev/kvm (issue 9):
 *
 *   list, list --json   name every queue and its holder as sysfs says
 *   free / return       a queue our VM holds blocks `return` up front,
 *                       holder named, masks unchanged; otherwise the
 *                       queues move between cex4queue and apmatrix
 *   grant --user        the program it execs as an unprivileged user does
 *                       SET with the inherited grant fd (and cannot
 *                       without it, or beyond it)
 *   serve / connect     reservations in /etc/apmatrix/; serve's socket is
 *                       0660 with group tbuser (--socket-group 4242): an
 *                       allowed uid gets the grant fd over the socket and
 *                       uses it in SET, a uid the reservation does not
 *                       allow gets ERR and no fd, a uid outside the
 *                       socket's group cannot connect (EACCES).  Needs
 *                       UNIX sockets (the test kernel has CONFIG_UNIX);
 *                       without them it says so and runs none of it
 *
 *   scen-tool --adapters LIST --domains LIST
 *   scen-tool --client-set FD ADAPTERS DOMAINS    (the grant user: SET
 *            with the grant fd FD, or with FD -1 none; exit 0 on success,
 *            1 on refusal with "errno E reason R at AA.DDDD")
 *   scen-tool --client-get SOCKET NAME ADAPTERS DOMAINS   (a socket
 *            client of `apmatrix serve`: GET NAME, then --client-set)
 */
#include <errno.h>
#include <fcntl.h>
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
#include <unistd.h>
#include <linux/kvm.h>

#include "tb.h"
#include "tbrun.h"

#define TOOL "/bin/apmatrix"
#define SELF "/bin/scen-tool"
#define SOCK "/run/apmatrix/apmatrix.sock"
#define TBUSER 4242
#define QEMU 107

static int parse(const char *s, u8 *mask)
{
	char err[APMX_ERRMSG_LEN];

	memset(mask, 0, APMX_MASK_BYTES);
	if (apmx_idlist_parse(s, KVM_S390_AP_MAX_ID, mask, err, sizeof(err))) {
		fprintf(stderr, "scen-tool: '%s': %s\n", s, err);
		return -1;
	}
	return 0;
}

/* SET with @gfd on a new VM, report, keep it for a moment */
static int client_set(int gfd, const char *a, const char *d)
{
	u8 apm[APMX_MASK_BYTES], aqm[APMX_MASK_BYTES];
	struct kvm_s390_ap_matrix m;
	int kvm, vm, rc;

	if (parse(a, apm) || parse(d, aqm))
		return 2;
	kvm = tb_open_kvm();
	vm = kvm < 0 ? -1 : tb_create_vm(kvm);
	if (vm < 0) {
		printf("client: uid %d: no VM (errno %d)\n", getuid(), errno);
		return 3;
	}
	rc = tb_set(vm, apm, aqm, NULL, gfd, &m);
	if (rc) {
		printf("client: uid %d: SET refused: errno %d reason %u at %02x.%04x holder %u pid %d\n",
		       getuid(), rc, m.refusal.reason, m.refusal.adapter,
		       m.refusal.domain, m.refusal.holder_type,
		       m.refusal.holder_pid);
		return 1;
	}
	printf("client: uid %d euid %d: SET ok, effective %s\n", getuid(),
	       geteuid(), memcmp(m.effective.aqm, aqm, APMX_MASK_BYTES) ?
	       "differs" : "as requested");
	return 0;
}

/* a client of `apmatrix serve`: GET NAME, receive the fd, SET */
static int client_get(const char *sock, const char *name, const char *a,
		      const char *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char reply[512], cbuf[CMSG_SPACE(sizeof(int))], req[128];
	struct iovec iov = { reply, sizeof(reply) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int s, fd = -1;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("client: uid %d: connect: errno %d\n", getuid(), errno);
		return 3;
	}
	snprintf(req, sizeof(req), "GET %s\n", name);
	if (write(s, req, strlen(req)) != (ssize_t)strlen(req))
		return 3;
	n = recvmsg(s, &msg, 0);
	if (n <= 0)
		return 3;
	reply[n] = '\0';
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	printf("client: uid %d: reply '%.*s' fd %d\n", getuid(),
	       (int)strcspn(reply, "\n"), reply, fd);
	close(s);
	if (strncmp(reply, "OK ", 3) || fd < 0)
		return 4;
	return client_set(fd, a, d);
}

static int run(char *out, size_t len, int uid, ...)
{
	char *av[24];
	va_list ap;
	int n = 0;

	va_start(ap, uid);
	while (n < 23 && (av[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	av[n] = NULL;
	return tb_exitcode(tb_run(av, uid, out, len, TB_RUN_SECS));
}

/* the line of `apmatrix list` for @apqn ("05.0000"), or NULL */
static const char *list_line(const char *out, const char *apqn, char *line,
			     size_t len)
{
	const char *p = out;
	size_t n;

	while (p && *p) {
		n = strcspn(p, "\n");
		if (!strncmp(p, apqn, strlen(apqn)) && p[strlen(apqn)] == ' ') {
			snprintf(line, len, "%.*s", (int)n, p);
			return line;
		}
		p += n;
		if (*p)
			p++;
	}
	return NULL;
}

static char out[16384];

static unsigned int A, A0, D[4], ND;
static u8 apm_host[APMX_MASK_BYTES], aqm_host[APMX_MASK_BYTES];

/* every queue's line in `list` names the owner sysfs shows */
static int list_matches(const char *out, const char *who5, char *bad,
			size_t len)
{
	char apqn[16], line[256], drv[64], want[96];
	unsigned int a, d;

	apmx_for_each_id(a, apm_host) {
		apmx_for_each_id(d, aqm_host) {
			snprintf(apqn, sizeof(apqn), "%02x.%04x", a, d);
			driver_of(apqn, drv, sizeof(drv));
			if (a == A && who5)
				snprintf(want, sizeof(want), "%s", who5);
			else if (!strcmp(drv, "cex4queue"))
				snprintf(want, sizeof(want), "host (cex4queue)");
			else
				snprintf(want, sizeof(want), "? driver '%s'", drv);
			if (!list_line(out, apqn, line, sizeof(line)) ||
			    !strstr(line, want) || !strstr(line, "CEX8C")) {
				snprintf(bad, len, "%s: '%s' want '%s'", apqn,
					 list_line(out, apqn, line, sizeof(line)) ?
					 line : "(no line)", want);
				return 0;
			}
		}
	}
	return 1;
}

static void test_list_free_return(void)
{
	u8 apm0[APMX_MASK_BYTES], aqm0[APMX_MASK_BYTES];
	u8 apm1[APMX_MASK_BYTES], aqm1[APMX_MASK_BYTES];
	char bad[512] = "", a[8], want[128], q[16], d01[16];
	struct kvm_s390_ap_matrix m;
	unsigned long long id = 0;
	int rc, kvm, vm, i, nbad = 0;

	snprintf(a, sizeof(a), "%u", A);
	snprintf(d01, sizeof(d01), "%u,%u", D[0], D[1]);
	rc = run(out, sizeof(out), -1, TOOL, "list", NULL);
	check(rc == 0 && list_matches(out, NULL, bad, sizeof(bad)),
	      "list: every queue is the host's (cex4queue), card type CEX8C, as sysfs says (exit %d %s)",
	      rc, bad);

	rc = run(out, sizeof(out), -1, TOOL, "free", a, "", NULL);
	for (i = 0; i < (int)ND; i++) {
		snprintf(q, sizeof(q), "%02x.%04x", A, D[i]);
		if (wait_driver(q, "") && wait_driver(q, "apmatrix"))
			nbad++;
	}
	check(rc == 0 && !nbad,
	      "free %s \"\": the queues of adapter %02x leave cex4queue (exit %d)",
	      a, A, rc);
	rc = run(out, sizeof(out), -1, TOOL, "check", "-a", a, "-d", d01, NULL);
	check(rc == 0, "check -a %s -d %s: exit 0, every APQN free (exit %d)",
	      a, d01, rc);

	/* our VM takes two of them */
	kvm = tb_open_kvm();
	vm = tb_create_vm(kvm);
	tb_mask1(apm1, A);
	parse(d01, aqm1);
	rc = tb_set(vm, apm1, aqm1, NULL, -1, &m);
	read_holder(A, D[0], bad, sizeof(bad));
	sscanf(bad, "vm %llu", &id);
	check(rc == 0 && id, "a VM of this process (pid %d) holds %02x x %s: vm %llu (errno %d)",
	      getpid(), A, d01, id, rc);

	rc = run(out, sizeof(out), -1, TOOL, "list", "-a", a, NULL);
	snprintf(want, sizeof(want), "vm %llu (pid %d) usage", id, getpid());
	snprintf(q, sizeof(q), "%02x.%04x", A, D[0]);
	check(rc == 0 && list_line(out, q, bad, sizeof(bad)) &&
	      strstr(bad, want),
	      "list -a %s: %s is '%s' (want '%s', exit %d)", a, q, bad, want,
	      rc);
	snprintf(q, sizeof(q), "%02x.%04x", A, D[2]);
	check(list_line(out, q, bad, sizeof(bad)) &&
	      strstr(bad, "free"),
	      "list -a %s: the VM's neighbour %s is '%s' (free)", a, q, bad);

	rc = run(out, sizeof(out), -1, TOOL, "list", "--json", NULL);
	snprintf(want, sizeof(want),
		 "\"apqn\": \"%02x.%04x\", \"adapter\": %u, \"domain\": %u, ",
		 A, D[0], A, D[0]);
	{
		const char *p = strstr(out, want);
		char vmj[96];

		snprintf(vmj, sizeof(vmj),
			 "\"owner\": \"vm\", \"owner_text\": \"vm %llu (pid %d) usage\", \"vm\": {\"id\": %llu, \"pid\": %d, \"use\": \"usage\"}",
			 id, getpid(), id, getpid());
		check(rc == 0 && strstr(out, "\"schema\": \"apmatrix-list\"") &&
		      p && strstr(p, vmj) &&
		      strstr(p, vmj) < strstr(p, "\n"),
		      "list --json: %02x.%04x has owner vm, id %llu, pid %d (exit %d)",
		      A, D[0], id, getpid(), rc);
	}

	/* return is refused up front, naming the holder; nothing changes */
	read_mask("apmask", apm0);
	read_mask("aqmask", aqm0);
	rc = run(out, sizeof(out), -1, TOOL, "return", a, "", NULL);
	snprintf(want, sizeof(want), "APQN %02x.%04x is used by VM %llu (pid %d)",
		 A, D[0], id, getpid());
	read_mask("apmask", apm1);
	read_mask("aqmask", aqm1);
	check(rc == 1 && strstr(out, want) &&
	      !memcmp(apm0, apm1, APMX_MASK_BYTES) &&
	      !memcmp(aqm0, aqm1, APMX_MASK_BYTES),
	      "return %s \"\" while the VM holds queues: exit 1, '%s', apmask/aqmask unchanged (exit %d)",
	      a, want, rc);
	rc = run(out, sizeof(out), -1, TOOL, "check", "-a", a, "-d", d01, NULL);
	check(rc == 1 && strstr(out, want),
	      "check -a %s -d %s: exit 1 naming the VM (exit %d)", a, d01, rc);
	/* the kernel would veto it too: the tool is not stricter than it */
	rc = ap_mask_edit("apmask", '+', A);
	check(rc == -EBUSY, "the kernel's in_use vetoes the same apmask edit (rc %d)",
	      rc);
	close(vm);
	close(kvm);
	rc = run(out, sizeof(out), -1, TOOL, "check", "-a", a, "-d", d01, NULL);
	check(rc == 0, "the VM gone, check -a %s -d %s: exit 0 (exit %d)", a,
	      d01, rc);
}

static void test_grant(void)
{
	char a[8], d0[8], d01[16], uid[8];
	int rc;

	snprintf(a, sizeof(a), "%u", A);
	snprintf(d0, sizeof(d0), "%u", D[0]);
	snprintf(d01, sizeof(d01), "%u,%u", D[0], D[1]);
	snprintf(uid, sizeof(uid), "%d", TBUSER);

	rc = run(out, sizeof(out), TBUSER, SELF, "--client-set", "-1", a, d0,
		 NULL);
	check(rc == 1 && strstr(out, "SET refused: errno 1 reason 5"),
	      "an unprivileged VMM without a grant is refused EPERM not-granted (exit %d)",
	      rc);
	rc = run(out, sizeof(out), -1, TOOL, "grant", "-a", a, "-d", d0,
		 "--user", "tbuser", "--", SELF, "--client-set", "{grant}", a,
		 d0, NULL);
	check(rc == 0 && strstr(out, "client: uid 4242 euid 4242: SET ok"),
	      "grant -a %s -d %s --user tbuser -- PROGRAM {grant}: PROGRAM runs as uid %d and SET with the inherited fd succeeds (exit %d)",
	      a, d0, TBUSER, rc);
	rc = run(out, sizeof(out), -1, TOOL, "grant", "-a", a, "-d", d0,
		 "--user", uid, "--", SELF, "--client-set", "{grant}", a, d01,
		 NULL);
	check(rc == 1 && strstr(out, "SET refused: errno 1 reason 5"),
	      "grant of %s x %s, PROGRAM asks for %s x %s: refused EPERM (exit %d)",
	      a, d0, a, d01, rc);
}

static void test_serve(void)
{
	char a[8], d1[8], conf[256], log[4096];
	int rc, i, lfd;
	pid_t pid;

	snprintf(a, sizeof(a), "%u", A);
	snprintf(d1, sizeof(d1), "%u", D[1]);
	snprintf(conf, sizeof(conf),
		 "# the test bed's reservation\nadapters = %u\ndomains = %u\nallow-users = tbuser\n",
		 A, D[1]);
	rc = write_attr("/etc/apmatrix/tb.conf", conf);
	if (rc == -ENOENT) {
		int fd = open("/etc/apmatrix/tb.conf", O_WRONLY | O_CREAT, 0644);

		rc = fd < 0 || write(fd, conf, strlen(conf)) < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
	}
	check(!rc, "/etc/apmatrix/tb.conf written (rc %d)", rc);
	/* a reservation for qemu only, of a queue nobody else reserves */
	snprintf(conf, sizeof(conf),
		 "adapters = %u\ndomains = %u\nallow-users = qemu\n", A, D[2]);
	{
		int fd = open("/etc/apmatrix/tbq.conf",
			      O_WRONLY | O_CREAT | O_TRUNC, 0644);

		rc = fd < 0 || write(fd, conf, strlen(conf)) < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
	}
	check(!rc, "/etc/apmatrix/tbq.conf written (rc %d)", rc);
	rc = run(out, sizeof(out), -1, TOOL, "serve", "--check", NULL);
	check(rc == 0, "serve --check accepts it (exit %d)", rc);

	/* as apmatrix.socket's DirectoryMode=0755 would: serve does not */
	mkdir("/run/apmatrix", 0755);
	lfd = open("/tmp/serve.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid = fork();
	if (pid == 0) {
		dup2(lfd, 1);
		dup2(lfd, 2);
		execl(TOOL, TOOL, "serve", "--socket-group", "4242", NULL);
		_exit(127);
	}
	close(lfd);
	for (i = 0; i < 100 && access(SOCK, F_OK); i++)
		usleep(100000);
	check(!access(SOCK, F_OK), "serve listens on %s", SOCK);

	rc = run(out, sizeof(out), TBUSER, SELF, "--client-get", SOCK, "tb", a,
		 d1, NULL);
	check(rc == 0 && strstr(out, "reply 'OK ") &&
	      strstr(out, "client: uid 4242 euid 4242: SET ok"),
	      "uid %d (allowed) gets the grant fd over the socket and SET with it succeeds (exit %d)",
	      TBUSER, rc);
	rc = run(out, sizeof(out), TBUSER, SELF, "--client-get", SOCK, "tbq", a,
		 d1, NULL);
	check(rc == 4 && strstr(out, "reply 'ERR ") && strstr(out, "fd -1"),
	      "uid %d asking for tbq (allowed: qemu only) gets ERR and no fd (exit %d)",
	      TBUSER, rc);
	rc = run(out, sizeof(out), QEMU, SELF, "--client-get", SOCK, "tb", a,
		 d1, NULL);
	check(rc == 3 && strstr(out, "connect: errno 13"),
	      "uid %d, not in the socket's group, cannot connect: EACCES (exit %d)",
	      QEMU, rc);
	rc = run(out, sizeof(out), TBUSER, TOOL, "connect", "tb", "--", SELF,
		 "--client-set", "{grant}", a, d1, NULL);
	check(rc == 0 && strstr(out, "SET ok"),
	      "connect tb -- PROGRAM {grant} as uid %d: SET with the fd succeeds (exit %d)",
	      TBUSER, rc);

	kill(pid, SIGTERM);
	waitpid(pid, &rc, 0);
	lfd = open("/tmp/serve.log", O_RDONLY);
	i = lfd < 0 ? 0 : read(lfd, log, sizeof(log) - 1);
	log[i > 0 ? i : 0] = '\0';
	if (lfd >= 0)
		close(lfd);
	printf("# serve log:\n");
	tb_print_lines("#   ", log);
	check(WIFEXITED(rc) && strstr(log, "given to pid") &&
	      strstr(log, "uid 4242 gid 4242") &&
	      strstr(log, "'tbq': pid") &&
	      strstr(log, "uid 4242 gid 4242 refused (not allowed)"),
	      "serve ends on SIGTERM (status %#x) and logged both decisions",
	      rc);
	/* its grant is closed: root may take the queue */
	rc = run(out, sizeof(out), -1, SELF, "--client-set", "-1", a, d1, NULL);
	check(rc == 0, "after serve ended root's SET of %s x %s succeeds (exit %d)",
	      a, d1, rc);
}

int main(int argc, char **argv)
{
	char q[16];
	unsigned int d, i;
	int rc, bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "--client-set"))
		return client_set(atoi(argv[2]), argv[3], argv[4]);
	if (argc == 6 && !strcmp(argv[1], "--client-get"))
		return client_get(argv[2], argv[3], argv[4], argv[5]);
	tb_suite = "tool";
	if (tb_host_lists(argc, argv, "scen-tool", apm_host, aqm_host)) {
		fprintf(stderr, "usage: scen-tool --adapters LIST --domains LIST\n");
		return 2;
	}
	A = apmx_mask_last(apm_host);
	A0 = apmx_mask_next(apm_host, 0);
	apmx_for_each_id(d, aqm_host)
		if (ND < 4)
			D[ND++] = d;
	if (ND < 3)
		return 2;

	test_list_free_return();
	test_grant();
	/*
	 * serve and connect need UNIX sockets: the test kernel has them
	 * (CONFIG_UNIX=y in tests/testbed/kernel.config), so a kernel
	 * without them fails here instead of skipping the scenario.
	 */
	rc = socket(AF_UNIX, SOCK_STREAM, 0);
	if (rc >= 0) {
		close(rc);
		test_serve();
	} else {
		check(0, "serve/connect: no UNIX sockets in this kernel (socket: errno %d), the test kernel must have CONFIG_UNIX",
		      errno);
	}

	{
		char a[8];

		snprintf(a, sizeof(a), "%u", A);
		rc = run(out, sizeof(out), -1, TOOL, "return", a, "", NULL);
	}
	for (i = 0; i < ND; i++) {
		snprintf(q, sizeof(q), "%02x.%04x", A, D[i]);
		if (wait_driver(q, "cex4queue"))
			bad++;
	}
	check(rc == 0 && !bad,
	      "return: every queue of adapter %02x back with cex4queue (exit %d)",
	      A, rc);
	rc = run(out, sizeof(out), -1, TOOL, "list", NULL);
	{
		char bad2[256] = "";

		check(rc == 0 && list_matches(out, NULL, bad2, sizeof(bad2)),
		      "list: all the host's again (exit %d %s)", rc, bad2);
	}
	return tb_finish();
}
