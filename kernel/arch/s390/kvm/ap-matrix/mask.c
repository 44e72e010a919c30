// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apmx masks: 256-bit AP masks in architecture bit order.
 *
 * Id n lives in byte n / 8 under bit 0x80 >> (n % 8), the memory image of
 * the APCB and of QCI.  Only byte accesses are used, so the code is the
 * same on big- and little-endian hosts.
 */
#include <linux/types.h>
#include <linux/string.h>
#include "apmx.h"

static inline u8 apmx_bit(unsigned int id)
{
	return 0x80 >> (id % 8);
}

/**
 * apmx_mask_test() - is an id set in a mask
 * @mask: APMX_MASK_BYTES bytes
 * @id: the id; ids above KVM_S390_AP_MAX_ID are never set
 *
 * Return: true if @id is set.
 */
bool apmx_mask_test(const u8 *mask, unsigned int id)
{
	if (id >= APMX_NR_IDS)
		return false;
	return mask[id / 8] & apmx_bit(id);
}

/**
 * apmx_mask_set() - set an id in a mask
 * @mask: APMX_MASK_BYTES bytes
 * @id: the id; ids above KVM_S390_AP_MAX_ID are ignored
 */
void apmx_mask_set(u8 *mask, unsigned int id)
{
	if (id < APMX_NR_IDS)
		mask[id / 8] |= apmx_bit(id);
}

/**
 * apmx_mask_clear() - clear an id in a mask
 * @mask: APMX_MASK_BYTES bytes
 * @id: the id; ids above KVM_S390_AP_MAX_ID are ignored
 */
void apmx_mask_clear(u8 *mask, unsigned int id)
{
	if (id < APMX_NR_IDS)
		mask[id / 8] &= ~apmx_bit(id);
}

/**
 * apmx_mask_next() - find the next set id
 * @mask: APMX_MASK_BYTES bytes
 * @from: the first id to look at
 *
 * Return: the lowest set id >= @from, or APMX_NR_IDS if there is none.
 */
unsigned int apmx_mask_next(const u8 *mask, unsigned int from)
{
	unsigned int id = from;
	u8 byte;

	while (id < APMX_NR_IDS) {
		/* the bits of this byte at and after @id */
		byte = mask[id / 8] & (0xff >> (id % 8));
		if (!byte) {
			id = (id / 8 + 1) * 8;
			continue;
		}
		id = id / 8 * 8;
		while (!(byte & 0x80)) {
			byte <<= 1;
			id++;
		}
		return id;
	}
	return APMX_NR_IDS;
}

/**
 * apmx_mask_last() - find the highest set id
 * @mask: APMX_MASK_BYTES bytes
 *
 * Return: the highest set id, or -1 if @mask is empty.
 */
int apmx_mask_last(const u8 *mask)
{
	int i;
	u8 byte;
	int id;

	for (i = APMX_MASK_BYTES - 1; i >= 0; i--) {
		byte = mask[i];
		if (!byte)
			continue;
		id = i * 8 + 7;
		while (!(byte & 1)) {
			byte >>= 1;
			id--;
		}
		return id;
	}
	return -1;
}

/**
 * apmx_mask_weight() - count the set ids
 * @mask: APMX_MASK_BYTES bytes
 *
 * Return: the number of ids set in @mask (0 to 256).
 */
unsigned int apmx_mask_weight(const u8 *mask)
{
	unsigned int n = 0;
	unsigned int i;
	u8 byte;

	for (i = 0; i < APMX_MASK_BYTES; i++)
		for (byte = mask[i]; byte; byte &= byte - 1)
			n++;
	return n;
}

/**
 * apmx_mask_empty() - test a mask for emptiness
 * @mask: APMX_MASK_BYTES bytes
 *
 * Return: true if no id is set.
 */
bool apmx_mask_empty(const u8 *mask)
{
	unsigned int i;

	for (i = 0; i < APMX_MASK_BYTES; i++)
		if (mask[i])
			return false;
	return true;
}

/**
 * apmx_mask_clip() - clear every id above a limit
 * @mask: APMX_MASK_BYTES bytes
 * @max_id: the highest id to keep; KVM_S390_AP_MAX_ID or more keeps all
 */
void apmx_mask_clip(u8 *mask, unsigned int max_id)
{
	unsigned int i;

	if (max_id >= APMX_NR_IDS - 1)
		return;
	/* keep bits 0 .. max_id % 8 of byte max_id / 8 (leftmost first) */
	mask[max_id / 8] &= (u8)(0xff00 >> (max_id % 8 + 1));
	for (i = max_id / 8 + 1; i < APMX_MASK_BYTES; i++)
		mask[i] = 0;
}

/**
 * apmx_mask_and() - intersect two masks
 * @dst: the result, APMX_MASK_BYTES bytes; may be @a or @b
 * @a: first operand
 * @b: second operand
 */
void apmx_mask_and(u8 *dst, const u8 *a, const u8 *b)
{
	unsigned int i;

	for (i = 0; i < APMX_MASK_BYTES; i++)
		dst[i] = a[i] & b[i];
}

/**
 * apmx_mask_intersects() - test two masks for a common id
 * @a: first mask
 * @b: second mask
 *
 * Return: true if some id is set in both.
 */
bool apmx_mask_intersects(const u8 *a, const u8 *b)
{
	unsigned int i;

	for (i = 0; i < APMX_MASK_BYTES; i++)
		if (a[i] & b[i])
			return true;
	return false;
}
