/* Configuration parser, config_file.c: reading the file (sizes, special
 * files, links), the examples, and the checks of the files the
 * configuration names (notify script, credentials file). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_file.h"
#include "config_test.h"
#include "unit.h"

/* Write `text` to the file at `path` (created when absent), then set its
 * mode. */
static void
put_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	ck_assert((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1);
	ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	ck_assert(chmod(path, mode) == 0);
}

/* A fresh temporary file (a mkstemp template) holding `text`. */
static void
temp_file(char *path, const char *text, mode_t mode)
{
	int fd;

	ck_assert((fd = mkstemp(path)) != -1);
	close(fd);
	put_file(path, text, mode);
}

typedef bool (*file_check_fn)(const char *, char *, size_t);

/* With `mode` the file passes the check (NULL `why_has`; only as root,
 * since the file must be root's), or fails for a reason that says
 * `why_has`. */
static void
check_mode(file_check_fn ok, const char *path, mode_t mode, const char *why_has)
{
	char why[256];

	ck_assert(chmod(path, mode) == 0);
	if (why_has == NULL) {
		if (geteuid() == 0)
			ck_assert_msg(ok(path, why, sizeof(why)), "%s", why);
		return;
	}
	ck_assert(!ok(path, why, sizeof(why)));
	ck_assert_msg(strstr(why, why_has) != NULL, "why: %s", why);
}

START_TEST(notify_file)
{
	char path[] = "/tmp/test_notify.XXXXXX", why[128];

	temp_file(path, "", 0755);
	check_mode(config_notify_file_ok, path, 0755, NULL);
	check_mode(config_notify_file_ok, path, 0775, "not writable by group or others");
	check_mode(config_notify_file_ok, path, 0757, "not writable by group or others");
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

	if (geteuid() != 0)
		return;
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/notify.sh", dir);
	put_file(path, "", 0755);
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

START_TEST(load_examples)
{
	static const char *const files[] = {
		"examples/static.yaml", "examples/learned.yaml",
		"examples/ha-node1.yaml", "examples/ha-node2.yaml",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		bool ok = config_file_load(files[i], &cfg, &err);

		ck_assert_msg(ok, "%s:\n%s", files[i], errors());
		ck_assert(cfg.has_mp);
	}
	ck_assert(config_file_load("examples/static.yaml", &cfg, &err));
	ck_assert_int_eq(cfg.mode, MODE_STATIC);
	ck_assert_uint_eq(cfg.nproxy, 1);
	ck_assert(config_file_load("examples/learned.yaml", &cfg, &err));
	ck_assert_int_eq(cfg.mode, MODE_LEARNED);
	ck_assert(config_iface_eligible(&cfg, "wan1"));
	ck_assert(!config_iface_eligible(&cfg, "wan2"));
	ck_assert(config_file_load("examples/ha-node1.yaml", &cfg, &err));
	ck_assert_str_eq(cfg.node, "node1");
	ck_assert(cfg.ha_enabled);
	ck_assert_uint_eq(cfg.ha_listen.ip, 0xa9fefd01u);
	ck_assert_uint_eq(cfg.ha_peer.ip, 0xa9fefd02u);
	ck_assert(config_iface_eligible(&cfg, "wan1"));
	ck_assert(config_file_load("examples/ha-node2.yaml", &cfg, &err));
	ck_assert_str_eq(cfg.node, "node2");
	ck_assert_uint_eq(cfg.ha_listen.ip, 0xa9fefd02u);
	ck_assert_uint_eq(cfg.ha_peer.ip, 0xa9fefd01u);
	ck_assert(config_iface_eligible(&cfg, "wan2"));
	ck_assert(!config_iface_eligible(&cfg, "wan1"));
}
END_TEST

START_TEST(auth_file_check)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "user:pa\rss\n", "contains CR, LF or NUL" },
		{ "nocolon\n", "must hold one line user:password" },
	};
	char path[] = "/tmp/test_cred.XXXXXX", why[128];

	temp_file(path, "user:pass\n", 0600);
	check_mode(config_auth_file_ok, path, 0600, NULL);
	check_mode(config_auth_file_ok, path, 0640, "0600 or stricter");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_file(path, bad[i].text, 0600);
		if (geteuid() == 0) {
			ck_assert(!config_auth_file_ok(path, why, sizeof(why)));
			ck_assert_str_eq(why, bad[i].why);
		}
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

	ck_assert(!config_file_load("tests/unit/no-such-file.yaml", &cfg, &err));
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
	ck_assert_msg(config_file_load(path, &cfg, &err), "%s", errors());
	ck_assert(write(fd, "#", 1) == 1);
	close(fd);
	ck_assert(!config_file_load(path, &cfg, &err));
	snprintf(want, sizeof(want), "%s: larger than 1 MiB", path);
	ck_assert_str_eq(errors(), want);
	unlink(path);
	free(big);

	ck_assert(!config_file_load("/", &cfg, &err));
	ck_assert_str_eq(errors(), "/: Is a directory");
}
END_TEST

/* A FIFO at the path is refused at once (it used to block the daemon until
 * a writer came); a link to a regular file is fine, a link to a FIFO not. */
START_TEST(load_special_files)
{
	char dir[] = "/tmp/test_config.XXXXXX", fifo[64], link[64], file[64];
	char want[128];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo.yaml", dir);
	snprintf(link, sizeof(link), "%s/link.yaml", dir);
	snprintf(file, sizeof(file), "%s/real.yaml", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert(!config_file_load(fifo, &cfg, &err));
	snprintf(want, sizeof(want), "%s: not a regular file", fifo);
	ck_assert_str_eq(errors(), want);
	ck_assert_int_eq(symlink(fifo, link), 0);
	ck_assert(!config_file_load(link, &cfg, &err));
	snprintf(want, sizeof(want), "%s: not a regular file", link);
	ck_assert_str_eq(errors(), want);
	ck_assert_int_eq(unlink(link), 0);
	put_file(file, "mgmt-proxy: {forwarder: none}\n", 0600);
	ck_assert_int_eq(symlink(file, link), 0);
	ck_assert_msg(config_file_load(link, &cfg, &err), "%s", errors());
	ck_assert_int_eq(cfg.forwarder, FWD_NONE);
	unlink(link);
	unlink(file);
	unlink(fifo);
	rmdir(dir);
}
END_TEST

CONFIG_TEST_SUITE("config_file", notify_file, notify_dir, load_examples,
    auth_file_check, load_errors, load_special_files)
