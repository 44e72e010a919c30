/* SPDX-License-Identifier: GPL-2.0 */
/* ksim shim of <linux/err.h>: see ../ksim.h */
#include "../ksim.h"

#ifndef _KSIM_LINUX_ERR_H
#define _KSIM_LINUX_ERR_H
/* include/linux/err.h: IS_ERR_OR_NULL(), PTR_ERR_OR_ZERO() */
static inline bool __must_check IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}

static inline int __must_check PTR_ERR_OR_ZERO(const void *ptr)
{
	return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0;
}
#endif
