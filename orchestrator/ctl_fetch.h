/* `mgmt-proxyctl test URL`, the I/O half: one libcurl fetch through the
 * proxy, as the forwarder makes it (CONNECT for https://, absolute form
 * for http://, Basic proxy credentials, origins verified against the
 * system store plus tls.origin-ca), recording what ctl_test.c judges. */
#ifndef CTL_FETCH_H
#define CTL_FETCH_H
#include <stddef.h>

#include "config.h"
#include "ctl_test.h"

#define CTL_FETCH_CONNECT_MS	3000
#define CTL_FETCH_TIMEOUT_MS	15000

struct ctl_fetch_opts {
	const char *url;
	const char *proxy;		/* "A.B.C.D:P" */
	const char *auth_file;		/* "" or NULL: no proxy credentials */
	char (*origin_ca)[CFG_PATH_MAX];
	size_t norigin_ca;
	long timeout_ms;
};

/* Fetches; *o holds what was seen. *auth says how the proxy credentials
 * were used ("none", "basic from FILE", or why not). -1 and `why` when
 * the fetch could not even be set up (bad URL, unreadable CA file). */
int ctl_fetch_run(const struct ctl_fetch_opts *, struct ctl_test_obs *o,
    char *auth, size_t alen, char *why, size_t wlen);
#endif
