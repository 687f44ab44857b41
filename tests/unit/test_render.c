/* Template rendering (render.c): only validated numbers, dotted quads,
 * interface names and our own paths can fill a template (its users:
 * test_haproxy.c, test_firewall_rules.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
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

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		substitutes_every_placeholder,
		missing_and_unused_values_fail,
		validators_refuse_syntax,
		NULL,
	};

	return unit_suite_of("render", NULL, NULL, tests);
}
