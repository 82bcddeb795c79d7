/*
 * A service name of 63 characters (the longest DNS label, a valid Marathon
 * id) deploys with TLS and etls verifies it: `etls apply` converges and
 * proves HTTPS under the node's full autoip name, while the certificate's
 * CN is the last 64 characters of "coordinator-0-node.<service>", as
 * dcos-commons' CertificateNamesGenerator cuts it, and its SANs carry the
 * full names (dcos-cli-and-cluster.md 5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "e2e/etls/etls_testutil.h"
#include "fid_testutil.h"
#include "harness/h_file.h"
#include "harness/harness.h"

/* 63 characters: lower-case letters, digits and dashes. */
#define SVC "es-0123456789-abcdefghij-0123456789-abcdefghij-0123456789-longs"

static struct h_sim g_sim;

static int setup(void **state)
{
    assert_int_equal(strlen(SVC), 63);
    return h_group_up(state, &g_sim, E_SPEED);
}

static int teardown(void **state)
{
    return h_group_down(state, &g_sim);
}

/* The subject CN and DNS SANs of the PEM certificate @pem. */
static void cert_names(const char *pem, char *cn, size_t n, json_t *sans)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    GENERAL_NAMES *gens;
    int i;

    assert_non_null(x);
    assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
                                          NID_commonName, cn, (int)n) > 0);
    gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

        if (g->type == GEN_DNS)
            json_array_append_new(
                sans, json_stringn((const char *)ASN1_STRING_get0_data(
                                       g->d.dNSName),
                                   (size_t)ASN1_STRING_length(g->d.dNSName)));
    }
    GENERAL_NAMES_free(gens);
    X509_free(x);
    BIO_free(b);
}

static void test_long_name_deploys_with_tls(void **state)
{
    static const char doc[] =
        "{\n  \"service\": {\n    \"name\": \"" SVC "\",\n"
        "    \"service_account\": \"" SVC "\",\n"
        "    \"service_account_secret\": \"" SVC "/secret\",\n"
        "    \"security\": {\"transport_encryption\": {\"enabled\": true}}\n"
        "  },\n  \"elasticsearch\": {\"xpack_enabled\": true}\n}\n";
    char dir[256], *file, cn[128], *full, *cert = NULL, *path;
    json_t *tls, *sans = json_array();
    struct e_run r;
    size_t i;

    (void)state;
    h_mkdtemp(dir, "longname");
    file = h_write_file(dir, "long.json", doc);
    r = e_etls(&g_sim, "apply", file, (char *)NULL);
    e_assert_clean(&r, &g_sim, SVC "/secret");
    e_expect_rc(&r, 0);
    e_expect_out(&r, "Apply complete! Resources: 4 added, 0 changed, 0 "
                     "destroyed.");
    e_expect_out(&r, "Verified service " SVC " over HTTPS:");
    e_expect_out(&r, "  URL:           https://coordinator-0-node." SVC
                     ".autoip.dcos.thisdcos.directory:");
    e_expect_out(&r, "  Elasticsearch: 5.6.5");
    e_run_free(&r);
    /* independently of etls: converged, HTTPS only, under the full name */
    e_assert_converged(&g_sim, SVC, SVC, SVC "/secret", 1, 1);

    /* the certificate: the CN cut to its last 64 characters, the SANs
     * whole */
    tls = fid_tls_secrets(&g_sim, SVC);
    for (i = 0; i < json_array_size(tls); i++) {
        const char *rel = json_string_value(json_array_get(tls, i));

        if (strstr(rel, "__coordinator-0-node__node__certificate")) {
            path = h_fmt("%s/%s", SVC, rel);
            cert = e_secret_value(&g_sim, path);
            free(path);
        }
    }
    assert_non_null(cert);
    cert_names(cert, cn, sizeof(cn), sans);
    full = h_fmt("coordinator-0-node.%s", SVC);
    assert_int_equal(strlen(cn), 64);
    assert_string_equal(cn, full + strlen(full) - 64);
    h_expect_json_eq(sans,
                     "[\"coordinator-0-node." SVC
                     ".autoip.dcos.thisdcos.directory\","
                     "\"coordinator." SVC ".l4lb.thisdcos.directory\"]");
    free(full);
    free(cert);
    json_decref(sans);
    json_decref(tls);
    free(file);
    h_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_name_deploys_with_tls),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
