/* Log levels and where HAProxy's access lines go: the names the
 * configuration and the command line use (pure, no I/O, so the
 * configuration parser can use them; log.h does the writing). */
#ifndef LOG_LEVEL_H
#define LOG_LEVEL_H

enum log_level { LOG_ERR, LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG };
#define LOG_LEVELS "error|warning|notice|info|debug"

/* HAProxy's access lines: with ours, in a file of their own, or dropped. */
enum log_access { LOG_ACCESS_MAIN, LOG_ACCESS_FILE, LOG_ACCESS_OFF };

/* Parse a level name; -1 when unknown. */
int log_level_parse(const char *);
const char *log_level_name(enum log_level);
#endif
