#ifndef ETLS_SIM_COSMOS_REQUEST_H
#define ETLS_SIM_COSMOS_REQUEST_H

#include <jansson.h>

/*
 * dcos-sim Cosmos requests (sim/cosmos_request.c): what an operation
 * accepts and answers, and the validation of a request against it as
 * finch's RequestValidators.standard does (Accept, Content-Type, body),
 * every failure appended to an array of {"type","message"} item errors.
 */

struct sim;
struct sim_req;
struct sim_resp;

/* A request body member as the circe decoder of the request reads it. */
enum cosmos_field_kind { COSMOS_F_STRING, COSMOS_F_OBJECT, COSMOS_F_BOOL };

struct cosmos_field {
    const char *name;
    enum cosmos_field_kind kind;
    int required;
};

/* An operation: runs once the request is valid, with @body decoded and
 * the response media type @rtype (version @version) negotiated. */
typedef void (*cosmos_op_fn)(struct sim *s, const json_t *body,
                             int version, const char *rtype,
                             struct sim_resp *r);

struct cosmos_op {
    const char *req_type;
    const char *resp_types[3];   /* preferred first, NULL-terminated */
    int resp_versions[2];        /* the "version=vN" of each */
    const struct cosmos_field *fields;
    cosmos_op_fn fn;
};

/*
 * Accept: pick the response media type as
 * DispatchingMediaTypedEncoder(CompoundMediaType) does.  Returns the index
 * in @offers (NULL-terminated), or -1 after appending the error to @errs
 * (or when out of memory).
 */
int cosmos_negotiate_accept(const char *accept, const char *const *offers,
                            json_t *errs);

/* Content-Type: must be compatible with @want.  0, or -1 after appending
 * the error to @errs. */
int cosmos_check_content_type(const char *ctype, const char *want,
                              json_t *errs);

/*
 * Parse and decode the body against @fields (NULL-name terminated).
 * Returns the object (new) or NULL after appending the error to @errs.
 * Decoding stops at the first member that fails, in declaration order, as
 * circe does.
 */
json_t *cosmos_decode_body(const struct sim_req *req,
                           const struct cosmos_field *fields, json_t *errs);

#endif
