/* mgmt-proxyd's imperative shell: files, sockets, timers and the forwarder,
 * around the pure core (config, select, proxy_fsm, status). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alarm.h"
#include "cert.h"
#include "control.h"
#include "ctl_test.h"
#include "daemon.h"
#include "dhcp_guard.h"
#include "dhcp_lease.h"
#include "dhcp_pace.h"
#include "dhcp_snoop.h"
#include "event.h"
#include "forward.h"
#include "haproxy.h"
#include "haproxy_stats.h"
#include "link.h"
#include "peer.h"
#include "log.h"
#include "notify.h"
#include "metrics.h"
#include "onboarding.h"
#include "passive.h"
#include "probe.h"
#include "proc.h"
#include "proxy_fsm.h"
#include "select.h"
#include "startup.h"
#include "status.h"
#include "status_views.h"
#include "watch.h"
#include "tunnel.h"

#define DAEMON_PATH_MAX	512
#define DAEMON_LOCAL_IP_MAX	256
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
	struct dhcp_pace dhcp_pace[CFG_MAX_IFACE];	/* changes held back */
	size_t ndhcp;
	struct peer_info peer;
	bool have_peer;
	struct cand_set cands;
	struct proxy_fsm fsm;
	struct alarm alarm;
	struct probe probe;
	struct event_timer probe_timer;
	struct event_timer expiry_timer;
	struct event_timer pace_timer;		/* a held DHCP change is due */
	int sigfd;
	int64_t last_probe;
	char last_probe_error[128];
	int64_t probe_started_ms;		/* monotonic, for the latency */
	int64_t probe_latency_ms;		/* of the last successful probe */
	bool probe_known;
	uint64_t dhcp_acks, dhcp_refused;	/* for the metrics */
	char proxy_file[DAEMON_PATH_MAX];
	char dhcp_dir[DAEMON_PATH_MAX];
	char peer_file[DAEMON_PATH_MAX];
	char sock_path[DAEMON_PATH_MAX];
	char pid_file[DAEMON_PATH_MAX];
	char lock_file[DAEMON_PATH_MAX];
	char alarm_seq_file[DAEMON_PATH_MAX];
	bool notified_in_effect;		/* the proxy the hook last heard of */
	struct proxy_addr notified_effect;
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

/* The next alarm's number is stored before it is used: after a crash
 * the next run never shows an id again. */
static void
daemon_alarm_seq_store(unsigned seq)
{
	char buf[ALARM_SEQ_MAX];
	size_t n = alarm_seq_format(seq, buf);

	if (statefile_write_atomic(d.alarm_seq_file, buf, n, 0644) == -1)
		log_err("%s: %s", d.alarm_seq_file, strerror(errno));
}

static void
daemon_alarm_seq_restore(void)
{
	size_t len;
	char *buf = statefile_read_max(d.alarm_seq_file, ALARM_SEQ_MAX, 0, &len);

	if (buf == NULL) {
		if (errno != ENOENT)
			log_warn("%s: %s", d.alarm_seq_file, statefile_read_error(errno));
		return;
	}
	if (!alarm_seq_parse(buf, len, &d.alarm.seq))
		log_warn("%s: not a number (alarm ids start again at 1)",
		    d.alarm_seq_file);
	free(buf);
}

/* The notify hook hears of alarms and of each change of the proxy in
 * effect, after the step's effects are in place. */
static void
daemon_notify(unsigned flags, const char *id)
{
	const struct proxy_fsm *f = &d.fsm;
	char why[NOTIFY_REASON_MAX];

	if (flags & PFSM_ACT_ALARM_RAISE)
		notify_event(NOTIFY_ALARM_RAISE, id, &d.alarm.proxy, d.last_probe_error);
	if (flags & PFSM_ACT_ALARM_CLEAR)
		notify_event(NOTIFY_ALARM_CLEAR, id, &d.alarm.proxy,
		    f->state == PFSM_REACHABLE ? "reachable" : "no longer selected");
	if (f->in_effect == d.notified_in_effect &&
	    (!f->in_effect || addr_cmp(&f->effect, &d.notified_effect) == 0))
		return;
	d.notified_in_effect = f->in_effect;
	d.notified_effect = f->effect;
	if (f->state == PFSM_UNREACHABLE)
		snprintf(why, sizeof(why), "unreachable: %.100s", d.last_probe_error);
	else
		snprintf(why, sizeof(why), "%s", proxy_fsm_state_name(f->state));
	notify_event(NOTIFY_PROXY_CHANGE, NULL, f->in_effect ? &f->effect : NULL, why);
}

static void
daemon_apply(const struct pfsm_actions *act)
{
	char a[ADDR_STRLEN];
	unsigned f = act->flags;
	char id[ALARM_ID_MAX] = "-";

	if (f & PFSM_ACT_TIMER_STOP) {
		event_timer_stop(&d.probe_timer);
		probe_cancel(&d.probe);
	}
	if (f & PFSM_ACT_PROBE) {
		d.probe_started_ms = event_mono_ms();
		probe_start(&d.probe, &act->probe, d.cfg.hc_timeout, act->gen);
	}
	if (f & PFSM_ACT_TIMER_ARM)
		event_timer_arm(&d.probe_timer, (uint64_t)d.cfg.hc_interval * 1000);
	/* A mode change takes the previous proxy out of effect: when its
	 * forwarding is torn down in the same step, stopping HAProxy ends
	 * every session, and asking the stopping HAProxy to end them only
	 * fails. */
	if ((f & PFSM_ACT_SESSIONS_CLEAR) && (f & PFSM_ACT_FWD_DISABLE))
		log_info("mode changed: clearing sessions of the previous proxy "
		    "(its forwarding is torn down)");
	else if (f & PFSM_ACT_SESSIONS_CLEAR) {
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
		daemon_alarm_seq_store(d.alarm.seq + 1);
		alarm_raise(&d.alarm, &d.fsm.target, event_now());
		alarm_id(&d.alarm, d.cfg.node, d.cfg.router, id);
		addr_format(&d.fsm.target, a);
		log_warn("alarm raised: %s critical service ManagementProxy: "
		    ALARM_MESSAGE " (%s: %s)", id, a, d.last_probe_error);
	}
	if ((f & PFSM_ACT_ALARM_CLEAR) && d.alarm.active) {
		alarm_id(&d.alarm, d.cfg.node, d.cfg.router, id);
		alarm_clear(&d.alarm);
		log_info("alarm cleared: %s " ALARM_MESSAGE, id);
	} else
		f &= ~(unsigned)PFSM_ACT_ALARM_CLEAR;
	daemon_notify(f, id);
}

/* This box's IPv4 addresses, for the loop check of selection: HAProxy's
 * listeners must not become the proxy under another local address. Read
 * at each selection, since DHCP moves the WAN address. */
static size_t
daemon_local_ips(uint32_t *ip, size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa) == -1) {
		log_warn("local addresses: %s", strerror(errno));
		return 0;
	}
	for (i = ifa; i != NULL && n < max; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			ip[n++] = ntohl(((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr.s_addr);
	freeifaddrs(ifa);
	return n;
}

static void
daemon_reselect(void)
{
	uint32_t local[DAEMON_LOCAL_IP_MAX];
	struct sel_input in = {
		.cfg = &d.cfg, .onb = &d.onb, .dhcp = d.dhcp, .ndhcp = d.ndhcp,
		.peer = d.have_peer ? &d.peer : NULL, .now = event_now(),
		.local_ip = local,
		.nlocal_ip = daemon_local_ips(local, DAEMON_LOCAL_IP_MAX),
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
	if (ok && gen == d.probe.gen) {
		d.probe_latency_ms = event_mono_ms() - d.probe_started_ms;
		d.probe_known = true;
	}
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

/* HAProxy logged a connection to the proxy in effect that failed: ask
 * the proxy now rather than at the next interval. */
static void
daemon_traffic_failed(void *arg)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(60, 2);
	struct pfsm_actions act;
	char a[ADDR_STRLEN];

	proxy_fsm_traffic_failed(&d.fsm, probe_busy(&d.probe), event_mono_ms(), &act);
	if (act.flags & PFSM_ACT_PROBE) {
		addr_format(&act.probe, a);
		log_limited(&rl, event_now(), LOG_INFO, "traffic could not connect to "
		    "%s: probing it now", a);
	}
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
	/* Writes follow DHCP replies: a full disk must not mean a line each. */
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(60, 1);
	const struct dhcp_info *info = &d.dhcp[i];
	char path[DAEMON_PATH_MAX];

	if (daemon_path(path, d.dhcp_dir, info->ifname) == -1 ||
	    statefile_write_dhcp(path, info) == -1)
		log_limited(&rl, event_now(), LOG_ERR, "%s/%s: %s", d.dhcp_dir,
		    info->ifname, strerror(errno));
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

/* Wake up when the first change held back by pacing may apply. */
static void
daemon_dhcp_pace_arm(void)
{
	int64_t now = event_now(), next = -1;

	for (size_t i = 0; i < d.ndhcp; i++) {
		int64_t w = dhcp_pace_wait(&d.dhcp_pace[i], now);

		if (d.dhcp_pace[i].held && (next == -1 || w < next))
			next = w;
	}
	if (next == -1)
		event_timer_stop(&d.pace_timer);
	else
		event_timer_arm(&d.pace_timer, next > 0 ? (uint64_t)next * 1000 : 1);
}

static void
daemon_dhcp_pace_due(void *arg)
{
	int64_t now = event_now(), wait;

	for (size_t i = 0; i < d.ndhcp; i++) {
		const struct dhcp_info *held = dhcp_pace_due(&d.dhcp_pace[i], now, &wait);
		struct dhcp_info info;

		if (held == NULL)
			continue;
		info = *held;
		/* Learning may have been turned off there since (reload). */
		if (!config_iface_eligible(&d.cfg, info.ifname))
			continue;
		/* Worded like an immediate change, so one grep finds both. */
		log_info("dhcp: ACK on %s: %s%s%s (the latest of the changes held back)",
		    info.ifname, info.state, info.nproxy ? " " : "",
		    info.nproxy ? info.proxy[0] : "");
		daemon_dhcp_update(&info);
	}
	daemon_dhcp_pace_arm();
}

/* A snooped reply: believe it only as the interface's client would
 * (dhcp_guard), decide what it means, and apply a change at a bounded
 * rate (dhcp_pace). Every line logged here is the network's doing. */
static void
daemon_dhcp_reply(const struct dhcp_snooped *s, void *arg)
{
	/* One line a minute per kind of refusal: one kind flooding does not
	 * hide another. */
	static struct log_ratelimit refused_rl[DHCP_GUARD_NVERDICT] = {
		[0 ... DHCP_GUARD_NVERDICT - 1] = LOG_RATELIMIT_INIT(60, 1),
	};
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(60, 1);
	static struct log_ratelimit held_rl = LOG_RATELIMIT_INIT(60, 1);
	static struct log_ratelimit offer_rl = LOG_RATELIMIT_INIT(60, 1);
	const struct dhcp_reply *r = s->reply;
	const struct dhcp_info *cur = status_find_dhcp(d.dhcp, d.ndhcp, s->ifname);
	size_t i = cur != NULL ? (size_t)(cur - d.dhcp) : d.ndhcp;
	const char *msg = dhcp_parse_msg_name(r->msg_type), *why = "";
	struct dhcp_guard_ctx ctx = {
		.mac = s->mac, .bound_server = cur != NULL ? cur->server : 0,
		.prefix = s->prefix, .nprefix = s->nprefix, .now = event_now(),
	};
	enum dhcp_guard_verdict v;
	struct dhcp_info info;
	uint64_t refused = 0;
	int64_t wait;

	if (r->msg_type != DHCP_MSG_ACK && r->msg_type != DHCP_MSG_NAK) {
		log_limited(&offer_rl, ctx.now, LOG_DEBUG, "dhcp: %s on %s ignored", msg,
		    s->ifname);
		return;
	}
	d.dhcp_acks++;
	if ((v = dhcp_guard_judge(s->guard, r, &ctx)) != DHCP_GUARD_ACCEPT) {
		d.dhcp_refused++;
		for (size_t k = 0; k < DHCP_GUARD_NVERDICT; k++)
			refused += s->guard->refused[k];
		log_limited(&refused_rl[v], ctx.now, LOG_WARN,
		    "dhcp: %s on %s refused: %s (%llu refused on %s)", msg, s->ifname,
		    dhcp_guard_verdict_name(v), (unsigned long long)refused, s->ifname);
		return;
	}
	if (cur != NULL)
		info = *cur;
	else
		dhcp_lease_clear(&info, s->ifname, DHCP_STATE_PENDING);
	switch (dhcp_lease_apply(&info, s->ifname, s->mac, r, ctx.now, &why)) {
	case DHCP_LEASE_IGNORED:	/* not reached: OFFERs left above */
		return;
	case DHCP_LEASE_REJECTED:
		d.dhcp_refused++;
		log_limited(&rl, ctx.now, LOG_WARN, "dhcp: %s on %s refused: %s",
		    msg, s->ifname, why);
		return;
	case DHCP_LEASE_UPDATED:
		break;
	}
	if (cur != NULL && dhcp_lease_same(cur, &info)) {
		/* The latest word is the value in force: nothing to apply. */
		if (d.dhcp_pace[i].held) {
			dhcp_pace_drop(&d.dhcp_pace[i]);
			daemon_dhcp_pace_arm();
		}
		d.dhcp[i].lease_expiry = info.lease_expiry;
		if (event_now() - d.dhcp_saved[i] < DAEMON_DHCP_SAVE_MIN) {
			daemon_reselect();	/* re-arms the expiry timer */
			return;
		}
	} else if (i < CFG_MAX_IFACE && !dhcp_pace_allow(&d.dhcp_pace[i], ctx.now, &wait)) {
		dhcp_pace_hold(&d.dhcp_pace[i], &info);
		log_limited(&held_rl, ctx.now, LOG_WARN, "dhcp: %s on %s: change to %s%s%s "
		    "held back %llds (changing too often)", msg, s->ifname, info.state,
		    info.nproxy ? " " : "", info.nproxy ? info.proxy[0] : "", (long long)wait);
		daemon_dhcp_pace_arm();
		return;
	} else {
		if (i < CFG_MAX_IFACE)
			dhcp_pace_drop(&d.dhcp_pace[i]);
		log_info("dhcp: %s on %s: %s%s%s", msg, s->ifname, info.state,
		    info.nproxy ? " " : "", info.nproxy ? info.proxy[0] : "");
	}
	daemon_dhcp_update(&info);
}

/* status_dhcp() plus what only the snooper knows: the replies refused
 * on each interface, by reason, and a change held back by pacing. */
static json_t *
daemon_dhcp_show(const struct status_view *v)
{
	json_t *arr = status_dhcp(v), *o;
	size_t k;

	json_array_foreach(arr, k, o) {
		const char *ifname = json_string_value(json_object_get(o, "interface"));
		const struct dhcp_info *cur = status_find_dhcp(d.dhcp, d.ndhcp, ifname);
		const struct dhcp_guard *g = dhcp_snoop_find_guard(ifname);
		json_t *c = json_object();

		for (int r = DHCP_GUARD_ACCEPT + 1; r < DHCP_GUARD_NVERDICT; r++)
			json_object_set_new(c, dhcp_guard_verdict_key(r),
			    json_integer(g != NULL ? (json_int_t)g->refused[r] : 0));
		json_object_set_new(o, "refused-replies", c);
		if (cur != NULL && d.dhcp_pace[cur - d.dhcp].held)
			json_object_set_new(o, "change-held-back", json_true());
	}
	return arr;
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
	/* A change held back from before the link went down is stale. */
	dhcp_pace_drop(&d.dhcp_pace[cur - d.dhcp]);
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

/* New health-check settings apply at once, not when the old timer fires
 * (up to a day later): a probe is due now, or, while one is on its way
 * (under the old timeout), the next one a new interval from now. */
static void
daemon_health_rearm(void)
{
	if (!event_timer_armed(&d.probe_timer))
		return;		/* no proxy is probed */
	log_info("reload: health check every %u s, timeout %u s, from now on",
	    d.cfg.hc_interval, d.cfg.hc_timeout);
	event_timer_arm(&d.probe_timer, probe_busy(&d.probe) ?
	    (uint64_t)d.cfg.hc_interval * 1000 : 1);
}

/* Log level and HAProxy's access lines, from the configuration. */
static void
daemon_apply_log(const struct config *cfg)
{
	log_config_level(cfg->log_level);
	if (log_access_configure(cfg->log_access, cfg->log_access_file) == -1)
		log_err("access log %s: %s", cfg->log_access_file, strerror(errno));
}

/* The control socket's read-only group, from the configuration. */
static void
daemon_control_group(void)
{
	const char *before = control_group_in_force();
	char was[CTL_GROUP_MAX];

	snprintf(was, sizeof(was), "%s", before);
	if (control_set_group(d.cfg.read_group) == -1)
		log_err("control socket %s: owner or mode: %s", d.sock_path,
		    strerror(errno));
	if (strcmp(was, control_group_in_force()) == 0)
		return;
	if (control_group_in_force()[0] != '\0')
		log_info("control socket: members of group %s may use show, "
		    "ca export and test", control_group_in_force());
	else
		log_info("control socket: root only (no group %s on this box)",
		    d.cfg.read_group);
}

static void daemon_metrics_snapshot(struct metrics_snapshot *);

static json_t *
daemon_reload(void)
{
	static struct cfg_errors err;
	struct forward_paths fp = { d.opts.run_dir, d.opts.state_dir, d.opts.log_file };
	bool hc_changed;
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
	hc_changed = d.cfg.hc_interval != daemon_newcfg.hc_interval ||
	    d.cfg.hc_timeout != daemon_newcfg.hc_timeout;
	d.cfg = daemon_newcfg;
	proxy_fsm_configure(&d.fsm, d.cfg.hc_fall, d.cfg.hc_rise);
	notify_configure(d.cfg.notify);
	if (hc_changed)
		daemon_health_rearm();
	daemon_apply_log(&d.cfg);
	daemon_control_group();
	daemon_load_onboarding();
	dhcp_snoop_configure(&d.cfg);
	/* A channel that cannot be reopened keeps running as it was. */
	peer_reconfigure(&d.cfg);
	peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	if (forward_configure(&d.cfg, &fp) == -1)
		log_err("reload: the forwarder could not be configured");
	metrics_configure(&d.cfg, d.opts.run_dir, daemon_metrics_snapshot);
	daemon_reselect();
	log_info("reload: configuration in force");
	return control_ok(json_string("configuration reloaded"));
}

/* ---- control ---- */

static struct status_view
daemon_view(void)
{
	struct status_view v = {
		.version = d.opts.version,
		.cfg = &d.cfg, .mode = select_effective_mode(&d.cfg, &d.onb),
		.fsm = &d.fsm, .cands = &d.cands, .dhcp = d.dhcp, .ndhcp = d.ndhcp,
		.alarm = &d.alarm, .forwarding = forward_active(),
		.forwarding_error = forward_error(),
		.forwarder_state = forward_state(),
		.last_probe = d.last_probe, .last_probe_error = d.last_probe_error,
		.tunnels = tunnel_stats(),
	};
	return v;
}

/* The figures of the metrics endpoint, read when a scraper asks. */
static void
daemon_metrics_snapshot(struct metrics_snapshot *m)
{
	static char active[ADDR_STRLEN];
	const struct haproxy_counters *hc = haproxy_counters();
	int64_t when;
	const struct haproxy_stats *hs = haproxy_stats_last(&when);
	const struct tunnel_stats *ts = tunnel_stats();
	struct peer_status ps;

	m->version = d.opts.version ? d.opts.version : "";
	m->router = d.cfg.router;
	m->node = d.cfg.node;
	m->mode = config_mode_name(select_effective_mode(&d.cfg, &d.onb));
	m->state = proxy_fsm_state_name(d.fsm.state);
	if (d.fsm.in_effect) {
		addr_format(&d.fsm.effect, active);
		m->active = active;
	}
	for (size_t i = 0; i < d.cands.n; i++)
		if (d.cands.c[i].valid)
			m->cand_valid++;
		else
			m->cand_invalid++;
	m->alarm = d.alarm.active;
	m->probe_known = d.probe_known;
	m->probe_latency_ms = d.probe_latency_ms;
	m->state_since = d.fsm.since;
	m->dhcp_acks = d.dhcp_acks;
	m->dhcp_refused = d.dhcp_refused;
	m->ha_enabled = d.cfg.ha_enabled;
	peer_status(&ps);
	m->peer_up = ps.reported && ps.info.up;
	m->tunnels_opened = ts->opened;
	m->tunnels_refused = ts->refused;
	m->certificates = cert_names()->n;
	m->certificates_max = CERT_MAX;
	m->certificates_minted = cert_minted();
	m->haproxy = d.cfg.forwarder == FWD_HAPROXY;
	m->haproxy_running = hs->valid;
	m->haproxy_reloads = hc->reloads;
	m->haproxy_starts = hc->starts;
	m->haproxy_figures = hs->valid;
	m->haproxy_cur_conns = hs->cur_conns;
	m->haproxy_cum_conns = hs->cum_conns;
}

/* show forwarder | certificates | ha; NULL for another word. Answered
 * from what the modules hold: HAProxy's figures are read periodically
 * (haproxy_stats.c), never while a client waits. */
static json_t *
daemon_views(const struct status_view *v, const char *what)
{
	if (strcmp(what, "forwarder") == 0) {
		struct status_forwarder f = {
			.state = forward_state(), .now = event_now(),
			.counters = d.cfg.forwarder == FWD_HAPROXY ? haproxy_counters() : NULL,
		};

		f.stats = haproxy_stats_last(&f.stats_when);
		return control_ok(status_views_forwarder(v, &f));
	}
	if (strcmp(what, "certificates") == 0)
		return control_ok(status_views_certificates(v, cert_names(), CERT_MAX));
	if (strcmp(what, "ha") == 0) {
		struct peer_status ps;

		peer_status(&ps);
		return control_ok(status_views_ha(v, &ps));
	}
	return NULL;
}

static json_t *
daemon_control(const char *req, void *arg)
{
	struct status_view v = daemon_view();
	json_t *reply;

	if (strcmp(req, "show management-proxy") == 0)
		return control_ok(status_proxy(&v));
	if (strcmp(req, "show dhcp learned-proxies") == 0)
		return control_ok(daemon_dhcp_show(&v));
	if (strcmp(req, "show alarms") == 0)
		return control_ok(status_alarms(&v));
	if (strncmp(req, "show ", 5) == 0 && (reply = daemon_views(&v, req + 5)) != NULL)
		return reply;
	if (strcmp(req, "reload") == 0)
		return daemon_reload();
	if (strcmp(req, "ca export") == 0)
		return forward_ca_export();
	if (strcmp(req, CTL_VERB_TEST) == 0) {
		char a[ADDR_STRLEN], t[ADDR_STRLEN];

		if (d.fsm.in_effect)
			addr_format(&d.fsm.effect, a);
		if (d.fsm.has_target)
			addr_format(&d.fsm.target, t);
		return control_ok(ctl_test_info(&d.cfg, d.fsm.in_effect ? a : NULL,
		    d.fsm.has_target ? t : NULL, proxy_fsm_state_name(d.fsm.state)));
	}
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
	    daemon_path(d.lock_file, d.opts.run_dir, "mgmt-proxy.lock") == -1 ||
	    daemon_path(d.alarm_seq_file, d.opts.state_dir, ALARM_SEQ_FILE) == -1 ||
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

/* ---- owned kernel state (watch.c) ---- */

static void
daemon_watch_want(struct recon_want *want)
{
	want->intercept = forward_intercept_wanted();
	want->dhcp = dhcp_snoop_installed();
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
	    probe_init(&d.probe, daemon_probe_done, NULL) == -1 ||
	    event_timer_init(&d.probe_timer, daemon_probe_due, NULL) == -1 ||
	    event_timer_init(&d.expiry_timer, daemon_expiry_due, NULL) == -1 ||
	    event_timer_init(&d.pace_timer, daemon_dhcp_pace_due, NULL) == -1) {
		log_err("event loop: %s", strerror(errno));
		return -1;
	}
	if (control_open(d.sock_path, daemon_control, NULL) == -1) {
		log_err("control socket %s: %s", d.sock_path, strerror(errno));
		return -1;
	}
	daemon_control_group();
	/* A HAProxy left by an earlier run may hold what we bind next. */
	forward_clean_stale(&fp);
	/* Learning is best effort: without it static mode still works. */
	if (dhcp_snoop_open(daemon_dhcp_reply, NULL) == -1)
		log_err("dhcp: cannot open netfilter queue %d: %s", DHCP_SNOOP_QUEUE,
		    strerror(errno));
	else
		dhcp_snoop_configure(&d.cfg);
	if (link_open(daemon_link, NULL) == -1)
		log_err("link: cannot watch interfaces: %s", strerror(errno));
	/* Always opened: with HA off it only remembers the callback. */
	if (peer_open(&d.cfg, d.opts.state_dir, daemon_peer_cb, NULL) == 0)
		peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	if (forward_configure(&d.cfg, &fp) == -1)
		log_err("the forwarder could not be configured");
	/* Off until a reload when the address cannot be bound: logged. */
	metrics_configure(&d.cfg, d.opts.run_dir, daemon_metrics_snapshot);
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
	daemon_apply_log(&d.cfg);
	log_info("mgmt-proxyd starting: config %s, router %s, node %s",
	    opts->config, d.cfg.router, d.cfg.node);
	daemon_load_onboarding();
	daemon_restore_dhcp();
	if (d.cfg.ha_enabled)
		daemon_restore_peer();
	daemon_alarm_seq_restore();
	proxy_fsm_init(&d.fsm, event_now());
	proxy_fsm_configure(&d.fsm, d.cfg.hc_fall, d.cfg.hc_rise);
	notify_configure(d.cfg.notify);
	passive_open(daemon_traffic_failed, NULL);
	if (daemon_init_loop() == -1 || daemon_write_pid() == -1) {
		rc = 1;
		goto out;
	}
	daemon_reselect();
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
	/* Forwarding is gone with the daemon, so no proxy is in effect. */
	statefile_remove(d.proxy_file);
	control_close();
	unlink(d.pid_file);
	log_info("mgmt-proxyd stopped");
	log_close();
	event_fini();
	return rc;
}
