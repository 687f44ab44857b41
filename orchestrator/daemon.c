/* mgmt-proxyd's imperative shell around the pure core (config, select,
 * proxy_fsm, status): this file holds its life cycle (paths, signals,
 * start-up and exit); daemon_proxy.c, daemon_dhcp.c, daemon_peer.c,
 * daemon_reload.c and daemon_ctl.c the rest. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_file.h"
#include "control.h"
#include "daemon_int.h"
#include "dhcp_snoop.h"
#include "event.h"
#include "firewall.h"
#include "forward.h"
#include "link.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "passive.h"
#include "proc.h"
#include "startup.h"
#include "fileio.h"
#include "status_views.h"
#include "watch.h"

struct daemon d;

/* ---- signals and life cycle ---- */

static void
daemon_signal(int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			json_decref(daemon_reload());
			break;
		case SIGUSR1:
			/* logrotate moved the files: no reload. */
			log_reopen();
			log_info("log files reopened");
			break;
		case SIGCHLD:
			proc_reap();
			break;
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: shutting down", si.ssi_signo);
			event_break();
			break;
		}
	}
}

static int
daemon_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	d.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.sigfd == -1)
		return -1;
	return event_add(d.sigfd, EPOLLIN, daemon_signal, NULL);
}

static int
daemon_write_pid(void)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	return fileio_replace(d.pid_file, buf, (size_t)n, 0644);
}

/* Files are written there as root: a directory others may write to would
 * let them plant links. Warned about, not refused: on a router these
 * directories may belong to the platform. */
static void
daemon_check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0))
		log_warn("%s: not a directory of ours or writable by group/others "
		    "(mode %04o, owner %u): state files there can be tampered with",
		    dir, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
}

/* Every path is checked: a cut one would be another file. */
#define DAEMON_JOIN(buf, dir, name)	fileio_path((buf), sizeof(buf), (dir), (name))

static int
daemon_setup_paths(void)
{
	if (DAEMON_JOIN(d.proxy_file, d.opts.state_dir, "proxy-address.json") == -1 ||
	    DAEMON_JOIN(d.dhcp_dir, d.opts.state_dir, "dhcp") == -1 ||
	    DAEMON_JOIN(d.peer_file, d.opts.run_dir, "peer-proxy.json") == -1 ||
	    DAEMON_JOIN(d.sock_path, d.opts.run_dir, CONTROL_SOCKET) == -1 ||
	    DAEMON_JOIN(d.pid_file, d.opts.run_dir, "mgmt-proxyd.pid") == -1 ||
	    DAEMON_JOIN(d.lock_file, d.opts.run_dir, "mgmt-proxy.lock") == -1 ||
	    DAEMON_JOIN(d.alarm_seq_file, d.opts.state_dir, ALARM_SEQ_FILE) == -1 ||
	    fileio_mkdirs(d.dhcp_dir, 0755) == -1 ||
	    fileio_mkdirs(d.opts.run_dir, 0755) == -1) {
		fprintf(stderr, "mgmt-proxyd: cannot create %s or %s: %s\n",
		    d.dhcp_dir, d.opts.run_dir, strerror(errno));
		return -1;
	}
	daemon_check_dir(d.opts.state_dir);
	daemon_check_dir(d.dhcp_dir);
	daemon_check_dir(d.opts.run_dir);
	return 0;
}

/* ---- owned kernel state (watch.c) ---- */

static void
daemon_watch_want(struct recon_want *want)
{
	want->intercept = forward_intercept_wanted();
	want->dhcp = firewall_dhcp_installed();
}

static int
daemon_watch_repair_dhcp(void)
{
	return dhcp_snoop_configure(&d.cfg);
}

static const struct watch_ops daemon_watch_ops = {
	.want = daemon_watch_want,
	.repair_intercept = forward_repair,
	.lost_intercept = forward_lost,
	.repair_dhcp = daemon_watch_repair_dhcp,
};

static int
daemon_init_loop(void)
{
	struct forward_paths fp = { d.opts.run_dir, d.opts.state_dir, d.opts.log_file };

	if (event_init() == -1 || daemon_signals() == -1 ||
	    probe_init(&d.probe, daemon_proxy_probe_done, NULL) == -1 ||
	    event_timer_init(&d.probe_timer, daemon_proxy_probe_due, NULL) == -1 ||
	    event_timer_init(&d.expiry_timer, daemon_dhcp_expiry_due, NULL) == -1 ||
	    event_timer_init(&d.pace_timer, daemon_dhcp_pace_due, NULL) == -1) {
		log_err("event loop: %s", strerror(errno));
		return -1;
	}
	if (control_open(d.sock_path, daemon_ctl_request, NULL) == -1) {
		log_err("control socket %s: %s", d.sock_path, strerror(errno));
		return -1;
	}
	daemon_reload_group();
	/* Tables, rule and route of an earlier run go before anything is
	 * installed, whatever this configuration wants. */
	firewall_open();
	/* A HAProxy left by an earlier run may hold what we bind next. */
	forward_clean_stale(&fp);
	/* Learning is best effort: without it static mode still works. */
	if (dhcp_snoop_open(daemon_dhcp_reply, NULL) == -1)
		log_err("dhcp: cannot open netfilter queue %d: %s", DHCP_SNOOP_QUEUE,
		    strerror(errno));
	else
		dhcp_snoop_configure(&d.cfg);
	if (link_open(daemon_dhcp_link, NULL) == -1)
		log_err("link: cannot watch interfaces: %s", strerror(errno));
	/* Always opened: with HA off it only remembers the callback. */
	if (peer_open(&d.cfg, d.opts.state_dir, daemon_peer_heard, NULL) == 0)
		peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	if (forward_configure(&d.cfg, &fp) == -1)
		log_err("the forwarder could not be configured");
	/* Off until a reload when the address cannot be bound: logged. */
	metrics_configure(&d.cfg, d.opts.run_dir, daemon_ctl_metrics);
	/* Without it nothing repairs what another process removes. */
	if (watch_open(&daemon_watch_ops) == -1)
		log_err("cannot watch nftables and routing events: %s", strerror(errno));
	return 0;
}

int
daemon_main(const struct daemon_opts *opts)
{
	static struct cfg_errors err;
	char why[DAEMON_PATH_MAX + 64];
	int rc = 0;

	d.opts = *opts;
	log_set_target(opts->journal ? LOG_TARGET_JOURNAL : log_target_detect());
	if (opts->log_level >= 0)
		log_force_level((enum log_level)opts->log_level);
	if (fileio_mkdir_parent(opts->log_file, 0755) == -1 ||
	    log_open(opts->log_file, true) == -1) {
		fprintf(stderr, "mgmt-proxyd: %s: %s\n", opts->log_file, strerror(errno));
		return 1;
	}
	if (!config_file_load(opts->config, &d.cfg, &err)) {
		for (size_t i = 0; i < err.n; i++)
			fprintf(stderr, "%s\n", err.msg[i]);
		log_close();
		return 1;
	}
	if (daemon_setup_paths() == -1)
		return 1;
	/* Before anything of a running instance (sockets, HAProxy, tables)
	 * is touched. */
	if (startup_lock(d.lock_file, why, sizeof(why)) == -1) {
		fprintf(stderr, "mgmt-proxyd: %s\n", why);
		return 1;
	}
	if (!opts->foreground && startup_detach() == -1) {
		fprintf(stderr, "mgmt-proxyd: cannot detach: %s\n", strerror(errno));
		return 1;
	}
	startup_lock_owner();
	daemon_reload_log(&d.cfg);
	log_info("mgmt-proxyd starting: config %s, router %s, node %s",
	    opts->config, d.cfg.router, d.cfg.node);
	daemon_reload_onboarding();
	daemon_dhcp_restore();
	if (d.cfg.ha_enabled)
		daemon_peer_restore();
	daemon_proxy_alarm_seq_restore();
	proxy_fsm_init(&d.fsm, event_now());
	proxy_fsm_configure(&d.fsm, d.cfg.hc_fall, d.cfg.hc_rise);
	notify_configure(d.cfg.notify);
	passive_open(daemon_proxy_traffic_failed, NULL);
	if (daemon_init_loop() == -1 || daemon_write_pid() == -1) {
		rc = 1;
		goto out;
	}
	daemon_proxy_reselect();
	startup_ready();
	if (event_run() == -1)
		rc = 1;
	startup_stopping();
out:
	watch_close();
	dhcp_snoop_close();
	link_close();
	peer_close();
	metrics_close();
	forward_shutdown();
	firewall_close();
	/* Forwarding is gone with the daemon, so no proxy is in effect. */
	fileio_remove(d.proxy_file);
	control_close();
	unlink(d.pid_file);
	log_info("mgmt-proxyd stopped");
	log_close();
	event_fini();
	return rc;
}
