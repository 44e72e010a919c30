/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/container_of.h> */
#ifndef container_of
#include <stddef.h>
/*
 * include/linux/container_of.h container_of(), verbatim: @ptr must point
 * to the type of @member (or be void *), else the build fails.
 */
#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	_Static_assert(__builtin_types_compatible_p(__typeof__(*(ptr)),	\
			__typeof__(((type *)0)->member)) ||		\
		       __builtin_types_compatible_p(__typeof__(*(ptr)),	\
			void),						\
		       "pointer type mismatch in container_of()");	\
	((type *)(__mptr - offsetof(type, member))); })
#endif
