/* tests/compile/tu_user.c - uses the API without ES_IMPLEMENTATION (the
   definitions come from tu_impl.c); the env header comes first here, so
   the include order differs from tu_impl.c. */
#ifdef ES_TEST_ENV
#include "es_env_mujoco.h"
#endif
#include "es_mlp.h"
#include "es.h"
#include "tu.h"
#include <stdio.h>
#include <string.h>

int main(void)
{
    float eps[8];
    es_mlp_desc md;
    es_mlp mlp;
    memset(&md, 0, sizeof md);   /* C++ -Wextra warns about {0} */
    es_noise_fill(1, 2, 3, eps, 8);
    md.nin = 17;
    md.nout = 6;
    if (es_mlp_init(&mlp, &md) != ES_OK || mlp.nparams != 5702) return 1;
    if (es_hash_bytes(ES_HASH_INIT, eps, sizeof eps) != tu_impl_work()) return 1;
    printf("two translation units agree\n");
    return 0;
}
