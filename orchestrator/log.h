/* Logging: one line per event, UTC timestamp, to the log file (and stderr
 * in the foreground; under systemd with syslog priority prefixes instead of
 * timestamps, so journald files each line once at its priority). Input the
 * network controls is logged through a rate limiter so a flood of bad
 * packets cannot fill the disk. */
#ifndef LOG_H
#define LOG_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "log_level.h"


/* Where stderr lines go: a terminal/file (timestamped) or the journal
 * ("<N>" priority prefix, no timestamp: journald adds its own). */
enum log_target { LOG_TARGET_STDERR, LOG_TARGET_JOURNAL };

/* A token bucket: at most `burst` lines, refilled at one per `period` s. */
struct log_ratelimit {
	int64_t period;
	unsigned burst;
	unsigned tokens;
	int64_t last;		/* last refill, seconds */
	unsigned suppressed;
};
#define LOG_RATELIMIT_INIT(period_s, burst_n) \
	{ .period = (period_s), .burst = (burst_n), .tokens = (burst_n), .last = 0, .suppressed = 0 }

int  log_open(const char *path, bool to_stderr);	/* -1 and errno on failure */
/* Reopen the log files by name (after logrotate moved them away). */
void log_reopen(void);
void log_close(void);
void log_set_level(enum log_level);
/* A level given on the command line wins over the configuration's. */
void log_force_level(enum log_level);
void log_config_level(int level);	/* -1: the default (info) */
/* Lines of `level` or more severe also go to stderr (LOG_DEBUG: all). */
void log_set_stderr(bool on, enum log_level max);
void log_set_target(enum log_target);
/* The target the environment asks for: the journal when stderr is the
 * stream systemd announced in JOURNAL_STREAM. */
enum log_target log_target_detect(void);
/* HAProxy's access lines go to `path` (LOG_ACCESS_FILE). -1 and errno when
 * the file cannot be opened; the previous setting then stays. */
int log_access_configure(enum log_access, const char *path);
/* One line of HAProxy's output: its own messages ("[NOTICE] ...") join our
 * log; access lines go where log_access_configure said. */
void log_haproxy_line(const char *line);
void log_msg(enum log_level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns true and logs when the bucket allows it; counts what it drops. */
bool log_limited(struct log_ratelimit *, int64_t now, enum log_level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Pure decision behind log_limited, for tests. */
bool log_ratelimit_allow(struct log_ratelimit *, int64_t now);

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#endif
