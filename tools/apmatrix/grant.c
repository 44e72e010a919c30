// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix grant: reserve adapters x domains (and adapters x control
 * domains) with KVM_S390_CREATE_AP_GRANT, drop privileges, and exec
 * COMMAND with the grant fd inherited; "{grant}" in COMMAND's arguments
 * becomes the fd number.  The reservation lasts as long as some process
 * holds the fd (see Documentation/s390/ap-matrix.rst of the series).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "apmatrix.h"

#define APX_GRANT_TOKEN	"{grant}"

static void grant_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s grant -a ADAPTERS -d DOMAINS [-c CONTROL_DOMAINS]\n"
		"       [--user USER] [--device PATH] -- COMMAND [ARG...]\n"
		"\n"
		"Reserve ADAPTERS x DOMAINS for usage (and ADAPTERS x CONTROL_DOMAINS\n"
		"for control) with a grant on /dev/kvm, drop privileges to USER and\n"
		"run COMMAND with the grant fd open.  \"{grant}\" in an argument is\n"
		"replaced by the fd number; APMATRIX_GRANT_FD and APMATRIX_GRANT_ID\n"
		"are set in COMMAND's environment.  The reservation ends when the\n"
		"last holder of the fd closes it.\n"
		"\n"
		"  -a, --adapters LIST         adapters (id list)\n"
		"  -d, --domains LIST          usage domains\n"
		"  -c, --control-domains LIST  control domains\n"
		"  -u, --user USER             run COMMAND as USER (name or uid), with\n"
		"                              USER's primary and supplementary groups\n"
		"      --device PATH           instead of $APMATRIX_KVM_DEVICE or /dev/kvm\n"
		"  -h, --help                  this text\n"
		"\n"
		"Example:\n"
		"  %s grant -a 5 -d 4 --user qemu -- qemu-system-s390x \\\n"
		"      -machine s390-ccw-virtio,ap-adapters=5,ap-domains=4,ap-grant={grant} ...\n",
		apx_prog, apx_prog);
}

/* The kernel's refusal report in one line: "APQN 05.0004 is used by ..." */
void apx_refusal_line(const struct kvm_s390_ap_refusal *r, int err,
		      char *buf, size_t len)
{
	char what[48], why[160];

	if (r->adapter != KVM_S390_AP_ID_NONE &&
	    r->domain != KVM_S390_AP_ID_NONE)
		snprintf(what, sizeof(what), "APQN %02x.%04x%s", r->adapter,
			 r->domain, r->field == KVM_S390_AP_FIELD_CONTROL ?
			 " (control domain)" : "");
	else if (r->adapter != KVM_S390_AP_ID_NONE)
		snprintf(what, sizeof(what), "adapter 0x%02x", r->adapter);
	else if (r->domain != KVM_S390_AP_ID_NONE)
		snprintf(what, sizeof(what), "%sdomain 0x%04x",
			 r->field == KVM_S390_AP_FIELD_CONTROL ?
			 "control " : "", r->domain);
	else
		what[0] = '\0';

	switch (r->reason) {
	case KVM_S390_AP_R_ID_RANGE:
		snprintf(why, sizeof(why), "is beyond the host's limits");
		break;
	case KVM_S390_AP_R_HOST_OWNED:
		apx_holder_phrase(KVM_S390_AP_HOLDER_HOST, 0, 0, NULL, why,
				  sizeof(why));
		break;
	case KVM_S390_AP_R_IN_USE:
	case KVM_S390_AP_R_RESERVED:
	case KVM_S390_AP_R_VFIO_AP:
	case KVM_S390_AP_R_QUARANTINED:
		apx_holder_phrase(r->holder_type, r->holder_id, r->holder_pid,
				  NULL, why, sizeof(why));
		if (r->holder_type == KVM_S390_AP_HOLDER_NONE)
			snprintf(why, sizeof(why), "%s",
				 r->reason == KVM_S390_AP_R_QUARANTINED ?
				 "is being reset or quarantined" :
				 "is not available");
		break;
	case KVM_S390_AP_R_NOT_GRANTED:
		snprintf(why, sizeof(why), "is not covered by the grant");
		break;
	default:
		what[0] = '\0';
		snprintf(why, sizeof(why), "%s", strerror(err));
		break;
	}
	snprintf(buf, len, "%s%s%s", what, what[0] ? " " : "", why);
}

/* USER as name or number: its uid, gid and name, or -1 after a message. */
static int lookup_user(const char *user, struct passwd *out, char *name,
		       size_t len)
{
	struct passwd *pw;
	char *end;
	unsigned long uid;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		uid = strtoul(user, &end, 10);
		if (*user && !*end)
			pw = getpwuid((uid_t)uid);
	}
	if (!pw) {
		apx_err("user '%s' does not exist", user);
		return -1;
	}
	*out = *pw;
	snprintf(name, len, "%s", pw->pw_name);
	out->pw_name = name;
	return 0;
}

static int drop_privileges(const struct passwd *pw)
{
	if (initgroups(pw->pw_name, pw->pw_gid)) {
		apx_err("setting the groups of user %s failed: %s",
			pw->pw_name, strerror(errno));
		return -1;
	}
	if (setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		apx_err("becoming user %s (uid %u, gid %u) failed: %s",
			pw->pw_name, (unsigned int)pw->pw_uid,
			(unsigned int)pw->pw_gid, strerror(errno));
		return -1;
	}
	/* setuid() to a non-root uid must be final */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		apx_err("could not drop root privileges");
		return -1;
	}
	return 0;
}

/* Copy of @arg with every "{grant}" replaced by @fd, or NULL. */
static char *substitute(const char *arg, int fd)
{
	size_t tl = strlen(APX_GRANT_TOKEN), n = 0, len;
	char num[16], *out, *o;
	const char *p;

	snprintf(num, sizeof(num), "%d", fd);
	for (p = strstr(arg, APX_GRANT_TOKEN); p;
	     p = strstr(p + tl, APX_GRANT_TOKEN))
		n++;
	len = strlen(arg) + n * strlen(num) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	for (o = out, p = arg; *p;) {
		if (!strncmp(p, APX_GRANT_TOKEN, tl)) {
			o = stpcpy(o, num);
			p += tl;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static void free_args(char **args)
{
	int i;

	for (i = 0; args && args[i]; i++)
		free(args[i]);
	free(args);
}

/*
 * Close every descriptor above stderr but @keep (above stderr too): COMMAND
 * inherits the grant fd and nothing the caller (a shell, libvirt, the
 * daemon's client) left open without FD_CLOEXEC.  close_range() (Linux
 * 5.9), else a walk of /proc/self/fd.
 */
static void close_others(int keep)
{
	struct dirent *e;
	DIR *d;
	int fd;

	if ((keep == 3 || !close_range(3, keep - 1, 0)) &&
	    !close_range(keep + 1, ~0U, 0))
		return;
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((e = readdir(d))) {
		fd = atoi(e->d_name);
		if (fd > 2 && fd != keep && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

/*
 * Exec @cmd (@n words) with grant fd @fd inherited, "{grant}" replaced by
 * its number, APMATRIX_GRANT_FD/_ID set, and the words of @extra (NULL
 * or NULL-terminated, "{grant}" replaced too) appended.  Returns only on
 * failure, with the fd closed: APX_EXIT_SYSTEM or APX_EXIT_EXEC.
 */
int apx_exec_grant(int fd, unsigned long long id, char **cmd, int n,
		   char **extra)
{
	char env[32], **args;
	int i, m = 0;

	while (extra && extra[m])
		m++;
	/*
	 * The caller left stdin, stdout or stderr closed and the grant fd
	 * took its number: move it above stderr, so that COMMAND does not
	 * take the grant for one of them (and close_others() keeps them).
	 */
	if (fd <= STDERR_FILENO) {
		int high = fcntl(fd, F_DUPFD, STDERR_FILENO + 1), e = errno;

		close(fd);
		if (high < 0) {
			apx_err("cannot pass the grant fd on: %s", strerror(e));
			return APX_EXIT_SYSTEM;
		}
		fd = high;
	}
	/* and COMMAND gets /dev/null for them: a file it opens is not one */
	for (i = STDIN_FILENO; i <= STDERR_FILENO; i++) {
		int nul;

		if (fcntl(i, F_GETFD) >= 0 || errno != EBADF)
			continue;
		nul = open("/dev/null", O_RDWR);
		if (nul != i) {
			apx_err("cannot open /dev/null for fd %d: %s", i,
				nul < 0 ? strerror(errno) : "not the lowest free fd");
			if (nul >= 0)
				close(nul);
			close(fd);
			return APX_EXIT_SYSTEM;
		}
	}
	if (fcntl(fd, F_SETFD, 0)) {
		apx_err("cannot pass the grant fd on: %s", strerror(errno));
		close(fd);
		return APX_EXIT_SYSTEM;
	}
	args = calloc(n + m + 1, sizeof(*args));
	for (i = 0; args && i < n + m; i++) {
		args[i] = substitute(i < n ? cmd[i] : extra[i - n], fd);
		if (!args[i])
			break;
	}
	if (!args || i < n + m) {
		apx_err("out of memory");
		free_args(args);
		close(fd);
		return APX_EXIT_SYSTEM;
	}
	snprintf(env, sizeof(env), "%d", fd);
	setenv("APMATRIX_GRANT_FD", env, 1);
	snprintf(env, sizeof(env), "%llu", id);
	setenv("APMATRIX_GRANT_ID", env, 1);
	close_others(fd);
	execvp(args[0], args);
	apx_err("cannot run %s: %s", args[0], strerror(errno));
	free_args(args);
	close(fd);
	return APX_EXIT_EXEC;
}

int apx_cmd_grant(int argc, char **argv, const char *root)
{
	static const struct option opts[] = {
		{ "adapters", required_argument, NULL, 'a' },
		{ "domains", required_argument, NULL, 'd' },
		{ "control-domains", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "device", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct apx_matrix_args m = { NULL, NULL, NULL };
	struct kvm_s390_ap_grant g;
	const char *user = NULL, *dev = NULL;
	char uname[256], line[256];
	struct passwd pw = { .pw_name = NULL };
	int c, rc, err;

	(void)root;
	while ((c = getopt_long(argc, argv, "+a:d:c:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			continue;
		case 'D':
			dev = optarg;
			continue;
		case 'h':
			grant_usage(stdout);
			return APX_EXIT_OK;
		}
		rc = apx_matrix_opt(c, &m);
		if (rc >= 0) {
			grant_usage(stderr);
			return rc;
		}
	}
	if (optind >= argc) {
		apx_err("grant needs a COMMAND after -- (try --help)");
		return APX_EXIT_USAGE;
	}
	memset(&g, 0, sizeof(g));
	rc = apx_matrix_parse(&m, &g.masks);
	if (rc)
		return rc;
	if (user && lookup_user(user, &pw, uname, sizeof(uname)))
		return APX_EXIT_USAGE;

	dev = apx_setting(dev, "APMATRIX_KVM_DEVICE", "/dev/kvm");
	rc = apx_kvm_create_grant(dev, &g, &err);
	if (rc == -2) {
		apx_err("cannot open %s: %s", dev, strerror(err));
		return APX_EXIT_SYSTEM;
	}
	if (rc) {
		apx_refusal_line(&g.refusal, err, line, sizeof(line));
		apx_err("cannot create the grant: %s", line);
		if (g.refusal.reason != KVM_S390_AP_OK &&
		    g.refusal.reason != KVM_S390_AP_R_ID_RANGE)
			apx_err("'%s check -a %s -d %s%s%s' names every queue in the way",
				apx_prog, m.a, m.d, m.c ? " -c " : "",
				m.c ? m.c : "");
		return g.refusal.reason == KVM_S390_AP_OK ||
		       g.refusal.reason == KVM_S390_AP_R_ID_RANGE ?
		       APX_EXIT_SYSTEM : APX_EXIT_BLOCKED;
	}

	/* from here on, exiting closes the fd and ends the reservation */
	if (user && drop_privileges(&pw)) {
		close(g.fd);
		return APX_EXIT_SYSTEM;
	}
	return apx_exec_grant(g.fd, g.grant_id, argv + optind, argc - optind,
			      NULL);
}
