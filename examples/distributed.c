/* distributed.c - minimal.c on Redis: start it on any number of machines
   with the same run name; the workers share each generation and all end
   with the same bytes as one process (without HOST:PORT it runs alone).
   Build: cc -O2 examples/distributed.c -o distributed -lmujoco -lhiredis -lm -lpthread
   Run:   ./distributed GENERATIONS OUT.ckpt [HOST:PORT RUN]   (password: ES_REDIS_PASSWORD) */
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#include "../es_redis.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    es_mujoco mj; es_pool pool = {0}; es_mlp mlp; es_mlp_desc md; es opt = {0}; es_desc d = es_desc_default();
    es_normalizer norm = {0}; es_runner run = {0}; es_env *envs = NULL; float *theta = NULL;
    es_redis rd = {0}; es_redis_desc rdd = {0};
    char err[512], *colon = argc == 5 ? strrchr(argv[3], ':') : NULL, *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;    /* digits only, 1 to 65535 */
    int t = 0, gens = argc >= 3 ? atoi(argv[1]) : 0, stopped = 0; es_result r;
    if (gens <= 0 || (argc != 3 && (!colon || colon == argv[3] || colon[1] < '0' || colon[1] > '9' || *end ||
                                    port < 1 || port > 65535)))
        return fprintf(stderr, "usage: %s GENERATIONS OUT.ckpt [HOST:PORT RUN] (PORT 1 to 65535)\n", argv[0]), 2;
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
    if (colon) {                                      /* the run on Redis: what its workers share */
        *colon = 0;
        rdd.host = argv[3]; rdd.port = (int)port; rdd.run = argv[4];
        rdd.password = getenv("ES_REDIS_PASSWORD");
        rdd.settings = "task=HalfCheetah-v5\npolicy=mlp 64,64\n"; rdd.generations = gens;
        if ((r = es_redis_connect(&rd, &rdd)) != ES_OK) goto done;
    }
    while ((int)opt.generation < gens && !stopped) {
        r = colon ? es_redis_runner_generation(&rd, &run, &stopped) : es_runner_generation(&run);
        if (r != ES_OK) goto done;
        if (!stopped) printf("generation %4u  mean return %8.1f\n", opt.generation - 1, es_runner_mean_reward(&run));
        fflush(stdout);
    }
    {   /* theta, the optimizer's state, the policy and its normalizer: tools/render shows it */
        es_run_info info = {0}; strcpy(info.task, "HalfCheetah-v5"); info.env_steps = run.env_steps;
        r = es_policy_save(argv[2], &opt, &mlp, &norm, &info);
    }
done:
    if (r != ES_OK) fprintf(stderr, "distributed: %s%s\n", rd.error[0] ? rd.error : es_redis_result_string(r),
                            r == ES_ERROR_REDIS_AUTH ? " (set ES_REDIS_PASSWORD)" : "");
    es_redis_close(&rd);
    es_runner_free(&run); es_normalizer_free(&norm); es_free(&opt); free(theta);
    while (t-- > 0) envs[t].destroy(&envs[t]);                               /* the envs made so far */
    free(envs); es_pool_free(&pool); es_mujoco_free(&mj);
    return r == ES_OK ? 0 : 1;
}
