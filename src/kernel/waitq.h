/*
 * Wait queues: kernel objects (pipes, futexes, child exits...) keep one; a
 * task that must sleep until the object changes registers a waiter with an
 * event mask, re-checks its condition, then sleeps with task_block().
 * waitq_notify() wakes every waiter whose mask intersects the events.
 */
#ifndef MOAT_KERNEL_WAITQ_H
#define MOAT_KERNEL_WAITQ_H

#include <pthread.h>
#include <stdint.h>

struct task;

struct waiter {
	struct waiter *next, *prev;
	struct task *task;
	uint32_t mask;
	/* Called instead of task_wake when set (e.g. epoll readiness). */
	void (*callback)(struct waiter *w, uint32_t events);
	void *data;
};

struct waitq {
	pthread_mutex_t lock;
	struct waiter head;   /* circular list sentinel */
};

void waitq_init(struct waitq *q);
void waitq_add(struct waitq *q, struct waiter *w, struct task *t, uint32_t mask);
void waitq_remove(struct waitq *q, struct waiter *w);
void waitq_notify(struct waitq *q, uint32_t events);

#endif
