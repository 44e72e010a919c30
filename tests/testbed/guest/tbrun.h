/* SPDX-License-Identifier: GPL-2.0 */
/* Run a program of the initramfs and capture its output (tbrun.c). */
#ifndef TBRUN_H
#define TBRUN_H

#include <stddef.h>

/*
 * The time limit the suites give one program they run: the programs take
 * seconds under TCG, a hang is killed long before the guest's timeout
 */
#define TB_RUN_SECS 300

/*
 * Run @argv (argv[0] a path) with stdout+stderr into @out (NUL-terminated,
 * truncated to @len; what did not fit is read and counted), echoed as "# "
 * lines.  @uid >= 0: as that uid/gid (setgroups(0), setgid, setuid) first.
 * @secs > 0: after that many seconds the program and its process group are
 * killed (SIGKILL), so that a hang costs this run and not the guest's whole
 * time; the status is then that of a SIGKILL even if the program itself
 * exited (what it left behind held its output).  Returns the wait status,
 * or -1.
 */
int tb_run(char *const argv[], int uid, char *out, size_t len, int secs);
/* "# $ ARGV... (uid @uid)" (@uid >= 0) or "# $ ARGV...": a command run */
void tb_print_cmd(char *const argv[], int uid);
/* @text as lines, each printed after @prefix (e.g. "#   ": TAP comments) */
void tb_print_lines(const char *prefix, const char *text);
/* the exit code of a wait status, 128+signal, or -1 */
int tb_exitcode(int status);

#endif
