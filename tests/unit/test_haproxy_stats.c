/* The reading of HAProxy's runtime-API answer (haproxy_stats.c). */
#include "haproxy_stats.h"
#include "unit.h"

static const char stats_answer[] =
    "Name: HAProxy\nVersion: 2.6.12-1+deb12u1\nPid: 4242\nUptime_sec: 61\n"
    "CurrConns: 3\nCumConns: 30\nCumReq: 44\n\n"
    "# pxname,svname,qcur,ereq,econ,eresp,type,\n"
    "fe_http,FRONTEND,,2,,,0,\n"
    "fe_tls_sni,FRONTEND,,1,,,0,\n"
    "be_proxy,BACKEND,0,,4,1,1,\n"
    "ls_connect,BACKEND,0,,1,0,1,\n"
    "short,line\n\n";

START_TEST(stats_parse)
{
	struct haproxy_stats st;

	ck_assert(haproxy_stats_parse(stats_answer, &st));
	ck_assert_str_eq(st.version, "2.6.12-1+deb12u1");
	ck_assert_uint_eq(st.pid, 4242);
	ck_assert_uint_eq(st.uptime, 61);
	ck_assert_uint_eq(st.cur_conns, 3);
	ck_assert_uint_eq(st.cum_conns, 30);
	ck_assert_uint_eq(st.cum_req, 44);
	ck_assert_uint_eq(st.req_errors, 3);
	ck_assert_uint_eq(st.conn_errors, 5);
	ck_assert_uint_eq(st.resp_errors, 1);
	/* An answer cut before the info is complete is no figure at all. */
	ck_assert(!haproxy_stats_parse("Pid: 1\nUptime_sec: 2\n", &st));
	ck_assert(!haproxy_stats_parse("Unknown command\n", &st));
	ck_assert(!haproxy_stats_parse("Pid: x\nUptime_sec: 2\nCurrConns: 1\nCumConns: 1\n", &st));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = { stats_parse, NULL };

	return unit_suite_of("haproxy_stats", NULL, NULL, tests);
}
