/* es_redis.h - v0.1 - elastic distributed ES generations on Redis: workers
   claim chunks of the population, share their results through Redis, and
   each applies the same update to its own copy of theta.

   QUICK START

       #define ES_IMPLEMENTATION
       #include "es_redis.h"                 // includes es.h; link -lhiredis

       es_redis_desc d = {0};
       d.host = "127.0.0.1"; d.port = 6379; d.run = "cheetah";
       d.password = getenv("ES_REDIS_PASSWORD");
       es_redis rd;
       es_redis_connect(&rd, &d);            // rd.error holds the detail on failure
       es_redis_config(&rd, text, len, &stored, &stored_len, &created);
       ...                                   // adopt es_redis_checkpoint_get() or start fresh
       for (;;) {
           int stopped;
           es_redis_generation(&rd, opt.generation, nchunks, evaluate_chunk, take_chunk, user, &stopped);
           es_tell(...);                     // identical on every worker
       }
       es_redis_close(&rd);

   CONFIGURATION MACROS: those of es.h, plus
       ES_REDIS_NO_HIREDIS   only the payload codec (no client, no hiredis needed)

   STEP BY STEP

   1. es_redis_connect() connects (AUTH when desc.password is set) and loads
      the Lua scripts. Every key of a run starts with "es:{RUN}:" (the braces
      keep a run in one Redis Cluster slot).
   2. es_redis_config() stores the run's configuration text (SET NX) and
      returns what the run holds: the first worker creates the run, the
      others compare and refuse to join on any difference.
   3. The creator stores its initial checkpoint with es_redis_checkpoint_put()
      (a Lua script keeps the highest generation); a joiner adopts
      es_redis_checkpoint_get() and then simply runs generations: those whose
      results are complete in Redis are replayed without evaluating anything.
   4. es_redis_generation() runs one generation's protocol:
        - claim: a Lua script does INCR g:next and SET lease:c WORKER PX
          lease_ms atomically (it answers "complete" when HLEN g:rew is the
          chunk count, and refuses once g reaches the final generation);
        - evaluate the chunk (your callback) and store the payload with a Lua
          script doing HSETNX g:rew c PAYLOAD: the first write wins, so a
          straggler's late result is dropped (counted in .dropped); the write
          that completes the hash appends g to the stream "done";
        - no chunk left to claim: re-claim a missing chunk whose lease
          expired (SET lease:c WORKER NX PX), else wait on the stream with
          XREAD BLOCK wait_ms from the last seen entry and re-check (a timeout
          re-checks too, so no wake-up is lost);
        - collect: HGETALL g:rew, every field and value checked, your take
          callback sees every chunk in chunk order.
   5. es_redis_checkpoint_put() at your checkpoint cadence also deletes the
      keys of generations below keep_from (the gc cursor is in Redis).
   6. es_redis_request_final() sets the last generation of a run that
      stops on a clock: max(requested, highest claimed + 1), first request
      wins; es_redis_final() reads it. No chunk of a generation >= final is
      ever claimed, so every worker stops at the same generation.
   7. The payload of a chunk (es_redis_payload_encode/decode) is
      little-endian: a 32-byte header (magic "ESRP", version, generation,
      chunk, member range begin/end, doubles of observation statistics per
      member, evaluation episodes), then per member f32 reward, u32 steps,
      u32 status and the statistics as f64, then per evaluation episode f64
      return, u32 steps, u32 status.

   CONTRACTS

   Determinism. A result of (generation, chunk) is a function of the run's
   history alone, so any copy of it is bit-identical; every worker collects
   the same bytes and so applies the same update: the run ends bit-identical
   to a single-process run whatever workers joined, died or stalled.
   Faults. Any worker may die at any moment: its chunks are re-claimed when
   their lease expires. A stopped worker's late result is dropped. If Redis
   loses its data (restart), each worker reconnects (retrying for
   reconnect_s) and repopulates it through desc.snapshot (its checkpoint),
   the stored config, the final generation, and the results of the last
   generation it collected.
   Untrusted input. Every value read from Redis is type- and length-checked
   before use; a malformed value is ES_ERROR_REDIS with a message in
   es_redis.error, never a crash.
   Threads. An es_redis is one connection: use it from one thread.
   Errors. Functions return es_result; the detail is in es_redis.error;
   nothing prints (desc.log_fn receives notices).

   REVISION HISTORY: 0.1 first release. LICENSE: MIT, at the end.
*/
#ifndef ES_REDIS_H_INCLUDED
#define ES_REDIS_H_INCLUDED

#include "es.h"

#define ES_REDIS_PAYLOAD_MAGIC ES_TAG('E', 'S', 'R', 'P')
#define ES_REDIS_PAYLOAD_VERSION 1
#define ES_REDIS_PAYLOAD_HEADER 32

#ifdef __cplusplus
extern "C" {
#endif

/* This layer's result code (es.h's block -200..-299); the detail is in
   es_redis.error. es_redis_result_string() names it and passes any other
   code on to es_result_string(). */
#define ES_ERROR_REDIS ((es_result)(ES_RESULT_REDIS_FIRST - 0))
ES_API const char *es_redis_result_string(es_result result);

/* Where the results of a generation live (es_runner's layout): rewards and
   stats per member, steps and status per member then per evaluation
   episode (index npop + j), eval_returns per evaluation episode. */
typedef struct es_redis_results {
    int npop;
    int nstats;               /* doubles of observation statistics per member */
    int neval;                /* evaluation episodes */
    float *rewards;           /* npop */
    double *stats;            /* npop * nstats */
    int *steps, *status;      /* npop + neval */
    double *eval_returns;     /* neval */
} es_redis_results;

/* Bytes of a payload with nmembers members and neval evaluation episodes. */
ES_API size_t es_redis_payload_size(int nmembers, int nstats, int neval);
/* Encodes members [begin, end) and, if with_eval, the evaluation episodes
   of res into out (es_redis_payload_size bytes). */
ES_API es_result es_redis_payload_encode(unsigned char *out, size_t size, uint32_t generation, uint32_t chunk,
                                         int begin, int end, int with_eval, const es_redis_results *res);
/* Checks a payload against what chunk `chunk` of `generation` must hold
   (members [begin, end), evaluation episodes if with_eval) and writes its
   values into res. Truncated, oversized, foreign or inconsistent bytes,
   statuses out of range or non-finite values: ES_ERROR_REDIS, res untouched. */
ES_API es_result es_redis_payload_decode(const void *bytes, size_t size, uint32_t generation, uint32_t chunk,
                                         int begin, int end, int with_eval, es_redis_results *res);

#ifndef ES_REDIS_NO_HIREDIS

typedef struct es_redis es_redis;

/* Evaluates chunk of generation; *payload points at your bytes, valid until the next call. */
typedef es_result (*es_redis_eval_fn)(void *user, uint32_t generation, int chunk, const void **payload,
                                      size_t *size);
/* Receives the stored payload of each chunk of a complete generation, in chunk order. */
typedef es_result (*es_redis_take_fn)(void *user, uint32_t generation, int chunk, const void *payload,
                                      size_t size);
/* Encodes the caller's current checkpoint (for repopulating Redis); *bytes
   stays the caller's. */
typedef es_result (*es_redis_snapshot_fn)(void *user, uint32_t *generation, const void **bytes, size_t *size);

typedef struct es_redis_desc {
    const char *host;         /* "127.0.0.1" */
    int port;                 /* 6379 */
    const char *password;     /* AUTH when non-empty */
    const char *run;          /* run name (required): keys "es:{run}:..." */
    const char *worker;       /* this worker's id in leases (hostname:pid) */
    int lease_ms;             /* lease of a claimed chunk (10000) */
    int wait_ms;              /* XREAD BLOCK timeout (500) */
    int reconnect_s;          /* how long to retry a lost connection (60) */
    es_redis_snapshot_fn snapshot;   /* may be NULL: no checkpoint when repopulating */
    void *snapshot_user;
    void (*log_fn)(void *user, const char *message);   /* notices; may be NULL */
    void *log_user;
} es_redis_desc;

struct es_redis {
    es_redis_desc desc;       /* resolved */
    void *ctx;                /* redisContext */
    char prefix[160];         /* "es:{run}:" */
    char host[128], worker[128], password[128];
    char sha[4][48];          /* loaded scripts */
    char last_id[48];         /* last stream entry seen */
    char error[256];          /* detail of the last error */
    unsigned char *config;    /* the run's config, as stored */
    size_t config_size;
    uint32_t final;           /* final generation, 0: none known */
    void *last_reply;         /* HGETALL of the last collected generation */
    uint32_t last_generation;
    int last_nchunks;
    int lost;                 /* set when the connection was re-established */
    /* counters */
    double redis_s;           /* wall time inside Redis calls, blocking waits excluded */
    double wait_s;            /* wall time blocked in XREAD */
    uint64_t calls;           /* Redis round trips */
    uint64_t evaluated;       /* chunks this worker evaluated */
    uint64_t dropped;         /* of those, results that came too late */
    uint64_t reclaimed;       /* chunks taken over from an expired lease */
    uint64_t reconnects;
};

ES_API es_result es_redis_connect(es_redis *rd, const es_redis_desc *desc);
ES_API void es_redis_close(es_redis *rd);
/* Stores config (SET NX) and returns a copy of the run's config in *stored
   (free with es_redis_free); *created = 1 when this call created the run. */
ES_API es_result es_redis_config(es_redis *rd, const void *config, size_t size, void **stored,
                                 size_t *stored_size, int *created);
/* Keeps bytes as the run's checkpoint if generation is higher than the one
   stored (*stored = 1), deleting the keys of generations in [gc cursor, keep_from). */
ES_API es_result es_redis_checkpoint_put(es_redis *rd, uint32_t generation, const void *bytes, size_t size,
                                         uint32_t keep_from, int *stored);
/* The run's checkpoint (free with es_redis_free); ES_ERROR_NOT_FOUND if none. */
ES_API es_result es_redis_checkpoint_get(es_redis *rd, uint32_t *generation, void **bytes, size_t *size);
/* One generation: claims, evaluates and stores chunks until all nchunks are
   in Redis, then hands every chunk's payload to take in chunk order.
   *stopped = 1 (nothing done) when generation >= the run's final generation. */
ES_API es_result es_redis_generation(es_redis *rd, uint32_t generation, int nchunks, es_redis_eval_fn eval,
                                     es_redis_take_fn take, void *user, int *stopped);
/* Sets the final generation to max(generation, highest claimed + 1) unless
   one is set; *final receives the run's final generation. */
ES_API es_result es_redis_request_final(es_redis *rd, uint32_t generation, uint32_t *final);
/* The run's final generation, 0 when none is set. */
ES_API es_result es_redis_final(es_redis *rd, uint32_t *final);
ES_API void es_redis_free(void *p);

#endif /* ES_REDIS_NO_HIREDIS */

#ifdef __cplusplus
}
#endif
#endif /* ES_REDIS_H_INCLUDED */

/* ======================================================================== */
#if defined(ES_IMPLEMENTATION) && !defined(ES_REDIS_IMPLEMENTATION_INCLUDED)
#define ES_REDIS_IMPLEMENTATION_INCLUDED

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ES__STRICT_FP_BEGIN
#ifdef __cplusplus
extern "C" {
#endif

ES_API const char *es_redis_result_string(es_result result)
{
    return result == ES_ERROR_REDIS ? "Redis error" : es_result_string(result);
}

/* ---- payload codec ---------------------------------------------------- */

ES_API size_t es_redis_payload_size(int nmembers, int nstats, int neval)
{
    if (nmembers < 0 || nstats < 0 || neval < 0) return 0;
    return ES_REDIS_PAYLOAD_HEADER + (size_t)nmembers * (12 + 8 * (size_t)nstats) + (size_t)neval * 16;
}

static int es__redis_results_ok(const es_redis_results *res, int begin, int end, int with_eval)
{
    return res && res->npop > 0 && res->nstats >= 0 && res->neval >= 0 && begin >= 0 && begin <= end &&
           end <= res->npop && res->rewards && res->steps && res->status &&
           (res->nstats == 0 || res->stats) && (!with_eval || res->neval == 0 || res->eval_returns);
}

ES_API es_result es_redis_payload_encode(unsigned char *out, size_t size, uint32_t generation, uint32_t chunk,
                                         int begin, int end, int with_eval, const es_redis_results *res)
{
    int i, j, neval;
    unsigned char *p;
    if (!out || !es__redis_results_ok(res, begin, end, with_eval)) return ES_ERROR_INVALID_ARGUMENT;
    neval = with_eval ? res->neval : 0;
    if (size != es_redis_payload_size(end - begin, res->nstats, neval)) return ES_ERROR_INVALID_ARGUMENT;
    es_put_u32(out + 0, ES_REDIS_PAYLOAD_MAGIC);
    es_put_u32(out + 4, ES_REDIS_PAYLOAD_VERSION);
    es_put_u32(out + 8, generation);
    es_put_u32(out + 12, chunk);
    es_put_u32(out + 16, (uint32_t)begin);
    es_put_u32(out + 20, (uint32_t)end);
    es_put_u32(out + 24, (uint32_t)res->nstats);
    es_put_u32(out + 28, (uint32_t)neval);
    p = out + ES_REDIS_PAYLOAD_HEADER;
    for (i = begin; i < end; i++) {
        const double *s = res->stats + (size_t)i * (size_t)res->nstats;
        es_put_f32(p, res->rewards[i]);
        es_put_u32(p + 4, (uint32_t)res->steps[i]);
        es_put_u32(p + 8, (uint32_t)res->status[i]);
        p += 12;
        for (j = 0; j < res->nstats; j++, p += 8) es_put_f64(p, s[j]);
    }
    for (j = 0; j < neval; j++, p += 16) {
        es_put_f64(p, res->eval_returns[j]);
        es_put_u32(p + 8, (uint32_t)res->steps[res->npop + j]);
        es_put_u32(p + 12, (uint32_t)res->status[res->npop + j]);
    }
    return ES_OK;
}

ES_API es_result es_redis_payload_decode(const void *bytes, size_t size, uint32_t generation, uint32_t chunk,
                                         int begin, int end, int with_eval, es_redis_results *res)
{
    const unsigned char *b = (const unsigned char *)bytes, *p;
    int i, j, neval;
    if (!es__redis_results_ok(res, begin, end, with_eval)) return ES_ERROR_INVALID_ARGUMENT;
    neval = with_eval ? res->neval : 0;
    if (!b || size != es_redis_payload_size(end - begin, res->nstats, neval)) return ES_ERROR_REDIS;
    if (es_get_u32(b) != ES_REDIS_PAYLOAD_MAGIC || es_get_u32(b + 4) != ES_REDIS_PAYLOAD_VERSION ||
        es_get_u32(b + 8) != generation || es_get_u32(b + 12) != chunk || es_get_u32(b + 16) != (uint32_t)begin ||
        es_get_u32(b + 20) != (uint32_t)end || es_get_u32(b + 24) != (uint32_t)res->nstats ||
        es_get_u32(b + 28) != (uint32_t)neval)
        return ES_ERROR_REDIS;
    /* validate everything before writing anything */
    p = b + ES_REDIS_PAYLOAD_HEADER;
    for (i = begin; i < end; i++) {
        if (!isfinite(es_get_f32(p)) || es_get_u32(p + 4) > (uint32_t)0x7fffffff || es_get_u32(p + 8) > 2u)
            return ES_ERROR_REDIS;
        p += 12;
        for (j = 0; j < res->nstats; j++, p += 8)
            if (!isfinite(es_get_f64(p))) return ES_ERROR_REDIS;
    }
    for (j = 0; j < neval; j++, p += 16)
        if (!isfinite(es_get_f64(p)) || es_get_u32(p + 8) > (uint32_t)0x7fffffff || es_get_u32(p + 12) > 2u)
            return ES_ERROR_REDIS;
    p = b + ES_REDIS_PAYLOAD_HEADER;
    for (i = begin; i < end; i++) {
        double *s = res->stats + (size_t)i * (size_t)res->nstats;
        res->rewards[i] = es_get_f32(p);
        res->steps[i] = (int)es_get_u32(p + 4);
        res->status[i] = (int)es_get_u32(p + 8);
        p += 12;
        for (j = 0; j < res->nstats; j++, p += 8) s[j] = es_get_f64(p);
    }
    for (j = 0; j < neval; j++, p += 16) {
        res->eval_returns[j] = es_get_f64(p);
        res->steps[res->npop + j] = (int)es_get_u32(p + 8);
        res->status[res->npop + j] = (int)es_get_u32(p + 12);
    }
    return ES_OK;
}

/* ---- client ------------------------------------------------------------ */
#ifndef ES_REDIS_NO_HIREDIS

#include <hiredis/hiredis.h>
#include <sys/time.h>
#include <sys/select.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Scripts. Keys outside KEYS are derived from the run prefix, which keeps
   them in the run's hash slot. */
enum { ES__RS_CLAIM, ES__RS_PUT, ES__RS_CKPT, ES__RS_FINAL, ES__RS_COUNT };
static const char *const es__redis_scripts[ES__RS_COUNT] = {
    /* claim: KEYS next, final, head, rew; ARGV nchunks, worker, lease_ms, lease prefix, generation */
    "if redis.call('HLEN', KEYS[4]) >= tonumber(ARGV[1]) then return -3 end\n"
    "local f = redis.call('GET', KEYS[2])\n"
    "local g = tonumber(ARGV[5])\n"
    "if f and g >= tonumber(f) then return -2 end\n"
    "local h = redis.call('GET', KEYS[3])\n"
    "if (not h) or tonumber(h) < g then redis.call('SET', KEYS[3], ARGV[5]) end\n"
    "local c = redis.call('INCR', KEYS[1]) - 1\n"
    "if c >= tonumber(ARGV[1]) then return -1 end\n"
    "redis.call('SET', ARGV[4] .. c, ARGV[2], 'PX', ARGV[3])\n"
    "return c\n",
    /* put: KEYS rew, stream; ARGV chunk, payload, nchunks, generation */
    "local s = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])\n"
    "local n = redis.call('HLEN', KEYS[1])\n"
    "if s == 1 and n == tonumber(ARGV[3]) then\n"
    "  redis.call('XADD', KEYS[2], 'MAXLEN', '~', '64', '*', 'g', ARGV[4])\n"
    "end\n"
    "return {s, n}\n",
    /* checkpoint: KEYS ckpt, gc; ARGV generation, bytes, keep_from, generation prefix */
    "local cur = redis.call('HGET', KEYS[1], 'gen')\n"
    "if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'gen', ARGV[1], 'data', ARGV[2])\n"
    "local lo = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
    "local hi = tonumber(ARGV[3])\n"
    "for g = lo, hi - 1 do\n"
    "  redis.call('DEL', ARGV[4] .. g .. ':rew', ARGV[4] .. g .. ':next')\n"
    "end\n"
    "if hi > lo then redis.call('SET', KEYS[2], ARGV[3]) end\n"
    "return 1\n",
    /* final: KEYS final, head; ARGV generation */
    "local f = redis.call('GET', KEYS[1])\n"
    "if f then return tonumber(f) end\n"
    "local h = tonumber(redis.call('GET', KEYS[2]) or '-1')\n"
    "local g = tonumber(ARGV[1])\n"
    "if h + 1 > g then g = h + 1 end\n"
    "redis.call('SET', KEYS[1], g)\n"
    "return g\n"};

static double es__redis_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}

static void es__redis_sleep_ms(int ms)
{
    struct timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    select(0, NULL, NULL, NULL, &tv);
}

static es_result es__redis_fail(es_redis *rd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->error, sizeof rd->error, fmt, ap);
    va_end(ap);
    return ES_ERROR_REDIS;
}

static void es__redis_log(es_redis *rd, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    if (!rd->desc.log_fn) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rd->desc.log_fn(rd->desc.log_user, msg);
}

static void es__redis_drop_ctx(es_redis *rd)
{
    if (rd->ctx) redisFree((redisContext *)rd->ctx);
    rd->ctx = NULL;
}

/* One round trip with binary-safe arguments; NULL on a connection error
   (the context is dropped) or a Redis error reply (message in rd->error). */
static redisReply *es__redis_call(es_redis *rd, int argc, const char **argv, const size_t *len, int blocking)
{
    redisReply *rep;
    double t0;
    if (!rd->ctx) {
        es__redis_fail(rd, "not connected");
        return NULL;
    }
    t0 = es__redis_now();
    rep = (redisReply *)redisCommandArgv((redisContext *)rd->ctx, argc, argv, len);
    if (blocking) rd->wait_s += es__redis_now() - t0;
    else rd->redis_s += es__redis_now() - t0;
    rd->calls++;
    if (!rep) {
        es__redis_fail(rd, "connection to %s:%d lost: %s", rd->host, rd->desc.port,
                       ((redisContext *)rd->ctx)->errstr);
        es__redis_drop_ctx(rd);
        return NULL;
    }
    if (rep->type == REDIS_REPLY_ERROR) {
        es__redis_fail(rd, "%s: %.*s", argv[0], (int)(rep->len < 200 ? rep->len : 200), rep->str ? rep->str : "");
        freeReplyObject(rep);
        return NULL;
    }
    return rep;
}

static redisReply *es__redis_cmd(es_redis *rd, const char *a0, const char *a1, const char *a2, const char *a3)
{
    const char *argv[4];
    size_t len[4];
    int n = 0, i;
    argv[n++] = a0;
    if (a1) argv[n++] = a1;
    if (a2) argv[n++] = a2;
    if (a3) argv[n++] = a3;
    for (i = 0; i < n; i++) len[i] = strlen(argv[i]);
    return es__redis_call(rd, n, argv, len, 0);
}

static void es__redis_key(const es_redis *rd, char *out, size_t size, const char *suffix)
{
    snprintf(out, size, "%s%s", rd->prefix, suffix);
}

static void es__redis_gkey(const es_redis *rd, char *out, size_t size, uint32_t g, const char *suffix)
{
    snprintf(out, size, "%sg:%u:%s", rd->prefix, (unsigned)g, suffix);
}

/* Strict unsigned decimal of a bulk or integer reply. */
static int es__redis_uint(const redisReply *rep, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    size_t i;
    if (!rep) return 0;
    if (rep->type == REDIS_REPLY_INTEGER) {
        if (rep->integer < 0 || (unsigned long long)rep->integer > max) return 0;
        *out = (unsigned long long)rep->integer;
        return 1;
    }
    if (rep->type != REDIS_REPLY_STRING || rep->len == 0 || rep->len > 20 || !rep->str) return 0;
    for (i = 0; i < rep->len; i++) {
        unsigned d = (unsigned)(unsigned char)rep->str[i] - '0';
        if (d > 9 || v > (max - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* Connects, authenticates and loads the scripts (no repopulation). */
static es_result es__redis_open(es_redis *rd)
{
    struct timeval tv;
    redisContext *c;
    redisReply *rep;
    int i;
    es__redis_drop_ctx(rd);
    tv.tv_sec = 5;
    tv.tv_usec = 0;
    c = redisConnectWithTimeout(rd->host, rd->desc.port, tv);
    if (!c) return es__redis_fail(rd, "cannot connect to %s:%d: out of memory", rd->host, rd->desc.port);
    if (c->err) {
        es__redis_fail(rd, "cannot connect to %s:%d: %s", rd->host, rd->desc.port, c->errstr);
        redisFree(c);
        return ES_ERROR_REDIS;
    }
    tv.tv_sec = rd->desc.wait_ms / 1000 + 30;
    redisSetTimeout(c, tv);
    rd->ctx = c;
    if (rd->password[0]) {
        rep = es__redis_cmd(rd, "AUTH", rd->password, NULL, NULL);
        if (!rep) return ES_ERROR_REDIS;
        freeReplyObject(rep);
    }
    for (i = 0; i < ES__RS_COUNT; i++) {
        rep = es__redis_cmd(rd, "SCRIPT", "LOAD", es__redis_scripts[i], NULL);
        if (!rep) return ES_ERROR_REDIS;
        if (rep->type != REDIS_REPLY_STRING || rep->len == 0 || rep->len >= sizeof rd->sha[i]) {
            freeReplyObject(rep);
            return es__redis_fail(rd, "SCRIPT LOAD: unexpected reply");
        }
        memcpy(rd->sha[i], rep->str, rep->len);
        rd->sha[i][rep->len] = 0;
        freeReplyObject(rep);
    }
    strcpy(rd->last_id, "0-0");
    {   /* start waiting after the newest entry of the stream */
        char key[256];
        es__redis_key(rd, key, sizeof key, "done");
        {
            const char *argv[6] = {"XREVRANGE", key, "+", "-", "COUNT", "1"};
            size_t len[6];
            for (i = 0; i < 6; i++) len[i] = strlen(argv[i]);
            rep = es__redis_call(rd, 6, argv, len, 0);
        }
        if (!rep) return ES_ERROR_REDIS;
        if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 1 && rep->element[0]->type == REDIS_REPLY_ARRAY &&
            rep->element[0]->elements >= 1 && rep->element[0]->element[0]->type == REDIS_REPLY_STRING &&
            rep->element[0]->element[0]->len < sizeof rd->last_id) {
            memcpy(rd->last_id, rep->element[0]->element[0]->str, rep->element[0]->element[0]->len);
            rd->last_id[rep->element[0]->element[0]->len] = 0;
        }
        freeReplyObject(rep);
    }
    return ES_OK;
}

static es_result es__redis_put_raw(es_redis *rd, uint32_t g, const char *chunk, size_t chunk_len,
                                   const void *payload, size_t size, int nchunks, int *stored);
static es_result es__redis_ckpt_raw(es_redis *rd, uint32_t generation, const void *bytes, size_t size,
                                    uint32_t keep_from, int *stored);

/* After a reconnection: if the run's keys are gone (Redis restarted
   empty), put back what this worker knows. */
static es_result es__redis_repopulate(es_redis *rd)
{
    char key[256], num[24];
    redisReply *rep;
    int exists;
    es__redis_key(rd, key, sizeof key, "config");
    rep = es__redis_cmd(rd, "EXISTS", key, NULL, NULL);
    if (!rep) return ES_ERROR_REDIS;
    exists = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
    freeReplyObject(rep);
    if (exists || !rd->config) return ES_OK;
    es__redis_log(rd, "run %s is gone from Redis (restarted?): repopulating it", rd->desc.run);
    {
        const char *argv[4] = {"SET", key, (const char *)rd->config, "NX"};
        size_t len[4];
        len[0] = 3; len[1] = strlen(key); len[2] = rd->config_size; len[3] = 2;
        rep = es__redis_call(rd, 4, argv, len, 0);
        if (!rep) return ES_ERROR_REDIS;
        freeReplyObject(rep);
    }
    if (rd->desc.snapshot) {
        uint32_t g = 0;
        const void *bytes = NULL;
        size_t size = 0;
        int stored;
        if (rd->desc.snapshot(rd->desc.snapshot_user, &g, &bytes, &size) == ES_OK && bytes &&
            es__redis_ckpt_raw(rd, g, bytes, size, 0, &stored) != ES_OK)
            return ES_ERROR_REDIS;
    }
    if (rd->final) {
        es__redis_key(rd, key, sizeof key, "final");
        snprintf(num, sizeof num, "%u", (unsigned)rd->final);
        rep = es__redis_cmd(rd, "SET", key, num, "NX");
        if (!rep) return ES_ERROR_REDIS;
        freeReplyObject(rep);
    }
    if (rd->last_reply) {
        redisReply *h = (redisReply *)rd->last_reply;
        size_t i;
        int stored;
        for (i = 0; i + 1 < h->elements; i += 2)
            if (es__redis_put_raw(rd, rd->last_generation, h->element[i]->str, h->element[i]->len,
                                  h->element[i + 1]->str, h->element[i + 1]->len, rd->last_nchunks, &stored) != ES_OK)
                return ES_ERROR_REDIS;
    }
    return ES_OK;
}

/* Re-establishes a lost connection, retrying for reconnect_s. */
static es_result es__redis_reconnect(es_redis *rd)
{
    double t0 = es__redis_now();
    char why[256];
    snprintf(why, sizeof why, "%s", rd->error);
    es__redis_log(rd, "%s; reconnecting", why);
    for (;;) {
        if (es__redis_open(rd) == ES_OK && es__redis_repopulate(rd) == ES_OK) {
            rd->reconnects++;
            rd->lost = 1;
            es__redis_log(rd, "reconnected to %s:%d", rd->host, rd->desc.port);
            return ES_OK;
        }
        es__redis_drop_ctx(rd);
        if (es__redis_now() - t0 > rd->desc.reconnect_s)
            return es__redis_fail(rd, "Redis at %s:%d unreachable for %d s (%s)", rd->host, rd->desc.port,
                                  rd->desc.reconnect_s, why);
        es__redis_sleep_ms(250);
    }
}

/* A script call; on NOSCRIPT it falls back to EVAL with the source. */
static redisReply *es__redis_script(es_redis *rd, int script, int nkeys, int nargs, const char **args,
                                    const size_t *lens)
{
    const char *argv[16];
    size_t len[16];
    char nk[8];
    redisReply *rep;
    int i;
    snprintf(nk, sizeof nk, "%d", nkeys);
    argv[0] = "EVALSHA";
    argv[1] = rd->sha[script];
    argv[2] = nk;
    len[0] = 7;
    len[1] = strlen(argv[1]);
    len[2] = strlen(nk);
    for (i = 0; i < nargs && i < 13; i++) {
        argv[3 + i] = args[i];
        len[3 + i] = lens ? lens[i] : strlen(args[i]);
    }
    rep = es__redis_call(rd, 3 + i, argv, len, 0);
    if (!rep && rd->ctx && !strncmp(rd->error, "EVALSHA: NOSCRIPT", 17)) {
        argv[0] = "EVAL";
        len[0] = 4;
        argv[1] = es__redis_scripts[script];
        len[1] = strlen(argv[1]);
        rep = es__redis_call(rd, 3 + i, argv, len, 0);
    }
    return rep;
}

static es_result es__redis_put_raw(es_redis *rd, uint32_t g, const char *chunk, size_t chunk_len,
                                   const void *payload, size_t size, int nchunks, int *stored)
{
    char k1[256], k2[256], nc[16], gs[16];
    const char *args[6];
    size_t lens[6];
    redisReply *rep;
    es__redis_gkey(rd, k1, sizeof k1, g, "rew");
    es__redis_key(rd, k2, sizeof k2, "done");
    snprintf(nc, sizeof nc, "%d", nchunks);
    snprintf(gs, sizeof gs, "%u", (unsigned)g);
    args[0] = k1; args[1] = k2; args[2] = chunk; args[3] = (const char *)payload; args[4] = nc; args[5] = gs;
    lens[0] = strlen(k1); lens[1] = strlen(k2); lens[2] = chunk_len; lens[3] = size;
    lens[4] = strlen(nc); lens[5] = strlen(gs);
    rep = es__redis_script(rd, ES__RS_PUT, 2, 6, args, lens);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 || rep->element[0]->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "put: unexpected reply");
    }
    *stored = rep->element[0]->integer == 1;
    freeReplyObject(rep);
    return ES_OK;
}

static es_result es__redis_ckpt_raw(es_redis *rd, uint32_t generation, const void *bytes, size_t size,
                                    uint32_t keep_from, int *stored)
{
    char k1[256], k2[256], gp[256], gs[16], kf[16];
    const char *args[6];
    size_t lens[6];
    redisReply *rep;
    int i;
    es__redis_key(rd, k1, sizeof k1, "ckpt");
    es__redis_key(rd, k2, sizeof k2, "gc");
    es__redis_key(rd, gp, sizeof gp, "g:");
    snprintf(gs, sizeof gs, "%u", (unsigned)generation);
    snprintf(kf, sizeof kf, "%u", (unsigned)keep_from);
    args[0] = k1; args[1] = k2; args[2] = gs; args[3] = (const char *)bytes; args[4] = kf; args[5] = gp;
    for (i = 0; i < 6; i++) lens[i] = strlen(args[i]);
    lens[3] = size;
    rep = es__redis_script(rd, ES__RS_CKPT, 2, 6, args, lens);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "checkpoint: unexpected reply");
    }
    *stored = rep->integer == 1;
    freeReplyObject(rep);
    return ES_OK;
}

/* Runs op; on a lost connection reconnects (and repopulates) and runs it once more. */
#define ES__REDIS_RETRY(rd, expr)                                                      \
    do {                                                                               \
        r = (expr);                                                                    \
        if (r != ES_OK && !(rd)->ctx) {                                                \
            if (es__redis_reconnect(rd) != ES_OK) return ES_ERROR_REDIS;               \
            r = (expr);                                                                \
        }                                                                              \
    } while (0)

ES_API void es_redis_free(void *p) { ES_FREE(p); }

ES_API es_result es_redis_connect(es_redis *rd, const es_redis_desc *desc)
{
    const char *host;
    if (!rd) return ES_ERROR_INVALID_ARGUMENT;
    memset(rd, 0, sizeof *rd);
    if (!desc || !desc->run || !desc->run[0] || strlen(desc->run) > 100)
        return es__redis_fail(rd, "a run name of 1 to 100 characters is required");
    rd->desc = *desc;
    host = desc->host && desc->host[0] ? desc->host : "127.0.0.1";
    if (strlen(host) >= sizeof rd->host) return es__redis_fail(rd, "host name too long");
    strcpy(rd->host, host);
    if (rd->desc.port <= 0) rd->desc.port = 6379;
    if (rd->desc.lease_ms <= 0) rd->desc.lease_ms = 10000;
    if (rd->desc.wait_ms <= 0) rd->desc.wait_ms = 500;
    if (rd->desc.reconnect_s <= 0) rd->desc.reconnect_s = 60;
    if (desc->password && strlen(desc->password) >= sizeof rd->password)
        return es__redis_fail(rd, "password too long");
    if (desc->password) strcpy(rd->password, desc->password);
    if (desc->worker && desc->worker[0]) {
        snprintf(rd->worker, sizeof rd->worker, "%s", desc->worker);
    } else {
        struct utsname un;
        snprintf(rd->worker, sizeof rd->worker, "%.64s:%ld", uname(&un) == 0 ? un.nodename : "host",
                 (long)getpid());
    }
    rd->desc.host = rd->host;
    rd->desc.worker = rd->worker;
    rd->desc.password = NULL;
    snprintf(rd->prefix, sizeof rd->prefix, "es:{%s}:", desc->run);
    return es__redis_open(rd);
}

ES_API void es_redis_close(es_redis *rd)
{
    if (!rd) return;
    es__redis_drop_ctx(rd);
    if (rd->last_reply) freeReplyObject(rd->last_reply);
    rd->last_reply = NULL;
    ES_FREE(rd->config);
    rd->config = NULL;
    memset(rd->password, 0, sizeof rd->password);
}

static es_result es__redis_config_once(es_redis *rd, const void *config, size_t size, void **stored,
                                       size_t *stored_size, int *created)
{
    char key[256];
    const char *argv[4];
    size_t len[4];
    redisReply *rep;
    es__redis_key(rd, key, sizeof key, "config");
    argv[0] = "SET"; argv[1] = key; argv[2] = (const char *)config; argv[3] = "NX";
    len[0] = 3; len[1] = strlen(key); len[2] = size; len[3] = 2;
    rep = es__redis_call(rd, 4, argv, len, 0);
    if (!rep) return ES_ERROR_REDIS;
    *created = rep->type == REDIS_REPLY_STATUS;
    freeReplyObject(rep);
    rep = es__redis_cmd(rd, "GET", key, NULL, NULL);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_STRING || rep->len == 0 || rep->len > (1u << 20)) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "%s: not a config string", key);
    }
    *stored = ES_MALLOC(rep->len + 1);
    if (!*stored) {
        freeReplyObject(rep);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memcpy(*stored, rep->str, rep->len);
    ((char *)*stored)[rep->len] = 0;
    *stored_size = rep->len;
    freeReplyObject(rep);
    return ES_OK;
}

ES_API es_result es_redis_config(es_redis *rd, const void *config, size_t size, void **stored,
                                 size_t *stored_size, int *created)
{
    es_result r;
    if (!rd || !config || size == 0 || !stored || !stored_size || !created) return ES_ERROR_INVALID_ARGUMENT;
    *stored = NULL;
    ES__REDIS_RETRY(rd, es__redis_config_once(rd, config, size, stored, stored_size, created));
    if (r != ES_OK) return r;
    if (*stored_size == size && memcmp(*stored, config, size) == 0) {   /* keep it for repopulating */
        ES_FREE(rd->config);
        rd->config = (unsigned char *)ES_MALLOC(size);
        if (!rd->config) return ES_ERROR_OUT_OF_MEMORY;
        memcpy(rd->config, config, size);
        rd->config_size = size;
    }
    return ES_OK;
}

ES_API es_result es_redis_checkpoint_put(es_redis *rd, uint32_t generation, const void *bytes, size_t size,
                                         uint32_t keep_from, int *stored)
{
    es_result r;
    int dummy;
    if (!rd || !bytes || size == 0) return ES_ERROR_INVALID_ARGUMENT;
    if (!stored) stored = &dummy;
    ES__REDIS_RETRY(rd, es__redis_ckpt_raw(rd, generation, bytes, size, keep_from, stored));
    return r;
}

static es_result es__redis_ckpt_get_once(es_redis *rd, uint32_t *generation, void **bytes, size_t *size)
{
    char key[256];
    unsigned long long g;
    redisReply *rep;
    const char *argv[4];
    size_t len[4];
    int i;
    es__redis_key(rd, key, sizeof key, "ckpt");
    argv[0] = "HMGET"; argv[1] = key; argv[2] = "gen"; argv[3] = "data";
    for (i = 0; i < 4; i++) len[i] = strlen(argv[i]);
    rep = es__redis_call(rd, 4, argv, len, 0);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "%s: unexpected reply", key);
    }
    if (rep->element[0]->type == REDIS_REPLY_NIL && rep->element[1]->type == REDIS_REPLY_NIL) {
        freeReplyObject(rep);
        return ES_ERROR_NOT_FOUND;
    }
    if (!es__redis_uint(rep->element[0], 0xffffffffull, &g) || rep->element[1]->type != REDIS_REPLY_STRING ||
        rep->element[1]->len == 0) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "%s: malformed checkpoint entry", key);
    }
    *bytes = ES_MALLOC(rep->element[1]->len);
    if (!*bytes) {
        freeReplyObject(rep);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memcpy(*bytes, rep->element[1]->str, rep->element[1]->len);
    *size = rep->element[1]->len;
    *generation = (uint32_t)g;
    freeReplyObject(rep);
    return ES_OK;
}

ES_API es_result es_redis_checkpoint_get(es_redis *rd, uint32_t *generation, void **bytes, size_t *size)
{
    es_result r;
    if (!rd || !generation || !bytes || !size) return ES_ERROR_INVALID_ARGUMENT;
    *bytes = NULL;
    ES__REDIS_RETRY(rd, es__redis_ckpt_get_once(rd, generation, bytes, size));
    return r;
}

static es_result es__redis_final_once(es_redis *rd, uint32_t generation, int request, uint32_t *final)
{
    char k1[256], k2[256], gs[16];
    unsigned long long f = 0;
    redisReply *rep;
    es__redis_key(rd, k1, sizeof k1, "final");
    if (request) {
        const char *args[3];
        es__redis_key(rd, k2, sizeof k2, "head");
        snprintf(gs, sizeof gs, "%u", (unsigned)generation);
        args[0] = k1; args[1] = k2; args[2] = gs;
        rep = es__redis_script(rd, ES__RS_FINAL, 2, 3, args, NULL);
    } else {
        rep = es__redis_cmd(rd, "GET", k1, NULL, NULL);
    }
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_NIL && !es__redis_uint(rep, 0xffffffffull, &f)) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "%s: not a generation", k1);
    }
    freeReplyObject(rep);
    *final = (uint32_t)f;
    if (f) rd->final = (uint32_t)f;
    return ES_OK;
}

ES_API es_result es_redis_request_final(es_redis *rd, uint32_t generation, uint32_t *final)
{
    es_result r;
    if (!rd || !final) return ES_ERROR_INVALID_ARGUMENT;
    if (generation == 0) generation = 1;
    ES__REDIS_RETRY(rd, es__redis_final_once(rd, generation, 1, final));
    return r;
}

ES_API es_result es_redis_final(es_redis *rd, uint32_t *final)
{
    es_result r;
    if (!rd || !final) return ES_ERROR_INVALID_ARGUMENT;
    ES__REDIS_RETRY(rd, es__redis_final_once(rd, 0, 0, final));
    return r;
}

/* ---- one generation --------------------------------------------------- */

/* *chunk: claimed chunk, -1 none left, -2 past the final generation, -3 complete. */
static es_result es__redis_claim(es_redis *rd, uint32_t g, int nchunks, int *chunk)
{
    char k1[256], k2[256], k3[256], k4[256], lp[256], nc[16], ms[16], gs[16];
    const char *args[9];
    redisReply *rep;
    es__redis_gkey(rd, k1, sizeof k1, g, "next");
    es__redis_key(rd, k2, sizeof k2, "final");
    es__redis_key(rd, k3, sizeof k3, "head");
    es__redis_gkey(rd, k4, sizeof k4, g, "rew");
    es__redis_gkey(rd, lp, sizeof lp, g, "lease:");
    snprintf(nc, sizeof nc, "%d", nchunks);
    snprintf(ms, sizeof ms, "%d", rd->desc.lease_ms);
    snprintf(gs, sizeof gs, "%u", (unsigned)g);
    args[0] = k1; args[1] = k2; args[2] = k3; args[3] = k4; args[4] = nc; args[5] = rd->worker; args[6] = ms;
    args[7] = lp; args[8] = gs;
    rep = es__redis_script(rd, ES__RS_CLAIM, 4, 9, args, NULL);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_INTEGER || rep->integer < -3 || rep->integer >= nchunks) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "claim: unexpected reply");
    }
    *chunk = (int)rep->integer;
    freeReplyObject(rep);
    return ES_OK;
}

/* Takes over a missing chunk whose lease expired: *chunk or -1. */
static es_result es__redis_reclaim(es_redis *rd, uint32_t g, int nchunks, int *chunk)
{
    char key[256], lk[256], ms[16];
    redisReply *rep;
    unsigned char *have;
    size_t i;
    int c;
    *chunk = -1;
    es__redis_gkey(rd, key, sizeof key, g, "rew");
    rep = es__redis_cmd(rd, "HKEYS", key, NULL, NULL);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements > (size_t)nchunks) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "%s: unexpected fields", key);
    }
    have = (unsigned char *)ES_MALLOC((size_t)nchunks + 1);
    if (!have) {
        freeReplyObject(rep);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memset(have, 0, (size_t)nchunks);
    for (i = 0; i < rep->elements; i++) {
        unsigned long long v;
        if (!es__redis_uint(rep->element[i], (unsigned long long)nchunks - 1, &v) ||
            rep->element[i]->type != REDIS_REPLY_STRING) {
            freeReplyObject(rep);
            ES_FREE(have);
            return es__redis_fail(rd, "%s: field is not a chunk number", key);
        }
        have[v] = 1;
    }
    freeReplyObject(rep);
    snprintf(ms, sizeof ms, "%d", rd->desc.lease_ms);
    for (c = 0; c < nchunks; c++) {
        const char *argv[6];
        size_t len[6];
        int k, ok;
        char name[32];
        if (have[c]) continue;
        snprintf(name, sizeof name, "lease:%d", c);
        es__redis_gkey(rd, lk, sizeof lk, g, name);
        argv[0] = "SET"; argv[1] = lk; argv[2] = rd->worker; argv[3] = "NX"; argv[4] = "PX"; argv[5] = ms;
        for (k = 0; k < 6; k++) len[k] = strlen(argv[k]);
        rep = es__redis_call(rd, 6, argv, len, 0);
        if (!rep) {
            ES_FREE(have);
            return ES_ERROR_REDIS;
        }
        ok = rep->type == REDIS_REPLY_STATUS;
        freeReplyObject(rep);
        if (ok) {
            *chunk = c;
            break;
        }
    }
    ES_FREE(have);
    return ES_OK;
}

/* Blocks until a generation completes or wait_ms passes. */
static es_result es__redis_wait(es_redis *rd)
{
    char key[256], ms[16];
    const char *argv[8];
    size_t len[8];
    redisReply *rep, *entries;
    int i;
    es__redis_key(rd, key, sizeof key, "done");
    snprintf(ms, sizeof ms, "%d", rd->desc.wait_ms);
    argv[0] = "XREAD"; argv[1] = "COUNT"; argv[2] = "64"; argv[3] = "BLOCK"; argv[4] = ms;
    argv[5] = "STREAMS"; argv[6] = key; argv[7] = rd->last_id;
    for (i = 0; i < 8; i++) len[i] = strlen(argv[i]);
    rep = es__redis_call(rd, 8, argv, len, 1);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type == REDIS_REPLY_NIL) {
        freeReplyObject(rep);
        return ES_OK;
    }
    /* [[key, [[id, [field, value]], ...]]] */
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 1 || rep->element[0]->type != REDIS_REPLY_ARRAY ||
        rep->element[0]->elements != 2 || rep->element[0]->element[1]->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "XREAD %s: unexpected reply", key);
    }
    entries = rep->element[0]->element[1];
    if (entries->elements > 0) {
        redisReply *last = entries->element[entries->elements - 1];
        if (last->type != REDIS_REPLY_ARRAY || last->elements < 1 || last->element[0]->type != REDIS_REPLY_STRING ||
            last->element[0]->len == 0 || last->element[0]->len >= sizeof rd->last_id) {
            freeReplyObject(rep);
            return es__redis_fail(rd, "XREAD %s: malformed entry", key);
        }
        memcpy(rd->last_id, last->element[0]->str, last->element[0]->len);
        rd->last_id[last->element[0]->len] = 0;
    }
    freeReplyObject(rep);
    return ES_OK;
}

static es_result es__redis_evaluate(es_redis *rd, uint32_t g, int chunk, int nchunks, es_redis_eval_fn eval,
                                    void *user)
{
    const void *payload = NULL;
    size_t size = 0;
    char cs[16];
    int stored;
    es_result r = eval(user, g, chunk, &payload, &size);
    if (r != ES_OK) return r;
    if (!payload || size == 0) return es__redis_fail(rd, "chunk %d: the evaluation gave no payload", chunk);
    rd->evaluated++;
    snprintf(cs, sizeof cs, "%d", chunk);
    r = es__redis_put_raw(rd, g, cs, strlen(cs), payload, size, nchunks, &stored);
    if (r != ES_OK && !rd->ctx) {             /* keep the work across a reconnection */
        if (es__redis_reconnect(rd) != ES_OK) return ES_ERROR_REDIS;
        r = es__redis_put_raw(rd, g, cs, strlen(cs), payload, size, nchunks, &stored);
    }
    if (r == ES_OK && !stored) {
        rd->dropped++;
        es__redis_log(rd, "late result of generation %u chunk %d dropped (another worker stored it first)",
                      (unsigned)g, chunk);
    }
    return r;
}

/* HGETALL g:rew, checked, and take() on each chunk in order. */
static es_result es__redis_collect(es_redis *rd, uint32_t g, int nchunks, es_redis_take_fn take, void *user,
                                   int *incomplete)
{
    char key[256];
    redisReply *rep, **by;
    size_t i;
    int c;
    es_result r = ES_OK;
    *incomplete = 0;
    es__redis_gkey(rd, key, sizeof key, g, "rew");
    rep = es__redis_cmd(rd, "HGETALL", key, NULL, NULL);
    if (!rep) return ES_ERROR_REDIS;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements % 2 || rep->elements > 2 * (size_t)nchunks) {
        freeReplyObject(rep);
        return es__redis_fail(rd, "%s: unexpected reply", key);
    }
    if (rep->elements != 2 * (size_t)nchunks) {   /* lost meanwhile (Redis restarted) */
        freeReplyObject(rep);
        *incomplete = 1;
        return ES_OK;
    }
    by = (redisReply **)ES_MALLOC((size_t)nchunks * sizeof *by);
    if (!by) {
        freeReplyObject(rep);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memset(by, 0, (size_t)nchunks * sizeof *by);
    for (i = 0; i < rep->elements; i += 2) {
        unsigned long long v;
        if (rep->element[i]->type != REDIS_REPLY_STRING ||
            !es__redis_uint(rep->element[i], (unsigned long long)nchunks - 1, &v) || by[v] ||
            rep->element[i + 1]->type != REDIS_REPLY_STRING) {
            r = es__redis_fail(rd, "%s: malformed field", key);
            break;
        }
        by[v] = rep->element[i + 1];
    }
    for (c = 0; r == ES_OK && c < nchunks; c++) {
        r = take(user, g, c, by[c]->str, by[c]->len);
        if (r != ES_OK) {
            char why[200];
            snprintf(why, sizeof why, "%s", es_redis_result_string(r));
            es__redis_fail(rd, "%s chunk %d: payload of %zu bytes rejected (%s)", key, c, by[c]->len,
                           r == ES_ERROR_REDIS ? "malformed or of another chunk" : why);
            r = ES_ERROR_REDIS;
        }
    }
    ES_FREE(by);
    if (r != ES_OK) {
        freeReplyObject(rep);
        return r;
    }
    if (rd->last_reply) freeReplyObject(rd->last_reply);
    rd->last_reply = rep;
    rd->last_generation = g;
    rd->last_nchunks = nchunks;
    return ES_OK;
}

static es_result es__redis_step(es_redis *rd, uint32_t g, int nchunks, es_redis_eval_fn eval,
                                es_redis_take_fn take, void *user, int *stopped, int *done)
{
    int chunk, incomplete;
    es_result r;
    *done = 0;
    if ((r = es__redis_claim(rd, g, nchunks, &chunk)) != ES_OK) return r;
    if (chunk == -3) {
        if ((r = es__redis_collect(rd, g, nchunks, take, user, &incomplete)) != ES_OK) return r;
        *done = !incomplete;
        return ES_OK;
    }
    if (chunk == -2) {
        *stopped = 1;
        *done = 1;
        return ES_OK;
    }
    if (chunk < 0) {
        if ((r = es__redis_reclaim(rd, g, nchunks, &chunk)) != ES_OK) return r;
        if (chunk >= 0) {
            rd->reclaimed++;
            es__redis_log(rd, "generation %u chunk %d: lease expired, re-claimed", (unsigned)g, chunk);
        }
    }
    if (chunk >= 0) return es__redis_evaluate(rd, g, chunk, nchunks, eval, user);
    return es__redis_wait(rd);
}

ES_API es_result es_redis_generation(es_redis *rd, uint32_t generation, int nchunks, es_redis_eval_fn eval,
                                     es_redis_take_fn take, void *user, int *stopped)
{
    int done = 0, dummy;
    if (!stopped) stopped = &dummy;
    *stopped = 0;
    if (!rd || nchunks <= 0 || !eval || !take) return ES_ERROR_INVALID_ARGUMENT;
    while (!done) {
        es_result r = es__redis_step(rd, generation, nchunks, eval, take, user, stopped, &done);
        if (r == ES_OK) continue;
        if (rd->ctx) return r;        /* a Redis error reply, bad data or the callback's error */
        if (es__redis_reconnect(rd) != ES_OK) return ES_ERROR_REDIS;
    }
    return ES_OK;
}

#endif /* ES_REDIS_NO_HIREDIS */

#ifdef __cplusplus
}
#endif
ES__STRICT_FP_END
#endif /* ES_IMPLEMENTATION */

/* LICENSE
   MIT License. Copyright (c) 2026 the es authors.
   Permission is hereby granted, free of charge, to any person obtaining a
   copy of this software and associated documentation files (the
   "Software"), to deal in the Software without restriction, including
   without limitation the rights to use, copy, modify, merge, publish,
   distribute, sublicense, and/or sell copies of the Software, and to permit
   persons to whom the Software is furnished to do so, subject to the
   following conditions: The above copyright notice and this permission
   notice shall be included in all copies or substantial portions of the
   Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
   EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
   MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
   NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
   DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
   OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
   USE OR OTHER DEALINGS IN THE SOFTWARE.
*/
