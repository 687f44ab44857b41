/* Failed connections to the proxy in HAProxy's access lines (passive.c). */
#include "passive.h"
#include "unit.h"

#define HTTP(be, term) "198.51.100.2:40000 dst=203.0.113.80:80 fe=fe_http sni=- " \
	"be=" be " status=503 bytes=217 time=3004 uri=http://origin.test/x term=" term
#define TUNNEL(be, term) "127.0.0.1:0 dst=203.0.113.44:443 fe=ls_connect " \
	"be=" be " bytes=0 time=3001 term=" term

/* Lines and whether each tells of a failed connection to the proxy. */
static const struct {
	const char	*line;
	bool		 failed;
} lines[] = {
	{ HTTP("be_proxy/proxy", "SC--"), true },
	{ HTTP("be_proxy/proxy", "sC--"), true },	/* timeout */
	{ TUNNEL("ls_connect/proxy", "SC"), true },
	{ TUNNEL("ls_connect/proxy", "sC"), true },
	/* Answered, or failed later than the connection. */
	{ HTTP("be_proxy/proxy", "----"), false },
	{ HTTP("be_proxy/proxy", "SH--"), false },
	{ HTTP("be_proxy/proxy", "CC--"), false },	/* client */
	{ TUNNEL("ls_connect/proxy", "SD"), false },
	/* Not the proxy: the origin, a refused request, the TLS hand-off. */
	{ HTTP("be_origin/origin", "SC--"), false },
	{ HTTP("fe_http/<NOSRV>", "SC--"), false },
	{ TUNNEL("be_proxy/proxy2", "SC"), false },
	{ TUNNEL("be_proxy/prox", "SC"), false },
	/* Malformed or other lines. */
	{ "", false },
	{ "mgmt-proxy-tunnel refused a.test:443 503", false },
	{ "be=be_proxy/proxy term=SC", false },	/* no leading field */
	{ "x be=be_proxy/proxy term=SCX", false },
	{ "x be=be_proxy/proxy term=S", false },
	{ "x be=be_proxy/proxy", false },
	{ "x be=be_proxy/proxy term=SC origin-tls=-", false },
	/* The last term= counts: a URI cannot end the line. */
	{ "x be=be_proxy/proxy uri=/a term=SC term=----", false },
	{ "x be=be_proxy/proxy uri=/a term=-- term=SC", true },
};

START_TEST(line_failed)
{
	ck_assert_msg(passive_line_failed(lines[_i].line) == lines[_i].failed,
	    "%s: expected %s", lines[_i].line, lines[_i].failed ? "failed" : "not failed");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *none[] = { NULL };

	return unit_suite_loop("passive", none, line_failed,
	    sizeof(lines) / sizeof(lines[0]));
}
