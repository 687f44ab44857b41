/* Asynchronous child processes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "proc.h"

static struct proc_slot {
	pid_t pid;
	proc_done done;
	void *arg;
	struct event_timer limit;
	bool timer;
} proc_slots[PROC_MAX];

static void
proc_expired(void *arg)
{
	struct proc_slot *s = arg;

	if (s->pid > 0) {
		log_warn("process %ld exceeded its time limit: killed", (long)s->pid);
		kill(s->pid, SIGKILL);
	}
}

pid_t
proc_spawn(char *const argv[], int out_fd, int err_fd, unsigned timeout_ms,
    proc_done done, void *arg)
{
	/* A known, minimal environment: nothing of ours leaks into children. */
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct proc_slot *s = NULL;
	sigset_t none, dflt;
	pid_t pid;
	int rc;

	for (size_t i = 0; i < PROC_MAX; i++)
		if (proc_slots[i].pid == 0) {
			s = &proc_slots[i];
			break;
		}
	if (s == NULL) {
		errno = EAGAIN;
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (err_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Nothing but stdin/out/err crosses exec, whatever a library opened
	 * without close-on-exec: a netlink socket inherited by HAProxy (the
	 * NFQUEUE reader's, once) outlives a killed daemon and keeps its queue
	 * bound, so the next daemon could not read it. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* The daemon blocks the signals it reads from its signalfd and ignores
	 * SIGPIPE; both would be inherited across exec. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	s->pid = pid;
	s->done = done;
	s->arg = arg;
	if (timeout_ms > 0) {
		if (!s->timer && event_timer_init(&s->limit, proc_expired, s) == 0)
			s->timer = true;
		if (s->timer)
			event_timer_arm(&s->limit, timeout_ms);
	}
	return pid;
}

void
proc_forget(pid_t pid)
{
	for (size_t i = 0; i < PROC_MAX; i++)
		if (proc_slots[i].pid == pid)
			proc_slots[i].done = NULL;
}

void
proc_reap(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < PROC_MAX; i++) {
			struct proc_slot *s = &proc_slots[i];
			proc_done done;

			if (s->pid != pid)
				continue;
			done = s->done;
			s->pid = 0;
			s->done = NULL;
			if (s->timer)
				event_timer_stop(&s->limit);
			if (done != NULL)
				done(pid, status, s->arg);
			break;
		}
	}
}
