// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix serve / apmatrix connect: the grant manager as a daemon and its
 * client.
 *
 * serve reads one reservation per file CONFDIR/NAME.conf (apmatrix.conf(5)),
 * creates a grant for each at start, and listens on a UNIX stream socket
 * (--socket, or the one systemd passes with LISTEN_FDS).  A client sends
 * "GET NAME\n"; if the reservation allows the client's uid or one of its
 * groups (SO_PEERCRED, SO_PEERGROUPS) it gets "OK ID ADAPTERS DOMAINS
 * CONTROL\n" (id lists in the core's canonical form, "-" for an empty one)
 * with the grant fd attached (SCM_RIGHTS), else "ERR MESSAGE\n".  Every
 * decision is logged on stderr (the journal under systemd).  SIGHUP
 * re-reads the directory: unchanged reservations keep their grant, changed
 * ones get a new one, removed ones are closed, and a file that no longer
 * parses keeps its old reservation.  SIGTERM/SIGINT end the daemon, which
 * closes every grant.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "apmatrix.h"

#define APX_CONF_DIR	"/etc/apmatrix"
#define APX_SOCKET	"/run/apmatrix/apmatrix.sock"
#define APX_NAME_LEN	64
#define APX_MAX_ALLOW	64
#define APX_MAX_RSV	256
#define APX_REQ_LEN	256

struct rsv {
	char name[APX_NAME_LEN];
	struct kvm_s390_ap_masks masks;
	uid_t uid[APX_MAX_ALLOW];
	gid_t gid[APX_MAX_ALLOW];
	int nuid, ngid;
	int fd;				/* grant fd, -1 if none */
	unsigned long long id;
};

struct daemon {
	const char *confdir, *dev;
	struct rsv *rsv[APX_MAX_RSV];
	int n;
};

__attribute__((format(printf, 1, 2)))
static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	apx_vmsg(" serve", fmt, ap);
	va_end(ap);
}

/* ---- apmatrix.conf(5) ------------------------------------------------ */

static bool valid_name(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= APX_NAME_LEN || s[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && !strchr("_.-", s[i]))
			return false;
	return true;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

/* allow-users / allow-groups: names or numbers, "," or blanks between */
static int parse_allow(const char *path, int line, char *val, bool groups,
		       struct rsv *r)
{
	char *tok, *save = NULL, *end;
	unsigned long v;

	for (tok = strtok_r(val, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		v = strtoul(tok, &end, 10);
		if (*end) {
			struct passwd *pw = groups ? NULL : getpwnam(tok);
			struct group *gr = groups ? getgrnam(tok) : NULL;

			if (!pw && !gr) {
				apx_err("%s:%d: %s '%s' does not exist", path,
					line, groups ? "group" : "user", tok);
				return -1;
			}
			v = groups ? gr->gr_gid : pw->pw_uid;
		}
		if ((groups ? r->ngid : r->nuid) >= APX_MAX_ALLOW) {
			apx_err("%s:%d: more than %d %s", path, line,
				APX_MAX_ALLOW, groups ? "groups" : "users");
			return -1;
		}
		if (groups)
			r->gid[r->ngid++] = (gid_t)v;
		else
			r->uid[r->nuid++] = (uid_t)v;
	}
	return 0;
}

static int parse_ids(const char *path, int line, const char *key,
		     const char *val, u8 *mask)
{
	char err[APMX_ERRMSG_LEN];

	if (apmx_idlist_parse(val, KVM_S390_AP_MAX_ID, mask, err,
			      sizeof(err))) {
		apx_err("%s:%d: %s '%s': %s", path, line, key, val, err);
		return -1;
	}
	return 0;
}

/* Parse @path into @r; -1 after messages naming file, line and id. */
static int conf_parse(const char *path, struct rsv *r)
{
	bool have_a = false, have_d = false;
	char buf[1024], *key, *val, *eq;
	int line = 0, bad = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		apx_err("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		line++;
		key = trim(buf);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			apx_err("%s:%d: expected KEY = VALUE", path, line);
			bad = 1;
			continue;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if (!strcmp(key, "adapters")) {
			have_a = true;
			bad |= parse_ids(path, line, key, val, r->masks.apm);
		} else if (!strcmp(key, "domains")) {
			have_d = true;
			bad |= parse_ids(path, line, key, val, r->masks.aqm);
		} else if (!strcmp(key, "control-domains")) {
			bad |= parse_ids(path, line, key, val, r->masks.adm);
		} else if (!strcmp(key, "allow-users")) {
			bad |= parse_allow(path, line, val, false, r);
		} else if (!strcmp(key, "allow-groups")) {
			bad |= parse_allow(path, line, val, true, r);
		} else {
			apx_err("%s:%d: unknown key '%s'", path, line, key);
			bad = 1;
		}
	}
	fclose(f);
	if (!have_a || !have_d) {
		apx_err("%s: %s missing", path, have_a ? "domains" :
			"adapters");
		bad = 1;
	}
	if (!bad && !r->nuid && !r->ngid) {
		apx_err("%s: no allow-users or allow-groups: nobody could use it",
			path);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/*
 * Read every NAME.conf of @dir into @out (sorted by name).  A file that
 * does not parse is left out and its name put in @broken (when not NULL).
 * Returns the number of bad files.
 */
static int conf_load(const char *dir, struct rsv **out, int *n,
		     char (*broken)[APX_NAME_LEN], int *nbroken)
{
	struct dirent **list;
	char path[PATH_MAX];
	int i, cnt, bad = 0;

	*n = 0;
	if (nbroken)
		*nbroken = 0;
	cnt = scandir(dir, &list, NULL, alphasort);
	if (cnt < 0) {
		apx_err("%s: %s", dir, strerror(errno));
		return 1;
	}
	for (i = 0; i < cnt; i++) {
		const char *nm = list[i]->d_name;
		size_t len = strlen(nm);
		struct rsv *r;

		if (len <= 5 || strcmp(nm + len - 5, ".conf"))
			goto next;
		apx_pathf(path, sizeof(path), "%s/%s", dir, nm);
		if (!valid_name(nm, len - 5)) {
			apx_err("%s: the name must be 1-%d letters, digits, '_', '.' or '-'",
				path, APX_NAME_LEN - 1);
			bad++;
			goto next;
		}
		r = calloc(1, sizeof(*r));
		if (!r || *n >= APX_MAX_RSV) {
			apx_err("%s: too many reservations or out of memory",
				path);
			free(r);
			bad++;
			goto next;
		}
		memcpy(r->name, nm, len - 5);
		r->fd = -1;
		if (conf_parse(path, r)) {
			if (broken)
				memcpy(broken[(*nbroken)++], r->name,
				       APX_NAME_LEN);
			free(r);
			bad++;
			goto next;
		}
		out[(*n)++] = r;
next:
		free(list[i]);
	}
	free(list);
	return bad;
}

/* ---- grants ---------------------------------------------------------- */

static void rsv_grant(struct daemon *dm, struct rsv *r)
{
	struct kvm_s390_ap_grant g;
	char line[256];
	int err, rc;

	memset(&g, 0, sizeof(g));
	g.masks = r->masks;
	rc = apx_kvm_create_grant(dm->dev, &g, &err);
	if (rc == -2) {
		logmsg("reservation '%s': cannot open %s: %s", r->name,
		       dm->dev, strerror(err));
		return;
	}
	if (rc) {
		apx_refusal_line(&g.refusal, err, line, sizeof(line));
		logmsg("reservation '%s': grant refused: %s", r->name, line);
		return;
	}
	r->fd = g.fd;
	r->id = g.grant_id;
	logmsg("reservation '%s': grant %llu created", r->name, r->id);
}

static void rsv_close(struct rsv *r, const char *why)
{
	if (r->fd >= 0) {
		close(r->fd);
		logmsg("reservation '%s': grant %llu closed (%s)", r->name,
		       r->id, why);
	}
	r->fd = -1;
}

static void reload(struct daemon *dm)
{
	char broken[APX_MAX_RSV][APX_NAME_LEN];
	struct rsv *next[APX_MAX_RSV];
	int n, nb, i, j;

	conf_load(dm->confdir, next, &n, broken, &nb);
	/* a file that no longer parses keeps its reservation */
	for (i = 0; i < dm->n; i++) {
		for (j = 0; j < nb; j++)
			if (!strcmp(dm->rsv[i]->name, broken[j]))
				break;
		if (j < nb && n < APX_MAX_RSV) {
			logmsg("reservation '%s': configuration invalid, kept as it was",
			       dm->rsv[i]->name);
			next[n++] = dm->rsv[i];
			dm->rsv[i] = NULL;
		}
	}
	for (i = 0; i < dm->n; i++) {
		struct rsv *old = dm->rsv[i];

		if (!old)
			continue;
		for (j = 0; j < n; j++)
			if (next[j]->fd < 0 && !strcmp(next[j]->name, old->name))
				break;
		if (j < n && !memcmp(&next[j]->masks, &old->masks,
				     sizeof(old->masks)) && old->fd >= 0) {
			next[j]->fd = old->fd;
			next[j]->id = old->id;
			logmsg("reservation '%s': unchanged, grant %llu kept",
			       old->name, old->id);
		} else {
			rsv_close(old, j < n ? "changed" : "removed");
		}
		free(old);
	}
	for (j = 0; j < n; j++)
		if (next[j]->fd < 0)
			rsv_grant(dm, next[j]);
	memcpy(dm->rsv, next, n * sizeof(next[0]));
	dm->n = n;
}

/* ---- clients --------------------------------------------------------- */

static bool allowed(const struct rsv *r, const struct ucred *cr,
		    const gid_t *groups, int ngroups)
{
	int i, k;

	for (i = 0; i < r->nuid; i++)
		if (r->uid[i] == cr->uid)
			return true;
	for (i = 0; i < r->ngid; i++) {
		if (r->gid[i] == cr->gid)
			return true;
		for (k = 0; k < ngroups; k++)
			if (r->gid[i] == groups[k])
				return true;
	}
	return false;
}

static void reply(int c, const char *text, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(c, &msg, MSG_NOSIGNAL) < 0)
		logmsg("reply failed: %s", strerror(errno));
}

static void serve_client(struct daemon *dm, int c)
{
	struct timeval tv = { .tv_sec = 2 };
	gid_t groups[256];
	socklen_t len = sizeof(struct ucred);
	struct ucred cr;
	char req[APX_REQ_LEN], msg[APX_REQ_LEN + 2 * APMX_IDLIST_FMT_LEN * 3];
	char ids[3][APMX_IDLIST_FMT_LEN];
	const char *name;
	ssize_t n;
	int i, ngroups = 0;

	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		logmsg("client without credentials: %s", strerror(errno));
		return;
	}
#ifdef SO_PEERGROUPS
	len = sizeof(groups);
	if (!getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		ngroups = len / sizeof(gid_t);
#endif
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(c, req, sizeof(req) - 1, 0);
	if (n <= 0) {
		logmsg("pid %d uid %d: no request", (int)cr.pid, (int)cr.uid);
		return;
	}
	req[n] = '\0';
	req[strcspn(req, "\n")] = '\0';
	if (strncmp(req, "GET ", 4) || !valid_name(req + 4, strlen(req + 4))) {
		logmsg("pid %d uid %d: bad request refused", (int)cr.pid,
		       (int)cr.uid);
		reply(c, "ERR bad request\n", -1);
		return;
	}
	name = req + 4;
	for (i = 0; i < dm->n; i++)
		if (!strcmp(dm->rsv[i]->name, name))
			break;
	if (i == dm->n || !allowed(dm->rsv[i], &cr, groups, ngroups)) {
		/* the same answer for both: nobody learns which names exist */
		logmsg("reservation '%s': pid %d uid %d gid %d refused (%s)",
		       name, (int)cr.pid, (int)cr.uid, (int)cr.gid,
		       i == dm->n ? "no such reservation" : "not allowed");
		snprintf(msg, sizeof(msg),
			 "ERR reservation '%s' does not exist or is not allowed for uid %d gid %d\n",
			 name, (int)cr.uid, (int)cr.gid);
		reply(c, msg, -1);
		return;
	}
	if (dm->rsv[i]->fd < 0) {
		logmsg("reservation '%s': pid %d uid %d refused (no grant)",
		       name, (int)cr.pid, (int)cr.uid);
		snprintf(msg, sizeof(msg),
			 "ERR reservation '%s' has no grant (see the daemon's log)\n",
			 name);
		reply(c, msg, -1);
		return;
	}
	apmx_idlist_format(dm->rsv[i]->masks.apm, ids[0], sizeof(ids[0]));
	apmx_idlist_format(dm->rsv[i]->masks.aqm, ids[1], sizeof(ids[1]));
	apmx_idlist_format(dm->rsv[i]->masks.adm, ids[2], sizeof(ids[2]));
	snprintf(msg, sizeof(msg), "OK %llu %s %s %s\n", dm->rsv[i]->id,
		 ids[0][0] ? ids[0] : "-", ids[1][0] ? ids[1] : "-",
		 ids[2][0] ? ids[2] : "-");
	logmsg("reservation '%s': grant %llu given to pid %d uid %d gid %d",
	       name, dm->rsv[i]->id, (int)cr.pid, (int)cr.uid, (int)cr.gid);
	reply(c, msg, dm->rsv[i]->fd);
}

/* ---- the daemon ------------------------------------------------------ */

static int listen_socket(const char *path, mode_t mode, bool *own)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	int s;

	*own = false;
	if (lp && lf && atoi(lp) == getpid() && atoi(lf) == 1) {
		fcntl(3, F_SETFD, FD_CLOEXEC);
		return 3;	/* systemd socket activation */
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		apx_err("socket path %s is too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		apx_err("socket: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, mode) || listen(s, 16)) {
		apx_err("%s: %s", path, strerror(errno));
		close(s);
		return -1;
	}
	*own = true;
	return s;
}

static void serve_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s serve [--config-dir DIR] [--socket PATH] [--socket-mode MODE]\n"
		"       [--device PATH] [--check]\n"
		"\n"
		"Create a grant for every reservation DIR/NAME.conf (apmatrix.conf(5))\n"
		"and hand its fd to the clients the reservation allows (apmatrix\n"
		"connect).  SIGHUP re-reads DIR; SIGTERM ends the daemon.\n"
		"\n"
		"  -C, --config-dir DIR   default " APX_CONF_DIR "\n"
		"  -s, --socket PATH      default " APX_SOCKET " (or systemd's socket)\n"
		"  -m, --socket-mode MODE octal, default 0666 (access is checked per\n"
		"                         client with SO_PEERCRED)\n"
		"      --device PATH      instead of $APMATRIX_KVM_DEVICE or /dev/kvm\n"
		"  -c, --check            only validate the configuration (exit 0 or 2)\n"
		"  -h, --help             this text\n",
		apx_prog);
}

int apx_cmd_serve(int argc, char **argv, const char *root)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'C' },
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "device", required_argument, NULL, 'D' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon dm;
	const char *sock = APX_SOCKET, *dev = NULL;
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	mode_t mode = 0666;
	bool check = false, own, run = true;
	sigset_t sigs;
	int c, s, i;

	(void)root;
	dm.confdir = APX_CONF_DIR;
	while ((c = getopt_long(argc, argv, "C:s:m:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			dm.confdir = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'm':
			mode = (mode_t)strtoul(optarg, NULL, 8);
			break;
		case 'D':
			dev = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			serve_usage(stdout);
			return APX_EXIT_OK;
		default:
			serve_usage(stderr);
			return APX_EXIT_USAGE;
		}
	}
	dm.dev = apx_setting(dev, "APMATRIX_KVM_DEVICE", "/dev/kvm");
	if (check) {
		int bad = conf_load(dm.confdir, dm.rsv, &dm.n, NULL, NULL);

		for (i = 0; i < dm.n; i++)
			free(dm.rsv[i]);
		printf("%s: %d reservation%s valid, %d invalid\n", dm.confdir,
		       dm.n, dm.n == 1 ? "" : "s", bad);
		return bad ? APX_EXIT_USAGE : APX_EXIT_OK;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	pfd[1].fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	s = listen_socket(sock, mode, &own);
	if (s < 0 || pfd[1].fd < 0)
		return APX_EXIT_SYSTEM;
	conf_load(dm.confdir, dm.rsv, &dm.n, NULL, NULL);
	for (i = 0; i < dm.n; i++)
		rsv_grant(&dm, dm.rsv[i]);
	logmsg("%d reservation%s, listening on %s", dm.n,
	       dm.n == 1 ? "" : "s", own ? sock : "the socket from systemd");
	pfd[0].fd = s;
	pfd[0].events = pfd[1].events = POLLIN;
	while (run) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN &&
		    read(pfd[1].fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				logmsg("SIGHUP: reloading %s", dm.confdir);
				reload(&dm);
			} else {
				run = false;
			}
		}
		if (pfd[0].revents & POLLIN) {
			c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				serve_client(&dm, c);
				close(c);
			}
		}
	}
	for (i = 0; i < dm.n; i++) {
		rsv_close(dm.rsv[i], "daemon ends");
		free(dm.rsv[i]);
	}
	if (own)
		unlink(sock);
	logmsg("ended");
	return APX_EXIT_OK;
}

/* ---- the client ------------------------------------------------------ */

static void connect_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s connect [--socket PATH] [--qemu] NAME -- COMMAND [ARG...]\n"
		"\n"
		"Ask apmatrix serve for reservation NAME and run COMMAND with its grant\n"
		"fd; \"{grant}\" in an argument becomes the fd number.  With --qemu,\n"
		"\"-machine ap-adapters=A,ap-domains=D[,ap-control-domains=C],ap-grant=FD\"\n"
		"is appended to COMMAND (a QEMU with the apmatrix series).\n"
		"\n"
		"  -s, --socket PATH  default " APX_SOCKET "\n"
		"  -q, --qemu         append the -machine option\n"
		"  -h, --help         this text\n",
		apx_prog);
}

static int receive(int s, char *buf, size_t len, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, len - 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

int apx_cmd_connect(int argc, char **argv, const char *root)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "qemu", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *sock = APX_SOCKET, *name;
	char buf[4 * APMX_IDLIST_FMT_LEN], mach[4 * APMX_IDLIST_FMT_LEN];
	char ids[3][APMX_IDLIST_FMT_LEN], *extra[3] = { NULL };
	unsigned long long id;
	bool qemu = false;
	int c, s, fd;

	(void)root;
	while ((c = getopt_long(argc, argv, "+s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'q':
			qemu = true;
			break;
		case 'h':
			connect_usage(stdout);
			return APX_EXIT_OK;
		default:
			connect_usage(stderr);
			return APX_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		apx_err("connect needs NAME and a COMMAND after -- (try --help)");
		return APX_EXIT_USAGE;
	}
	name = argv[optind++];
	if (!strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		apx_err("connect needs a COMMAND after NAME (try --help)");
		return APX_EXIT_USAGE;
	}
	if (!valid_name(name, strlen(name))) {
		apx_err("reservation name '%s': 1-%d letters, digits, '_', '.' or '-'",
			name, APX_NAME_LEN - 1);
		return APX_EXIT_USAGE;
	}
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		apx_err("socket path %s is too long", sock);
		return APX_EXIT_USAGE;
	}
	strcpy(sa.sun_path, sock);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		apx_err("cannot connect to %s: %s", sock, strerror(errno));
		return APX_EXIT_SYSTEM;
	}
	snprintf(buf, sizeof(buf), "GET %s\n", name);
	if (send(s, buf, strlen(buf), MSG_NOSIGNAL) < 0 ||
	    receive(s, buf, sizeof(buf), &fd)) {
		apx_err("%s: no answer from the daemon", sock);
		close(s);
		return APX_EXIT_SYSTEM;
	}
	close(s);
	if (!strncmp(buf, "ERR ", 4)) {
		apx_err("%s", buf + 4);
		if (fd >= 0)
			close(fd);
		return APX_EXIT_BLOCKED;
	}
	if (fd < 0 || sscanf(buf, "OK %llu %609s %609s %609s", &id, ids[0],
			     ids[1], ids[2]) != 4) {
		apx_err("%s: unexpected answer '%s'", sock, buf);
		if (fd >= 0)
			close(fd);
		return APX_EXIT_SYSTEM;
	}
	if (qemu) {
		snprintf(mach, sizeof(mach),
			 "ap-adapters=%s,ap-domains=%s%s%s,ap-grant={grant}",
			 strcmp(ids[0], "-") ? ids[0] : "",
			 strcmp(ids[1], "-") ? ids[1] : "",
			 strcmp(ids[2], "-") ? ",ap-control-domains=" : "",
			 strcmp(ids[2], "-") ? ids[2] : "");
		extra[0] = "-machine";
		extra[1] = mach;
	}
	return apx_exec_grant(fd, id, argv + optind, argc - optind, extra);
}
