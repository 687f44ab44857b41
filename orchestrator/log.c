/* Logging to the management-proxy log file. Each line is written with one
 * write(2) on an O_APPEND descriptor, so lines from HAProxy's log relay and
 * the daemon never interleave mid-line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* One file opened by name, reopened by name. */
struct log_file {
	int fd;
	char path[256];
};

static struct log_file log_main = { -1, "" }, log_acc = { -1, "" };
static bool log_stderr = true;
static enum log_level log_stderr_max = LOG_DEBUG;
static enum log_target log_tgt = LOG_TARGET_STDERR;
static enum log_level log_max = LOG_INFO;
static bool log_forced;
static enum log_access log_acc_mode = LOG_ACCESS_MAIN;

/* syslog(3) priorities of the levels (log_level.h), for journald. */
static const int log_prio[] = { 3, 4, 5, 6, 7 };

static int
log_file_open(struct log_file *f, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	if (fd == -1)
		return -1;
	if (f->fd != -1)
		close(f->fd);
	f->fd = fd;
	if (f->path != path)
		snprintf(f->path, sizeof(f->path), "%s", path);
	return 0;
}

static void
log_file_close(struct log_file *f)
{
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	f->path[0] = '\0';
}

int
log_open(const char *path, bool to_stderr)
{
	log_stderr = to_stderr;
	if (path == NULL)
		return 0;
	return log_file_open(&log_main, path);
}

/* After logrotate moved the files away (SIGUSR1, SIGHUP / reload). */
void
log_reopen(void)
{
	struct log_file *files[] = { &log_main, &log_acc };

	for (size_t i = 0; i < 2; i++)
		if (files[i]->path[0] != '\0' &&
		    log_file_open(files[i], files[i]->path) == -1)
			log_err("cannot reopen log %s: %s", files[i]->path,
			    strerror(errno));
}

void
log_close(void)
{
	log_file_close(&log_main);
	log_file_close(&log_acc);
}

void
log_set_level(enum log_level l)
{
	log_max = l;
}

void
log_force_level(enum log_level l)
{
	log_max = l;
	log_forced = true;
}

void
log_config_level(int level)
{
	if (!log_forced)
		log_max = level < 0 ? LOG_INFO : (enum log_level)level;
}

void
log_set_stderr(bool on, enum log_level max)
{
	log_stderr = on;
	log_stderr_max = max;
}

void
log_set_target(enum log_target t)
{
	log_tgt = t;
}

enum log_target
log_target_detect(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return LOG_TARGET_STDERR;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino ?
	    LOG_TARGET_JOURNAL : LOG_TARGET_STDERR;
}

/* "2026-01-02T03:04:05.678Z " into buf; returns its length. */
static int
log_stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	return snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000);
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n, m, stamp;

	if (level > log_max)
		return;
	stamp = log_stamp(line, sizeof(line));
	n = stamp + snprintf(line + stamp, sizeof(line) - (size_t)stamp, "%s: ",
	    log_level_name(level));
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;	/* truncated; keep the newline */
	line[n++] = '\n';
	/* A failed log write has nowhere left to be reported. */
	if (log_main.fd != -1)
		(void)!write(log_main.fd, line, (size_t)n);
	if (!log_stderr || level > log_stderr_max)
		return;
	if (log_tgt == LOG_TARGET_JOURNAL) {
		/* "<6>" over the timestamp: journald strips it as the
		 * priority and stamps the line itself. */
		char prio[4];

		snprintf(prio, sizeof(prio), "<%d>", log_prio[level]);
		memcpy(line + stamp - 3, prio, 3);
		(void)!write(STDERR_FILENO, line + stamp - 3,
		    (size_t)(n - stamp + 3));
	} else
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

int
log_access_configure(enum log_access mode, const char *path)
{
	if (mode == LOG_ACCESS_FILE) {
		if (strcmp(path, log_acc.path) != 0 || log_acc.fd == -1)
			if (log_file_open(&log_acc, path) == -1)
				return -1;
	} else
		log_file_close(&log_acc);
	log_acc_mode = mode;
	return 0;
}

void
log_haproxy_line(const char *line)
{
	char buf[1024];
	int n;

	/* HAProxy's own messages start with their level: "[NOTICE] ...". */
	if (line[0] == '[' || log_acc_mode == LOG_ACCESS_MAIN) {
		log_info("haproxy: %s", line);
		return;
	}
	if (log_acc_mode == LOG_ACCESS_OFF || log_acc.fd == -1)
		return;
	n = log_stamp(buf, sizeof(buf));
	n += snprintf(buf + n, sizeof(buf) - (size_t)n - 1, "%s", line);
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!write(log_acc.fd, buf, (size_t)n);
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
