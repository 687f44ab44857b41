/* Logging to the management-proxy log file. Each line is written with one
 * write(2) on an O_APPEND descriptor, so lines from HAProxy's log relay and
 * the daemon never interleave mid-line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_fd = -1;
static bool log_stderr = true;
static char log_path[256];
static enum log_level log_max = LOG_INFO;

static const char *const log_names[] = { "error", "warning", "info", "debug" };

int
log_open(const char *path, bool to_stderr)
{
	int fd;

	log_stderr = to_stderr;
	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (log_fd != -1)
		close(log_fd);
	log_fd = fd;
	snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

/* After logrotate moved the file away (SIGHUP / reload). */
void
log_reopen(void)
{
	if (log_path[0] != '\0' && log_open(log_path, log_stderr) == -1)
		log_err("cannot reopen log %s: %s", log_path, strerror(errno));
}

void
log_close(void)
{
	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
}

void
log_set_level(enum log_level l)
{
	log_max = l;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	int n, m;

	if (level > log_max)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000, log_names[level]);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;	/* truncated; keep the newline */
	line[n++] = '\n';
	/* A failed log write has nowhere left to be reported. */
	if (log_fd != -1)
		(void)!write(log_fd, line, (size_t)n);
	if (log_stderr)
		(void)!write(STDERR_FILENO, line, (size_t)n);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

bool
log_ratelimit_allow(struct log_ratelimit *rl, int64_t now)
{
	if (rl->period <= 0)
		return true;
	if (now > rl->last) {
		int64_t refill = (now - rl->last) / rl->period;

		if (refill > 0) {
			rl->tokens = refill >= rl->burst ? rl->burst :
			    rl->tokens + (unsigned)refill;
			if (rl->tokens > rl->burst)
				rl->tokens = rl->burst;
			rl->last = now;
		}
	} else if (now < rl->last)
		rl->last = now;		/* clock went back: restart the period */
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	return true;
}

bool
log_limited(struct log_ratelimit *rl, int64_t now, enum log_level level,
    const char *fmt, ...)
{
	unsigned dropped = rl->suppressed;
	va_list ap;

	if (!log_ratelimit_allow(rl, now))
		return false;
	if (dropped > 0 && rl->suppressed == dropped) {
		log_msg(level, "(%u similar messages suppressed)", dropped);
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
	return true;
}
