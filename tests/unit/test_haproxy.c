/* The HAProxy configuration (haproxy_render in haproxy.c): only validated
 * numbers, dotted quads and our own paths reach HAProxy. */
#include <stdlib.h>
#include <string.h>

#include "haproxy.h"
#include "unit.h"

START_TEST(haproxy_config_has_only_validated_values)
{
	struct proxy_addr p = { 0xcb00710au, 3128 };
	const char *why = "";
	char *cfg = haproxy_render("/run/mp", "/var/lib/mp/certs/crt-list", &p, true, &why);

	ck_assert_msg(cfg != NULL, "%s", why);
	unit_assert_has(cfg, "server proxy 203.0.113.10:3128\n");
	unit_assert_has(cfg, "bind 127.0.0.1:47080 transparent");
	unit_assert_has(cfg, "crt-list /var/lib/mp/certs/crt-list");
	/* Minted names skip the certificate request: the ACL beside the crt-list. */
	unit_assert_has(cfg, "-m str -f /var/lib/mp/certs/minted.lst\n");
	unit_assert_has(cfg, "lua-load /run/mp/cert-request.lua");
	unit_assert_lacks(cfg, "{{");
	free(cfg);
	ck_assert_ptr_null(haproxy_render("/run/mp x", "/c", &p, true, &why));
	ck_assert_ptr_null(haproxy_render("/run/mp", "/c\nserver evil 1.2.3.4:80", &p, true, &why));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		haproxy_config_has_only_validated_values, NULL,
	};

	return unit_suite_of("haproxy", NULL, NULL, tests);
}
