/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksim shim of the doubly linked list of include/linux/list.h: the
 * operations queue-driver.c uses.  As strict as the kernel's
 * (CONFIG_DEBUG_LIST aside): list_del() poisons the entry's pointers
 * (LIST_POISON1/2 in include/linux/poison.h), so a use after removal
 * faults instead of silently walking a stale list.
 */
#ifndef _KSIM_LINUX_LIST_H
#define _KSIM_LINUX_LIST_H
#include <stddef.h>
#include "container_of.h"

struct list_head {
	struct list_head *next, *prev;
};

/* include/linux/list.h LIST_HEAD_INIT(), LIST_HEAD() */
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

/* include/linux/poison.h: addresses that fault when dereferenced */
#define KSIM_LIST_POISON1 ((struct list_head *)0x100)
#define KSIM_LIST_POISON2 ((struct list_head *)0x122)

/* include/linux/list.h INIT_LIST_HEAD() */
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

/* include/linux/list.h list_add(): insert @entry after @head */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	struct list_head *next = head->next;

	next->prev = entry;
	entry->next = next;
	entry->prev = head;
	head->next = entry;
}

/* include/linux/list.h list_del(): unlink and poison @entry */
static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	entry->next = KSIM_LIST_POISON1;
	entry->prev = KSIM_LIST_POISON2;
}

/*
 * include/linux/list.h list_move(): unlink @entry (no poison) and insert
 * it after @head
 */
static inline void list_move(struct list_head *entry, struct list_head *head)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	list_add(entry, head);
}

/* include/linux/list.h list_empty() */
static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

/* include/linux/list.h list_first_entry(): @head must not be empty */
#define list_first_entry(head, type, member)				\
	container_of((head)->next, type, member)

/* include/linux/list.h list_for_each_entry() */
#define list_for_each_entry(pos, head, member)				\
	for (pos = container_of((head)->next, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = container_of(pos->member.next, __typeof__(*pos), member))

/* include/linux/list.h list_for_each_entry_safe(): @pos may be deleted */
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = container_of((head)->next, __typeof__(*pos), member),	\
	     n = container_of(pos->member.next, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = n, n = container_of(n->member.next, __typeof__(*n), member))

#endif /* _KSIM_LINUX_LIST_H */
