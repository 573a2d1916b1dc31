/* minimal.c - ES trains HalfCheetah-v5 on all cores, one line a generation;
   every call is checked and everything is freed.
   Build: cc -O2 examples/minimal.c -o minimal -lmujoco -lm -lpthread */
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    es_mujoco mj; es_pool pool = {0}; es_mlp mlp; es_mlp_desc md; es opt = {0}; es_desc d = es_desc_default();
    es_normalizer norm = {0}; es_runner run = {0}; es_env *envs = NULL; float *theta = NULL;
    char err[512]; int t = 0, gen; es_result r;
    if (es_mujoco_load(&mj, "HalfCheetah-v5", err, sizeof err)) return fprintf(stderr, "%s\n", err), 1;
    if ((r = es_pool_init(&pool, 0, NULL)) != ES_OK) goto done;             /* 0: all cores */
    if (!(envs = calloc((size_t)pool.nthreads, sizeof *envs))) { r = ES_ERROR_OUT_OF_MEMORY; goto done; }
    for (t = 0; t < pool.nthreads; t++)                                    /* one env per pool thread */
        if ((r = es_mujoco_env_init(&mj, &envs[t])) != ES_OK) goto done;
    md = es_mlp_desc_for_env(&envs[0]);                /* 64,64 tanh MLP acting in the env's range */
    if ((r = es_mlp_init(&mlp, &md)) != ES_OK) goto done;
    if (!(theta = malloc(mlp.nparams * sizeof *theta))) { r = ES_ERROR_OUT_OF_MEMORY; goto done; }
    es_mlp_init_theta(&mlp, d.seed, theta);
    if ((r = es_init(&opt, &d, theta, mlp.nparams)) != ES_OK ||            /* npop 64, sigma 0.03, Adam */
        (r = es_normalizer_init(&norm, md.nin, 0, 0, NULL)) != ES_OK ||
        (r = es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 0, 0)) != ES_OK) goto done;
    for (gen = 0; gen < 1000 && (r = es_runner_generation(&run)) == ES_OK; gen++) {
        printf("generation %4d  mean return %8.1f\n", gen, es_runner_mean_reward(&run));
        fflush(stdout);
    }
done:
    if (r != ES_OK) fprintf(stderr, "minimal: %s\n", es_result_string(r));
    es_runner_free(&run); es_normalizer_free(&norm); es_free(&opt); free(theta);
    while (t-- > 0) envs[t].destroy(&envs[t]);                               /* the envs made so far */
    free(envs); es_pool_free(&pool); es_mujoco_free(&mj);
    return r == ES_OK ? 0 : 1;
}
