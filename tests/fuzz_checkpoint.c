/* tests/fuzz_checkpoint.c - fuzz target for the checkpoint loader.

   libFuzzer:  clang -fsanitize=fuzzer,address,undefined -DES_FUZZ_LIBFUZZER -I. \
                   tests/fuzz_checkpoint.c -lm -lpthread -o fuzz && ./fuzz corpus/
   plain:      cc -fsanitize=address,undefined -I. tests/fuzz_checkpoint.c -lm -lpthread
               ./a.out FILE...        runs each file through the target
               ./a.out --seed PATH    writes a valid checkpoint (a seed input)
               ./a.out                mutates a valid checkpoint 20000 times
   Any input must give an error code or a loaded state, never a crash. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
/* A valid checkpoint of strategy s (OpenAI-ES: es_desc_default's; the
   others with their own state sections). */
static es_result make_seed(es_checkpoint *ck, es_strategy s)
{
    es_desc d = es_desc_default();
    es opt;
    es_section user;
    es_mlp_desc md;
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
    memset(&md, 0, sizeof md);
    md.nin = 3;
    md.nout = 2;
    md.nhidden = 1;
    md.hidden[0] = 2;
    es_mlp_init(&mlp, &md);
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
    int i;
    if (argc == 3 && strcmp(argv[1], "--seed") == 0) {
        if (make_seed(&seed, ES_STRATEGY_OPENAI) != ES_OK || es_checkpoint_write(&seed, argv[2]) != ES_OK) return 1;
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
       of a valid checkpoint, each in an exact-size heap buffer; a quarter of
       them from each strategy's checkpoint (OpenAI-ES, PGPE with ClipUp,
       SNES, sep-CMA-ES). */
    {
        es_rng rng;
        unsigned char *buf;
        es_rng_init(&rng, 1, ES_STREAM_USER, 0, 0);
        for (i = 0; i < 20000; i++) {
            if (i % 5000 == 0) {
                if (i) es_checkpoint_free(&seed);
                if (make_seed(&seed, (es_strategy)(ES_STRATEGY_OPENAI + i / 5000)) != ES_OK) return 1;
            }
            size_t size = seed.size, k, edits = 1 + es_rng_u32(&rng) % 4;
            uint32_t mode = es_rng_u32(&rng) % 4;
            if (mode == 1) size = es_rng_u32(&rng) % seed.size;
            if (mode == 2) size = seed.size + es_rng_u32(&rng) % 64;
            buf = (unsigned char *)malloc(size ? size : 1);
            if (!buf) return 1;
            for (k = 0; k < size; k++) buf[k] = k < seed.size ? seed.bytes[k] : (unsigned char)es_rng_u32(&rng);
            for (k = 0; size && k < edits; k++) buf[es_rng_u32(&rng) % size] = (unsigned char)es_rng_u32(&rng);
            if (mode == 3 && size > 4) {   /* edit, then make the CRC valid again */
                uint32_t crc = es_crc32(0, buf, size - 4);
                es_put_u32(buf + size - 4, crc);
            }
            LLVMFuzzerTestOneInput(buf, size);
            free(buf);
        }
    }
    es_checkpoint_free(&seed);
    printf("fuzz_checkpoint: 20000 mutated checkpoints handled\n");
    return 0;
}
#endif
