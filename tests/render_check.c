/* render_check.c - helper of tests/test_render.sh (not a test by itself).

   render_check stats FILE.ppm          prints "W H mean variance" of all bytes
   render_check diff A.ppm B.ppm        prints the mean absolute difference
   render_check retask IN OUT NAME      copies checkpoint IN to OUT with its
                                        task set to NAME (es_policy_save), or
                                        its TASK section removed ("-": layout
                                        and CRC rewritten)
   Exit status 0 ok, 1 error (message on stderr).

   Build: cc -std=c99 -I. tests/render_check.c -o build/render_check -lm -lpthread
*/
#define ES_IMPLEMENTATION
#include "es_mlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct image {
    int w, h;
    unsigned char *rgb;
} image;

static int skip_space(FILE *f)
{
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (c == '#') {
            while ((c = fgetc(f)) != EOF && c != '\n') {
            }
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            ungetc(c, f);
            return 0;
        }
    }
    return -1;
}

/* Binary PPM (P6, maxval 255). */
static int read_ppm(const char *path, image *im)
{
    FILE *f = fopen(path, "rb");
    int maxval;
    size_t n;
    char magic[3] = {0};
    if (!f) {
        fprintf(stderr, "render_check: cannot open %s\n", path);
        return -1;
    }
    if (fread(magic, 1, 2, f) != 2 || strcmp(magic, "P6") || skip_space(f) || fscanf(f, "%d", &im->w) != 1 ||
        skip_space(f) || fscanf(f, "%d", &im->h) != 1 || skip_space(f) || fscanf(f, "%d", &maxval) != 1 ||
        fgetc(f) == EOF || maxval != 255 || im->w <= 0 || im->h <= 0 || im->w > 16384 || im->h > 16384) {
        fprintf(stderr, "render_check: %s: not a P6 PPM with maxval 255\n", path);
        fclose(f);
        return -1;
    }
    n = (size_t)im->w * (size_t)im->h * 3;
    im->rgb = (unsigned char *)malloc(n);
    if (!im->rgb || fread(im->rgb, 1, n, f) != n) {
        fprintf(stderr, "render_check: %s: truncated\n", path);
        free(im->rgb);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

static int stats(const char *path)
{
    image im;
    size_t i, n;
    double sum = 0.0, sumsq = 0.0, mean;
    if (read_ppm(path, &im)) return 1;
    n = (size_t)im.w * (size_t)im.h * 3;
    for (i = 0; i < n; i++) {
        sum += im.rgb[i];
        sumsq += (double)im.rgb[i] * im.rgb[i];
    }
    mean = sum / (double)n;
    printf("%d %d %.3f %.3f\n", im.w, im.h, mean, sumsq / (double)n - mean * mean);
    free(im.rgb);
    return 0;
}

static int diff(const char *a, const char *b)
{
    image x, y;
    size_t i, n;
    double sum = 0.0;
    if (read_ppm(a, &x)) return 1;
    if (read_ppm(b, &y)) {
        free(x.rgb);
        return 1;
    }
    if (x.w != y.w || x.h != y.h) {
        fprintf(stderr, "render_check: %s and %s differ in size\n", a, b);
        free(x.rgb);
        free(y.rgb);
        return 1;
    }
    n = (size_t)x.w * (size_t)x.h * 3;
    for (i = 0; i < n; i++) sum += x.rgb[i] > y.rgb[i] ? x.rgb[i] - y.rgb[i] : y.rgb[i] - x.rgb[i];
    printf("%.4f\n", sum / (double)n);
    free(x.rgb);
    free(y.rgb);
    return 0;
}

/* Rewrites the section list (format: magic, u32 version, u32 count, then
   u32 tag + u64 size + bytes per section, u32 CRC-32 of all before). */
/* A policy of another task: the file written again by es_policy_save with
   the task name changed (in the task section and the run metadata). */
static int rename_task(es_checkpoint *ck, const char *out, const char *name)
{
    es_mlp mlp;
    es_normalizer norm;
    es_run_info info;
    es opt;
    char task[ES_RUN_TASK_MAX];
    es_result r = es_policy_load(ck, task, sizeof task, &mlp, &norm);
    if (r == ES_OK && (r = es_run_info_read(ck, &info)) == ES_OK && (r = es_load(&opt, ck, NULL)) == ES_OK) {
        snprintf(info.task, sizeof info.task, "%s", name);
        r = es_policy_save(out, &opt, &mlp, &norm, &info);
        es_free(&opt);
    }
    es_normalizer_free(&norm);               /* zeroed when es_policy_load failed */
    es_checkpoint_free(ck);
    if (r != ES_OK) fprintf(stderr, "render_check: %s: %s\n", out, es_result_string(r));
    return r == ES_OK ? 0 : 1;
}

static int retask(const char *in, const char *out, const char *name)
{
    es_checkpoint ck;
    unsigned char *buf, *p;
    size_t pos = 16, size, namelen = strcmp(name, "-") ? strlen(name) : 0;
    uint32_t i, nsec, kept = 0;
    es_result r = es_checkpoint_read(&ck, in, NULL);
    if (r != ES_OK) {
        fprintf(stderr, "render_check: %s: %s\n", in, es_result_string(r));
        return 1;
    }
    if (namelen) return rename_task(&ck, out, name);
    buf = (unsigned char *)malloc(ck.size + namelen + 16);
    if (!buf) return 1;
    memcpy(buf, ck.bytes, 16);
    p = buf + 16;
    nsec = es_get_u32(ck.bytes + 12);
    for (i = 0; i < nsec; i++) {
        uint32_t tag = es_get_u32(ck.bytes + pos);
        size_t len = (size_t)es_get_u64(ck.bytes + pos + 4);
        if (tag == ES_TAG_TASK) {
            if (namelen) {
                es_put_u32(p, tag);
                es_put_u64(p + 4, (uint64_t)namelen);
                memcpy(p + 12, name, namelen);
                p += 12 + namelen;
                kept++;
            }
        } else {
            memcpy(p, ck.bytes + pos, 12 + len);
            p += 12 + len;
            kept++;
        }
        pos += 12 + len;
    }
    es_put_u32(buf + 12, kept);
    size = (size_t)(p - buf);
    es_put_u32(p, es_crc32(0, buf, size));
    r = es_file_write_atomic(out, buf, size + 4);
    free(buf);
    es_checkpoint_free(&ck);
    if (r != ES_OK) {
        fprintf(stderr, "render_check: %s: %s\n", out, es_result_string(r));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "stats")) return stats(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "diff")) return diff(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "retask")) return retask(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: render_check stats FILE.ppm | diff A.ppm B.ppm | retask IN OUT NAME|-\n");
    return 2;
}
