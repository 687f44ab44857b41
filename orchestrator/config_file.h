/* The configuration file on disk (I/O): config.h is the pure parser. */
#ifndef CONFIG_FILE_H
#define CONFIG_FILE_H
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Read, parse and check a file; an unreadable file is one error
 * "FILE: reason", a named file that is unusable one error
 * "FILE:LINE:COL: what NAMED: reason". */
bool config_file_load(const char *path, struct config *cfg, struct cfg_errors *err);
/* The credentials file of upstream.auth is usable: a regular file owned
 * by root, mode 0600, one line "user:password" without CR/LF/NUL. On
 * failure `why` says what is wrong. Reads the file. */
bool config_auth_file_ok(const char *path, char *why, size_t len);
/* The notify script is usable: a regular file owned by root, executable,
 * not writable by group or others. On failure `why` says what is wrong. */
bool config_notify_file_ok(const char *path, char *why, size_t len);
#endif
