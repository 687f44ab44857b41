/* Our HAProxy processes, whoever started them: those whose command line
 * runs our configuration file. The pid file alone proves nothing after a
 * crash (the pid may be reused), and a worker orphaned by a killed master
 * is in no pid file. */
#ifndef HAPROXY_PROCS_H
#define HAPROXY_PROCS_H
#include <stddef.h>

/* Sends sig to each; sig 0 only counts them. */
size_t haproxy_procs_signal(const char *cfg, int sig);
/* Start-up: kills what an earlier run left, waits (bounded) until gone. */
void haproxy_procs_kill_stale(const char *cfg, const char *pid_file);
#endif
