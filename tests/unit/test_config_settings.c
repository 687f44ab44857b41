/* Configuration parser, config_settings.c: the mgmt-proxy settings (health
 * check, notify, forwarder, intercept, TLS, HA, metrics). */
#include <stdio.h>
#include <string.h>

#include "config_test.h"
#include "unit.h"

START_TEST(health_check)
{
	static const struct {
		const char *interval, *timeout, *want;
	} t[] = {
		{ "0", "3", "t.yaml:3:15: interval 0 out of range 1-86400" },
		{ "86401", "3", "t.yaml:3:15: interval 86401 out of range 1-86400" },
		{ "-5", "3", "t.yaml:3:15: interval -5 out of range 1-86400" },
		{ "99999999999999999999", "3", "t.yaml:3:15: interval 99999999999999999999 out of range 1-86400" },
		{ "060", "3", "t.yaml:3:15: ambiguous integer \"060\" (leading zero)" },
		{ "abc", "3", "t.yaml:3:15: expected an integer, got \"abc\"" },
		{ "60", "0", "t.yaml:4:14: timeout 0 out of range 1-60" },
		{ "60", "61", "t.yaml:4:14: timeout 61 out of range 1-60" },
		{ "60", "3s", "t.yaml:4:14: expected an integer, got \"3s\"" },
		{ "3", "4", "t.yaml:4:14: timeout 4 must not exceed interval 3" },
		{ "10", "30", "t.yaml:4:14: timeout 30 must not exceed interval 10" },
	};
	char y[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(y, sizeof(y), "mgmt-proxy:\n  health-check:\n"
		    "    interval: %s\n    timeout: %s\n", t[i].interval,
		    t[i].timeout);
		FAILS(y, t[i].want);
	}
	/* The default timeout (3) is checked against a lower interval. */
	FAILS("mgmt-proxy:\n  health-check:\n    interval: 2\n",
	    "t.yaml:3:5: timeout 3 must not exceed interval 2");
	OK("mgmt-proxy:\n  health-check:\n    interval: 1\n    timeout: 1\n");
	OK("mgmt-proxy:\n  health-check:\n    interval: 86400\n    timeout: 60\n");
	ck_assert_uint_eq(cfg.hc_interval, 86400);
	ck_assert_uint_eq(cfg.hc_timeout, 60);
	OK("mgmt-proxy:\n  health-check: {interval: 2, timeout: 1}\n");
	ck_assert_uint_eq(cfg.hc_interval, 2);
	ck_assert_uint_eq(cfg.hc_timeout, 1);
	OK("mgmt-proxy:\n  health-check: {timeout: +10}\n");
	ck_assert_uint_eq(cfg.hc_timeout, 10);
	ck_assert_uint_eq(cfg.hc_fall, 1);		/* defaults */
	ck_assert_uint_eq(cfg.hc_rise, 1);
	OK("mgmt-proxy:\n  health-check: {fall: 3, rise: 10}\n");
	ck_assert_uint_eq(cfg.hc_fall, 3);
	ck_assert_uint_eq(cfg.hc_rise, 10);
	FAILS("mgmt-proxy:\n  health-check: {fall: 0}\n",
	    "t.yaml:2:24: fall 0 out of range 1-10");
	FAILS("mgmt-proxy:\n  health-check: {rise: 11}\n",
	    "t.yaml:2:24: rise 11 out of range 1-10");
}
END_TEST

START_TEST(notify)
{
	OK("mgmt-proxy:\n  notify: /usr/local/sbin/notify\n");
	ck_assert_str_eq(cfg.notify, "/usr/local/sbin/notify");
	ck_assert_uint_eq(cfg.notify_line, 2);
	ck_assert_uint_eq(cfg.notify_col, 11);
	FAILS("mgmt-proxy:\n  notify: notify.sh\n",
	    "t.yaml:2:11: path \"notify.sh\" is not absolute");
}
END_TEST

START_TEST(forwarder)
{
	FAILS("mgmt-proxy:\n  forwarder: foo\n",
	    "t.yaml:2:14: unknown forwarder \"foo\" (expected haproxy or none)");
	FAILS("mgmt-proxy:\n  forwarder:\n",
	    "t.yaml:2:13: expected a string, got null");
	OK("mgmt-proxy:\n  forwarder: none\n");
	ck_assert_int_eq(cfg.forwarder, FWD_NONE);
	OK("mgmt-proxy:\n  forwarder: \"haproxy\"\n");
	ck_assert_int_eq(cfg.forwarder, FWD_HAPROXY);
}
END_TEST

START_TEST(intercept)
{
	FAILS("mgmt-proxy:\n  intercept:\n    interfaces: [abcdefghijklmnop]\n",
	    "t.yaml:3:18: invalid interface name \"abcdefghijklmnop\" "
	    "(1-15 characters of A-Z a-z 0-9 _ . -)");
	FAILS("mgmt-proxy:\n  intercept:\n    interfaces: [\"eth 0\", ., eth0/1, \"\"]\n",
	    "t.yaml:3:18: invalid interface name \"eth 0\" (1-15 characters of A-Z a-z 0-9 _ . -)\n"
	    "t.yaml:3:27: invalid interface name \".\" (1-15 characters of A-Z a-z 0-9 _ . -)\n"
	    "t.yaml:3:30: invalid interface name \"eth0/1\" (1-15 characters of A-Z a-z 0-9 _ . -)\n"
	    "t.yaml:3:38: invalid interface name \"\" (1-15 characters of A-Z a-z 0-9 _ . -)");
	FAILS("mgmt-proxy:\n  intercept:\n    interfaces: [eth0, eth0]\n",
	    "t.yaml:3:24: duplicate interface \"eth0\"");
	FAILS("mgmt-proxy:\n  intercept:\n    interfaces: [a, b, c, d, e, f, g, h, i]\n",
	    "t.yaml:3:42: too many interfaces (max 8)");
	FAILS("mgmt-proxy:\n  intercept:\n    interfaces: kni254\n",
	    "t.yaml:3:17: expected a list, got \"kni254\"");
	FAILS("mgmt-proxy:\n  intercept:\n    http-ports: [0]\n",
	    "t.yaml:3:18: invalid port 0: port out of range 1-65535");
	FAILS("mgmt-proxy:\n  intercept:\n    http-ports: [8080, 8080]\n",
	    "t.yaml:3:24: duplicate port 8080");
	FAILS("mgmt-proxy:\n  intercept:\n    http-ports: [80]\n    https-ports: [80]\n",
	    "t.yaml:4:19: duplicate port 80");
	FAILS("mgmt-proxy:\n  intercept:\n    http-ports: [443]\n",
	    "t.yaml:3:17: duplicate port 443");
	FAILS("mgmt-proxy:\n  intercept:\n    https-ports: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n",
	    "t.yaml:3:43: too many ports (max 8)");
}
END_TEST

START_TEST(intercept_ok)
{
	OK("mgmt-proxy:\n  intercept:\n"
	    "    interfaces: [abcdefghijklmno, eth0.100, br_mgmt-1]\n"
	    "    http-ports: [80, 8080]\n    https-ports: [443, 8443]\n");
	ck_assert_uint_eq(cfg.nintercept, 3);
	ck_assert_str_eq(cfg.intercept_if[0], "abcdefghijklmno");
	ck_assert_str_eq(cfg.intercept_if[2], "br_mgmt-1");
	ck_assert_uint_eq(cfg.nhttp_port, 2);
	ck_assert_uint_eq(cfg.http_port[1], 8080);
	ck_assert_uint_eq(cfg.nhttps_port, 2);
	ck_assert_uint_eq(cfg.https_port[1], 8443);
	OK("mgmt-proxy:\n  forwarder: none\n  intercept: {http-ports: []}\n");
	ck_assert_uint_eq(cfg.nhttp_port, 0);
	ck_assert_uint_eq(cfg.nhttps_port, 1);
}
END_TEST

/* What HAProxy or nftables cannot run is refused at check time. */
START_TEST(intercept_unrunnable)
{
	FAILS("mgmt-proxy:\n  intercept: {http-ports: []}\n",
	    "t.yaml:2:27: intercept.http-ports must not be empty with forwarder haproxy");
	FAILS("mgmt-proxy:\n  intercept:\n    interfaces: []\n"
	    "    http-ports:\n    https-ports: []\n",
	    "t.yaml:3:17: intercept.interfaces must not be empty with forwarder haproxy\n"
	    "t.yaml:4:16: intercept.http-ports must not be empty with forwarder haproxy\n"
	    "t.yaml:5:18: intercept.https-ports must not be empty with forwarder haproxy");
	/* The forwarder is known only at the end; order does not matter. */
	FAILS("mgmt-proxy:\n  intercept: {interfaces: []}\n  forwarder: haproxy\n",
	    "t.yaml:2:27: intercept.interfaces must not be empty with forwarder haproxy");
	OK("mgmt-proxy:\n  intercept: {interfaces: [], http-ports: [], https-ports: []}\n"
	    "  forwarder: none\n");
	/* Items refused one by one are not reported again as "empty". */
	FAILS("mgmt-proxy:\n  intercept: {http-ports: [0]}\n",
	    "t.yaml:2:28: invalid port 0: port out of range 1-65535");
	/* HAProxy's own listener ports, in either list, whatever the forwarder. */
	FAILS("mgmt-proxy:\n  forwarder: none\n  intercept:\n"
	    "    http-ports: [80, 47080]\n    https-ports: [47443]\n",
	    "t.yaml:4:22: port 47080 is a listener port of the forwarder\n"
	    "t.yaml:5:19: port 47443 is a listener port of the forwarder");
	FAILS("mgmt-proxy:\n  intercept: {https-ports: [47080]}\n",
	    "t.yaml:2:29: port 47080 is a listener port of the forwarder");
}
END_TEST

START_TEST(tls_paths)
{
	char y[512], want[512], path[301];

	FAILS("mgmt-proxy:\n  tls:\n    ca-cert: ca.crt\n    ca-key: \"\"\n",
	    "t.yaml:3:14: path \"ca.crt\" is not absolute\n"
	    "t.yaml:4:13: path must not be empty");
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(y, sizeof(y), "mgmt-proxy:\n  tls: {ca-key: %s}\n", path);
	snprintf(want, sizeof(want),
	    "t.yaml:2:17: path too long (max %d characters)", CFG_PATH_MAX - 1);
	FAILS(y, want);
	OK("mgmt-proxy:\n  tls: {ca-cert: /a/ca.pem, ca-key: /a/ca.key}\n");
	ck_assert_str_eq(cfg.ca_cert, "/a/ca.pem");
	ck_assert_str_eq(cfg.ca_key, "/a/ca.key");
}
END_TEST

START_TEST(ha)
{
	FAILS("mgmt-proxy:\n  ha:\n    listen: \"169.254.253.1\"\n"
	    "    peer: 169.254.253.2:0\n",
	    "t.yaml:3:13: invalid listen address \"169.254.253.1\": missing port\n"
	    "t.yaml:4:11: invalid peer address \"169.254.253.2:0\": port out of range 1-65535");
	FAILS("mgmt-proxy:\n  ha:\n    listen: \"169.254.253.1:4790\"\n"
	    "    peer: 169.254.253.1:4790\n",
	    "t.yaml:4:11: peer address must differ from listen address");
	FAILS("mgmt-proxy:\n  ha:\n    listen: 4790\n    peer: [a]\n"
	    "    key-file: ha.key\n",
	    "t.yaml:3:13: invalid listen address \"4790\": missing port\n"
	    "t.yaml:4:11: expected \"A.B.C.D:PORT\", got a list\n"
	    "t.yaml:5:15: path \"ha.key\" is not absolute");
	OK("mgmt-proxy:\n  ha:\n    listen: \"169.254.253.2:4790\"\n"
	    "    peer: 169.254.253.1:4791\n    key-file: /k\n");
	ck_assert(cfg.ha_enabled);
	ck_assert_uint_eq(cfg.ha_listen.ip, 0xa9fefd02u);
	ck_assert_uint_eq(cfg.ha_peer.ip, 0xa9fefd01u);
	ck_assert_uint_eq(cfg.ha_peer.port, 4791);
	ck_assert_str_eq(cfg.ha_key_file, "/k");
}
END_TEST

START_TEST(metrics)
{
	OK("mgmt-proxy:\n  log: {level: info}\n");
	ck_assert(!cfg.metrics_enabled);
	/* Every interface of the box, the WAN's too: refused. */
	FAILS("mgmt-proxy:\n  metrics: {listen: \"0.0.0.0:9464\"}\n",
	    "t.yaml:2:21: invalid metrics listen address \"0.0.0.0:9464\": "
	    "unspecified address 0.0.0.0");
	FAILS("mgmt-proxy:\n  metrics: {}\n", "t.yaml:2:12: missing key \"listen\"");
	FAILS("mgmt-proxy:\n  metrics: {listen: \"127.0.0.1\"}\n",
	    "t.yaml:2:21: invalid metrics listen address \"127.0.0.1\": missing port");
	OK("mgmt-proxy:\n  metrics:\n    listen: \"127.0.0.1:9464\"\n");
	ck_assert(cfg.metrics_enabled);
	ck_assert_uint_eq(cfg.metrics_listen.ip, 0x7f000001u);
	ck_assert_uint_eq(cfg.metrics_listen.port, 9464);
}
END_TEST

START_TEST(tls_connect_keys)
{
	OK("");
	ck_assert(cfg.tls_inspect);
	ck_assert_uint_eq(cfg.nno_inspect, 0);
	OK("mgmt-proxy:\n  tls:\n    inspect: false\n"
	    "    no-inspect: [Pinned.Example.NET, \"*.example.org\"]\n"
	    "    origin-ca: [/etc/a.pem, /etc/b.pem]\n"
	    "  upstream: {auth: {type: basic, credentials-file: /etc/cred}}\n");
	ck_assert(!cfg.tls_inspect);
	ck_assert_uint_eq(cfg.nno_inspect, 2);
	ck_assert_str_eq(cfg.no_inspect[0], "pinned.example.net");
	ck_assert_str_eq(cfg.no_inspect[1], "*.example.org");
	ck_assert_uint_eq(cfg.norigin_ca, 2);
	ck_assert_str_eq(cfg.origin_ca[1], "/etc/b.pem");
	ck_assert_str_eq(cfg.auth_file, "/etc/cred");
	ck_assert_uint_eq(cfg.auth_line, 6);
	ck_assert_uint_eq(cfg.auth_col, 52);
	FAILS("mgmt-proxy:\n  tls: {no-inspect: [\"a b\", \"*.\", x..y, \"*.1.2.3.4\", ok.test, OK.test]}\n",
	    "t.yaml:2:22: \"a b\" is not a host name or \"*.\" and a domain\n"
	    "t.yaml:2:29: \"*.\" is not a host name or \"*.\" and a domain\n"
	    "t.yaml:2:35: \"x..y\" is not a host name or \"*.\" and a domain\n"
	    "t.yaml:2:41: \"*.1.2.3.4\" is not a host name or \"*.\" and a domain\n"
	    "t.yaml:2:63: duplicate no-inspect name \"ok.test\"");
	FAILS("mgmt-proxy:\n  tls: {origin-ca: [relative.pem]}\n",
	    "t.yaml:2:21: path \"relative.pem\" is not absolute");
	FAILS("mgmt-proxy:\n  upstream: {auth: {type: digest, credentials-file: /c}}\n",
	    "t.yaml:2:27: auth type must be basic");
}
END_TEST

START_TEST(no_inspect_limit)
{
	char yaml[8192] = "mgmt-proxy:\n  tls:\n    no-inspect:\n";
	size_t o = strlen(yaml);

	for (int i = 0; i < CFG_MAX_NO_INSPECT; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "      - n%d.test\n", i);
	OK(yaml);
	ck_assert_uint_eq(cfg.nno_inspect, CFG_MAX_NO_INSPECT);
	snprintf(yaml + o, sizeof(yaml) - o, "      - one-more.test\n");
	FAILS(yaml, "t.yaml:68:9: too many no-inspect names (max 64)");
}
END_TEST

CONFIG_TEST_SUITE("config_settings", health_check, notify, forwarder,
    intercept, intercept_ok, intercept_unrunnable, tls_paths, ha, metrics,
    tls_connect_keys, no_inspect_limit)
