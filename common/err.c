#include "err.h"

#include <stdio.h>
#include <string.h>

int err_vset(struct err_info *e, int code, const char *fmt, va_list ap)
{
    if (e) {
        e->code = code;
        vsnprintf(e->text, sizeof(e->text), fmt, ap);
    }
    return code;
}

int err_set(struct err_info *e, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void err_clear(struct err_info *e)
{
    if (e)
        memset(e, 0, sizeof(*e));
}

const char *err_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_INTERNAL: return "internal error";
    case ERR_NOMEM: return "out of memory";
    case ERR_INVALID: return "invalid";
    case ERR_NOTFOUND: return "not found";
    case ERR_CONFLICT: return "conflict";
    case ERR_TRANSIENT: return "transient failure";
    case ERR_AUTH: return "authentication failed";
    case ERR_TIMEOUT: return "timed out";
    default: return "unknown error";
    }
}

int err_is_retryable(int code)
{
    return code == ERR_TRANSIENT || code == ERR_TIMEOUT;
}
