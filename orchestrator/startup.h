/* Start-up with the service manager: the single-instance lock of a run
 * directory, detaching with a readiness report to the starting command, and
 * systemd's sd_notify protocol (Type=notify). */
#ifndef STARTUP_H
#define STARTUP_H
#include <stddef.h>

/* Take the lock file `path` before anything of an instance is touched.
 * -1 with the reason in why ("already running (pid N)") when another
 * instance holds it. The lock lives as long as the process. */
int startup_lock(const char *path, char *why, size_t whylen);
/* Record our pid in the lock file (after detaching). */
void startup_lock_owner(void);
/* Fork into the background. The parent does not return: it exits 0 once
 * the child calls startup_ready(), otherwise non-zero after relaying the
 * child's warnings and errors. -1 and errno in the child on failure. */
int startup_detach(void);
/* The control socket is bound, state restored, the forwarder started. */
void startup_ready(void);
void startup_stopping(void);
#endif
