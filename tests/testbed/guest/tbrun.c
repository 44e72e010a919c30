// SPDX-License-Identifier: GPL-2.0
/* Run a program of the initramfs and capture its output: see tbrun.h. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tbrun.h"

int tb_run(char *const argv[], int uid, char *out, size_t len)
{
	size_t n = 0;
	int p[2], st;
	ssize_t r;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		if (uid >= 0 && (setgroups(0, NULL) || setgid(uid) ||
				 setuid(uid))) {
			perror("tb_run: setuid");
			_exit(126);
		}
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(p[1]);
	while (n + 1 < len && (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	/* drain what did not fit */
	{
		char sink[256];

		while (read(p[0], sink, sizeof(sink)) > 0)
			;
	}
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	printf("# $");
	for (int i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf(uid >= 0 ? " (uid %d)\n" : "\n", uid);
	tb_print_lines("#   ", out);
	return st;
}

void tb_print_lines(const char *prefix, const char *text)
{
	const char *l, *nl;

	for (l = text; *l; l = nl) {
		nl = strchr(l, '\n');
		if (!nl)
			nl = l + strlen(l);
		printf("%s%.*s\n", prefix, (int)(nl - l), l);
		if (*nl)
			nl++;
	}
	fflush(stdout);
}

int tb_exitcode(int status)
{
	if (status < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}
