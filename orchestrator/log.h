/* Logging: one line per event, UTC timestamp, to the log file (and stderr
 * in the foreground). Input the network controls is logged through a rate
 * limiter so a flood of bad packets cannot fill the disk. */
#ifndef LOG_H
#define LOG_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

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
void log_reopen(void);
void log_close(void);
void log_set_level(enum log_level);
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
