/* Child processes (haproxy -c, the HAProxy master) run asynchronously:
 * spawned with a clean environment, reaped on SIGCHLD from the event loop,
 * killed when they outlive their time limit. The loop never waits. */
#ifndef PROC_H
#define PROC_H
#include <sys/types.h>

#define PROC_MAX	8

/* status as from waitpid(). */
typedef void (*proc_done)(pid_t pid, int status, void *arg);

/* out_fd/err_fd: descriptors for the child's stdout/stderr, -1 for
 * /dev/null. timeout_ms 0 = no limit. -1 with errno on failure. */
pid_t proc_spawn(char *const argv[], int out_fd, int err_fd, unsigned timeout_ms,
    proc_done, void *arg);
/* Called on SIGCHLD: reaps every finished child and reports it. */
void  proc_reap(void);
/* Forget a child's callback (it will still be reaped). */
void  proc_forget(pid_t pid);
#endif
