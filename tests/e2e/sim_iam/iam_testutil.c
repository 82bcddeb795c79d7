/* Helpers for the dcos-sim IAM and secrets end-to-end tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "e2e/sim_iam/iam_testutil.h"

void t_create_service(struct h_sim *s, const char *uid, EVP_PKEY *k)
{
    h_account_put(s, uid, k, "test service account");
}

void t_create_user(struct h_sim *s, const char *uid, const char *pw)
{
    char *body = h_json_text("{s:s, s:s}", "description", "test user",
                             "password", pw);
    char *path = h_fmt("/acs/api/v1/users/%s", uid);
    struct h_resp r = h_put(s, path, body);

    h_expect_status(&r, 201, path);
    h_resp_free(&r);
    free(path);
    free(body);
}

int t_has_header(const struct h_resp *r, const char *needle)
{
    return r->headers && strstr(r->headers, needle) != NULL;
}

const char *t_code(const struct h_resp *r)
{
    const char *c = json_string_value(json_object_get(r->json, "code"));

    return c ? c : "";
}

const char *t_desc(const struct h_resp *r)
{
    const char *c =
        json_string_value(json_object_get(r->json, "description"));

    return c ? c : "";
}
