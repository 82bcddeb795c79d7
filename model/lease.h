#ifndef ETLS_MODEL_LEASE_H
#define ETLS_MODEL_LEASE_H

#include <stddef.h>

/*
 * The per-service lease every etls takes before its first write
 * (docs/plan.md, "Leases"): records in the secret store under
 * "etls/<service>/lease/<generation>" (model_state_path).  Taking a free
 * service creates generation 1; taking over an expired lease creates the
 * next generation.  Creation is create-if-absent (PUT: 409 when another
 * etls got there first), so exactly one contender wins each generation;
 * the highest generation is the lease.  Pure: the record format and the
 * names; controller/lease.c does the I/O.
 */

/* Leaf under the service's state folder (model_state_path). */
#define MODEL_LEASE_LEAF "lease"

/* Longest holder description kept. */
#define MODEL_LEASE_HOLDER_MAX 200

struct model_lease {
    char *holder;        /* who holds it: "etls apply by u@host pid N" */
    char *id;            /* random token of this holder */
    long long acquired;  /* Unix seconds */
    long long expires;   /* Unix seconds; renewals move it */
};

/*
 * The JSON text of @l:
 * {"holder":...,"id":...,"acquired":N,"expires":N} (new string, NULL on
 * ENOMEM).  Holds nothing secret.
 */
char *model_lease_format(const struct model_lease *l);

/*
 * Parse a lease record of @len bytes into @out (new strings; clear with
 * model_lease_clear).  0, ERR_INVALID (not such a record) or ERR_NOMEM;
 * @out is untouched on failure.
 */
int model_lease_parse(struct model_lease *out, const char *text, size_t len);

/* Free what @l holds and zero it. */
void model_lease_clear(struct model_lease *l);

/*
 * The highest generation among the @n names of a listing of the lease
 * folder (decimal "1", "2", ...; other names are ignored), 0 when there
 * is none.
 */
unsigned long model_lease_top(char *const *names, size_t n);

/*
 * The secret path of generation @gen of the lease of service @name, or of
 * the lease folder when @gen is 0 (new string, NULL on ENOMEM).
 */
char *model_lease_path(const char *name, unsigned long gen);

#endif
