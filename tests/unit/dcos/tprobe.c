/* Probe results recorded for the dcos/ tests.  See tprobe.h. */
#include "tprobe.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

void tprobe_on_https(const struct dcos_probe_result *r, void *payload)
{
    struct tprobe *p = payload;
    size_t i;

    p->done++;
    p->status = r->status;
    p->code = r->err.code;
    snprintf(p->text, sizeof(p->text), "%s", r->err.text);
    if (r->json) {
        const char *v = json_string_value(
            json_object_get(json_object_get(r->json, "version"), "number"));

        snprintf(p->version, sizeof(p->version), "%s", v ? v : "");
    }
    p->have_cert = r->cert != NULL;
    if (r->cert) {
        snprintf(p->subject, sizeof(p->subject), "%s", r->cert->subject);
        snprintf(p->issuer, sizeof(p->issuer), "%s", r->cert->issuer);
        snprintf(p->not_after, sizeof(p->not_after), "%s",
                 r->cert->not_after);
        for (i = 0; i < r->cert->n_sans; i++) {
            strncat(p->sans, r->cert->sans[i],
                    sizeof(p->sans) - strlen(p->sans) - 2);
            strcat(p->sans, " ");
        }
    }
}

void tprobe_on_plain(const struct dcos_plain_result *r, void *payload)
{
    struct tprobe *p = payload;

    p->done++;
    p->answered = r->answered;
    p->status = r->status;
    p->code = r->err.code;
}
