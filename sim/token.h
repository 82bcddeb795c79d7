#ifndef ETLS_SIM_TOKEN_H
#define ETLS_SIM_TOKEN_H

/*
 * dcos-sim login tokens (sim/token.c): RS256 JWTs {"uid","exp"} signed with
 * the cluster's token key (s->token_key, DIR/token.key), as the IAM issues
 * them at login and Admin Router checks them.  Expiry uses real time.
 */

struct sim;

/*
 * Issue a DC/OS auth token (an RS256 JWT with "uid" and "exp", signed by the
 * sim's IAM key, valid --token-ttl seconds of real time).  New string
 * (wipe it with secret_wipe_str), or NULL.
 */
char *sim_token_issue(struct sim *s, const char *uid);

/* Verify a token; returns the uid (new) or NULL when bad or expired. */
char *sim_token_verify(struct sim *s, const char *token);

/* Forget the tokens sim_token_verify remembers as verified (the signing
 * key goes away: sim_core_free). */
void sim_token_forget(void);

#endif
