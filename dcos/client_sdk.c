/*
 * Typed calls of an SDK scheduler at /service/<service>/v1 (elastic-sdk.md):
 * plans, endpoints, pods and configurations.  See client.h.
 */
#include "client.h"

#include "dcos/call.h"

/* GET /service/<service>/v1/<tail> accepting JSON (see dcos_call_simple). */
static int sdk_call(struct dcos_client *c, const char *service,
                    const struct dcos_path_seg *tail, size_t ntail,
                    dcos_done_fn done, void *payload, struct dcos_call **out)
{
    struct dcos_path_seg segs[8];
    size_t i;

    service = dcos_path_strip_slash(service);
    if (!dcos_path_valid(service) || ntail + 3 > 8)
        return ERR_INVALID;
    segs[0] = (struct dcos_path_seg){ 'l', "/service/" };
    segs[1] = (struct dcos_path_seg){ 'p', service };
    segs[2] = (struct dcos_path_seg){ 'l', "/v1/" };
    for (i = 0; i < ntail; i++)
        segs[3 + i] = tail[i];
    return dcos_call_simple(c, DCOS_CALL_SDK, "GET", MT_JSON, segs, ntail + 3,
                            done, payload, out);
}

#define SDK(c, service, done, payload, kout, ...)                             \
    sdk_call((c), (service), PATH_SEGS(__VA_ARGS__), PATH_NSEGS(__VA_ARGS__), \
             (done), (payload), (kout))

int dcos_sdk_plan_get(struct dcos_client *c, const char *service,
                      const char *plan, dcos_done_fn done, void *payload)
{
    struct dcos_call *k;
    int r;

    if (!dcos_path_valid_name(plan))
        return ERR_INVALID;
    r = SDK(c, service, done, payload, &k, { 'l', "plans/" },
            { 'u', plan });
    if (r)
        return r;
    dcos_call_ok_also(k, 202);
    dcos_call_ok_also(k, 417);
    return dcos_call_go(k);
}

int dcos_sdk_endpoint_get(struct dcos_client *c, const char *service,
                          const char *name, dcos_done_fn done,
                          void *payload)
{
    if (!dcos_path_valid_name(name))
        return ERR_INVALID;
    return SDK(c, service, done, payload, NULL, { 'l', "endpoints/" },
               { 'u', name });
}

int dcos_sdk_pod_list(struct dcos_client *c, const char *service,
                      dcos_done_fn done, void *payload)
{
    return SDK(c, service, done, payload, NULL, { 'l', "pod" });
}

int dcos_sdk_pod_info(struct dcos_client *c, const char *service,
                      const char *pod, dcos_done_fn done, void *payload)
{
    if (!dcos_path_valid_name(pod))
        return ERR_INVALID;
    return SDK(c, service, done, payload, NULL, { 'l', "pod/" },
               { 'u', pod }, { 'l', "/info" });
}

int dcos_sdk_configuration_get(struct dcos_client *c, const char *service,
                               const char *id, dcos_done_fn done,
                               void *payload)
{
    if (!dcos_path_valid_name(id))
        return ERR_INVALID;
    return SDK(c, service, done, payload, NULL, { 'l', "configurations/" },
               { 'u', id });
}

int dcos_sdk_target_id_get(struct dcos_client *c, const char *service,
                           dcos_done_fn done, void *payload)
{
    return SDK(c, service, done, payload, NULL,
               { 'l', "configurations/targetId" });
}
