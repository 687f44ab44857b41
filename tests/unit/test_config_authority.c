/* Configuration parser, config_authority.c: the authority tree: mode,
 * static proxies, the router and node of this box, names, interfaces and
 * their eligibility. */
#include <stdio.h>
#include <string.h>

#include "config_test.h"
#include "unit.h"

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

/* A value and the one error it must give. */
struct value_case {
	const char *value, *want;
};

/* Each value, as the address (else the port) of a static proxy entry,
 * fails as it says. */
static void
proxy_values_fail(bool address, const struct value_case *t, size_t n)
{
	char y[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(y, sizeof(y), PXHEAD "            address: %s\n"
		    "            port: %s\n", address ? t[i].value : "10.0.0.1",
		    address ? "5000" : t[i].value);
		FAILS(y, t[i].want);
	}
}

START_TEST(proxy_address)
{
	static const struct value_case t[] = {
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
	proxy_values_fail(true, t, sizeof(t) / sizeof(t[0]));
	OK(PXHEAD "            address: \"203.0.113.10\"\n            port: 3128\n");
	ck_assert_uint_eq(cfg.proxy[0].addr.ip, 0xcb00710au);
}
END_TEST

START_TEST(proxy_port)
{
	static const struct value_case t[] = {
		{ "0", "t.yaml:9:19: invalid port 0: port out of range 1-65535" },
		{ "65536", "t.yaml:9:19: invalid port 65536: port out of range 1-65535" },
		{ "99999999999", "t.yaml:9:19: invalid port 99999999999: port out of range 1-65535" },
		{ "-1", "t.yaml:9:19: invalid port -1: port out of range 1-65535" },
		{ "05000", "t.yaml:9:19: invalid port 05000: leading zero in port" },
		{ "0x50", "t.yaml:9:19: expected an integer, got \"0x50\"" },
	};
	proxy_values_fail(false, t, sizeof(t) / sizeof(t[0]));
	OK(PXHEAD "            address: 10.0.0.1\n            port: 65535\n");
	ck_assert_uint_eq(cfg.proxy[0].addr.port, 65535);
	OK(PXHEAD "            address: 10.0.0.1\n            port: 1\n");
	ck_assert_uint_eq(cfg.proxy[0].addr.port, 1);
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

CONFIG_TEST_SUITE("config_authority", unknown_mode, static_proxy_count,
    too_many_proxies, proxy_address, proxy_port, select_router_node,
    name_characters, select_implicit, others_validated, interfaces,
    too_many_interfaces)
