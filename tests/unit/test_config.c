/* Configuration parser, config.c: defaults, the documented full example,
 * the management-proxy element and the mode names (the API and the top-
 * level walk). */
#include <stdio.h>
#include <string.h>

#include "config_test.h"
#include "unit.h"

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

START_TEST(mode_names)
{
	ck_assert_str_eq(config_mode_name(MODE_DISABLED), "disabled");
	ck_assert_str_eq(config_mode_name(MODE_STATIC), "static");
	ck_assert_str_eq(config_mode_name(MODE_LEARNED), "learned");
}
END_TEST

CONFIG_TEST_SUITE("config", defaults, empty_and_minimal, design_example,
    management_proxy_element, mode_names)
