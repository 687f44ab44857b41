/* Configuration parser (config.c): defaults, the documented full example,
 * router/node selection, interface eligibility, and every error class with
 * its exact "FILE:LINE:COL: reason". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static struct config cfg;
static struct cfg_errors err;
static char joined[CFG_MAX_ERRORS * CFG_ERR_LEN];

static bool
parse(const char *yaml)
{
	return config_parse("t.yaml", yaml, strlen(yaml), &cfg, &err);
}

/* All errors, one per line, so a failed assertion shows every one. */
static const char *
errors(void)
{
	size_t o = 0;

	joined[0] = '\0';
	for (size_t i = 0; i < err.n && o < sizeof(joined); i++)
		o += (size_t)snprintf(joined + o, sizeof(joined) - o, "%s%s",
		    i ? "\n" : "", err.msg[i]);
	return joined;
}

#define OK(y) do {							\
	bool ok_ = parse(y);						\
	ck_assert_msg(ok_, "unexpected errors:\n%s", errors());		\
} while (0)

#define FAILS(y, want) do {						\
	ck_assert(!parse(y));						\
	ck_assert_str_eq(errors(), want);				\
} while (0)

/* Lines 1-4 of most inputs; management-proxy keys start on line 5. */
#define MP "authority:\n  router:\n    - name: r\n      management-proxy:\n"
/* A static proxy entry on lines 6-9: address value at 8:22, port at 9:19. */
#define PXHEAD MP "        mode: static\n        proxy:\n          - name: p\n"

#define FULL_EXAMPLE							\
"authority:\n"								\
"  router:\n"								\
"    - name: router\n"							\
"      management-proxy:\n"						\
"        enabled: true              # default true; mode decides\n"	\
"        mode: learned              # disabled (default) | static | learned\n" \
"        proxy:                     # static: exactly one entry, else a config error\n" \
"          - {name: 10.0.0.1, address: 10.0.0.1, port: 5000}\n"	\
"      node:\n"								\
"        - name: node1\n"						\
"          device-interface:\n"						\
"            - name: wan1\n"						\
"              network-interface:\n"					\
"                - {name: wan1, dhcp: v4, enable-proxy-discovery: true}   # default true\n" \
"mgmt-proxy:                        # settings of this implementation\n" \
"  router: router                   # which router / node of the tree is this box\n" \
"  node: node1\n"							\
"  forwarder: haproxy               # haproxy | none\n"		\
"  health-check: {interval: 60, timeout: 3}        # seconds\n"		\
"  intercept: {interfaces: [kni254], http-ports: [80], https-ports: [443]}\n" \
"  tls: {ca-cert: /etc/mgmt-proxy/ca.crt, ca-key: /etc/mgmt-proxy/ca.key}\n" \
"  ha: {listen: \"169.254.253.1:4790\", peer: \"169.254.253.2:4790\", key-file: /etc/mgmt-proxy/ha.key}\n"

START_TEST(defaults)
{
	config_defaults(&cfg);
	ck_assert(cfg.enabled);
	ck_assert(!cfg.has_mp);
	ck_assert_int_eq(cfg.mode, MODE_DISABLED);
	ck_assert_int_eq(cfg.forwarder, FWD_HAPROXY);
	ck_assert_uint_eq(cfg.hc_interval, 60);
	ck_assert_uint_eq(cfg.hc_timeout, 3);
	ck_assert_uint_eq(cfg.nintercept, 1);
	ck_assert_str_eq(cfg.intercept_if[0], "kni254");
	ck_assert_uint_eq(cfg.nhttp_port, 1);
	ck_assert_uint_eq(cfg.http_port[0], 80);
	ck_assert_uint_eq(cfg.nhttps_port, 1);
	ck_assert_uint_eq(cfg.https_port[0], 443);
	ck_assert_str_eq(cfg.ca_cert, "/etc/mgmt-proxy/ca.crt");
	ck_assert_str_eq(cfg.ca_key, "/etc/mgmt-proxy/ca.key");
	ck_assert_str_eq(cfg.ha_key_file, "/etc/mgmt-proxy/ha.key");
	ck_assert(!cfg.ha_enabled);
	ck_assert_uint_eq(cfg.nproxy, 0);
	ck_assert_uint_eq(cfg.niface, 0);
}
END_TEST

START_TEST(empty_and_minimal)
{
	OK("");
	ck_assert_int_eq(cfg.mode, MODE_DISABLED);
	ck_assert(!cfg.has_mp);
	OK("---\n");
	OK("# only a comment\n");
	OK("mgmt-proxy:\n  forwarder: none\n");
	ck_assert_int_eq(cfg.forwarder, FWD_NONE);
	ck_assert(!cfg.has_mp);
	ck_assert_uint_eq(cfg.hc_interval, 60);
	OK("authority:\n");
	OK("authority:\n  router: []\n");
	ck_assert_str_eq(cfg.router, "");
}
END_TEST

START_TEST(design_example)
{
	OK(FULL_EXAMPLE);
	ck_assert_str_eq(cfg.router, "router");
	ck_assert_str_eq(cfg.node, "node1");
	ck_assert(cfg.has_mp);
	ck_assert(cfg.enabled);
	ck_assert_int_eq(cfg.mode, MODE_LEARNED);
	ck_assert_uint_eq(cfg.nproxy, 1);
	ck_assert_str_eq(cfg.proxy[0].name, "10.0.0.1");
	ck_assert_uint_eq(cfg.proxy[0].addr.ip, 0x0a000001u);
	ck_assert_uint_eq(cfg.proxy[0].addr.port, 5000);
	ck_assert_uint_eq(cfg.niface, 1);
	ck_assert_str_eq(cfg.iface[0].name, "wan1");
	ck_assert_str_eq(cfg.iface[0].device, "wan1");
	ck_assert(cfg.iface[0].dhcp_v4);
	ck_assert(cfg.iface[0].proxy_discovery);
	ck_assert_int_eq(cfg.forwarder, FWD_HAPROXY);
	ck_assert_uint_eq(cfg.hc_interval, 60);
	ck_assert_uint_eq(cfg.hc_timeout, 3);
	ck_assert_uint_eq(cfg.nintercept, 1);
	ck_assert_str_eq(cfg.intercept_if[0], "kni254");
	ck_assert_uint_eq(cfg.http_port[0], 80);
	ck_assert_uint_eq(cfg.https_port[0], 443);
	ck_assert_str_eq(cfg.ca_cert, "/etc/mgmt-proxy/ca.crt");
	ck_assert_str_eq(cfg.ca_key, "/etc/mgmt-proxy/ca.key");
	ck_assert(cfg.ha_enabled);
	ck_assert_uint_eq(cfg.ha_listen.ip, 0xa9fefd01u);
	ck_assert_uint_eq(cfg.ha_listen.port, 4790);
	ck_assert_uint_eq(cfg.ha_peer.ip, 0xa9fefd02u);
	ck_assert_uint_eq(cfg.ha_peer.port, 4790);
	ck_assert_str_eq(cfg.ha_key_file, "/etc/mgmt-proxy/ha.key");
	ck_assert(config_iface_eligible(&cfg, "wan1"));
}
END_TEST

START_TEST(management_proxy_element)
{
	OK(MP);				/* "management-proxy:" alone */
	ck_assert(cfg.has_mp);
	ck_assert(cfg.enabled);
	ck_assert_int_eq(cfg.mode, MODE_DISABLED);
	OK("authority:\n  router:\n    - name: r\n      management-proxy: {}\n");
	ck_assert(cfg.has_mp);
	ck_assert_str_eq(cfg.router, "r");
	OK("authority:\n  router:\n    - name: r\n");
	ck_assert(!cfg.has_mp);
	/* enabled: false keeps the mode as written. */
	OK(PXHEAD "            address: 10.0.0.1\n            port: 5000\n"
	    "        enabled: false\n");
	ck_assert(!cfg.enabled);
	ck_assert_int_eq(cfg.mode, MODE_STATIC);
	ck_assert_uint_eq(cfg.nproxy, 1);
	OK(MP "        enabled: True\n        mode: disabled\n");
	ck_assert(cfg.enabled);
}
END_TEST

START_TEST(unknown_mode)
{
	FAILS(MP "        mode: foo\n",
	    "t.yaml:5:15: unknown mode \"foo\" (expected disabled, static or learned)");
	FAILS(MP "        mode: Static\n",
	    "t.yaml:5:15: unknown mode \"Static\" (expected disabled, static or learned)");
	FAILS(MP "        mode: [static]\n",
	    "t.yaml:5:15: expected a string, got a list");
	/* Control characters never reach a message. */
	FAILS(MP "        mode: \"st\\x01\"\n",
	    "t.yaml:5:15: unknown mode \"st?\" (expected disabled, static or learned)");
}
END_TEST

START_TEST(wrong_types)
{
	FAILS(MP "        enabled: maybe\n",
	    "t.yaml:5:18: expected a boolean (true or false), got \"maybe\"");
	FAILS(MP "        enabled: yes\n",
	    "t.yaml:5:18: expected a boolean (true or false), got \"yes\"");
	FAILS(MP "        enabled: \"true\"\n",
	    "t.yaml:5:18: expected a boolean (true or false), got \"true\"");
	FAILS(MP "        enabled:\n        mode: learned\n",
	    "t.yaml:5:17: expected a boolean (true or false), got null");
	FAILS(PXHEAD "            address: 10.0.0.1\n            port: abc\n",
	    "t.yaml:9:19: expected an integer, got \"abc\"");
	FAILS(PXHEAD "            address: 10.0.0.1\n            port: \"5000\"\n",
	    "t.yaml:9:19: expected an integer, got \"5000\"");
	FAILS(PXHEAD "            address: 10.0.0.1\n            port: 50.0\n",
	    "t.yaml:9:19: expected an integer, got \"50.0\"");
	FAILS(MP "        proxy: {name: p, address: 10.0.0.1, port: 5000}\n",
	    "t.yaml:5:16: expected a list, got a mapping");
	FAILS("authority:\n  router: {name: r}\n",
	    "t.yaml:2:11: expected a list, got a mapping");
	FAILS("authority: [r]\n",
	    "t.yaml:1:12: expected a mapping, got a list");
	FAILS("- a\n", "t.yaml:1:1: expected a mapping, got a list");
	FAILS("hello\n", "t.yaml:1:1: expected a mapping, got \"hello\"");
	FAILS("? [a]\n: b\n", "t.yaml:1:3: expected a string key, got a list");
	FAILS("authority:\n  router:\n    - r1\n",
	    "t.yaml:3:7: expected a mapping, got \"r1\"");
	FAILS(MP "        proxy:\n          - name: [p]\n"
	    "            address: 10.0.0.1\n            port: 1\n",
	    "t.yaml:6:19: expected a string, got a list");
}
END_TEST

START_TEST(static_proxy_count)
{
	FAILS(MP "        mode: static\n",
	    "t.yaml:5:9: static mode requires exactly one proxy, found 0");
	FAILS(MP "        mode: static\n        proxy: []\n",
	    "t.yaml:6:16: static mode requires exactly one proxy, found 0");
	FAILS(MP "        mode: static\n        proxy:\n"
	    "          - {name: a, address: 10.0.0.1, port: 5000}\n"
	    "          - {name: b, address: 10.0.0.2, port: 5000}\n",
	    "t.yaml:8:13: static mode requires exactly one proxy, found 2");
	/* Other modes take several entries, and still validate them. */
	OK(MP "        mode: learned\n        proxy:\n"
	    "          - {name: a, address: 10.0.0.1, port: 5000}\n"
	    "          - {name: b, address: 10.0.0.2, port: 5001}\n");
	ck_assert_uint_eq(cfg.nproxy, 2);
	ck_assert_uint_eq(cfg.proxy[1].addr.ip, 0x0a000002u);
	ck_assert_uint_eq(cfg.proxy[1].addr.port, 5001);
	FAILS(MP "        proxy:\n"
	    "          - {name: a, address: 10.0.0.0.1, port: 5000}\n",
	    "t.yaml:6:32: invalid address \"10.0.0.0.1\": not a dotted-quad IPv4 address");
}
END_TEST

START_TEST(too_many_proxies)
{
	char y[2048];
	size_t o;

	o = (size_t)snprintf(y, sizeof(y), MP "        mode: learned\n        proxy:\n");
	for (int i = 1; i <= CFG_MAX_PROXY + 1; i++)
		o += (size_t)snprintf(y + o, sizeof(y) - o,
		    "          - {name: p%d, address: 10.0.0.%d, port: 3128}\n",
		    i, i);
	FAILS(y, "t.yaml:15:13: too many proxy entries (max 8)");
	/* Exactly the maximum is fine. */
	*strstr(y, "          - {name: p9") = '\0';
	OK(y);
	ck_assert_uint_eq(cfg.nproxy, CFG_MAX_PROXY);
}
END_TEST

START_TEST(proxy_address)
{
	static const struct {
		const char *addr, *want;
	} t[] = {
		{ "10.0.0.256", "t.yaml:8:22: invalid address \"10.0.0.256\": IPv4 octet out of range" },
		{ "010.0.0.1", "t.yaml:8:22: invalid address \"010.0.0.1\": leading zero in IPv4 address" },
		{ "0.0.0.0", "t.yaml:8:22: invalid address \"0.0.0.0\": unspecified address 0.0.0.0" },
		{ "255.255.255.255", "t.yaml:8:22: invalid address \"255.255.255.255\": broadcast address" },
		{ "224.0.0.1", "t.yaml:8:22: invalid address \"224.0.0.1\": multicast address" },
		{ "proxy.example", "t.yaml:8:22: invalid address \"proxy.example\": not a dotted-quad IPv4 address" },
		{ "\"10.0.0.1:80\"", "t.yaml:8:22: invalid address \"10.0.0.1:80\": not a dotted-quad IPv4 address" },
		{ "[10.0.0.1]", "t.yaml:8:22: expected an IPv4 address, got a list" },
		{ "", "t.yaml:8:21: expected an IPv4 address, got null" },
	};
	char y[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(y, sizeof(y), PXHEAD "            address: %s\n"
		    "            port: 5000\n", t[i].addr);
		FAILS(y, t[i].want);
	}
	OK(PXHEAD "            address: \"203.0.113.10\"\n            port: 3128\n");
	ck_assert_uint_eq(cfg.proxy[0].addr.ip, 0xcb00710au);
}
END_TEST

START_TEST(proxy_port)
{
	static const struct {
		const char *port, *want;
	} t[] = {
		{ "0", "t.yaml:9:19: invalid port 0: port out of range 1-65535" },
		{ "65536", "t.yaml:9:19: invalid port 65536: port out of range 1-65535" },
		{ "99999999999", "t.yaml:9:19: invalid port 99999999999: port out of range 1-65535" },
		{ "-1", "t.yaml:9:19: invalid port -1: port out of range 1-65535" },
		{ "05000", "t.yaml:9:19: invalid port 05000: leading zero in port" },
		{ "0x50", "t.yaml:9:19: expected an integer, got \"0x50\"" },
	};
	char y[512];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(y, sizeof(y), PXHEAD "            address: 10.0.0.1\n"
		    "            port: %s\n", t[i].port);
		FAILS(y, t[i].want);
	}
	OK(PXHEAD "            address: 10.0.0.1\n            port: 65535\n");
	ck_assert_uint_eq(cfg.proxy[0].addr.port, 65535);
	OK(PXHEAD "            address: 10.0.0.1\n            port: 1\n");
	ck_assert_uint_eq(cfg.proxy[0].addr.port, 1);
}
END_TEST

START_TEST(missing_keys)
{
	FAILS(MP "        proxy:\n          - {name: p, address: 10.0.0.1}\n",
	    "t.yaml:6:13: missing key \"port\"");
	FAILS(MP "        proxy:\n          - {port: 1}\n",
	    "t.yaml:6:13: missing key \"name\"\n"
	    "t.yaml:6:13: missing key \"address\"");
	FAILS("authority:\n  router:\n    - management-proxy: {}\n",
	    "t.yaml:3:7: missing key \"name\"");
	FAILS("authority:\n  router:\n    - name: r\n      node:\n"
	    "        - device-interface:\n"
	    "            - network-interface: [{dhcp: v4}]\n",
	    "t.yaml:5:11: missing key \"name\"\n"
	    "t.yaml:6:15: missing key \"name\"\n"
	    "t.yaml:6:35: missing key \"name\"");
	FAILS("mgmt-proxy:\n  ha: {listen: \"169.254.253.1:4790\"}\n",
	    "t.yaml:2:7: missing key \"peer\"");
}
END_TEST

/* One pass reports every unknown key, at every level, in file order. */
START_TEST(unknown_keys)
{
	FAILS("bogus0: 1\n"
	    "authority:\n"
	    "  bogus1: 1\n"
	    "  router:\n"
	    "    - name: r\n"
	    "      bogus2: 1\n"
	    "      management-proxy:\n"
	    "        bogus3: 1\n"
	    "        proxy:\n"
	    "          - {name: p, address: 10.0.0.1, port: 1, bogus4: 1}\n"
	    "      node:\n"
	    "        - name: n\n"
	    "          bogus5: 1\n"
	    "          device-interface:\n"
	    "            - name: d\n"
	    "              bogus6: 1\n"
	    "              network-interface:\n"
	    "                - {name: e, bogus7: 1}\n"
	    "mgmt-proxy:\n"
	    "  bogus8: 1\n"
	    "  health-check: {bogus9: 1}\n"
	    "  intercept: {bogus10: 1}\n"
	    "  tls: {bogus11: 1}\n"
	    "  ha: {listen: \"1.2.3.4:1\", peer: \"1.2.3.5:1\", bogus12: 1}\n",
	    "t.yaml:1:1: unknown key \"bogus0\"\n"
	    "t.yaml:3:3: unknown key \"bogus1\"\n"
	    "t.yaml:6:7: unknown key \"bogus2\"\n"
	    "t.yaml:8:9: unknown key \"bogus3\"\n"
	    "t.yaml:10:51: unknown key \"bogus4\"\n"
	    "t.yaml:13:11: unknown key \"bogus5\"\n"
	    "t.yaml:16:15: unknown key \"bogus6\"\n"
	    "t.yaml:18:29: unknown key \"bogus7\"\n"
	    "t.yaml:20:3: unknown key \"bogus8\"\n"
	    "t.yaml:21:18: unknown key \"bogus9\"\n"
	    "t.yaml:22:15: unknown key \"bogus10\"\n"
	    "t.yaml:23:9: unknown key \"bogus11\"\n"
	    "t.yaml:24:48: unknown key \"bogus12\"");
}
END_TEST

START_TEST(duplicates)
{
	FAILS("authority:\n"
	    "  router:\n"
	    "    - name: r\n"
	    "      management-proxy:\n"
	    "        mode: learned\n"
	    "        mode: static\n"
	    "        proxy:\n"
	    "          - {name: p, address: 10.0.0.1, port: 1}\n"
	    "          - {name: p, address: 10.0.0.2, port: 1}\n"
	    "      node:\n"
	    "        - name: n\n"
	    "          device-interface:\n"
	    "            - name: d\n"
	    "              network-interface:\n"
	    "                - {name: e}\n"
	    "            - name: d\n"
	    "              network-interface:\n"
	    "                - {name: e}\n"
	    "        - name: n\n"
	    "    - name: r\n"
	    "mgmt-proxy: {router: r, node: n}\n",
	    "t.yaml:6:9: duplicate key \"mode\"\n"
	    "t.yaml:9:20: duplicate proxy name \"p\"\n"
	    "t.yaml:16:21: duplicate device-interface name \"d\"\n"
	    "t.yaml:18:26: duplicate network-interface name \"e\"\n"
	    "t.yaml:19:17: duplicate node name \"n\"\n"
	    "t.yaml:20:13: duplicate router name \"r\"");
	FAILS("mgmt-proxy:\n  forwarder: none\n  forwarder: none\n",
	    "t.yaml:3:3: duplicate key \"forwarder\"");
	/* Names are compared exactly: case matters, as for kernel names. */
	OK(MP "        proxy:\n"
	    "          - {name: p, address: 10.0.0.1, port: 1}\n"
	    "          - {name: P, address: 10.0.0.2, port: 1}\n");
}
END_TEST

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
	char path[] = "/tmp/test_notify.XXXXXX", why[128];
	int fd;

	OK("mgmt-proxy:\n  notify: /usr/local/sbin/notify\n");
	ck_assert_str_eq(cfg.notify, "/usr/local/sbin/notify");
	ck_assert_uint_eq(cfg.notify_line, 2);
	ck_assert_uint_eq(cfg.notify_col, 11);
	FAILS("mgmt-proxy:\n  notify: notify.sh\n",
	    "t.yaml:2:11: path \"notify.sh\" is not absolute");
	ck_assert((fd = mkstemp(path)) != -1);
	close(fd);
	ck_assert(chmod(path, 0755) == 0);
	if (geteuid() == 0)
		ck_assert_msg(config_notify_file_ok(path, why, sizeof(why)), "%s", why);
	ck_assert(chmod(path, 0775) == 0);
	ck_assert(!config_notify_file_ok(path, why, sizeof(why)));
	ck_assert(strstr(why, "not writable by group or others") != NULL);
	ck_assert(chmod(path, 0757) == 0);
	ck_assert(!config_notify_file_ok(path, why, sizeof(why)));
	ck_assert(chmod(path, 0644) == 0);
	if (geteuid() == 0) {
		ck_assert(!config_notify_file_ok(path, why, sizeof(why)));
		ck_assert_str_eq(why, "not executable (mode 0644)");
	}
	unlink(path);
	ck_assert(!config_notify_file_ok(path, why, sizeof(why)));	/* gone */
	ck_assert(!config_notify_file_ok("/", why, sizeof(why)));
	ck_assert_str_eq(why, "not a regular file");
}
END_TEST

/* A root-owned 0755 script in a directory others may write is not safe:
 * they can rename another file over it. A sticky directory (/tmp) keeps
 * a root-owned entry from being renamed or removed by others. */
START_TEST(notify_dir)
{
	char dir[] = "/tmp/test_notify_dir.XXXXXX", path[64], why[256];
	int fd;

	if (geteuid() != 0)
		return;
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/notify.sh", dir);
	ck_assert((fd = open(path, O_CREAT | O_WRONLY, 0755)) != -1);
	close(fd);
	ck_assert(chmod(path, 0755) == 0);
	ck_assert(chmod(dir, 0755) == 0);
	ck_assert_msg(config_notify_file_ok(path, why, sizeof(why)), "%s", why);
	ck_assert(chmod(dir, 01777) == 0);
	ck_assert_msg(config_notify_file_ok(path, why, sizeof(why)), "%s", why);
	ck_assert(chmod(dir, 0777) == 0);
	ck_assert_msg(!config_notify_file_ok(path, why, sizeof(why)),
	    "expected a refusal: %s is 0777", dir);
	ck_assert_msg(strstr(why, dir) != NULL, "why: %s", why);
	ck_assert(chmod(dir, 0755) == 0);
	ck_assert(chown(dir, 65534, 0) == 0);
	ck_assert_msg(!config_notify_file_ok(path, why, sizeof(why)),
	    "expected a refusal: %s is not root's", dir);
	unlink(path);
	rmdir(dir);
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

/* Two routers; b has two nodes. Lines 21-22 select router b, node n2. */
#define TWO_ROUTERS							\
"authority:\n"								\
"  router:\n"								\
"    - name: a\n"							\
"      management-proxy: {mode: learned}\n"				\
"    - name: b\n"							\
"      management-proxy:\n"						\
"        mode: static\n"						\
"        proxy: [{name: p, address: 10.0.0.1, port: 5000}]\n"		\
"      node:\n"								\
"        - name: n1\n"							\
"          device-interface:\n"						\
"            - name: d1\n"						\
"              network-interface:\n"					\
"                - {name: wan1, dhcp: v4}\n"				\
"        - name: n2\n"							\
"          device-interface:\n"						\
"            - name: d2\n"						\
"              network-interface:\n"					\
"                - {name: wan2, dhcp: v4}\n"				\
"mgmt-proxy:\n"

START_TEST(select_router_node)
{
	OK(TWO_ROUTERS "  router: b\n  node: n2\n");
	ck_assert_str_eq(cfg.router, "b");
	ck_assert_str_eq(cfg.node, "n2");
	ck_assert_int_eq(cfg.mode, MODE_STATIC);
	ck_assert_uint_eq(cfg.nproxy, 1);
	ck_assert_uint_eq(cfg.niface, 1);
	ck_assert_str_eq(cfg.iface[0].name, "wan2");
	ck_assert_str_eq(cfg.iface[0].device, "d2");
	ck_assert(!config_iface_eligible(&cfg, "wan1"));
	OK(TWO_ROUTERS "  router: b\n  node: n1\n");
	ck_assert_str_eq(cfg.iface[0].name, "wan1");
	OK(TWO_ROUTERS "  router: a\n");
	ck_assert_str_eq(cfg.router, "a");
	ck_assert_int_eq(cfg.mode, MODE_LEARNED);
	ck_assert_uint_eq(cfg.nproxy, 0);
	ck_assert_uint_eq(cfg.niface, 0);
	FAILS(TWO_ROUTERS "  router: a\n  node: n2\n",
	    "t.yaml:22:9: node \"n2\" not found in router \"a\"");
	FAILS(TWO_ROUTERS "  router: c\n  node: n2\n",
	    "t.yaml:21:11: router \"c\" not found in authority");
	FAILS(TWO_ROUTERS "  node: n2\n",
	    "t.yaml:3:5: several routers in authority: set mgmt-proxy.router");
	FAILS(TWO_ROUTERS "  router: b\n",
	    "t.yaml:10:9: several nodes in router \"b\": set mgmt-proxy.node");
	FAILS(TWO_ROUTERS "  router: b\n  node: n9\n",
	    "t.yaml:22:9: node \"n9\" not found in router \"b\"");
	FAILS("mgmt-proxy: {router: r}\n",
	    "t.yaml:1:22: router \"r\" not found in authority");
	FAILS("mgmt-proxy:\n  node: n\n",
	    "t.yaml:2:9: node \"n\" not found in authority");
	FAILS("mgmt-proxy:\n  router: \"\"\n",
	    "t.yaml:2:11: router name must not be empty");
	FAILS("authority:\n  router:\n    - name: \"a\\tb\"\n",
	    "t.yaml:3:13: router name contains a control or format character (U+0009)");
	FAILS("mgmt-proxy:\n  router: "
	    "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\n",
	    "t.yaml:2:11: router name too long (max 63 characters)");
}
END_TEST

/* Characters that reorder or hide text make one name read as another. */
START_TEST(name_characters)
{
	static const char *const bad[][2] = {
		{ "\"a\\u202eb\"", "202E" },	/* right-to-left override */
		{ "a\xe2\x80\xae" "b", "202E" },	/* the same, raw UTF-8 */
		{ "\"\\u200eb\"", "200E" }, { "\"\\u200fb\"", "200F" },
		{ "\"a\\u202a\"", "202A" }, { "\"a\\u202d\"", "202D" },
		{ "\"a\\u2066\"", "2066" }, { "\"a\\u2069\"", "2069" },
		{ "\"a\\u200bb\"", "200B" }, { "\"a\\ufeffb\"", "FEFF" },
		{ "\"a\\u0085b\"", "0085" }, { "\"a\\x9bb\"", "009B" },
		{ "\"a\\x7fb\"", "007F" }, { "\"a\\x1bb\"", "001B" },
		{ "\"a\\u2028b\"", "2028" }, { "\"a\\U000E0041\"", "E0041" },
	};
	char y[256], want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(y, sizeof(y), "mgmt-proxy:\n  node: %s\n", bad[i][0]);
		snprintf(want, sizeof(want), "t.yaml:2:9: node name contains a "
		    "control or format character (U+%s)", bad[i][1]);
		FAILS(y, want);
	}
	/* Every name field goes through the same check. */
	FAILS(MP "        proxy:\n          - {name: \"p\\u202e\", address: 10.0.0.1, port: 1}\n"
	    "      node:\n        - name: \"n\\u2067\"\n"
	    "          device-interface:\n            - name: \"d\\u202e\"\n",
	    "t.yaml:6:20: proxy name contains a control or format character (U+202E)\n"
	    "t.yaml:8:17: node name contains a control or format character (U+2067)\n"
	    "t.yaml:10:21: device-interface name contains a control or format character (U+202E)");
	/* Letters of any script stay legal. */
	OK("authority:\n  router:\n    - name: \"caf\xc3\xa9-\xe8\xb7\xaf\xe7\x94\xb1\"\n");
	ck_assert_str_eq(cfg.router, "caf\xc3\xa9-\xe8\xb7\xaf\xe7\x94\xb1");
}
END_TEST

START_TEST(select_implicit)
{
	/* One router, one node: no need to name them. */
	OK("authority:\n  router:\n    - name: r1\n      node:\n"
	    "        - name: n1\n          device-interface:\n"
	    "            - name: d\n              network-interface:\n"
	    "                - {name: eth1, dhcp: v4}\n");
	ck_assert_str_eq(cfg.router, "r1");
	ck_assert_str_eq(cfg.node, "n1");
	ck_assert_uint_eq(cfg.niface, 1);
	ck_assert(config_iface_eligible(&cfg, "eth1"));
}
END_TEST

/* Routers and nodes that are not this box are validated all the same. */
START_TEST(others_validated)
{
	FAILS("authority:\n  router:\n    - name: a\n      management-proxy: {mode: foo}\n"
	    "      node:\n        - name: x\n          device-interface:\n"
	    "            - name: d\n              network-interface:\n"
	    "                - {name: eth0, dhcp: v9}\n"
	    "    - name: b\nmgmt-proxy: {router: b}\n",
	    "t.yaml:4:32: unknown mode \"foo\" (expected disabled, static or learned)\n"
	    "t.yaml:10:38: unknown dhcp \"v9\" (expected disabled, v4 or v6)");
}
END_TEST

START_TEST(interfaces)
{
	OK("authority:\n  router:\n    - name: r\n      node:\n        - name: n\n"
	    "          device-interface:\n"
	    "            - name: dev\n"
	    "              network-interface:\n"
	    "                - {name: wan1, dhcp: v4}\n"
	    "                - {name: wan2, dhcp: v4, enable-proxy-discovery: false}\n"
	    "                - {name: wan3}\n"
	    "                - {name: wan4, dhcp: v6}\n"
	    "                - {name: wan5, dhcp: disabled, enable-proxy-discovery: true}\n");
	ck_assert_uint_eq(cfg.niface, 5);
	ck_assert(cfg.iface[0].dhcp_v4);
	ck_assert(cfg.iface[0].proxy_discovery);
	ck_assert(!cfg.iface[1].proxy_discovery);
	ck_assert(cfg.iface[2].proxy_discovery);
	ck_assert(!cfg.iface[2].dhcp_v4);
	ck_assert_str_eq(cfg.iface[4].device, "dev");
	ck_assert(config_iface_eligible(&cfg, "wan1"));
	ck_assert(!config_iface_eligible(&cfg, "wan2"));
	ck_assert(!config_iface_eligible(&cfg, "wan3"));
	ck_assert(!config_iface_eligible(&cfg, "wan4"));
	ck_assert(!config_iface_eligible(&cfg, "wan5"));
	ck_assert(!config_iface_eligible(&cfg, "nope"));
	ck_assert(!config_iface_eligible(&cfg, ""));
	FAILS("authority:\n  router:\n    - name: r\n      node:\n        - name: n\n"
	    "          device-interface:\n"
	    "            - name: dev\n"
	    "              network-interface:\n"
	    "                - {name: wan/1, dhcp: foo, enable-proxy-discovery: maybe}\n",
	    "t.yaml:9:26: invalid interface name \"wan/1\" (1-15 characters of A-Z a-z 0-9 _ . -)\n"
	    "t.yaml:9:39: unknown dhcp \"foo\" (expected disabled, v4 or v6)\n"
	    "t.yaml:9:68: expected a boolean (true or false), got \"maybe\"");
}
END_TEST

START_TEST(too_many_interfaces)
{
	char y[4096];
	size_t o;

	o = (size_t)snprintf(y, sizeof(y), "authority:\n  router:\n"
	    "    - name: r\n      node:\n        - name: n\n"
	    "          device-interface:\n");
	/* Spread over devices: the limit is per node. */
	for (int i = 0; i <= CFG_MAX_IFACE; i++)
		o += (size_t)snprintf(y + o, sizeof(y) - o,
		    "            - name: d%d\n              network-interface:\n"
		    "                - {name: e%d}\n", i, i);
	FAILS(y, "t.yaml:105:19: too many network-interfaces on one node (max 32)");
}
END_TEST

START_TEST(yaml_refusals)
{
	char y[128];

	FAILS("mgmt-proxy:\n  router: &x r\n  node: *x\n",
	    "t.yaml:2:11: anchors are not supported\n"
	    "t.yaml:3:9: aliases are not supported");
	memset(y, 0, sizeof(y));
	memset(y, '[', 40);
	memset(y + 40, ']', 40);
	FAILS(y, "t.yaml:1:33: nesting deeper than 32 levels");
	/* 32 levels are fine as YAML (then wrong as a config). */
	memset(y, 0, sizeof(y));
	memset(y, '[', 32);
	memset(y + 32, ']', 32);
	FAILS(y, "t.yaml:1:1: expected a mapping, got a list");
	FAILS("a: 1\n---\nb: 2\n", "t.yaml:2:1: more than one YAML document");
	/* Only an untagged plain integer is a port (or any integer). */
	FAILS(PXHEAD "            address: 10.0.0.1\n            port: !!str 3128\n",
	    "t.yaml:9:19: tags are not supported");
	FAILS("mgmt-proxy:\n  health-check: !!map {interval: !!int 5}\n",
	    "t.yaml:2:17: tags are not supported\n"
	    "t.yaml:2:34: tags are not supported");
	FAILS("mgmt-proxy:\n  node: ! n1\n", "t.yaml:2:9: tags are not supported");
	FAILS("mgmt-proxy:\n  router: [a\n",
	    "t.yaml:3:1: syntax error: did not find expected ',' or ']' "
	    "(while parsing a flow sequence at 2:11)");
	FAILS("mgmt-proxy:\n  router: a\n bad: 1\n",
	    "t.yaml:3:2: syntax error: did not find expected key "
	    "(while parsing a block mapping at 1:1)");
	FAILS("a: \xff\n", "t.yaml:1:4: syntax error: invalid leading UTF-8 octet");
	ck_assert(!config_parse("t.yaml", "a: \0", 4, &cfg, &err));
	ck_assert_uint_eq(err.n, 1);
	ck_assert_str_eq(err.msg[0],
	    "t.yaml:1:4: syntax error: control characters are not allowed");
}
END_TEST

START_TEST(error_cap)
{
	char y[2048];
	size_t o = 0;

	for (int i = 0; i < CFG_MAX_ERRORS + 6; i++)
		o += (size_t)snprintf(y + o, sizeof(y) - o, "k%d: 1\n", i);
	ck_assert(!parse(y));
	ck_assert_uint_eq(err.n, CFG_MAX_ERRORS);
	ck_assert_uint_eq(err.dropped, 6);
	ck_assert_str_eq(err.msg[0], "t.yaml:1:1: unknown key \"k0\"");
	ck_assert_str_eq(err.msg[CFG_MAX_ERRORS - 1],
	    "t.yaml:64:1: unknown key \"k63\"");
}
END_TEST

START_TEST(load_examples)
{
	static const char *const files[] = {
		"examples/static.yaml", "examples/learned.yaml",
		"examples/ha-node1.yaml", "examples/ha-node2.yaml",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		bool ok = config_load(files[i], &cfg, &err);

		ck_assert_msg(ok, "%s:\n%s", files[i], errors());
		ck_assert(cfg.has_mp);
	}
	ck_assert(config_load("examples/static.yaml", &cfg, &err));
	ck_assert_int_eq(cfg.mode, MODE_STATIC);
	ck_assert_uint_eq(cfg.nproxy, 1);
	ck_assert(config_load("examples/learned.yaml", &cfg, &err));
	ck_assert_int_eq(cfg.mode, MODE_LEARNED);
	ck_assert(config_iface_eligible(&cfg, "wan1"));
	ck_assert(!config_iface_eligible(&cfg, "wan2"));
	ck_assert(config_load("examples/ha-node1.yaml", &cfg, &err));
	ck_assert_str_eq(cfg.node, "node1");
	ck_assert(cfg.ha_enabled);
	ck_assert_uint_eq(cfg.ha_listen.ip, 0xa9fefd01u);
	ck_assert_uint_eq(cfg.ha_peer.ip, 0xa9fefd02u);
	ck_assert(config_iface_eligible(&cfg, "wan1"));
	ck_assert(config_load("examples/ha-node2.yaml", &cfg, &err));
	ck_assert_str_eq(cfg.node, "node2");
	ck_assert_uint_eq(cfg.ha_listen.ip, 0xa9fefd02u);
	ck_assert_uint_eq(cfg.ha_peer.ip, 0xa9fefd01u);
	ck_assert(config_iface_eligible(&cfg, "wan2"));
	ck_assert(!config_iface_eligible(&cfg, "wan1"));
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

START_TEST(auth_file_check)
{
	char path[] = "/tmp/test_cred.XXXXXX", why[128];
	int fd;

	ck_assert((fd = mkstemp(path)) != -1);
	ck_assert(write(fd, "user:pass\n", 10) == 10);
	close(fd);
	ck_assert(chmod(path, 0600) == 0);
	if (geteuid() == 0)
		ck_assert_msg(config_auth_file_ok(path, why, sizeof(why)), "%s", why);
	ck_assert(chmod(path, 0640) == 0);
	ck_assert(!config_auth_file_ok(path, why, sizeof(why)));
	ck_assert(strstr(why, "mode 0600") != NULL);
	ck_assert(chmod(path, 0600) == 0);
	ck_assert((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	ck_assert(write(fd, "user:pa\rss\n", 11) == 11);
	close(fd);
	if (geteuid() == 0) {
		ck_assert(!config_auth_file_ok(path, why, sizeof(why)));
		ck_assert_str_eq(why, "contains CR, LF or NUL");
	}
	ck_assert((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	ck_assert(write(fd, "nocolon\n", 8) == 8);
	close(fd);
	if (geteuid() == 0) {
		ck_assert(!config_auth_file_ok(path, why, sizeof(why)));
		ck_assert_str_eq(why, "must hold one line user:password");
	}
	unlink(path);
	ck_assert(!config_auth_file_ok("/", why, sizeof(why)));
}
END_TEST

START_TEST(load_errors)
{
	char path[] = "/tmp/test_config.XXXXXX", want[128];
	size_t size = 1024 * 1024 + 1;
	char *big;
	int fd;

	ck_assert(!config_load("tests/unit/no-such-file.yaml", &cfg, &err));
	ck_assert_uint_eq(err.n, 1);
	ck_assert_str_eq(err.msg[0],
	    "tests/unit/no-such-file.yaml: No such file or directory");

	/* A file of comments: exactly 1 MiB passes, one byte more does not. */
	ck_assert((big = malloc(size)) != NULL);
	memset(big, '#', size);
	for (size_t i = 79; i < size; i += 80)
		big[i] = '\n';
	ck_assert((fd = mkstemp(path)) != -1);
	ck_assert(write(fd, big, size - 1) == (ssize_t)(size - 1));
	ck_assert_msg(config_load(path, &cfg, &err), "%s", errors());
	ck_assert(write(fd, "#", 1) == 1);
	close(fd);
	ck_assert(!config_load(path, &cfg, &err));
	snprintf(want, sizeof(want), "%s: larger than 1 MiB", path);
	ck_assert_str_eq(errors(), want);
	unlink(path);
	free(big);

	ck_assert(!config_load("/", &cfg, &err));
	ck_assert_str_eq(errors(), "/: Is a directory");
}
END_TEST

/* A FIFO at the path is refused at once (it used to block the daemon until
 * a writer came); a link to a regular file is fine, a link to a FIFO not. */
START_TEST(load_special_files)
{
	char dir[] = "/tmp/test_config.XXXXXX", fifo[64], link[64], file[64];
	char want[128];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo.yaml", dir);
	snprintf(link, sizeof(link), "%s/link.yaml", dir);
	snprintf(file, sizeof(file), "%s/real.yaml", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert(!config_load(fifo, &cfg, &err));
	snprintf(want, sizeof(want), "%s: not a regular file", fifo);
	ck_assert_str_eq(errors(), want);
	ck_assert_int_eq(symlink(fifo, link), 0);
	ck_assert(!config_load(link, &cfg, &err));
	snprintf(want, sizeof(want), "%s: not a regular file", link);
	ck_assert_str_eq(errors(), want);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert((fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1);
	ck_assert(write(fd, "mgmt-proxy: {forwarder: none}\n", 30) == 30);
	close(fd);
	ck_assert_int_eq(symlink(file, link), 0);
	ck_assert_msg(config_load(link, &cfg, &err), "%s", errors());
	ck_assert_int_eq(cfg.forwarder, FWD_NONE);
	unlink(link);
	unlink(file);
	unlink(fifo);
	rmdir(dir);
}
END_TEST

START_TEST(mode_names)
{
	ck_assert_str_eq(config_mode_name(MODE_DISABLED), "disabled");
	ck_assert_str_eq(config_mode_name(MODE_STATIC), "static");
	ck_assert_str_eq(config_mode_name(MODE_LEARNED), "learned");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		defaults, empty_and_minimal, design_example,
		management_proxy_element, unknown_mode, wrong_types,
		static_proxy_count, too_many_proxies, proxy_address,
		proxy_port, missing_keys, unknown_keys, duplicates,
		health_check, forwarder, notify, notify_dir, intercept,
		intercept_ok, intercept_unrunnable, tls_paths, ha,
		metrics, select_router_node, name_characters,
		select_implicit, others_validated, interfaces,
		too_many_interfaces, yaml_refusals, error_cap,
		load_examples, load_errors, load_special_files,
		tls_connect_keys, no_inspect_limit, auth_file_check,
		mode_names, NULL,
	};

	return unit_suite_of("config", NULL, NULL, tests);
}
