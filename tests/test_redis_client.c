/* test_redis_client.c - es_redis.h's client against a redis-server started
   here (a free loopback port, requirepass, stopped by PID): a password of
   128 characters, the missing password reported as ES_ERROR_REDIS_AUTH, a
   script call of 20 arguments through the NOSCRIPT fallback, and the
   reconnect window kept when Redis stops answering in the middle of a call. */
#define _POSIX_C_SOURCE 200809L
#define ES_IMPLEMENTATION
#include "../es_redis.h"
#include "test.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t server;

static void stop_server(void)
{
    if (server > 0) {
        kill(server, SIGCONT);
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
    }
    server = 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Ports to draw from: below the ephemeral range when there is room. A port
   inside it can be taken by any client connection, and the probe below,
   connecting before redis-server listens, may even connect to itself on it
   (and keep it from redis-server, which the probe then takes for up). */
static void port_range(int *lo, int *n)
{
    int elo = 0, ehi = 0;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf(f, "%d %d", &elo, &ehi) != 2) elo = ehi = 0;
        fclose(f);
    }
    if (elo >= 12000) *lo = 10000, *n = elo - 10000;
    else if (ehi > 0 && ehi <= 63000) *lo = ehi + 1, *n = 65535 - ehi;
    else *lo = 20000, *n = 40000;
}

/* Starts redis-server with requirepass on a free port; 0 if it cannot. */
static int start_server(const char *password)
{
    int tries, lo, n;
    port_range(&lo, &n);
    for (tries = 0; tries < 20; tries++) {
        int port = lo + (int)(((unsigned)getpid() * 7919u + (unsigned)tries * 104729u) % (unsigned)n), i;
        char ps[16];
        snprintf(ps, sizeof ps, "%d", port);
        server = fork();
        if (server == 0) {
            FILE *devnull = freopen("/dev/null", "w", stdout);
            (void)devnull;
            execlp("redis-server", "redis-server", "--port", ps, "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--requirepass", password, (char *)NULL);
            _exit(127);
        }
        for (i = 0; i < 100; i++) {            /* up to 5 s for it to answer */
            redisContext *c = redisConnect("127.0.0.1", port);
            int up = c && !c->err;
            if (c) redisFree(c);
            if (up) return port;
            if (waitpid(server, NULL, WNOHANG) == server) break;   /* port taken: next one */
            {
                struct timespec ts = {0, 50000000};
                nanosleep(&ts, NULL);
            }
        }
        stop_server();
    }
    return 0;
}

/* Chunk results of es_redis_generation without an environment: a function
   of (generation, chunk), as real results are. */
static unsigned char fake[16];
static es_result fake_eval(void *user, uint32_t g, int chunk, const void **payload, size_t *size)
{
    (void)user;
    memset(fake, 0, sizeof fake);
    es_put_u32(fake, g);
    es_put_u32(fake + 4, (uint32_t)chunk);
    *payload = fake;
    *size = sizeof fake;
    return ES_OK;
}
static es_result fake_take(void *user, uint32_t g, int chunk, const void *payload, size_t size)
{
    const unsigned char *b = (const unsigned char *)payload;
    (void)user;
    return size == sizeof fake && es_get_u32(b) == g && es_get_u32(b + 4) == (uint32_t)chunk ? ES_OK
                                                                                          : ES_ERROR_REDIS_DATA;
}

/* A worker of run `run` with a config stored (kept for repopulating). */
static int worker(es_redis *rd, int port, const char *password, const char *run)
{
    es_redis_desc d;
    void *stored = NULL;
    size_t size = 0;
    int created;
    memset(&d, 0, sizeof d);
    d.port = port; d.password = password; d.run = run;
    d.reconnect_s = 5; d.wait_ms = 100; d.lease_ms = 500;
    if (es_redis_connect(rd, &d) != ES_OK || es_redis_config(rd, "cfg", 3, &stored, &size, &created) != ES_OK) {
        printf("not ok - worker of run %s: %s\n", run, rd->error);
        test_failed_count++;
        es_redis_free(stored);
        return 0;
    }
    es_redis_free(stored);
    return 1;
}

/* The reply of one command of up to 3 arguments: an integer, a decimal
   string's value, 0 for a status reply, -1 otherwise. */
static long long admin_int(es_redis *rd, const char *a0, const char *a1, const char *a2)
{
    redisReply *rep = es__redis_cmd(rd, a0, a1, a2, NULL);
    long long v = -1;
    if (rep && rep->type == REDIS_REPLY_INTEGER) v = rep->integer;
    if (rep && rep->type == REDIS_REPLY_STRING) v = atoll(rep->str);
    if (rep && rep->type == REDIS_REPLY_STATUS) v = 0;
    if (rep) freeReplyObject(rep);
    return v;
}

/* The final generation one worker requested is every worker's: learnt
   from a claim, kept by a repopulation after Redis lost it (even when
   another worker put the settings back first), respected when the key is
   gone, and never passed by a complete generation. */
static void final_generation(int port, const char *password)
{
    es_redis a, b, c, admin;
    uint32_t f = 0;
    int stopped = 0;
    es_result r;
    if (!worker(&a, port, password, "final") || !worker(&b, port, password, "final") ||
        !worker(&c, port, password, "final") || !worker(&admin, port, password, "final"))
        return;
    r = es_redis_generation(&b, 0, 2, fake_eval, fake_take, NULL, &stopped);
    CHECK(r == ES_OK && !stopped, "worker b runs generation 0 (%s)", r == ES_OK ? "ok" : b.error);
    r = es_redis_request_final(&a, 2, &f);
    CHECK(r == ES_OK && f == 2 && a.final_set, "worker a requests final generation 2 and sets it (got %u)", f);
    r = es_redis_request_final(&admin, 5, &f);
    CHECK(r == ES_OK && f == 2 && !admin.final_set, "a later request gets a's final, and did not set it (%u)", f);
    r = es_redis_generation(&b, 1, 2, fake_eval, fake_take, NULL, &stopped);
    CHECK(r == ES_OK && !stopped && b.final == 2,
          "worker b learns the final generation from its next claim (it knows %u)", b.final);
    /* Redis loses its data; c (which knows no final) puts the settings back first */
    CHECK(admin_int(&admin, "FLUSHALL", NULL, NULL) == 0 && admin_int(&admin, "DBSIZE", NULL, NULL) == 0,
          "Redis lost its data (FLUSHALL)");
    es__redis_drop_ctx(&a);
    es__redis_drop_ctx(&c);
    r = es_redis_final(&c, &f);
    CHECK(r == ES_OK && f == 0, "worker c reconnects and repopulates the run; it knows no final (%u)", f);
    r = es_redis_final(&a, &f);
    CHECK(r == ES_OK && f == 2 && admin_int(&admin, "GET", "es:{final}:final", NULL) == 2,
          "worker a reconnects after c: its repopulation puts the final generation back (final %u)", f);
    admin_int(&admin, "DEL", "es:{final}:final", NULL);
    r = es_redis_generation(&b, 2, 2, fake_eval, fake_take, NULL, &stopped);
    CHECK(r == ES_OK && stopped && admin_int(&admin, "EXISTS", "es:{final}:g:2:next", NULL) == 0,
          "worker b stops at the final generation it knows even with the key gone, and claims nothing of it");
    {   /* generation 2 complete in Redis (written by a worker that knew no final) */
        const char *args[4];
        size_t lens[4];
        redisReply *rep;
        const void *p;
        size_t n;
        int i;
        for (i = 0; i < 2; i++) {
            char cs[4];
            fake_eval(NULL, 2, i, &p, &n);
            snprintf(cs, sizeof cs, "%d", i);
            args[0] = "HSET"; args[1] = "es:{final}:g:2:rew"; args[2] = cs; args[3] = (const char *)p;
            lens[0] = 4; lens[1] = strlen(args[1]); lens[2] = strlen(cs); lens[3] = n;
            rep = es__redis_call(&admin, 4, args, lens, 0);
            if (rep) freeReplyObject(rep);
        }
    }
    admin_int(&admin, "SET", "es:{final}:final", "2");
    r = es_redis_generation(&c, 2, 2, fake_eval, fake_take, NULL, &stopped);
    CHECK(r == ES_OK && stopped && c.final == 2,
          "a complete generation at the final one does not carry a worker past it (stopped %d, final %u)", stopped,
          c.final);
    es_redis_close(&b);
    stopped = 1;
    r = es_redis_generation(&b, 2, 2, fake_eval, fake_take, NULL, &stopped);
    CHECK(r == ES_ERROR_REDIS && !stopped && strstr(b.error, "es_redis_close"),
          "after es_redis_close, a generation at the final one b knew fails (\"not connected\"), no stop (%s)",
          b.error);
    es_redis_close(&a);
    es_redis_close(&b);
    es_redis_close(&c);
    es_redis_close(&admin);
}

/* A call that would wait forever fails the test instead (and stops the server). */
static const char *hung_msg = "not ok - a generation hung (10 s)\n";
static void hung(int sig)
{
    (void)sig;
    if (write(1, hung_msg, strlen(hung_msg)) < 0) _exit(2);
    stop_server();
    _exit(1);
}

/* A lease without an expiry, or a key of another type in its place, would
   never expire: a worker that finds every chunk claimed takes it over. */
static void lease_takeover(int port, const char *password)
{
    es_redis w, admin;
    int stopped = 1;
    es_result r;
    if (!worker(&w, port, password, "lease") || !worker(&admin, port, password, "lease")) return;
    admin_int(&admin, "SET", "es:{lease}:g:0:next", "2");           /* both chunks claimed ... */
    admin_int(&admin, "SET", "es:{lease}:g:0:lease:0", "gone:1");   /* ... one lease without a TTL */
    admin_int(&admin, "SADD", "es:{lease}:g:0:lease:1", "x");       /* ... one of the wrong type */
    hung_msg = "not ok - a generation hung on a lease that never expires (10 s)\n";
    signal(SIGALRM, hung);
    alarm(10);
    r = es_redis_generation(&w, 0, 2, fake_eval, fake_take, NULL, &stopped);
    alarm(0);
    CHECK(r == ES_OK && !stopped && w.reclaimed == 2 && admin_int(&admin, "PTTL", "es:{lease}:g:0:lease:0", NULL) > 0,
          "a lease without an expiry and one of the wrong type are taken over (%llu re-claimed; %s)",
          (unsigned long long)w.reclaimed, r == ES_OK ? "ok" : w.error);
    es_redis_close(&w);
    es_redis_close(&admin);
}

/* Notices of a worker, for the checks that read them. */
static char notices[4096];
static void keep_notice(void *user, const char *message)
{
    size_t n = strlen(notices);
    (void)user;
    snprintf(notices + n, sizeof notices - n, "%s\n", message);
}

/* A worker whose generation is below the run's gc cursor (the run's
   checkpoint is past it, its keys deleted) is told so and creates no key of
   it: neither by claiming nor by storing a late result. */
static void behind(int port, const char *password)
{
    es_redis a, b, admin;
    int stopped = 0, stored = 1, same = 0;
    uint32_t g;
    es_result r = ES_OK;
    if (!worker(&a, port, password, "behind") || !worker(&b, port, password, "behind") ||
        !worker(&admin, port, password, "behind"))
        return;
    for (g = 0; g < 3 && r == ES_OK; g++) r = es_redis_generation(&a, g, 2, fake_eval, fake_take, NULL, &stopped);
    if (r == ES_OK) r = es_redis_checkpoint_put(&a, 3, "ck", 2, 2, NULL);
    CHECK(r == ES_OK && admin_int(&admin, "GET", "es:{behind}:gc", NULL) == 2 &&
          admin_int(&admin, "EXISTS", "es:{behind}:g:1:rew", NULL) == 0,
          "worker a runs generations 0 to 2 and stores the checkpoint of 3: gc 2, generation 1's keys deleted");
    r = es_redis_generation(&b, 1, 2, fake_eval, fake_take, NULL, &stopped);
    CHECK(r == ES_ERROR_REDIS_BEHIND && admin_int(&admin, "EXISTS", "es:{behind}:g:1:next", NULL) == 0 &&
          admin_int(&admin, "EXISTS", "es:{behind}:head", NULL) == 1,
          "worker b at generation 1 is told it fell behind (%s: %s) and claims nothing of it",
          es_redis_result_string(r), b.error);
    r = es__redis_put_raw(&b, 0, "0", 1, fake, sizeof fake, 2, &stored, &same);
    CHECK(r == ES_OK && stored != 1 && same && admin_int(&admin, "EXISTS", "es:{behind}:g:0:rew", NULL) == 0,
          "a late result of generation 0 (below gc) is dropped, not stored in a new key");
    b.desc.log_fn = keep_notice;
    notices[0] = 0;
    r = es__redis_evaluate(&b, 0, 1, 2, fake_eval, fake_take, NULL);
    CHECK(r == ES_OK && b.dropped == 1 && strstr(notices, "checkpoint is past that generation") &&
          !strstr(notices, "another worker stored it first") &&
          admin_int(&admin, "EXISTS", "es:{behind}:g:0:rew", NULL) == 0,
          "... and a worker that evaluated it says why, not \"another worker stored it first\" (%s)", notices);
    b.desc.log_fn = NULL;
    es_redis_close(&a);
    es_redis_close(&b);
    es_redis_close(&admin);
}

/* An allocator that fails once oom_after allocations have succeeded (-1: never). */
static int oom_after = -1;
static void *oom_alloc(size_t size, void *user)
{
    (void)user;
    if (oom_after == 0) return NULL;
    if (oom_after > 0) oom_after--;
    return malloc(size);
}
static void oom_free(void *p, void *user)
{
    (void)user;
    free(p);
}

/* Running out of memory while checking the run's checkpoint says nothing
   about the checkpoint: a worker whose own checkpoint is older does not
   take it for an invalid entry and replace it, it fails. */
static void ckpt_oom(int port, const char *password)
{
    es_redis w;
    es opt;
    es_desc d;
    es_runner run;
    float theta[3] = {0.5f, -0.25f, 1.0f};
    void *bytes = NULL;
    size_t n = 0;
    uint32_t g = 0;
    es_result r;
    if (!worker(&w, port, password, "oomck")) return;
    memset(&d, 0, sizeof d);
    d.npop = 4;
    d.allocator.alloc_fn = oom_alloc;
    d.allocator.free_fn = oom_free;
    memset(&run, 0, sizeof run);
    if (es_init(&opt, &d, theta, 3) != ES_OK) {
        printf("not ok - ckpt_oom: es_init failed\n");
        test_failed_count++;
        es_redis_close(&w);
        return;
    }
    run.opt = &opt;
    w.runner = &run;
    opt.generation = 5;
    r = es__redis_publish(&w, &run);
    CHECK(r == ES_OK && es_redis_checkpoint_get(&w, &g, &bytes, &n) == ES_OK && g == 5,
          "a worker stores the run's checkpoint of generation 5 (%s)", r == ES_OK ? "ok" : w.error);
    es_redis_free(bytes);
    bytes = NULL;
    opt.generation = 3;
    oom_after = 1;                          /* the snapshot's buffer, then nothing: checking theirs fails */
    r = es__redis_publish(&w, &run);
    oom_after = -1;
    CHECK(r == ES_ERROR_OUT_OF_MEMORY && es_redis_checkpoint_get(&w, &g, &bytes, &n) == ES_OK && g == 5,
          "out of memory while checking it: an error, and the checkpoint of generation 5 stays (%s; generation %u)",
          es_redis_result_string(r), g);
    es_redis_free(bytes);
    w.runner = NULL;
    es_free(&opt);
    es_redis_close(&w);
}

/* Another client's script that outlasts Redis's busy threshold (a run
   clean-up on a large keyspace) makes Redis answer BUSY to every command:
   a worker waits for the script to end instead of failing. */
static void busy(int port, const char *password)
{
    es_redis w;
    uint32_t f = 0;
    double t0, took;
    pid_t child;
    es_result r;
    if (!worker(&w, port, password, "busy")) return;
    child = fork();
    if (child == 0) {     /* 1.5 s of a script, past a busy threshold of 100 ms */
        redisContext *c = redisConnect("127.0.0.1", port);
        redisReply *rep;
        if (!c || c->err) _exit(1);
        rep = (redisReply *)redisCommand(c, "AUTH %s", password);
        if (rep) freeReplyObject(rep);
        rep = (redisReply *)redisCommand(c, "CONFIG SET busy-reply-threshold 100");
        if (rep) freeReplyObject(rep);
        rep = (redisReply *)redisCommand(c, "EVAL %s 0", "local t = redis.call('TIME'); local s = t[1] * 1e6 + t[2] "
                                         "repeat t = redis.call('TIME') until t[1] * 1e6 + t[2] - s > 1500000 "
                                         "return 1");
        if (rep) freeReplyObject(rep);
        redisFree(c);
        _exit(0);
    }
    {
        struct timespec ts = {0, 400000000};
        nanosleep(&ts, NULL);
    }
    t0 = now();
    r = es_redis_final(&w, &f);
    took = now() - t0;
    waitpid(child, NULL, 0);
    CHECK(r == ES_OK && took > 0.5, "a worker waits out another client's long script (BUSY) for %.1f s (%s)", took,
          r == ES_OK ? "ok" : w.error);
    es_redis_close(&w);
}

/* A gc cursor that is no 32-bit generation (here 2^32) is ignored by every
   script alike, with a notice: were it obeyed by the put script alone, every
   result would be dropped while claims go on, and the generation would
   never complete. */
static void gc_invalid(int port, const char *password)
{
    es_redis w, admin;
    int stopped = 1;
    es_result r;
    if (!worker(&w, port, password, "gcbig") || !worker(&admin, port, password, "gcbig")) return;
    w.desc.log_fn = keep_notice;
    notices[0] = 0;
    admin_int(&admin, "SET", "es:{gcbig}:gc", "4294967296");
    hung_msg = "not ok - a gc of 4294967296 made the generation loop forever (10 s)\n";
    signal(SIGALRM, hung);
    alarm(10);
    r = es_redis_generation(&w, 0, 2, fake_eval, fake_take, NULL, &stopped);
    alarm(0);
    CHECK(r == ES_OK && !stopped && w.dropped == 0 && strstr(notices, "gc=4294967296"),
          "a gc of 4294967296 is ignored by claims and puts alike, with a notice (%s; %s)",
          r == ES_OK ? "ok" : w.error, notices);
    w.desc.log_fn = NULL;
    es_redis_close(&w);
    es_redis_close(&admin);
}

int main(void)
{
    char password[129];
    const char *args[20];
    es_redis rd;
    es_redis_desc d;
    redisReply *rep;
    double t0, took;
    uint32_t final;
    int port, i;
    es_result r;
    if (system("command -v redis-server >/dev/null 2>&1") != 0) {
        printf("skip - test_redis_client: redis-server not installed\n");
        return 0;
    }
    for (i = 0; i < 128; i++) password[i] = "0123456789abcdef"[(i * 7 + 3) % 16];
    password[128] = 0;                       /* as long as `openssl rand -hex 64` */
    port = start_server(password);
    if (!port) {
        printf("not ok - test_redis_client: redis-server did not start\n");
        return 1;
    }
    memset(&d, 0, sizeof d);
    d.port = port;
    d.run = "client";
    r = es_redis_connect(&rd, &d);
    CHECK(r == ES_ERROR_REDIS_AUTH && strstr(rd.error, "password"),
          "no password against requirepass: ES_ERROR_REDIS_AUTH, the error says a password is needed (%s: %s)",
          es_redis_result_string(r), rd.error);
    es_redis_close(&rd);
    d.password = "wrong";
    r = es_redis_connect(&rd, &d);
    CHECK(r == ES_ERROR_REDIS_AUTH, "a wrong password: ES_ERROR_REDIS_AUTH (%s)", rd.error);
    CHECK(!rd.ctx && !rd.password, "... and the failed connect keeps neither its connection nor the password's copy");
    es_redis_close(&rd);
    for (i = 0; i < 2; i++) {
        d.port = i ? -1 : 70000;
        r = es_redis_connect(&rd, &d);
        CHECK(r == ES_ERROR_INVALID_ARGUMENT && strstr(rd.error, i ? "-1" : "70000"),
              "port %d is refused, not turned into another port (%s)", d.port, rd.error);
    }
    d.port = port;
    d.password = password;
    d.reconnect_s = 2;
    d.wait_ms = 200;
    r = es_redis_connect(&rd, &d);
    CHECK(r == ES_OK, "a password of 128 characters is accepted (%s)", r == ES_OK ? "connected" : rd.error);
    if (r != ES_OK) {
        stop_server();
        return 1;
    }
    for (i = 0; i < 20; i++) args[i] = "x";
    rep = es__redis_eval(&rd, "0123456789012345678901234567890123456789", "return #ARGV", 0, 20, args, NULL);
    CHECK(rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 20,
          "a script call with 20 arguments passes all 20, through the NOSCRIPT fallback (got %lld)",
          rep && rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1);
    if (rep) freeReplyObject(rep);
    CHECK(es_redis_final(&rd, &final) == ES_OK && final == 0, "no final generation set: 0");

    {   /* a closed es_redis stays closed */
        es_redis c;
        memset(&c, 0, sizeof c);
        r = es_redis_final(&c, &final);
        CHECK(r == ES_ERROR_REDIS && !c.ctx, "es_redis_final on a zeroed es_redis: an error, no connection (%s)",
              c.error);
        if (worker(&c, port, password, "closed")) {
            es_redis_close(&c);
            r = es_redis_final(&c, &final);
            CHECK(r == ES_ERROR_REDIS && !c.ctx && strstr(c.error, "es_redis_close"),
                  "es_redis_final after es_redis_close: an error, no silent reconnection (%s)", c.error);
            es_redis_close(&c);
        }
    }
    {   /* a halt message with control characters, read back into rd.error */
        es_redis h;
        int stopped = 0;
        size_t k;
        if (worker(&h, port, password, "halted")) {
            admin_int(&h, "SET", "es:{halted}:halt", "forged\033[2J\r\nrm -rf\x7f");
            r = es_redis_generation(&h, 0, 2, fake_eval, fake_take, NULL, &stopped);
            for (k = 0; h.error[k] && (unsigned char)h.error[k] >= 32 && h.error[k] != 127; k++) {}
            CHECK(r == ES_ERROR_REDIS_FORGED && strstr(h.error, "forged?[2J??rm -rf?") && !h.error[k],
                  "a halt message's control characters reach rd.error as '?' (%s)", h.error);
            es_redis_close(&h);
        }
    }
    {   /* keys of the wrong type: the checkpoint entry is malformed (the next put replaces it), the config is
           refused by name */
        es_redis k;
        void *bytes = NULL, *st = NULL;
        size_t n = 0, ss = 0;
        uint32_t g = 0;
        int stored = 0, created = 0;
        if (worker(&k, port, password, "types")) {
            admin_int(&k, "SADD", "es:{types}:ckpt", "x");
            r = es_redis_checkpoint_get(&k, &g, &bytes, &n);
            CHECK(r == ES_ERROR_REDIS_DATA && strstr(k.error, "es:{types}:ckpt: a key of another type"),
                  "a checkpoint key of another type: ES_ERROR_REDIS_DATA naming it (%s)", k.error);
            es_redis_free(bytes);
            r = es_redis_checkpoint_put(&k, 1, "ck", 2, 0, &stored);
            CHECK(r == ES_OK && stored, "... and a checkpoint stored replaces it");
            admin_int(&k, "DEL", "es:{types}:config", NULL);
            admin_int(&k, "SADD", "es:{types}:config", "x");
            r = es_redis_config(&k, "cfg", 3, &st, &ss, &created);
            CHECK(r == ES_ERROR_REDIS_DATA && strstr(k.error, "es:{types}:config is a key of another type"),
                  "a config key of another type: ES_ERROR_REDIS_DATA naming it (%s)", k.error);
            es_redis_free(st);
            es_redis_close(&k);
        }
    }
    final_generation(port, password);
    lease_takeover(port, password);
    behind(port, password);
    gc_invalid(port, password);
    ckpt_oom(port, password);
    busy(port, password);

    /* Redis stops answering (SIGSTOP): the worker gives up reconnect_s after
       the call began, not after a 30 s command timeout plus the window. */
    kill(server, SIGSTOP);
    t0 = now();
    r = es_redis_final(&rd, &final);
    took = now() - t0;
    CHECK(r == ES_ERROR_REDIS && took < 5.0,
          "a silent Redis: the call fails after %.1f s (window 2 s, wait 0.2 s; limit 5 s): %s", took, rd.error);
    kill(server, SIGCONT);
    es_redis_close(&rd);
    stop_server();
    return test_failed_count ? 1 : 0;
}
