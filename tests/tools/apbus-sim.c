// SPDX-License-Identifier: GPL-2.0
/*
 * apbus-sim: an LD_PRELOAD model of the AP bus's apmask and aqmask stores
 * for the apmatrix(8) tests, on the plain files of the simulated sysfs
 * tree ($APMATRIX_SYSFS, tests/tools/mksysfs).
 *
 * write() to $APMATRIX_SYSFS/bus/ap/apmask or aqmask is answered as Linux
 * 6.1 drivers/s390/crypto/ap_bus.c apmask_store()/aqmask_store() answer
 * it: the text goes through ap_parse_bitmap_str() (its one model,
 * tests/shim/ap-bitmap-str.c, shared with ksim's AP bus), relative ("+"
 * or "-" first: modify_bitmap(), terms "+N", "+N-M", "-N", ... separated by ","
 * or newlines, numbers in any base simple_strtoul(..., 0) reads, each
 * below 256, N <= M) or absolute (hex2bitmap(): an optional "0x", hex
 * digits from bit 0 on, at most 256 bits, an optional newline, nothing
 * else); anything else fails with EINVAL and changes nothing.  The
 * result is stored as apmask_show() shows it ("0x" + 64 hex digits +
 * "\n").  (The in_use() veto is failwrite.so's part.)
 *
 * $APBUS_SIM_CONCURRENT="apmask:TEXT" or "aqmask:TEXT": before the first
 * store of this process, TEXT is stored into that mask as if another
 * tool had written it between the caller's read and its write.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ap-bitmap-str.h"

#define BITS	(APSIM_MASK_BYTES * 8)

typedef unsigned char u8;

static int read_mask(const char *path, u8 *m)
{
	static const u8 zero[BITS / 8];
	char buf[128];
	ssize_t n;
	int fd;

	memset(m, 0, BITS / 8);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* mksysfs creating it */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* as apmask_show() wrote it: the absolute form, never an edit */
	if (buf[0] == '+' || buf[0] == '-')
		return -EINVAL;
	return apsim_parse_bitmap_str(buf, zero, m);
}

static int store(int fd, const char *path, const char *text)
{
	u8 cur[BITS / 8], new[BITS / 8];
	char out[2 + 64 + 2];
	int i, rc;

	rc = read_mask(path, cur);
	if (!rc)
		rc = apsim_parse_bitmap_str(text, cur, new);
	if (rc)
		return rc;
	/* apmask_show(): "0x%016lx%016lx%016lx%016lx\n" */
	strcpy(out, "0x");
	for (i = 0; i < BITS / 8; i++)
		sprintf(out + 2 + 2 * i, "%02x", new[i]);
	strcat(out, "\n");
	if (fd >= 0) {
		if (pwrite(fd, out, strlen(out), 0) != (ssize_t)strlen(out) ||
		    ftruncate(fd, strlen(out)))
			return -EIO;
		return 0;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = pwrite(fd, out, strlen(out), 0) == (ssize_t)strlen(out) &&
	     !ftruncate(fd, strlen(out)) ? 0 : -EIO;
	close(fd);
	return rc;
}

/* "apmask" or "aqmask" if @fd is one of the simulated tree's, else NULL */
static const char *mask_name(int fd, char *path, size_t len)
{
	const char *root = getenv("APMATRIX_SYSFS");
	char link[64], want[PATH_MAX];
	size_t rl;
	ssize_t n;

	if (!root || !realpath(root, want))
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, len - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	rl = strlen(want);
	if (strncmp(path, want, rl))
		return NULL;
	if (!strcmp(path + rl, "/bus/ap/apmask"))
		return "apmask";
	if (!strcmp(path + rl, "/bus/ap/aqmask"))
		return "aqmask";
	return NULL;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real_write)(int, const void *, size_t);
	static bool concurrent_done;
	const char *conc = getenv("APBUS_SIM_CONCURRENT");
	char path[PATH_MAX], text[4096];
	const char *name;
	int rc;

	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))
			     dlsym(RTLD_NEXT, "write");
	if (fd < 3 || !(name = mask_name(fd, path, sizeof(path))))
		return real_write(fd, buf, len);
	if (len >= sizeof(text)) {
		errno = EINVAL;
		return -1;
	}
	if (conc && !concurrent_done) {
		char other[PATH_MAX];
		const char *colon = strchr(conc, ':');

		concurrent_done = true;
		if (colon) {
			snprintf(other, sizeof(other), "%.*s%.*s",
				 (int)(strlen(path) - 6), path,
				 (int)(colon - conc), conc);
			if (store(-1, other, colon + 1))
				abort();	/* a broken test */
		}
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	rc = store(fd, path, text);
	if (rc) {
		errno = -rc;
		return -1;
	}
	return len;
}
