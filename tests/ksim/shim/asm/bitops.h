/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim shim of the MSB-0 bitmap helpers of arch/s390/include/asm/bitops.h:
 * bit nr of an unsigned long bitmap is bit (nr ^ (BITS_PER_LONG - 1)) in
 * the usual numbering, so bit 0 is the leftmost bit of the first long.
 * Written here for any host: on s390 (big endian) the bitmap's bytes are
 * the architecture's MSB-0 masks, on a little-endian host they are not,
 * and code that treats the two as the same fails there.
 */
#ifndef _KSIM_ASM_BITOPS_H
#define _KSIM_ASM_BITOPS_H
#include "../ksim.h"

static inline unsigned long ksim_inv(unsigned long nr)
{
	return nr ^ (BITS_PER_LONG - 1);
}

/* arch/s390/include/asm/bitops.h test_bit_inv() */
static inline bool test_bit_inv(unsigned long nr, const unsigned long *ptr)
{
	unsigned long b = ksim_inv(nr);

	return (ptr[b / BITS_PER_LONG] >> (b % BITS_PER_LONG)) & 1;
}

/* arch/s390/include/asm/bitops.h set_bit_inv() (not atomic here) */
static inline void set_bit_inv(unsigned long nr, unsigned long *ptr)
{
	unsigned long b = ksim_inv(nr);

	ptr[b / BITS_PER_LONG] |= 1UL << (b % BITS_PER_LONG);
}

/* arch/s390/include/asm/bitops.h clear_bit_inv() (not atomic here) */
static inline void clear_bit_inv(unsigned long nr, unsigned long *ptr)
{
	unsigned long b = ksim_inv(nr);

	ptr[b / BITS_PER_LONG] &= ~(1UL << (b % BITS_PER_LONG));
}

/* arch/s390/lib/find.c find_next_bit_inv(): @size if there is none */
static inline unsigned long find_next_bit_inv(const unsigned long *addr,
					      unsigned long size,
					      unsigned long offset)
{
	for (; offset < size; offset++)
		if (test_bit_inv(offset, addr))
			return offset;
	return size;
}

static inline unsigned long find_first_bit_inv(const unsigned long *addr,
					       unsigned long size)
{
	return find_next_bit_inv(addr, size, 0);
}

/* arch/s390/include/asm/bitops.h for_each_set_bit_inv() */
#define for_each_set_bit_inv(bit, addr, size)				\
	for ((bit) = find_first_bit_inv((addr), (size));		\
	     (bit) < (size);						\
	     (bit) = find_next_bit_inv((addr), (size), (bit) + 1))
#endif
