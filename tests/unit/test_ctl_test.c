/* mgmt-proxyctl test (ctl_test.c): from what libcurl saw to steps and a
 * verdict. */
#include <curl/curl.h>
#include <errno.h>
#include <string.h>

#include "ctl_test.h"
#include "unit.h"

static struct ctl_test_obs o;
static struct ctl_test_report r;

static void
obs(bool https)
{
	memset(&o, 0, sizeof(o));
	o.https = https;
	snprintf(o.proxy, sizeof(o.proxy), "203.0.113.10:3128");
	snprintf(o.url, sizeof(o.url), https ? "https://a.test/x" : "http://a.test/x");
	o.connect_timeout_ms = 3000;
	o.timeout_ms = 15000;
}

/* A successful https fetch, step by step. */
static void
obs_https_ok(void)
{
	obs(true);
	o.sent_us = 900;
	o.connect_us = 1000;
	o.reply_us = 2000;
	snprintf(o.connect_line, sizeof(o.connect_line), "HTTP/1.1 200 Connection established\r\n");
	o.appconnect_us = 5000;
	snprintf(o.subject, sizeof(o.subject), " CN = a.test");
	snprintf(o.issuer, sizeof(o.issuer), " CN = Lab CA");
	o.starttransfer_us = 6000;
	snprintf(o.http_line, sizeof(o.http_line), "HTTP/1.1 200 OK\r\n");
	o.total_us = 6500;
	o.bytes = 42;
}

START_TEST(status_line)
{
	char t[CTL_TEST_LINE_MAX];

	ck_assert_int_eq(ctl_test_status("HTTP/1.1 407 Proxy Authentication Required\r\n",
	    t, sizeof(t)), 407);
	ck_assert_str_eq(t, "407 Proxy Authentication Required");
	ck_assert_int_eq(ctl_test_status("HTTP/2 200\r\n", t, sizeof(t)), 200);
	ck_assert_str_eq(t, "200");
	ck_assert_int_eq(ctl_test_status("HTTP/1.0 502 Bad\x1b[31m\r\n", t, sizeof(t)), 502);
	ck_assert_str_eq(t, "502 Bad?[31m");
	ck_assert_int_eq(ctl_test_status("HTTP/1.1 20 OK", t, sizeof(t)), 0);
	ck_assert_int_eq(ctl_test_status("HTTP/1.1 2000 OK", t, sizeof(t)), 0);
	ck_assert_int_eq(ctl_test_status("SSH-2.0", t, sizeof(t)), 0);
	ck_assert_int_eq(ctl_test_status("HTTP/1.1 074 x", t, sizeof(t)), 0);
	ck_assert_int_eq(ctl_test_status("", t, sizeof(t)), 0);
	ck_assert_int_eq(ctl_test_status("HTTP/1.1 ", t, sizeof(t)), 0);
}
END_TEST

START_TEST(https_ok)
{
	obs_https_ok();
	ctl_test_evaluate(&o, &r);
	ck_assert(r.ok);
	ck_assert_ptr_null(r.failed);
	ck_assert_uint_eq(r.nsteps, 5);
	ck_assert_str_eq(r.steps[0].step, "proxy-connect");
	ck_assert_str_eq(r.steps[0].detail, "TCP to 203.0.113.10:3128");
	ck_assert(r.steps[0].ms == 1.0);
	ck_assert_str_eq(r.steps[1].step, "proxy-reply");
	ck_assert_str_eq(r.steps[1].detail, "CONNECT: 200 Connection established");
	ck_assert_str_eq(r.steps[2].step, "origin-tls");
	ck_assert_str_eq(r.steps[2].detail, "verified; subject  CN = a.test; issuer  CN = Lab CA");
	ck_assert_str_eq(r.steps[3].step, "http");
	ck_assert_str_eq(r.steps[3].detail, "GET https://a.test/x: 200 OK");
	ck_assert_str_eq(r.steps[4].step, "body");
	ck_assert_str_eq(r.steps[4].detail, "42 bytes");
	ck_assert(r.steps[4].ms == 6.5);
}
END_TEST

START_TEST(http_ok_and_redirect)
{
	obs(false);
	o.connect_us = 1000;
	snprintf(o.http_line, sizeof(o.http_line), "HTTP/1.1 302 Found\r\n");
	o.starttransfer_us = 3000;
	o.total_us = 3000;
	ctl_test_evaluate(&o, &r);
	ck_assert(r.ok);
	ck_assert_uint_eq(r.nsteps, 3);
	ck_assert_str_eq(r.steps[1].step, "proxy-reply");
	ck_assert_str_eq(r.steps[1].detail, "GET http://a.test/x: 302 Found");
	ck_assert_str_eq(r.steps[2].detail, "0 bytes");
}
END_TEST

START_TEST(proxy_refuses_connection)
{
	obs(true);
	o.code = CURLE_COULDNT_CONNECT;
	o.os_errno = ECONNREFUSED;
	ctl_test_evaluate(&o, &r);
	ck_assert(!r.ok);
	ck_assert_uint_eq(r.nsteps, 0);
	ck_assert_str_eq(r.failed, "proxy-connect");
	ck_assert_str_eq(r.reason, "cannot connect to proxy 203.0.113.10:3128: Connection refused");
	obs(false);
	o.code = CURLE_OPERATION_TIMEDOUT;
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.reason, "cannot connect to proxy 203.0.113.10:3128: no answer within 3.0 s");
}
END_TEST

START_TEST(connect_refused_407)
{
	obs(true);
	o.sent_us = 800;	/* libcurl gives no connect time then */
	o.code = CURLE_RECV_ERROR;
	snprintf(o.connect_line, sizeof(o.connect_line),
	    "HTTP/1.1 407 Proxy Authentication Required\r\n");
	ctl_test_evaluate(&o, &r);
	ck_assert(!r.ok);
	ck_assert_uint_eq(r.nsteps, 1);
	ck_assert(r.steps[0].ms == 0.8);
	ck_assert_str_eq(r.failed, "proxy-reply");
	ck_assert_str_eq(r.reason, "proxy refused CONNECT: 407 Proxy Authentication Required");
}
END_TEST

START_TEST(connect_no_reply)
{
	obs(true);
	o.connect_us = 500;
	o.code = CURLE_OPERATION_TIMEDOUT;
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.failed, "proxy-reply");
	ck_assert_str_eq(r.reason, "no reply from the proxy to CONNECT: no answer within 3.0 s");
}
END_TEST

START_TEST(origin_untrusted_and_tls_error)
{
	obs_https_ok();
	o.appconnect_us = o.starttransfer_us = o.total_us = 0;
	o.http_line[0] = '\0';
	o.code = CURLE_PEER_FAILED_VERIFICATION;
	snprintf(o.error, sizeof(o.error), "SSL certificate problem: unable to get local issuer certificate");
	ctl_test_evaluate(&o, &r);
	ck_assert_uint_eq(r.nsteps, 2);
	ck_assert_str_eq(r.failed, "origin-tls");
	ck_assert_str_eq(r.reason, "origin certificate not trusted: SSL certificate problem: "
	    "unable to get local issuer certificate");
	o.code = CURLE_SSL_CONNECT_ERROR;
	o.error[0] = '\0';
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.failed, "origin-tls");
	ck_assert_str_eq(r.reason, "TLS with the origin failed: SSL connect error");
}
END_TEST

START_TEST(error_answers)
{
	obs_https_ok();
	snprintf(o.http_line, sizeof(o.http_line), "HTTP/1.1 404 Not Found\r\n");
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.failed, "http");
	ck_assert_str_eq(r.reason, "origin answered 404 Not Found");
	ck_assert_uint_eq(r.nsteps, 3);
	obs(false);
	o.connect_us = 100;
	snprintf(o.http_line, sizeof(o.http_line), "HTTP/1.1 407 Proxy Authentication Required\r\n");
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.failed, "proxy-reply");
	ck_assert_str_eq(r.reason, "proxy refused the request: 407 Proxy Authentication Required");
	snprintf(o.http_line, sizeof(o.http_line), "HTTP/1.1 503 Service Unavailable\r\n");
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.reason, "proxy answered 503 Service Unavailable");
	o.http_line[0] = '\0';
	o.code = CURLE_OPERATION_TIMEDOUT;
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.failed, "proxy-reply");
	ck_assert_str_eq(r.reason, "no answer to GET http://a.test/x: no answer within 15.0 s");
}
END_TEST

START_TEST(body_cut)
{
	obs_https_ok();
	o.code = CURLE_PARTIAL_FILE;
	snprintf(o.error, sizeof(o.error), "transfer closed with 10 bytes remaining");
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.failed, "body");
	ck_assert_str_eq(r.reason, "body cut after 42 bytes: transfer closed with 10 bytes remaining");
	ck_assert_uint_eq(r.nsteps, 4);
}
END_TEST

START_TEST(not_in_effect_never_ok)
{
	obs_https_ok();
	o.not_in_effect = true;
	snprintf(o.state, sizeof(o.state), "unreachable");
	ctl_test_evaluate(&o, &r);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.failed, "proxy");
	ck_assert_str_eq(r.reason, "no proxy in effect (state: unreachable); the selected "
	    "proxy 203.0.113.10:3128: it answered this test");
	obs(true);
	o.not_in_effect = true;
	snprintf(o.state, sizeof(o.state), "unreachable");
	o.code = CURLE_COULDNT_CONNECT;
	o.os_errno = ECONNREFUSED;
	ctl_test_evaluate(&o, &r);
	ck_assert_str_eq(r.failed, "proxy-connect");
	ck_assert(strstr(r.reason, "; the selected proxy 203.0.113.10:3128: cannot connect") != NULL);
	ctl_test_no_proxy("disabled", &r);
	ck_assert(!r.ok);
	ck_assert_str_eq(r.reason, "no proxy in effect (state: disabled)");
}
END_TEST

START_TEST(json_contract)
{
	json_t *doc, *ca = json_pack("[s]", "/etc/x.pem");

	obs_https_ok();
	ctl_test_evaluate(&o, &r);
	doc = ctl_test_json("https://a.test/x", "203.0.113.10:3128", "none configured", ca, &r);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "url")), "https://a.test/x");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "proxy")), "203.0.113.10:3128");
	ck_assert(json_is_true(json_object_get(doc, "ok")));
	ck_assert(json_is_null(json_object_get(doc, "failed-step")));
	ck_assert(json_is_null(json_object_get(doc, "reason")));
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "steps")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(doc, "steps"), 2), "step")), "origin-tls");
	ck_assert(json_real_value(json_object_get(json_array_get(
	    json_object_get(doc, "steps"), 0), "ms")) == 1.0);
	json_decref(doc);
	ctl_test_no_proxy("disabled", &r);
	doc = ctl_test_json("http://\x01x", NULL, NULL, NULL, &r);
	ck_assert(json_is_null(json_object_get(doc, "proxy")));
	ck_assert(json_is_false(json_object_get(doc, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "url")), "http://?x");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "failed-step")), "proxy");
	json_decref(doc);
	json_decref(ca);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		status_line, https_ok, http_ok_and_redirect,
		proxy_refuses_connection, connect_refused_407,
		connect_no_reply, origin_untrusted_and_tls_error,
		error_answers, body_cut, not_in_effect_never_ok,
		json_contract, NULL,
	};

	return unit_suite_of("ctl_test", NULL, NULL, tests);
}
