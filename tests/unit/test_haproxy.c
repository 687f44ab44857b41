/* The HAProxy configuration (haproxy_render in haproxy.c): only validated
 * numbers, dotted quads and our own paths reach HAProxy. */
#include <sys/resource.h>
#include <sys/wait.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "haproxy.h"
#include "unit.h"
#include "unit_tmp.h"

START_TEST(haproxy_config_has_only_validated_values)
{
	const char *why = "";
	char *cfg = haproxy_render("/run/mp", "/var/lib/mp/certs/crt-list", true, &why);

	ck_assert_msg(cfg != NULL, "%s", why);
	/* The proxy is not in the text: both servers take the one entry of
	 * the proxy map, changed at run time. */
	unit_assert_has(cfg, "\tserver proxy 0.0.0.0\n");
	unit_assert_has(cfg, "set-dst var(txn.proxy),field(1,:)\n");
	unit_assert_has(cfg, "str(active),map_str(/run/mp/proxy.map)\n");
	/* Behind be_origin the tunnel goes through the proxy of the PROXY
	 * header's source, the pool key fe_https set: never another one. */
	unit_assert_has(cfg, "set-var-fmt(txn.proxy) \"%[src]:%[src_port]\" if { fe_name ls_connect }\n");
	unit_assert_has(cfg, "http-request set-src var(txn.proxy),field(1,:)\n");
	unit_assert_has(cfg, "bind 127.0.0.1:47080 transparent");
	unit_assert_has(cfg, "crt-list /var/lib/mp/certs/crt-list");
	/* Minted names skip the certificate request: the ACL beside the crt-list. */
	unit_assert_has(cfg, "-m str -f /var/lib/mp/certs/minted.lst\n");
	unit_assert_has(cfg, "lua-load /run/mp/cert-request.lua");
	unit_assert_lacks(cfg, "{{");
	free(cfg);
	ck_assert_ptr_null(haproxy_render("/run/mp x", "/c", true, &why));
	ck_assert_ptr_null(haproxy_render("/run/mp", "/c\nserver evil 1.2.3.4:80", true, &why));
}
END_TEST

static int
test_haproxy_timerfds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	char path[300], link[64];
	int n = 0;
	ssize_t len;

	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = '\0';
			n += strcmp(link, "anon_inode:[timerfd]") == 0;
		}
	}
	closedir(dir);
	return n;
}

/* The timers one successful haproxy_init makes, counted in a child so
 * that this process's set-up is still to be done. */
static int
test_haproxy_timerfds_of_clean_init(void)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		_exit(haproxy_init(unit_tmpdir, "/dev/null") == 0 ?
		    test_haproxy_timerfds() : 255);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) != 255,
	    "clean haproxy_init failed in the child");
	return WEXITSTATUS(status);
}

/* With room for only _i + 1 more descriptors, haproxy_init fails part way
 * through its timers; the retry must make each missing timer once: as
 * many timers as a clean set-up, none leaked, none left unmade. */
START_TEST(haproxy_init_retried_after_a_partial_failure)
{
	struct rlimit lim, low;
	int fds[8], want, got, n = _i + 1;

	ck_assert_int_eq(event_init(), 0);
	want = test_haproxy_timerfds_of_clean_init();
	for (int i = 0; i < n; i++)
		ck_assert_int_ne(fds[i] = dup(0), -1);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &lim), 0);
	low = lim;
	low.rlim_cur = (rlim_t)fds[n - 1] + 1;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ck_assert_int_eq(haproxy_init(unit_tmpdir, "/dev/null"), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	ck_assert_int_eq(haproxy_init(unit_tmpdir, "/dev/null"), 0);
	got = test_haproxy_timerfds();
	ck_assert_msg(got == want, "after failing with room for %d descriptors "
	    "and a retry: expected %d timers, got %d", n, want, got);
	event_fini();
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		haproxy_config_has_only_validated_values, NULL,
	};
	Suite *s = unit_suite_of("haproxy", NULL, NULL, tests);
	TCase *t = tcase_create("haproxy_init");

	/* Room for 1 to 6 descriptors: the 2nd to 6th timer, then the first
	 * file written, is the one that fails. */
	tcase_add_checked_fixture(t, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_loop_test(t, haproxy_init_retried_after_a_partial_failure, 0, 6);
	suite_add_tcase(s, t);
	return s;
}
