/* tests/compile/twice.c - each header included twice, the second time with
   ES_IMPLEMENTATION (stb howto): the declarations are not repeated and the
   implementation still appears once. */
#include "es_mlp.h"
#include "es.h"
#ifdef ES_TEST_ENV
#include "es_env_mujoco.h"
#endif
#define ES_IMPLEMENTATION
#include "es.h"
#include "es_mlp.h"
#ifdef ES_TEST_ENV
#include "es_env_mujoco.h"
#endif
#include "es.h"

int main(void)
{
    es_desc d = es_desc_default();
    es opt;
    if (es_init(&opt, &d, NULL, 10) != ES_OK) return 1;
    es_free(&opt);
    return 0;
}
