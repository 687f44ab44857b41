/* mgmt-proxyd: the management-proxy orchestrator daemon. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "daemon.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: mgmt-proxyd [--config FILE] [--onboarding FILE] [--state-dir DIR]\n"
	    "                   [--run-dir DIR] [--log-file FILE] [--foreground]\n"
	    "       mgmt-proxyd --check-config FILE\n");
	exit(2);
}

static int
check_config(const char *path)
{
	static struct config cfg;
	static struct cfg_errors err;

	if (config_load(path, &cfg, &err)) {
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
		{ "run-dir", required_argument, NULL, 'r' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_opts o = {
		.config = DEFAULT_CONFIG, .onboarding = DEFAULT_ONBOARDING,
		.state_dir = DEFAULT_STATE_DIR, .run_dir = DEFAULT_RUN_DIR,
		.log_file = DEFAULT_LOG_FILE,
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
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	return daemon_main(&o);
}
