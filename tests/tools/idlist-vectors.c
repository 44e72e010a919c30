// SPDX-License-Identifier: GPL-2.0
/*
 * idlist-vectors APMATRIX: run apmatrix(8) on every shared id-list vector
 * (kernel/arch/s390/kvm/ap-matrix/apmx-idlist-vectors.h) whose highest id
 * is 255, the tool's, as "apmatrix check -a 6 -d INPUT" against the
 * simulated sysfs tree of $APMATRIX_SYSFS.  A valid list must exit 0 or 1
 * with the summary line naming the canonical form ("adapters 6, domains
 * CANONICAL, ..."); a refused one must exit 2 with the line
 * "apmatrix: domains 'INPUT': MSG".  Prints "PASS: ..." / "FAIL: ..." per
 * vector and a last line "vectors: N".  The empty list is left out: for
 * check, "-d ''" means no domains given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct vector {
	const char *input;
	unsigned int max;
	const char *canonical;	/* NULL: refused */
	const char *msg;
};

static const struct vector vectors[] = {
#define APMX_IDLIST_OK(input, max, canonical)	{ input, max, canonical, NULL },
#define APMX_IDLIST_ERR(input, max, errname, pos, msg)	\
	{ input, max, NULL, msg },
#include "apmx-idlist-vectors.h"
#undef APMX_IDLIST_OK
#undef APMX_IDLIST_ERR
};

/* Read all of @fd into a NUL-terminated malloc'ed buffer. */
static char *slurp(int fd)
{
	size_t len = 0, size = 4096;
	char *buf = malloc(size);
	ssize_t n;

	if (!buf)
		exit(2);
	for (;;) {
		if (len + 1 >= size) {
			size *= 2;
			buf = realloc(buf, size);
			if (!buf)
				exit(2);
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return buf;
}

/* Run @tool check -a 6 -d @input; stdout and stderr into @out, @err. */
static int run(const char *tool, const char *input, char **out, char **err)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int status;
	pid_t pid;

	if (!fo || !fe)
		exit(2);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (!pid) {
		dup2(fileno(fo), 1);
		dup2(fileno(fe), 2);
		execl(tool, tool, "check", "-a", "6", "-d", input, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		exit(2);
	rewind(fo);
	rewind(fe);
	*out = slurp(fileno(fo));
	*err = slurp(fileno(fe));
	fclose(fo);
	fclose(fe);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The input for a test name: '?' for anything not printable. */
static void name_of(const char *input, char *name, size_t len)
{
	size_t i;

	for (i = 0; input[i] && i + 1 < len; i++)
		name[i] = input[i] > ' ' && input[i] < 0x7f ? input[i] : '?';
	name[i] = '\0';
}

int main(int argc, char **argv)
{
	char name[128], want[1024], *out, *err;
	unsigned int i, n = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: idlist-vectors APMATRIX\n");
		return 2;
	}
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];

		if (v->max != 255 || !v->input[0])
			continue;
		n++;
		name_of(v->input, name, sizeof(name));
		rc = run(argv[1], v->input, &out, &err);
		if (v->canonical) {
			snprintf(want, sizeof(want),
				 "adapters 6, domains %s, control domains none: ",
				 v->canonical);
			if ((rc == 0 || rc == 1) && !strncmp(out, want, strlen(want)))
				printf("PASS: vector '%s' -> '%s'\n", name,
				       v->canonical);
			else
				printf("FAIL: vector '%s': exit %d, stdout '%.200s', wanted '%s...'\n",
				       name, rc, out, want);
		} else {
			snprintf(want, sizeof(want),
				 "apmatrix: domains '%s': %s\n", v->input,
				 v->msg);
			if (rc == 2 && strstr(err, want))
				printf("PASS: vector '%s' refused\n", name);
			else
				printf("FAIL: vector '%s': exit %d, stderr '%.300s', wanted '%s'\n",
				       name, rc, err, want);
			/* (a FAIL line may span lines: only its first counts) */
		}
		free(out);
		free(err);
	}
	printf("vectors: %u\n", n);
	return 0;
}
