/* p3_mutex_condvar: 8 threads, each doing 100000 contended operations on
 * one mutex and two condition variables (a bounded counter that threads
 * push up and pull down, waiting when it is full or empty). Prints totals
 * that only depend on the work done, so native and sandboxed runs match. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 8
#define OPS 100000
#define LIMIT 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long level, pushes, pulls, total_ops;

/* Even threads push, odd threads pull: each pair balances out. */
static void *worker(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < OPS; i++) {
		pthread_mutex_lock(&lock);
		if (id % 2 == 0) {
			while (level == LIMIT)
				pthread_cond_wait(&not_full, &lock);
			level++;
			pushes++;
			pthread_cond_signal(&not_empty);
		} else {
			while (level == 0)
				pthread_cond_wait(&not_empty, &lock);
			level--;
			pulls++;
			pthread_cond_signal(&not_full);
		}
		total_ops++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	printf("threads %d ops %ld pushes %ld pulls %ld level %ld\n", THREADS, total_ops, pushes, pulls, level);
	return total_ops == (long)THREADS * OPS && level == 0 ? 0 : 1;
}
