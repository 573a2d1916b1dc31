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
    es_redis_close(&rd);
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
