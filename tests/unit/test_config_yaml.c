/* Configuration parser, config_yaml.c: what the event pass refuses,
 * unknown and missing keys, wrong node types, duplicate keys and the cap
 * on errors, each with its exact "FILE:LINE:COL: reason". */
#include <stdio.h>
#include <string.h>

#include "config_test.h"
#include "unit.h"

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

CONFIG_TEST_SUITE("config_yaml", wrong_types, missing_keys, unknown_keys,
    duplicates, yaml_refusals, error_cap)
