/* mgmt-proxyctl: asks mgmt-proxyd over its control socket and prints the
 * answer as a table, or as JSON with --json. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctl_render.h"
#include "daemon.h"

#define CTL_REPLY_MAX	(4 * 1024 * 1024)

/* --help: on stdout, success; a usage error: on stderr, status 2. */
static void
usage(FILE *out, int status)
{
	fprintf(out,
	    "usage: mgmt-proxyctl [--run-dir DIR] show management-proxy [detail] [--json]\n"
	    "       mgmt-proxyctl [--run-dir DIR] show dhcp learned-proxies [--json]\n"
	    "       mgmt-proxyctl [--run-dir DIR] show alarms [--json]\n"
	    "       mgmt-proxyctl [--run-dir DIR] show forwarder [--json]\n"
	    "       mgmt-proxyctl [--run-dir DIR] show certificates [--json]\n"
	    "       mgmt-proxyctl [--run-dir DIR] show ha [--json]\n"
	    "       mgmt-proxyctl [--run-dir DIR] reload\n"
	    "       mgmt-proxyctl [--run-dir DIR] ca export\n"
	    "       mgmt-proxyctl --version | --help\n");
	exit(status);
}

/* Sends one request line and reads the whole JSON reply. */
static json_t *
ctl_ask(const char *run_dir, const char *req)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	json_error_t jerr;
	json_t *reply;
	int fd;

	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", run_dir,
	    CONTROL_SOCKET) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "mgmt-proxyctl: run directory path too long\n");
		exit(1);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "mgmt-proxyctl: %s: %s (is mgmt-proxyd running?)\n",
		    sun.sun_path, strerror(errno));
		exit(1);
	}
	if (dprintf(fd, "%s\n", req) < 0) {
		fprintf(stderr, "mgmt-proxyctl: write: %s\n", strerror(errno));
		exit(1);
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > CTL_REPLY_MAX || (buf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "mgmt-proxyctl: reply too large\n");
				exit(1);
			}
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	reply = json_loadb(buf ? buf : "", len, 0, &jerr);
	free(buf);
	if (reply == NULL) {
		fprintf(stderr, "mgmt-proxyctl: no valid reply from mgmt-proxyd "
		    "(busy or refused)\n");
		exit(1);
	}
	return reply;
}

static int
ctl_errors(json_t *reply)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(reply, "errors"), i, e)
		fprintf(stderr, "%s\n", json_string_value(e));
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "run-dir", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *run_dir = DEFAULT_RUN_DIR, *req = NULL;
	bool json = false, detail = false;
	char words[128] = "";
	json_t *reply, *result;
	int ch, rc = 0;

	/* Options may come before or after the words ("show alarms --json"). */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1 || optind < argc) {
		if (ch == -1) {
			size_t l = strlen(words);

			snprintf(words + l, sizeof(words) - l, "%s%s", l ? " " : "", argv[optind++]);
			continue;
		}
		switch (ch) {
		case 'r': run_dir = optarg; break;
		case 'j': json = true; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mgmt-proxyctl %s\n", MGMT_PROXY_VERSION); return 0;
		default: usage(stderr, 2);
		}
	}
	if (strcmp(words, "show management-proxy detail") == 0) {
		detail = true;
		req = "show management-proxy";
	} else if (strcmp(words, "show management-proxy") == 0 ||
	    strcmp(words, "show dhcp learned-proxies") == 0 ||
	    strcmp(words, "show alarms") == 0 || strcmp(words, "reload") == 0 ||
	    strcmp(words, "show forwarder") == 0 ||
	    strcmp(words, "show certificates") == 0 || strcmp(words, "show ha") == 0 ||
	    strcmp(words, "ca export") == 0)
		req = words;
	else
		usage(stderr, 2);

	reply = ctl_ask(run_dir, req);
	result = json_object_get(reply, "result");
	if (json_integer_value(json_object_get(reply, "status")) != 0)
		rc = ctl_errors(reply);
	else if (json && strcmp(req, "reload") != 0 && strcmp(req, "ca export") != 0) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		printf("%s\n", s ? s : "null");
		free(s);
	} else if (strncmp(req, "show management-proxy", 21) == 0)
		ctl_render_proxy(stdout, result, detail);
	else if (strcmp(req, "show dhcp learned-proxies") == 0)
		ctl_render_dhcp(stdout, result);
	else if (strcmp(req, "show alarms") == 0)
		ctl_render_alarms(stdout, result);
	else if (strcmp(req, "show forwarder") == 0)
		ctl_render_forwarder(stdout, result);
	else if (strcmp(req, "show certificates") == 0)
		ctl_render_certificates(stdout, result);
	else if (strcmp(req, "show ha") == 0)
		ctl_render_ha(stdout, result);
	else
		printf("%s%s", json_string_value(result) ? json_string_value(result) : "",
		    strcmp(req, "reload") == 0 ? "\n" : "");
	json_decref(reply);
	return rc;
}
