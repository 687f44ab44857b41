/* Which processes are our HAProxy's, found by their command line (see
 * haproxy_procs.h). */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haproxy.h"
#include "haproxy_procs.h"
#include "haproxy_watch.h"
#include "log.h"

/* Sends sig to every HAProxy process that runs our configuration file:
 * master, workers, and a worker orphaned by a killed master, but never an
 * HAProxy of another configuration whose pid was reused (the pid file
 * alone proves nothing after a crash). sig 0 only counts them. */
size_t
haproxy_procs_signal(const char *cfg, int sig)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	if (dir == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		char path[64], target[sizeof(HAPROXY_BIN) + 16], cmd[4096];
		ssize_t len;
		long pid;
		char *end;
		int fd;

		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 1 || pid == (long)getpid())
			continue;
		/* A zombie has no exe link: it holds nothing any more. */
		snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		/* " (deleted)": the package was upgraded under it. */
		if (strncmp(target, HAPROXY_BIN, strlen(HAPROXY_BIN)) != 0 ||
		    (target[strlen(HAPROXY_BIN)] != '\0' &&
		    strcmp(target + strlen(HAPROXY_BIN), " (deleted)") != 0))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, cmd, sizeof(cmd));
		close(fd);
		if (len <= 0 || !haproxy_watch_cmdline_ours(cmd, (size_t)len, cfg))
			continue;
		if (kill((pid_t)pid, sig) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

/* Start-up only: whatever an earlier run left must be gone before we bind
 * its listeners and queues again. Killed outright: a leftover of a dead
 * daemon has nothing worth a graceful stop, and a stopped (SIGSTOP) one
 * would never act on SIGTERM. */
void
haproxy_procs_kill_stale(const char *cfg, const char *pid_file)
{
	size_t n = haproxy_procs_signal(cfg, SIGKILL);

	if (n == 0)
		return;
	log_info("killed %zu HAProxy processes left by an earlier run (config %s)",
	    n, cfg);
	for (int i = 0; i < 20 && haproxy_procs_signal(cfg, 0) > 0; i++)
		usleep(50000);		/* bounded: 1 s */
	unlink(pid_file);
}
