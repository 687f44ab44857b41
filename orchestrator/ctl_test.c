/* `mgmt-proxyctl test URL`: from what libcurl saw to timed steps and a
 * verdict naming the step that failed and why. No I/O here. */
#include <curl/curl.h>
#include <stdarg.h>
#include <string.h>

#include "ctl_test.h"

void
ctl_test_clean(const char *in, char *out, size_t len)
{
	size_t i = 0;

	for (; in[i] != '\0' && i + 1 < len; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

int
ctl_test_status(const char *line, char *out, size_t len)
{
	char text[CTL_TEST_LINE_MAX];
	const char *p = line;
	size_t n;
	int code = 0;

	out[0] = '\0';
	/* RFC 9112 4: HTTP-version SP 3DIGIT SP [reason-phrase] */
	if (strncmp(p, "HTTP/", 5) != 0)
		return 0;
	p += 5;
	while (*p != '\0' && *p != ' ')
		p++;
	if (*p++ != ' ')
		return 0;
	for (int i = 0; i < 3; i++, p++) {
		if (*p < '0' || *p > '9')
			return 0;
		code = code * 10 + (*p - '0');
	}
	/* A status code is 1xx to 5xx (RFC 9110 15); "074" is no answer. */
	if ((*p != '\0' && *p != ' ' && *p != '\r' && *p != '\n') || code < 100)
		return 0;
	/* Shown from the code on: the version says nothing to an operator. */
	p -= 3;
	n = strcspn(p, "\r\n");
	if (n >= sizeof(text))
		n = sizeof(text) - 1;
	memcpy(text, p, n);
	text[n] = '\0';
	ctl_test_clean(text, out, len);
	return code;
}

static bool
ctl_test_good(int code)
{
	return code >= 200 && code < 400;
}

static struct ctl_test_step *
ctl_test_add(struct ctl_test_report *r, const char *step, int64_t us)
{
	struct ctl_test_step *s = &r->steps[r->nsteps++];

	s->step = step;
	s->ms = (double)us / 1000.0;
	s->detail[0] = '\0';
	return s;
}

static void __attribute__((format(printf, 3, 4)))
ctl_test_fail(struct ctl_test_report *r, const char *step, const char *fmt, ...)
{
	va_list ap;

	r->ok = false;
	r->failed = step;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* Why curl stopped, in words: a timeout says how long it waited. */
static void
ctl_test_why(const struct ctl_test_obs *o, bool connecting, char *out, size_t len)
{
	char err[CTL_TEST_TEXT_MAX];

	if (o->code == CURLE_OPERATION_TIMEDOUT)
		snprintf(out, len, "no answer within %.1f s",
		    (double)(connecting ? o->connect_timeout_ms : o->timeout_ms) / 1000.0);
	else if (connecting && o->os_errno != 0)
		snprintf(out, len, "%s", strerror(o->os_errno));
	else {
		ctl_test_clean(o->error[0] ? o->error : curl_easy_strerror(o->code),
		    err, sizeof(err));
		snprintf(out, len, "%s", err);
	}
}

static void ctl_test_steps(const struct ctl_test_obs *, struct ctl_test_report *);

void
ctl_test_evaluate(const struct ctl_test_obs *o, struct ctl_test_report *r)
{
	char was[CTL_TEST_DETAIL_MAX];

	ctl_test_steps(o, r);
	if (!o->not_in_effect)
		return;
	/* Management traffic goes direct meanwhile: never a success. */
	snprintf(was, sizeof(was), "%s", r->ok ? "it answered this test" : r->reason);
	if (r->ok)
		r->failed = "proxy";
	r->ok = false;
	snprintf(r->reason, sizeof(r->reason), "no proxy in effect (state: %.31s); "
	    "the selected proxy %s: %.1100s", o->state, o->proxy, was);
}

static void
ctl_test_steps(const struct ctl_test_obs *o, struct ctl_test_report *r)
{
	char st[CTL_TEST_LINE_MAX], why[CTL_TEST_TEXT_MAX], sub[CTL_TEST_LINE_MAX * 2],
	    iss[CTL_TEST_LINE_MAX * 2], url[CTL_TEST_TEXT_MAX];
	struct ctl_test_step *s;
	int code;

	memset(r, 0, sizeof(*r));
	r->ok = true;
	ctl_test_clean(o->url, url, sizeof(url));
	/* Whether the connection is up is known from its time: curl counts
	 * it from the start, so a reached point is never 0 µs. */
	if (o->connect_us == 0 && o->sent_us == 0) {
		ctl_test_why(o, true, why, sizeof(why));
		ctl_test_fail(r, "proxy-connect", "cannot connect to proxy %s: %s",
		    o->proxy, why);
		return;
	}
	s = ctl_test_add(r, "proxy-connect", o->connect_us ? o->connect_us : o->sent_us);
	snprintf(s->detail, sizeof(s->detail), "TCP to %s", o->proxy);

	if (o->https) {
		code = ctl_test_status(o->connect_line, st, sizeof(st));
		if (code == 0) {
			ctl_test_why(o, true, why, sizeof(why));
			ctl_test_fail(r, "proxy-reply", "no reply from the proxy to "
			    "CONNECT: %s", why);
			return;
		}
		if (code < 200 || code > 299) {
			ctl_test_fail(r, "proxy-reply", "proxy refused CONNECT: %s",
			    st);
			return;
		}
		s = ctl_test_add(r, "proxy-reply", o->reply_us);
		snprintf(s->detail, sizeof(s->detail), "CONNECT: %s", st);
		if (o->appconnect_us == 0) {
			ctl_test_why(o, true, why, sizeof(why));
			ctl_test_fail(r, "origin-tls", "%s: %s",
			    o->code == CURLE_PEER_FAILED_VERIFICATION ?
			    "origin certificate not trusted" :
			    "TLS with the origin failed", why);
			return;
		}
		ctl_test_clean(o->subject, sub, sizeof(sub));
		ctl_test_clean(o->issuer, iss, sizeof(iss));
		s = ctl_test_add(r, "origin-tls", o->appconnect_us);
		snprintf(s->detail, sizeof(s->detail), "verified; subject %s; issuer %s",
		    sub[0] ? sub : "?", iss[0] ? iss : "?");
	}

	code = ctl_test_status(o->http_line, st, sizeof(st));
	if (code == 0) {
		ctl_test_why(o, false, why, sizeof(why));
		ctl_test_fail(r, o->https ? "http" : "proxy-reply",
		    "no answer to GET %s: %s", url, why);
		return;
	}
	if (!ctl_test_good(code)) {
		if (o->https)
			ctl_test_fail(r, "http", "origin answered %s", st);
		else
			ctl_test_fail(r, "proxy-reply", "%s %s", code == 407 ?
			    "proxy refused the request:" : "proxy answered", st);
		return;
	}
	s = ctl_test_add(r, o->https ? "http" : "proxy-reply", o->starttransfer_us);
	snprintf(s->detail, sizeof(s->detail), "GET %s: %s", url, st);
	if (o->code != CURLE_OK) {
		ctl_test_why(o, false, why, sizeof(why));
		snprintf(st, sizeof(st), "%lld", (long long)o->bytes);
		ctl_test_fail(r, "body", "body cut after %s bytes: %s", st, why);
		return;
	}
	s = ctl_test_add(r, "body", o->total_us);
	snprintf(s->detail, sizeof(s->detail), "%lld bytes", (long long)o->bytes);
}

void
ctl_test_no_proxy(const char *state, struct ctl_test_report *r)
{
	memset(r, 0, sizeof(*r));
	r->failed = "proxy";
	snprintf(r->reason, sizeof(r->reason), "no proxy in effect (state: %s)",
	    state);
}

json_t *
ctl_test_json(const char *url, const char *proxy, const char *auth,
    json_t *origin_ca, const struct ctl_test_report *r)
{
	json_t *steps = json_array(), *doc;
	char u[CTL_TEST_TEXT_MAX];

	for (size_t i = 0; i < r->nsteps; i++)
		json_array_append_new(steps, json_pack("{s:s, s:f, s:s}",
		    "step", r->steps[i].step, "ms", r->steps[i].ms,
		    "detail", r->steps[i].detail));
	ctl_test_clean(url, u, sizeof(u));
	doc = json_pack("{s:s, s:s?, s:b, s:o, s:s?, s:s?, s:s?, s:O}",
	    "url", u, "proxy", proxy, "ok", r->ok, "steps", steps,
	    "failed-step", r->failed, "reason", r->ok ? NULL : r->reason,
	    "proxy-auth", auth, "origin-ca", origin_ca ? origin_ca : json_null());
	return doc;
}

void
ctl_test_print(FILE *out, const char *url, const char *proxy, const char *auth,
    const struct ctl_test_report *r)
{
	char u[CTL_TEST_TEXT_MAX];

	ctl_test_clean(url, u, sizeof(u));
	fprintf(out, "Test of %s through %s\n", u, proxy ? proxy : "N/A");
	if (proxy != NULL)
		fprintf(out, "  %-14s %9s   %s\n", "proxy-auth", "", auth);
	for (size_t i = 0; i < r->nsteps; i++)
		fprintf(out, "  %-14s %6.1f ms   %s\n", r->steps[i].step,
		    r->steps[i].ms, r->steps[i].detail);
	if (r->ok)
		fprintf(out, "OK\n");
	else
		fprintf(out, "FAILED at %s: %s\n", r->failed, r->reason);
}

json_t *
ctl_test_info(const struct config *cfg, const char *active, const char *selected,
    const char *state)
{
	json_t *ca = json_array();

	for (size_t i = 0; i < cfg->norigin_ca; i++)
		json_array_append_new(ca, json_string(cfg->origin_ca[i]));
	return json_pack("{s:s?, s:s?, s:s, s:o, s:s?}", "active-proxy", active,
	    "selected", selected, "state", state, "origin-ca", ca, "auth-file",
	    cfg->auth_file[0] ? cfg->auth_file : NULL);
}
