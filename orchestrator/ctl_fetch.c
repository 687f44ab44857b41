/* One fetch through the proxy with libcurl, for `mgmt-proxyctl test`.
 * Blocking is fine here: this runs in the CLI, never in the daemon. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config_file.h"
#include "ctl_fetch.h"
#include "fileio.h"
#include "tunnel.h"

#define CTL_FETCH_AUTH_MAX	1024

struct ctl_fetch {
	struct ctl_test_obs *o;
	struct timespec start;
	bool tls_started;		/* bytes of the origin's TLS were sent */
};

static int64_t
ctl_fetch_elapsed_us(const struct ctl_fetch *f)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - f->start.tv_sec) * 1000000 +
	    (now.tv_nsec - f->start.tv_nsec) / 1000;
}

/* The TLS with the origin starts after the proxy's reply to CONNECT: a
 * status line seen before it is the proxy's, one after it the origin's. */
static int
ctl_fetch_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct ctl_fetch *f = arg;

	if (type == CURLINFO_SSL_DATA_OUT)
		f->tls_started = true;
	else if (type == CURLINFO_HEADER_OUT && f->o->sent_us == 0)
		f->o->sent_us = ctl_fetch_elapsed_us(f);
	return 0;
}

static size_t
ctl_fetch_header(char *data, size_t size, size_t n, void *arg)
{
	struct ctl_fetch *f = arg;
	size_t len = size * n, l = len < CTL_TEST_LINE_MAX - 1 ? len : CTL_TEST_LINE_MAX - 1;
	char *dst;

	if (len < 5 || memcmp(data, "HTTP/", 5) != 0)
		return len;
	if (f->o->https && !f->tls_started) {
		dst = f->o->connect_line;
		f->o->reply_us = ctl_fetch_elapsed_us(f);
	} else
		dst = f->o->http_line;
	memcpy(dst, data, l);
	dst[l] = '\0';
	return len;
}

static size_t
ctl_fetch_body(char *data, size_t size, size_t n, void *arg)
{
	struct ctl_fetch *f = arg;

	f->o->bytes += (int64_t)(size * n);
	return size * n;
}

/* The origin's certificate (the first of the chain): subject, issuer. */
static void
ctl_fetch_cert(CURL *h, struct ctl_test_obs *o)
{
	struct curl_certinfo *ci = NULL;

	if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL ||
	    ci->num_of_certs < 1)
		return;
	for (struct curl_slist *s = ci->certinfo[0]; s != NULL; s = s->next) {
		if (strncasecmp(s->data, "Subject:", 8) == 0)
			snprintf(o->subject, sizeof(o->subject), "%s", s->data + 8);
		else if (strncasecmp(s->data, "Issuer:", 7) == 0)
			snprintf(o->issuer, sizeof(o->issuer), "%s", s->data + 7);
	}
}

/* The forwarder's proxy credentials: the same file, checked the same way
 * (root's, 0600, one line). Unreadable (not root): the test goes on
 * without them and says so. The password is wiped after use. */
static char *
ctl_fetch_credentials(const char *file, char *auth, size_t alen)
{
	char why[CFG_PATH_MAX + 64];
	size_t len;
	char *cred;

	if (file == NULL || file[0] == '\0') {
		snprintf(auth, alen, "none configured");
		return NULL;
	}
	if (!config_auth_file_ok(file, why, sizeof(why))) {
		snprintf(auth, alen, "not used: %s: %s", file, why);
		return NULL;
	}
	if ((cred = fileio_read(file, CTL_FETCH_AUTH_MAX, O_NOFOLLOW, &len)) == NULL) {
		snprintf(auth, alen, "not used: %s: %s", file, strerror(errno));
		return NULL;
	}
	while (len > 0 && cred[len - 1] == '\n')
		cred[--len] = '\0';
	snprintf(auth, alen, "basic, from %s", file);
	return cred;
}

int
ctl_fetch_run(const struct ctl_fetch_opts *opt, struct ctl_test_obs *o,
    char *auth, size_t alen, char *why, size_t wlen)
{
	struct ctl_fetch f = { .o = o };
	struct curl_blob blob = { .flags = CURL_BLOB_NOCOPY };
	char proxy[ADDR_STRLEN + 8], err[CURL_ERROR_SIZE] = "";
	char *cred, *ca;
	curl_off_t t;
	size_t calen;
	long oserr = 0;
	CURL *h;

	memset(o, 0, sizeof(*o));
	snprintf(o->proxy, sizeof(o->proxy), "%s", opt->proxy);
	snprintf(o->url, sizeof(o->url), "%s", opt->url);
	o->https = strncasecmp(opt->url, "https://", 8) == 0;
	o->timeout_ms = opt->timeout_ms;
	o->connect_timeout_ms = opt->timeout_ms < CTL_FETCH_CONNECT_MS ?
	    opt->timeout_ms : CTL_FETCH_CONNECT_MS;
	if (!o->https && strncasecmp(opt->url, "http://", 7) != 0) {
		snprintf(why, wlen, "the URL must begin with http:// or https://");
		return -1;
	}
	if ((ca = tunnel_ca_bundle(opt->origin_ca, opt->norigin_ca, &calen, why, wlen)) == NULL)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || (h = curl_easy_init()) == NULL) {
		free(ca);
		snprintf(why, wlen, "libcurl cannot start");
		return -1;
	}
	blob.data = ca;
	blob.len = calen;
	snprintf(proxy, sizeof(proxy), "http://%s", opt->proxy);
	curl_easy_setopt(h, CURLOPT_URL, opt->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_PROXY, proxy);
	/* The environment's no_proxy must not send the test around it. */
	curl_easy_setopt(h, CURLOPT_NOPROXY, "");
	curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, o->https ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, opt->timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mgmt-proxyctl-test");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, ctl_fetch_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, &f);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);	/* feeds the debug function */
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, ctl_fetch_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &f);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ctl_fetch_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &f);
	cred = ctl_fetch_credentials(opt->auth_file, auth, alen);
	if (cred != NULL) {
		/* Sent with the first request, as the forwarder does. */
		curl_easy_setopt(h, CURLOPT_PROXYAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_PROXYUSERPWD, cred);
	}
	clock_gettime(CLOCK_MONOTONIC, &f.start);
	o->code = curl_easy_perform(h);
	if (cred != NULL) {
		explicit_bzero(cred, strlen(cred));
		free(cred);
	}
	snprintf(o->error, sizeof(o->error), "%s", err);
	if (curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr) == CURLE_OK)
		o->os_errno = (int)oserr;
	if (curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &t) == CURLE_OK)
		o->connect_us = t;
	if (curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &t) == CURLE_OK)
		o->appconnect_us = t;
	if (curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &t) == CURLE_OK)
		o->starttransfer_us = t;
	if (curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &t) == CURLE_OK)
		o->total_us = t;
	ctl_fetch_cert(h, o);
	curl_easy_cleanup(h);
	free(ca);
	return 0;
}
