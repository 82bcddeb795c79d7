/*
 * The standalone replay driver of the fuzz targets (built when ETLS_FUZZ
 * is off): `fuzz_<target> DIR...` runs LLVMFuzzerTestOneInput on every
 * file of the directories, then REPLAY_MUTATIONS deterministic mutations
 * of each (flip, insert, delete, truncate, duplicate a byte run), and
 * prints "<target>: N inputs, M runs".  libgit2's fuzzers/standalone_driver
 * is the model.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *g_name = "fuzz";

#define REPLAY_MUTATIONS 2000
#define REPLAY_MAX_FILE (256u * 1024u)

static uint32_t rng_next(uint32_t *s)
{
    /* xorshift32: deterministic, so a failure reproduces. */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Run @data and REPLAY_MUTATIONS mutations of it (flip, insert, delete,
 * truncate, duplicate a byte run). */
static void replay(const char *data, size_t len, uint32_t seed)
{
    static const char tokens[] = "{}[]\":,\\0123456789truefalsenull \n\t";
    char *buf = malloc(2 * len + 64);
    int m;

    if (!buf)
        return;
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    for (m = 0; m < REPLAY_MUTATIONS; m++) {
        size_t n = len, pos;

        memcpy(buf, data, len);
        switch (rng_next(&seed) % 5) {
        case 0: /* overwrite a byte */
            if (n)
                buf[rng_next(&seed) % n] =
                    tokens[rng_next(&seed) % (sizeof(tokens) - 1)];
            break;
        case 1: /* insert a byte */
            pos = n ? rng_next(&seed) % (n + 1) : 0;
            memmove(buf + pos + 1, buf + pos, n - pos);
            buf[pos] = tokens[rng_next(&seed) % (sizeof(tokens) - 1)];
            n++;
            break;
        case 2: /* delete a byte */
            if (n) {
                pos = rng_next(&seed) % n;
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            }
            break;
        case 3: /* truncate */
            n = n ? rng_next(&seed) % n : 0;
            break;
        default: /* duplicate a run (nesting, repeated keys) */
            if (n > 2) {
                size_t a = rng_next(&seed) % n, l = rng_next(&seed) % 32;

                if (a + l > n)
                    l = n - a;
                memmove(buf + a + l, buf + a, n - a);
                n += l;
            }
            break;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
    }
    free(buf);
}

static int replay_dir(const char *dir, size_t *files)
{
    struct dirent *de;
    DIR *d = opendir(dir);

    if (!d) {
        fprintf(stderr, "%s: cannot open %s\n", g_name, dir);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        char path[4096], *data = NULL;
        size_t len = 0;
        uint32_t seed = 2166136261u;
        const char *c;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (util_read_file(&data, &len, path, REPLAY_MAX_FILE) != 0)
            continue; /* a subdirectory or an over-large file */
        for (c = de->d_name; *c; c++)
            seed = (seed ^ (unsigned char)*c) * 16777619u;
        replay(data, len, seed ? seed : 1);
        free(data);
        (*files)++;
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv)
{
    size_t files = 0;
    int i, r = 0;

    g_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR...\n", g_name);
        return 2;
    }
    for (i = 1; i < argc; i++)
        r |= replay_dir(argv[i], &files);
    printf("%s: %zu inputs, %zu runs\n", g_name, files,
           files * (REPLAY_MUTATIONS + 1));
    return r || files == 0;
}

