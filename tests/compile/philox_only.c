/* tests/compile/philox_only.c - includes es.h and nothing of the tests:
   reproduces the 10-round Philox4x32 known-answer vectors of the file given
   as argv[1] (shared/reference/philox_kat.txt) and prints ok/not ok lines. */
#define ES_IMPLEMENTATION
#include "es.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[512], name[32];
    unsigned long v[10];
    unsigned int rounds;
    int n = 0, bad = 0, i;
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!f) {
        printf("not ok - es.h alone: cannot open the known-answer file\n");
        return 1;
    }
    while (fgets(line, sizeof line, f)) {
        uint32_t c[4], k[2], o[4];
        if (line[0] == '#' || sscanf(line, "%31s %u %lx %lx %lx %lx %lx %lx %lx %lx %lx %lx", name, &rounds, &v[0], &v[1],
                                     &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) != 12)
            continue;
        if (strcmp(name, "philox4x32") != 0 || rounds != 10) continue;
        for (i = 0; i < 4; i++) c[i] = (uint32_t)v[i];
        k[0] = (uint32_t)v[4];
        k[1] = (uint32_t)v[5];
        es_philox4x32(c, k, o);
        for (i = 0; i < 4; i++)
            if (o[i] != (uint32_t)v[6 + i]) bad++;
        n++;
    }
    fclose(f);
    if (n == 3 && bad == 0) printf("ok - es.h alone reproduces the three 10-round Philox4x32 vectors\n");
    else printf("not ok - es.h alone: %d vectors, %d wrong words\n", n, bad);
    return n == 3 && bad == 0 ? 0 : 1;
}
