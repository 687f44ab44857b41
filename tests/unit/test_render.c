/* Template rendering (render.c) and the HAProxy configuration (haproxy.c;
 * the nftables rulesets: test_firewall_rules.c): only validated numbers,
 * dotted quads, interface names and our own paths can reach HAProxy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxy.h"
#include "render.h"
#include "select.h"
#include "unit.h"

START_TEST(substitutes_every_placeholder)
{
	struct render_vars rv;
	const char *why = "";
	char *out;

	render_init(&rv);
	render_set_uint(&rv, "PORT", 3128);
	render_set_ip(&rv, "IP", 0xcb00710au);
	out = render_template("server p {{IP}}:{{PORT}} # {{PORT}}\n", &rv, &why);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "server p 203.0.113.10:3128 # 3128\n");
	free(out);
}
END_TEST

START_TEST(missing_and_unused_values_fail)
{
	struct render_vars rv;
	const char *why = "";

	render_init(&rv);
	ck_assert_ptr_null(render_template("a {{NOPE}} b", &rv, &why));
	ck_assert_str_eq(why, "placeholder without a value");
	render_init(&rv);
	render_set_uint(&rv, "EXTRA", 1);
	ck_assert_ptr_null(render_template("no placeholders", &rv, &why));
	ck_assert_str_eq(why, "value given for a placeholder the template lacks");
	render_init(&rv);
	ck_assert_ptr_null(render_template("a {{OPEN", &rv, &why));
}
END_TEST

START_TEST(validators_refuse_syntax)
{
	static const char bad_if[][16] = { "wan1\" accept" };
	static const char nl_if[][16] = { "wan1\n" };
	static const char ok_if[][16] = { "kni254", "wan_1.2-x" };
	const uint16_t zero[] = { 80, 0 };
	struct render_vars rv;
	const char *why = "";
	char *out;

	const char *paths[] = { "relative/path", "/run/x y", "/run/a\nb", "/run/../etc",
	    "/run/#x", "/run/x;y" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		render_init(&rv);
		render_set_path(&rv, "P", paths[i]);
		ck_assert_msg(render_template("{{P}}", &rv, &why) == NULL, "%s", paths[i]);
	}
	render_init(&rv);
	render_set_ifnames(&rv, "I", bad_if, 1);
	ck_assert_ptr_null(render_template("{{I}}", &rv, &why));
	render_init(&rv);
	render_set_ifnames(&rv, "I", nl_if, 1);
	ck_assert_ptr_null(render_template("{{I}}", &rv, &why));
	render_init(&rv);
	render_set_ports(&rv, "P", zero, 2);
	ck_assert_ptr_null(render_template("{{P}}", &rv, &why));
	render_init(&rv);
	render_set_ifnames(&rv, "I", ok_if, 2);
	out = render_template("{{I}}", &rv, &why);
	ck_assert_str_eq(out, "\"kni254\", \"wan_1.2-x\"");
	free(out);
}
END_TEST

/* A hostile candidate never becomes a proxy address, so it can never be
 * rendered: the only path into the templates is a struct proxy_addr. */
START_TEST(injection_candidates_are_never_valid)
{
	static const char *evil[] = {
		"203.0.113.10:3128\n  server evil 1.2.3.4:80",
		"203.0.113.10:3128 #",
		"203.0.113.10:3128;flush ruleset",
		"203.0.113.10 :3128",
		"203.0.113.10:3128\r\n",
		"203.0.113.10:3128}\n",
		"203.0.113.10:3128\"",
	};
	struct cand_set set = { .n = 0 };

	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		struct candidate *c = select_add(&set, SEL_DHCP, "dhcp:wan1", evil[i], 0);

		ck_assert_ptr_nonnull(c);
		ck_assert_msg(!c->valid, "accepted: %s", evil[i]);
		ck_assert(strchr(c->text, '\n') == NULL);
	}
	ck_assert_ptr_null(select_pick(&set));
}
END_TEST

START_TEST(haproxy_config_has_only_validated_values)
{
	struct proxy_addr p = { 0xcb00710au, 3128 };
	const char *why = "";
	char *cfg = haproxy_render("/run/mp", "/var/lib/mp/certs/crt-list", &p, true, &why);

	ck_assert_msg(cfg != NULL, "%s", why);
	ck_assert_ptr_nonnull(strstr(cfg, "server proxy 203.0.113.10:3128\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "bind 127.0.0.1:47080 transparent"));
	ck_assert_ptr_nonnull(strstr(cfg, "crt-list /var/lib/mp/certs/crt-list"));
	/* Minted names skip the certificate request: the ACL beside the crt-list. */
	ck_assert_ptr_nonnull(strstr(cfg, "-m str -f /var/lib/mp/certs/minted.lst\n"));
	ck_assert_ptr_nonnull(strstr(cfg, "lua-load /run/mp/cert-request.lua"));
	ck_assert_ptr_null(strstr(cfg, "{{"));
	free(cfg);
	ck_assert_ptr_null(haproxy_render("/run/mp x", "/c", &p, true, &why));
	ck_assert_ptr_null(haproxy_render("/run/mp", "/c\nserver evil 1.2.3.4:80", &p, true, &why));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		substitutes_every_placeholder,
		missing_and_unused_values_fail,
		validators_refuse_syntax,
		injection_candidates_are_never_valid,
		haproxy_config_has_only_validated_values, NULL,
	};

	return unit_suite_of("render", NULL, NULL, tests);
}
