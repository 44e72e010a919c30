/* SPDX-License-Identifier: GPL-2.0 */
/* Run a program of the initramfs and capture its output (tbrun.c). */
#ifndef TBRUN_H
#define TBRUN_H

#include <stddef.h>

/*
 * Run @argv (argv[0] a path) with stdout+stderr into @out (NUL-terminated,
 * truncated to @len), echoed as "# " lines.  @uid >= 0: as that uid/gid
 * (setgroups(0), setgid, setuid) first.  Returns the wait status, or -1.
 */
int tb_run(char *const argv[], int uid, char *out, size_t len);
/* @text as lines, each printed after @prefix (e.g. "#   ": TAP comments) */
void tb_print_lines(const char *prefix, const char *text);
/* the exit code of a wait status, 128+signal, or -1 */
int tb_exitcode(int status);

#endif
