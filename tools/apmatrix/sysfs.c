// SPDX-License-Identifier: GPL-2.0
/*
 * apmatrix(8): read the AP partition from sysfs, write apmask/aqmask.
 *
 * What is read, all under ROOT/bus/ap/ (Linux 6.1,
 * drivers/s390/crypto/ap_bus.c, ap_card.c, ap_queue.c, zcrypt_card.c,
 * zcrypt_queue.c, and the series' arch/s390/kvm/ap-matrix/queue-driver.c):
 *   apmask, aqmask            "0x" + 64 hex digits (apmask_show())
 *   ap_max_adapter_id, ap_max_domain_id
 *   devices/cardXX/           type, hwtype, ap_functions (hex), online,
 *                             config, chkstop, driver -> .../drivers/NAME
 *   devices/XX.YYYY/          online, config, chkstop, driver, and for
 *                             queues bound to apmatrix apmatrix_holder
 *                             (root only, queue-driver.c
 *                             apmx_qdrv_holder_text())
 * and ROOT/devices/vfio_ap/matrix/UUID/matrix, the APQNs assigned to each
 * vfio_ap mediated device, one "aa.dddd" per line (Linux 6.1
 * drivers/s390/crypto/vfio_ap_ops.c vfio_ap_mdev_matrix_show(); lines
 * "aa." and ".dddd" name no APQN and are skipped), which vfio_ap's in_use()
 * (vfio_ap_mdev_resource_in_use()) refuses to give to the host.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "apmatrix.h"

/* snprintf() for paths: a path that does not fit is cut (and then not
 * found), never overflows.
 */
void apx_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* The type of a file that is not a regular one, for messages. */
static const char *file_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

/*
 * Open @path read-only only if it is a regular file, without following a
 * symbolic link and without blocking: an administrator's file where
 * anybody may plant something (/run/lock is 1777), or a file that is
 * replaced by rename() (a link would be replaced, not its target).  A
 * FIFO would block open() and read() for ever; a device is not even
 * opened (lstat() first, then O_NOFOLLOW | O_NONBLOCK and fstat() for a
 * swap in between).  The fd (@st its fstat()), -1 with errno (ENOENT:
 * none), or -2 with *@kind what is there instead ("a FIFO", ...).
 */
int apx_open_regular(const char *path, struct stat *st, const char **kind)
{
	int fd;

	*kind = NULL;
	if (lstat(path, st))
		return -1;
	if (S_ISREG(st->st_mode)) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			  O_CLOEXEC);
		if (fd < 0 && errno == ELOOP)
			st->st_mode = S_IFLNK;
		else if (fd < 0)
			return -1;
		else if (fstat(fd, st) || S_ISREG(st->st_mode))
			return fd;	/* a failed fstat(): read() will say */
		if (fd >= 0)
			close(fd);
	}
	*kind = file_kind(st->st_mode);
	return -2;
}

int apx_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/*
 * One write() of the whole text, as sysfs stores need (no O_TRUNC, which
 * a sysfs attribute ignores; the tests' simulated tree answers mask
 * stores with tests/tools/apbus-sim.c).
 */
int apx_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EIO;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

static int read_int(const char *dir, const char *attr, int dflt)
{
	char path[PATH_MAX], buf[64], *end;
	long v;

	apx_pathf(path, sizeof(path), "%s/%s", dir, attr);
	if (apx_read_file(path, buf, sizeof(buf)))
		return dflt;
	v = strtol(buf, &end, 0);
	return end == buf ? dflt : (int)v;
}

static void read_driver(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	buf[0] = '\0';
	apx_pathf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	slash = strrchr(target, '/');
	apx_pathf(buf, len, "%s", slash ? slash + 1 : target);
}

bool apx_host_owns(const u8 *apm, const u8 *aqm, unsigned int a,
		   unsigned int d)
{
	return apmx_mask_test(apm, a) && apmx_mask_test(aqm, d);
}

/* apmatrix_holder: "free", "resetting", "quarantined", "vm ID pid PID
 * USE", "grant ID pid PID", a withheld state or a vm followed by a grant.
 */
static void parse_holder(struct apx_queue *q, const char *text)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", text);
	q->holder_known = true;
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "resetting")) {
			q->resetting = true;
		} else if (!strcmp(tok, "quarantined")) {
			q->quarantined = true;
		} else if (!strcmp(tok, "vm") || !strcmp(tok, "grant")) {
			bool vm = tok[0] == 'v';
			char *id = strtok_r(NULL, " ", &save);
			char *p = strtok_r(NULL, " ", &save);
			char *pid = strtok_r(NULL, " ", &save);

			if (!id || !p || strcmp(p, "pid") || !pid)
				break;
			if (vm) {
				q->vm = true;
				q->vm_id = strtoull(id, NULL, 10);
				q->vm_pid = atoi(pid);
				tok = strtok_r(NULL, " ", &save);
				if (tok)
					snprintf(q->use, sizeof(q->use), "%s",
						 tok);
			} else {
				q->grant = true;
				q->grant_id = strtoull(id, NULL, 10);
				q->grant_pid = atoi(pid);
			}
		}
	}
}

static void read_queue(struct apx_queue *q, const char *dir)
{
	char path[PATH_MAX], buf[256];

	q->present = true;
	q->online = read_int(dir, "online", -1);
	q->config = read_int(dir, "config", -1);
	q->chkstop = read_int(dir, "chkstop", -1);
	read_driver(dir, q->driver, sizeof(q->driver));
	if (strcmp(q->driver, "apmatrix"))
		return;
	apx_pathf(path, sizeof(path), "%s/apmatrix_holder", dir);
	if (!apx_read_file(path, buf, sizeof(buf)))
		parse_holder(q, buf);
}

static void read_card(struct apx_card *c, const char *dir)
{
	char path[PATH_MAX], buf[64];

	c->present = true;
	apx_pathf(path, sizeof(path), "%s/type", dir);
	if (apx_read_file(path, c->type, sizeof(c->type)))
		c->type[0] = '\0';
	c->hwtype = read_int(dir, "hwtype", -1);
	apx_pathf(path, sizeof(path), "%s/ap_functions", dir);
	c->functions = apx_read_file(path, buf, sizeof(buf)) ? 0 :
		       strtoul(buf, NULL, 16);
	c->online = read_int(dir, "online", -1);
	c->config = read_int(dir, "config", -1);
	c->chkstop = read_int(dir, "chkstop", -1);
	read_driver(dir, c->driver, sizeof(c->driver));
}

static int read_mask(const char *root, const char *name, u8 *mask)
{
	char path[PATH_MAX], buf[128];
	int rc;

	apx_pathf(path, sizeof(path), "%s/bus/ap/%s", root, name);
	rc = apx_read_file(path, buf, sizeof(buf));
	if (rc) {
		apx_err("cannot read %s: %s", path, strerror(-rc));
		return APX_EXIT_SYSTEM;
	}
	if (apx_mask_from_sysfs(buf, mask)) {
		apx_err("%s: '%s' is not an AP bus mask", path, buf);
		return APX_EXIT_SYSTEM;
	}
	return 0;
}

static void read_mdevs(struct apx_state *st, const char *root)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], line[64];
	struct dirent *de;
	unsigned int a, d;
	FILE *f;
	DIR *dp;

	apx_pathf(dir, sizeof(dir), "%s/devices/vfio_ap/matrix", root);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((de = readdir(dp)) && st->nmdev < APX_MAX_MDEVS) {
		if (de->d_name[0] == '.')
			continue;
		apx_pathf(path, sizeof(path), "%s/%s/matrix", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!st->mdev)
			st->mdev = calloc(APX_MAX_MDEVS, sizeof(*st->mdev));
		if (!st->mdev) {
			fclose(f);
			break;
		}
		apx_pathf(st->mdev[st->nmdev], sizeof(st->mdev[0]), "%s",
			 de->d_name);
		st->nmdev++;
		while (fgets(line, sizeof(line), f)) {
			char tail;

			if (sscanf(line, "%2x.%4x%c", &a, &d, &tail) != 3 ||
			    tail != '\n' || a >= APMX_NR_IDS ||
			    d >= APMX_NR_IDS)
				continue;
			apmx_mask_set(st->vfio_assigned.row[a], d);
			st->mdev_of[a][d] = st->nmdev;
		}
		fclose(f);
	}
	closedir(dp);
}

const char *apx_mdev_of(const struct apx_state *st, unsigned int a,
			unsigned int d)
{
	if (a >= APMX_NR_IDS || d >= APMX_NR_IDS ||
	    !apmx_mask_test(st->vfio_assigned.row[a], d))
		return NULL;
	return st->mdev[st->mdev_of[a][d] - 1];
}

/* Fill @st from @root; APX_EXIT_SYSTEM (with a message) if the AP bus
 * masks cannot be read.  Devices that cannot be read are left out.
 */
int apx_state_read(struct apx_state *st, const char *root)
{
	char dir[PATH_MAX], sub[PATH_MAX + 300];
	unsigned int a, d;
	struct dirent *de;
	DIR *dp;
	int rc;

	memset(st, 0, sizeof(*st));
	snprintf(st->root, sizeof(st->root), "%s", root);
	rc = read_mask(root, "apmask", st->apmask);
	if (!rc)
		rc = read_mask(root, "aqmask", st->aqmask);
	if (rc)
		return rc;
	snprintf(dir, sizeof(dir), "%s/bus/ap", root);
	st->max_adapter = read_int(dir, "ap_max_adapter_id", 255);
	st->max_domain = read_int(dir, "ap_max_domain_id", 255);
	if (st->max_adapter > KVM_S390_AP_MAX_ID)
		st->max_adapter = KVM_S390_AP_MAX_ID;
	if (st->max_domain > KVM_S390_AP_MAX_ID)
		st->max_domain = KVM_S390_AP_MAX_ID;
	read_mdevs(st, root);
	apx_pathf(dir, sizeof(dir), "%s/bus/ap/devices", root);
	dp = opendir(dir);
	if (!dp)
		return 0;	/* an AP bus without devices */
	while ((de = readdir(dp))) {
		char tail;

		apx_pathf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (sscanf(de->d_name, "card%2x%c", &a, &tail) == 1 &&
		    strlen(de->d_name) == 6 && a < APMX_NR_IDS) {
			read_card(&st->card[a], sub);
			continue;
		}
		if (sscanf(de->d_name, "%2x.%4x%c", &a, &d, &tail) != 2 ||
		    strlen(de->d_name) != 7 || a >= APMX_NR_IDS ||
		    d >= APMX_NR_IDS)
			continue;
		if (!st->row[a]) {
			st->row[a] = calloc(APMX_NR_IDS, sizeof(*st->row[a]));
			if (!st->row[a]) {
				closedir(dp);
				apx_err("out of memory");
				return APX_EXIT_SYSTEM;
			}
		}
		read_queue(&st->row[a][d], sub);
	}
	closedir(dp);
	return 0;
}

void apx_state_free(struct apx_state *st)
{
	unsigned int a;

	for (a = 0; a < APMX_NR_IDS; a++) {
		free(st->row[a]);
		st->row[a] = NULL;
	}
	free(st->mdev);
	st->mdev = NULL;
}

const struct apx_queue *apx_queue_get(const struct apx_state *st,
				      unsigned int a, unsigned int d)
{
	static const struct apx_queue absent;

	if (a >= APMX_NR_IDS || d >= APMX_NR_IDS || !st->row[a])
		return &absent;
	return &st->row[a][d];
}
