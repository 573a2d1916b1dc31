/* distributed.c - minimal.c on Redis: start it on any number of machines
   with the same run name; the workers share each generation and all end
   with the same theta as one process. Without HOST:PORT it runs alone.
   Build: cc -O2 examples/distributed.c -o distributed -lmujoco -lhiredis -lm -lpthread
   Run:   ./distributed GENERATIONS OUT.ckpt [HOST:PORT RUN]   (env ES_REDIS_PASSWORD) */
#define ES_IMPLEMENTATION
#include "../es_env_mujoco.h"
#include "../es_redis.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    es_mujoco mj; es_pool pool; es_mlp mlp; es_mlp_desc md = {0};
    es opt; es_desc d = {0}; es_normalizer norm; es_runner run;
    es_redis rd; es_redis_desc rdd = {0};
    char err[512], *colon = argc == 5 ? strrchr(argv[3], ':') : NULL;
    int t, stopped = 0, gens = argc >= 3 ? atoi(argv[1]) : 0, rc = 1;
    if (gens <= 0 || (argc != 3 && !colon))
        return fprintf(stderr, "usage: %s GENERATIONS OUT.ckpt [HOST:PORT RUN]\n", argv[0]), 2;
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
    if (colon) {                                /* the run's workers share this */
        *colon = 0;
        rdd.host = argv[3]; rdd.port = atoi(colon + 1); rdd.run = argv[4];
        rdd.password = getenv("ES_REDIS_PASSWORD");
        rdd.settings = "task=HalfCheetah-v5\npolicy=mlp 64,64\n";
        rdd.generations = gens;
        if (es_redis_connect(&rd, &rdd) != ES_OK) return fprintf(stderr, "redis: %s\n", rd.error), 1;
    }
    while (!stopped && (int)opt.generation < gens) {
        es_result r = colon ? es_redis_runner_generation(&rd, &run, &stopped) : es_runner_generation(&run);
        if (r != ES_OK) return fprintf(stderr, "%s\n", colon ? rd.error : es_result_string(r)), 1;
        if (!stopped) printf("generation %4u  mean return %8.1f\n", opt.generation - 1, es_runner_mean_reward(&run));
        fflush(stdout);
    }
    if (es_save(&opt, argv[2], NULL, 0) == ES_OK) rc = 0;
    if (colon) es_redis_close(&rd);
    return rc;
}
