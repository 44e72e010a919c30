// SPDX-License-Identifier: GPL-2.0
/*
 * ksim tests of the AP matrix queue driver (queue-driver.c): placeholder,
 * owned by the queue-driver engineer.
 */
