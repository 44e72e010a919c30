/*
 * AP id lists: the sets of adapters and domains of the ap-adapters,
 * ap-domains and ap-control-domains machine properties.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_S390X_AP_IDLIST_H
#define HW_S390X_AP_IDLIST_H

/* The highest AP adapter or domain id of any CRYCB format */
#define AP_IDLIST_MAX_ID    255
/* A set of ids 0..255: bit 7 of byte 0 is id 0, as in the CRYCB masks */
#define AP_IDLIST_BYTES     32

static inline bool ap_idlist_test(const uint8_t *mask, unsigned int id)
{
    return mask[id / 8] & (0x80 >> (id % 8));
}

static inline void ap_idlist_set(uint8_t *mask, unsigned int id)
{
    mask[id / 8] |= 0x80 >> (id % 8);
}

bool ap_idlist_empty(const uint8_t *mask);

/*
 * Parse @str, a list of ids and ranges ("0:3-5:0x10"; ':' or ',' between
 * the elements, decimal or 0x ids, the empty string for the empty set),
 * into @mask.  Every id must be at most @max_id.
 *
 * Returns 0 on success, -EINVAL for a syntax error and -ERANGE for an id
 * above @max_id; then @mask is unchanged and @errp names the offending
 * element and its 1-based position in @str.
 */
int ap_idlist_parse(const char *str, unsigned int max_id, uint8_t *mask,
                    Error **errp);

/*
 * The canonical form of @mask: maximal runs of ids in ascending order,
 * decimal, separated by ':' ("1:3-5:16"); "" for the empty set.
 */
char *ap_idlist_format(const uint8_t *mask);

#endif
