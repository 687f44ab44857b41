/* `mgmt-proxyctl test URL`: what one fetch through the active proxy
 * showed, turned into timed steps and a verdict. Pure: ctl_fetch.c runs
 * libcurl and fills struct ctl_test_obs; this file only judges and
 * formats, so every outcome is unit-tested without a network.
 *
 * Steps, in order (an http:// URL has no tunnel and no origin TLS):
 *   proxy-connect  TCP connection to the proxy
 *   proxy-reply    the proxy's reply to CONNECT (https) or to the request
 *   origin-tls     TLS with the origin inside the tunnel, verified
 *   http           the origin's answer (https)
 *   body           the body received */
#ifndef CTL_TEST_H
#define CTL_TEST_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define CTL_TEST_LINE_MAX	128	/* a status line as shown */
#define CTL_TEST_TEXT_MAX	512
#define CTL_TEST_DETAIL_MAX	1280	/* a step's detail, a reason */
#define CTL_TEST_STEPS		5

struct ctl_test_obs {
	bool https;
	/* The proxy tested is not in effect (the selected one, while the
	 * daemon finds it unreachable): the test fails whatever it shows. */
	bool not_in_effect;
	char state[32];
	char proxy[ADDR_STRLEN];
	char url[CTL_TEST_TEXT_MAX];
	long connect_timeout_ms;
	long timeout_ms;
	/* From libcurl. Times in microseconds since the start, 0 when the
	 * point was not reached. */
	int code;				/* CURLcode */
	char error[CTL_TEST_TEXT_MAX];		/* its error buffer */
	int os_errno;
	int64_t connect_us, reply_us, appconnect_us, starttransfer_us, total_us;
	/* When the first request (CONNECT, or the request itself) went out:
	 * the TCP connection was up then. libcurl reports no connect time
	 * when the connection phase fails at CONNECT or at TLS. */
	int64_t sent_us;
	/* The status lines seen: the proxy's reply to CONNECT (https), the
	 * final answer to the request. Raw, as they came ("" when none). */
	char connect_line[CTL_TEST_LINE_MAX];
	char http_line[CTL_TEST_LINE_MAX];
	int64_t bytes;
	char subject[CTL_TEST_LINE_MAX * 2];	/* origin certificate, raw */
	char issuer[CTL_TEST_LINE_MAX * 2];
};

struct ctl_test_step {
	const char *step;
	double ms;
	char detail[CTL_TEST_DETAIL_MAX];
};

struct ctl_test_report {
	bool ok;
	struct ctl_test_step steps[CTL_TEST_STEPS];
	size_t nsteps;
	const char *failed;		/* the failed step, NULL when ok */
	char reason[CTL_TEST_DETAIL_MAX];
};

/* A status line ("HTTP/1.1 407 Proxy Authentication Required\r\n") as
 * "407 Proxy Authentication Required" in out (printable ASCII only: it
 * comes from the network and goes to a terminal); its code, 0 when the
 * line is not a status line. */
int ctl_test_status(const char *line, char *out, size_t len);
/* Text from the network made safe to print: controls and non-ASCII
 * become '?', cut to len - 1. */
void ctl_test_clean(const char *in, char *out, size_t len);
/* The verdict on one fetch. */
void ctl_test_evaluate(const struct ctl_test_obs *, struct ctl_test_report *);
/* The verdict when no proxy is in effect (state: the daemon's state). */
void ctl_test_no_proxy(const char *state, struct ctl_test_report *);
/* {"url", "proxy", "ok", "steps": [{"step","ms","detail"}], "failed-step",
 * "reason"} plus "proxy-auth" and "origin-ca". proxy NULL: none. */
json_t *ctl_test_json(const char *url, const char *proxy, const char *auth,
    json_t *origin_ca, const struct ctl_test_report *);
void ctl_test_print(FILE *, const char *url, const char *proxy,
    const char *auth, const struct ctl_test_report *);
/* The daemon's answer to the "test" request: what the CLI needs to fetch
 * as the forwarder would (never the credentials themselves): the proxy in
 * effect, else the one selected (NULL: none), the state, the origin-ca
 * files and the credentials file. */
json_t *ctl_test_info(const struct config *, const char *active_proxy,
    const char *selected, const char *state);
#endif
