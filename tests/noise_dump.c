/* tests/noise_dump.c - writes 1e6 floats of the noise stream (plus es_rng
   normals and uniforms) to stdout as little-endian bytes, for
   tests/test_compilers.sh to compare across compilers and flags. */
#define ES_IMPLEMENTATION
#include "es.h"
#include <stdio.h>
#include <stdlib.h>

static void put_floats(const float *x, size_t n)
{
    unsigned char b[4];
    size_t i;
    for (i = 0; i < n; i++) {
        es_put_f32(b, x[i]);
        fwrite(b, 1, 4, stdout);
    }
}

int main(void)
{
    static const uint64_t seeds[4] = {0, 1, 0x0123456789abcdefull, 0xffffffffffffffffull};
    size_t n = 250000;
    float *eps = (float *)malloc(n * sizeof(float));
    es_rng rng;
    unsigned char b[8];
    int s, i;
    if (!eps) return 1;
    for (s = 0; s < 4; s++) {   /* 4 x 250000 = 1e6 floats */
        es_noise_fill(seeds[s], (uint32_t)(s * 1000), (uint32_t)(s * 7 + 1), eps, n);
        put_floats(eps, n);
    }
    es_rng_init(&rng, 42, ES_STREAM_RESET, 3, 5);
    for (i = 0; i < 10000; i++) {
        es_put_f64(b, es_rng_normal(&rng));
        fwrite(b, 1, 8, stdout);
        es_put_f64(b, es_rng_uniform(&rng));
        fwrite(b, 1, 8, stdout);
    }
    free(eps);
    return 0;
}
