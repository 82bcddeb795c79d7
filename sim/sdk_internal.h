#ifndef ETLS_SIM_SDK_INTERNAL_H
#define ETLS_SIM_SDK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim SDK module internals, shared by sim/sdk.c (service model, plans,
 * tasks, tick), sim/sdk_api.c (the scheduler HTTP API under
 * /service/<name>/v1) and sim/marathon.c (the scheduler's Marathon app).
 * Everything here runs with the sim lock held.  See docs/sim.md.
 */

struct sim;
struct sim_node;
struct sim_req;
struct sim_resp;
struct secret;

/* Timeline constants, in simulated seconds (scaled by --speed). */
#define SDK_SCHED_STAGE_S 3.0   /* scheduler (re)start: API unreachable */
#define SDK_SCHED_HEALTH_S 1.0  /* then Marathon's first health check */
#define SDK_STEP_S 1.0          /* PREPARED -> launch, readiness delay */
#define SDK_TASK_START_S 1.0    /* Mesos: STAGING -> RUNNING / FAILED */
#define SDK_RECOVERY_DELAY_S 3.0 /* a killed task is relaunched after */

/* Pod types, in plan order. */
enum sdk_pod {
    SDK_POD_MASTER = 0,
    SDK_POD_DATA,
    SDK_POD_INGEST,
    SDK_POD_COORDINATOR,
    SDK_N_PODS
};

/* Step statuses (scheduler/plan/Status.java), in lifecycle order. */
enum sdk_status {
    SDK_PENDING = 0,
    SDK_PREPARED,
    SDK_STARTING,
    SDK_STARTED,
    SDK_COMPLETE,
    SDK_ERROR,
    SDK_WAITING,     /* aggregates only */
    SDK_IN_PROGRESS  /* aggregates only */
};

/* Mesos task states. */
enum sdk_task_state {
    SDK_TASK_NONE = 0,  /* never launched */
    SDK_TASK_STAGING,
    SDK_TASK_RUNNING,
    SDK_TASK_KILLED,
    SDK_TASK_FAILED
};

/* One pod instance and its single task `<pod>-<index>-node`. */
struct sdk_task {
    int pod;
    int index;
    char name[48];        /* "master-0-node" */
    char *id;             /* "<name>__<uuid>", NULL when never launched */
    char *config_id;      /* configuration the task runs */
    int state;            /* enum sdk_task_state */
    double since;         /* when the state was entered */
    bool tls;             /* as launched */
    bool xpack;
    int port;             /* HTTP port: the node's, or a stable fake one */
    double recover_at;    /* > 0: killed out of band, relaunch then */
    /* runtime only */
    struct sim_node *node;
    char health[32];      /* last health pushed: "status/nodes/data" */
};

struct sdk_step {
    char *id;
    int pod;
    int index;
    int status;           /* enum sdk_status (PENDING..COMPLETE) */
    double since;
};

struct sdk_phase {
    char *id;
    int pod;              /* enum sdk_pod; -1 for the recovery phase */
    bool interrupted;
    struct sdk_step *steps;
    size_t n_steps;
};

struct sdk_plan {
    bool update;          /* phases named "*-update" (else "*-deploy") */
    bool recovery;        /* the recovery plan */
    bool serial;          /* plan strategy */
    bool phase_serial;    /* strategy of every phase */
    bool interrupted;
    json_t *errors;       /* array of strings */
    struct sdk_phase *phases;
    size_t n_phases;
};

struct sdk_service {
    char *name;
    char *pkg_name;
    char *pkg_version;
    json_t *options;      /* latest resolved options from Cosmos */
    char *target_id;      /* NULL until the first scheduler start */
    json_t *configs;      /* id -> {"options":{...},"package_version":..} */
    bool deployed;        /* last-completed-update-type == DEPLOY */

    /* the scheduler's Marathon app */
    bool sched_up;        /* the API is served */
    double sched_up_at;   /* when the (re)started scheduler serves */
    char *deployment_id;  /* Marathon deployment in progress, or NULL */
    bool deployment_install; /* StartApplication (else RestartApplication) */
    char *app_version;    /* ISO-8601 time of the last app change */
    char *sched_task_id;  /* Marathon task id of the scheduler */

    struct sdk_plan plan;     /* "deploy" */
    struct sdk_plan recovery; /* "recovery" (one phase "default") */
    struct sdk_task *tasks;
    size_t n_tasks;

    /* runtime only: the service-account secret read at scheduler start */
    struct secret *credential;
    const char *blocked;  /* last TLS prerequisite failure (static) */
    bool tls_checked;     /* tls_reason is valid for tls_checked_at */
    double tls_checked_at; /* sim time of the cached account check */
    const char *tls_reason; /* its result (static string) or NULL */
    char tls_uid[128];    /* the account the secret logs in as */
};

/* --- sdk.c --- */

/* printf into a new string (at most 64 KiB), or NULL. */
char *sdk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The value at the dotted @path ("service.name") of @o (borrowed), or NULL
 * when absent or when a segment is empty or longer than 127 bytes.
 */
const json_t *sdk_json_path(const json_t *o, const char *path);

/* The service named @name (borrowed) or NULL. */
struct sdk_service *sdk_find(const char *name);

/* Number of services and the @i-th one (borrowed), in creation order. */
size_t sdk_count(void);
struct sdk_service *sdk_at(size_t i);

/* Name of @pod ("master", ...). */
const char *sdk_pod_name(int pod);

/* Upper-case name of @st ("PENDING", ...). */
const char *sdk_status_name(int st);

/* Mesos state name without the TASK_ prefix ("RUNNING", ...). */
const char *sdk_task_state_name(int st);

/* Count of pod @pod in @options (master is always 3). */
int sdk_pod_count(const json_t *options, int pod);

/* Options object of configuration @id (borrowed) or NULL. */
const json_t *sdk_config_options(const struct sdk_service *svc,
                                 const char *id);

/* Package version of configuration @id (borrowed) or NULL. */
const char *sdk_config_version(const struct sdk_service *svc,
                               const char *id);

/* The task of pod instance (@pod, @index) (borrowed) or NULL. */
struct sdk_task *sdk_task_get(struct sdk_service *svc, int pod, int index);

/* The task named @name ("master-0-node") (borrowed) or NULL. */
struct sdk_task *sdk_task_by_name(struct sdk_service *svc,
                                  const char *name);

/* 1 when the readiness check of @t passes (running, master quorum). */
int sdk_task_ready(const struct sdk_service *svc, const struct sdk_task *t);

/*
 * Status of @plan (§3.3 aggregation) and of its phase @ph.  Returns an
 * enum sdk_status.
 */
int sdk_plan_status(const struct sdk_plan *plan);
int sdk_phase_status(const struct sdk_plan *plan,
                     const struct sdk_phase *ph);

/* Name of phase @ph of @plan ("master-update", "default"). New string. */
char *sdk_phase_name(const struct sdk_plan *plan,
                     const struct sdk_phase *ph);

/* The "update" plan the scheduler keeps interrupted before the first
 * completed deployment (phases *-update), built on the fly into @out;
 * release it with sdk_plan_clear(). */
int sdk_plan_build_update(struct sdk_service *svc, struct sdk_plan *out);
void sdk_plan_clear(struct sdk_plan *p);

/* Restart pod instance @pod_instance ("master-0") in place (recovery).
 * Returns 0 or ERR_NOTFOUND. */
int sdk_pod_restart(struct sim *s, struct sdk_service *svc,
                    const char *pod_instance);

/* Restart the scheduler as Marathon does (app restart): the API is
 * unreachable for a while, then a new scheduler re-reads its secret and
 * regenerates its plans.  @install selects the deployment's action. */
void sdk_scheduler_restart(struct sim *s, struct sdk_service *svc,
                           bool install);

/*
 * ServiceSpec JSON (GET /v1/configurations/<id>) of configuration @id of
 * @svc.  New reference or NULL.
 */
json_t *sdk_service_spec(struct sim *s, const struct sdk_service *svc,
                         const char *id);

/* Mark the SDK state changed (persisted before the lock is released). */
void sdk_touch(struct sim *s);

/* --- sdk_api.c --- */

/* Handler of everything under /service/ (the scheduler API). */
void sdk_api_handle(struct sim *s, const struct sim_req *req,
                    struct sim_resp *resp);

/* --- marathon.c --- */

/*
 * Render the package's Marathon app template (marathon.json.mustache of
 * @pkg_name @pkg_version in the catalog) with @options.  Returns 0 and
 * sets *@out (new), or ERR_NOTFOUND (no such package version) or
 * ERR_INVALID (the template does not render to JSON).
 */
int marathon_render_app(struct sim *s, const char *pkg_name,
                        const char *pkg_version, const json_t *options,
                        json_t **out);

/* Handler of /marathon/ and /service/marathon/. */
void marathon_handle(struct sim *s, const struct sim_req *req,
                     struct sim_resp *resp);

/* Free the template cache (module stop). */
void marathon_cache_free(void);

/* ISO-8601 UTC time of the wall clock with milliseconds (new). */
char *marathon_iso_now(void);

#endif
