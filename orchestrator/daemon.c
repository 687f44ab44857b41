/* mgmt-proxyd's imperative shell: files, sockets, timers and the forwarder,
 * around the pure core (config, select, proxy_fsm, status). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alarm.h"
#include "control.h"
#include "daemon.h"
#include "dhcp_lease.h"
#include "dhcp_snoop.h"
#include "event.h"
#include "forward.h"
#include "link.h"
#include "peer.h"
#include "log.h"
#include "onboarding.h"
#include "probe.h"
#include "proc.h"
#include "proxy_fsm.h"
#include "select.h"
#include "status.h"
#include "tunnel.h"

#define DAEMON_PATH_MAX	512
/* A renewal that changes nothing but the lease end is written (and sent
 * to the peer) at most this often per interface: a flood of ACKs for our
 * chaddr must not turn into a flood of fsyncs and datagrams. */
#define DAEMON_DHCP_SAVE_MIN	2

static struct daemon {
	struct daemon_opts opts;
	struct config cfg;
	struct onboarding onb;
	struct dhcp_info dhcp[CFG_MAX_IFACE];
	int64_t dhcp_saved[CFG_MAX_IFACE];	/* last write of each file */
	size_t ndhcp;
	struct peer_info peer;
	bool have_peer;
	struct cand_set cands;
	struct proxy_fsm fsm;
	struct alarm alarm;
	struct probe probe;
	struct event_timer probe_timer;
	struct event_timer expiry_timer;
	int sigfd;
	int64_t last_probe;
	char last_probe_error[128];
	char proxy_file[DAEMON_PATH_MAX];
	char dhcp_dir[DAEMON_PATH_MAX];
	char peer_file[DAEMON_PATH_MAX];
	char sock_path[DAEMON_PATH_MAX];
	char pid_file[DAEMON_PATH_MAX];
} d;

static struct config daemon_newcfg;	/* reload target; too big for the stack */

/* mkdir -p for the daemon's own directories. */
static int
daemon_mkdirs(const char *path, mode_t mode)
{
	char buf[DAEMON_PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static int
daemon_parent_dir(const char *file)
{
	char dir[DAEMON_PATH_MAX];
	const char *slash = strrchr(file, '/');

	if (slash == NULL || slash == file)
		return 0;
	if ((size_t)(slash - file) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, file, (size_t)(slash - file));
	dir[slash - file] = '\0';
	return daemon_mkdirs(dir, 0755);
}

/* ---- carrying out the state machine's decisions ---- */

static void
daemon_apply(const struct pfsm_actions *act)
{
	char a[ADDR_STRLEN];
	unsigned f = act->flags;

	if (f & PFSM_ACT_TIMER_STOP) {
		event_timer_stop(&d.probe_timer);
		probe_cancel(&d.probe);
	}
	if (f & PFSM_ACT_PROBE)
		probe_start(&d.probe, &act->probe, d.cfg.hc_timeout, act->gen);
	if (f & PFSM_ACT_TIMER_ARM)
		event_timer_arm(&d.probe_timer, (uint64_t)d.cfg.hc_interval * 1000);
	if (f & PFSM_ACT_SESSIONS_CLEAR) {
		log_info("mode changed: clearing sessions of the previous proxy");
		forward_clear_sessions();
	}
	if (f & PFSM_ACT_FWD_DISABLE)
		forward_disable();
	if (f & PFSM_ACT_FWD_ENABLE) {
		addr_format(&act->effect, a);
		if (forward_enable(&act->effect) == -1)
			log_err("forwarding through %s could not be enabled", a);
	}
	if ((f & PFSM_ACT_STATE_WRITE) &&
	    statefile_write_proxy(d.proxy_file, &act->effect) == -1)
		log_err("%s: %s", d.proxy_file, strerror(errno));
	if ((f & PFSM_ACT_STATE_REMOVE) && statefile_remove(d.proxy_file) == -1)
		log_err("%s: %s", d.proxy_file, strerror(errno));
	if (f & PFSM_ACT_ALARM_RAISE) {
		char id[ALARM_ID_MAX];

		alarm_raise(&d.alarm, &d.fsm.target, event_now());
		alarm_id(&d.alarm, d.cfg.node, d.cfg.router, id);
		addr_format(&d.fsm.target, a);
		log_warn("alarm raised: %s critical service ManagementProxy: "
		    ALARM_MESSAGE " (%s: %s)", id, a, d.last_probe_error);
	}
	if ((f & PFSM_ACT_ALARM_CLEAR) && d.alarm.active) {
		char id[ALARM_ID_MAX];

		alarm_id(&d.alarm, d.cfg.node, d.cfg.router, id);
		alarm_clear(&d.alarm);
		log_info("alarm cleared: %s " ALARM_MESSAGE, id);
	}
}

static void
daemon_reselect(void)
{
	struct sel_input in = {
		.cfg = &d.cfg, .onb = &d.onb, .dhcp = d.dhcp, .ndhcp = d.ndhcp,
		.peer = d.have_peer ? &d.peer : NULL, .now = event_now(),
	};
	const struct candidate *best;
	struct pfsm_actions act;
	int64_t next;

	select_gather(&in, &d.cands);
	if (d.cands.dropped > 0)
		log_warn("%zu candidates over the limit of %d ignored",
		    d.cands.dropped, SEL_MAX_CAND);
	best = select_pick(&d.cands);
	proxy_fsm_select(&d.fsm, select_effective_mode(&d.cfg, &d.onb),
	    best ? &best->addr : NULL, in.now, &act);
	if (act.flags & PFSM_ACT_PROBE)
		log_info("selected %s from %s (%zu candidates)", best->text,
		    best->source, d.cands.n);
	daemon_apply(&act);
	/* A lease that runs out must end its candidate even if nothing else
	 * happens: wake up then and select again. */
	next = select_next_expiry(&d.cands, in.now);
	for (size_t i = 0; i < d.ndhcp; i++) {
		int64_t e = d.dhcp[i].lease_expiry;

		if (e > in.now && (next == 0 || e < next))
			next = e;
	}
	if (next != 0)
		event_timer_arm(&d.expiry_timer, (uint64_t)(next - in.now) * 1000);
	else
		event_timer_stop(&d.expiry_timer);
}

static void
daemon_probe_done(unsigned gen, bool ok, const char *why, void *arg)
{
	struct pfsm_actions act;
	int64_t now = event_now();

	d.last_probe = now;
	snprintf(d.last_probe_error, sizeof(d.last_probe_error), "%s", ok ? "" : why);
	log_debug("probe %u: %s", gen, ok ? "ok" : why);
	proxy_fsm_probe_done(&d.fsm, gen, ok, now, &act);
	daemon_apply(&act);
	/* A forwarder that failed earlier gets another chance while the
	 * proxy answers. */
	if (ok && d.fsm.in_effect)
		forward_retry();
}

static void
daemon_probe_due(void *arg)
{
	struct pfsm_actions act;

	/* With timeout == interval the next probe can be due before the
	 * current one timed out: an answer not given by now is a failure. */
	if (probe_busy(&d.probe)) {
		probe_cancel(&d.probe);
		daemon_probe_done(d.probe.gen, false, "no answer within the interval", NULL);
	}
	proxy_fsm_timer(&d.fsm, event_now(), &act);
	daemon_apply(&act);
}

static void daemon_dhcp_store(size_t);

static void
daemon_expiry_due(void *arg)
{
	int64_t now = event_now();

	for (size_t i = 0; i < d.ndhcp; i++)
		if (dhcp_lease_expire(&d.dhcp[i], now)) {
			log_info("dhcp: lease on %s expired: its proxies are forgotten",
			    d.dhcp[i].ifname);
			daemon_dhcp_store(i);
			peer_publish(d.dhcp, d.ndhcp, &d.cfg, now);
		}
	daemon_reselect();
}

/* ---- learned state ---- */

/* DIR/NAME; -1 when it does not fit (never a silently shortened path). */
static int
daemon_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, DAEMON_PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= DAEMON_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Persists d.dhcp[i]. */
static void
daemon_dhcp_store(size_t i)
{
	const struct dhcp_info *info = &d.dhcp[i];
	char path[DAEMON_PATH_MAX];

	if (daemon_path(path, d.dhcp_dir, info->ifname) == -1 ||
	    statefile_write_dhcp(path, info) == -1)
		log_err("%s/%s: %s", d.dhcp_dir, info->ifname, strerror(errno));
	d.dhcp_saved[i] = event_now();
}

void
daemon_dhcp_update(const struct dhcp_info *info)
{
	size_t i;

	for (i = 0; i < d.ndhcp; i++)
		if (strcmp(d.dhcp[i].ifname, info->ifname) == 0)
			break;
	if (i == d.ndhcp) {
		if (d.ndhcp == CFG_MAX_IFACE) {
			log_warn("dhcp: too many interfaces, %s ignored", info->ifname);
			return;
		}
		d.ndhcp++;
	}
	d.dhcp[i] = *info;
	daemon_dhcp_store(i);
	peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	daemon_reselect();
}

/* A snooped reply: decide what it means for the interface. */
static void
daemon_dhcp_reply(const char *ifname, const uint8_t mac[6],
    const struct dhcp_reply *r, void *arg)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(60, 1);
	const struct dhcp_info *cur = status_find_dhcp(d.dhcp, d.ndhcp, ifname);
	const char *msg = dhcp_parse_msg_name(r->msg_type), *why = "";
	struct dhcp_info info;

	if (cur != NULL)
		info = *cur;
	else
		dhcp_lease_clear(&info, ifname, DHCP_STATE_PENDING);
	switch (dhcp_lease_apply(&info, ifname, mac, r, event_now(), &why)) {
	case DHCP_LEASE_IGNORED:
		log_debug("dhcp: %s on %s ignored", msg, ifname);
		return;
	case DHCP_LEASE_REJECTED:
		log_limited(&rl, event_now(), LOG_WARN, "dhcp: %s on %s refused: %s",
		    msg, ifname, why);
		return;
	case DHCP_LEASE_UPDATED:
		break;
	}
	if (cur != NULL && dhcp_lease_same(cur, &info)) {
		size_t i = (size_t)(cur - d.dhcp);

		d.dhcp[i].lease_expiry = info.lease_expiry;
		if (event_now() - d.dhcp_saved[i] < DAEMON_DHCP_SAVE_MIN) {
			daemon_reselect();	/* re-arms the expiry timer */
			return;
		}
	} else
		log_info("dhcp: %s on %s: %s%s%s", msg, ifname, info.state,
		    info.nproxy ? " " : "", info.nproxy ? info.proxy[0] : "");
	daemon_dhcp_update(&info);
}

static void
daemon_link(const char *ifname, bool up, bool removed, void *arg)
{
	const struct dhcp_info *cur = status_find_dhcp(d.dhcp, d.ndhcp, ifname);
	struct dhcp_info info;

	if ((up && !removed) || cur == NULL ||
	    strcmp(cur->state, DHCP_STATE_LINK_DOWN) == 0)
		return;
	log_info("dhcp: %s %s: its proxies are forgotten", ifname,
	    removed ? "removed" : "down");
	dhcp_lease_clear(&info, ifname, DHCP_STATE_LINK_DOWN);
	daemon_dhcp_update(&info);
}

static void
daemon_peer_cb(const struct peer_info *info, void *arg)
{
	daemon_peer_update(info);
}

void
daemon_peer_update(const struct peer_info *info)
{
	d.peer = *info;
	d.have_peer = true;
	if (statefile_write_peer(d.peer_file, info) == -1)
		log_err("%s: %s", d.peer_file, strerror(errno));
	daemon_reselect();
}

/* Restores what DHCP taught before a restart or reboot; a file that does
 * not parse is reported and skipped, never fatal. */
static void
daemon_restore_dhcp(void)
{
	DIR *dir = opendir(d.dhcp_dir);
	struct dirent *de;

	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL && d.ndhcp < CFG_MAX_IFACE) {
		char path[DAEMON_PATH_MAX], err[CFG_ERR_LEN];
		struct dhcp_info *info = &d.dhcp[d.ndhcp];
		size_t len;
		char *buf;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp") != NULL)
			continue;
		if (daemon_path(path, d.dhcp_dir, de->d_name) == -1 ||
		    (buf = statefile_read(path, &len)) == NULL) {
			log_warn("%s: %s", path, strerror(errno));
			continue;
		}
		if (!statefile_parse_dhcp(buf, len, info, err))
			log_warn("%s: %s (ignored)", path, err);
		else if (strcmp(info->ifname, de->d_name) != 0)
			log_warn("%s: interface-name %s does not match the file name "
			    "(ignored)", path, info->ifname);
		else {
			log_info("restored dhcp state of %s: %s, %zu proxies",
			    info->ifname, info->state, info->nproxy);
			d.ndhcp++;
		}
		free(buf);
	}
	closedir(dir);
}

static void
daemon_restore_peer(void)
{
	char err[CFG_ERR_LEN];
	size_t len;
	char *buf = statefile_read(d.peer_file, &len);

	if (buf == NULL)
		return;
	if (statefile_parse_peer(buf, len, &d.peer, err)) {
		d.have_peer = true;
		log_info("restored %zu candidates of peer %s", d.peer.ncand, d.peer.node);
	} else
		log_warn("%s: %s (ignored)", d.peer_file, err);
	free(buf);
}

/* ---- configuration ---- */

static void
daemon_log_errors(const struct cfg_errors *err)
{
	for (size_t i = 0; i < err->n; i++)
		log_err("%s", err->msg[i]);
	if (err->dropped > 0)
		log_err("(%zu more errors)", err->dropped);
}

static void
daemon_load_onboarding(void)
{
	char err[CFG_ERR_LEN];

	if (!onboarding_load(d.opts.onboarding, &d.onb, err)) {
		/* A broken pre-ZTP file must not stop the daemon. */
		log_err("%s (onboarding file ignored)", err);
		memset(&d.onb, 0, sizeof(d.onb));
	}
}

static json_t *
daemon_reload(void)
{
	static struct cfg_errors err;
	struct forward_paths fp = { d.opts.run_dir, d.opts.state_dir, d.opts.log_file };
	json_t *reply;

	log_reopen();
	log_info("reload: reading %s", d.opts.config);
	if (!config_load(d.opts.config, &daemon_newcfg, &err)) {
		daemon_log_errors(&err);
		log_err("reload refused: the running configuration stays in force");
		reply = json_pack("{s:i, s:[]}", "status", 1, "errors");
		for (size_t i = 0; i < err.n; i++)
			json_array_append_new(json_object_get(reply, "errors"),
			    json_string(err.msg[i]));
		return reply;
	}
	d.cfg = daemon_newcfg;
	daemon_load_onboarding();
	dhcp_snoop_configure(&d.cfg);
	/* A channel that cannot be reopened keeps running as it was. */
	peer_reconfigure(&d.cfg);
	peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	if (forward_configure(&d.cfg, &fp) == -1)
		log_err("reload: the forwarder could not be configured");
	daemon_reselect();
	log_info("reload: configuration in force");
	return control_ok(json_string("configuration reloaded"));
}

/* ---- control ---- */

static struct status_view
daemon_view(void)
{
	struct status_view v = {
		.cfg = &d.cfg, .mode = select_effective_mode(&d.cfg, &d.onb),
		.fsm = &d.fsm, .cands = &d.cands, .dhcp = d.dhcp, .ndhcp = d.ndhcp,
		.alarm = &d.alarm, .forwarding = forward_active(),
		.last_probe = d.last_probe, .last_probe_error = d.last_probe_error,
		.tunnels = tunnel_stats(),
	};
	return v;
}

static json_t *
daemon_control(const char *req, void *arg)
{
	struct status_view v = daemon_view();

	if (strcmp(req, "show management-proxy") == 0)
		return control_ok(status_proxy(&v));
	if (strcmp(req, "show dhcp learned-proxies") == 0)
		return control_ok(status_dhcp(&v));
	if (strcmp(req, "show alarms") == 0)
		return control_ok(status_alarms(&v));
	if (strcmp(req, "reload") == 0)
		return daemon_reload();
	if (strcmp(req, "ca export") == 0)
		return forward_ca_export();
	return control_error("unknown request");
}

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

	return statefile_write_atomic(d.pid_file, buf, (size_t)n, 0644);
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

static int
daemon_setup_paths(void)
{
	if (daemon_path(d.proxy_file, d.opts.state_dir, "proxy-address.json") == -1 ||
	    daemon_path(d.dhcp_dir, d.opts.state_dir, "dhcp") == -1 ||
	    daemon_path(d.peer_file, d.opts.run_dir, "peer-proxy.json") == -1 ||
	    daemon_path(d.sock_path, d.opts.run_dir, CONTROL_SOCKET) == -1 ||
	    daemon_path(d.pid_file, d.opts.run_dir, "mgmt-proxyd.pid") == -1 ||
	    daemon_mkdirs(d.dhcp_dir, 0755) == -1 ||
	    daemon_mkdirs(d.opts.run_dir, 0755) == -1) {
		fprintf(stderr, "mgmt-proxyd: cannot create %s or %s: %s\n",
		    d.dhcp_dir, d.opts.run_dir, strerror(errno));
		return -1;
	}
	daemon_check_dir(d.opts.state_dir);
	daemon_check_dir(d.dhcp_dir);
	daemon_check_dir(d.opts.run_dir);
	return 0;
}

static int
daemon_init_loop(void)
{
	struct forward_paths fp = { d.opts.run_dir, d.opts.state_dir, d.opts.log_file };

	if (event_init() == -1 || daemon_signals() == -1 ||
	    probe_init(&d.probe, daemon_probe_done, NULL) == -1 ||
	    event_timer_init(&d.probe_timer, daemon_probe_due, NULL) == -1 ||
	    event_timer_init(&d.expiry_timer, daemon_expiry_due, NULL) == -1) {
		log_err("event loop: %s", strerror(errno));
		return -1;
	}
	if (control_open(d.sock_path, daemon_control, NULL) == -1) {
		log_err("control socket %s: %s", d.sock_path, strerror(errno));
		return -1;
	}
	/* Learning is best effort: without it static mode still works. */
	if (dhcp_snoop_open(daemon_dhcp_reply, NULL) == -1)
		log_err("dhcp: cannot open netfilter queue %d: %s", DHCP_SNOOP_QUEUE,
		    strerror(errno));
	else
		dhcp_snoop_configure(&d.cfg);
	if (link_open(daemon_link, NULL) == -1)
		log_err("link: cannot watch interfaces: %s", strerror(errno));
	/* Always opened: with HA off it only remembers the callback. */
	if (peer_open(&d.cfg, daemon_peer_cb, NULL) == 0)
		peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	if (forward_configure(&d.cfg, &fp) == -1)
		log_err("the forwarder could not be configured");
	return 0;
}

int
daemon_main(const struct daemon_opts *opts)
{
	static struct cfg_errors err;
	int rc = 0;

	d.opts = *opts;
	if (daemon_parent_dir(opts->log_file) == -1 ||
	    log_open(opts->log_file, true) == -1) {
		fprintf(stderr, "mgmt-proxyd: %s: %s\n", opts->log_file, strerror(errno));
		return 1;
	}
	if (!config_load(opts->config, &d.cfg, &err)) {
		for (size_t i = 0; i < err.n; i++)
			fprintf(stderr, "%s\n", err.msg[i]);
		log_close();
		return 1;
	}
	if (daemon_setup_paths() == -1)
		return 1;
	if (!opts->foreground) {
		if (daemon(0, 0) == -1) {
			fprintf(stderr, "mgmt-proxyd: daemon: %s\n", strerror(errno));
			return 1;
		}
		log_open(opts->log_file, false);
	}
	log_info("mgmt-proxyd starting: config %s, router %s, node %s",
	    opts->config, d.cfg.router, d.cfg.node);
	daemon_load_onboarding();
	daemon_restore_dhcp();
	if (d.cfg.ha_enabled)
		daemon_restore_peer();
	proxy_fsm_init(&d.fsm, event_now());
	if (daemon_init_loop() == -1 || daemon_write_pid() == -1) {
		rc = 1;
		goto out;
	}
	daemon_reselect();
	if (event_run() == -1)
		rc = 1;
out:
	dhcp_snoop_close();
	link_close();
	peer_close();
	forward_shutdown();
	/* Forwarding is gone with the daemon, so no proxy is in effect. */
	statefile_remove(d.proxy_file);
	control_close();
	unlink(d.pid_file);
	log_info("mgmt-proxyd stopped");
	log_close();
	event_fini();
	return rc;
}
