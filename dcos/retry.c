/*
 * The client's retry policy (retry.h): which outcomes are transient, how
 * long to wait, and whether another attempt still fits in the deadline.
 */
#include "retry.h"

#include "common/err.h"

bool dcos_retry_transient(int transport_code, long status)
{
    if (transport_code)
        return transport_code == ERR_TRANSIENT ||
               transport_code == ERR_TIMEOUT;
    return status == 502 || status == 503 || status == 504;
}

double dcos_retry_bound(const struct dcos_retry_policy *p)
{
    return (double)p->attempts * p->timeout;
}

double dcos_retry_delay(const struct dcos_retry_policy *p, unsigned done,
                        double now, double deadline)
{
    double delay = p->backoff;
    unsigned i;

    if (done == 0 || done >= p->attempts)
        return -1.0;
    for (i = 1; i < done; i++)
        delay *= 2.0;
    if (now + delay + p->timeout > deadline)
        return -1.0;
    return delay;
}
