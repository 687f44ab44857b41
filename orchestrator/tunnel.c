/* HTTPS through CONNECT: settings files for HAProxy, tally of tunnels. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "config_file.h"
#include "log.h"
#include "fileio.h"
#include "tunnel.h"

#define TUNNEL_PREFIX	"mgmt-proxy-tunnel "
#define TUNNEL_CA_MAX	(4 * 1024 * 1024)	/* one trust file */
#define TUNNEL_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"
#define TUNNEL_AUTH_MAX	1024

/* Sent to the client when no verified TLS connection to the origin could
 * be made (proxy refused the CONNECT, origin certificate not trusted).
 * HAProxy sends an errorfile as is: it carries its own length. */
static const char tunnel_error_body[] =
    "mgmt-proxy: no verified connection to the origin (the proxy refused the "
    "tunnel, or the origin's certificate is not trusted); see the "
    "management-proxy log.\n";

static struct {
	bool inspect;
	char no_inspect[CFG_MAX_NO_INSPECT][CFG_NAME_BUF];
	size_t nno_inspect;
	char origin_ca[CFG_MAX_ORIGIN_CA][CFG_PATH_MAX];
	size_t norigin_ca;
	char auth_file[CFG_PATH_MAX];
	bool configured;
	unsigned char fingerprint[32];	/* of the files' content */
	struct tunnel_stats stats;
} tn = { .inspect = true };

static bool
tunnel_token(const char **p, char *out, size_t max)
{
	size_t n = strcspn(*p, " ");

	if (n == 0 || n >= max)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	if (**p == ' ')
		(*p)++;
	return true;
}

bool
tunnel_parse_line(const char *line, struct tunnel_event *ev)
{
	char what[10];

	if (strncmp(line, TUNNEL_PREFIX, strlen(TUNNEL_PREFIX)) != 0)
		return false;
	line += strlen(TUNNEL_PREFIX);
	if (!tunnel_token(&line, what, sizeof(what)) ||
	    !tunnel_token(&line, ev->target, sizeof(ev->target)) ||
	    !tunnel_token(&line, ev->why, sizeof(ev->why)) || *line != '\0')
		return false;
	if (strcmp(what, "opened") == 0)
		ev->opened = true;
	else if (strcmp(what, "refused") == 0)
		ev->opened = false;
	else
		return false;
	return true;
}

bool
tunnel_line_is_echo(const char *line)
{
	const char *p;

	if (line[0] != '[' || (p = strstr(line, ") : ")) == NULL)
		return false;
	return strncmp(p + 4, TUNNEL_PREFIX, strlen(TUNNEL_PREFIX)) == 0;
}

void
tunnel_stats_add(struct tunnel_stats *st, const struct tunnel_event *ev,
    int64_t now)
{
	if (ev->opened) {
		st->opened++;
		return;
	}
	st->refused++;
	st->last_refusal = now;
	snprintf(st->last_why, sizeof(st->last_why), "%s", ev->why);
	snprintf(st->last_target, sizeof(st->last_target), "%s", ev->target);
}

const struct tunnel_stats *
tunnel_stats(void)
{
	return &tn.stats;
}

void
tunnel_log_line(const char *line)
{
	struct tunnel_event ev;

	if (tunnel_parse_line(line, &ev))
		tunnel_stats_add(&tn.stats, &ev, (int64_t)time(NULL));
}

/* SHA-256 over the content of the files named by the settings: a new
 * corporate root or new credentials under the same path change it. An
 * unreadable file counts as empty (writing the files reports it). */
static void
tunnel_fingerprint(unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;
	size_t flen;
	char *data;

	memset(out, 0, 32);
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return;
	}
	for (size_t i = 0; i <= tn.norigin_ca; i++) {
		const char *path = i < tn.norigin_ca ? tn.origin_ca[i] : tn.auth_file;

		if (path[0] == '\0' ||
		    (data = fileio_read(path, TUNNEL_CA_MAX, 0, &flen)) == NULL)
			continue;
		EVP_DigestUpdate(md, data, flen);
		explicit_bzero(data, flen);
		free(data);
		EVP_DigestUpdate(md, "\n--\n", 4);
	}
	EVP_DigestFinal_ex(md, out, &len);
	EVP_MD_CTX_free(md);
}

bool
tunnel_configure(const struct config *cfg)
{
	unsigned char fp[32];
	bool changed = !tn.configured || tn.inspect != cfg->tls_inspect ||
	    tn.nno_inspect != cfg->nno_inspect || tn.norigin_ca != cfg->norigin_ca ||
	    strcmp(tn.auth_file, cfg->auth_file) != 0;

	/* The entries, not the whole arrays: the bytes after an entry's NUL
	 * differ from one parse to the next, and a change seen on every
	 * reload reloaded HAProxy every time (dropping its pooled tunnels). */
	for (size_t i = 0; !changed && i < cfg->nno_inspect; i++)
		changed = strcmp(tn.no_inspect[i], cfg->no_inspect[i]) != 0;
	for (size_t i = 0; !changed && i < cfg->norigin_ca; i++)
		changed = strcmp(tn.origin_ca[i], cfg->origin_ca[i]) != 0;

	tn.inspect = cfg->tls_inspect;
	memcpy(tn.no_inspect, cfg->no_inspect, sizeof(tn.no_inspect));
	tn.nno_inspect = cfg->nno_inspect;
	memcpy(tn.origin_ca, cfg->origin_ca, sizeof(tn.origin_ca));
	tn.norigin_ca = cfg->norigin_ca;
	memcpy(tn.auth_file, cfg->auth_file, sizeof(tn.auth_file));
	tn.configured = true;
	/* A file's content may have changed under the same settings (a new
	 * corporate root, new credentials). */
	tunnel_fingerprint(fp);
	changed |= memcmp(fp, tn.fingerprint, sizeof(fp)) != 0;
	memcpy(tn.fingerprint, fp, sizeof(fp));
	return changed;
}

bool
tunnel_inspect(void)
{
	return tn.inspect;
}

static int
tunnel_write(const char *dir, const char *name, const char *data, size_t len,
    mode_t mode, char *why, size_t wlen)
{
	char path[CFG_PATH_MAX + 32];

	if (fileio_path(path, sizeof(path), dir, name) == -1 ||
	    fileio_replace(path, data, len, mode) == -1) {
		snprintf(why, wlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Appends a file to a growing buffer. */
static int
tunnel_append_file(char **buf, size_t *len, const char *path, char *why, size_t wlen)
{
	size_t flen;
	char *data = fileio_read(path, TUNNEL_CA_MAX, 0, &flen), *nb;

	if (data == NULL) {
		snprintf(why, wlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((nb = realloc(*buf, *len + flen + 2)) == NULL) {
		free(data);
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	*buf = nb;
	memcpy(*buf + *len, data, flen);
	*len += flen;
	if (flen > 0 && data[flen - 1] != '\n')
		(*buf)[(*len)++] = '\n';
	free(data);
	return 0;
}

char *
tunnel_ca_bundle(char (*files)[CFG_PATH_MAX], size_t n, size_t *len,
    char *why, size_t wlen)
{
	char *ca = NULL;
	int rc;

	/* Origins are verified against the system store plus origin-ca. */
	*len = 0;
	rc = tunnel_append_file(&ca, len, TUNNEL_SYSTEM_CA, why, wlen);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = tunnel_append_file(&ca, len, files[i], why, wlen);
	if (rc == -1) {
		free(ca);
		return NULL;
	}
	return ca;
}

/* "Basic base64(user:password)" from the credentials file into out. */
static int
tunnel_auth_header(char *out, size_t max, char *why, size_t wlen)
{
	size_t len;
	char *cred;
	int n;

	out[0] = '\0';
	if (tn.auth_file[0] == '\0')
		return 0;
	if (!config_auth_file_ok(tn.auth_file, why, wlen))
		return -1;
	if ((cred = fileio_read(tn.auth_file, TUNNEL_AUTH_MAX, O_NOFOLLOW, &len)) == NULL) {
		snprintf(why, wlen, "%s: %s", tn.auth_file, strerror(errno));
		return -1;
	}
	if (len > 0 && cred[len - 1] == '\n')
		len--;
	if (6 + 4 * ((len + 2) / 3) + 1 > max) {
		explicit_bzero(cred, len);
		free(cred);
		snprintf(why, wlen, "%s: too long", tn.auth_file);
		return -1;
	}
	memcpy(out, "Basic ", 6);
	n = EVP_EncodeBlock((unsigned char *)out + 6, (unsigned char *)cred, (int)len);
	explicit_bzero(cred, len);
	free(cred);
	out[6 + n] = '\0';
	return 0;
}

int
tunnel_write_files(const char *dir, char *why, size_t wlen)
{
	char exact[CFG_MAX_NO_INSPECT * CFG_NAME_BUF + 1] = "";
	char suffix[CFG_MAX_NO_INSPECT * CFG_NAME_BUF + 1] = "";
	char auth[4 * TUNNEL_AUTH_MAX / 3 + 16];
	size_t le = 0, ls = 0, lca = 0;
	char *ca = NULL, page[512];
	int rc, plen;

	plen = snprintf(page, sizeof(page), "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: text/plain\r\nCache-Control: no-store\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(tunnel_error_body), tunnel_error_body);

	for (size_t i = 0; i < tn.nno_inspect; i++) {
		const char *n = tn.no_inspect[i];

		/* "*.example.org" matches names that end in ".example.org". */
		if (strncmp(n, "*.", 2) == 0)
			ls += (size_t)snprintf(suffix + ls, sizeof(suffix) - ls, "%s\n", n + 1);
		else
			le += (size_t)snprintf(exact + le, sizeof(exact) - le, "%s\n", n);
	}
	if (tunnel_write(dir, "no-inspect.lst", exact, le, 0644, why, wlen) == -1 ||
	    tunnel_write(dir, "no-inspect-suffix.lst", suffix, ls, 0644, why, wlen) == -1 ||
	    tunnel_write(dir, "origin-error.http", page, (size_t)plen, 0644, why, wlen) == -1)
		return -1;
	ca = tunnel_ca_bundle(tn.origin_ca, tn.norigin_ca, &lca, why, wlen);
	if (ca == NULL)
		return -1;
	rc = tunnel_write(dir, "origin-ca.pem", ca, lca, 0644, why, wlen);
	free(ca);
	if (rc == -1)
		return -1;
	if (tunnel_auth_header(auth, sizeof(auth), why, wlen) == -1)
		return -1;
	rc = tunnel_write(dir, "proxy-auth", auth, strlen(auth), 0600, why, wlen);
	explicit_bzero(auth, sizeof(auth));
	return rc;
}
