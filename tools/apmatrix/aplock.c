// SPDX-License-Identifier: GPL-2.0
/*
 * The AP configuration lock that s390-tools takes around apmask/aqmask
 * edits: chzdev (zdev/src/ap.c) and the mdevctl callout ap-check through
 * libap's ap_get_lock() (libap/ap.c, AP_LOCKFILE in include/lib/ap.h:
 * /run/lock/s390apconfig.lock), implemented in libutil/util_lockfile.c:
 * a temporary file holding "PID\n" is link()ed to the lock path; the lock
 * is held while the link exists.  A lock whose pid no longer exists
 * (kill(pid, 0) fails with ESRCH), or whose file still holds no pid two
 * minutes after it was made, is stale and removed.  Only the holder
 * removes it.  apmatrix free/return hold it from reading the masks to the
 * end of the change, so that an edit by chzdev or mdevctl cannot come in
 * between.  $APMATRIX_AP_LOCK overrides the path (tests).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "apmatrix.h"

#define APX_LOCK_WAITPID	120	/* s: util_lockfile.c WAITPID */
#define APX_LOCK_DELAY_US	30000	/* libap's AP_LOCK_DELAY_US */

static char apx_lock_path[512];

const char *apx_ap_lock_path(void)
{
	return apx_setting(NULL, "APMATRIX_AP_LOCK", APX_AP_LOCK);
}

/* The pid in @path, 0 if none yet, -1 if the file is gone. */
static int lock_owner(const char *path, time_t *mtime)
{
	char buf[40];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (fstat(fd, &st))
		st.st_mtime = 0;
	close(fd);
	*mtime = st.st_mtime;
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf);
}

/* Remove the lock at @path if it is stale (see above): true if so. */
static bool lock_stale(const char *path, int *holder)
{
	time_t mtime = 0;
	int pid = lock_owner(path, &mtime);

	*holder = pid;
	if (pid < 0)
		return true;	/* gone: try again at once */
	if (pid > 0 && kill(pid, 0) && errno == ESRCH) {
		unlink(path);
		return true;
	}
	if (pid == 0 && time(NULL) > mtime + APX_LOCK_WAITPID) {
		unlink(path);
		return true;
	}
	return false;
}

int apx_ap_lock(int timeout_s)
{
	const char *path = apx_ap_lock_path();
	char tmp[600], pid[24], dir[512], *slash;
	struct timespec t0, t;
	int fd, len, holder = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		/* /run/lock exists on every distribution; a bare /run not */
		if (mkdir(dir, 01777) == 0)
			chmod(dir, 01777);
	}
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s%05d%02x", path, (int)getpid(),
		 (unsigned int)time(NULL) & 255);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		apx_err("cannot take the AP configuration lock %s: %s: %s",
			path, tmp, strerror(errno));
		return -1;
	}
	if (write(fd, pid, len) != len || close(fd)) {
		apx_err("cannot take the AP configuration lock %s: writing %s failed",
			path, tmp);
		unlink(tmp);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (!link(tmp, path))
			break;
		if (errno != EEXIST) {
			apx_err("cannot take the AP configuration lock %s: %s",
				path, strerror(errno));
			unlink(tmp);
			return -1;
		}
		if (lock_stale(path, &holder))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= timeout_s) {
			apx_err("the AP configuration lock %s is held by pid %d (chzdev, mdevctl's ap-check or apmatrix) since more than %d s; nothing changed",
				path, holder, timeout_s);
			unlink(tmp);
			return -1;
		}
		usleep(APX_LOCK_DELAY_US);
	}
	unlink(tmp);
	snprintf(apx_lock_path, sizeof(apx_lock_path), "%s", path);
	return 0;
}

void apx_ap_unlock(void)
{
	time_t mtime;

	if (!apx_lock_path[0])
		return;
	/* only our own lock (util_lockfile.c do_lockfile_release()) */
	if (lock_owner(apx_lock_path, &mtime) == (int)getpid())
		unlink(apx_lock_path);
	apx_lock_path[0] = '\0';
}
