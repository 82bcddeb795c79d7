#ifndef ETLS_SIM_IAM_LOGIN_H
#define ETLS_SIM_IAM_LOGIN_H

#include <jansson.h>

/*
 * dcos-sim IAM credentials and login (sim/iam_login.c): password records
 * and service-account keys, and the public routes below
 * /acs/api/v1/auth/ (login with a password or a service-login JWT,
 * logout, jwks, providers).
 */

struct sim;
struct sim_req;
struct sim_resp;

/*
 * Check that @pem is one RSA public key in X.509 SubjectPublicKeyInfo PEM
 * form.  Returns 0, or -1 with *@why set to a static reason.
 */
int iam_pubkey_check(const char *pem, const char **why);

/* A salted PBKDF2-HMAC-SHA256 record of @pw (new object) or NULL. */
json_t *iam_password_record(const char *pw);

/* Handler of the public routes below /acs/api/v1/auth/. */
void iam_auth_handle(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp);

#endif
