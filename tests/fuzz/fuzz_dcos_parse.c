/*
 * Fuzz target for every API response parser of dcos/parse.h and the
 * error-body handling (status summaries, redaction): the first byte picks
 * the parser (modulo the count), the rest is the response body.  Any body
 * must parse or fail cleanly: no crash, leak or out-of-bounds read.
 * Seeds: tests/data/fuzz/dcos/ (a selector byte, then an upstream or
 * hand-written body).  Built as fuzz_manifest is (tests/fuzz/CMakeLists).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dcos/json.h"
#include "dcos/parse.h"
#include "dcos/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    P_USER, P_USERS, P_GROUP_USERS, P_PERMS, P_ALLOWED, P_IAM_ERR,
    P_COSMOS_ERR, P_DESCRIBE, P_PKG_DESCRIBE, P_PKG_LIST, P_UPDATE,
    P_INSTALL, P_ENDPOINT, P_POD_INFO, P_CONFIG_TLS, P_TARGET_ID,
    P_STRINGS, P_MARATHON_APP, P_VERSION, P_CA_RESPONSE, P_N
};

static void parse_json(unsigned which, const json_t *j)
{
    union {
        struct dcos_user *user;
        struct dcos_service_desc *desc;
        struct dcos_package_desc *pkg;
        struct dcos_update_result *upd;
        struct dcos_install_result *ins;
        struct dcos_endpoint *ep;
        struct dcos_marathon_app *app;
        struct dcos_version *ver;
        struct dcos_ca_response *ca;
        struct dcos_cosmos_error *ce;
        char *s;
    } o;
    struct dcos_user_list ul;
    struct dcos_permissions perms;
    struct dcos_iam_error ie;
    struct dcos_package_list pl;
    struct dcos_pod_info pod;
    char **v = NULL, text[128];
    size_t a = 0, b = 0;
    bool allowed;

    memset(&o, 0, sizeof(o));
    memset(&ul, 0, sizeof(ul));
    memset(&perms, 0, sizeof(perms));
    memset(&ie, 0, sizeof(ie));
    memset(&pl, 0, sizeof(pl));
    memset(&pod, 0, sizeof(pod));
    switch (which) {
    case P_USER:
        if (dcos_parse_user(&o.user, j) == 0)
            dcos_user_free(o.user);
        break;
    case P_USERS:
    case P_GROUP_USERS:
        if ((which == P_USERS ? dcos_parse_users(&ul, j)
                              : dcos_parse_group_users(&ul, j)) == 0) {
            (void)dcos_user_list_has(&ul, "elastic");
            dcos_user_list_clear(&ul);
        }
        break;
    case P_PERMS:
        if (dcos_parse_user_permissions(&perms, j) == 0) {
            (void)dcos_permissions_allow(&perms, "dcos:superuser", "full");
            dcos_permissions_clear(&perms);
        }
        break;
    case P_ALLOWED:
        (void)dcos_parse_allowed(&allowed, j);
        break;
    case P_IAM_ERR:
        if (dcos_parse_iam_error(&ie, j) == 0)
            dcos_iam_error_clear(&ie);
        break;
    case P_COSMOS_ERR:
        if (dcos_parse_cosmos_error(&o.ce, j) == 0) {
            dcos_cosmos_error_format(o.ce, text, sizeof(text));
            dcos_cosmos_error_free(o.ce);
        }
        break;
    case P_DESCRIBE:
        if (dcos_parse_service_describe(&o.desc, j) == 0)
            dcos_service_desc_free(o.desc);
        break;
    case P_PKG_DESCRIBE:
        if (dcos_parse_package_describe(&o.pkg, j) == 0)
            dcos_package_desc_free(o.pkg);
        break;
    case P_PKG_LIST:
        if (dcos_parse_package_list(&pl, j) == 0) {
            (void)dcos_package_list_find(&pl, "/elastic");
            dcos_package_list_clear(&pl);
        }
        break;
    case P_UPDATE:
        if (dcos_parse_update_response(&o.upd, j) == 0)
            dcos_update_result_free(o.upd);
        break;
    case P_INSTALL:
        if (dcos_parse_install_response(&o.ins, j) == 0)
            dcos_install_result_free(o.ins);
        break;
    case P_ENDPOINT:
        if (dcos_parse_endpoint(&o.ep, j) == 0) {
            size_t i;

            for (i = 0; i < o.ep->n; i++) {
                char *host = NULL;
                long port;

                if (dcos_split_host_port(&host, &port, o.ep->address[i]) ==
                    0)
                    free(host);
            }
            dcos_endpoint_free(o.ep);
        }
        break;
    case P_POD_INFO:
        if (dcos_parse_pod_info(&pod, j) == 0)
            dcos_pod_info_clear(&pod);
        break;
    case P_CONFIG_TLS:
        (void)dcos_parse_config_tls(&a, &b, j);
        break;
    case P_TARGET_ID:
        if (dcos_parse_target_id(&o.s, j) == 0)
            free(o.s);
        break;
    case P_STRINGS:
        if (dcos_parse_string_array(&v, &a, j) == 0)
            dcos_string_array_free(v, a);
        break;
    case P_MARATHON_APP:
        if (dcos_parse_marathon_app(&o.app, j) == 0)
            dcos_marathon_app_free(o.app);
        break;
    case P_VERSION:
        if (dcos_parse_version(&o.ver, j) == 0)
            dcos_version_free(o.ver);
        break;
    default:
        if (dcos_parse_ca_response(&o.ca, j) == 0)
            dcos_ca_response_free(o.ca);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data + 1;
    struct secret *value = NULL;
    char text[128];
    size_t len, n;
    json_t *j;

    if (size < 1)
        return 0;
    len = size - 1;
    j = dcos_json_parse(body, len);
    if (j) {
        parse_json(data[0] % P_N, j);
        json_decref(j);
    }
    /* What any body goes through too: the secret, CA and text paths. */
    if (dcos_parse_secret_value(&value, body, len) == 0)
        secret_free(value);
    (void)dcos_parse_ca_pem(&n, body, len);
    dcos_text_summary(text, sizeof(text), body, len);
    dcos_redact_text(text, sizeof(text), NULL, 0);
    (void)dcos_redact_found(body, len, NULL, 0);
    return 0;
}
