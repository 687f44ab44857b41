/* The log lines of HAProxy's life cycle (haproxy_log.c). */
#ifndef HAPROXY_LOG_H
#define HAPROXY_LOG_H
#include "haproxy_fsm.h"

/* Logs a step of haproxy_fsm, cause before effect: the transitions, then
 * what the operator has always read for them. exit_status: of the master
 * that just exited (waitpid); health_why: of the health check that just
 * ended. */
void haproxy_log_step(const struct hfsm_ev *, const struct hfsm_actions *,
    int exit_status, const char *health_why);
#endif
