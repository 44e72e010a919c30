// SPDX-License-Identifier: GPL-2.0
/*
 * failwrite: an LD_PRELOAD library for the apmatrix(8) tests that makes
 * write() to a file whose name is in $FAILWRITE_NAME (names separated by
 * ":") fail with $FAILWRITE_ERRNO (default EBUSY), as a real
 * apmask_store() or aqmask_store() (Linux 6.1
 * drivers/s390/crypto/ap_bus.c) fails when a non-default driver's
 * in_use() vetoes the change.  With $FAILWRITE_AFTER=N the first N writes
 * to any of these files succeed (to fail a roll-back).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real_write)(int, const void *, size_t);
	static int passed;
	const char *name = getenv("FAILWRITE_NAME");
	const char *after = getenv("FAILWRITE_AFTER");
	const char *err = getenv("FAILWRITE_ERRNO");
	char link[64], path[PATH_MAX];
	const char *base;
	size_t bl;
	ssize_t n;

	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))
			     dlsym(RTLD_NEXT, "write");
	if (!name || fd < 3)
		return real_write(fd, buf, len);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return real_write(fd, buf, len);
	path[n] = '\0';
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	bl = strlen(base);
	for (;;) {
		if (!strncmp(name, base, bl) &&
		    (name[bl] == ':' || !name[bl]))
			break;
		name = strchr(name, ':');
		if (!name)
			return real_write(fd, buf, len);
		name++;
	}
	if (after && passed < atoi(after)) {
		passed++;
		return real_write(fd, buf, len);
	}
	errno = err ? atoi(err) : EBUSY;
	return -1;
}
