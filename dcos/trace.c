/*
 * The redacting HTTP trace (style.md, "Logging that never prints
 * secrets").  See trace.h.
 */
#include "trace.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "dcos/redact.h"

#define TRACE_BODY_MAX 2048u

static void trace_escaped(FILE *out, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];

        if (ch == '\\')
            fputs("\\\\", out);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
}

static bool header_is_secret(const char *line, size_t n)
{
    static const char *const names[] = {
        "authorization", "proxy-authorization", "cookie", "set-cookie"
    };
    const char *colon = memchr(line, ':', n);
    size_t i, len;

    if (!colon)
        return false;
    len = (size_t)(colon - line);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && strncasecmp(line, names[i], len) == 0)
            return true;
    return false;
}

static bool text_mentions_secret(const char *p, size_t n)
{
    static const char *const words[] = { "authorization", "cookie",
                                         "token=" };
    size_t i, j, w;

    for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t len = strlen(words[w]);

        for (i = 0; i + len <= n; i++) {
            for (j = 0; j < len; j++)
                if (tolower((unsigned char)p[i + j]) != words[w][j])
                    break;
            if (j == len)
                return true;
        }
    }
    return false;
}

/* One block of header lines (request headers come as one block). */
static void trace_header_block(FILE *out, const char *tag, const char *p,
                               size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t len = nl ? (size_t)(nl - p) : n;
        size_t adv = nl ? len + 1 : len;

        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (len > 0) {
            fputs(tag, out);
            if (header_is_secret(p, len) ||
                (memchr(p, ':', len) &&
                 dcos_redact_found(p, len, NULL, 0))) {
                const char *colon = memchr(p, ':', len);

                trace_escaped(out, p, (size_t)(colon - p));
                fputs(": <redacted>", out);
            } else if (!memchr(p, ':', len) && !util_has_prefix(p, "HTTP/") &&
                       !memchr(p, ' ', len)) {
                /* Not a header, not a status/request line: be safe. */
                fputs("<redacted line>", out);
            } else {
                trace_escaped(out, p, len);
            }
            fputc('\n', out);
        }
        p += adv;
        n -= adv;
    }
}

void http_trace_write(FILE *out, bool sensitive, curl_infotype type,
                      const char *data, size_t size)
{
    switch (type) {
    case CURLINFO_TEXT:
        fputs("* ", out);
        if (text_mentions_secret(data, size))
            fputs("<redacted text>", out);
        else
            trace_escaped(out, data,
                          size && data[size - 1] == '\n' ? size - 1 : size);
        fputc('\n', out);
        break;
    case CURLINFO_HEADER_OUT:
        trace_header_block(out, "> ", data, size);
        break;
    case CURLINFO_HEADER_IN:
        trace_header_block(out, "< ", data, size);
        break;
    case CURLINFO_DATA_OUT:
    case CURLINFO_DATA_IN: {
        const char *tag = type == CURLINFO_DATA_OUT ? "}" : "{";

        if (sensitive) {
            fprintf(out, "%s [%zu bytes redacted]\n", tag, size);
        } else if (dcos_redact_found(data, size, NULL, 0)) {
            /* An answer that echoes a credential (redact.h). */
            fprintf(out, "%s [%zu bytes redacted: may hold a credential]\n",
                    tag, size);
        } else {
            fprintf(out, "%s ", tag);
            trace_escaped(out, data,
                          size > TRACE_BODY_MAX ? TRACE_BODY_MAX : size);
            if (size > TRACE_BODY_MAX)
                fprintf(out, "...[%zu bytes]", size);
            fputc('\n', out);
        }
        break;
    }
    default:
        break;
    }
}
