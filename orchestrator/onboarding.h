/* Pre-ZTP onboarding-config.json (jansson). Only "management-proxy":
 * {"address": "A.B.C.D", "port": N} is used; every other key (name, mode,
 * registration-code, conductor-hosts, ...) is accepted and ignored. The
 * proxy is kept as text "address:port" and validated later with the other
 * candidates, so a bad value shows up with its reason instead of vanishing. */
#ifndef ONBOARDING_H
#define ONBOARDING_H
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "onboarding_info.h"

#define ONB_FILE_MAX (1024 * 1024)	/* larger files are refused */

/* Pure. On a JSON syntax or shape error returns false with
 * err = "FNAME:LINE:COL: reason" and *out cleared. */
bool onboarding_parse(const char *fname, const char *buf, size_t len,
    struct onboarding *out, char err[CFG_ERR_LEN]);
/* Reads the file. A missing file is not an error: returns true with
 * has_proxy false. */
bool onboarding_load(const char *path, struct onboarding *out, char err[CFG_ERR_LEN]);
#endif
