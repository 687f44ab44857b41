/* The HA key file rules (peer_key.c). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peer_key.h"
#include "unit.h"

static void
write_key(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(key_file_rules)
{
	char dir[] = "/tmp/test_peer_key.XXXXXX", path[64], link[80];
	uint8_t k[PEER_MSG_KEY_MAX];
	char big[PEER_MSG_KEY_MAX + 2];
	const char *why;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ha.key", dir);
	snprintf(link, sizeof(link), "%s/link.key", dir);

	write_key(path, "0123456789abcdef\n", 17, 0600);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(k, "0123456789abcdef", 16);
	write_key(path, "0123456789abcdefX\r\n", 19, 0400);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), 0);
	ck_assert_uint_eq(len, 17);
	write_key(path, "0123456789abcdef\n", 17, 0640);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	unit_assert_has(why, "0600");
	write_key(path, "0123456789abcdef\n", 17, 0604);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	write_key(path, "0123456789abcde\n", 16, 0600);	/* 15 bytes */
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	memset(big, 'k', sizeof(big));
	write_key(path, big, PEER_MSG_KEY_MAX, 0600);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), 0);
	ck_assert_uint_eq(len, PEER_MSG_KEY_MAX);
	write_key(path, big, PEER_MSG_KEY_MAX + 1, 0600);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	write_key(path, "0123456789abcdef\n", 17, 0600);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(peer_key_load(link, k, &len, &why), -1);
	ck_assert_int_eq(peer_key_load(dir, k, &len, &why), -1);
	unlink(link);
	unlink(path);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	rmdir(dir);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		key_file_rules, NULL,
	};

	return unit_suite_of("peer_key", NULL, NULL, tests);
}
