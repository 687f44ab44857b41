/* The HA key file: read under the rules for a secret, wiped after use. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "peer_key.h"

#define PEER_KEY_SIZE_RULE \
	"key must be 16 to 512 bytes (one trailing newline ignored)"

int
peer_key_load(const char *path, uint8_t key[PEER_MSG_KEY_MAX], size_t *len,
    const char **why)
{
	struct stat st;
	size_t n = 0, got;
	char *buf;

	/* Room for the longest key and "\r\n"; more is EFBIG. */
	buf = fileio_read_secret(path, PEER_MSG_KEY_MAX + 2, O_NOFOLLOW, &n, &st, why);
	/* What the file breaks is said with errno 0 (peer_key_log), what
	 * the system refused with its errno. */
	if (buf == NULL) {
		if (*why != NULL || errno == EINVAL || errno == EISDIR ||
		    errno == EFBIG) {
			if (*why == NULL)
				*why = errno == EFBIG ? PEER_KEY_SIZE_RULE :
				    "not a regular file";
			errno = 0;
		} else
			*why = "cannot open";
		return -1;
	}
	got = n;
	if (n > 0 && buf[n - 1] == '\n') {
		n--;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
	}
	if (n >= PEER_MSG_KEY_MIN && n <= PEER_MSG_KEY_MAX)
		memcpy(key, buf, n);
	fileio_secret_free(buf, got);
	if (n < PEER_MSG_KEY_MIN || n > PEER_MSG_KEY_MAX) {
		*why = PEER_KEY_SIZE_RULE;
		errno = 0;
		return -1;
	}
	*len = n;
	return 0;
}
