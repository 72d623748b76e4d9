#include "kernel/waitq.h"

#include "kernel/task.h"

void waitq_init(struct waitq *q)
{
	pthread_mutex_init(&q->lock, NULL);
	q->head.next = q->head.prev = &q->head;
}

void waitq_add(struct waitq *q, struct waiter *w, struct task *t, uint32_t mask)
{
	w->task = t;
	w->mask = mask;
	pthread_mutex_lock(&q->lock);
	if (!q->head.next) /* zero-initialised queue */
		q->head.next = q->head.prev = &q->head;
	w->next = &q->head;
	w->prev = q->head.prev;
	q->head.prev->next = w;
	q->head.prev = w;
	pthread_mutex_unlock(&q->lock);
}

void waitq_remove(struct waitq *q, struct waiter *w)
{
	pthread_mutex_lock(&q->lock);
	if (w->next) {
		w->prev->next = w->next;
		w->next->prev = w->prev;
		w->next = w->prev = NULL;
	}
	pthread_mutex_unlock(&q->lock);
}

void waitq_notify(struct waitq *q, uint32_t events)
{
	pthread_mutex_lock(&q->lock);
	if (q->head.next) {
		for (struct waiter *w = q->head.next; w != &q->head; w = w->next) {
			if (!(w->mask & events))
				continue;
			if (w->callback)
				w->callback(w, events);
			else
				task_wake(w->task);
		}
	}
	pthread_mutex_unlock(&q->lock);
}
