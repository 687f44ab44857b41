/* Configuration: the YAML file (docs/configuration.md) parsed with
 * libyaml into struct config.
 *
 * The parse runs in two steps. An event pass refuses what would make the
 * document tree hard to reason about (syntax errors, aliases and anchors,
 * nesting deeper than CONFIG_MAX_DEPTH, several documents) and stops there.
 * Then the document tree is walked along the schema; every problem found is
 * recorded and the walk goes on, so the user sees all of them at once, each
 * as "FILE:LINE:COL: reason", sorted by position.
 *
 * Every router, node and interface of the authority tree is validated, but
 * only the router and node that are this box land in the struct; the others
 * are parsed into a scratch struct that is thrown away.
 *
 * This file holds the API and the top-level walk. The event pass, the node
 * helpers and the error list are in config_yaml.c, the scalar parsers in
 * config_scalar.c, the two halves of the schema in config_authority.c and
 * config_settings.c; config_int.h is what they share. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_int.h"
#include "statefile.h"

#define CONFIG_MAX_SIZE		(1024 * 1024)

/* The top-level walk */

static void
config_root(struct config_ctx *ctx, yaml_node_t *root, struct config *cfg)
{
	static const char *const keys[] = { "authority", "mgmt-proxy", NULL };
	yaml_node_t *v[2];

	if (!config_yaml_map(ctx, root, keys, v))
		return;
	/* mgmt-proxy says which router and node of the tree this box is. */
	config_settings_parse(ctx, v[1], cfg);
	config_authority_parse(ctx, v[0], cfg);
}

/* API */

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->enabled = true;
	cfg->mode = MODE_DISABLED;
	cfg->forwarder = FWD_HAPROXY;
	cfg->hc_interval = 60;
	cfg->hc_timeout = 3;
	cfg->hc_fall = 1;
	cfg->hc_rise = 1;
	snprintf(cfg->intercept_if[0], IFNAMSIZ, "%s", "kni254");
	cfg->nintercept = 1;
	cfg->http_port[0] = 80;
	cfg->nhttp_port = 1;
	cfg->https_port[0] = 443;
	cfg->nhttps_port = 1;
	snprintf(cfg->ca_cert, sizeof(cfg->ca_cert), "%s",
	    "/etc/mgmt-proxy/ca.crt");
	snprintf(cfg->ca_key, sizeof(cfg->ca_key), "%s",
	    "/etc/mgmt-proxy/ca.key");
	snprintf(cfg->ha_key_file, sizeof(cfg->ha_key_file), "%s",
	    "/etc/mgmt-proxy/ha.key");
	cfg->log_level = -1;
	cfg->tls_inspect = true;
	snprintf(cfg->read_group, sizeof(cfg->read_group), "%s",
	    CTL_GROUP_DEFAULT);
}

bool
config_parse(const char *fname, const char *buf, size_t len,
    struct config *cfg, struct cfg_errors *err)
{
	struct config_ctx *ctx;
	yaml_parser_t p;
	yaml_node_t *root;

	memset(err, 0, sizeof(*err));
	config_defaults(cfg);
	/* The context holds a whole scratch config; keep it off the stack. */
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		snprintf(err->msg[0], CFG_ERR_LEN, "%s: out of memory", fname);
		err->n = 1;
		return false;
	}
	ctx->fname = fname;
	ctx->err = err;
	config_defaults(&ctx->scratch);
	if (len > CONFIG_MAX_SIZE)
		config_yaml_ferr(ctx, "larger than 1 MiB");
	else if (config_yaml_precheck(ctx, buf, len)) {
		if (!yaml_parser_initialize(&p))
			config_yaml_ferr(ctx, "out of memory");
		else {
			yaml_parser_set_input_string(&p,
			    (const unsigned char *)buf, len);
			if (!yaml_parser_load(&p, &ctx->doc))
				config_yaml_syntax(ctx, &p, buf, len);
			else {
				/* An empty file is a valid, all-default one. */
				if ((root = yaml_document_get_root_node(
				    &ctx->doc)) != NULL)
					config_root(ctx, root, cfg);
				yaml_document_delete(&ctx->doc);
			}
			yaml_parser_delete(&p);
		}
	}
	config_yaml_sort_errors(ctx);
	free(ctx);
	return err->n == 0;
}

/* "FILE:LINE:COL: WHAT FILE: WHY" as the one error; false. */
static bool
config_file_error(struct cfg_errors *err, const char *path, size_t line,
    size_t col, const char *what, const char *file, const char *why)
{
	int n = snprintf(err->msg[0], CFG_ERR_LEN, "%s:%zu:%zu: ", path, line, col);

	if (n > 0 && n < CFG_ERR_LEN)
		snprintf(err->msg[0] + n, CFG_ERR_LEN - (size_t)n, "%s %.120s: %.100s",
		    what, file, why);
	err->n = 1;
	return false;
}

/* The loop must never wait on a file it did not create: the read does not
 * block (a FIFO at the path is refused at once, never waited on) and only
 * a regular file is read. Links are followed, since configuration files
 * under /etc are often links; the target is checked after the open. */
bool
config_load(const char *path, struct config *cfg, struct cfg_errors *err)
{
	char why[128];
	size_t len;
	char *buf;
	bool ok;

	memset(err, 0, sizeof(*err));
	if ((buf = statefile_read_max(path, CONFIG_MAX_SIZE, 0, &len)) == NULL) {
		snprintf(err->msg[0], CFG_ERR_LEN, "%s: %s", path,
		    errno == EFBIG ? "larger than 1 MiB" :
		    statefile_read_error(errno));
		err->n = 1;
		return false;
	}
	ok = config_parse(path, buf, len, cfg, err);
	free(buf);
	/* Files the configuration names, checked once it parsed. */
	if (ok && cfg->auth_file[0] != '\0' &&
	    !config_auth_file_ok(cfg->auth_file, why, sizeof(why)))
		ok = config_file_error(err, path, cfg->auth_line, cfg->auth_col,
		    "credentials-file", cfg->auth_file, why);
	if (ok && cfg->notify[0] != '\0' &&
	    !config_notify_file_ok(cfg->notify, why, sizeof(why)))
		ok = config_file_error(err, path, cfg->notify_line, cfg->notify_col,
		    "notify", cfg->notify, why);
	return ok;
}

#define CONFIG_AUTH_MAX	1024

/* The content of a credentials file: one line "user:password" (a final
 * newline allowed), no CR, LF or NUL inside. */
static bool
config_auth_text_ok(char *buf, ssize_t n, char *why, size_t wlen)
{
	size_t len;

	if (n < 0 || (size_t)n > CONFIG_AUTH_MAX) {
		snprintf(why, wlen, n < 0 ? "unreadable" : "larger than %d bytes",
		    CONFIG_AUTH_MAX);
		return false;
	}
	len = (size_t)n;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (memchr(buf, '\r', len) || memchr(buf, '\n', len) || memchr(buf, '\0', len)) {
		snprintf(why, wlen, "contains CR, LF or NUL");
		return false;
	}
	buf[len] = '\0';
	if (len < 2 || strchr(buf, ':') == NULL || buf[0] == ':') {
		snprintf(why, wlen, "must hold one line user:password");
		return false;
	}
	return true;
}

bool
config_auth_file_ok(const char *path, char *why, size_t wlen)
{
	char buf[CONFIG_AUTH_MAX + 1];
	struct stat st;
	ssize_t n;
	bool ok;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) == -1) {
		snprintf(why, wlen, "%s", strerror(errno));
		return false;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(why, wlen, "not a regular file");
		close(fd);
		return false;
	}
	if (st.st_uid != 0 || (st.st_mode & 07777) != 0600) {
		snprintf(why, wlen, "must be owned by root with mode 0600 (is uid %u, mode %04o)",
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return false;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ok = config_auth_text_ok(buf, n, why, wlen);
	explicit_bzero(buf, sizeof(buf));	/* the password */
	return ok;
}

/* Whoever may write a directory above the script can rename another file
 * over it: every directory of the resolved path must be root's and
 * writable by root alone, or sticky (then only root may rename or remove
 * the root-owned entry below it). */
static bool
config_notify_dirs_ok(const char *path, char *why, size_t wlen)
{
	char real[PATH_MAX], *slash;
	struct stat st;

	if (realpath(path, real) == NULL) {
		snprintf(why, wlen, "%s", strerror(errno));
		return false;
	}
	while ((slash = strrchr(real, '/')) != NULL) {
		slash[slash == real ? 1 : 0] = '\0';
		if (stat(real, &st) == -1) {
			snprintf(why, wlen, "%s: %s", real, strerror(errno));
			return false;
		}
		if (st.st_uid != 0 || ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
		    (st.st_mode & S_ISVTX) == 0)) {
			snprintf(why, wlen, "directory %s must be owned by root and not "
			    "writable by group or others (is uid %u, mode %04o)", real,
			    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
			return false;
		}
		if (slash == real)
			break;
	}
	return true;
}

/* The script runs as root: whoever may change it is root. */
bool
config_notify_file_ok(const char *path, char *why, size_t wlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		snprintf(why, wlen, "%s", strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, wlen, "not a regular file");
		return false;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(why, wlen, "must be owned by root and not writable by group "
		    "or others (is uid %u, mode %04o)", (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		return false;
	}
	if ((st.st_mode & S_IXUSR) == 0) {
		snprintf(why, wlen, "not executable (mode %04o)",
		    (unsigned)(st.st_mode & 07777));
		return false;
	}
	return config_notify_dirs_ok(path, why, wlen);
}

bool
config_iface_eligible(const struct config *cfg, const char *ifname)
{
	for (size_t i = 0; i < cfg->niface; i++)
		if (strcmp(cfg->iface[i].name, ifname) == 0)
			return cfg->iface[i].dhcp_v4 &&
			    cfg->iface[i].proxy_discovery;
	return false;
}

const char *
config_mode_name(enum mp_mode mode)
{
	switch (mode) {
	case MODE_DISABLED:
		return "disabled";
	case MODE_STATIC:
		return "static";
	case MODE_LEARNED:
		return "learned";
	}
	return "unknown";
}
