/*
 * Typed calls of Marathon: read and restart an app, through Admin
 * Router's /service/marathon/ route.  See client.h.
 */
#include "client.h"

#include "dcos/call.h"

int dcos_marathon_app_get(struct dcos_client *c, const char *app_id,
                          dcos_done_fn done, void *payload)
{
    app_id = dcos_path_strip_slash(app_id);
    if (!dcos_path_valid(app_id))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_MARATHON, "GET", MT_JSON, done, payload, NULL,
                { 'l', "/service/marathon/v2/apps/" }, { 'p', app_id },
                { 'l', "?embed=app.counts" });
}

int dcos_marathon_app_restart(struct dcos_client *c, const char *app_id,
                              bool force, dcos_done_fn done, void *payload)
{
    app_id = dcos_path_strip_slash(app_id);
    if (!dcos_path_valid(app_id))
        return ERR_INVALID;
    return CALL(c, DCOS_CALL_MARATHON, "POST", MT_JSON, done, payload, NULL,
                { 'l', "/service/marathon/v2/apps/" }, { 'p', app_id },
                { 'l', force ? "/restart?force=true" : "/restart" });
}
