#ifndef ETLS_SIM_SDK_MODEL_H
#define ETLS_SIM_SDK_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * dcos-sim SDK data model (sim/sdk_model.c): the services of the SDK
 * schedulers, their tasks and plans, the registry of services, and the
 * small helpers every SDK file and Marathon share (names, options,
 * configurations).  Everything here runs with the sim lock held.  See
 * docs/sim.md "SDK schedulers".
 */

struct sim_node;
struct secret;

#define SDK_MAX_COUNT 100      /* most instances of one pod */
#define SDK_LOG "sim-sdk"      /* log component of the SDK files */

/* Timeline constants, in simulated seconds (scaled by --speed). */
#define SDK_SCHED_STAGE_S 3.0   /* scheduler (re)start: API unreachable */
#define SDK_SCHED_HEALTH_S 1.0  /* then Marathon's first health check */
#define SDK_STEP_S 1.0          /* PREPARED -> launch, readiness delay */
#define SDK_TASK_START_S 1.0    /* Mesos: STAGING -> RUNNING / FAILED */
#define SDK_RECOVERY_DELAY_S 3.0 /* a killed task is relaunched after */
/* A service unchanged for SDK_IDLE_S simulated seconds (ten times the
 * longest of the delays above) is ticked once every SDK_IDLE_EVERY ticks
 * only, until a request changes it: idle services cost next to no CPU. */
#define SDK_IDLE_S 30.0
#define SDK_IDLE_EVERY 50

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

/* Steps of the uninstall plan (dcos-commons scheduler/uninstall), in
 * phase order. */
enum sdk_ustep_kind {
    SDK_U_KILL = 0,   /* kill-task-<task id> (TaskKillStep) */
    SDK_U_UNRESERVE,  /* unreserve-<resource id> (ResourceCleanupStep) */
    SDK_U_TLS,        /* tls-cleanup (TLSCleanupStep) */
    SDK_U_DEREGISTER, /* deregister (DeregisterStep) */
    SDK_U_N_KINDS
};

struct sdk_ustep {
    char *id;
    int kind;             /* enum sdk_ustep_kind: also its phase */
    char *target;         /* kill: the task id; unreserve: the resource id */
    char task[48];        /* the task it concerns (kill, unreserve) */
    int status;           /* enum sdk_status */
    double since;
};

/* The uninstall plan, served as "deploy" by the uninstall scheduler. */
struct sdk_uninstall {
    char *phase_ids[SDK_U_N_KINDS];
    struct sdk_ustep *steps;
    size_t n_steps;
};

struct sdk_service {
    char *name;
    double changed_at;    /* simulated time of the last change (runtime) */
    bool unsaved;         /* changed outside the SDK (Marathon), not yet
                             written to the state (runtime) */
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
    json_t *app_labels;   /* labels Cosmos wrote on the app, or NULL */
    bool uninstall_env;   /* the app's env has SDK_UNINSTALL (Cosmos) */
    bool uninstalling;    /* the scheduler persisted its uninstall bit */
    char *framework_id;   /* Mesos framework, NULL when not registered */
    struct sdk_uninstall uninstall; /* built by the uninstall scheduler */

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
    bool exit_logged;     /* the exit-11 crash loop was reported */
};

/* --- names --- */

/* Name of @pod ("master", ...). */
const char *sdk_pod_name(int pod);

/* Upper-case name of @st ("PENDING", ...). */
const char *sdk_status_name(int st);

/* The step status named @name (PENDING to ERROR), or SDK_PENDING for
 * another name or NULL. */
int sdk_status_parse(const char *name);

/* Mesos state name without the TASK_ prefix ("RUNNING", ...). */
const char *sdk_task_state_name(int st);

/* --- helpers --- */

/* printf into a new string (at most 64 KiB), or NULL. */
char *sdk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Replace *@dst with a copy of @src (NULL clears it); on ENOMEM *@dst
 * keeps its old value. */
void sdk_set_str(char **dst, const char *src);

/*
 * The value at the dotted @path ("service.name") of @o (borrowed), or NULL
 * when absent or when a segment is empty or longer than 127 bytes.
 */
const json_t *sdk_json_path(const json_t *o, const char *path);

/* The string at @path of options @o (borrowed), or @def. */
const char *sdk_opt_str(const json_t *o, const char *path, const char *def);

/* The boolean at @path of options @o (1 or 0), or @def. */
int sdk_opt_bool(const json_t *o, const char *path, int def);

/* --- the registry of services --- */

/* The service named @name (borrowed) or NULL. */
struct sdk_service *sdk_find(const char *name);

/* Number of services and the @i-th one (borrowed), in creation order. */
size_t sdk_count(void);
struct sdk_service *sdk_at(size_t i);

/* Add @svc (the registry takes it) at the end.  0 or ERR_NOMEM. */
int sdk_registry_add(struct sdk_service *svc);

/* Take @svc out of the registry (the caller frees it); no-op when absent. */
void sdk_registry_remove(struct sdk_service *svc);

/* How many services sdk_registry_remove() has taken out so far. */
unsigned long sdk_registry_removals(void);

/* Empty the registry and free its array (not the services). */
void sdk_registry_clear(void);

/*
 * The SDK state changed and must be saved to the "services" section
 * (sdk_touch() does, and clears the mark).
 */
void sdk_dirty_mark(void);
bool sdk_dirty_get(void);
void sdk_dirty_clear(void);

/* Free @svc, its tasks (their listeners stop) and plans; accepts NULL. */
void sdk_service_free(struct sdk_service *svc);

/* --- configurations --- */

/* Count of pod @pod in @options (master is always 3). */
int sdk_pod_count(const json_t *options, int pod);

/* Options object of configuration @id (borrowed) or NULL. */
const json_t *sdk_config_options(const struct sdk_service *svc,
                                 const char *id);

/* Package version of configuration @id (borrowed) or NULL. */
const char *sdk_config_version(const struct sdk_service *svc,
                               const char *id);

/* 1 when configuration @id turns transport encryption on. */
int sdk_config_tls(const struct sdk_service *svc, const char *id);

/* --- tasks and plans --- */

/* The task of pod instance (@pod, @index) (borrowed) or NULL. */
struct sdk_task *sdk_task_get(struct sdk_service *svc, int pod, int index);

/* The task named @name ("master-0-node") (borrowed) or NULL. */
struct sdk_task *sdk_task_by_name(struct sdk_service *svc,
                                  const char *name);

/*
 * Make sure pod instance (@pod, @index) has a task slot.  May move the
 * task array: callers must not hold task pointers across this call.
 * Returns 0 or ERR_NOMEM.
 */
int sdk_task_ensure(struct sdk_service *svc, int pod, int index);

/* Stop the data-plane listener of @t, if any. */
void sdk_task_node_stop(struct sdk_task *t);

/* Free the phases, steps and errors of @p and zero it. */
void sdk_plan_clear(struct sdk_plan *p);

/* Free the steps and phase ids of the uninstall plan @u and zero it. */
void sdk_uninstall_clear(struct sdk_uninstall *u);

#endif
