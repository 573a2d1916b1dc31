/* tests/fuzz_checkpoint.c - fuzz target for the checkpoint loader: es_load,
   es_policy_load (task, policy shape, normalizer) and es_run_info_read
   (the run metadata, and older trainers' TRNR section).

   libFuzzer:  clang -fsanitize=fuzzer,address,undefined -DES_FUZZ_LIBFUZZER -I. \
                   tests/fuzz_checkpoint.c -lm -lpthread -o fuzz && ./fuzz corpus/
   plain:      cc -fsanitize=address,undefined -I. tests/fuzz_checkpoint.c -lm -lpthread
               ./a.out FILE...        runs each file through the target
               ./a.out --seed PATH    writes a valid checkpoint (a seed input)
               ./a.out --seed-policy PATH  a valid policy checkpoint
               ./a.out --seed-old PATH     the same in the older layout
                                      (60-byte shape, TRNR section)
               ./a.out                mutates 20000 times each: the
                                      strategies' checkpoints, a policy
                                      checkpoint, an older one
   Any input must give an error code or a loaded state, never a crash; a
   policy that loads must be usable (finite normalizer snapshot, theta of
   the shape's size, run metadata in range), or the target aborts. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What es_policy_load and es_run_info_read accept must be usable. */
static void run_policy(const es_checkpoint *ck)
{
    es_mlp mlp;
    es_normalizer norm;
    es_run_info info;
    char task[ES_RUN_TASK_MAX];
    es_result r = es_run_info_read(ck, &info);
    int i;
    if (r == ES_OK && (info.task[0] == 0 || info.max_steps < 0 || info.eval_episodes < 0 ||
                       info.eval_episodes > ES_RUN_MAX_EVAL_EPISODES || info.mujoco_version_number < 0 ||
                       memchr(info.task, 0, sizeof info.task) == NULL ||
                       memchr(info.mujoco_version, 0, sizeof info.mujoco_version) == NULL))
        abort();
    if (es_policy_load(ck, task, sizeof task, &mlp, &norm) != ES_OK) return;
    if (norm.n != mlp.desc.nin || !(norm.clip > 0.0f) || !(norm.std_floor > 0.0f)) abort();
    for (i = 0; i < norm.n; i++)
        if (!isfinite(norm.mean[i]) || !isfinite(norm.inv_std[i]) || !(norm.inv_std[i] > 0.0f)) abort();
    if (mlp.nparams <= 4096) {     /* a forward pass on the loaded shape and normalizer */
        es opt;
        if (es_load(&opt, ck, NULL) == ES_OK) {
            float *obs = (float *)calloc((size_t)mlp.desc.nin * 2, sizeof(float));
            float *act = (float *)malloc((size_t)mlp.desc.nout * sizeof(float));
            float *work = (float *)malloc(es_mlp_work_size(&mlp) * sizeof(float));
            if (opt.nparams != mlp.nparams) abort();
            if (obs && act && work) {
                es_normalizer_apply(&norm, obs, obs + mlp.desc.nin);
                es_mlp_forward(&mlp, opt.theta, obs + mlp.desc.nin, act, work);
            }
            free(obs);
            free(act);
            free(work);
            es_free(&opt);
        }
    }
    es_normalizer_free(&norm);
}

static void run_one(const uint8_t *data, size_t size)
{
    es_checkpoint ck;
    es opt;
    const void *sec;
    size_t n;
    if (es_checkpoint_decode(&ck, data, size, NULL) != ES_OK) return;
    if (es_load(&opt, &ck, NULL) == ES_OK) {
        float r[4] = {1, 2, 3, 4};
        uint64_t h = es_hash(&opt);
        (void)h;
        if (opt.desc.npop == 4 && opt.nparams <= 4096) es_tell(&opt, r, NULL);
        es_free(&opt);
    }
    if (es_checkpoint_section(&ck, ES_TAG('U', 'S', 'R', '1'), &sec, &n) == ES_OK && n) {
        es_mlp mlp;
        (void)es_mlp_decode(&mlp, sec, n);
    }
    run_policy(&ck);
    es_checkpoint_free(&ck);
}

/* The input as given, then with its last 4 bytes made the right CRC, so
   the fuzzer gets past the checksum into the section walk and es_load. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy;
    run_one(data, size);
    if (size < 20 || (copy = (uint8_t *)malloc(size)) == NULL) return 0;
    memcpy(copy, data, size);
    es_put_u32(copy + size - 4, es_crc32(0, copy, size - 4));
    run_one(copy, size);
    free(copy);
    return 0;
}

#ifndef ES_FUZZ_LIBFUZZER
/* The seeds' policy: 3 inputs, one hidden layer of 2, 2 outputs. */
static void seed_mlp(es_mlp *mlp)
{
    es_mlp_desc md;
    memset(&md, 0, sizeof md);
    md.nin = 3;
    md.nout = 2;
    md.nhidden = 1;
    md.hidden[0] = 2;
    es_mlp_init(mlp, &md);
}

/* A policy checkpoint of a 3-2-2 MLP with its normalizer and run metadata
   (old: the older layout, a 60-byte shape and a TRNR section). */
static es_result make_policy_seed(es_checkpoint *ck, int old)
{
    es_desc d = es_desc_default();
    es opt;
    es_mlp mlp;
    es_normalizer norm;
    es_run_info info;
    float r[4] = {0.5f, -1.0f, 2.0f, 0.0f};
    double stats[1 + 2 * 3] = {4.0, 1.0, -2.0, 0.5, 3.0, 5.0, 0.25};
    es_result res;
    seed_mlp(&mlp);
    d.npop = 4;
    d.seed = 17;
    if ((res = es_init(&opt, &d, NULL, mlp.nparams)) != ES_OK) return res;
    es_tell(&opt, r, NULL);
    if ((res = es_normalizer_init(&norm, 3, 0.0f, 0.0f, NULL)) != ES_OK) {
        es_free(&opt);
        return res;
    }
    es_normalizer_merge(&norm, stats);
    es_normalizer_refresh(&norm);
    memset(&info, 0, sizeof info);
    strcpy(info.task, "Toy-v0");
    strcpy(info.mujoco_version, "2.2.2");
    info.mujoco_version_number = 222;
    info.max_steps = 60;
    info.eval_episodes = 1;
    info.env_steps = 480;
    if (!old) {
        res = es_policy_encode(&opt, &mlp, &norm, &info, NULL, 0, ck);
    } else {
        unsigned char shape[60], normb[20 + 16 * 3], trnr[16];
        es_section s[4];
        memset(shape, 0, sizeof shape);
        es_mlp_encode(&mlp, shape);
        es_normalizer_encode(&norm, normb);
        es_put_u64(trnr, info.env_steps);
        es_put_u32(trnr + 8, (uint32_t)info.eval_episodes);
        es_put_u32(trnr + 12, (uint32_t)info.max_steps);
        s[0].tag = ES_TAG_TASK; s[0].data = info.task; s[0].size = strlen(info.task);
        s[1].tag = ES_TAG_POLICY; s[1].data = shape; s[1].size = sizeof shape;
        s[2].tag = ES_TAG_NORM; s[2].data = normb; s[2].size = sizeof normb;
        s[3].tag = ES_TAG('T', 'R', 'N', 'R'); s[3].data = trnr; s[3].size = sizeof trnr;
        res = es_checkpoint_encode(&opt, s, 4, ck);
    }
    es_normalizer_free(&norm);
    es_free(&opt);
    return res;
}

/* A valid checkpoint of strategy s (OpenAI-ES: es_desc_default's; the
   others with their own state sections). */
static es_result make_seed(es_checkpoint *ck, es_strategy s)
{
    es_desc d = es_desc_default();
    es opt;
    es_section user;
    es_mlp mlp;
    unsigned char shape[ES_MLP_DESC_BYTES];
    float r[4] = {0.5f, -1.0f, 2.0f, 0.0f};
    es_result res;
    if (s != ES_STRATEGY_OPENAI) memset(&d, 0, sizeof d);
    d.strategy = s;
    d.npop = 4;
    d.seed = 17;
    if ((res = es_init(&opt, &d, NULL, 12)) != ES_OK) return res;
    es_tell(&opt, r, NULL);
    seed_mlp(&mlp);
    es_mlp_encode(&mlp, shape);
    user.tag = ES_TAG('U', 'S', 'R', '1');
    user.data = shape;
    user.size = sizeof shape;
    res = es_checkpoint_encode(&opt, &user, 1, ck);
    es_free(&opt);
    return res;
}

int main(int argc, char **argv)
{
    es_checkpoint seed;
    int i, which;
    if (argc == 3 && strcmp(argv[1], "--seed") == 0) {
        if (make_seed(&seed, ES_STRATEGY_OPENAI) != ES_OK || es_checkpoint_write(&seed, argv[2]) != ES_OK) return 1;
        es_checkpoint_free(&seed);
        return 0;
    }
    if (argc == 3 && (strcmp(argv[1], "--seed-policy") == 0 || strcmp(argv[1], "--seed-old") == 0)) {
        if (make_policy_seed(&seed, strcmp(argv[1], "--seed-old") == 0) != ES_OK ||
            es_checkpoint_write(&seed, argv[2]) != ES_OK)
            return 1;
        es_checkpoint_free(&seed);
        return 0;
    }
    if (argc > 1) {
        for (i = 1; i < argc; i++) {
            FILE *f = fopen(argv[i], "rb");
            unsigned char *buf;
            long len;
            if (!f) continue;
            fseek(f, 0, SEEK_END);
            len = ftell(f);
            fseek(f, 0, SEEK_SET);
            buf = (unsigned char *)malloc(len > 0 ? (size_t)len : 1);
            if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len) LLVMFuzzerTestOneInput(buf, (size_t)len);
            free(buf);
            fclose(f);
        }
        return 0;
    }
    /* Built-in mutation loop: random byte edits, truncations and extensions
       of valid checkpoints, each in an exact-size heap buffer: 20000 from
       the strategies' checkpoints (a quarter each: OpenAI-ES, PGPE with
       ClipUp, SNES, sep-CMA-ES), 20000 from a policy checkpoint and 20000
       from one in the older layout, half of these last edits aimed at the
       policy sections (task, shape, normalizer, run metadata). */
    for (which = 0; which < 3; which++) {
        es_rng rng;
        unsigned char *buf;
        size_t tail = 0;
        es_rng_init(&rng, 1, ES_STREAM_USER, 0, (uint32_t)which);
        if (which > 0) {
            const void *task;
            size_t ntask;
            if (make_policy_seed(&seed, which == 2) != ES_OK) return 1;
            if (es_checkpoint_section(&seed, ES_TAG_TASK, &task, &ntask) == ES_OK)
                tail = (size_t)((const unsigned char *)task - seed.bytes) - 12;
        }
        for (i = 0; i < 20000; i++) {
            size_t size, k, edits;
            uint32_t mode;
            int in_tail;
            if (which == 0 && i % 5000 == 0) {
                if (i) es_checkpoint_free(&seed);
                if (make_seed(&seed, (es_strategy)(ES_STRATEGY_OPENAI + i / 5000)) != ES_OK) return 1;
            }
            size = seed.size;
            edits = 1 + es_rng_u32(&rng) % 4;
            mode = es_rng_u32(&rng) % 4;
            in_tail = tail && size > tail + 4 && (es_rng_u32(&rng) & 1);
            if (mode == 1) size = es_rng_u32(&rng) % seed.size;
            if (mode == 2) size = seed.size + es_rng_u32(&rng) % 64;
            buf = (unsigned char *)malloc(size ? size : 1);
            if (!buf) return 1;
            for (k = 0; k < size; k++) buf[k] = k < seed.size ? seed.bytes[k] : (unsigned char)es_rng_u32(&rng);
            for (k = 0; size && k < edits; k++) {
                size_t at = in_tail && size > tail + 4 ? tail + es_rng_u32(&rng) % (size - tail - 4)
                                                       : es_rng_u32(&rng) % size;
                buf[at] = (unsigned char)es_rng_u32(&rng);
            }
            if (mode == 3 && size > 4) {   /* edit, then make the CRC valid again */
                uint32_t crc = es_crc32(0, buf, size - 4);
                es_put_u32(buf + size - 4, crc);
            }
            LLVMFuzzerTestOneInput(buf, size);
            free(buf);
        }
        es_checkpoint_free(&seed);
    }
    printf("fuzz_checkpoint: 3 x 20000 mutated checkpoints handled\n");
    return 0;
}
#endif
