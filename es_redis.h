/* es_redis.h - v0.3 - elastic distributed ES generations on Redis: workers
   claim chunks of the population, share their results through Redis, and
   each applies the same update to its own copy of theta.

   QUICK START (a single-process trainer plus a connect and one call)

       #define ES_IMPLEMENTATION
       #include "es_redis.h"                 // includes es_mlp.h; link -lhiredis

       ...                                   // es_init, es_runner_init as for one process
       es_redis_desc rdd = {0};
       rdd.host = "127.0.0.1"; rdd.port = 6379; rdd.run = "cheetah";
       rdd.password = getenv("ES_REDIS_PASSWORD");
       rdd.settings = "task=HalfCheetah-v5\n";  // what else every worker must share
       es_redis rd;
       if (es_redis_connect(&rd, &rdd) != ES_OK) ...   // rd.error holds the detail
       for (;;) {
           int stopped;
           if (es_redis_runner_generation(&rd, &run, &stopped) != ES_OK) ...
           if (stopped) break;               // the run's last generation is done
       }
       es_redis_close(&rd);

   CONFIGURATION MACROS: those of es.h, plus
       ES_REDIS_NO_HIREDIS   only the payload codec (no client, no hiredis needed)

   STEP BY STEP

   1. es_redis_connect() connects (AUTH when desc.password is set; any
      length) and loads the Lua scripts. Every key of a run starts with
      "es:{RUN}:" (the braces keep a run in one Redis Cluster slot). A
      failed connect keeps nothing (es_redis.error says why; es_redis_close
      is harmless but not needed). A lost connection is re-established by
      the next call; after es_redis_close every call fails ("not
      connected") and nothing reconnects.
   2. es_redis_runner_generation() runs one generation of an es_runner with
      the other workers, in place of es_runner_generation(). Its first call
      creates or joins the run:
        - the run's settings (desc.settings, then the runner's: noise stream,
          npop, sigma, lr, optimizer, seed, nparams, observation and action
          sizes, evaluation episodes, max_steps, desc.generations, chunk) are
          stored with SET NX; a worker whose settings differ gets
          ES_ERROR_REDIS_SETTINGS, es_redis.error naming the first line that
          differs;
        - the creator stores its state as the run's checkpoint; a joiner
          adopts the run's checkpoint (theta, optimizer state, normalizer,
          env_steps) and then replays: generations whose results are
          complete in Redis are collected without evaluating anything. A
          joiner that finds the settings but no valid checkpoint (missing,
          damaged, or an entry without data; or the creator stopped, or
          lost Redis's reply to its SET NX, before storing one) first waits
          while the run shows other workers at work (the highest claimed
          generation or the stream "done" moves, or a chunk of the highest
          claimed generation is leased): their next checkpoint, which also
          replaces an invalid entry, is adopted. Once nothing has moved for
          lease_ms + 2 wait_ms (at once if no generation was ever claimed),
          it stores its own state ("highest generation wins", so joiners
          doing this at once agree) and adopts what won; that state's
          generation and the ones above are then computed again: their
          keys are deleted, gc is set to it and head dropped, in the same
          script. Results are deterministic, so a run seeded from the same
          state recomputes the same history. A run whose settings are in
          Redis can always be started again.
      Each call then claims, evaluates and stores chunks until the
      generation is complete, collects every chunk into the runner's
      results, counts every member's steps in env_steps (whoever ran them)
      and calls es_runner_update(). Every desc.ckpt_every generations, and at
      the last one, the runner's state becomes the run's checkpoint (and
      the keys of generations more than ckpt_every below it are deleted: the
      run's "gc" cursor). A worker that fell behind (stopped or slow while
      the run went past gc) adopts the run's checkpoint as a joiner does,
      instead of recomputing the generations it missed alone (.caught_up).
      *stopped = 1 (nothing done) once the run's last generation is reached:
      desc.generations, or the final generation of step 4.
   3. The protocol of a generation (es_redis_generation(), usable with your
      own callbacks instead of an es_runner):
        - claim: a Lua script does INCR g:next and SET lease:c WORKER PX
          lease_ms atomically (it answers "complete" when HLEN g:rew is the
          chunk count, refuses once g reaches the final generation, and
          returns ES_ERROR_REDIS_BEHIND below the gc cursor, whose keys are
          gone: nothing is created there, and a late result is dropped);
        - evaluate the chunk and store the payload with a Lua script doing
          HSETNX g:rew c PAYLOAD: the first write wins. A worker whose write
          lost compares: an equal stored result is a straggler's duplicate
          (counted in .dropped); a well-formed different one is a forgery
          (results are deterministic): the worker sets the run's "halt" key
          and returns ES_ERROR_REDIS_FORGED, and every worker's next claim
          fails the same way; a malformed one is replaced by this worker's
          result. The
          write that completes the hash appends g to the stream "done";
        - no chunk left to claim: re-claim a missing chunk whose lease
          expired (a Lua script: SET lease:c WORKER PX unless a string
          lease with an expiry is there; a lease without an expiry, or a
          key of another type, would never expire), else wait on the
          stream with XREAD BLOCK wait_ms from the last seen entry and
          re-check (a timeout re-checks too, so no wake-up is lost);
        - collect: HGETALL g:rew, every field and value checked; a chunk
          whose stored result is malformed (or missing beside stray fields)
          is recomputed by this worker and put back; your take callback
          sees every chunk in chunk order.
   4. es_redis_request_final() sets the last generation of a run that
      stops on a clock: max(requested, highest claimed + 1), first request
      wins (es_redis.final_set: this worker's did); es_redis_final() reads it. No chunk of a generation >= final is
      ever claimed, so every worker stops at the same generation. Every
      claim's reply names the final generation: a worker keeps it (and
      stops there) even if Redis loses the key, and puts it back when it
      reconnects, even after another worker repopulated the rest.
   5. Lower-level calls for your own protocol on top: es_redis_config()
      (settings), es_redis_checkpoint_put()/_get() (the run's checkpoint,
      "highest generation wins"; put also deletes the keys of generations
      below keep_from).
   6. The payload of a chunk (es_redis_payload_encode/decode) is
      little-endian: a 32-byte header (magic "ESRP", version, generation,
      chunk, member range begin/end, doubles of observation statistics per
      member, evaluation episodes), then per member f32 reward, u32 steps,
      u32 status and the statistics as f64, then per evaluation episode f64
      return, u32 steps, u32 status. An es_runner's chunks: with evaluation
      episodes, chunk 0 holds them all; the others hold desc.chunk members
      each, in member order.

   CONTRACTS

   Determinism. A result of (generation, chunk) is a function of the run's
   history alone, so any copy of it is bit-identical; every worker collects
   the same bytes and so applies the same update: the run ends bit-identical
   to a single-process run whatever workers joined, died or stalled.
   Faults. Any worker may die at any moment: its chunks are re-claimed when
   their lease expires. A stopped worker's late result is dropped. If Redis
   loses its data (restart), each worker reconnects and repopulates it
   (the settings, its checkpoint, the final generation, the results of the
   last generation it collected). Reconnect window: a worker gives up
   desc.reconnect_s seconds after the call that found the connection lost
   began, whatever it was doing (no connect, AUTH or command timeout
   outlasts the window; a command times out after wait_ms plus
   min(30 s, reconnect_s)). A BUSY reply (Redis runs another client's
   long script, and ran nothing of the command) is retried within the same
   window.
   Untrusted input. Every value read from Redis is type- and length-checked
   before use. The scripts treat a final, head, next or gc that is not a
   decimal generation as absent (and say so through desc.log_fn); a
   malformed chunk result is recomputed; a run checkpoint entry of a later
   generation that holds no valid checkpoint is replaced; keys of the wrong
   type are replaced (a generation's results, next and leases, the stream,
   final, head, gc and the run's checkpoint: es_redis_checkpoint_get calls
   it ES_ERROR_REDIS_DATA), except the run's config: a config key that is
   not a string is refused (ES_ERROR_REDIS_DATA, naming the key), as it
   may hold something else's data under the run's name. What cannot be detected: a forger who writes
   well-formed results for every chunk of a generation before any worker
   evaluates one of them, or a well-formed checkpoint of another history
   (a joiner trusts the run's checkpoint). Keep Redis on a private network
   with a password.
   Threads. An es_redis is one connection: use it from one thread.
   Errors. Functions return es_result: es.h's codes, or this header's
   ES_ERROR_REDIS_* (es_redis_result_string() names both); the detail is in
   es_redis.error; nothing prints (desc.log_fn receives notices). Both are
   printable: control characters (from values read from Redis) become '?'.

   REVISION HISTORY: 0.3 a run with settings but no checkpoint in Redis
   (its creator stopped or lost a reply) is started by a joiner's own state;
   every worker learns the final generation from its claims, keeps it and
   puts it back after a Redis restart; a lease without an expiry or of the
   wrong type is taken over; a worker that fell behind the run's checkpoint
   adopts it (ES_ERROR_REDIS_BEHIND, .caught_up) and creates no keys below gc;
   ports outside 0..65535 are refused; a failed connect frees what it took;
   a closed es_redis never reconnects; es_redis.error has no control
   characters; a checkpoint or config key of the wrong type is
   ES_ERROR_REDIS_DATA with its name, not a raw WRONGTYPE error; a gc
   cursor that is no 32-bit generation is ignored by every script alike;
   after es_redis_close, es_redis_generation fails even at a final
   generation the worker knew; a joiner that finds no valid checkpoint
   waits for the workers still running the run, and otherwise restarts the
   run from its own state even past gc (the generations above it are
   computed again); a checkpoint entry without data is replaced; a failure
   to check a checkpoint that says nothing about its bytes (out of memory)
   is an error, not a reason to replace it; es_redis.final_set says whether
   this worker's es_redis_request_final set the final generation; a BUSY
   reply (another client's script past Redis's busy threshold) is waited
   out within the reconnect window, not an error.
   0.2 es_redis_runner_generation (a runner's whole
   generation, settings and checkpoint); forged and malformed values
   detected; scripts validate their integers; passwords of any length;
   own result codes. 0.1 first release. LICENSE: MIT, at the end.
*/
#ifndef ES_REDIS_H_INCLUDED
#define ES_REDIS_H_INCLUDED

#include "es_mlp.h"

#define ES_REDIS_PAYLOAD_MAGIC ES_TAG('E', 'S', 'R', 'P')
#define ES_REDIS_PAYLOAD_VERSION 1
#define ES_REDIS_PAYLOAD_HEADER 32

/* Result codes of this layer (es.h reserves -200..-299 for it). */
#ifndef ES_RESULT_REDIS_FIRST
#define ES_RESULT_REDIS_FIRST (-200)
#endif
#define ES_ERROR_REDIS ((es_result)(ES_RESULT_REDIS_FIRST))               /* connection or error reply */
#define ES_ERROR_REDIS_DATA ((es_result)(ES_RESULT_REDIS_FIRST - 1))      /* malformed value in Redis */
#define ES_ERROR_REDIS_AUTH ((es_result)(ES_RESULT_REDIS_FIRST - 2))      /* NOAUTH or WRONGPASS */
#define ES_ERROR_REDIS_SETTINGS ((es_result)(ES_RESULT_REDIS_FIRST - 3))  /* run created with other settings */
#define ES_ERROR_REDIS_FORGED ((es_result)(ES_RESULT_REDIS_FIRST - 4))    /* stored result differs from ours */
#define ES_ERROR_REDIS_BEHIND ((es_result)(ES_RESULT_REDIS_FIRST - 5))    /* generation below the run's checkpoint */

#ifdef __cplusplus
extern "C" {
#endif

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

/* Names this layer's codes, and es.h's. */
ES_API const char *es_redis_result_string(es_result result);
/* Bytes of a payload with nmembers members and neval evaluation episodes. */
ES_API size_t es_redis_payload_size(int nmembers, int nstats, int neval);
/* Encodes members [begin, end) and, if with_eval, the evaluation episodes
   of res into out (es_redis_payload_size bytes). */
ES_API es_result es_redis_payload_encode(unsigned char *out, size_t size, uint32_t generation, uint32_t chunk,
                                         int begin, int end, int with_eval, const es_redis_results *res);
/* Checks a payload against what chunk `chunk` of `generation` must hold
   (members [begin, end), evaluation episodes if with_eval) and writes its
   values into res. Truncated, oversized, foreign or inconsistent bytes,
   statuses out of range or non-finite values: ES_ERROR_REDIS_DATA, res untouched. */
ES_API es_result es_redis_payload_decode(const void *bytes, size_t size, uint32_t generation, uint32_t chunk,
                                         int begin, int end, int with_eval, es_redis_results *res);

#ifndef ES_REDIS_NO_HIREDIS

typedef struct es_redis es_redis;

/* Evaluates chunk of generation; *payload points at your bytes, valid until the next call. */
typedef es_result (*es_redis_eval_fn)(void *user, uint32_t generation, int chunk, const void **payload,
                                      size_t *size);
/* Checks a stored payload of a chunk and takes its values (any non-ES_OK
   return: malformed). Called on each chunk of a complete generation in
   chunk order, and on a stored payload that differs from your own. */
typedef es_result (*es_redis_take_fn)(void *user, uint32_t generation, int chunk, const void *payload,
                                      size_t size);
/* Encodes the caller's current checkpoint (for repopulating Redis); *bytes
   stays the caller's. es_redis_runner_generation supplies its own. */
typedef es_result (*es_redis_snapshot_fn)(void *user, uint32_t *generation, const void **bytes, size_t *size);

typedef struct es_redis_desc {
    const char *host;         /* "127.0.0.1" */
    int port;                 /* 1 to 65535 (0: 6379); others are refused */
    const char *password;     /* AUTH when non-empty (copied) */
    const char *run;          /* run name (required): keys "es:{run}:..." */
    const char *worker;       /* this worker's id in leases (hostname:pid) */
    int lease_ms;             /* lease of a claimed chunk (10000) */
    int wait_ms;              /* XREAD BLOCK timeout (500) */
    int reconnect_s;          /* how long to retry a lost connection (60) */
    /* es_redis_runner_generation */
    const char *settings;     /* text every worker of the run must share, one "name=value" a line;
                                 read at the first es_redis_runner_generation */
    int chunk;                /* members a chunk (0: npop/8 within [2, 16]) */
    int ckpt_every;           /* the run's checkpoint in Redis every N generations (10) */
    int generations;          /* the run's last generation (0: none; see es_redis_request_final) */
    es_redis_snapshot_fn snapshot;   /* may be NULL: no checkpoint when repopulating */
    void *snapshot_user;
    void (*log_fn)(void *user, const char *message);   /* notices; may be NULL */
    void *log_user;
} es_redis_desc;

struct es_redis {
    es_redis_desc desc;       /* resolved */
    void *ctx;                /* redisContext */
    char prefix[160];         /* "es:{run}:" */
    char host[128], worker[128];
    char *password;
    char sha[6][48];          /* loaded scripts, one a script (ES__RS_COUNT) */
    char last_id[48];         /* last stream entry seen */
    char error[400];          /* detail of the last error */
    es_result code;           /* code of the last error */
    int noscript;             /* the last error reply was NOSCRIPT */
    int wrongtype;            /* the last error reply was WRONGTYPE */
    double lost_at;           /* when the call that lost the connection began (0: connected) */
    unsigned char *config;    /* the run's config, as stored */
    size_t config_size;
    uint32_t final;           /* final generation, 0: none known */
    int final_set;            /* es_redis_request_final of this worker set it (another's may have come first) */
    void *last_reply;         /* HGETALL of the last collected generation */
    uint32_t last_generation;
    int last_nchunks;
    int lost;                 /* set when the connection was re-established */
    int open;                 /* connected by es_redis_connect, not closed: a lost connection is re-established */
    /* es_redis_runner_generation */
    es_runner *runner;
    int joined, created, adopted;   /* adopted: joined an existing run, took its checkpoint */
    int chunk, eval_chunk, nchunks;
    es_redis_results res;
    unsigned char *payload;
    es_checkpoint snap;
    uint32_t generations;     /* generations this worker ran */
    /* counters */
    double redis_s;           /* wall time inside Redis calls, blocking waits excluded */
    double wait_s;            /* wall time blocked in XREAD */
    uint64_t calls;           /* Redis round trips */
    uint64_t evaluated;       /* chunks this worker evaluated */
    uint64_t dropped;         /* of those, results that came too late */
    uint64_t reclaimed;       /* chunks taken over from an expired lease */
    uint64_t recomputed;      /* malformed or missing results this worker recomputed or replaced */
    uint64_t reconnects;
    uint64_t caught_up;       /* times this worker fell behind and adopted the run's checkpoint */
};

ES_API es_result es_redis_connect(es_redis *rd, const es_redis_desc *desc);
ES_API void es_redis_close(es_redis *rd);
/* One generation of run with the other workers of the run (see step 2);
   the first call creates or joins the run. */
ES_API es_result es_redis_runner_generation(es_redis *rd, es_runner *run, int *stopped);
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
   *stopped = 1 (nothing done) when generation >= the run's final generation;
   ES_ERROR_REDIS_BEHIND when it is below the run's gc cursor (take the
   run's checkpoint, es_redis_checkpoint_get, and go on from there). */
ES_API es_result es_redis_generation(es_redis *rd, uint32_t generation, int nchunks, es_redis_eval_fn eval,
                                     es_redis_take_fn take, void *user, int *stopped);
/* Sets the final generation to max(generation, highest claimed + 1) unless
   one is set; *final receives the run's final generation, and
   es_redis.final_set becomes 1 if this call set it. */
ES_API es_result es_redis_request_final(es_redis *rd, uint32_t generation, uint32_t *final);
/* The run's final generation, 0 when none is set (one this worker learnt
   from a claim counts even if Redis lost the key). */
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
    int code = (int)result;
    if (code == (int)ES_ERROR_REDIS) return "Redis error (es_redis.error has the detail)";
    if (code == (int)ES_ERROR_REDIS_DATA) return "malformed value in Redis";
    if (code == (int)ES_ERROR_REDIS_AUTH) return "Redis requires a password, or refused the one given";
    if (code == (int)ES_ERROR_REDIS_SETTINGS) return "the run was created with other settings";
    if (code == (int)ES_ERROR_REDIS_FORGED) return "a result stored in Redis differs from this worker's own";
    if (code == (int)ES_ERROR_REDIS_BEHIND) return "the run's checkpoint in Redis is past this generation";
    return es_result_string(result);
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
    if (!b || size != es_redis_payload_size(end - begin, res->nstats, neval)) return ES_ERROR_REDIS_DATA;
    if (es_get_u32(b) != ES_REDIS_PAYLOAD_MAGIC || es_get_u32(b + 4) != ES_REDIS_PAYLOAD_VERSION ||
        es_get_u32(b + 8) != generation || es_get_u32(b + 12) != chunk || es_get_u32(b + 16) != (uint32_t)begin ||
        es_get_u32(b + 20) != (uint32_t)end || es_get_u32(b + 24) != (uint32_t)res->nstats ||
        es_get_u32(b + 28) != (uint32_t)neval)
        return ES_ERROR_REDIS_DATA;
    /* validate everything before writing anything */
    p = b + ES_REDIS_PAYLOAD_HEADER;
    for (i = begin; i < end; i++) {
        if (!isfinite(es_get_f32(p)) || es_get_u32(p + 4) > (uint32_t)0x7fffffff || es_get_u32(p + 8) > 2u)
            return ES_ERROR_REDIS_DATA;
        p += 12;
        for (j = 0; j < res->nstats; j++, p += 8)
            if (!isfinite(es_get_f64(p))) return ES_ERROR_REDIS_DATA;
    }
    for (j = 0; j < neval; j++, p += 16)
        if (!isfinite(es_get_f64(p)) || es_get_u32(p + 8) > (uint32_t)0x7fffffff || es_get_u32(p + 12) > 2u)
            return ES_ERROR_REDIS_DATA;
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
   them in the run's hash slot. Values that other clients may have written
   (final, head, next, gc, the checkpoint's generation) are checked to be
   decimal integers of at most 10 digits (gen); an invalid one is dropped,
   and named in the reply so that the worker can say so. */
#define ES__REDIS_LUA_PRELUDE                                                                        \
    "local function gen(v)\n"                                                                        \
    "  if type(v) ~= 'string' or #v == 0 or #v > 10 or not string.match(v, '^%d+$') then return nil end\n" \
    "  local n = tonumber(v)\n"                                                                      \
    "  if n > 4294967295 then return nil end\n"                                                      \
    "  return n\n"                                                                                   \
    "end\n"                                                                                          \
    "local function get(k)\n"                                                                        \
    "  local v = redis.pcall('GET', k)\n"                                                            \
    "  if type(v) == 'table' then return '(a key of another type)' end\n"                           \
    "  return v\n"                                                                                   \
    "end\n"                                                                                          \
    "local function show(k, v) return ' ' .. k .. '=' .. string.sub(tostring(v), 1, 24) end\n"
enum { ES__RS_CLAIM, ES__RS_PUT, ES__RS_CKPT, ES__RS_FINAL, ES__RS_FIX, ES__RS_LEASE, ES__RS_COUNT };
static const char *const es__redis_scripts[ES__RS_COUNT] = {
    /* claim: KEYS next, final, head, rew, halt, gc; ARGV nchunks, worker, lease_ms, lease prefix,
       generation. Returns {chunk or -1 none left, -2 past the final generation, -3 complete, -4 halted,
       -5 below gc; notes; the final generation, 0 none}: every claim tells the worker the final
       generation, and a generation at or past it is refused even when complete, so that all workers
       stop at it. Below gc the keys of the generation are gone (the run's checkpoint is past it):
       nothing is created there. */
    ES__REDIS_LUA_PRELUDE
    "local halt = redis.pcall('GET', KEYS[5])\n"
    "if type(halt) == 'string' then return {-4, halt, 0} end\n"
    "local note = ''\n"
    "local nc, g = tonumber(ARGV[1]), tonumber(ARGV[5])\n"
    "local f = get(KEYS[2])\n"
    "local fv = gen(f)\n"
    "if f and (not fv or fv < 1) then redis.call('DEL', KEYS[2]); note = note .. show('final', f); fv = nil end\n"
    "local gc = get(KEYS[6])\n"
    "local gv = gen(gc)\n"
    "if gc and not gv then redis.call('DEL', KEYS[6]); note = note .. show('gc', gc) end\n"
    "if gv and g < gv then return {-5, note, fv or 0} end\n"
    "if fv and g >= fv then return {-2, note, fv} end\n"
    "local hl = redis.pcall('HLEN', KEYS[4])\n"
    "if type(hl) == 'table' then redis.call('DEL', KEYS[4]); note = note .. show('rew', 'not a hash'); hl = 0 end\n"
    "if hl >= nc then return {-3, note, fv or 0} end\n"
    "local h = get(KEYS[3])\n"
    "local hv = gen(h)\n"
    "if h and not hv then note = note .. show('head', h) end\n"
    "if (not hv) or hv < g then redis.call('SET', KEYS[3], ARGV[5]) end\n"
    "local n = get(KEYS[1])\n"
    "if n and not gen(n) then redis.call('DEL', KEYS[1]); note = note .. show('next', n) end\n"
    "local c = redis.call('INCR', KEYS[1]) - 1\n"
    "if c >= nc then return {-1, note, fv or 0} end\n"
    "redis.call('SET', ARGV[4] .. c, ARGV[2], 'PX', ARGV[3])\n"
    "return {c, note, fv or 0}\n",
    /* put: KEYS rew, stream, gc; ARGV chunk, payload, nchunks, generation.
       Returns {stored, fields, 1 if the stored value equals the payload}; below gc (the generation's
       keys deleted) a late result is dropped as {-1, 0, 1}. gc is read with gen(), as the claim script
       reads it: a value one script ignores and the other obeys would drop every result of a generation
       that claims keep handing out. */
    ES__REDIS_LUA_PRELUDE
    "local gv = gen(get(KEYS[3]))\n"
    "if gv and tonumber(ARGV[4]) < gv then return {-1, 0, 1} end\n"
    "local s = redis.pcall('HSETNX', KEYS[1], ARGV[1], ARGV[2])\n"
    "if type(s) == 'table' then\n"              /* not a hash: written by someone else */
    "  redis.call('DEL', KEYS[1])\n"
    "  s = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])\n"
    "end\n"
    "local n = redis.call('HLEN', KEYS[1])\n"
    "if s == 1 and n >= tonumber(ARGV[3]) then\n"
    "  local x = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', '64', '*', 'g', ARGV[4])\n"
    "  if type(x) == 'table' and x.err then\n"
    "    redis.call('DEL', KEYS[2])\n"
    "    redis.call('XADD', KEYS[2], 'MAXLEN', '~', '64', '*', 'g', ARGV[4])\n"
    "  end\n"
    "end\n"
    "local same = 1\n"
    "if s == 0 and redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then same = 0 end\n"
    "return {s, n, same}\n",
    /* checkpoint: KEYS ckpt, gc, head; ARGV generation, bytes, keep_from, generation prefix, a
       generation whose entry the worker found malformed ('' none), '1' to seed. Returns {1, '', notes}
       when stored, else {0, stored generation, notes}. A seed is a worker's own state stored because
       the run has no valid checkpoint: the run starts again from it, so its generation and the ones
       above are computed again (their keys deleted, gc set to it, head dropped); the history lost
       with the checkpoint is recomputed, bit-identical from the same state. */
    ES__REDIS_LUA_PRELUDE
    "local note = ''\n"
    "local cur = redis.pcall('HGET', KEYS[1], 'gen')\n"
    "if type(cur) == 'table' then note = show('ckpt', 'not a hash'); cur = false end\n"
    "local cv = gen(cur)\n"
    "if cur and not cv then note = note .. show('ckpt gen', cur) end\n"
    "if cv and cur == ARGV[5] then cv = nil end\n"
    "if cv and cv >= tonumber(ARGV[1]) then return {0, cur, note} end\n"
    "redis.call('DEL', KEYS[1])\n"
    "redis.call('HSET', KEYS[1], 'gen', ARGV[1], 'data', ARGV[2])\n"
    "if ARGV[6] == '1' then\n"
    "  local g0 = tonumber(ARGV[1])\n"
    "  local gc, h = get(KEYS[2]), get(KEYS[3])\n"
    "  if gc and not gen(gc) then note = note .. show('gc', gc) end\n"
    "  if h and not gen(h) then note = note .. show('head', h) end\n"
    "  local gv = gen(gc) or 0\n"   /* keys below the old gc are gone already */
    "  local top = gen(h) or -1\n"
    "  if gv - 1 > top then top = gv - 1 end\n"
    "  local lo = g0\n"
    "  if gv > lo then lo = gv end\n"
    "  for g = lo, top do redis.call('DEL', ARGV[4] .. g .. ':rew', ARGV[4] .. g .. ':next') end\n"
    "  redis.call('SET', KEYS[2], ARGV[1])\n"
    "  redis.call('DEL', KEYS[3])\n"
    "  return {1, '', note}\n"
    "end\n"
    "local hi = tonumber(ARGV[3])\n"
    "local gc = get(KEYS[2])\n"
    "local lo = 0\n"
    "if gc then lo = gen(gc) end\n"
    "if not lo then note = note .. show('gc', gc); lo = hi end\n"
    "for g = lo, hi - 1 do\n"
    "  redis.call('DEL', ARGV[4] .. g .. ':rew', ARGV[4] .. g .. ':next')\n"
    "end\n"
    "if hi > lo or not gen(gc) then redis.call('SET', KEYS[2], ARGV[3]) end\n"
    "return {1, '', note}\n",
    /* final: KEYS final, head; ARGV generation. Returns {final, notes, 1 if this request set it} */
    ES__REDIS_LUA_PRELUDE
    "local f = get(KEYS[1])\n"
    "local fv = gen(f)\n"
    "if fv and fv >= 1 then return {fv, '', 0} end\n"
    "local note = ''\n"
    "if f then note = show('final', f) end\n"
    "local hv = gen(get(KEYS[2]))\n"
    "local g = tonumber(ARGV[1])\n"
    "if hv and hv + 1 > g then g = hv + 1 end\n"
    "if g > 4294967295 then g = 4294967295 end\n"
    "redis.call('SET', KEYS[1], g)\n"
    "return {g, note, 1}\n",
    /* fix: KEYS rew; ARGV chunk, malformed value, replacement. Replaces the value if unchanged. */
    "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then\n"
    "  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])\n"
    "  return 1\n"
    "end\n"
    "return 0\n",
    /* lease: KEYS lease; ARGV worker, lease_ms. Takes a lease that no worker holds: absent, without
       an expiry or not a string (no worker writes those: they would never expire). Returns {1 taken
       or 0, notes} */
    ES__REDIS_LUA_PRELUDE
    "local note = ''\n"
    "local t = redis.call('PTTL', KEYS[1])\n"
    "if t >= 0 then\n"
    "  if redis.call('TYPE', KEYS[1])['ok'] == 'string' then return {0, ''} end\n"
    "  note = show('lease', 'not a string')\n"
    "elseif t == -1 then\n"
    "  note = show('lease', 'without expiry')\n"
    "end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "return {1, note}\n"};

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

/* Control characters become '?': values from Redis (a halt message,
   Redis's own error text, a run's settings) may hold anything, and errors
   and notices end up on terminals and in logs. */
static void es__redis_printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 32 || (unsigned char)*s == 127) *s = '?';
}

static es_result es__redis_fail(es_redis *rd, es_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->error, sizeof rd->error, fmt, ap);
    va_end(ap);
    es__redis_printable(rd->error);
    rd->code = code;
    return code;
}

static void es__redis_log(es_redis *rd, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    if (!rd->desc.log_fn) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    es__redis_printable(msg);
    rd->desc.log_fn(rd->desc.log_user, msg);
}

/* The error of any call on an es_redis that is not connected for good. */
static es_result es__redis_closed(es_redis *rd)
{
    return es__redis_fail(rd, ES_ERROR_REDIS, "not connected (es_redis_connect failed or was not called, or "
                          "es_redis_close was)");
}

static void es__redis_drop_ctx(es_redis *rd)
{
    if (rd->ctx) redisFree((redisContext *)rd->ctx);
    rd->ctx = NULL;
}

/* Whether an error reply carries Redis's error code `code` (its first word). */
static int es__redis_reply_is(const redisReply *rep, const char *code)
{
    size_t n = strlen(code);
    return rep->str && rep->len >= n && !memcmp(rep->str, code, n) && (rep->len == n || rep->str[n] == ' ');
}

/* One round trip with binary-safe arguments; NULL on a connection error
   (the context is dropped, rd->lost_at is when the failed call began) or a
   Redis error reply (message in rd->error, rd->noscript set on NOSCRIPT). */
static redisReply *es__redis_call(es_redis *rd, int argc, const char **argv, const size_t *len, int blocking)
{
    redisReply *rep;
    double t0;
    int busy = 0;
    rd->noscript = rd->wrongtype = 0;
    if (!rd->ctx) {
        if (rd->open) es__redis_fail(rd, ES_ERROR_REDIS, "not connected");
        else es__redis_closed(rd);
        return NULL;
    }
    t0 = es__redis_now();
    for (;;) {
        double t1 = es__redis_now();
        rep = (redisReply *)redisCommandArgv((redisContext *)rd->ctx, argc, argv, len);
        if (blocking) rd->wait_s += es__redis_now() - t1;
        else rd->redis_s += es__redis_now() - t1;
        rd->calls++;
        /* BUSY: a script (another client's, such as a clean-up) outlasted Redis's busy threshold; Redis
           ran nothing of this command, so it is sent again until the script ends, within the window */
        if (!rep || rep->type != REDIS_REPLY_ERROR || !es__redis_reply_is(rep, "BUSY") ||
            es__redis_now() - t0 >= rd->desc.reconnect_s)
            break;
        if (!busy++) es__redis_log(rd, "Redis is busy running a script: %s waits for it (up to %d s)", argv[0],
                                   rd->desc.reconnect_s);
        freeReplyObject(rep);
        es__redis_sleep_ms(100);
    }
    if (!rep) {
        es__redis_fail(rd, ES_ERROR_REDIS, "connection to %s:%d lost: %s", rd->host, rd->desc.port,
                       ((redisContext *)rd->ctx)->errstr);
        if (rd->lost_at == 0.0) rd->lost_at = t0;
        es__redis_drop_ctx(rd);
        return NULL;
    }
    if (rep->type == REDIS_REPLY_ERROR) {
        int auth = es__redis_reply_is(rep, "NOAUTH") || es__redis_reply_is(rep, "WRONGPASS");
        rd->noscript = es__redis_reply_is(rep, "NOSCRIPT");
        rd->wrongtype = es__redis_reply_is(rep, "WRONGTYPE");
        es__redis_fail(rd, auth ? ES_ERROR_REDIS_AUTH : ES_ERROR_REDIS, "%s%s: %.*s",
                       auth && !rd->password ? "Redis requires a password (none given): " : "", argv[0],
                       (int)(rep->len < 200 ? rep->len : 200), rep->str ? rep->str : "");
        freeReplyObject(rep);
        return NULL;
    }
    return rep;
}

/* A command of up to 6 text arguments (NULL ends the list). */
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

static void es__redis_timeout(es_redis *rd, double s)
{
    struct timeval tv;
    if (s < 0.1) s = 0.1;
    tv.tv_sec = (long)s;
    tv.tv_usec = (long)((s - (double)tv.tv_sec) * 1e6);
    if (rd->ctx) redisSetTimeout((redisContext *)rd->ctx, tv);
}

/* The timeout of a command: the stream wait plus min(30 s, reconnect window). */
static double es__redis_cmd_timeout(const es_redis *rd)
{
    return rd->desc.wait_ms / 1000.0 + (rd->desc.reconnect_s < 30 ? rd->desc.reconnect_s : 30);
}

/* The id of the newest entry of the stream "done" into out (unchanged when
   there is none, or "done" is no stream: es__redis_wait replaces it). Fails
   only on a lost connection. */
static es_result es__redis_newest_done(es_redis *rd, char *out, size_t size)
{
    char key[256];
    const char *argv[6];
    size_t len[6];
    redisReply *rep;
    int i;
    es__redis_key(rd, key, sizeof key, "done");
    argv[0] = "XREVRANGE"; argv[1] = key; argv[2] = "+"; argv[3] = "-"; argv[4] = "COUNT"; argv[5] = "1";
    for (i = 0; i < 6; i++) len[i] = strlen(argv[i]);
    rep = es__redis_call(rd, 6, argv, len, 0);
    if (!rep && !rd->ctx) return rd->code;
    if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 1 && rep->element[0]->type == REDIS_REPLY_ARRAY &&
        rep->element[0]->elements >= 1 && rep->element[0]->element[0]->type == REDIS_REPLY_STRING &&
        rep->element[0]->element[0]->len < size) {
        memcpy(out, rep->element[0]->element[0]->str, rep->element[0]->element[0]->len);
        out[rep->element[0]->element[0]->len] = 0;
    }
    if (rep) freeReplyObject(rep);
    return ES_OK;
}

/* Connects, authenticates and loads the scripts (no repopulation), every
   step within budget_s seconds. */
static es_result es__redis_open(es_redis *rd, double budget_s)
{
    struct timeval tv;
    redisContext *c;
    redisReply *rep;
    double t = budget_s < 5.0 ? budget_s : 5.0;
    int i;
    es__redis_drop_ctx(rd);
    if (t < 0.1) t = 0.1;
    tv.tv_sec = (long)t;
    tv.tv_usec = (long)((t - (double)tv.tv_sec) * 1e6);
    c = redisConnectWithTimeout(rd->host, rd->desc.port, tv);
    if (!c)
        return es__redis_fail(rd, ES_ERROR_REDIS, "cannot connect to %s:%d: out of memory", rd->host, rd->desc.port);
    if (c->err) {
        es__redis_fail(rd, ES_ERROR_REDIS, "cannot connect to %s:%d: %s", rd->host, rd->desc.port, c->errstr);
        redisFree(c);
        return ES_ERROR_REDIS;
    }
    rd->ctx = c;
    es__redis_timeout(rd, budget_s < es__redis_cmd_timeout(rd) ? budget_s : es__redis_cmd_timeout(rd));
    if (rd->password) {
        const char *argv[2];
        size_t len[2];
        argv[0] = "AUTH"; argv[1] = rd->password;
        len[0] = 4; len[1] = strlen(rd->password);
        rep = es__redis_call(rd, 2, argv, len, 0);
        if (!rep) return rd->code;
        freeReplyObject(rep);
    }
    for (i = 0; i < ES__RS_COUNT; i++) {
        rep = es__redis_cmd(rd, "SCRIPT", "LOAD", es__redis_scripts[i], NULL);
        if (!rep) return rd->code;
        if (rep->type != REDIS_REPLY_STRING || rep->len == 0 || rep->len >= sizeof rd->sha[i]) {
            freeReplyObject(rep);
            return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "SCRIPT LOAD: unexpected reply");
        }
        memcpy(rd->sha[i], rep->str, rep->len);
        rd->sha[i][rep->len] = 0;
        freeReplyObject(rep);
    }
    strcpy(rd->last_id, "0-0");           /* start waiting after the newest entry of the stream */
    if (es__redis_newest_done(rd, rd->last_id, sizeof rd->last_id) != ES_OK) return rd->code;
    es__redis_timeout(rd, es__redis_cmd_timeout(rd));
    return ES_OK;
}

static es_result es__redis_put_raw(es_redis *rd, uint32_t g, const char *chunk, size_t chunk_len,
                                   const void *payload, size_t size, int nchunks, int *stored, int *same);
static es_result es__redis_ckpt_raw(es_redis *rd, uint32_t generation, const void *bytes, size_t size,
                                    uint32_t keep_from, const char *bad, int seed, int *stored, uint32_t *current);

/* After a reconnection: if the run's keys are gone (Redis restarted
   empty), put back what this worker knows. */
static es_result es__redis_repopulate(es_redis *rd)
{
    char key[256], fkey[256], num[24];
    redisReply *rep;
    int exists;
    es__redis_key(rd, key, sizeof key, "config");
    rep = es__redis_cmd(rd, "EXISTS", key, NULL, NULL);
    if (!rep) return rd->code;
    exists = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
    freeReplyObject(rep);
    if (rd->final) {           /* even if another worker put the rest back: it may not know the final */
        es__redis_key(rd, fkey, sizeof fkey, "final");
        snprintf(num, sizeof num, "%u", (unsigned)rd->final);
        rep = es__redis_cmd(rd, "SET", fkey, num, "NX");
        if (!rep) return rd->code;
        freeReplyObject(rep);
    }
    if (exists || !rd->config) return ES_OK;
    es__redis_log(rd, "run %s is gone from Redis (restarted?): repopulating it", rd->desc.run);
    {
        const char *argv[4];
        size_t len[4];
        argv[0] = "SET"; argv[1] = key; argv[2] = (const char *)rd->config; argv[3] = "NX";
        len[0] = 3; len[1] = strlen(key); len[2] = rd->config_size; len[3] = 2;
        rep = es__redis_call(rd, 4, argv, len, 0);
        if (!rep) return rd->code;
        freeReplyObject(rep);
    }
    if (rd->desc.snapshot) {
        uint32_t g = 0, cur;
        const void *bytes = NULL;
        size_t size = 0;
        int stored;
        es_result r;
        if (rd->desc.snapshot(rd->desc.snapshot_user, &g, &bytes, &size) == ES_OK && bytes &&
            (r = es__redis_ckpt_raw(rd, g, bytes, size, 0, "", 0, &stored, &cur)) != ES_OK)
            return r;
    }
    if (rd->last_reply) {
        redisReply *h = (redisReply *)rd->last_reply;
        size_t i;
        int stored, same;
        es_result r;
        for (i = 0; i + 1 < h->elements; i += 2)
            if ((r = es__redis_put_raw(rd, rd->last_generation, h->element[i]->str, h->element[i]->len,
                                       h->element[i + 1]->str, h->element[i + 1]->len, rd->last_nchunks, &stored,
                                       &same)) != ES_OK)
                return r;
    }
    return ES_OK;
}

/* Re-establishes a lost connection. Every worker applies the same window:
   it gives up reconnect_s seconds after the call that found the connection
   lost began, and no attempt (connect, AUTH, script load) outlasts it. */
static es_result es__redis_reconnect(es_redis *rd)
{
    double deadline = (rd->lost_at > 0.0 ? rd->lost_at : es__redis_now()) + rd->desc.reconnect_s;
    char why[sizeof rd->error];
    memcpy(why, rd->error, sizeof why);
    es__redis_log(rd, "%s; reconnecting", why);
    for (;;) {
        double left = deadline - es__redis_now();
        es_result r = es__redis_open(rd, left);
        if (r == ES_OK) r = es__redis_repopulate(rd);
        if (r == ES_OK) {
            rd->reconnects++;
            rd->lost = 1;
            rd->lost_at = 0.0;
            es__redis_log(rd, "reconnected to %s:%d", rd->host, rd->desc.port);
            return ES_OK;
        }
        if (r == ES_ERROR_REDIS_AUTH) return r;
        es__redis_drop_ctx(rd);
        if (es__redis_now() >= deadline)
            return es__redis_fail(rd, ES_ERROR_REDIS, "Redis at %s:%d unreachable for %d s (%s)", rd->host,
                                  rd->desc.port, rd->desc.reconnect_s, why);
        es__redis_sleep_ms(250);
    }
}

/* A script call with any number of arguments (EVALSHA sha); on NOSCRIPT it
   falls back to EVAL with the source. */
static redisReply *es__redis_eval(es_redis *rd, const char *sha, const char *src, int nkeys, int nargs,
                                  const char **args, const size_t *lens)
{
    const char **argv;
    size_t *len;
    char nk[16];
    redisReply *rep;
    int i;
    argv = (const char **)ES_MALLOC((size_t)(nargs + 3) * sizeof *argv);
    len = (size_t *)ES_MALLOC((size_t)(nargs + 3) * sizeof *len);
    if (!argv || !len) {
        ES_FREE((void *)argv);
        ES_FREE(len);
        es__redis_fail(rd, ES_ERROR_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    snprintf(nk, sizeof nk, "%d", nkeys);
    argv[0] = "EVALSHA";
    argv[1] = sha;
    argv[2] = nk;
    len[0] = 7;
    len[1] = strlen(argv[1]);
    len[2] = strlen(nk);
    for (i = 0; i < nargs; i++) {
        argv[3 + i] = args[i];
        len[3 + i] = lens ? lens[i] : strlen(args[i]);
    }
    rep = es__redis_call(rd, 3 + nargs, argv, len, 0);
    if (!rep && rd->ctx && rd->noscript) {
        argv[0] = "EVAL";
        len[0] = 4;
        argv[1] = src;
        len[1] = strlen(argv[1]);
        rep = es__redis_call(rd, 3 + nargs, argv, len, 0);
    }
    ES_FREE((void *)argv);
    ES_FREE(len);
    return rep;
}

static redisReply *es__redis_script(es_redis *rd, int script, int nkeys, int nargs, const char **args,
                                    const size_t *lens)
{
    return es__redis_eval(rd, rd->sha[script], es__redis_scripts[script], nkeys, nargs, args, lens);
}

/* The notes a script returns (values it found invalid and dropped). */
static void es__redis_notes(es_redis *rd, const redisReply *note)
{
    if (note && note->type == REDIS_REPLY_STRING && note->len > 0)
        es__redis_log(rd, "Redis held invalid values, ignored:%.*s", (int)(note->len < 200 ? note->len : 200),
                      note->str);
}

/* Stores a chunk's result unless one is there (HSETNX). *stored: 1 stored,
   0 another value was there (*same: it equals payload), -1 dropped because
   the generation is below the run's gc cursor (its keys are deleted). */
static es_result es__redis_put_raw(es_redis *rd, uint32_t g, const char *chunk, size_t chunk_len,
                                   const void *payload, size_t size, int nchunks, int *stored, int *same)
{
    char k1[256], k2[256], k3[256], nc[16], gs[16];
    const char *args[7];
    size_t lens[7];
    redisReply *rep;
    es__redis_gkey(rd, k1, sizeof k1, g, "rew");
    es__redis_key(rd, k2, sizeof k2, "done");
    es__redis_key(rd, k3, sizeof k3, "gc");
    snprintf(nc, sizeof nc, "%d", nchunks);
    snprintf(gs, sizeof gs, "%u", (unsigned)g);
    args[0] = k1; args[1] = k2; args[2] = k3; args[3] = chunk; args[4] = (const char *)payload; args[5] = nc;
    args[6] = gs;
    lens[0] = strlen(k1); lens[1] = strlen(k2); lens[2] = strlen(k3); lens[3] = chunk_len; lens[4] = size;
    lens[5] = strlen(nc); lens[6] = strlen(gs);
    rep = es__redis_script(rd, ES__RS_PUT, 3, 7, args, lens);
    if (!rep) return rd->code;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 || rep->element[0]->type != REDIS_REPLY_INTEGER ||
        rep->element[2]->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "put: unexpected reply");
    }
    *stored = rep->element[0]->integer == 1 ? 1 : rep->element[0]->integer == -1 ? -1 : 0;
    *same = rep->element[2]->integer == 1;
    freeReplyObject(rep);
    return ES_OK;
}

static es_result es__redis_ckpt_raw(es_redis *rd, uint32_t generation, const void *bytes, size_t size,
                                    uint32_t keep_from, const char *bad, int seed, int *stored, uint32_t *current)
{
    char k1[256], k2[256], k3[256], gp[256], gs[16], kf[16];
    const char *args[9];
    size_t lens[9];
    redisReply *rep;
    unsigned long long cur = 0;
    int i;
    es__redis_key(rd, k1, sizeof k1, "ckpt");
    es__redis_key(rd, k2, sizeof k2, "gc");
    es__redis_key(rd, k3, sizeof k3, "head");
    es__redis_key(rd, gp, sizeof gp, "g:");
    snprintf(gs, sizeof gs, "%u", (unsigned)generation);
    snprintf(kf, sizeof kf, "%u", (unsigned)keep_from);
    args[0] = k1; args[1] = k2; args[2] = k3; args[3] = gs; args[4] = (const char *)bytes; args[5] = kf;
    args[6] = gp; args[7] = bad; args[8] = seed ? "1" : "0";
    for (i = 0; i < 9; i++) lens[i] = strlen(args[i]);
    lens[4] = size;
    rep = es__redis_script(rd, ES__RS_CKPT, 3, 9, args, lens);
    if (!rep) return rd->code;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 || rep->element[0]->type != REDIS_REPLY_INTEGER ||
        (rep->element[0]->integer == 0 && !es__redis_uint(rep->element[1], 0xffffffffull, &cur))) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "checkpoint: unexpected reply");
    }
    es__redis_notes(rd, rep->element[2]);
    *stored = rep->element[0]->integer == 1;
    *current = *stored ? generation : (uint32_t)cur;
    freeReplyObject(rep);
    return ES_OK;
}

/* Runs expr; on a lost connection reconnects (and repopulates) and runs it once more. */
#define ES__REDIS_RETRY(rd, expr)                                                      \
    do {                                                                               \
        r = (expr);                                                                    \
        if (r != ES_OK && !(rd)->ctx && (rd)->open) {                                  \
            es_result r2_ = es__redis_reconnect(rd);                                   \
            if (r2_ != ES_OK) return r2_;                                              \
            r = (expr);                                                                \
        }                                                                              \
    } while (0)

ES_API void es_redis_free(void *p) { ES_FREE(p); }

ES_API es_result es_redis_connect(es_redis *rd, const es_redis_desc *desc)
{
    const char *host;
    es_result r;
    if (!rd) return ES_ERROR_INVALID_ARGUMENT;
    memset(rd, 0, sizeof *rd);
    if (!desc || !desc->run || !desc->run[0] || strlen(desc->run) > 100)
        return es__redis_fail(rd, ES_ERROR_INVALID_ARGUMENT, "a run name of 1 to 100 characters is required");
    rd->desc = *desc;
    host = desc->host && desc->host[0] ? desc->host : "127.0.0.1";
    if (strlen(host) >= sizeof rd->host) return es__redis_fail(rd, ES_ERROR_INVALID_ARGUMENT, "host name too long");
    strcpy(rd->host, host);
    if (rd->desc.port < 0 || rd->desc.port > 65535)
        return es__redis_fail(rd, ES_ERROR_INVALID_ARGUMENT, "port %d: a port is 1 to 65535 (0: 6379)", desc->port);
    if (rd->desc.port == 0) rd->desc.port = 6379;
    if (rd->desc.lease_ms <= 0) rd->desc.lease_ms = 10000;
    if (rd->desc.wait_ms <= 0) rd->desc.wait_ms = 500;
    if (rd->desc.reconnect_s <= 0) rd->desc.reconnect_s = 60;
    if (rd->desc.ckpt_every <= 0) rd->desc.ckpt_every = 10;
    if (rd->desc.generations < 0) rd->desc.generations = 0;
    if (desc->password && desc->password[0]) {
        size_t n = strlen(desc->password);
        rd->password = (char *)ES_MALLOC(n + 1);
        if (!rd->password) return es__redis_fail(rd, ES_ERROR_OUT_OF_MEMORY, "out of memory");
        memcpy(rd->password, desc->password, n + 1);
    }
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
    r = es__redis_open(rd, 5.0);
    rd->lost_at = 0.0;
    if (r != ES_OK) es_redis_close(rd);   /* nothing to free after a failed connect; rd->error stays */
    rd->open = r == ES_OK;
    return r;
}

ES_API void es_redis_close(es_redis *rd)
{
    if (!rd) return;
    rd->open = 0;                            /* no call reconnects from now on */
    es__redis_drop_ctx(rd);
    if (rd->last_reply) freeReplyObject(rd->last_reply);
    rd->last_reply = NULL;
    ES_FREE(rd->config);
    rd->config = NULL;
    if (rd->password) {
        memset(rd->password, 0, strlen(rd->password));
        ES_FREE(rd->password);
    }
    rd->password = NULL;
    ES_FREE(rd->payload);
    rd->payload = NULL;
    es_checkpoint_free(&rd->snap);
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
    if (!rep) return rd->code;
    *created = rep->type == REDIS_REPLY_STATUS;
    freeReplyObject(rep);
    rep = es__redis_cmd(rd, "GET", key, NULL, NULL);
    if (!rep && rd->wrongtype)     /* no worker wrote it: replacing it could destroy what someone keeps there */
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s is a key of another type, not a run's settings: "
                              "delete it, or choose another run name", key);
    if (!rep) return rd->code;
    if (rep->type != REDIS_REPLY_STRING || rep->len == 0 || rep->len > (1u << 20)) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: not a config string", key);
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
    if (r == ES_OK && !rd->config) {          /* kept for repopulating */
        rd->config = (unsigned char *)ES_MALLOC(size);
        if (!rd->config) return ES_ERROR_OUT_OF_MEMORY;
        memcpy(rd->config, config, size);
        rd->config_size = size;
    }
    return r;
}

ES_API es_result es_redis_checkpoint_put(es_redis *rd, uint32_t generation, const void *bytes, size_t size,
                                         uint32_t keep_from, int *stored)
{
    es_result r;
    int dummy;
    uint32_t cur;
    if (!rd || !bytes || size == 0) return ES_ERROR_INVALID_ARGUMENT;
    if (!stored) stored = &dummy;
    ES__REDIS_RETRY(rd, es__redis_ckpt_raw(rd, generation, bytes, size, keep_from, "", 0, stored, &cur));
    return r;
}

/* bad (16 bytes, may be NULL) receives the generation of a malformed entry
   whose "gen" is valid but whose "data" is not ("" otherwise): the value a
   worker passes to the checkpoint script to replace that entry. */
static es_result es__redis_ckpt_get_once(es_redis *rd, uint32_t *generation, void **bytes, size_t *size,
                                         char *bad)
{
    char key[256];
    unsigned long long g;
    redisReply *rep;
    const char *argv[4];
    size_t len[4];
    int i;
    if (bad) bad[0] = 0;
    es__redis_key(rd, key, sizeof key, "ckpt");
    argv[0] = "HMGET"; argv[1] = key; argv[2] = "gen"; argv[3] = "data";
    for (i = 0; i < 4; i++) len[i] = strlen(argv[i]);
    rep = es__redis_call(rd, 4, argv, len, 0);
    if (!rep && rd->wrongtype)     /* malformed: the next checkpoint stored replaces it */
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: a key of another type, no checkpoint entry", key);
    if (!rep) return rd->code;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: unexpected reply", key);
    }
    if (rep->element[0]->type == REDIS_REPLY_NIL && rep->element[1]->type == REDIS_REPLY_NIL) {
        freeReplyObject(rep);
        return ES_ERROR_NOT_FOUND;
    }
    if (!es__redis_uint(rep->element[0], 0xffffffffull, &g) || rep->element[1]->type != REDIS_REPLY_STRING ||
        rep->element[1]->len == 0) {
        if (bad && es__redis_uint(rep->element[0], 0xffffffffull, &g)) snprintf(bad, 16, "%u", (unsigned)g);
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: malformed checkpoint entry", key);
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
    ES__REDIS_RETRY(rd, es__redis_ckpt_get_once(rd, generation, bytes, size, NULL));
    return r;
}

/* es_redis_checkpoint_get, and the generation of a malformed entry (see es__redis_ckpt_get_once). */
static es_result es__redis_ckpt_get(es_redis *rd, uint32_t *generation, void **bytes, size_t *size, char *bad)
{
    es_result r;
    *bytes = NULL;
    ES__REDIS_RETRY(rd, es__redis_ckpt_get_once(rd, generation, bytes, size, bad));
    return r;
}

/* Keeps the run's final generation f (0: none set) once any reply names
   it: the worker then stops there even if Redis loses the key, and puts it
   back when it repopulates Redis. */
static void es__redis_learn_final(es_redis *rd, uint32_t f)
{
    if (!f || f == rd->final) return;
    es__redis_log(rd, "run %s ends at generation %u (its final generation)", rd->desc.run, (unsigned)f);
    rd->final = f;
}

static es_result es__redis_final_once(es_redis *rd, uint32_t generation, int request, uint32_t *final)
{
    char k1[256], k2[256], gs[16];
    unsigned long long f = 0;
    redisReply *rep, *v;
    es__redis_key(rd, k1, sizeof k1, "final");
    if (request) {
        const char *args[3];
        es__redis_key(rd, k2, sizeof k2, "head");
        snprintf(gs, sizeof gs, "%u", (unsigned)generation);
        args[0] = k1; args[1] = k2; args[2] = gs;
        rep = es__redis_script(rd, ES__RS_FINAL, 2, 3, args, NULL);
        if (!rep) return rd->code;
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
            !es__redis_uint(rep->element[0], 0xffffffffull, &f) || f == 0 ||
            rep->element[2]->type != REDIS_REPLY_INTEGER) {
            freeReplyObject(rep);
            return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: unexpected reply", k1);
        }
        es__redis_notes(rd, rep->element[1]);
        if (rep->element[2]->integer == 1) rd->final_set = 1;
    } else {
        rep = es__redis_cmd(rd, "GET", k1, NULL, NULL);
        if (!rep) return rd->code;
        v = rep;
        if (v->type != REDIS_REPLY_NIL && (!es__redis_uint(v, 0xffffffffull, &f) || f == 0)) {
            es__redis_log(rd, "%s holds no generation (ignored)", k1);
            f = 0;
        }
    }
    freeReplyObject(rep);
    es__redis_learn_final(rd, (uint32_t)f);
    *final = rd->final;                  /* one this worker learnt outlives a Redis that lost it */
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

/* *chunk: claimed chunk, -1 none left, -2 past the final generation, -3 complete;
   ES_ERROR_REDIS_BEHIND below the run's gc cursor. */
static es_result es__redis_claim(es_redis *rd, uint32_t g, int nchunks, int *chunk)
{
    char k1[256], k2[256], k3[256], k4[256], k5[256], k6[256], lp[256], nc[16], ms[16], gs[16];
    const char *args[11];
    unsigned long long f;
    redisReply *rep;
    es__redis_gkey(rd, k1, sizeof k1, g, "next");
    es__redis_key(rd, k2, sizeof k2, "final");
    es__redis_key(rd, k3, sizeof k3, "head");
    es__redis_gkey(rd, k4, sizeof k4, g, "rew");
    es__redis_gkey(rd, lp, sizeof lp, g, "lease:");
    es__redis_key(rd, k5, sizeof k5, "halt");
    es__redis_key(rd, k6, sizeof k6, "gc");
    snprintf(nc, sizeof nc, "%d", nchunks);
    snprintf(ms, sizeof ms, "%d", rd->desc.lease_ms);
    snprintf(gs, sizeof gs, "%u", (unsigned)g);
    args[0] = k1; args[1] = k2; args[2] = k3; args[3] = k4; args[4] = k5; args[5] = k6; args[6] = nc;
    args[7] = rd->worker; args[8] = ms; args[9] = lp; args[10] = gs;
    rep = es__redis_script(rd, ES__RS_CLAIM, 6, 11, args, NULL);
    if (!rep) return rd->code;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 || rep->element[0]->type != REDIS_REPLY_INTEGER ||
        rep->element[0]->integer < -5 || rep->element[0]->integer >= nchunks ||
        rep->element[1]->type != REDIS_REPLY_STRING || !es__redis_uint(rep->element[2], 0xffffffffull, &f)) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "claim: unexpected reply");
    }
    if (rep->element[0]->integer == -4) {
        es__redis_fail(rd, ES_ERROR_REDIS_FORGED, "run %s was halted (delete its %s key only once you know why): "
                       "%.*s", rd->desc.run, k5, (int)(rep->element[1]->len < 300 ? rep->element[1]->len : 300),
                       rep->element[1]->str);
        freeReplyObject(rep);
        return ES_ERROR_REDIS_FORGED;
    }
    es__redis_notes(rd, rep->element[1]);
    es__redis_learn_final(rd, (uint32_t)f);
    *chunk = (int)rep->element[0]->integer;
    freeReplyObject(rep);
    if (*chunk == -5)
        return es__redis_fail(rd, ES_ERROR_REDIS_BEHIND, "generation %u of run %s is gone from Redis: the run's "
                              "checkpoint is past it (this worker fell behind)", (unsigned)g, rd->desc.run);
    return ES_OK;
}

/* Takes over a missing chunk whose lease expired: *chunk or -1. Fields
   that are no chunk number are ignored (the collection recomputes what
   they hide). */
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
    if (!rep) return rd->code;
    if (rep->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: unexpected reply", key);
    }
    have = (unsigned char *)ES_MALLOC((size_t)nchunks + 1);
    if (!have) {
        freeReplyObject(rep);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memset(have, 0, (size_t)nchunks);
    for (i = 0; i < rep->elements; i++) {
        unsigned long long v;
        if (rep->element[i]->type == REDIS_REPLY_STRING &&
            es__redis_uint(rep->element[i], (unsigned long long)nchunks - 1, &v))
            have[v] = 1;
    }
    freeReplyObject(rep);
    snprintf(ms, sizeof ms, "%d", rd->desc.lease_ms);
    for (c = 0; c < nchunks; c++) {
        const char *args[3];
        int ok;
        char name[32];
        if (have[c]) continue;
        snprintf(name, sizeof name, "lease:%d", c);
        es__redis_gkey(rd, lk, sizeof lk, g, name);
        args[0] = lk; args[1] = rd->worker; args[2] = ms;
        rep = es__redis_script(rd, ES__RS_LEASE, 1, 3, args, NULL);
        if (!rep) {
            ES_FREE(have);
            return rd->code;
        }
        ok = rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 && rep->element[0]->type == REDIS_REPLY_INTEGER;
        if (!ok) {
            freeReplyObject(rep);
            ES_FREE(have);
            return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: unexpected reply", lk);
        }
        es__redis_notes(rd, rep->element[1]);
        ok = rep->element[0]->integer == 1;
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
    if (!rep) {
        if (!rd->ctx) return rd->code;
        /* "done" is not a stream (written by someone else): drop it and wait a little */
        es__redis_log(rd, "%s is not a stream (%s): removed", key, rd->error);
        rep = es__redis_cmd(rd, "DEL", key, NULL, NULL);
        if (!rep) return rd->code;
        freeReplyObject(rep);
        strcpy(rd->last_id, "0-0");
        es__redis_sleep_ms(rd->desc.wait_ms < 100 ? rd->desc.wait_ms : 100);
        return ES_OK;
    }
    if (rep->type == REDIS_REPLY_NIL) {
        freeReplyObject(rep);
        return ES_OK;
    }
    /* [[key, [[id, [field, value]], ...]]] */
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 1 || rep->element[0]->type != REDIS_REPLY_ARRAY ||
        rep->element[0]->elements != 2 || rep->element[0]->element[1]->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "XREAD %s: unexpected reply", key);
    }
    entries = rep->element[0]->element[1];
    if (entries->elements > 0) {
        redisReply *last = entries->element[entries->elements - 1];
        if (last->type != REDIS_REPLY_ARRAY || last->elements < 1 || last->element[0]->type != REDIS_REPLY_STRING ||
            last->element[0]->len == 0 || last->element[0]->len >= sizeof rd->last_id) {
            freeReplyObject(rep);
            return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "XREAD %s: malformed entry", key);
        }
        memcpy(rd->last_id, last->element[0]->str, last->element[0]->len);
        rd->last_id[last->element[0]->len] = 0;
    }
    freeReplyObject(rep);
    return ES_OK;
}

/* Replaces a malformed stored result of chunk `cs` by this worker's own
   (only if it is still the same malformed value). */
static es_result es__redis_fix(es_redis *rd, uint32_t g, const char *cs, const void *old, size_t old_size,
                               const void *payload, size_t size)
{
    char key[256];
    const char *args[4];
    size_t lens[4];
    redisReply *rep;
    es__redis_gkey(rd, key, sizeof key, g, "rew");
    args[0] = key; args[1] = cs; args[2] = (const char *)old; args[3] = (const char *)payload;
    lens[0] = strlen(key); lens[1] = strlen(cs); lens[2] = old_size; lens[3] = size;
    rep = es__redis_script(rd, ES__RS_FIX, 1, 4, args, lens);
    if (!rep) return rd->code;
    freeReplyObject(rep);
    return ES_OK;
}

/* The stored value of chunk `cs` of generation g (NULL: none or an error). */
static redisReply *es__redis_hget(es_redis *rd, uint32_t g, const char *cs)
{
    char key[256];
    redisReply *rep;
    es__redis_gkey(rd, key, sizeof key, g, "rew");
    rep = es__redis_cmd(rd, "HGET", key, cs, NULL);
    if (rep && rep->type != REDIS_REPLY_STRING) {
        freeReplyObject(rep);
        es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: field %s vanished", key, cs);
        return NULL;
    }
    return rep;
}

/* Evaluates a claimed chunk and stores its result. Results are
   deterministic: when another worker stored this chunk first, the stored
   value must equal this worker's own. A well-formed different value is a
   forgery (ES_ERROR_REDIS_FORGED, the worker stops); a malformed one is
   replaced by this worker's result. */
static es_result es__redis_evaluate(es_redis *rd, uint32_t g, int chunk, int nchunks, es_redis_eval_fn eval,
                                    es_redis_take_fn take, void *user)
{
    const void *payload = NULL;
    size_t size = 0;
    char cs[16];
    int stored, same;
    redisReply *old;
    es_result r = eval(user, g, chunk, &payload, &size);
    if (r != ES_OK) return es__redis_fail(rd, r, "generation %u chunk %d: evaluation failed: %s", (unsigned)g,
                                          chunk, es_redis_result_string(r));
    if (!payload || size == 0)
        return es__redis_fail(rd, ES_ERROR_INVALID_ARGUMENT, "chunk %d: the evaluation gave no payload", chunk);
    rd->evaluated++;
    snprintf(cs, sizeof cs, "%d", chunk);
    r = es__redis_put_raw(rd, g, cs, strlen(cs), payload, size, nchunks, &stored, &same);
    if (r != ES_OK && !rd->ctx && rd->open) {   /* keep the work across a reconnection */
        if ((r = es__redis_reconnect(rd)) != ES_OK) return r;
        r = es__redis_put_raw(rd, g, cs, strlen(cs), payload, size, nchunks, &stored, &same);
    }
    if (r != ES_OK || stored == 1) return r;
    if (stored == -1) {
        rd->dropped++;
        es__redis_log(rd, "late result of generation %u chunk %d dropped: the run's checkpoint is past that "
                      "generation (its keys are deleted)", (unsigned)g, chunk);
        return ES_OK;
    }
    if (same) {
        rd->dropped++;
        es__redis_log(rd, "late result of generation %u chunk %d dropped (another worker stored it first)",
                      (unsigned)g, chunk);
        return ES_OK;
    }
    if (!(old = es__redis_hget(rd, g, cs))) return rd->code;
    if (take(user, g, chunk, old->str, old->len) == ES_OK) {     /* halt every worker of the run */
        char key[256];
        freeReplyObject(old);
        es__redis_fail(rd, ES_ERROR_REDIS_FORGED,
                       "generation %u chunk %d: the result stored in Redis differs from the one worker %s computed; "
                       "results are deterministic, so it was forged or corrupted (or the workers run different "
                       "code): run halted", (unsigned)g, chunk, rd->worker);
        es__redis_key(rd, key, sizeof key, "halt");
        old = es__redis_cmd(rd, "SET", key, rd->error, NULL);
        if (old) freeReplyObject(old);
        return ES_ERROR_REDIS_FORGED;
    }
    r = es__redis_fix(rd, g, cs, old->str, old->len, payload, size);
    freeReplyObject(old);
    if (r == ES_OK) {
        rd->recomputed++;
        es__redis_log(rd, "generation %u chunk %d: malformed result in Redis replaced by this worker's own",
                      (unsigned)g, chunk);
    }
    return r;
}

/* HGETALL g:rew, and take() on each chunk in order. A chunk whose stored
   value is malformed, or missing beside fields that are no chunk number,
   is recomputed by this worker (and its result put back in Redis). */
static es_result es__redis_collect(es_redis *rd, uint32_t g, int nchunks, es_redis_eval_fn eval,
                                   es_redis_take_fn take, void *user, int *incomplete)
{
    char key[256];
    redisReply *rep, **by;
    size_t i, nfields;
    int c, present = 0, junk = 0;
    es_result r = ES_OK;
    *incomplete = 0;
    es__redis_gkey(rd, key, sizeof key, g, "rew");
    rep = es__redis_cmd(rd, "HGETALL", key, NULL, NULL);
    if (!rep) return rd->code;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements % 2) {
        freeReplyObject(rep);
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "%s: unexpected reply", key);
    }
    nfields = rep->elements / 2;
    by = (redisReply **)ES_MALLOC((size_t)nchunks * sizeof *by);
    if (!by) {
        freeReplyObject(rep);
        return ES_ERROR_OUT_OF_MEMORY;
    }
    memset(by, 0, (size_t)nchunks * sizeof *by);
    for (i = 0; i < rep->elements; i += 2) {
        unsigned long long v;
        if (rep->element[i]->type == REDIS_REPLY_STRING && rep->element[i + 1]->type == REDIS_REPLY_STRING &&
            es__redis_uint(rep->element[i], (unsigned long long)nchunks - 1, &v) && !by[v]) {
            by[v] = rep->element[i + 1];
            present++;
        } else {
            junk++;
        }
    }
    if (present < nchunks && nfields < (size_t)nchunks) {   /* lost meanwhile (Redis restarted) */
        ES_FREE(by);
        freeReplyObject(rep);
        *incomplete = 1;
        return ES_OK;
    }
    if (junk) es__redis_log(rd, "%s: %d fields that are no chunk result ignored", key, junk);
    for (c = 0; r == ES_OK && c < nchunks; c++) {
        const void *payload = NULL;
        size_t size = 0;
        char cs[16];
        int stored, same;
        if (by[c] && take(user, g, c, by[c]->str, by[c]->len) == ES_OK) continue;
        r = eval(user, g, c, &payload, &size);
        if (r == ES_OK && (!payload || size == 0)) r = ES_ERROR_INVALID_ARGUMENT;
        if (r == ES_OK) r = take(user, g, c, payload, size);
        if (r != ES_OK) {
            es__redis_fail(rd, r, "%s chunk %d: stored result %s, and recomputing it failed: %s", key, c,
                           by[c] ? "malformed" : "missing", es_redis_result_string(r));
            break;
        }
        rd->recomputed++;
        es__redis_log(rd, "generation %u chunk %d: %s result in Redis (%zu bytes); recomputed it", (unsigned)g, c,
                      by[c] ? "malformed" : "missing", by[c] ? by[c]->len : (size_t)0);
        snprintf(cs, sizeof cs, "%d", c);
        if (by[c]) r = es__redis_fix(rd, g, cs, by[c]->str, by[c]->len, payload, size);
        else r = es__redis_put_raw(rd, g, cs, strlen(cs), payload, size, nchunks, &stored, &same);
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
        if ((r = es__redis_collect(rd, g, nchunks, eval, take, user, &incomplete)) != ES_OK) return r;
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
    if (chunk >= 0) return es__redis_evaluate(rd, g, chunk, nchunks, eval, take, user);
    return es__redis_wait(rd);
}

ES_API es_result es_redis_generation(es_redis *rd, uint32_t generation, int nchunks, es_redis_eval_fn eval,
                                     es_redis_take_fn take, void *user, int *stopped)
{
    int done = 0, dummy;
    if (!stopped) stopped = &dummy;
    *stopped = 0;
    if (!rd || nchunks <= 0 || !eval || !take) return ES_ERROR_INVALID_ARGUMENT;
    if (!rd->open) return es__redis_closed(rd);     /* before the final it knows: every call fails once closed */
    if (rd->final && generation >= rd->final) {    /* known from a claim, whatever Redis holds now */
        *stopped = 1;
        return ES_OK;
    }
    while (!done) {
        es_result r = es__redis_step(rd, generation, nchunks, eval, take, user, stopped, &done);
        if (r == ES_OK) continue;
        if (rd->ctx || !rd->open) return r;   /* a Redis error reply, bad data, the callback's error, closed */
        if ((r = es__redis_reconnect(rd)) != ES_OK) return r;
    }
    return ES_OK;
}

/* ---- a runner's generations ------------------------------------------- */

#define ES__REDIS_TAG_STEPS ES_TAG('R', 'S', 'T', 'P')

static void es__redis_members(const es_redis *rd, int chunk, int *begin, int *end, int *with_eval)
{
    int k = chunk - rd->eval_chunk, npop = rd->res.npop;
    *with_eval = rd->eval_chunk && chunk == 0;
    *begin = *end = 0;
    if (*with_eval) return;
    *begin = k * rd->chunk;
    *end = *begin + rd->chunk < npop ? *begin + rd->chunk : npop;
}

static es_result es__redis_runner_eval(void *user, uint32_t g, int chunk, const void **payload, size_t *size)
{
    es_redis *rd = (es_redis *)user;
    es_runner *run = rd->runner;
    int begin, end, with_eval;
    es_result r;
    if (g != run->opt->generation || chunk < 0 || chunk >= rd->nchunks) return ES_ERROR_INVALID_ARGUMENT;
    es__redis_members(rd, chunk, &begin, &end, &with_eval);
    r = es_runner_evaluate(run, begin, end, with_eval);
    if (r != ES_OK) return r;
    *size = es_redis_payload_size(end - begin, rd->res.nstats, with_eval ? rd->res.neval : 0);
    *payload = rd->payload;
    return es_redis_payload_encode(rd->payload, *size, g, (uint32_t)chunk, begin, end, with_eval, &rd->res);
}

static es_result es__redis_runner_take(void *user, uint32_t g, int chunk, const void *payload, size_t size)
{
    es_redis *rd = (es_redis *)user;
    int begin, end, with_eval;
    if (chunk < 0 || chunk >= rd->nchunks) return ES_ERROR_REDIS_DATA;
    es__redis_members(rd, chunk, &begin, &end, &with_eval);
    return es_redis_payload_decode(payload, size, g, (uint32_t)chunk, begin, end, with_eval, &rd->res);
}

/* The runner's state as a checkpoint: es.h's sections, the normalizer,
   the environment steps. */
static es_result es__redis_runner_snapshot(void *user, uint32_t *g, const void **bytes, size_t *size)
{
    es_redis *rd = (es_redis *)user;
    es_runner *run = rd->runner;
    es_section sec[2];
    unsigned char steps[8], *norm = NULL;
    int n = 0;
    es_result r;
    es_put_u64(steps, run->env_steps);
    sec[n].tag = ES__REDIS_TAG_STEPS; sec[n].data = steps; sec[n].size = 8; n++;
    if (run->norm) {
        norm = (unsigned char *)ES_MALLOC(es_normalizer_bytes(run->norm));
        if (!norm) return ES_ERROR_OUT_OF_MEMORY;
        es_normalizer_encode(run->norm, norm);
        sec[n].tag = ES_TAG_NORM; sec[n].data = norm; sec[n].size = es_normalizer_bytes(run->norm); n++;
    }
    es_checkpoint_free(&rd->snap);
    r = es_checkpoint_encode(run->opt, sec, n, &rd->snap);
    ES_FREE(norm);
    if (r != ES_OK) return r;
    *g = run->opt->generation;
    *bytes = rd->snap.bytes;
    *size = rd->snap.size;
    return ES_OK;
}

/* Checks a checkpoint of generation g from Redis against the runner and,
   if adopt, makes it the runner's state. */
static es_result es__redis_check_ckpt(es_runner *run, const void *bytes, size_t size, uint32_t g,
                                      int adopt)
{
    es_checkpoint ck;
    es tmp;
    const void *p;
    size_t n;
    es_result r = es_checkpoint_decode(&ck, bytes, size, NULL);
    if (r != ES_OK) return r;
    r = es_load(&tmp, &ck, &run->opt->desc.allocator);
    if (r != ES_OK) {
        es_checkpoint_free(&ck);
        return r;
    }
    if (tmp.generation != g || tmp.nparams != run->opt->nparams || tmp.desc.npop != run->opt->desc.npop ||
        es_checkpoint_section(&ck, ES__REDIS_TAG_STEPS, &p, &n) != ES_OK || n != 8 ||
        (run->norm && (es_checkpoint_section(&ck, ES_TAG_NORM, &p, &n) != ES_OK ||
                       n != es_normalizer_bytes(run->norm))))
        r = ES_ERROR_MISMATCH;
    if (r == ES_OK && adopt && run->norm) {
        es_checkpoint_section(&ck, ES_TAG_NORM, &p, &n);
        r = es_normalizer_decode(run->norm, p, n);
    }
    if (r == ES_OK && adopt) {             /* the whole optimizer state, whatever the strategy */
        es_checkpoint_section(&ck, ES__REDIS_TAG_STEPS, &p, &n);
        run->env_steps = es_get_u64((const unsigned char *)p);
        es_free(run->opt);
        *run->opt = tmp;
    } else {
        es_free(&tmp);
    }
    es_checkpoint_free(&ck);
    return r;
}

/* Whether es__redis_check_ckpt's failure r says the checkpoint's bytes are
   invalid (damaged, forged, another run's), so that the entry may be
   replaced; running out of memory or threads says nothing about them. */
static int es__redis_ckpt_invalid(es_result r)
{
    return r != ES_OK && r != ES_ERROR_OUT_OF_MEMORY && r != ES_ERROR_THREADS && r != ES_ERROR_IO;
}

/* Stores the runner's state as the run's checkpoint. An entry of a later
   generation that does not hold a valid checkpoint of this run (forged or
   damaged) is replaced, with a notice, instead of blocking the run's
   checkpoint for good. */
static es_result es__redis_publish(es_redis *rd, es_runner *run)
{
    uint32_t g, cur = 0, every = (uint32_t)rd->desc.ckpt_every, keep;
    const void *bytes;
    size_t size;
    int stored = 0;
    es_result r = es__redis_runner_snapshot(rd, &g, &bytes, &size);
    if (r != ES_OK) return r;
    keep = g > every ? g - every : 0;
    ES__REDIS_RETRY(rd, es__redis_ckpt_raw(rd, g, bytes, size, keep, "", 0, &stored, &cur));
    if (r != ES_OK || stored || cur <= g) return r;
    {
        void *theirs = NULL;
        size_t tsize = 0;
        uint32_t tg = 0;
        char bad[16];
        r = es_redis_checkpoint_get(rd, &tg, &theirs, &tsize);
        if (r == ES_OK && tg == cur) {
            es_result c = es__redis_check_ckpt(run, theirs, tsize, tg, 0);
            ES_FREE(theirs);
            theirs = NULL;
            if (c == ES_OK) return ES_OK;                 /* a worker ahead of this one stored it */
            if (!es__redis_ckpt_invalid(c))
                return es__redis_fail(rd, c, "cannot check the run's checkpoint of generation %u: %s",
                                      (unsigned)tg, es_result_string(c));
        }
        ES_FREE(theirs);
        if (r != ES_OK && r != ES_ERROR_REDIS_DATA) return r;
        snprintf(bad, sizeof bad, "%u", (unsigned)cur);
        es__redis_log(rd, "the run's checkpoint in Redis claims generation %u but holds no valid checkpoint of "
                          "this run: replaced by generation %u", (unsigned)cur, (unsigned)g);
        ES__REDIS_RETRY(rd, es__redis_ckpt_raw(rd, g, bytes, size, keep, bad, 0, &stored, &cur));
        return r;
    }
}

/* Stores this worker's state as the run's checkpoint when the run has
   settings but no valid checkpoint: its creator stopped, or lost Redis's
   reply to SET NX (the retry then finds the settings and takes itself for a
   joiner), before storing one. The settings are this worker's own, so its
   state is a start of the run: every worker without --resume makes the same
   bytes from the seed. The script keeps the highest generation, so workers
   doing this at once agree, and the caller adopts whatever won. bad: the
   generation of an entry found invalid, replaced even if not lower ("" none). */
static es_result es__redis_seed(es_redis *rd, const char *bad)
{
    uint32_t g, cur;
    const void *bytes;
    size_t size;
    int stored;
    es_result r = es__redis_runner_snapshot(rd, &g, &bytes, &size);
    if (r != ES_OK) return r;
    ES__REDIS_RETRY(rd, es__redis_ckpt_raw(rd, g, bytes, size, 0, bad, 1, &stored, &cur));
    return r;
}

/* Signs that other workers run the run now, for a joiner that found no
   valid checkpoint: *mark (the highest claimed generation and the newest
   "done" entry) changes as they complete generations; *leased is 1 while a
   chunk of the highest claimed generation is leased (one is being
   evaluated); *history is 1 once the run has claimed a generation or has a
   gc cursor. Values of the wrong type count as absent. */
static es_result es__redis_activity(es_redis *rd, char *mark, size_t mark_size, int *leased, int *history)
{
    char key[256], head[24] = "", done[48] = "";
    redisReply *rep;
    unsigned long long h = 0;
    int i, have_head = 0;
    *leased = *history = 0;
    es__redis_key(rd, key, sizeof key, "head");
    rep = es__redis_cmd(rd, "GET", key, NULL, NULL);
    if (!rep && !rd->ctx) return rd->code;
    if (rep && es__redis_uint(rep, 0xffffffffull, &h)) {
        have_head = *history = 1;
        snprintf(head, sizeof head, "%llu", h);
    }
    if (rep) freeReplyObject(rep);
    es__redis_key(rd, key, sizeof key, "gc");
    rep = es__redis_cmd(rd, "EXISTS", key, NULL, NULL);
    if (!rep) return rd->code;
    if (rep->type == REDIS_REPLY_INTEGER && rep->integer > 0) *history = 1;
    freeReplyObject(rep);
    if (es__redis_newest_done(rd, done, sizeof done) != ES_OK) return rd->code;
    snprintf(mark, mark_size, "%s/%s", head, done);
    for (i = 0; have_head && i < rd->nchunks && !*leased; i++) {
        char name[32];
        snprintf(name, sizeof name, "lease:%d", i);
        es__redis_gkey(rd, key, sizeof key, (uint32_t)h, name);
        rep = es__redis_cmd(rd, "EXISTS", key, NULL, NULL);
        if (!rep) return rd->code;
        *leased = rep->type == REDIS_REPLY_INTEGER && rep->integer > 0;
        freeReplyObject(rep);
    }
    return ES_OK;
}

/* The settings every worker of a run must share, one per line: the
   caller's, then the runner's. */
static es_result es__redis_settings(es_redis *rd, const es_runner *run, char **out, size_t *size)
{
    const es_desc *d = &run->opt->desc;
    const char *user = rd->desc.settings ? rd->desc.settings : "";
    size_t n = strlen(user) + 1024;
    char *s = (char *)ES_MALLOC(n);
    int k;
    if (!s) return ES_ERROR_OUT_OF_MEMORY;
    k = snprintf(s, n,
                 "es run, noise stream %d\n%s%snpop=%d\nsampling=%d\nshaping=%d\noptimizer=%d\nsigma=%.9g\n"
                 "lr=%.9g\nwd=%.9g\nbeta1=%.9g\nbeta2=%.9g\nadam_eps=%.9g\ntop_k=%d\nseed=%llu\nnparams=%lu\n"
                 "obs_dim=%d\nact_dim=%d\nnormalizer=%s\neval_episodes=%d\nmax_steps=%d\ngenerations=%d\n"
                 "chunk=%d\n",
                 ES_NOISE_STREAM_VERSION, user, user[0] && user[strlen(user) - 1] != '\n' ? "\n" : "", d->npop,
                 (int)d->sampling, (int)d->shaping, (int)d->optimizer, d->sigma, d->lr, d->wd < 0 ? 0.0 : d->wd,
                 d->beta1, d->beta2, d->adam_eps, d->top_k, (unsigned long long)d->seed,
                 (unsigned long)run->opt->nparams, run->envs[0].obs_dim, run->envs[0].act_dim,
                 run->norm ? "yes" : "no", run->eval_episodes, run->max_steps, rd->desc.generations, rd->chunk);
    if (k >= 0 && (size_t)k < n && run->reward_shift != 0.0)       /* only when set: default text unchanged */
        k += snprintf(s + k, n - (size_t)k, "reward_shift=%.17g\n", run->reward_shift);
    if (k >= 0 && (size_t)k < n && (d->strategy != ES_STRATEGY_OPENAI || d->optimizer == ES_OPTIMIZER_CLIPUP))
        k += snprintf(s + k, n - (size_t)k, "strategy=%d\nsigma_lr=%.9g\nsigma_max_change=%.9g\nmax_speed=%.9g\n",
                      (int)d->strategy, d->sigma_lr, d->sigma_max_change, d->max_speed);   /* es.h 0.3 */
    if (k < 0 || (size_t)k >= n) {
        ES_FREE(s);
        return ES_ERROR_INVALID_ARGUMENT;
    }
    *out = s;
    *size = (size_t)k;
    return ES_OK;
}

/* The first line where two settings texts differ, as an error. */
static es_result es__redis_conflict(es_redis *rd, const char *ours, const char *theirs)
{
    while (*ours && *theirs) {
        size_t a = strcspn(ours, "\n"), b = strcspn(theirs, "\n");
        if (a != b || memcmp(ours, theirs, a) != 0) break;
        ours += a + (ours[a] != 0);
        theirs += b + (theirs[b] != 0);
    }
    return es__redis_fail(rd, ES_ERROR_REDIS_SETTINGS,
                          "run %s was created with other settings: the run has \"%.*s\", this worker \"%.*s\"; "
                          "start every worker of a run with the same settings",
                          rd->desc.run, (int)(strcspn(theirs, "\n") < 80 ? strcspn(theirs, "\n") : 80), theirs,
                          (int)(strcspn(ours, "\n") < 80 ? strcspn(ours, "\n") : 80), ours);
}

/* Creates the run, or joins it and adopts its checkpoint. */
static es_result es__redis_join(es_redis *rd, es_runner *run)
{
    int npop = run->opt->desc.npop;
    size_t a, b, size = 0, ssize = 0;
    char *text = NULL;
    void *stored = NULL;
    es_result r;
    rd->chunk = rd->desc.chunk > 0 ? rd->desc.chunk : npop / 8 < 2 ? 2 : npop / 8 > 16 ? 16 : npop / 8;
    if (rd->chunk > npop) rd->chunk = npop;
    rd->eval_chunk = run->eval_episodes > 0;
    rd->nchunks = rd->eval_chunk + (npop + rd->chunk - 1) / rd->chunk;
    rd->res.npop = npop;
    rd->res.nstats = (int)es_obs_stats_size(run->envs[0].obs_dim);
    rd->res.neval = run->eval_episodes;
    rd->res.rewards = run->rewards;
    rd->res.stats = run->stats;
    rd->res.steps = run->steps;
    rd->res.status = run->status;
    rd->res.eval_returns = run->eval_returns;
    a = es_redis_payload_size(rd->chunk, rd->res.nstats, 0);
    b = es_redis_payload_size(0, rd->res.nstats, rd->res.neval);
    ES_FREE(rd->payload);
    rd->payload = (unsigned char *)ES_MALLOC(a > b ? a : b);
    if (!rd->payload) return es__redis_fail(rd, ES_ERROR_OUT_OF_MEMORY, "out of memory");
    rd->runner = run;
    if ((r = es__redis_settings(rd, run, &text, &size)) != ES_OK)
        return es__redis_fail(rd, r, "the run's settings: %s", es_result_string(r));
    r = es_redis_config(rd, text, size, &stored, &ssize, &rd->created);
    if (r == ES_OK && (ssize != size || memcmp(stored, text, size) != 0))
        r = es__redis_conflict(rd, text, (const char *)stored);
    ES_FREE(text);
    ES_FREE(stored);
    if (r != ES_OK) return r;
    if (!rd->desc.snapshot) {
        rd->desc.snapshot = es__redis_runner_snapshot;
        rd->desc.snapshot_user = rd;
    }
    if (rd->created) {
        if ((r = es__redis_publish(rd, run)) != ES_OK) return r;
        es__redis_log(rd, "created run %s at generation %u", rd->desc.run, (unsigned)run->opt->generation);
    } else {
        void *bytes = NULL;
        uint32_t g = 0;
        double quiet_since = es__redis_now(), seeded = 0.0;
        double quiet_s = rd->desc.lease_ms / 1000.0 + 2.0 * rd->desc.wait_ms / 1000.0;
        char mark[96], seen[96] = "", why[sizeof rd->error];
        int waited = 0;
        for (;;) {
            char bad[16] = "";
            int leased = 0, history = 0;
            r = es__redis_ckpt_get(rd, &g, &bytes, &size, bad);
            if (r == ES_OK) {
                r = es__redis_check_ckpt(run, bytes, size, g, 1);
                ES_FREE(bytes);
                if (r == ES_OK) break;
                if (!es__redis_ckpt_invalid(r))      /* says nothing about the entry: keep it */
                    return es__redis_fail(rd, r, "cannot check the checkpoint of run %s (generation %u): %s",
                                          rd->desc.run, (unsigned)g, es_result_string(r));
                es__redis_fail(rd, ES_ERROR_REDIS_DATA, "the checkpoint of run %s in Redis claims generation %u "
                               "but holds no valid checkpoint of this run (%s)", rd->desc.run, (unsigned)g,
                               es_result_string(r));   /* the words of es__redis_publish's notice */
                snprintf(bad, sizeof bad, "%u", (unsigned)g);
            } else if (r == ES_ERROR_NOT_FOUND) {
                es__redis_fail(rd, ES_ERROR_REDIS_DATA, "run %s has settings but no checkpoint in Redis",
                               rd->desc.run);
            } else if (r != ES_ERROR_REDIS_DATA) {
                return r;
            }
            if (seeded > 0.0 && es__redis_now() - seeded >= rd->desc.reconnect_s) return ES_ERROR_REDIS_DATA;
            /* Workers that still run the run store a checkpoint soon (every ckpt_every generations, and
               they replace an invalid entry): wait for it while generations progress or chunks are
               leased, rather than set the run back to this worker's state. */
            memcpy(why, rd->error, sizeof why);     /* the activity's own calls may leave an error there */
            ES__REDIS_RETRY(rd, es__redis_activity(rd, mark, sizeof mark, &leased, &history));
            if (r != ES_OK) return r;
            memcpy(rd->error, why, sizeof why);
            if (leased || strcmp(mark, seen) != 0) {
                quiet_since = es__redis_now();
                memcpy(seen, mark, sizeof seen);
            }
            if (history && es__redis_now() - quiet_since < quiet_s) {
                if (!waited++)
                    es__redis_log(rd, "%s: waiting for the checkpoint of the workers that may run it (this worker "
                                  "stores its own state once no generation progresses for %.1f s)", rd->error,
                                  quiet_s);
                es__redis_sleep_ms(200);
                continue;
            }
            if (seeded > 0.0) es__redis_sleep_ms(200);
            else
                es__redis_log(rd, "%s: this worker stores its own state (generation %u) as the run's checkpoint%s",
                              rd->error, (unsigned)run->opt->generation,
                              history ? ", and the run goes on from there (the generations after it are computed "
                              "again)" : "");
            if (seeded == 0.0) seeded = es__redis_now();
            if ((r = es__redis_seed(rd, bad)) != ES_OK) return r;
        }
        rd->adopted = 1;
        es__redis_log(rd, "joined run %s at generation %u (the run's checkpoint in Redis)", rd->desc.run,
                      (unsigned)g);
    }
    rd->joined = 1;
    return ES_OK;
}

/* The worker fell behind: stopped or slow while the run went on past its
   generation and deleted that generation's keys. It adopts the run's
   checkpoint, as a joiner does, instead of recomputing the generations it
   missed alone. */
static es_result es__redis_catch_up(es_redis *rd, es_runner *run)
{
    uint32_t from = run->opt->generation, g = 0;
    void *bytes = NULL;
    size_t size = 0;
    es_result r = es_redis_checkpoint_get(rd, &g, &bytes, &size);
    if (r != ES_OK && r != ES_ERROR_NOT_FOUND) return r;
    if (r == ES_OK) r = g > from ? es__redis_check_ckpt(run, bytes, size, g, 1) : ES_ERROR_MISMATCH;
    ES_FREE(bytes);
    if (r != ES_OK)
        return es__redis_fail(rd, ES_ERROR_REDIS_DATA, "generation %u of run %s is gone from Redis, and the run's "
                              "checkpoint there cannot replace it (%s)", (unsigned)from, rd->desc.run,
                              r == ES_ERROR_NOT_FOUND ? "none" : g > from ? es_result_string(r) : "not later");
    rd->caught_up++;
    es__redis_log(rd, "generation %u of run %s is gone from Redis (this worker fell behind): adopted the run's "
                      "checkpoint of generation %u", (unsigned)from, rd->desc.run, (unsigned)g);
    return ES_OK;
}

ES_API es_result es_redis_runner_generation(es_redis *rd, es_runner *run, int *stopped)
{
    uint64_t before, steps = 0;
    uint32_t g, last;
    int i, dummy, n;
    es_result r;
    if (!stopped) stopped = &dummy;
    *stopped = 0;
    if (!rd || !run || !run->opt || (rd->runner && rd->runner != run)) return ES_ERROR_INVALID_ARGUMENT;
    if (!rd->open) return es__redis_closed(rd);     /* before desc.generations: every call fails once closed */
    if (!rd->joined && (r = es__redis_join(rd, run)) != ES_OK) return r;
    g = run->opt->generation;
    if (rd->desc.generations > 0 && g >= (uint32_t)rd->desc.generations) {
        *stopped = 1;
        return ES_OK;
    }
    before = run->env_steps;
    r = es_redis_generation(rd, g, rd->nchunks, es__redis_runner_eval, es__redis_runner_take, rd, stopped);
    while (r == ES_ERROR_REDIS_BEHIND) {
        if ((r = es__redis_catch_up(rd, run)) != ES_OK) return r;
        g = run->opt->generation;
        if (rd->desc.generations > 0 && g >= (uint32_t)rd->desc.generations) {
            *stopped = 1;
            return ES_OK;
        }
        before = run->env_steps;
        r = es_redis_generation(rd, g, rd->nchunks, es__redis_runner_eval, es__redis_runner_take, rd, stopped);
    }
    if (r != ES_OK || *stopped) {
        run->env_steps = before;
        return r;
    }
    n = run->opt->desc.npop + run->eval_episodes;
    for (i = 0; i < n; i++) steps += (uint64_t)run->steps[i];
    run->env_steps = before + steps;      /* every member's steps, whoever ran them */
    run->rewards_gen = g + 1;             /* rewards[] and stats hold generation g, whoever ran them */
    if ((r = es_runner_update(run)) != ES_OK)
        return es__redis_fail(rd, r, "generation %u: %s", (unsigned)g, es_result_string(r));
    rd->generations++;
    g = run->opt->generation;
    last = rd->desc.generations > 0 ? (uint32_t)rd->desc.generations : 0;
    if (g % (uint32_t)rd->desc.ckpt_every == 0 || g == last || (rd->final && g >= rd->final)) {
        r = es__redis_publish(rd, run);
        if (r != ES_OK) {
            es__redis_log(rd, "cannot store the checkpoint of generation %u: %s", (unsigned)g, rd->error);
            if (!rd->ctx) return r;
        }
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
