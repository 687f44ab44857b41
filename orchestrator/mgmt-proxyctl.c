/* mgmt-proxyctl: asks mgmt-proxyd over its control socket and prints the
 * answer as a table, or as JSON with --json. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctl_fetch.h"
#include "ctl_render.h"
#include "ctl_verbs.h"
#include "daemon.h"

#define CTL_REPLY_MAX	(4 * 1024 * 1024)

/* --help: on stdout, success; a usage error: on stderr, status 2. One
 * line per verb of the daemon's table. */
static void
usage(FILE *out, int status)
{
	for (int id = 0; id < CTL_VERB_COUNT; id++) {
		const struct ctl_verb *v = ctl_verbs_get((enum ctl_verb_id)id);

		fprintf(out, "%s mgmt-proxyctl [--run-dir DIR] %s%s\n",
		    id == 0 ? "usage:" : "      ", v->request, v->args);
	}
	fprintf(out, "       mgmt-proxyctl --version | --help\n");
	exit(status);
}

/* An answer without --json (test is run apart). */
static void
ctl_print(enum ctl_verb_id id, json_t *result, bool detail)
{
	const char *text = json_string_value(result);

	switch (id) {
	case CTL_SHOW_PROXY: ctl_render_proxy(stdout, result, detail); break;
	case CTL_SHOW_DHCP: ctl_render_dhcp(stdout, result); break;
	case CTL_SHOW_ALARMS: ctl_render_alarms(stdout, result); break;
	case CTL_SHOW_FORWARDER: ctl_render_forwarder(stdout, result); break;
	case CTL_SHOW_CERTIFICATES: ctl_render_certificates(stdout, result); break;
	case CTL_SHOW_HA: ctl_render_ha(stdout, result); break;
	case CTL_RELOAD: printf("%s\n", text ? text : ""); break;
	case CTL_CA_EXPORT: fputs(text ? text : "", stdout); break;
	case CTL_TEST: case CTL_VERB_COUNT: break;
	}
}

/* The socket refused us: say who may use it, as the daemon would. */
static void
ctl_denied(const char *path)
{
	struct group *gr;
	struct stat st;

	if (stat(path, &st) == 0 && (st.st_mode & 0060) == 0060 &&
	    (gr = getgrgid(st.st_gid)) != NULL)
		fprintf(stderr, "permission denied: not root and not in group %s\n",
		    gr->gr_name);
	else
		fprintf(stderr, "permission denied: only root may use mgmt-proxyd\n");
	exit(1);
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
		if (errno == EACCES)
			ctl_denied(sun.sun_path);
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

/* test URL: asks the daemon for the active proxy and where the
 * forwarder's trust and credentials are, then fetches URL itself. */
static int
ctl_run_test(const char *run_dir, const char *url, long timeout_ms, bool json)
{
	char origin_ca[CFG_MAX_ORIGIN_CA][CFG_PATH_MAX];
	char auth[CFG_PATH_MAX * 2] = "", why[CFG_PATH_MAX * 2];
	struct ctl_fetch_opts opt = { .url = url, .origin_ca = origin_ca,
	    .timeout_ms = timeout_ms };
	struct ctl_test_report rep;
	struct ctl_test_obs obs;
	json_t *reply, *info, *ca, *e;
	const char *proxy;
	size_t i;

	reply = ctl_ask(run_dir, CTL_VERB_TEST);
	if (json_integer_value(json_object_get(reply, "status")) != 0) {
		ctl_errors(reply);
		json_decref(reply);
		return 1;
	}
	info = json_object_get(reply, "result");
	proxy = json_string_value(json_object_get(info, "active-proxy"));
	/* None in effect but one selected (unreachable): test that one, to
	 * show why; the verdict stays a failure. */
	if (proxy == NULL)
		proxy = json_string_value(json_object_get(info, "selected"));
	ca = json_object_get(info, "origin-ca");
	json_array_foreach(ca, i, e)
		if (i < CFG_MAX_ORIGIN_CA && json_string_value(e) != NULL)
			snprintf(origin_ca[opt.norigin_ca++], CFG_PATH_MAX, "%s",
			    json_string_value(e));
	opt.proxy = proxy;
	opt.auth_file = json_string_value(json_object_get(info, "auth-file"));
	if (proxy == NULL) {
		const char *st = json_string_value(json_object_get(info, "state"));

		ctl_test_no_proxy(st ? st : "unknown", &rep);
	} else if (ctl_fetch_run(&opt, &obs, auth, sizeof(auth), why, sizeof(why)) == -1) {
		fprintf(stderr, "mgmt-proxyctl: test: %s\n", why);
		json_decref(reply);
		return 1;
	} else {
		const char *st = json_string_value(json_object_get(info, "state"));

		obs.not_in_effect = json_is_null(json_object_get(info, "active-proxy"));
		snprintf(obs.state, sizeof(obs.state), "%s", st ? st : "unknown");
		ctl_test_evaluate(&obs, &rep);
	}
	if (json) {
		json_t *doc = ctl_test_json(url, proxy, proxy ? auth : NULL, ca, &rep);
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		    JSON_REAL_PRECISION(9));

		printf("%s\n", s ? s : "null");
		free(s);
		json_decref(doc);
	} else
		ctl_test_print(stdout, url, proxy, auth, &rep);
	json_decref(reply);
	return rep.ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		DAEMON_OPTS_COMMON,
	};
	const char *run_dir = DEFAULT_RUN_DIR, *url = NULL;
	long timeout_ms = CTL_FETCH_TIMEOUT_MS;
	const struct ctl_verb *verb;
	char *end;
	bool json = false, detail = false;
	char words[128] = "";
	json_t *reply, *result;
	int ch, rc = 0;

	/* Options may come before or after the words ("show alarms --json"). */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1 || optind < argc) {
		if (ch == -1) {
			size_t l = strlen(words);

			/* A URL can be longer than the words of any command. */
			if (strcmp(words, "test") == 0 && url == NULL) {
				url = argv[optind++];
				continue;
			}

			snprintf(words + l, sizeof(words) - l, "%s%s", l ? " " : "", argv[optind++]);
			continue;
		}
		switch (ch) {
		case 'r': run_dir = optarg; break;
		case 'j': json = true; break;
		case 't':
			timeout_ms = strtol(optarg, &end, 10) * 1000;
			if (*end != '\0' || timeout_ms < 1000 || timeout_ms > 300000)
				usage(stderr, 2);
			break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mgmt-proxyctl %s\n", MGMT_PROXY_VERSION); return 0;
		default: usage(stderr, 2);
		}
	}
	if (strcmp(words, "test") == 0) {
		if (url == NULL)
			usage(stderr, 2);
		return ctl_run_test(run_dir, url, timeout_ms, json);
	}
	if (strcmp(words, "show management-proxy detail") == 0) {
		verb = ctl_verbs_get(CTL_SHOW_PROXY);
		detail = true;
	} else if ((verb = ctl_verbs_find(words)) == NULL)
		usage(stderr, 2);

	reply = ctl_ask(run_dir, verb->request);
	result = json_object_get(reply, "result");
	if (json_integer_value(json_object_get(reply, "status")) != 0)
		rc = ctl_errors(reply);
	else if (json && verb->document) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		printf("%s\n", s ? s : "null");
		free(s);
	} else
		ctl_print(verb->id, result, detail);
	json_decref(reply);
	return rc;
}
