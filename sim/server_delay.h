#ifndef ETLS_SIM_SERVER_DELAY_H
#define ETLS_SIM_SERVER_DELAY_H

#include "common/err.h"

/*
 * dcos-sim delayed answers (sim/server_delay.c): one timer thread that
 * resumes suspended libmicrohttpd connections when their delay is over, so
 * that --latency-ms and delay fault rules hold no server thread while they
 * wait.  Used by sim/server.c only; the server must be started with
 * MHD_ALLOW_SUSPEND_RESUME.
 */

struct MHD_Connection;

/* Start the timer thread.  Returns 0 or ERR_INTERNAL. */
int sim_server_delay_start(void);

/*
 * Suspend @c (call it from the connection's access handler, after queueing
 * its response if it has one) and resume it @ms milliseconds later.
 * Returns 0, or ERR_INVALID when the timer is stopping or not running, or
 * ERR_NOMEM; @c is then not suspended.
 */
int sim_server_delay_suspend(struct MHD_Connection *c, long ms);

/*
 * Resume every suspended connection at once and stop the timer thread
 * (waits for it).  Later sim_server_delay_suspend() calls fail.  Call it
 * before MHD_stop_daemon(), which must not find suspended connections.
 */
void sim_server_delay_stop(void);

#endif
