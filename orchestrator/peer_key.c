/* The HA key file: read under the rules for a secret, wiped after use. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "peer_key.h"
#include "statefile.h"

int
peer_key_load(const char *path, uint8_t key[PEER_MSG_KEY_MAX], size_t *len,
    const char **why)
{
	/* Room for the longest key, "\r\n", and one byte to see it is longer. */
	uint8_t buf[PEER_MSG_KEY_MAX + 3];
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd, rc = -1;

	errno = 0;
	/* O_NONBLOCK: a FIFO planted at the path must not hang the daemon
	 * before fstat() can refuse it. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1) {
		*why = "cannot open";
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		*why = "cannot stat";
		goto out;
	}
	if ((*why = statefile_secret_problem(&st)) != NULL)
		goto out_inval;
	while (n < sizeof(buf)) {
		r = read(fd, buf + n, sizeof(buf) - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*why = "cannot read";
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > 0 && buf[n - 1] == '\n') {
		n--;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
	}
	if (n < PEER_MSG_KEY_MIN || n > PEER_MSG_KEY_MAX) {
		*why = "key must be 16 to 512 bytes (one trailing newline ignored)";
		goto out_inval;
	}
	memcpy(key, buf, n);
	*len = n;
	rc = 0;
	goto out;
out_inval:
	errno = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}
