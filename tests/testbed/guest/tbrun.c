// SPDX-License-Identifier: GPL-2.0
/* Run a program of the initramfs and capture its output: see tbrun.h. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tb.h"
#include "tbrun.h"

int tb_run(char *const argv[], int uid, char *out, size_t len, int secs)
{
	double end = tb_now() + secs;
	size_t n = 0, cut = 0;
	int p[2], st, killed = 0, escaped = 0, exited;
	char sink[256];
	ssize_t r;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* its own process group: the limit kills what it started too */
		setpgid(0, 0);
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
	setpgid(pid, pid);
	close(p[1]);
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		int room = n + 1 < len;

		if (killed && tb_now() > end + 10) {
			escaped = 1;	/* outside the group, holding the pipe */
			break;
		}
		if (!killed && secs > 0 && tb_now() > end) {
			kill(-pid, SIGKILL);
			killed = 1;
		}
		if (poll(&pf, 1, 1000) < 0 && errno != EINTR)
			break;
		if (!(pf.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = room ? read(p[0], out + n, len - 1 - n) :
			   read(p[0], sink, sizeof(sink));
		if (r <= 0)
			break;
		if (room)
			n += r;
		else
			cut += r;
	}
	out[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	exited = !WIFSIGNALED(st);
	/* a kill at the limit is never a normal exit */
	if (killed && exited)
		st = SIGKILL;
	tb_print_cmd(argv, uid);
	tb_print_lines("#   ", out);
	if (cut)
		printf("#   (output truncated: %zu more bytes not kept)\n", cut);
	if (killed && exited)
		printf("#   (the program exited, but a process it left held its output after the time limit of %d s: killed)\n",
		       secs);
	else if (killed)
		printf("#   (killed: still running after the time limit of %d s)\n",
		       secs);
	if (escaped)
		printf("#   (not killed: a process outside its process group still holds its output)\n");
	fflush(stdout);
	return st;
}

void tb_print_cmd(char *const argv[], int uid)
{
	printf("# $");
	for (int i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf(uid >= 0 ? " (uid %d)\n" : "\n", uid);
	fflush(stdout);
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
