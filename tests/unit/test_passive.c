/* Failed connections to the proxy in HAProxy's access lines (passive.c). */
#include "passive.h"
#include "unit.h"

#define HTTP(be, term) "198.51.100.2:40000 dst=203.0.113.80:80 fe=fe_http sni=- " \
	"be=" be " status=503 bytes=217 time=3004 uri=http://origin.test/x term=" term
#define TUNNEL(be, term) "127.0.0.1:0 dst=203.0.113.44:443 fe=ls_connect " \
	"be=" be " bytes=0 time=3001 term=" term

START_TEST(connect_failures_to_the_proxy)
{
	ck_assert(passive_line_failed(HTTP("be_proxy/proxy", "SC--")));
	ck_assert(passive_line_failed(HTTP("be_proxy/proxy", "sC--")));	/* timeout */
	ck_assert(passive_line_failed(TUNNEL("ls_connect/proxy", "SC")));
	ck_assert(passive_line_failed(TUNNEL("ls_connect/proxy", "sC")));
}
END_TEST

START_TEST(other_lines_are_not)
{
	/* Answered, or failed later than the connection. */
	ck_assert(!passive_line_failed(HTTP("be_proxy/proxy", "----")));
	ck_assert(!passive_line_failed(HTTP("be_proxy/proxy", "SH--")));
	ck_assert(!passive_line_failed(HTTP("be_proxy/proxy", "CC--")));	/* client */
	ck_assert(!passive_line_failed(TUNNEL("ls_connect/proxy", "SD")));
	/* Not the proxy: the origin, a refused request, the TLS hand-off. */
	ck_assert(!passive_line_failed(HTTP("be_origin/origin", "SC--")));
	ck_assert(!passive_line_failed(HTTP("fe_http/<NOSRV>", "SC--")));
	ck_assert(!passive_line_failed(TUNNEL("be_proxy/proxy2", "SC")));
	ck_assert(!passive_line_failed(TUNNEL("be_proxy/prox", "SC")));
	/* Malformed or other lines. */
	ck_assert(!passive_line_failed(""));
	ck_assert(!passive_line_failed("mgmt-proxy-tunnel refused a.test:443 503"));
	ck_assert(!passive_line_failed("be=be_proxy/proxy term=SC"));	/* no leading field */
	ck_assert(!passive_line_failed("x be=be_proxy/proxy term=SCX"));
	ck_assert(!passive_line_failed("x be=be_proxy/proxy term=S"));
	ck_assert(!passive_line_failed("x be=be_proxy/proxy"));
	ck_assert(!passive_line_failed("x be=be_proxy/proxy term=SC origin-tls=-"));
	/* The last term= counts: a URI cannot end the line. */
	ck_assert(!passive_line_failed("x be=be_proxy/proxy uri=/a term=SC term=----"));
	ck_assert(passive_line_failed("x be=be_proxy/proxy uri=/a term=-- term=SC"));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		connect_failures_to_the_proxy, other_lines_are_not,
		NULL,
	};

	return unit_suite_of("passive", NULL, NULL, tests);
}
