#ifndef ETLS_COMMON_JSONSCHEMA_KW_H
#define ETLS_COMMON_JSONSCHEMA_KW_H

#include <jansson.h>

/*
 * The keywords of the JSON Schema validator (common/jsonschema.h), each
 * checked on one instance node against one schema node, with the error
 * objects and messages of json-schema-validator 2.2.  Internal to
 * jsonschema*.c; pure.
 */

/* One validation run. */
struct jsonschema_ctx {
    json_t *errors; /* borrowed */
    unsigned flags;
    int failed;     /* an error was reported */
    int err;        /* first internal failure (ERR_NOMEM, ERR_INVALID) */
};

/* Record the internal failure @code unless one is recorded already. */
void jsonschema_ctx_fail(struct jsonschema_ctx *c, int code);

/*
 * Check one keyword of @schema on @inst, whose schema and instance
 * pointers are @sptr and @iptr; a failure appends an error object to
 * c->errors, a malformed schema or ENOMEM is recorded in c->err.  The
 * caller calls each keyword only for the instance types it applies to:
 * additional and required on objects, length (min when @is_min, else max)
 * and pattern on strings, bound on numbers, enum and type on anything.
 */
void jsonschema_kw_additional(struct jsonschema_ctx *c, const json_t *schema,
                              const json_t *inst, const char *sptr,
                              const char *iptr);
void jsonschema_kw_enum(struct jsonschema_ctx *c, const json_t *schema,
                        const json_t *inst, const char *sptr,
                        const char *iptr);
void jsonschema_kw_length(struct jsonschema_ctx *c, const json_t *schema,
                          const json_t *inst, const char *sptr,
                          const char *iptr, int is_min);
void jsonschema_kw_bound(struct jsonschema_ctx *c, const json_t *schema,
                         const json_t *inst, const char *sptr,
                         const char *iptr, int is_min);
void jsonschema_kw_pattern(struct jsonschema_ctx *c, const json_t *schema,
                           const json_t *inst, const char *sptr,
                           const char *iptr);
void jsonschema_kw_required(struct jsonschema_ctx *c, const json_t *schema,
                            const json_t *inst, const char *sptr,
                            const char *iptr);
void jsonschema_kw_type(struct jsonschema_ctx *c, const json_t *schema,
                        const json_t *inst, const char *sptr,
                        const char *iptr);

#endif
