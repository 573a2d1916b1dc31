/* tests/compile/no_threads.c - ES_NO_THREADS: no pthreads referenced; an
   es_pool asked for 4 threads runs every index once on the caller. */
#define ES_NO_THREADS
#define ES_IMPLEMENTATION
#include "es.h"

static void count(void *user, int index, int thread)
{
    int *c = (int *)user;
    if (thread == 0) c[index]++;
}

int main(void)
{
    es_pool pool;
    int c[100] = {0}, i;
    if (es_pool_init(&pool, 4, NULL) != ES_OK || pool.nthreads != 1) return 1;
    es_pool_run(&pool, 100, count, c);
    es_pool_free(&pool);
    for (i = 0; i < 100; i++)
        if (c[i] != 1) return 1;
    return 0;
}
