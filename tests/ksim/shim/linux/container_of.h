/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/container_of.h> */
#ifndef container_of
#include <stddef.h>
/* include/linux/container_of.h: container_of(), without the type check */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif
