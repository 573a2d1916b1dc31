/* tests/compile/static_a.c - ES_STATIC: this translation unit and
   static_b.c each hold their own static copy of the library; linked
   together they must not clash, and both copies compute the same noise. */
#define ES_STATIC
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#include "tu.h"

int main(void)
{
    float eps[8];
    es_noise_fill(1, 2, 3, eps, 8);
    return es_hash_bytes(ES_HASH_INIT, eps, sizeof eps) == tu_static_b() ? 0 : 1;
}
