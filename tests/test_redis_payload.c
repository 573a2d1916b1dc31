/* test_redis_payload.c - the chunk payload codec of es_redis.h: a round
   trip, then every truncation, extension, header field and value that must
   be rejected, and random mutations that must never crash or write outside
   the chunk. Needs no Redis and no hiredis (ES_REDIS_NO_HIREDIS). */
#define ES_REDIS_NO_HIREDIS
#define ES_IMPLEMENTATION
#include "../es_redis.h"
#include "test.h"

#include <math.h>

#define NPOP 10
#define NSTATS 5
#define NEVAL 2

typedef struct arrays {
    float rewards[NPOP];
    double stats[NPOP * NSTATS];
    int steps[NPOP + NEVAL], status[NPOP + NEVAL];
    double eval_returns[NEVAL];
} arrays;

static es_redis_results view(arrays *a)
{
    es_redis_results r;
    r.npop = NPOP;
    r.nstats = NSTATS;
    r.neval = NEVAL;
    r.rewards = a->rewards;
    r.stats = a->stats;
    r.steps = a->steps;
    r.status = a->status;
    r.eval_returns = a->eval_returns;
    return r;
}

static void fill(arrays *a)
{
    int i;
    for (i = 0; i < NPOP; i++) a->rewards[i] = (float)i * 1.5f - 3.25f;
    for (i = 0; i < NPOP * NSTATS; i++) a->stats[i] = (double)i / 7.0;
    for (i = 0; i < NPOP + NEVAL; i++) {
        a->steps[i] = 100 + i;
        a->status[i] = i % 3;
    }
    for (i = 0; i < NEVAL; i++) a->eval_returns[i] = 1000.0 / (i + 3);
}

/* Decodes into a fresh sentinel-filled target; returns the result and
   whether anything outside [begin, end) (and the eval slots if with_eval)
   or anything at all on failure changed. */
static es_result decode_into(const unsigned char *b, size_t n, uint32_t g, uint32_t c, int begin, int end,
                             int with_eval, arrays *out, int *stray)
{
    arrays before;
    es_redis_results v;
    es_result r;
    int i, j;
    memset(out, 0xA5, sizeof *out);
    before = *out;
    v = view(out);
    r = es_redis_payload_decode(b, n, g, c, begin, end, with_eval, &v);
    *stray = 0;
    for (i = 0; i < NPOP; i++) {
        int inside = r == ES_OK && i >= begin && i < end;
        if (!inside && memcmp(&out->rewards[i], &before.rewards[i], sizeof(float))) *stray = 1;
        if (!inside && (out->steps[i] != before.steps[i] || out->status[i] != before.status[i])) *stray = 1;
        for (j = 0; j < NSTATS; j++)
            if (!inside && memcmp(&out->stats[i * NSTATS + j], &before.stats[i * NSTATS + j], sizeof(double)))
                *stray = 1;
    }
    for (j = 0; j < NEVAL; j++) {
        int inside = r == ES_OK && with_eval;
        if (!inside && (memcmp(&out->eval_returns[j], &before.eval_returns[j], sizeof(double)) ||
                        out->steps[NPOP + j] != before.steps[NPOP + j]))
            *stray = 1;
    }
    return r;
}

int main(void)
{
    arrays src, dst;
    es_redis_results v;
    unsigned char buf[4096], bad[4096];
    size_t n, ne, k;
    int stray, i, j, all_rejected, no_stray, crashed_never;
    es_result r;
    uint32_t x = 12345;
    (void)test_need_reference;

    fill(&src);
    v = view(&src);
    n = es_redis_payload_size(3, NSTATS, 0);
    CHECK(n == 32 + 3 * (12 + 8 * NSTATS), "payload size: header + per member reward, steps, status, stats");
    CHECK(es_redis_payload_encode(buf, n, 7, 2, 4, 7, 0, &v) == ES_OK, "encode members [4, 7) of generation 7");
    CHECK(es_get_u32(buf) == ES_REDIS_PAYLOAD_MAGIC && es_get_u32(buf + 8) == 7 && es_get_u32(buf + 12) == 2 &&
              es_get_u32(buf + 16) == 4 && es_get_u32(buf + 20) == 7,
          "header little-endian: magic, generation, chunk, member range");
    r = decode_into(buf, n, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_OK && !stray, "round trip decodes and writes only members [4, 7)");
    CHECK(!memcmp(dst.rewards + 4, src.rewards + 4, 3 * sizeof(float)) &&
              !memcmp(dst.stats + 4 * NSTATS, src.stats + 4 * NSTATS, 3 * NSTATS * sizeof(double)) &&
              !memcmp(dst.steps + 4, src.steps + 4, 3 * sizeof(int)) &&
              !memcmp(dst.status + 4, src.status + 4, 3 * sizeof(int)),
          "round trip is bit-exact");

    ne = es_redis_payload_size(0, NSTATS, NEVAL);
    CHECK(es_redis_payload_encode(bad, ne, 7, 0, 0, 0, 1, &v) == ES_OK, "encode the evaluation chunk");
    r = decode_into(bad, ne, 7, 0, 0, 0, 1, &dst, &stray);
    CHECK(r == ES_OK && !stray && dst.eval_returns[1] == src.eval_returns[1] && dst.steps[NPOP + 1] == src.steps[NPOP + 1] &&
              dst.status[NPOP + 1] == src.status[NPOP + 1],
          "evaluation chunk round trip");
    r = decode_into(bad, ne, 7, 0, 0, 0, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "evaluation payload where a member chunk is expected: rejected");

    all_rejected = 1;
    no_stray = 1;
    for (k = 0; k < n; k++) {
        r = decode_into(buf, k, 7, 2, 4, 7, 0, &dst, &stray);
        all_rejected &= r == ES_ERROR_REDIS_DATA;
        no_stray &= !stray;
    }
    CHECK(all_rejected && no_stray, "every truncation (0..%zu bytes) rejected, nothing written", n - 1);
    memcpy(bad, buf, n);
    bad[n] = 0;
    r = decode_into(bad, n + 1, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "one byte too many: rejected");
    CHECK(decode_into(NULL, 0, 7, 2, 4, 7, 0, &dst, &stray) == ES_ERROR_REDIS_DATA && !stray, "NULL payload rejected");

    /* each header word mutated: magic, version, generation, chunk, begin, end, nstats, neval */
    all_rejected = 1;
    no_stray = 1;
    for (i = 0; i < 8; i++) {
        memcpy(bad, buf, n);
        es_put_u32(bad + 4 * i, es_get_u32(bad + 4 * i) + 1);
        r = decode_into(bad, n, 7, 2, 4, 7, 0, &dst, &stray);
        all_rejected &= r == ES_ERROR_REDIS_DATA;
        no_stray &= !stray;
    }
    CHECK(all_rejected && no_stray, "every header field off by one: rejected");
    r = decode_into(buf, n, 8, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "a payload of another generation: rejected");
    r = decode_into(buf, n, 7, 3, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "a payload of another chunk: rejected");
    r = decode_into(buf, n, 7, 2, 5, 8, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "a payload of another member range (same size): rejected");

    /* wrong type: a decimal string or the text of a Redis error where bytes are expected */
    r = decode_into((const unsigned char *)"12345", 5, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "a number where a payload is expected: rejected");
    memset(bad, 'x', n);
    memcpy(bad, "WRONGTYPE Operation against a key", 33);
    r = decode_into(bad, n, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "text of the right length: rejected");

    /* bad values */
    memcpy(bad, buf, n);
    es_put_f32(bad + 32 + 12 + 8 * NSTATS, NAN);
    r = decode_into(bad, n, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "NaN reward of the second member: rejected, first member not written");
    memcpy(bad, buf, n);
    es_put_f64(bad + 32 + 12 + 8 * 2, INFINITY);
    r = decode_into(bad, n, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "infinite observation statistic: rejected");
    memcpy(bad, buf, n);
    es_put_u32(bad + 32 + 8, 3);
    r = decode_into(bad, n, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "episode status 3: rejected");
    memcpy(bad, buf, n);
    es_put_u32(bad + 32 + 4, 0x80000000u);
    r = decode_into(bad, n, 7, 2, 4, 7, 0, &dst, &stray);
    CHECK(r == ES_ERROR_REDIS_DATA && !stray, "negative step count: rejected");

    /* bad arguments */
    v = view(&dst);
    CHECK(es_redis_payload_decode(buf, n, 7, 2, 4, 11, 0, &v) == ES_ERROR_INVALID_ARGUMENT,
          "member range past npop: invalid argument");
    CHECK(es_redis_payload_encode(bad, n - 1, 7, 2, 4, 7, 0, &v) == ES_ERROR_INVALID_ARGUMENT,
          "encode into a buffer of the wrong size: invalid argument");

    /* random mutations: each either decodes to the chunk or is rejected,
       never writes outside it */
    crashed_never = 1;
    no_stray = 1;
    for (i = 0; i < 20000; i++) {
        size_t len = n;
        int flips = 1 + i % 4;
        memcpy(bad, buf, n);
        for (j = 0; j < flips; j++) {
            x = x * 1664525u + 1013904223u;
            bad[(x >> 8) % n] ^= (unsigned char)(1u << (x >> 28 & 7));
        }
        x = x * 1664525u + 1013904223u;
        if ((x >> 24) % 8 == 0) len = (x >> 4) % (n + 8);
        r = decode_into(bad, len, 7, 2, 4, 7, 0, &dst, &stray);
        if (r != ES_OK && r != ES_ERROR_REDIS_DATA) crashed_never = 0;
        no_stray &= !stray;
    }
    CHECK(crashed_never && no_stray, "20000 random mutations: ok or ES_ERROR_REDIS_DATA, nothing written outside the chunk");
    return test_finish();
}
