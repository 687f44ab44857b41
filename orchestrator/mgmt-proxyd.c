/* mgmt-proxyd: the management-proxy orchestrator daemon. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"
#include "daemon.h"

/* --help: on stdout, success; a usage error: on stderr, status 2. */
static void
usage(FILE *out, int status)
{
	fprintf(out,
	    "usage: mgmt-proxyd [--config FILE] [--onboarding FILE] [--state-dir DIR]\n"
	    "                   [--run-dir DIR] [--log-file FILE] [--foreground]\n"
	    "                   [--log-level " LOG_LEVELS "]\n"
	    "                   [--log-target stderr|journal]\n"
	    "       mgmt-proxyd --check-config FILE\n"
	    "       mgmt-proxyd --version | --help\n");
	exit(status);
}

/* The daemon leaves its working directory: a relative path given on the
 * command line would name another file on the next reload. */
static const char *
absolute(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return path;
	if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    asprintf(&abs, "%s/%s", cwd, path) == -1) {
		perror("mgmt-proxyd: getcwd");
		exit(1);
	}
	return abs;	/* lives as long as the process */
}

static int
check_config(const char *path)
{
	static struct config cfg;
	static struct cfg_errors err;

	if (config_file_load(path, &cfg, &err)) {
		printf("configuration OK\n");
		return 0;
	}
	for (size_t i = 0; i < err.n; i++)
		fprintf(stderr, "%s\n", err.msg[i]);
	if (err.dropped > 0)
		fprintf(stderr, "(%zu more errors)\n", err.dropped);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "onboarding", required_argument, NULL, 'o' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", required_argument, NULL, 'n' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "log-target", required_argument, NULL, 'T' },
		DAEMON_OPTS_COMMON,
	};
	struct daemon_opts o = {
		.config = DEFAULT_CONFIG, .onboarding = DEFAULT_ONBOARDING,
		.state_dir = DEFAULT_STATE_DIR, .run_dir = DEFAULT_RUN_DIR,
		.log_file = DEFAULT_LOG_FILE, .log_level = -1,
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.config = optarg; break;
		case 'o': o.onboarding = optarg; break;
		case 's': o.state_dir = optarg; break;
		case 'r': o.run_dir = optarg; break;
		case 'l': o.log_file = optarg; break;
		case 'f': o.foreground = true; break;
		case 'n': return check_config(optarg);
		case 'L':
			if ((o.log_level = log_level_parse(optarg)) < 0)
				usage(stderr, 2);
			break;
		case 'T':
			if (strcmp(optarg, "journal") == 0)
				o.journal = true;
			else if (strcmp(optarg, "stderr") != 0)
				usage(stderr, 2);
			break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mgmt-proxyd %s\n", MGMT_PROXY_VERSION); return 0;
		default: usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
	o.version = MGMT_PROXY_VERSION;
	o.config = absolute(o.config);
	o.onboarding = absolute(o.onboarding);
	o.state_dir = absolute(o.state_dir);
	o.run_dir = absolute(o.run_dir);
	o.log_file = absolute(o.log_file);
	return daemon_main(&o);
}
