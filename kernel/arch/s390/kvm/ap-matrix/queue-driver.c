// SPDX-License-Identifier: GPL-2.0
/*
 * AP matrix queue driver (work in progress, issue 4): a non-default
 * ap_driver that binds the AP queues the host released to KVM guests,
 * vetoes apmask/aqmask edits that would take back a queue a guest or a
 * grant holds (.in_use), unplugs queues that disappear (.remove) and shows
 * each queue's holder in sysfs.  Owned by the queue-driver engineer.
 */
