/* minimal.c - ES trains HalfCheetah-v5 on all cores, one line a generation.
   Build: cc -O2 examples/minimal.c -o minimal -lmujoco -lm -lpthread */
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    es_mujoco mj; es_pool pool; es_mlp mlp; es_mlp_desc md = {0};
    es opt; es_desc d = {0}; es_normalizer norm; es_runner run;
    char err[512]; int t, gen;
    if (es_mujoco_load(&mj, "HalfCheetah-v5", err, sizeof err) != ES_OK)
        return fprintf(stderr, "%s\n", err), 1;
    es_pool_init(&pool, 0, NULL);                       /* 0: all cores */
    es_env *envs = calloc((size_t)pool.nthreads, sizeof *envs);
    for (t = 0; t < pool.nthreads; t++) es_mujoco_env_init(&mj, &envs[t]);
    md.nin = envs[0].obs_dim; md.nout = envs[0].act_dim; /* 64,64 tanh MLP */
    es_mlp_init(&mlp, &md);
    float *theta = malloc(mlp.nparams * sizeof *theta);
    es_mlp_init_theta(&mlp, d.seed, theta);
    es_init(&opt, &d, theta, mlp.nparams);      /* npop 64, sigma 0.03, Adam */
    es_normalizer_init(&norm, md.nin, 0, 0, NULL);
    es_runner_init(&run, &opt, &mlp, &norm, envs, &pool, 0, 0);
    for (gen = 0; gen < 1000; gen++) {
        if (es_runner_generation(&run) != ES_OK) return 1;
        printf("generation %4d  mean return %8.1f\n", gen, es_runner_mean_reward(&run));
        fflush(stdout);
    }
    return 0;
}
