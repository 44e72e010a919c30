/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The id-list test vectors every implementation of the apmatrix id-list
 * syntax passes (docs/id-list-syntax.md).  Provisional copy: the table
 * of the core's tests replaces it.
 *
 * APMX_IDLIST_OK(input, max, canonical)
 * APMX_IDLIST_ERR(input, max, errname, pos, msg)
 */
APMX_IDLIST_OK("", 255, "")
APMX_IDLIST_OK("7", 255, "7")
APMX_IDLIST_OK("1,3-5,16", 255, "1:3-5:16")
APMX_IDLIST_OK("4,3", 255, "3-4")
APMX_IDLIST_OK("1-5:2-7", 255, "1-7")
APMX_IDLIST_OK("3:3", 255, "3")
APMX_IDLIST_OK("0x0a-0x0C", 255, "10-12")
APMX_IDLIST_OK("010", 255, "10")
APMX_IDLIST_OK("0008-0010", 255, "8-10")
APMX_IDLIST_OK("0x10", 255, "16")
APMX_IDLIST_OK("0x0a", 255, "10")
APMX_IDLIST_OK("0x5", 255, "5")
APMX_IDLIST_OK("0x10:1", 255, "1:16")
APMX_IDLIST_OK("0XfF", 255, "255")
APMX_IDLIST_OK("0-255", 255, "0-255")
APMX_IDLIST_OK("15", 15, "15")
APMX_IDLIST_ERR("256", 255, ERANGE, 1,
                "'256' at position 1: id 256 is above the highest id 255")
APMX_IDLIST_ERR("16", 15, ERANGE, 1,
                "'16' at position 1: id 16 is above the highest id 15")
APMX_IDLIST_ERR("99999999999999999999", 255, ERANGE, 1,
                "'99999999999999999999' at position 1: "
                "id is above the highest id 255")
APMX_IDLIST_ERR("-1", 255, EINVAL, 1,
                "'-1' at position 1: range start missing")
APMX_IDLIST_ERR("3-", 255, EINVAL, 1,
                "'3-' at position 1: range end missing")
APMX_IDLIST_ERR("1:2:4-3", 255, EINVAL, 5,
                "'4-3' at position 5: range start 4 is above end 3")
APMX_IDLIST_ERR("1-2-3", 255, EINVAL, 1,
                "'1-2-3' at position 1: more than one '-'")
APMX_IDLIST_ERR("0x", 255, EINVAL, 1,
                "'0x' at position 1: no hex digits after 0x")
APMX_IDLIST_ERR("0x1g", 255, EINVAL, 1,
                "'0x1g' at position 1: 'g' is not a hex digit")
APMX_IDLIST_ERR("abc", 255, EINVAL, 1,
                "'abc' at position 1: 'a' is not a decimal digit")
APMX_IDLIST_ERR("1,,2", 255, EINVAL, 3,
                "'' at position 3: empty element (stray separator)")
APMX_IDLIST_ERR("1:", 255, EINVAL, 3,
                "'' at position 3: empty element (stray separator)")
APMX_IDLIST_ERR(":1", 255, EINVAL, 1,
                "'' at position 1: empty element (stray separator)")
APMX_IDLIST_ERR(" 1", 255, EINVAL, 1,
                "' 1' at position 1: blanks are not allowed")
APMX_IDLIST_ERR("1 ", 255, EINVAL, 1,
                "'1 ' at position 1: blanks are not allowed")
APMX_IDLIST_ERR("0x100", 255, ERANGE, 1,
                "'0x100' at position 1: id 256 is above the highest id 255")
APMX_IDLIST_ERR("0x10", 15, ERANGE, 1,
                "'0x10' at position 1: id 16 is above the highest id 15")
