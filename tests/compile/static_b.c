/* tests/compile/static_b.c - the second ES_STATIC copy (see static_a.c). */
#define ES_STATIC
#define ES_IMPLEMENTATION
#include "es.h"
#include "tu.h"

uint64_t tu_static_b(void)
{
    float eps[8];
    es_noise_fill(1, 2, 3, eps, 8);
    return es_hash_bytes(ES_HASH_INIT, eps, sizeof eps);
}
