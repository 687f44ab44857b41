/* The certificate service's files: one leaf per name (0600: it holds the
 * key), the crt-list and minted.lst HAProxy reads, and the scan that lists
 * an earlier run's leaves again at start-up. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cert_int.h"
#include "fileio.h"

int
cert_store_path(char *buf, const char *name)
{
	char file[TLS_CA_FILENAME_MAX];

	if (!tls_ca_cert_filename(name, file, sizeof(file)))
		return -1;
	return fileio_path(buf, CERT_PATH_MAX, cs.dir, file);
}

/* The file's mtime carries the last use across restarts. */
void
cert_store_set_used(const char *path, int64_t ms)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT },
		{ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 },
	};

	(void)utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

/* The names HAProxy has a certificate for, one a line: the ACL pattern
 * file that lets their connections skip the daemon. Rewritten whole,
 * atomically, with the crt-list; changed at run time together with it. */
int
cert_store_write(const char *path, const char *buf, size_t len, bool durable)
{
	return durable ? fileio_replace(path, buf, len, 0600) :
	    fileio_replace_lazy(path, buf, len, 0600);
}

int
cert_store_write_minted(bool durable)
{
	size_t cap = cs.names.n * HOSTNAME_BUF + 1, len = 0;
	char *buf = malloc(cap);
	int rc;

	if (buf == NULL)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < cs.names.n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\n", cs.names.e[i].name);
	rc = cert_store_write(cs.minted, buf, len, durable);
	free(buf);
	return rc;
}

/* The crt-list file: the default certificate first (it answers clients
 * without SNI), then every minted leaf. Rewritten whole, atomically. */
int
cert_store_write_crt_list(bool durable)
{
	size_t cap = (cs.names.n + 1) * (CERT_PATH_MAX + 1), len = 0;
	char *buf = malloc(cap), path[CERT_PATH_MAX];
	int rc;

	if (buf == NULL)
		return -1;
	for (size_t i = 0; i <= cs.names.n; i++) {
		const char *name = i == 0 ? CERT_DEFAULT : cs.names.e[i - 1].name;

		if (cert_store_path(path, name) == -1)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s\n", path);
	}
	rc = cert_store_write(cs.list, buf, len, durable);
	free(buf);
	return rc;
}

/* Both lists, after a name was added: the crt-list first, then the names.
 * A reload reads the names first (fe_tls_sni comes before fe_https), so it
 * never finds a name the crt-list it reads next lacks. */
int
cert_store_write_lists(bool durable)
{
	return cert_store_write_crt_list(durable) == -1 ? -1 : cert_store_write_minted(durable);
}

/* The leaf in pem is signed by the current CA and not close to its end. */
static bool
cert_store_current(const char *pem, size_t len)
{
	return pem != NULL && tls_ca_leaf_current(cs.ca, pem, len, time(NULL),
	    CERT_RENEW_MARGIN);
}

bool
cert_store_file_current(const char *path)
{
	size_t len;
	char *pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len);
	bool ok = cert_store_current(pem, len);

	if (pem != NULL)
		tls_ca_pem_free(pem, len);
	return ok;
}

/* Mints NAME into its file (0600: it holds the leaf's private key); its
 * end of validity into *expiry (for show certificates) unless NULL. */
int
cert_store_mint(const char *name, char *path, int64_t *expiry)
{
	char *pem = NULL;
	size_t len;
	int rc;

	if (cert_store_path(path, name) == -1)
		return -1;
	if (tls_ca_mint(cs.ca, name, time(NULL), &pem, &len) == -1)
		return -1;
	rc = fileio_replace(path, pem, len, 0600);
	if (rc == 0)
		cs.nminted++;
	if (expiry != NULL)
		*expiry = tls_ca_leaf_not_after(pem, len);
	tls_ca_pem_free(pem, len);
	return rc;
}

/* Makes room for one more name: the least recently used one goes, file
 * and all; its path is returned for removal from the running HAProxy. */
bool
cert_store_evict(const char *keep, char *gone_name, char *gone)
{
	size_t v = cert_lru_victim(&cs.names, keep);

	if (v == SIZE_MAX || cert_store_path(gone, cs.names.e[v].name) == -1)
		return false;
	snprintf(gone_name, HOSTNAME_BUF, "%s", cs.names.e[v].name);
	log_limited(&cert_evict_rl, time(NULL), LOG_INFO,
	    "certificate for %s evicted: least recently used of %d", cs.names.e[v].name,
	    CERT_MAX);
	cert_lru_remove(&cs.names, v);
	/* Out of the names before the crt-list loses it (see
	 * cert_store_write_lists), and out of the crt-list before its file goes:
	 * a reload at any point finds what it reads. */
	if (cert_store_write_minted(false) == -1 || cert_store_write_crt_list(false) == -1)
		/* Kept: the next start lists it, or drops it at the cap. */
		log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s", cs.dir,
		    strerror(errno));
	else if (unlink(gone) == -1 && errno != ENOENT)
		log_limited(&cert_err_rl, time(NULL), LOG_WARN, "%s: %s", gone,
		    strerror(errno));
	return true;
}

/* The name behind a file of the certificate directory: the file name
 * itself, or for a hashed one the leaf's SAN (checked against the hash). */
static bool
cert_store_file_name(const char *file, const char *pem, size_t len, char *name)
{
	char want[TLS_CA_FILENAME_MAX];
	size_t l = strlen(file);

	if (l < 5 || strcmp(file + l - 4, ".pem") != 0 || l - 4 > TLS_CA_PLAIN_MAX)
		return false;
	memcpy(name, file, l - 4);
	name[l - 4] = '\0';
	if (tls_ca_hostname_valid(name, l - 4))
		return strcmp(name, CERT_DEFAULT) != 0;
	return pem != NULL && tls_ca_leaf_name(pem, len, name, HOSTNAME_BUF) &&
	    tls_ca_cert_filename(name, want, sizeof(want)) && strcmp(want, file) == 0 &&
	    strcmp(name, CERT_DEFAULT) != 0;
}

/* One file found at start-up: listed again (renewed when needed), unless
 * the table is full of more recently used names. */
static bool
cert_store_scan_one(const char *file, void *arg)
{
	char path[CERT_PATH_MAX], name[HOSTNAME_BUF], gone[CERT_PATH_MAX];
	struct stat st;
	size_t len = 0, i;
	char *pem;
	int64_t used, expiry;

	if (fileio_path(path, CERT_PATH_MAX, cs.dir, file) == -1 || lstat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		return true;
	pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len);
	if (!cert_store_file_name(file, pem, len, name)) {
		/* Ours by its form, but no name can be read back: it can
		 * neither be renewed nor listed. */
		if (strlen(file) == 68 && strspn(file, "0123456789abcdef") == 64)
			unlink(path);
		goto out;
	}
	used = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	if (cs.names.n == cs.names.cap) {
		size_t v = cert_lru_victim(&cs.names, NULL);

		if (v == SIZE_MAX || cs.names.e[v].used >= used) {
			unlink(path);
			goto out;
		}
		if (cert_store_path(gone, cs.names.e[v].name) == 0)
			unlink(gone);
		cert_lru_remove(&cs.names, v);
	}
	/* HAProxy loads these files as they are on its next start. */
	expiry = tls_ca_leaf_not_after(pem, len);
	if (!cert_store_current(pem, len)) {
		if (cert_store_mint(name, path, &expiry) == -1) {
			log_limited(&cert_err_rl, time(NULL), LOG_ERR,
			    "certificate for %s could not be renewed: dropped", name);
			unlink(path);
			goto out;
		}
		cert_store_set_used(path, used);
		log_info("certificate for %s renewed", name);
	}
	if ((i = cert_lru_add(&cs.names, name, used, 0)) != SIZE_MAX)
		cs.names.e[i].expiry = expiry;
out:
	if (pem != NULL)
		tls_ca_pem_free(pem, len);
	return true;
}

/* Names minted by an earlier run stay valid: list them again, at most
 * CERT_MAX, the most recently used ones. */
void
cert_store_scan(void)
{
	if (fileio_dir_each(cs.dir, cert_store_scan_one, NULL) == 0 && cs.names.n > 0)
		log_info("%zu minted certificate(s) found in %s", cs.names.n, cs.dir);
}
