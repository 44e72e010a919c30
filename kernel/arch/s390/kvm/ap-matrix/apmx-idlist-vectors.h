/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The test vectors of the apmatrix id-list syntax (docs/id-list-syntax.md),
 * the one table that every implementation of it must pass: the core's
 * apmx_idlist_parse() and apmx_idlist_format() (idlist.c) in the userspace
 * tests and in KUnit, the tools, and QEMU's parser of its ap-* properties.
 *
 * An X-macro table: define both macros, include this file, undefine them.
 *
 *   APMX_IDLIST_OK(input, max, canonical)
 *     parsing the string @input with the highest id @max succeeds, and
 *     formatting the result gives the string @canonical
 *   APMX_IDLIST_ERR(input, max, errname, pos, msg)
 *     parsing @input with the highest id @max fails with errno @errname
 *     (the bare token EINVAL or ERANGE), the offending element starts at
 *     the 1-based position @pos of @input, and the message is @msg
 *
 * @max may be above 255, the highest id there is; it then acts as 255.
 * Every line starts at column 0 and holds no tab, so that both the
 * kernel's and QEMU's checkpatch accept the file.  A vector too long for
 * one line continues on the next ones, its first line ending in a comment
 * (checkpatch would otherwise ask for an alignment that needs tabs); a
 * message too long for a line stands alone on its line, never split.
 * There is no include guard: the file is meant to be included more than
 * once.
 */

/* ---- valid lists and their canonical form ---- */

/* the empty set */
APMX_IDLIST_OK("", 255, "")
APMX_IDLIST_OK("0", 255, "0")
APMX_IDLIST_OK("255", 255, "255")
APMX_IDLIST_OK("15", 15, "15")
APMX_IDLIST_OK("63", 63, "63")
APMX_IDLIST_OK("1:3-5:16", 255, "1:3-5:16")
APMX_IDLIST_OK("1,3-5,16", 255, "1:3-5:16")
APMX_IDLIST_OK("16,3-5:0", 255, "0:3-5:16")

/* separators may be mixed */
APMX_IDLIST_OK("1:2,3", 255, "1-3")

/* order does not matter */
APMX_IDLIST_OK("4,3", 255, "3-4")

/* a run of two is a range */
APMX_IDLIST_OK("3:4", 255, "3-4")

/* duplicates */
APMX_IDLIST_OK("3:3:3", 255, "3")

/* overlapping ranges */
APMX_IDLIST_OK("1-5:2-7", 255, "1-7")
APMX_IDLIST_OK("7-7", 255, "7")
APMX_IDLIST_OK("0-255", 255, "0-255")
APMX_IDLIST_OK("0-15", 15, "0-15")
APMX_IDLIST_OK("0-63", 63, "0-63")

/* decimal: leading zeros, never octal */
APMX_IDLIST_OK("010", 255, "10")
APMX_IDLIST_OK("00", 255, "0")
APMX_IDLIST_OK("0008-0010", 255, "8-10")
APMX_IDLIST_OK("010:0x10", 255, "10:16")

/* a 0x token is one hex id, also alone */
APMX_IDLIST_OK("0x10", 255, "16")
APMX_IDLIST_OK("0x0a", 255, "10")
APMX_IDLIST_OK("0X0A", 255, "10")
APMX_IDLIST_OK("0x5", 255, "5")
APMX_IDLIST_OK("0x80", 255, "128")
APMX_IDLIST_OK("0xFf", 255, "255")
APMX_IDLIST_OK("0x0", 255, "0")
APMX_IDLIST_OK("0x00", 255, "0")
APMX_IDLIST_OK("0xf", 15, "15")
APMX_IDLIST_OK("0X0001", 15, "1")
APMX_IDLIST_OK("0x3f", 63, "63")
APMX_IDLIST_OK("0x0000000000000001", 63, "1")
APMX_IDLIST_OK(/* continued */
"0x00000000000000000000000000000000000000000000000000000000000000001",
255, "1")

/* hex ids in lists and ranges */
APMX_IDLIST_OK("0x10:1", 255, "1:16")
APMX_IDLIST_OK("0x0a-0x0C", 255, "10-12")
APMX_IDLIST_OK("0X1f:0xFF", 255, "31:255")
APMX_IDLIST_OK("0x10-0x10", 255, "16")
APMX_IDLIST_OK("0x5:0", 255, "0:5")
APMX_IDLIST_OK("3-5,255,0x40", 255, "3-5:64:255")

/* a highest id above 255 acts as 255 */
APMX_IDLIST_OK("255", 1000, "255")
APMX_IDLIST_OK("0:0x0", 0, "0")

/* ---- refused lists: errno, position and message ---- */

/* ids above the highest id */
APMX_IDLIST_ERR("256", 255, ERANGE, 1, /* continued */
"'256' at position 1: id 256 is above the highest id 255")
APMX_IDLIST_ERR("16", 15, ERANGE, 1, /* continued */
"'16' at position 1: id 16 is above the highest id 15")
APMX_IDLIST_ERR("1:64", 63, ERANGE, 3, /* continued */
"'64' at position 3: id 64 is above the highest id 63")
APMX_IDLIST_ERR("1:0", 0, ERANGE, 1, /* continued */
"'1' at position 1: id 1 is above the highest id 0")
APMX_IDLIST_ERR("2-300", 255, ERANGE, 1, /* continued */
"'2-300' at position 1: id 300 is above the highest id 255")
APMX_IDLIST_ERR("0x100:1", 255, ERANGE, 1, /* continued */
"'0x100' at position 1: id 256 is above the highest id 255")

/* a lone 0x token is one id, never a mask */
APMX_IDLIST_ERR("0xffff", 255, ERANGE, 1, /* continued */
"'0xffff' at position 1: id 65535 is above the highest id 255")
APMX_IDLIST_ERR("0x00010", 15, ERANGE, 1, /* continued */
"'0x00010' at position 1: id 16 is above the highest id 15")
APMX_IDLIST_ERR("0x0000000000000000ff", 63, ERANGE, 1, /* continued */
"'0x0000000000000000ff' at position 1: id 255 is above the highest id 63")
APMX_IDLIST_ERR(/* continued */
"0x8000000000000000000000000000000000000000",
255, ERANGE, 1,
"'0x80000000000000000000000000000000000000...' at position 1: id is above the highest id 255"
)
APMX_IDLIST_ERR(/* continued */
"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
255, ERANGE, 1,
"'0xffffffffffffffffffffffffffffffffffffff...' at position 1: id is above the highest id 255"
)

/* huge values: no wrap-around to a small id */
APMX_IDLIST_ERR("65535", 255, ERANGE, 1, /* continued */
"'65535' at position 1: id 65535 is above the highest id 255")
APMX_IDLIST_ERR("65536", 255, ERANGE, 1, /* continued */
"'65536' at position 1: id is above the highest id 255")
APMX_IDLIST_ERR("99999999999999999999", 255, ERANGE, 1, /* continued */
"'99999999999999999999' at position 1: id is above the highest id 255")
APMX_IDLIST_ERR("4294967296", 255, ERANGE, 1, /* continued */
"'4294967296' at position 1: id is above the highest id 255")
APMX_IDLIST_ERR("18446744073709551617", 255, ERANGE, 1, /* continued */
"'18446744073709551617' at position 1: id is above the highest id 255")
APMX_IDLIST_ERR("1:0x100000001", 255, ERANGE, 3, /* continued */
"'0x100000001' at position 3: id is above the highest id 255")
APMX_IDLIST_ERR("1-99999999999999999999", 255, ERANGE, 1, /* continued */
"'1-99999999999999999999' at position 1: id is above the highest id 255")

/* ranges */
APMX_IDLIST_ERR("-1", 255, EINVAL, 1, "'-1' at position 1: range start missing")
APMX_IDLIST_ERR("-", 255, EINVAL, 1, "'-' at position 1: range start missing")
APMX_IDLIST_ERR("3-", 255, EINVAL, 1, "'3-' at position 1: range end missing")
APMX_IDLIST_ERR("1-2-3", 255, EINVAL, 1, /* continued */
"'1-2-3' at position 1: more than one '-'")
APMX_IDLIST_ERR("4-3", 255, EINVAL, 1, /* continued */
"'4-3' at position 1: range start 4 is above end 3")
APMX_IDLIST_ERR("5-3", 255, EINVAL, 1, /* continued */
"'5-3' at position 1: range start 5 is above end 3")
APMX_IDLIST_ERR("1:2:4-3", 255, EINVAL, 5, /* continued */
"'4-3' at position 5: range start 4 is above end 3")
APMX_IDLIST_ERR("16,5-3", 255, EINVAL, 4, /* continued */
"'5-3' at position 4: range start 5 is above end 3")
APMX_IDLIST_ERR("300-2", 255, EINVAL, 1, /* continued */
"'300-2' at position 1: range start 300 is above end 2")
APMX_IDLIST_ERR("99999999999999999999-1", 255, EINVAL, 1, /* continued */
"'99999999999999999999-1' at position 1: range start is above end 1")
APMX_IDLIST_ERR("0x10000000000000000-1", 255, EINVAL, 1, /* continued */
"'0x10000000000000000-1' at position 1: range start is above end 1")

/* digits */
APMX_IDLIST_ERR("0x", 255, EINVAL, 1, /* continued */
"'0x' at position 1: no hex digits after 0x")
APMX_IDLIST_ERR("1:0x", 255, EINVAL, 3, /* continued */
"'0x' at position 3: no hex digits after 0x")
APMX_IDLIST_ERR("1-0x", 255, EINVAL, 1, /* continued */
"'1-0x' at position 1: no hex digits after 0x")
APMX_IDLIST_ERR("0x-3", 255, EINVAL, 1, /* continued */
"'0x-3' at position 1: no hex digits after 0x")
APMX_IDLIST_ERR("x-3", 255, EINVAL, 1, /* continued */
"'x-3' at position 1: 'x' is not a decimal digit")
APMX_IDLIST_ERR("0x1g", 255, EINVAL, 1, /* continued */
"'0x1g' at position 1: 'g' is not a hex digit")
APMX_IDLIST_ERR("1:0x1g", 255, EINVAL, 3, /* continued */
"'0x1g' at position 3: 'g' is not a hex digit")
APMX_IDLIST_ERR("0x1-0xg", 255, EINVAL, 1, /* continued */
"'0x1-0xg' at position 1: 'g' is not a hex digit")
APMX_IDLIST_ERR("abc", 255, EINVAL, 1, /* continued */
"'abc' at position 1: 'a' is not a decimal digit")
APMX_IDLIST_ERR("12a", 255, EINVAL, 1, /* continued */
"'12a' at position 1: 'a' is not a decimal digit")
APMX_IDLIST_ERR("+1", 255, EINVAL, 1, /* continued */
"'+1' at position 1: '+' is not a decimal digit")
APMX_IDLIST_ERR("0b1", 255, EINVAL, 1, /* continued */
"'0b1' at position 1: 'b' is not a decimal digit")
APMX_IDLIST_ERR("1;2", 255, EINVAL, 1, /* continued */
"'1;2' at position 1: ';' is not a decimal digit")

/* a non-printable character is shown as '?' */
APMX_IDLIST_ERR("\x01", 255, EINVAL, 1, /* continued */
"'\x01' at position 1: '?' is not a decimal digit")

/* stray separators */
APMX_IDLIST_ERR("1,,2", 255, EINVAL, 3, /* continued */
"'' at position 3: empty element (stray separator)")
APMX_IDLIST_ERR("1::2", 255, EINVAL, 3, /* continued */
"'' at position 3: empty element (stray separator)")
APMX_IDLIST_ERR("1:", 255, EINVAL, 3, /* continued */
"'' at position 3: empty element (stray separator)")
APMX_IDLIST_ERR(":1", 255, EINVAL, 1, /* continued */
"'' at position 1: empty element (stray separator)")
APMX_IDLIST_ERR(",", 255, EINVAL, 1, /* continued */
"'' at position 1: empty element (stray separator)")

/* blanks, anywhere */
APMX_IDLIST_ERR(" 1", 255, EINVAL, 1, /* continued */
"' 1' at position 1: blanks are not allowed")
APMX_IDLIST_ERR("1 ", 255, EINVAL, 1, /* continued */
"'1 ' at position 1: blanks are not allowed")
APMX_IDLIST_ERR("1: 2", 255, EINVAL, 3, /* continued */
"' 2' at position 3: blanks are not allowed")
APMX_IDLIST_ERR("1\n", 255, EINVAL, 1, /* continued */
"'1\n' at position 1: blanks are not allowed")
APMX_IDLIST_ERR("1\t-2", 255, EINVAL, 1, /* continued */
"'1\t-2' at position 1: blanks are not allowed")
APMX_IDLIST_ERR(" ", 255, EINVAL, 1, /* continued */
"' ' at position 1: blanks are not allowed")
APMX_IDLIST_ERR("0x12 ", 255, EINVAL, 1, /* continued */
"'0x12 ' at position 1: blanks are not allowed")

/* a token longer than 40 characters is cut with "..." */
APMX_IDLIST_ERR(/* continued */
"1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
255, EINVAL, 3,
"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' at position 3: 'a' is not a decimal digit"
)

/* the first bad element is reported */
APMX_IDLIST_ERR("256:abc", 255, ERANGE, 1, /* continued */
"'256' at position 1: id 256 is above the highest id 255")
APMX_IDLIST_ERR("abc:256", 255, EINVAL, 1, /* continued */
"'abc' at position 1: 'a' is not a decimal digit")
