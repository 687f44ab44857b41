/* Start-up with the service manager: one instance per run directory, a
 * background start whose caller learns whether the daemon came up, and
 * systemd's readiness notification. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "startup.h"

static int startup_lock_fd = -1;
static int startup_pipe = -1;	/* child's end of the readiness pipe */

int
startup_lock(const char *path, char *why, size_t whylen)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd == -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		startup_lock_fd = fd;
		return 0;
	}
	if (errno == EWOULDBLOCK) {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(why, whylen, "already running (pid %s)",
		    buf[0] != '\0' ? buf : "unknown");
	} else
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
	close(fd);
	return -1;
}

void
startup_lock_owner(void)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	/* Only read by a second instance to name the first. */
	if (startup_lock_fd != -1 && (ftruncate(startup_lock_fd, 0) == -1 ||
	    pwrite(startup_lock_fd, buf, (size_t)n, 0) != n))
		log_warn("lock file: %s", strerror(errno));
}

/* The waiting parent: relays what the child reports on stderr until the
 * child says ready (a NUL byte) or ends. */
static int
startup_wait(int fd, pid_t child)
{
	char buf[512];
	ssize_t n;
	int status;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		char *nul;

		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((nul = memchr(buf, '\0', (size_t)n)) != NULL) {
			(void)!write(STDERR_FILENO, buf, (size_t)(nul - buf));
			return 0;
		}
		(void)!write(STDERR_FILENO, buf, (size_t)n);
	}
	if (waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0)
		fprintf(stderr, "mgmt-proxyd: start-up failed (exit status %d)\n",
		    WEXITSTATUS(status));
	else
		fprintf(stderr, "mgmt-proxyd: start-up failed\n");
	return 1;
}

int
startup_detach(void)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		/* The lock now belongs to the child alone. */
		if (startup_lock_fd != -1)
			close(startup_lock_fd);
		exit(startup_wait(p[0], pid));
	}
	close(p[0]);
	if (setsid() == -1 || chdir("/") == -1 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	/* Until ready, stderr is the pipe: warnings and errors of the
	 * start-up reach the command that started us. */
	if (dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1 ||
	    dup2(p[1], STDERR_FILENO) == -1)
		return -1;
	close(null);
	close(p[1]);
	startup_pipe = STDERR_FILENO;
	log_set_stderr(true, LOG_WARN);
	return 0;
}

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void
startup_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == -1)
		log_warn("systemd notification: %s", strerror(errno));
	close(fd);
}

void
startup_ready(void)
{
	int null;

	startup_notify("READY=1");
	if (startup_pipe == -1)
		return;
	(void)!write(startup_pipe, "", 1);
	log_set_stderr(false, LOG_DEBUG);
	if ((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) != -1) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	startup_pipe = -1;
}

void
startup_stopping(void)
{
	startup_notify("STOPPING=1");
}
