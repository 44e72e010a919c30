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
 *
 * /run/lock is writable by everybody: what is at the lock path and not a
 * regular file (a FIFO, whose read would block for ever; a symbolic link
 * to anywhere) is refused at once, and the lock file is read without
 * blocking (apx_open_regular()).  Removing a stale lock races with
 * another tool that removes it too and takes the lock anew in between
 * (util_lockfile.c has the same race): the file is removed only if it is
 * still the one read (same inode), which leaves the few instructions
 * between that check and unlink().
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

/*
 * The pid in the lock file @path (@st its stat): > 0, 0 if none yet, -1
 * if the file is gone, -2 if it cannot be read or is no regular file
 * (with a message naming it if @report).
 */
static int lock_owner(const char *path, struct stat *st, bool report)
{
	const char *kind;
	char buf[40];
	ssize_t n;
	int fd;

	fd = apx_open_regular(path, st, &kind);
	if (fd == -1 && errno == ENOENT)
		return -1;
	if (fd < 0) {
		if (report && kind)
			apx_err("the AP configuration lock %s is %s, not a lock file; nothing changed (remove it if no chzdev or mdevctl runs)",
				path, kind);
		else if (report)
			apx_err("cannot read the AP configuration lock %s: %s; nothing changed",
				path, strerror(errno));
		return -2;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atoi(buf);
}

/* Remove @path if it is still the file @st was taken of. */
static void lock_remove(const char *path, const struct stat *st)
{
	struct stat now;

	if (!lstat(path, &now) && now.st_dev == st->st_dev &&
	    now.st_ino == st->st_ino)
		unlink(path);
}

/*
 * Is the lock at @path stale (see above)?  1 if it was removed or is
 * gone, 0 if it is held (by *@holder), -1 after a message if it is no
 * lock file.
 */
static int lock_stale(const char *path, int *holder)
{
	struct stat st;
	int pid = lock_owner(path, &st, true);

	if (pid == -1)
		return 1;	/* gone: try again */
	if (pid == -2)
		return -1;
	*holder = pid;
	if ((pid > 0 && kill(pid, 0) && errno == ESRCH) ||
	    (pid == 0 && time(NULL) > st.st_mtime + APX_LOCK_WAITPID)) {
		lock_remove(path, &st);
		return 1;
	}
	return 0;
}

int apx_ap_lock(int timeout_s)
{
	const char *path = apx_ap_lock_path();
	char tmp[600], pid[24], dir[512], *slash;
	struct timespec t0, t;
	int fd, len, stale, holder = 0;

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
		stale = lock_stale(path, &holder);
		if (stale < 0) {
			unlink(tmp);
			return -1;
		}
		/* also when it came and went: --wait bounds every wait */
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= timeout_s) {
			apx_err("the AP configuration lock %s is held by pid %d (chzdev, mdevctl's ap-check or apmatrix) since more than %d s; nothing changed",
				path, holder, timeout_s);
			unlink(tmp);
			return -1;
		}
		if (!stale)
			usleep(APX_LOCK_DELAY_US);
	}
	unlink(tmp);
	snprintf(apx_lock_path, sizeof(apx_lock_path), "%s", path);
	return 0;
}

void apx_ap_unlock(void)
{
	struct stat st;

	if (!apx_lock_path[0])
		return;
	/* only our own lock (util_lockfile.c do_lockfile_release()) */
	if (lock_owner(apx_lock_path, &st, false) == (int)getpid())
		lock_remove(apx_lock_path, &st);
	apx_lock_path[0] = '\0';
}
