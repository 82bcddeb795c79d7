#include "url.h"

#include <string.h>
#include <strings.h>

int dcos_url_check(const char *url, struct err_info *e)
{
    const char *host, *end, *p;

    if (!url || !*url)
        return err_set(e, ERR_INVALID, "the cluster URL is empty");
    for (p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
            return err_set(e, ERR_INVALID,
                           "the cluster URL holds a space or a control "
                           "character");
    if (strncasecmp(url, "http://", 7) == 0)
        return err_set(e, ERR_INVALID,
                       "the cluster URL must start with https://: etls "
                       "sends a password and tokens, never over plain "
                       "http (--insecure only skips the certificate check)");
    if (strncmp(url, "https://", 8) != 0)
        return err_set(e, ERR_INVALID,
                       "the cluster URL must start with https://");
    host = url + 8;
    end = host + strcspn(host, "/?#");
    if (memchr(host, '@', (size_t)(end - host)))
        return err_set(e, ERR_INVALID,
                       "the cluster URL must not hold a user name or "
                       "password (user:password@host); give credentials "
                       "with --uid and --password-file or --private-key");
    if (strchr(url, '?') || strchr(url, '#'))
        return err_set(e, ERR_INVALID,
                       "the cluster URL must not have a query (?...) or a "
                       "fragment (#...)");
    if (end == host || *host == ':')
        return err_set(e, ERR_INVALID, "the cluster URL has no host");
    if (strchr(url, '\\') || strchr(url, '%'))
        return err_set(e, ERR_INVALID,
                       "the cluster URL must not hold '\\' or "
                       "percent-escapes");
    return 0;
}
