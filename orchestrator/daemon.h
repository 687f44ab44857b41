/* The daemon: owns the state, runs the loop, carries out the actions the
 * pure core decides. One instance per process. */
#ifndef DAEMON_H
#define DAEMON_H
#include <stdbool.h>

#include "statefile.h"

#define DEFAULT_CONFIG		"/etc/mgmt-proxy/mgmt-proxy.yaml"
#define DEFAULT_ONBOARDING	"/etc/128T-hardware-bootstrapper/onboarding-config.json"
#define DEFAULT_STATE_DIR	"/var/lib/128technology"
#define DEFAULT_RUN_DIR		"/var/run/128technology"
#define DEFAULT_LOG_FILE	"/var/log/128technology/management-proxy.log"

/* The options mgmt-proxyd and mgmt-proxyctl share, ending their
 * getopt_long tables. */
#define DAEMON_OPTS_COMMON \
	{ "run-dir", required_argument, NULL, 'r' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }

struct daemon_opts {
	const char *config;
	const char *onboarding;
	const char *state_dir;
	const char *run_dir;
	const char *log_file;
	bool foreground;
	bool journal;		/* --log-target journal */
	int log_level;		/* --log-level; -1: from the configuration */
	const char *version;	/* the package's, reported by every show */
};

/* Runs until SIGTERM/SIGINT; returns the process exit status. */
int daemon_main(const struct daemon_opts *);
/* A learned-state source (DHCP snooping, the HA peer) has news:
 * record it, persist it and select again. */
void daemon_dhcp_update(const struct dhcp_info *);
void daemon_peer_update(const struct peer_info *);
#endif
