/* A plain GET of the status server of etls run (local_get.h). */
#include "dcos/local_get.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/buf.h"

/* The status document is small; bound what is read. */
#define LOCAL_GET_MAX (4u << 20)

static size_t on_data(char *p, size_t size, size_t n, void *payload)
{
    struct buf *b = payload;

    return buf_append(b, p, size * n) == 0 ? size * n : 0;
}

int dcos_local_get(const char *url, double timeout_s, char **body,
                   long *status, struct err_info *e)
{
    struct buf b;
    CURL *h;
    CURLcode rc;

    if (strncmp(url, "http://", 7) != 0)
        return err_set(e, ERR_INVALID, "expected an http:// URL");
    h = curl_easy_init();
    if (!h)
        return err_set(e, ERR_NOMEM, "out of memory");
    buf_init(&b, LOCAL_GET_MAX);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        buf_free(&b);
        curl_easy_cleanup(h);
        return err_set(e, rc == CURLE_OPERATION_TIMEDOUT ? ERR_TIMEOUT
                                                         : ERR_TRANSIENT,
                       "GET %s: %s", url, curl_easy_strerror(rc));
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(h);
    *body = buf_detach(&b);
    if (!*body)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}
