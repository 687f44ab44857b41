/* The control verbs' access table (ctl_verbs.c) with the
 * control.read-group key that names the readers' group. */
#include <string.h>

#include "config.h"
#include "ctl_verbs.h"
#include "unit.h"

START_TEST(verbs_table)
{
	char why[CTL_WHY_MAX];
	const struct ctl_verb *reload = ctl_verbs_find("reload");

	ck_assert_ptr_nonnull(reload);
	ck_assert_str_eq(ctl_verbs_access_name(reload->access), "root");
	ck_assert_int_eq(ctl_verbs_find("show alarms")->access, CTL_ACCESS_READ);
	ck_assert_int_eq(ctl_verbs_find("show management-proxy")->access, CTL_ACCESS_READ);
	ck_assert_int_eq(ctl_verbs_find("show dhcp learned-proxies")->access, CTL_ACCESS_READ);
	ck_assert_int_eq(ctl_verbs_find("ca export")->access, CTL_ACCESS_READ);
	ck_assert_int_eq(ctl_verbs_find("test")->access, CTL_ACCESS_READ);
	ck_assert_ptr_null(ctl_verbs_find("reload now"));
	ck_assert_ptr_null(ctl_verbs_find("show"));
	/* Daemon and CLI index their tables by id: every id has its verb. */
	for (int id = 0; id < CTL_VERB_COUNT; id++) {
		const struct ctl_verb *v = ctl_verbs_get((enum ctl_verb_id)id);

		ck_assert_int_eq(v->id, id);
		ck_assert_ptr_eq(ctl_verbs_find(v->request), v);
	}

	ck_assert(ctl_verbs_allowed(reload, CTL_ROLE_ROOT, "g", why, sizeof(why)));
	ck_assert(!ctl_verbs_allowed(reload, CTL_ROLE_READER, "g", why, sizeof(why)));
	ck_assert_str_eq(why, "permission denied: reload needs root");
	ck_assert(ctl_verbs_allowed(ctl_verbs_find("show alarms"), CTL_ROLE_READER, "g",
	    why, sizeof(why)));
	/* An unknown request from a reader gets "unknown request" from the
	 * daemon, not a permission error. */
	ck_assert(ctl_verbs_allowed(NULL, CTL_ROLE_READER, "g", why, sizeof(why)));
	ck_assert(!ctl_verbs_allowed(ctl_verbs_find("show alarms"), CTL_ROLE_NONE, "mgmt-proxy",
	    why, sizeof(why)));
	ck_assert_str_eq(why, "permission denied: not root and not in group mgmt-proxy");
	ck_assert(!ctl_verbs_allowed(NULL, CTL_ROLE_NONE, "", why, sizeof(why)));
	ck_assert_str_eq(why, "permission denied: only root may use mgmt-proxyd");
}
END_TEST

START_TEST(verbs_role)
{
	gid_t sup[] = { 100, 4242 };

	ck_assert_int_eq(ctl_verbs_role(0, 0, NULL, 0, (gid_t)-1), CTL_ROLE_ROOT);
	ck_assert_int_eq(ctl_verbs_role(1000, 4242, NULL, 0, (gid_t)-1), CTL_ROLE_NONE);
	ck_assert_int_eq(ctl_verbs_role(1000, 4242, NULL, 0, 4242), CTL_ROLE_READER);
	ck_assert_int_eq(ctl_verbs_role(1000, 100, sup, 2, 4242), CTL_ROLE_READER);
	ck_assert_int_eq(ctl_verbs_role(1000, 100, sup, 1, 4242), CTL_ROLE_NONE);
	ck_assert(ctl_verbs_group_name_ok("mgmt-proxy"));
	ck_assert(ctl_verbs_group_name_ok("_x9"));
	ck_assert(!ctl_verbs_group_name_ok(""));
	ck_assert(!ctl_verbs_group_name_ok("9x"));
	ck_assert(!ctl_verbs_group_name_ok("Admins"));
	ck_assert(!ctl_verbs_group_name_ok("a b"));
	ck_assert(!ctl_verbs_group_name_ok("abcdefghijklmnopqrstuvwxyz0123456"));
	ck_assert(ctl_verbs_group_name_ok("abcdefghijklmnopqrstuvwxyz012345"));
}
END_TEST

#define YAML_HEAD "authority:\n  router:\n    - name: r1\n      node:\n        - name: n1\n" \
	"mgmt-proxy:\n  router: r1\n  node: n1\n"

START_TEST(config_read_group)
{
	struct config cfg;
	struct cfg_errors err;
	const char *y = YAML_HEAD "  control: {read-group: ops-ro}\n";
	const char *bad = YAML_HEAD "  control: {read-group: Ops}\n";

	ck_assert(config_parse("t.yaml", YAML_HEAD, strlen(YAML_HEAD), &cfg, &err));
	ck_assert_str_eq(cfg.read_group, "mgmt-proxy");
	ck_assert(config_parse("t.yaml", y, strlen(y), &cfg, &err));
	ck_assert_str_eq(cfg.read_group, "ops-ro");
	ck_assert(!config_parse("t.yaml", bad, strlen(bad), &cfg, &err));
	ck_assert_uint_eq(err.n, 1);
	ck_assert_str_eq(err.msg[0], "t.yaml:9:25: \"Ops\" is not a group name "
	    "([a-z_][a-z0-9_-]*, at most 32 characters)");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = { verbs_table, verbs_role, config_read_group, NULL };

	return unit_suite_of("ctl_verbs", NULL, NULL, tests);
}
