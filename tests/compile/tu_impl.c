/* tests/compile/tu_impl.c - the one translation unit with ES_IMPLEMENTATION;
   linked with tu_user.c, which includes the same headers without it. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#ifdef ES_TEST_ENV
#include "es_env_mujoco.h"
#endif
#include "tu.h"

uint64_t tu_impl_work(void)
{
    float eps[8];
    es_noise_fill(1, 2, 3, eps, 8);
    return es_hash_bytes(ES_HASH_INIT, eps, sizeof eps);
}
