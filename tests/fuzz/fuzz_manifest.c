/*
 * Fuzz target for the desired-state parser (model_service_parse): any byte
 * string must either parse or fail with diagnostics, never crash, leak or
 * read out of bounds.
 *
 * Two ways to build it (libgit2's fuzzers/ layout):
 *  - with -DETLS_FUZZ=ON and clang: a libFuzzer binary, `fuzz_manifest
 *    tests/data/model/`;
 *  - otherwise: with the standalone replay driver (replay.c) that runs
 *    every file of the given directories, then a bounded number of
 *    deterministic mutations of each, under CTest (and ASan/UBSan in the
 *    sanitizer build).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "model/desired.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct model_diags diags = {0};
    struct model_service *svc = NULL;
    char *text = malloc(size + 1);

    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    if (model_service_parse(&svc, text, size, "fuzz.json", &diags) == 0)
        model_service_free(svc);
    /* Every diagnostic must format. */
    for (size_t i = 0; i < diags.n; i++)
        free(model_diag_format(&diags.items[i]));
    model_diags_clear(&diags);
    free(text);
    return 0;
}
