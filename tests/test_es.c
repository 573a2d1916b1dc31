/* tests/test_es.c - es.h against independent facts: Philox known answers,
   the documented Box-Muller mapping recomputed in double, moments of the
   normal distribution, closed-form ES gradients and optimizer steps done by
   hand, convergence on test functions, checkpoint robustness, and bitwise
   independence of the thread count. */
#define _POSIX_C_SOURCE 200809L
#define ES_IMPLEMENTATION
#include "es.h"
#include "tests/test.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <unistd.h>

#define PI 3.14159265358979323846

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
/* A test-side generator (splitmix64) for chosen data; independent of es.h. */
static double test_uniform(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- Philox known answers ------------------------------------------- */

static void test_philox_kat(void)
{
    const char *dir = test_need_reference("Philox4x32-10 known-answer vectors");
    char path[1200], line[512];
    FILE *f;
    int n10 = 0, n7 = 0;
    uint32_t ctr[4] = {2499, 0, 0, 0}, key[2] = {20111115u, 0}, out[4];

    /* C++26 [rand.eng.philox]: the 10000th output of a default-constructed
       std::philox4x32 is 1955073260; it is word 3 of counter 2499. */
    es_philox4x32(ctr, key, out);
    CHECK(out[3] == 1955073260u, "philox: C++26 10000th output of std::philox4x32 (got %lu)",
          (unsigned long)out[3]);
    if (!dir) return;
    snprintf(path, sizeof path, "%s/philox_kat.txt", dir);
    f = fopen(path, "r");
    CHECK(f != NULL, "philox: open %s", path);
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        char name[32];
        unsigned int rounds;
        unsigned long v[10];
        uint32_t c[4], k[2], o[4];
        int i;
        if (line[0] == '#') continue;
        if (sscanf(line, "%31s %u %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx", name, &rounds, &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) != 12)
            continue;
        if (strcmp(name, "philox4x32") != 0) continue;
        if (rounds != 10) {
            n7++;   /* es_philox4x32 has no rounds parameter */
            continue;
        }
        for (i = 0; i < 4; i++) c[i] = (uint32_t)v[i];
        k[0] = (uint32_t)v[4];
        k[1] = (uint32_t)v[5];
        es_philox4x32(c, k, o);
        CHECK(o[0] == (uint32_t)v[6] && o[1] == (uint32_t)v[7] && o[2] == (uint32_t)v[8] &&
                  o[3] == (uint32_t)v[9],
              "philox: KAT ctr %08lx %08lx %08lx %08lx key %08lx %08lx", v[0], v[1], v[2], v[3], v[4], v[5]);
        n10++;
    }
    fclose(f);
    CHECK(n10 == 3, "philox: found the three 10-round vectors in the reference file (%d)", n10);
    if (n7) printf("skip - philox: %d 7-round vectors (the API has no rounds parameter)\n", n7);
}

/* ---- the noise stream ----------------------------------------------- */

/* The documented mapping, in double with libm: block j/4 of counter
   (j/4, pair, generation, 0) and key (seed lo, seed hi). Returns the
   Box-Muller radius of element j in *radius. */
static double expected_eps(uint64_t seed, uint32_t gen, uint32_t pair, size_t j, double *radius)
{
    uint32_t ctr[4], key[2], w[4];
    double u, r, a;
    size_t p;
    ctr[0] = (uint32_t)(j / 4);
    ctr[1] = pair;
    ctr[2] = gen;
    ctr[3] = 0;
    key[0] = (uint32_t)(seed & 0xffffffffu);
    key[1] = (uint32_t)(seed >> 32);
    es_philox4x32(ctr, key, w);
    p = (j % 4) / 2 * 2;
    u = (double)((w[p] >> 8) | 1u) / 16777216.0;
    r = sqrt(-2.0 * log(u));
    a = 2.0 * PI * ((double)w[p + 1] / 4294967296.0);
    *radius = r;
    return (j % 2 == 0) ? r * cos(a) : r * sin(a);
}

static void test_noise_mapping(void)
{
    static const uint64_t seeds[3] = {0, 0x0123456789abcdefull, 0xffffffff00000001ull};
    static const uint32_t gens[3] = {0, 7, 4000000000u};
    static const uint32_t pairs[3] = {0, 3, 123456};
    float buf[4100];
    double worst = 0.0;
    int s, bad = 0, count = 0;
    for (s = 0; s < 3; s++) {
        size_t j, n = s == 1 ? 4100 : 257;
        es_noise_fill(seeds[s], gens[s], pairs[s], buf, n);
        for (j = 0; j < n; j++) {
            double r, e = expected_eps(seeds[s], gens[s], pairs[s], j, &r);
            double d = fabs((double)buf[j] - e) / r;
            if (d > worst) worst = d;
            if (!(d <= 2e-6)) bad++;
            count++;
        }
    }
    CHECK(bad == 0, "noise: %d values equal the documented Philox + Box-Muller mapping (worst %.2g of the radius)",
          count, worst);
    /* Swapping the key words or the counter words must change the stream:
       the check above pins which word is which only if they differ. */
    es_noise_fill(0x0000000100000002ull, 0, 0, buf, 4);
    {
        float b2[4];
        es_noise_fill(0x0000000200000001ull, 0, 0, b2, 4);
        CHECK(memcmp(buf, b2, sizeof b2) != 0, "noise: seed lo and hi words are distinct key words");
        es_noise_fill(5, 1, 2, buf, 4);
        es_noise_fill(5, 2, 1, b2, 4);
        CHECK(memcmp(buf, b2, sizeof b2) != 0, "noise: pair and generation are distinct counter words");
    }
}

static void test_noise_moments(void)
{
    size_t n = 1000000, i, tail = 0;
    float *x = (float *)malloc(n * sizeof(float));
    double sum = 0.0, sum2 = 0.0, mean, var, maxabs = 0.0, frac, p = 0.0455002638963584;
    double cxy = 0.0;
    if (!x) {
        CHECK(0, "noise: malloc");
        return;
    }
    es_noise_fill(42, 3, 9, x, n);
    for (i = 0; i < n; i++) {
        double v = x[i];
        sum += v;
        sum2 += v * v;
        if (fabs(v) > 2.0) tail++;
        if (fabs(v) > maxabs) maxabs = fabs(v);
    }
    mean = sum / (double)n;
    var = sum2 / (double)n - mean * mean;
    frac = (double)tail / (double)n;
    CHECK(fabs(mean) < 5.0 / sqrt((double)n), "noise: mean of 1e6 normals %.5f within 5 standard errors of 0", mean);
    CHECK(fabs(var - 1.0) < 5.0 * sqrt(2.0 / (double)n), "noise: variance %.5f within 5 standard errors of 1", var);
    CHECK(fabs(frac - p) < 5.0 * sqrt(p * (1.0 - p) / (double)n),
          "noise: fraction beyond |2| %.5f close to 0.0455", frac);
    CHECK(maxabs <= 5.8, "noise: |eps| <= 5.8 (max %.4f)", maxabs);
    /* Two different pairs are uncorrelated. */
    {
        size_t m = 200000;
        float *y = (float *)malloc(m * sizeof(float));
        if (y) {
            es_noise_fill(42, 3, 10, y, m);
            for (i = 0; i < m; i++) cxy += (double)x[i] * y[i];
            cxy /= (double)m;
            CHECK(fabs(cxy) < 5.0 / sqrt((double)m), "noise: pairs 9 and 10 uncorrelated (%.5f)", cxy);
            free(y);
        }
    }
    free(x);
}

static void test_noise_prefix(void)
{
    static const size_t lens[] = {0, 1, 2, 3, 5, 6, 7, 13, 64, 999, 1000};
    static const size_t offs[] = {4, 8, 100, 996};
    float ref[1000], buf[1004];
    size_t i;
    int ok = 1;
    es_noise_fill(77, 5, 11, ref, 1000);
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        buf[n] = 12345.0f;
        es_noise_fill(77, 5, 11, buf, n);
        if ((n && memcmp(buf, ref, n * sizeof(float)) != 0) || buf[n] != 12345.0f) ok = 0;
    }
    CHECK(ok, "noise: fills of length 0,1,2,3,5,...,999 are prefixes of a longer fill, nothing written past n");
    ok = 1;
    for (i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        size_t j0 = offs[i], n = 1000 - j0 - (i & 1 ? 3 : 0);
        buf[n] = 12345.0f;
        es__noise_range(77, 5, 11, j0, buf, n);
        if (memcmp(buf, ref + j0, n * sizeof(float)) != 0 || buf[n] != 12345.0f) ok = 0;
    }
    CHECK(ok, "noise: a range starting at element j0 (multiple of 4) equals the same elements of a full fill");
}

static void test_perturbed(void)
{
    es_desc d = es_desc_default();
    es opt;
    float theta0[37], out[37], eps[37];
    int m, ok = 1, okpair = 1;
    size_t j;
    for (j = 0; j < 37; j++) theta0[j] = (float)(test_uniform() * 2.0 - 1.0);
    d.npop = 6;
    d.sigma = 0.25f;
    d.seed = 0xdeadbeefcafef00dull;
    if (es_init(&opt, &d, theta0, 37) != ES_OK) {
        CHECK(0, "perturbed: es_init");
        return;
    }
    opt.generation = 3;
    for (m = 0; m < 6; m++) {
        double s = (m % 2 == 0) ? 1.0 : -1.0;
        es_perturbed(&opt, m, out);
        for (j = 0; j < 37; j++) {
            double r, e = expected_eps(d.seed, 3, (uint32_t)(m / 2), j, &r);
            double want = theta0[j] + 0.25 * s * e;
            if (fabs(out[j] - want) > 1e-6 * (1.0 + fabs(want))) ok = 0;
        }
        if (m % 2 == 1) {
            float prev[37];
            es_perturbed(&opt, m - 1, prev);
            for (j = 0; j < 37; j++)
                if (fabs((double)prev[j] + out[j] - 2.0 * theta0[j]) > 1e-6) okpair = 0;
        }
    }
    CHECK(ok, "perturbed: member m is theta + sigma*s*eps(seed, gen, m/2), s = +1 even, -1 odd");
    CHECK(okpair, "perturbed: members 2k and 2k+1 are mirror images about theta");
    CHECK(es_perturbed(&opt, 6, out) == ES_ERROR_INVALID_ARGUMENT && es_perturbed(&opt, -1, out) == ES_ERROR_INVALID_ARGUMENT,
          "perturbed: member outside [0, npop) refused");
    ok = 1;
    for (m = 0; m < 3; m++) {
        float plus[37], minus[37], a[37], b[37];
        ok &= es_perturbed_pair(&opt, m, plus, minus) == ES_OK;
        es_perturbed(&opt, 2 * m, a);
        es_perturbed(&opt, 2 * m + 1, b);
        ok &= memcmp(plus, a, sizeof a) == 0 && memcmp(minus, b, sizeof b) == 0;
    }
    CHECK(ok, "perturbed: es_perturbed_pair gives the bytes of es_perturbed for both members");
    CHECK(es_perturbed_pair(&opt, 3, out, eps) == ES_ERROR_INVALID_ARGUMENT &&
          es_perturbed_pair(&opt, -1, out, eps) == ES_ERROR_INVALID_ARGUMENT &&
          es_perturbed_pair(&opt, 0, out, out) == ES_ERROR_INVALID_ARGUMENT,
          "perturbed: pair outside [0, npop/2) or one buffer for both refused");
    es_free(&opt);

    d.sampling = ES_SAMPLING_PLAIN;
    d.npop = 5;
    es_init(&opt, &d, theta0, 37);
    ok = 1;
    for (m = 0; m < 5; m++) {
        es_perturbed(&opt, m, out);
        es_noise_fill(d.seed, 0, (uint32_t)m, eps, 37);
        for (j = 0; j < 37; j++)
            if (fabs((double)out[j] - (theta0[j] + 0.25 * (double)eps[j])) > 1e-6) ok = 0;
    }
    CHECK(ok, "perturbed: plain sampling, member i is theta + sigma*eps_i");
    CHECK(es_perturbed_pair(&opt, 0, out, eps) == ES_ERROR_INVALID_ARGUMENT,
          "perturbed: es_perturbed_pair refused without antithetic sampling");
    es_free(&opt);
}

/* ---- shaping --------------------------------------------------------- */

static void test_shaping(void)
{
    es_desc d = es_desc_default();
    float r[4] = {3, 1, 3, 2}, u[4];
    int order[4], i;
    double want_rank[4] = {1.0 / 6.0, -0.5, 0.5, -1.0 / 6.0};
    double mean = 2.25, sd = sqrt(0.6875), sum = 0.0;
    int ok = 1;
    d.npop = 4;
    CHECK(es_utilities(&d, r, u, order) == ES_OK, "shaping: es_utilities ok");
    for (i = 0; i < 4; i++) {
        if (fabs(u[i] - want_rank[i]) > 1e-7) ok = 0;
        if (u[i] < -0.5f || u[i] > 0.5f) ok = 0;
        sum += u[i];
    }
    CHECK(ok, "shaping: centered ranks of {3,1,3,2} are {1/6,-1/2,1/2,-1/6} (ties: lower index ranks lower)");
    CHECK(fabs(sum) < 1e-7, "shaping: centered ranks sum to 0");
    CHECK(order[0] == 1 && order[1] == 3 && order[2] == 0 && order[3] == 2, "shaping: order lists members by rising reward");

    /* A larger case: properties of a centered ranking with many ties. */
    {
        float rr[50], uu[50];
        int oo[50], j, ok2 = 1;
        double s2 = 0.0;
        d.npop = 50;
        for (i = 0; i < 50; i++) rr[i] = (float)((i * 7) % 5);
        es_utilities(&d, rr, uu, oo);
        for (i = 0; i < 50; i++) {
            s2 += uu[i];
            for (j = 0; j < 50; j++) {
                int less = rr[i] < rr[j] || (rr[i] == rr[j] && i < j);
                if (i != j && less != (uu[i] < uu[j])) ok2 = 0;
            }
            if (fabs(uu[i] * 49.0 + 24.5 - floor(uu[i] * 49.0 + 24.5 + 0.5)) > 1e-4) ok2 = 0;
        }
        CHECK(ok2 && fabs(s2) < 1e-5, "shaping: 50 rewards with ties: ranks (reward, index) map to i/49 - 0.5, sum 0");
    }

    d.npop = 4;
    d.shaping = ES_SHAPING_ZSCORE;
    es_utilities(&d, r, u, order);
    ok = 1;
    for (i = 0; i < 4; i++)
        if (fabs(u[i] - (r[i] - mean) / sd) > 1e-6) ok = 0;
    CHECK(ok, "shaping: z-score of {3,1,3,2} is (r - 2.25) / sqrt(0.6875)");
    {
        float c[4] = {2, 2, 2, 2};
        es_utilities(&d, c, u, order);
        CHECK(u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] == 0, "shaping: z-score of equal rewards is 0");
    }
    d.shaping = ES_SHAPING_RAW;
    es_utilities(&d, r, u, order);
    CHECK(memcmp(u, r, sizeof r) == 0, "shaping: raw utilities are the rewards");
    r[2] = (float)NAN;
    CHECK(es_utilities(&d, r, u, order) == ES_ERROR_NAN_REWARD, "shaping: NaN reward refused");
}

/* ---- update rules by hand ------------------------------------------- */

/* g = 1/(n*sigma) sum_k w_k eps_k in double, eps regenerated. */
static void hand_gradient(uint64_t seed, uint32_t gen, const double *w, int nnoise, double n, double sigma,
                          size_t p, double *g)
{
    float eps[16];
    size_t j;
    int k;
    for (j = 0; j < p; j++) g[j] = 0.0;
    for (k = 0; k < nnoise; k++) {
        es_noise_fill(seed, gen, (uint32_t)k, eps, p);
        for (j = 0; j < p; j++) g[j] += w[k] * eps[j];
    }
    for (j = 0; j < p; j++) g[j] /= n * sigma;
}

static void test_sgd_step(void)
{
    es_desc d = es_desc_default();
    es opt;
    float theta0[3] = {0.5f, -1.25f, 2.0f}, r[4] = {1.5f, -0.5f, 2.0f, 0.25f};
    double w[2], g[3], want[3], gn = 0.0;
    int ok = 1;
    size_t j;
    d.npop = 4;
    d.sigma = 0.1f;
    d.lr = 0.1f;
    d.wd = 0.05f;
    d.optimizer = ES_OPTIMIZER_SGD;
    d.shaping = ES_SHAPING_RAW;
    d.seed = 99;
    es_init(&opt, &d, theta0, 3);
    CHECK(opt.m == NULL && opt.v == NULL, "sgd: no Adam moments");
    w[0] = 1.5 - -0.5;
    w[1] = 2.0 - 0.25;
    hand_gradient(99, 0, w, 2, 4.0, 0.1, 3, g);
    CHECK(es_tell(&opt, r, NULL) == ES_OK, "sgd: es_tell ok");
    for (j = 0; j < 3; j++) {
        want[j] = theta0[j] + 0.1 * g[j] - 0.1 * 0.05 * theta0[j];
        if (fabs(opt.theta[j] - want[j]) > 1e-6) ok = 0;
        gn += g[j] * g[j];
    }
    CHECK(ok, "sgd: theta' = theta + lr*g - lr*wd*theta, by hand (raw rewards)");
    ok = 1;
    for (j = 0; j < 3; j++)
        if (fabs(opt.grad[j] - g[j]) > 1e-6 * (1.0 + fabs(g[j]))) ok = 0;
    CHECK(ok, "sgd: opt.grad holds g, by hand");
    CHECK(fabs(opt.grad_norm - sqrt(gn)) < 1e-5 * sqrt(gn), "sgd: grad_norm is |g|");
    CHECK(opt.generation == 1 && opt.t == 0, "sgd: generation advanced");

    /* Plain sampling, odd npop: g = 1/(npop sigma) sum_i u_i eps_i. */
    es_free(&opt);
    {
        float r5[5] = {0.5f, 1.0f, -2.0f, 4.0f, 0.0f};
        double w5[5];
        int i;
        d.sampling = ES_SAMPLING_PLAIN;
        d.npop = 5;
        d.zero = ES_ZERO_WD;                 /* d.wd still holds 0.05: ignored */
        es_init(&opt, &d, theta0, 3);
        for (i = 0; i < 5; i++) w5[i] = r5[i];
        hand_gradient(99, 0, w5, 5, 5.0, 0.1, 3, g);
        es_tell(&opt, r5, NULL);
        ok = 1;
        for (j = 0; j < 3; j++)
            if (fabs(opt.theta[j] - (theta0[j] + 0.1 * g[j])) > 1e-6) ok = 0;
        CHECK(ok && opt.desc.wd == 0.0f, "sgd: plain sampling, g = 1/(npop sigma) sum_i r_i eps_i, ES_ZERO_WD means no decay");
        es_free(&opt);
    }
}

/* Three Adam steps against the hand computation; zero names settings that
   are 0 (their fields keep nonzero values, which must be ignored). */
static void adam_case(unsigned zero, const char *what)
{
    es_desc d = es_desc_default();
    es opt;
    float theta0[5] = {1.0f, -0.5f, 0.25f, 3.0f, -2.0f};
    float rewards[3][4] = {{3, 1, 3, 2}, {0, 1, 2, 3}, {-1, 5, 5, -1}};
    /* centered ranks of each row, by hand (ties: lower index lower) */
    double ranks[3][4] = {{1.0 / 6, -0.5, 0.5, -1.0 / 6}, {-0.5, -1.0 / 6, 1.0 / 6, 0.5}, {-0.5, 1.0 / 6, 0.5, -1.0 / 6}};
    double th[5], m[5], v[5], g[5], w[2];
    /* the desc holds floats: the hand computation uses their exact values */
    double lr = (double)0.05f, wd = (double)0.01f, b1 = (double)0.9f, b2 = (double)0.999f, ae = (double)1e-8f, worst = 0.0;
    int t, ok = 1;
    size_t j;
    if (zero & ES_ZERO_WD) wd = 0.0;
    if (zero & ES_ZERO_BETA1) b1 = 0.0;
    if (zero & ES_ZERO_BETA2) b2 = 0.0;
    d.zero = zero;
    d.npop = 4;
    d.sigma = 0.2f;
    d.lr = (float)lr;
    d.wd = (float)wd;
    d.seed = 0x1234;
    es_init(&opt, &d, theta0, 5);
    for (j = 0; j < 5; j++) {
        th[j] = theta0[j];
        m[j] = v[j] = 0.0;
    }
    for (t = 1; t <= 3; t++) {
        double step = lr * sqrt(1.0 - pow(b2, t)) / (1.0 - pow(b1, t));
        w[0] = ranks[t - 1][0] - ranks[t - 1][1];
        w[1] = ranks[t - 1][2] - ranks[t - 1][3];
        hand_gradient(0x1234, (uint32_t)(t - 1), w, 2, 4.0, 0.2, 5, g);
        for (j = 0; j < 5; j++) {
            double h = -g[j] + wd * th[j];
            m[j] = b1 * m[j] + (1.0 - b1) * h;
            v[j] = b2 * v[j] + (1.0 - b2) * h * h;
            th[j] -= step * m[j] / (sqrt(v[j]) + ae);
        }
        es_tell(&opt, rewards[t - 1], NULL);
        for (j = 0; j < 5; j++) {
            double e = fabs(opt.theta[j] - th[j]);
            if (e > worst) worst = e;
            if (e > 1e-6 || fabs(opt.m[j] - m[j]) > 1e-6 * (1.0 + fabs(m[j])) || fabs(opt.v[j] - v[j]) > 1e-6 * v[j]) {
                printf("# t %d j %d: theta %.9g/%.9g m %.9g/%.9g v %.9g/%.9g\n", t, (int)j, opt.theta[j], th[j], opt.m[j], m[j], opt.v[j], v[j]);
                ok = 0;
            }
        }
    }
    CHECK(ok, "adam%s: three steps equal the hand computation (centered ranks, wd, bias correction), worst %.2g", what, worst);
    CHECK(opt.t == 3 && opt.generation == 3, "adam%s: t and generation count steps", what);
    es_free(&opt);
}

static void test_adam_steps(void)
{
    adam_case(0, "");
    adam_case(ES_ZERO_BETA1, " with ES_ZERO_BETA1 (beta1 0)");
    adam_case(ES_ZERO_BETA1 | ES_ZERO_BETA2 | ES_ZERO_WD, " with beta1, beta2 and wd all 0");
}

static void test_top_k(void)
{
    es_desc d = es_desc_default();
    es opt;
    /* pairs: (1,0) max 1; (5,2) max 5; (0,4) max 4; (3,3) max 3 -> top 2 are pairs 1 and 2 */
    float r[8] = {1, 0, 5, 2, 0, 4, 3, 3}, r2[8] = {-7, 2, 5, 2, 0, 4, 1, -3}, th2[6];
    double w[4], g[6], sd = sqrt(3.6875);
    int ok = 1;
    size_t j;
    d.npop = 8;
    d.top_k = 2;
    d.sigma = 0.1f;
    d.lr = 1.0f;
    d.zero = ES_ZERO_WD;
    d.optimizer = ES_OPTIMIZER_SGD;
    d.seed = 31337;
    es_init(&opt, &d, NULL, 6);
    w[0] = 0.0;
    w[1] = (5.0 - 2.0) / sd;
    w[2] = (0.0 - 4.0) / sd;
    w[3] = 0.0;
    hand_gradient(31337, 0, w, 4, 4.0, 0.1, 6, g);
    es_tell(&opt, r, NULL);
    for (j = 0; j < 6; j++)
        if (fabs(opt.theta[j] - g[j]) > 1e-5 * (1.0 + fabs(g[j]))) ok = 0;
    CHECK(ok, "top-k: g = 1/(2k sigma) sum over the 2 best pairs of (r+ - r-)/std(their 4 rewards) eps");
    memcpy(th2, opt.theta, sizeof th2);
    es_free(&opt);
    es_init(&opt, &d, NULL, 6);
    es_tell(&opt, r2, NULL);
    CHECK(memcmp(th2, opt.theta, sizeof th2) == 0, "top-k: rewards of the pairs left out change nothing");
    es_free(&opt);
}

/* ---- gradient and convergence ---------------------------------------- */

static void test_linear_gradient(void)
{
    enum { P = 5, NPOP = 200000 };
    static const double c[P] = {1.0, -2.0, 0.5, 3.0, -1.0};
    es_desc d = es_desc_default();
    es opt;
    float *r = (float *)malloc(NPOP * sizeof(float)), x[P], theta0[P] = {0.3f, -0.1f, 0.0f, 0.2f, 1.0f};
    double dot = 0.0, ng = 0.0, nc = 0.0, dn = 0.0;
    int i, j;
    if (!r) return;
    d.npop = NPOP;
    d.sigma = 0.05f;
    d.lr = 1.0f;
    d.zero = ES_ZERO_WD;
    d.shaping = ES_SHAPING_RAW;
    d.optimizer = ES_OPTIMIZER_SGD;
    d.seed = 2024;
    es_init(&opt, &d, theta0, P);
    for (i = 0; i < NPOP; i++) {
        double f = 0.0;
        es_perturbed(&opt, i, x);
        for (j = 0; j < P; j++) f += c[j] * x[j];
        r[i] = (float)f;
    }
    es_tell(&opt, r, NULL);
    for (j = 0; j < P; j++) {
        double gj = (double)opt.theta[j] - theta0[j];
        dot += gj * c[j];
        ng += gj * gj;
        nc += c[j] * c[j];
    }
    dn = sqrt(ng) / sqrt(nc);
    CHECK(dot / sqrt(ng * nc) > 0.99, "gradient: linear f = c.x, cosine(g, c) = %.5f > 0.99 (100000 pairs)",
          dot / sqrt(ng * nc));
    CHECK(fabs(dn - 1.0) < 0.03, "gradient: |g| / |c| = %.4f within 3%%", dn);
    CHECK(fabs(opt.grad_norm - sqrt(ng)) < 1e-4 * sqrt(ng), "gradient: grad_norm %.5f equals |theta' - theta| / lr",
          opt.grad_norm);
    es_free(&opt);
    free(r);
}

static double sphere(const float *x, int n)
{
    double s = 0.0;
    int i;
    for (i = 0; i < n; i++) s += (double)x[i] * x[i];
    return s;
}

static double rosenbrock(const float *x)
{
    double a = 1.0 - x[0], b = x[1] - (double)x[0] * x[0];
    return a * a + 100.0 * b * b;
}

static void test_convergence(void)
{
    es_desc d = es_desc_default();
    es opt;
    float theta0[10], x[10], r[100];
    int g, i, gens = -1;
    for (i = 0; i < 10; i++) theta0[i] = 1.0f;
    d.npop = 40;
    d.sigma = 0.02f;
    d.lr = 0.02f;
    d.zero = ES_ZERO_WD;
    d.seed = 7;
    es_init(&opt, &d, theta0, 10);
    for (g = 0; g < 1000; g++) {
        if (sqrt(sphere(opt.theta, 10)) < 0.05) {
            gens = g;
            break;
        }
        for (i = 0; i < d.npop; i++) {
            es_perturbed(&opt, i, x);
            r[i] = (float)-sphere(x, 10);
        }
        es_tell(&opt, r, NULL);
    }
    CHECK(gens >= 0, "converge: 10-D sphere from 1s to |theta| < 0.05 within 1000 generations (took %d, |theta| %.4f)",
          gens, sqrt(sphere(opt.theta, 10)));
    es_free(&opt);

    d.npop = 50;
    d.sigma = 0.01f;
    d.lr = 0.005f;
    theta0[0] = -1.0f;
    theta0[1] = 1.0f;
    es_init(&opt, &d, theta0, 2);
    for (g = 0; g < 2000; g++) {
        for (i = 0; i < d.npop; i++) {
            es_perturbed(&opt, i, x);
            r[i] = (float)-rosenbrock(x);
        }
        es_tell(&opt, r, NULL);
    }
    {
        double dx = opt.theta[0] - 1.0, dy = opt.theta[1] - 1.0;
        CHECK(sqrt(dx * dx + dy * dy) < 0.05, "converge: Rosenbrock 2-D from (-1,1) to within 0.05 of (1,1) in 2000 generations (at %.4f, %.4f)",
              opt.theta[0], opt.theta[1]);
    }
    es_free(&opt);
}

/* ---- argument checking ----------------------------------------------- */

static es_result try_desc(int npop, float sigma, es_sampling sampling, int top_k)
{
    es_desc d = es_desc_default();
    es opt;
    es_result r;
    d.npop = npop;
    d.sigma = sigma;
    d.sampling = sampling;
    d.top_k = top_k;
    r = es_init(&opt, &d, NULL, 3);
    if (r == ES_OK) es_free(&opt);
    return r;
}

static void test_invalid(void)
{
    es_desc d = es_desc_default();
    es opt;
    float theta0[3] = {1, 2, 3}, r[4] = {1, 2, 3, 4};
    uint64_t h;
    CHECK(try_desc(1, 0.1f, ES_SAMPLING_PLAIN, 0) == ES_ERROR_BAD_NPOP, "invalid: npop 1 refused");
    CHECK(try_desc(-4, 0.1f, ES_SAMPLING_ANTITHETIC, 0) == ES_ERROR_BAD_NPOP, "invalid: npop -4 refused");
    CHECK(try_desc(7, 0.1f, ES_SAMPLING_ANTITHETIC, 0) == ES_ERROR_BAD_NPOP, "invalid: odd npop with antithetic refused");
    CHECK(try_desc(7, 0.1f, ES_SAMPLING_PLAIN, 0) == ES_OK, "invalid: odd npop with plain sampling accepted");
    CHECK(try_desc(2, 0.1f, ES_SAMPLING_ANTITHETIC, 0) == ES_OK, "invalid: npop 2 accepted");
    CHECK(try_desc((1 << 24) + 2, 0.1f, ES_SAMPLING_ANTITHETIC, 0) == ES_ERROR_BAD_NPOP,
          "invalid: npop above 2^24 refused (es_load would refuse its checkpoint)");
    CHECK(try_desc(8, -0.1f, ES_SAMPLING_ANTITHETIC, 0) == ES_ERROR_BAD_SIGMA, "invalid: sigma < 0 refused");
    CHECK(try_desc(8, (float)NAN, ES_SAMPLING_ANTITHETIC, 0) == ES_ERROR_BAD_SIGMA, "invalid: sigma NaN refused");
    CHECK(try_desc(8, (float)INFINITY, ES_SAMPLING_ANTITHETIC, 0) == ES_ERROR_BAD_SIGMA, "invalid: sigma inf refused");
    CHECK(try_desc(8, 0.1f, ES_SAMPLING_ANTITHETIC, 5) == ES_ERROR_BAD_TOP_K, "invalid: top_k > npop/2 refused");
    CHECK(try_desc(8, 0.1f, ES_SAMPLING_ANTITHETIC, 4) == ES_OK, "invalid: top_k == npop/2 accepted");
    CHECK(try_desc(8, 0.1f, ES_SAMPLING_ANTITHETIC, -1) == ES_ERROR_BAD_TOP_K, "invalid: top_k < 0 refused");
    CHECK(try_desc(8, 0.1f, ES_SAMPLING_PLAIN, 1) == ES_ERROR_BAD_TOP_K, "invalid: top_k with plain sampling refused");
    CHECK(es_init(&opt, &d, NULL, 0) == ES_ERROR_INVALID_ARGUMENT, "invalid: nparams 0 refused");

    d.npop = 4;
    es_init(&opt, &d, theta0, 3);
    es_tell(&opt, r, NULL);
    h = es_hash(&opt);
    r[1] = (float)NAN;
    CHECK(es_tell(&opt, r, NULL) == ES_ERROR_NAN_REWARD, "invalid: NaN reward -> ES_ERROR_NAN_REWARD");
    CHECK(es_hash(&opt) == h && opt.generation == 1 && opt.t == 1, "invalid: NaN reward leaves theta, m, v, t unchanged");
    r[1] = (float)-INFINITY;
    CHECK(es_tell(&opt, r, NULL) == ES_ERROR_NAN_REWARD && es_hash(&opt) == h, "invalid: infinite reward refused too");
    es_free(&opt);
    {   /* a freed es is refused, not stepped */
        uint32_t g = opt.generation;
        r[1] = 2.0f;
        CHECK(es_tell(&opt, r, NULL) == ES_ERROR_INVALID_ARGUMENT && opt.generation == g,
              "invalid: es_tell on a freed es -> ES_ERROR_INVALID_ARGUMENT, generation unchanged");
    }
    {   /* top-k takes the difference of a pair in double: finite rewards give a finite step */
        float big[4] = {2e38f, -2e38f, 0.0f, 0.0f};
        d.top_k = 1;
        d.optimizer = ES_OPTIMIZER_SGD;
        d.lr = 1e-3f;
        CHECK(es_init(&opt, &d, theta0, 3) == ES_OK, "invalid: top-k init");
        CHECK(es_tell(&opt, big, NULL) == ES_OK, "invalid: top-k with rewards +-2e38 (a pair difference above FLT_MAX) steps");
        es_free(&opt);
    }
}

/* es_init's answer for the default desc with one change applied by set. */
#define DESC_TRY(stmt, want, what)                                                              \
    do {                                                                                        \
        es_desc d_ = es_desc_default();                                                         \
        es o_;                                                                                  \
        es_result r_;                                                                           \
        d_.npop = 4;                                                                            \
        { es_desc *q = &d_; stmt; }                                                             \
        r_ = es_init(&o_, &d_, NULL, 3);                                                        \
        if (r_ == ES_OK) es_free(&o_);                                                          \
        CHECK(r_ == (want), "desc: %s -> %s (got %s)", what, es_result_string(want), es_result_string(r_)); \
    } while (0)

static void test_desc_validation(void)
{
    es_desc d = {0}, d2;
    es opt, opt2;
    float theta0[3] = {1.0f, (float)NAN, 0.0f};
    es_result r;
    /* what cannot train is refused */
    DESC_TRY(q->beta1 = 1.0f, ES_ERROR_BAD_ADAM, "beta1 = 1");
    DESC_TRY(q->beta1 = 1.5f, ES_ERROR_BAD_ADAM, "beta1 = 1.5");
    DESC_TRY(q->beta1 = -0.1f, ES_ERROR_BAD_ADAM, "beta1 < 0");
    DESC_TRY(q->beta1 = (float)NAN, ES_ERROR_BAD_ADAM, "beta1 NaN");
    DESC_TRY(q->beta2 = 1.0f, ES_ERROR_BAD_ADAM, "beta2 = 1");
    DESC_TRY(q->beta2 = (float)NAN, ES_ERROR_BAD_ADAM, "beta2 NaN");
    DESC_TRY(q->adam_eps = (float)NAN, ES_ERROR_BAD_ADAM, "adam_eps NaN");
    DESC_TRY(q->adam_eps = -1e-8f, ES_ERROR_BAD_ADAM, "adam_eps < 0");
    DESC_TRY(q->adam_eps = (float)INFINITY, ES_ERROR_BAD_ADAM, "adam_eps infinite");
    DESC_TRY((q->optimizer = ES_OPTIMIZER_SGD, q->beta1 = 1.0f), ES_ERROR_BAD_ADAM, "beta1 = 1 with SGD too");
    DESC_TRY(q->lr = -0.01f, ES_ERROR_BAD_LR, "lr < 0");
    DESC_TRY(q->lr = (float)NAN, ES_ERROR_BAD_LR, "lr NaN");
    DESC_TRY(q->lr = (float)INFINITY, ES_ERROR_BAD_LR, "lr infinite");
    DESC_TRY(q->wd = -1.0f, ES_ERROR_BAD_LR, "wd < 0 (no longer a code for 0)");
    DESC_TRY(q->wd = (float)NAN, ES_ERROR_BAD_LR, "wd NaN");
    DESC_TRY(q->sigma = -0.03f, ES_ERROR_BAD_SIGMA, "sigma < 0");
    DESC_TRY(q->sigma = 1e-40f, ES_ERROR_BAD_SIGMA, "sigma denormal (1e-40)");
    DESC_TRY(q->sigma = FLT_MIN / 2.0f, ES_ERROR_BAD_SIGMA, "sigma denormal (FLT_MIN/2)");
    DESC_TRY(q->sigma = (float)NAN, ES_ERROR_BAD_SIGMA, "sigma NaN");
    DESC_TRY(q->zero = 8u, ES_ERROR_INVALID_ARGUMENT, "an unknown es_zero bit");
    DESC_TRY(q->shaping = (es_shaping)-1, ES_ERROR_INVALID_ARGUMENT, "a negative shaping");
    /* and what can, accepted */
    DESC_TRY(q->sigma = FLT_MIN, ES_OK, "sigma FLT_MIN (smallest normal)");
    DESC_TRY(q->beta1 = 0.999999f, ES_OK, "beta1 just below 1");
    DESC_TRY(q->zero = ES_ZERO_BETA1 | ES_ZERO_BETA2 | ES_ZERO_WD, ES_OK, "beta1, beta2, wd named zero");
    DESC_TRY(q->zero = ES_ZERO_BETA1, ES_OK, "beta1 = 1 in the field but ES_ZERO_BETA1: the field is ignored");

    /* zeros: the field's 0 is the default, desc.zero's 0 is 0 */
    CHECK(es_init(&opt, &d, NULL, 3) == ES_OK && opt.desc.wd == 0.005f && opt.desc.beta1 == 0.9f &&
              opt.desc.beta2 == 0.999f && opt.desc.lr == 0.02f && opt.desc.sigma == 0.03f && opt.desc.npop == 64,
          "desc: {0} resolves to the documented defaults");
    es_free(&opt);
    d.zero = ES_ZERO_WD | ES_ZERO_BETA1;
    d.wd = 0.3f;
    CHECK(es_init(&opt, &d, NULL, 3) == ES_OK && opt.desc.wd == 0.0f && opt.desc.beta1 == 0.0f &&
              opt.desc.beta2 == 0.999f,
          "desc: ES_ZERO_WD | ES_ZERO_BETA1 give wd 0 and beta1 0 whatever the fields hold");
    /* a resolved desc resolves to itself: re-initializing from opt.desc
       keeps wd 0 (it used to become the default 0.005) */
    d2 = opt.desc;
    r = es_init(&opt2, &d2, NULL, 3);
    CHECK(r == ES_OK && opt2.desc.wd == 0.0f && opt2.desc.beta1 == 0.0f && opt2.desc.zero == opt.desc.zero &&
              memcmp(&opt2.desc, &opt.desc, sizeof d2) == 0,
          "desc: es_init(opt.desc) gives the same resolved desc (a fixed point)");
    if (r == ES_OK) es_free(&opt2);
    es_free(&opt);
    d = es_desc_default();
    CHECK(es_init(&opt, &d, theta0, 3) == ES_ERROR_NOT_FINITE, "desc: a theta0 holding NaN -> ES_ERROR_NOT_FINITE");
    theta0[1] = (float)INFINITY;
    CHECK(es_init(&opt, &d, theta0, 3) == ES_ERROR_NOT_FINITE, "desc: a theta0 holding inf -> ES_ERROR_NOT_FINITE");
    CHECK(es_init(&opt, &d, NULL, ((size_t)1 << 34) + 1) == ES_ERROR_INVALID_ARGUMENT,
          "desc: more than 2^34 parameters refused");
}

/* A step that would make theta or the update non-finite is refused and
   leaves the state as it was. */
static void test_not_finite_step(void)
{
    es_desc d = es_desc_default();
    es opt;
    float theta0[4] = {0.5f, -0.5f, 1.0f, 2.0f}, big[4] = {3e38f, -3e38f, -3e38f, 3e38f}, ok4[4] = {1, 2, 3, 4};
    uint64_t h;
    int k;
    for (k = 0; k < 3; k++) {
        const char *what = k == 0 ? "SGD, raw rewards +-3e38 (u+ - u- overflows)" :
                           k == 1 ? "Adam, raw rewards +-3e38" : "SGD, lr 3e38 (theta overflows)";
        d = es_desc_default();
        d.npop = 4;
        d.shaping = k < 2 ? ES_SHAPING_RAW : ES_SHAPING_CENTERED_RANK;
        d.optimizer = k == 1 ? ES_OPTIMIZER_ADAM : ES_OPTIMIZER_SGD;
        if (k == 2) {
            d.lr = 3e38f;
            d.sigma = 1e-3f;
        }
        if (es_init(&opt, &d, theta0, 4) != ES_OK) {
            CHECK(0, "not finite: es_init (%s)", what);
            continue;
        }
        h = es_hash(&opt);
        CHECK(es_tell(&opt, k < 2 ? big : ok4, NULL) == ES_ERROR_NOT_FINITE, "not finite: %s -> ES_ERROR_NOT_FINITE", what);
        CHECK(es_hash(&opt) == h && opt.generation == 0 && opt.t == 0 && memcmp(opt.theta, theta0, sizeof theta0) == 0,
              "not finite: %s leaves theta, m, v, t and generation as they were", what);
        if (k < 2) {
            CHECK(es_tell(&opt, ok4, NULL) == ES_OK && opt.generation == 1, "not finite: %s, then ordinary rewards step", what);
        }
        es_free(&opt);
    }
}

static void test_result_strings(void)
{
    const char *s[22];
    int i, j, ok = 1;
    for (i = 0; i <= 21; i++) {
        /* -14, -17, -18: codes moved to the MuJoCo, Redis and GL layers */
        s[i] = i == 14 ? "(unused 14)" : i == 17 ? "(unused 17)" : i == 18 ? "(unused 18)" : es_result_string((es_result)-i);
        if (!s[i] || !s[i][0]) ok = 0;
        for (j = 0; j < i; j++)
            if (s[j] && s[i] && strcmp(s[i], s[j]) == 0) ok = 0;
    }
    CHECK(ok, "result: es_result_string gives a distinct non-empty message for every core code 0..-21");
    CHECK(strstr(es_result_string((es_result)ES_RESULT_MUJOCO_FIRST), "MuJoCo") &&
              strstr(es_result_string((es_result)(ES_RESULT_REDIS_FIRST - 99)), "Redis") &&
              strstr(es_result_string((es_result)(ES_RESULT_APP_FIRST - 5)), "program"),
          "result: a code of an upper layer's block is named by its layer");
    CHECK(es_result_string((es_result)-999) != NULL && es_result_string((es_result)-999)[0],
          "result: an unknown code still gets a message");
}

/* ---- checkpoints ----------------------------------------------------- */

static void test_crc(void)
{
    CHECK(es_crc32(0, "123456789", 9) == 0xCBF43926u, "crc32: check value of \"123456789\" is 0xCBF43926");
    CHECK(es_crc32(es_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u, "crc32: incremental");
    CHECK(es_crc32(0, "", 0) == 0, "crc32: empty is 0");
}

/* A checkpoint built by the test from the documented layout. */
typedef struct sec { uint32_t tag; const unsigned char *data; size_t size; } sec;

static unsigned char *build_ckpt(const sec *s, int n, uint32_t nsec_claim, uint32_t version, size_t *size)
{
    size_t total = 16 + 4, pos;
    unsigned char *b;
    int i;
    uint32_t crc;
    for (i = 0; i < n; i++) total += 12 + s[i].size;
    b = (unsigned char *)malloc(total);
    if (!b) return NULL;
    memcpy(b, "ESCKPT\r\n", 8);
    b[8] = (unsigned char)version; b[9] = (unsigned char)(version >> 8); b[10] = 0; b[11] = 0;
    b[12] = (unsigned char)nsec_claim; b[13] = (unsigned char)(nsec_claim >> 8); b[14] = 0; b[15] = 0;
    pos = 16;
    for (i = 0; i < n; i++) {
        int k;
        for (k = 0; k < 4; k++) b[pos + (size_t)k] = (unsigned char)(s[i].tag >> (8 * k));
        for (k = 0; k < 8; k++) b[pos + 4 + (size_t)k] = (unsigned char)((uint64_t)s[i].size >> (8 * k));
        if (s[i].size) memcpy(b + pos + 12, s[i].data, s[i].size);
        pos += 12 + s[i].size;
    }
    crc = es_crc32(0, b, pos);
    for (i = 0; i < 4; i++) b[pos + (size_t)i] = (unsigned char)(crc >> (8 * i));
    *size = total;
    return b;
}

/* Splits a valid checkpoint into sections (test-side parser). */
static int parse_ckpt(const unsigned char *b, size_t size, sec *s, int max)
{
    size_t pos = 16;
    int n = (int)(b[12] | (b[13] << 8)), i;
    if (n > max) return -1;
    for (i = 0; i < n; i++) {
        uint64_t len = 0;
        int k;
        if (pos + 12 > size) return -1;
        s[i].tag = (uint32_t)b[pos] | ((uint32_t)b[pos + 1] << 8) | ((uint32_t)b[pos + 2] << 16) | ((uint32_t)b[pos + 3] << 24);
        for (k = 7; k >= 0; k--) len = (len << 8) | b[pos + 4 + (size_t)k];
        s[i].size = (size_t)len;
        s[i].data = b + pos + 12;
        pos += 12 + (size_t)len;
    }
    return pos + 4 == size ? n : -1;
}

static es_result decode_copy(const unsigned char *b, size_t size)
{
    /* An exact-size heap copy, so ASan sees any read past the end. */
    unsigned char *c = (unsigned char *)malloc(size ? size : 1);
    es_checkpoint ck;
    es_result r;
    es opt;
    if (!c) return ES_ERROR_OUT_OF_MEMORY;
    if (size) memcpy(c, b, size);
    r = es_checkpoint_decode(&ck, c, size, NULL);
    if (r == ES_OK) {
        r = es_load(&opt, &ck, NULL);
        if (r == ES_OK) es_free(&opt);
        es_checkpoint_free(&ck);
    }
    free(c);
    return r;
}

static int same_desc(const es_desc *a, const es_desc *b)
{
    return a->npop == b->npop && a->sigma == b->sigma && a->lr == b->lr && a->wd == b->wd &&
           a->sampling == b->sampling && a->shaping == b->shaping && a->optimizer == b->optimizer &&
           a->beta1 == b->beta1 && a->beta2 == b->beta2 && a->adam_eps == b->adam_eps && a->top_k == b->top_k &&
           a->seed == b->seed;
}

static int dir_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!dp) return -1;
    while ((e = readdir(dp)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(dp);
    return n;
}

static void run_tells(es *opt, int gens)
{
    float r[64];
    int g, i;
    for (g = 0; g < gens; g++) {
        for (i = 0; i < opt->desc.npop; i++) r[i] = (float)((i * 37 + g * 11) % 17) - 3.0f;
        es_tell(opt, r, NULL);
    }
}

static void test_checkpoint(void)
{
    char dir[] = "/tmp/es_test_ckpt_XXXXXX", path[256], path2[256];
    es_desc d = es_desc_default();
    es opt, back;
    es_checkpoint ck, ck2;
    es_section user[3];
    unsigned char blob[37], *bytes, *b2;
    const void *ud;
    size_t size, usz, i, n2;
    float theta0[10], saved_theta[10];
    sec s[16];
    int nsec, ok, j;
    es_result r;

    if (!mkdtemp(dir)) {
        CHECK(0, "checkpoint: mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
    for (i = 0; i < 10; i++) theta0[i] = (float)(test_uniform() - 0.5);
    for (i = 0; i < sizeof blob; i++) blob[i] = (unsigned char)(i * 29 + 3);
    d.npop = 8;
    d.seed = 0xfedcba9876543210ull;
    d.zero = ES_ZERO_WD;
    d.top_k = 2;
    es_init(&opt, &d, theta0, 10);
    run_tells(&opt, 3);
    user[0].tag = ES_TAG('U', 'S', 'R', '1'); user[0].data = blob; user[0].size = sizeof blob;
    user[1].tag = ES_TAG('E', 'M', 'T', 'Y'); user[1].data = NULL; user[1].size = 0;
    user[2].tag = ES_TAG('U', 'S', 'R', '2'); user[2].data = blob + 5; user[2].size = 4;
    CHECK(es_save(&opt, path, user, 3) == ES_OK, "checkpoint: es_save");
    CHECK(dir_entries(dir) == 1, "checkpoint: atomic write leaves no temporary file behind");
    CHECK(es_save(&opt, path, user, 3) == ES_OK && dir_entries(dir) == 1, "checkpoint: saving over a file replaces it");
    r = es_checkpoint_read(&ck, path, NULL);
    CHECK(r == ES_OK, "checkpoint: es_checkpoint_read (%s)", es_result_string(r));
    if (r != ES_OK) goto done;
    r = es_load(&back, &ck, NULL);
    CHECK(r == ES_OK, "checkpoint: es_load (%s)", es_result_string(r));
    if (r != ES_OK) goto done;
    CHECK(back.nparams == 10 && memcmp(back.theta, opt.theta, 40) == 0 && memcmp(back.m, opt.m, 40) == 0 &&
              memcmp(back.v, opt.v, 40) == 0 && back.t == opt.t && back.generation == opt.generation,
          "checkpoint: round trip keeps theta, m, v, t, generation");
    CHECK(same_desc(&back.desc, &opt.desc) && back.desc.wd == 0.0f, "checkpoint: round trip keeps the resolved desc (wd 0 stays 0)");
    CHECK(es_hash(&back) == es_hash(&opt), "checkpoint: round trip keeps es_hash");
    memcpy(saved_theta, opt.theta, sizeof saved_theta);
    ok = es_checkpoint_section(&ck, user[0].tag, &ud, &usz) == ES_OK && usz == sizeof blob && memcmp(ud, blob, usz) == 0;
    ok = ok && es_checkpoint_section(&ck, user[1].tag, &ud, &usz) == ES_OK && usz == 0;
    ok = ok && es_checkpoint_section(&ck, user[2].tag, &ud, &usz) == ES_OK && usz == 4 && memcmp(ud, blob + 5, 4) == 0;
    CHECK(ok, "checkpoint: user sections come back byte-identical");
    CHECK(es_checkpoint_section(&ck, ES_TAG('N', 'O', 'P', 'E'), &ud, &usz) == ES_ERROR_NOT_FOUND,
          "checkpoint: absent section -> ES_ERROR_NOT_FOUND");
    run_tells(&opt, 2);
    {   /* user sections: es.h's own tags and NULL bytes are refused */
        es_section us;
        es_checkpoint e;
        us.tag = ES_TAG('S', 'T', 'R', 'G');
        us.data = "x";
        us.size = 1;
        CHECK(es_checkpoint_encode(&opt, &us, 1, &e) == ES_ERROR_INVALID_ARGUMENT,
              "checkpoint: a user section tagged STRG (es.h's strategy section) is refused");
        us.tag = ES_TAG('U', 'S', 'E', 'R');
        us.data = NULL;
        us.size = 4;
        CHECK(es_checkpoint_encode(&opt, &us, 1, &e) == ES_ERROR_INVALID_ARGUMENT,
              "checkpoint: a user section of 4 bytes at NULL is refused");
    }
    {   /* a zeroed or freed optimizer wrote a 0-parameter file es_load refused */
        es zero;
        es_checkpoint e;
        memset(&zero, 0, sizeof zero);
        CHECK(es_checkpoint_encode(&zero, NULL, 0, &e) == ES_ERROR_INVALID_ARGUMENT,
              "checkpoint: a zeroed optimizer is not encoded");
        CHECK(es_save(&zero, path, NULL, 0) == ES_ERROR_INVALID_ARGUMENT, "checkpoint: nor saved");
    }
    run_tells(&back, 2);
    CHECK(es_hash(&back) == es_hash(&opt), "checkpoint: a loaded state continues bit-identically");
    es_free(&back);

    bytes = ck.bytes;
    size = ck.size;
    /* The layout is the documented one: rebuild it from parsed sections. */
    nsec = parse_ckpt(bytes, size, s, 16);
    CHECK(nsec == 8, "checkpoint: 8 sections (DESC, STAT, THTA, ADMM, ADMV, 3 user)");
    if (nsec != 8) goto done;
    b2 = build_ckpt(s, nsec, (uint32_t)nsec, 1, &n2);
    CHECK(b2 && n2 == size && memcmp(b2, bytes, size) == 0,
          "checkpoint: bytes follow the documented layout (magic, version, count, tag/u64 size sections, CRC-32)");
    free(b2);
    ok = s[2].tag == ES_TAG('T', 'H', 'T', 'A') && s[2].size == 40;
    for (i = 0; ok && i < 10; i++) {
        const unsigned char *q = s[2].data + 4 * i;
        uint32_t u = (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24);
        float f;
        memcpy(&f, &u, 4);
        if (f != saved_theta[i]) ok = 0;
    }
    CHECK(ok, "checkpoint: THTA holds theta as 10 little-endian floats");

    /* Missing, empty, foreign. */
    snprintf(path2, sizeof path2, "%s/missing.ckpt", dir);
    CHECK(es_checkpoint_read(&ck2, path2, NULL) == ES_ERROR_IO, "checkpoint: missing file -> ES_ERROR_IO");
    CHECK(es_checkpoint_read(&ck2, dir, NULL) == ES_ERROR_IO, "checkpoint: a directory -> ES_ERROR_IO");
    {
        FILE *f;
        static const unsigned char png[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        snprintf(path2, sizeof path2, "%s/empty.ckpt", dir);
        f = fopen(path2, "wb");
        if (f) fclose(f);
        r = es_checkpoint_read(&ck2, path2, NULL);
        CHECK(r == ES_ERROR_NOT_A_CHECKPOINT || r == ES_ERROR_TRUNCATED, "checkpoint: empty file refused (%s)", es_result_string(r));
        remove(path2);
        CHECK(decode_copy(png, sizeof png) == ES_ERROR_NOT_A_CHECKPOINT, "checkpoint: a PNG header -> NOT_A_CHECKPOINT");
        CHECK(decode_copy((const unsigned char *)"hello, world\nthis is text\n", 26) == ES_ERROR_NOT_A_CHECKPOINT,
              "checkpoint: a text file -> NOT_A_CHECKPOINT");
        CHECK(decode_copy((const unsigned char *)"E", 1) == ES_ERROR_TRUNCATED || decode_copy((const unsigned char *)"E", 1) == ES_ERROR_NOT_A_CHECKPOINT,
              "checkpoint: one byte refused");
    }
    /* Truncated at every length. */
    ok = 1;
    for (i = 0; i < size; i++) {
        r = decode_copy(bytes, i);
        if (r != ES_ERROR_TRUNCATED && r != ES_ERROR_CORRUPT && r != ES_ERROR_NOT_A_CHECKPOINT) {
            ok = 0;
            printf("# truncated to %lu: %s\n", (unsigned long)i, es_result_string(r));
        }
    }
    CHECK(ok, "checkpoint: truncated at every length 0..%lu refused (TRUNCATED/CORRUPT/NOT_A_CHECKPOINT)", (unsigned long)size - 1);
    /* One flipped bit anywhere. Bytes 0-7 (magic) make a foreign file; a
       flip in the section count or a section size may also read as a
       truncation; everywhere else it is CORRUPT. */
    {
        unsigned char *c = (unsigned char *)malloc(size);
        int bad = 0, first_bad = -1;
        size_t pos = 16;
        char *is_len = (char *)calloc(size, 1);
        if (!c || !is_len) goto done;
        for (i = 12; i < 16; i++) is_len[i] = 1;
        for (j = 0; j < nsec; j++) {
            for (i = pos + 4; i < pos + 12; i++) is_len[i] = 1;
            pos += 12 + s[j].size;
        }
        for (i = 0; i < size * 8; i++) {
            size_t byte = i / 8;
            es_result want = byte < 8 ? ES_ERROR_NOT_A_CHECKPOINT : ES_ERROR_CORRUPT;
            memcpy(c, bytes, size);
            c[byte] ^= (unsigned char)(1u << (i % 8));
            r = decode_copy(c, size);
            if (r != want && !(is_len[byte] && r == ES_ERROR_TRUNCATED)) {
                if (first_bad < 0) first_bad = (int)i;
                bad++;
            }
        }
        CHECK(bad == 0, "checkpoint: every one of %lu single-bit flips refused as CORRUPT (%d wrong, first bit %d)",
              (unsigned long)size * 8, bad, first_bad);
        if (first_bad >= 0) {
            memcpy(c, bytes, size);
            c[first_bad / 8] ^= (unsigned char)(1u << (first_bad % 8));
            printf("# bit %d (byte %d): %s\n", first_bad, first_bad / 8, es_result_string(decode_copy(c, size)));
        }
        free(c);
        free(is_len);
    }
    /* Newer format version, valid CRC. */
    b2 = build_ckpt(s, nsec, (uint32_t)nsec, 2, &n2);
    CHECK(b2 && decode_copy(b2, n2) == ES_ERROR_NEWER_VERSION, "checkpoint: format version 2 with a valid CRC -> NEWER_VERSION");
    free(b2);
    /* Newer noise stream version in STAT (offset 20), valid CRC. */
    {
        unsigned char stat[64];
        sec s2[16];
        memcpy(s2, s, sizeof s);
        memcpy(stat, s[1].data, s[1].size);
        stat[20] = 2;
        s2[1].data = stat;
        b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
        CHECK(b2 && decode_copy(b2, n2) == ES_ERROR_NEWER_VERSION, "checkpoint: noise stream version 2 -> NEWER_VERSION");
        free(b2);
    }
    /* Wrong section sizes and layouts with a valid CRC. */
    {
        sec s2[16];
        size_t k;
        memcpy(s2, s, sizeof s);
        s2[0].size = s[0].size - 1;
        b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
        CHECK(b2 && decode_copy(b2, n2) == ES_ERROR_CORRUPT, "checkpoint: DESC one byte short -> CORRUPT");
        free(b2);
        memcpy(s2, s, sizeof s);
        s2[2].size = s[2].size - 4;
        b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
        CHECK(b2 && decode_copy(b2, n2) == ES_ERROR_CORRUPT, "checkpoint: THTA one float short -> CORRUPT");
        free(b2);
        memcpy(s2, s, sizeof s);
        s2[4].size = s[4].size + 4;
        s2[4].data = s[3].data;
        b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
        CHECK(b2 && decode_copy(b2, n2) == ES_ERROR_CORRUPT, "checkpoint: ADMV one float long -> CORRUPT");
        free(b2);
        for (k = 0; k < 5; k++) {
            int m2 = 0;
            for (j = 0; j < nsec; j++)
                if ((size_t)j != k) s2[m2++] = s[j];
            b2 = build_ckpt(s2, m2, (uint32_t)m2, 1, &n2);
            r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
            CHECK(r == ES_ERROR_CORRUPT, "checkpoint: core section %lu missing -> CORRUPT (%s)", (unsigned long)k, es_result_string(r));
            free(b2);
        }
        b2 = build_ckpt(s, nsec, (uint32_t)nsec + 1, 1, &n2);
        r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
        CHECK(r == ES_ERROR_CORRUPT || r == ES_ERROR_TRUNCATED, "checkpoint: count one more than the sections -> refused (%s)", es_result_string(r));
        free(b2);
        b2 = build_ckpt(s, nsec, (uint32_t)nsec - 1, 1, &n2);
        r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
        CHECK(r == ES_ERROR_CORRUPT, "checkpoint: trailing bytes after the last section -> CORRUPT (%s)", es_result_string(r));
        free(b2);
        b2 = build_ckpt(s, nsec, (uint32_t)nsec, 0, &n2);
        r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
        CHECK(r != ES_OK, "checkpoint: format version 0 refused (%s)", es_result_string(r));
        free(b2);
        /* A DESC with npop 0 or a NaN sigma. */
        {
            unsigned char desc[64];
            memcpy(s2, s, sizeof s);
            memcpy(desc, s[0].data, s[0].size);
            memset(desc, 0, 4);
            s2[0].data = desc;
            b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
            CHECK(b2 && decode_copy(b2, n2) == ES_ERROR_CORRUPT, "checkpoint: npop 0 in DESC -> CORRUPT");
            free(b2);
            memcpy(desc, s[0].data, s[0].size);
            es_put_f32(desc + 4, (float)NAN);
            b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
            CHECK(b2 && decode_copy(b2, n2) == ES_ERROR_CORRUPT, "checkpoint: NaN sigma in DESC -> CORRUPT");
            free(b2);
        }
        /* Settings es_init refuses, or a 0 that es_init would read as
           "default", under a valid CRC: DESC offsets 4 sigma, 8 lr, 12 wd,
           28 beta1, 32 beta2, 36 adam_eps. */
        {
            static const struct { int off; float x; es_result want; const char *what; } bad[] = {
                {28, 1.0f, ES_ERROR_CORRUPT, "beta1 = 1"},
                {28, -1.0f, ES_ERROR_CORRUPT, "beta1 = -1"},
                {32, 1.0f, ES_ERROR_CORRUPT, "beta2 = 1"},
                {8, -0.02f, ES_ERROR_CORRUPT, "lr < 0"},
                {8, 0.0f, ES_ERROR_CORRUPT, "lr 0 (would load as the default 0.02)"},
                {4, 0.0f, ES_ERROR_CORRUPT, "sigma 0 (would load as the default 0.03)"},
                {4, 1e-40f, ES_ERROR_CORRUPT, "denormal sigma"},
                {36, 0.0f, ES_ERROR_CORRUPT, "adam_eps 0"},
                {12, -0.5f, ES_ERROR_CORRUPT, "wd < 0"},
            };
            unsigned char desc[64];
            for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
                memcpy(s2, s, sizeof s);
                memcpy(desc, s[0].data, s[0].size);
                es_put_f32(desc + bad[k].off, bad[k].x);
                s2[0].data = desc;
                b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
                r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
                CHECK(r == bad[k].want, "checkpoint: %s in DESC, valid CRC -> %s (%s)", bad[k].what,
                      es_result_string(bad[k].want), es_result_string(r));
                free(b2);
            }
        }
        /* Non-finite state under a valid CRC: theta, m, v (section 2, 3, 4). */
        {
            static const float vals[3] = {(float)NAN, (float)INFINITY, -(float)INFINITY};
            static const char *const names[3] = {"NaN", "+inf", "-inf"};
            unsigned char buf[64];
            int sec_i, vi, all = 1;
            for (sec_i = 2; sec_i <= 4; sec_i++) {
                for (vi = 0; vi < 3; vi++) {
                    memcpy(s2, s, sizeof s);
                    memcpy(buf, s[sec_i].data, s[sec_i].size);
                    es_put_f32(buf + 4 * 7, vals[vi]);
                    s2[sec_i].data = buf;
                    b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
                    r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
                    if (r != ES_ERROR_NOT_FINITE) {
                        all = 0;
                        printf("# %s in section %d: %s\n", names[vi], sec_i, es_result_string(r));
                    }
                    free(b2);
                }
            }
            CHECK(all, "checkpoint: NaN, +inf or -inf in THTA, ADMM or ADMV with a valid CRC -> NOT_FINITE");
            memcpy(s2, s, sizeof s);
            memcpy(buf, s[4].data, s[4].size);
            es_put_f32(buf + 4 * 3, -1.0f);
            s2[4].data = buf;
            b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
            r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
            CHECK(r == ES_ERROR_CORRUPT, "checkpoint: a negative second moment in ADMV -> CORRUPT (%s)", es_result_string(r));
            free(b2);
        }
        /* A generation of 2^31 - 1 or more (STAT offset 0). */
        {
            static const uint32_t gens[3] = {0x7fffffffu, 0x80000000u, 0xffffffffu};
            unsigned char stat[64];
            int gi;
            for (gi = 0; gi < 3; gi++) {
                memcpy(s2, s, sizeof s);
                memcpy(stat, s[1].data, s[1].size);
                es_put_u32(stat, gens[gi]);
                s2[1].data = stat;
                b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
                r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
                CHECK(r == ES_ERROR_CORRUPT, "checkpoint: generation %lu -> CORRUPT (%s)", (unsigned long)gens[gi],
                      es_result_string(r));
                free(b2);
            }
            memcpy(stat, s[1].data, s[1].size);
            es_put_u32(stat, 0x7ffffffeu);
            s2[1].data = stat;
            b2 = build_ckpt(s2, nsec, (uint32_t)nsec, 1, &n2);
            r = b2 ? decode_copy(b2, n2) : ES_ERROR_OUT_OF_MEMORY;
            CHECK(r == ES_OK, "checkpoint: generation 2^31 - 2 loads (%s)", es_result_string(r));
            free(b2);
        }
    }
    /* A failed save leaves nothing behind. */
    snprintf(path2, sizeof path2, "%s/no/such/dir/x.ckpt", dir);
    CHECK(es_save(&opt, path2, NULL, 0) == ES_ERROR_IO && dir_entries(dir) == 1, "checkpoint: save into a missing directory -> IO, no file left");

    /* SGD state (no moments) round trip. */
    es_free(&opt);
    d.optimizer = ES_OPTIMIZER_SGD;
    d.wd = 0.01f;
    d.top_k = 0;
    es_init(&opt, &d, theta0, 10);
    run_tells(&opt, 2);
    {
        es_checkpoint e;
        es_checkpoint_encode(&opt, NULL, 0, &e);
        r = es_checkpoint_decode(&ck2, e.bytes, e.size, NULL);
        CHECK(r == ES_OK && es_load(&back, &ck2, NULL) == ES_OK && back.m == NULL && es_hash(&back) == es_hash(&opt) &&
                  same_desc(&back.desc, &opt.desc),
              "checkpoint: SGD state round trip (no moments)");
        es_free(&back);
        es_checkpoint_free(&ck2);
        es_checkpoint_free(&e);
    }
done:
    es_checkpoint_free(&ck);
    es_free(&opt);
    remove(path);
    rmdir(dir);
}

/* ---- threads ---------------------------------------------------------- */

typedef struct eval_job {
    es *opt;
    float *bufs;      /* one buffer per thread */
    float *rewards;
} eval_job;

static void eval_member(void *user, int member, int thread)
{
    eval_job *job = (eval_job *)user;
    size_t n = job->opt->nparams, j;
    float *x = job->bufs + (size_t)thread * n;
    double f = 0.0;
    int rep;
    es_perturbed(job->opt, member, x);
    /* members of different cost: member m works m+1 times over */
    for (rep = 0; rep <= member; rep++) {
        f = 0.0;
        for (j = 0; j < n; j++) {
            double t = x[j] - 0.001 * (double)(j % 7);
            f -= t * t;
        }
    }
    job->rewards[member] = (float)f;
}

static void run_threads(int nthreads, uint64_t *hash, es_checkpoint *out)
{
    enum { P = 3 * 1024 + 500, NPOP = 16 };
    es_desc d = es_desc_default();
    es opt;
    es_pool pool;
    eval_job job;
    float rewards[NPOP];
    int g;
    d.npop = NPOP;
    d.seed = 555;
    es_init(&opt, &d, NULL, P);
    es_pool_init(&pool, nthreads ? nthreads : 1, NULL);
    job.opt = &opt;
    job.rewards = rewards;
    job.bufs = (float *)malloc((size_t)(nthreads > 0 ? nthreads : 1) * P * sizeof(float));
    for (g = 0; g < 3; g++) {
        es_pool_run(&pool, NPOP, eval_member, &job);
        es_tell(&opt, rewards, nthreads ? &pool : NULL);
    }
    *hash = es_hash(&opt);
    es_checkpoint_encode(&opt, NULL, 0, out);
    free(job.bufs);
    es_pool_free(&pool);
    es_free(&opt);
}

static void test_thread_independence(void)
{
    uint64_t h[4];
    es_checkpoint ck[4];
    static const int nt[4] = {1, 2, 4, 0};
    int i, same = 1;
    for (i = 0; i < 4; i++) run_threads(nt[i], &h[i], &ck[i]);
    for (i = 1; i < 4; i++)
        if (h[i] != h[0] || ck[i].size != ck[0].size || memcmp(ck[i].bytes, ck[0].bytes, ck[0].size) != 0) same = 0;
    CHECK(same, "threads: 1, 2, 4 threads (and no pool) give the same es_hash and checkpoint bytes (3572 params, 3 gens)");
    for (i = 0; i < 4; i++) es_checkpoint_free(&ck[i]);
}

typedef struct count_job { int *count; int nthreads; int bad_thread; } count_job;

static void count_index(void *user, int index, int thread)
{
    count_job *job = (count_job *)user;
    __atomic_fetch_add(&job->count[index], 1, __ATOMIC_RELAXED);
    if (thread < 0 || thread >= job->nthreads) __atomic_store_n(&job->bad_thread, 1, __ATOMIC_RELAXED);
}

static void test_pool(void)
{
    static const int nts[4] = {1, 2, 4, 7};
    int t;
    for (t = 0; t < 4; t++) {
        es_pool pool;
        count_job job;
        int n, rep, ok = 1, *count = (int *)malloc(5000 * sizeof(int));
        es_result r = es_pool_init(&pool, nts[t], NULL);
        if (!count || r != ES_OK) {
            CHECK(0, "pool: init %d threads (%s)", nts[t], es_result_string(r));
            free(count);
            continue;
        }
        job.count = count;
        job.nthreads = pool.nthreads;
        job.bad_thread = 0;
        for (rep = 0; rep < 60; rep++) {
            int sizes[4] = {0, 1, rep + 2, 5000};
            int s;
            for (s = 0; s < 4; s++) {
                int i;
                n = sizes[s];
                if (rep > 2 && n == 5000) continue;
                memset(count, 0, 5000 * sizeof(int));
                es_pool_run(&pool, n, count_index, &job);
                for (i = 0; i < 5000; i++)
                    if (count[i] != (i < n ? 1 : 0)) ok = 0;
            }
        }
        CHECK(ok && !job.bad_thread, "pool: %d threads call each index exactly once for n = 0, 1, 2..61, 5000", pool.nthreads);
        es_pool_free(&pool);
        free(count);
    }
}

static void free_counted_never(void *p, void *user)
{
    (void)user;
    free(p);
}

/* An allocator that can only allocate (its free is the user's to forget). */
static void *arena_alloc(size_t size, void *user)
{
    (void)user;
    return malloc(size);
}

/* The embedding boundary of es.h under careless inputs: each case was
   accepted and then freed with the wrong allocator, overran a buffer,
   wrote a file es_load refuses, hid a section, or crashed. */
static void test_boundary(void)
{
    es_desc d = es_desc_default();
    es opt, back;
    es_pool pool;
    es_checkpoint ck;
    es_allocator half;
    es_section user[2];
    float theta0[3] = {1, 2, 3}, r[4] = {1, 2, 3, 4};
    const void *data;
    size_t size;
    memset(&half, 0, sizeof half);
    half.alloc_fn = arena_alloc;   /* free_fn left NULL */
    d.npop = 4;
    d.allocator = half;
    CHECK(es_init(&opt, &d, theta0, 3) == ES_ERROR_INVALID_ARGUMENT,
          "boundary: an allocator with alloc_fn but no free_fn refused by es_init (es_free freed its blocks with free())");
    CHECK(es_pool_init(&pool, 2, &half) == ES_ERROR_INVALID_ARGUMENT && pool.nthreads == 1 && pool.impl == NULL,
          "boundary: ... and by es_pool_init, which leaves a one-thread pool");
    CHECK(es_checkpoint_read(&ck, "/nonexistent", &half) == ES_ERROR_INVALID_ARGUMENT && ck.bytes == NULL,
          "boundary: ... and by es_checkpoint_read");
    d.allocator.alloc_fn = NULL;
    d.allocator.free_fn = free_counted_never;
    CHECK(es_init(&opt, &d, theta0, 3) == ES_ERROR_INVALID_ARGUMENT, "boundary: free_fn without alloc_fn refused too");
    memset(&d.allocator, 0, sizeof d.allocator);
    if (es_init(&opt, &d, theta0, 3) != ES_OK) {
        CHECK(0, "boundary: es_init");
        return;
    }
    CHECK(es_load(&back, &ck, &half) == ES_ERROR_INVALID_ARGUMENT, "boundary: es_load with half an allocator refused");
    memset(&ck, 0, sizeof ck);
    CHECK(es_load(&back, &ck, NULL) == ES_ERROR_INVALID_ARGUMENT,
          "boundary: es_load of a zeroed checkpoint (never read) -> ES_ERROR_INVALID_ARGUMENT, not CORRUPT");
    CHECK(es_hash(NULL) == ES_HASH_INIT, "boundary: es_hash(NULL) is ES_HASH_INIT (it crashed)");

    user[0].tag = user[1].tag = ES_TAG('U', 'S', 'R', '1');
    user[0].data = "a";
    user[1].data = "b";
    user[0].size = user[1].size = 1;
    CHECK(es_checkpoint_encode(&opt, user, 2, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "boundary: two user sections of one tag refused (the second could never be read)");
    user[1].tag = ES_TAG('U', 'S', 'R', '2');
    CHECK(es_checkpoint_encode(&opt, user, 2, &ck) == ES_OK && es_checkpoint_section(&ck, user[1].tag, &data, &size) == ES_OK &&
              size == 1 && *(const char *)data == 'b',
          "boundary: two user sections of two tags are both read back");
    es_checkpoint_free(&ck);
    user[0].size = (size_t)-1 / 2 + 1;
    user[1].size = (size_t)-1 / 2;
    CHECK(es_checkpoint_encode(&opt, user, 2, &ck) == ES_ERROR_INVALID_ARGUMENT,
          "boundary: user section sizes whose sum wraps refused (the buffer was sized by the wrapped sum)");

    opt.generation = (uint32_t)INT32_MAX - 2;
    CHECK(es_tell(&opt, r, NULL) == ES_OK && opt.generation == (uint32_t)INT32_MAX - 1,
          "boundary: es_tell steps to generation 2^31 - 2");
    CHECK(es_tell(&opt, r, NULL) == ES_ERROR_INVALID_ARGUMENT && opt.generation == (uint32_t)INT32_MAX - 1,
          "boundary: ... and no further (2^31 - 1 is a generation es_load refuses)");
    if (es_checkpoint_encode(&opt, NULL, 0, &ck) == ES_OK) {
        memset(&back, 0, sizeof back);
        CHECK(es_load(&back, &ck, NULL) == ES_OK && back.generation == (uint32_t)INT32_MAX - 1,
              "boundary: the checkpoint of the last generation loads");
        es_free(&back);
        es_checkpoint_free(&ck);
    }
    es_free(&opt);
    d.strategy = (es_strategy)-1;
    CHECK(es_init(&opt, &d, theta0, 3) == ES_ERROR_INVALID_ARGUMENT, "boundary: a negative strategy refused");
}

int main(void)
{
    test_philox_kat();
    test_noise_mapping();
    test_noise_moments();
    test_noise_prefix();
    test_perturbed();
    test_shaping();
    test_sgd_step();
    test_adam_steps();
    test_top_k();
    test_linear_gradient();
    test_convergence();
    test_invalid();
    test_desc_validation();
    test_not_finite_step();
    test_result_strings();
    test_crc();
    test_checkpoint();
    test_thread_independence();
    test_pool();
    test_boundary();
    return test_finish();
}
