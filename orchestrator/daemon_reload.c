/* The daemon's reload: read the configuration again, see what changed
 * (config_diff) and apply part by part; a file that does not load changes
 * nothing. The reply names the parts that could not be applied. */
#include <errno.h>
#include <string.h>

#include "config_diff.h"
#include "config_file.h"
#include "control.h"
#include "daemon_int.h"
#include "dhcp_snoop.h"
#include "event.h"
#include "forward.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "peer.h"

static struct config daemon_newcfg;	/* reload target; too big for the stack */

/* One part of the running daemon a reload may change. */
struct daemon_reload_part {
	const char *name;	/* in the log and the reply's "failed" */
	unsigned parts;		/* config_diff parts that call for it */
	/* It also reads what the configuration names (files, the group
	 * database, interfaces): a reload with the same text must still
	 * apply it, that is how an operator says "I changed that file". */
	bool always;
	int (*apply)(unsigned diff);	/* -1: not applied (logged) */
};

/* Parts that failed at the last try: applied again at the next reload,
 * changed or not. Bit i is daemon_reload_parts[i]. */
static unsigned daemon_reload_retry;

#define DAEMON_RELOAD_LOG	2	/* index of "log" below */

static void
daemon_reload_log_errors(const struct cfg_errors *err)
{
	for (size_t i = 0; i < err->n; i++)
		log_err("%s", err->msg[i]);
	if (err->dropped > 0)
		log_err("(%zu more errors)", err->dropped);
}

int
daemon_reload_onboarding(void)
{
	char err[CFG_ERR_LEN];

	if (!onboarding_load(d.opts.onboarding, &d.onb, err)) {
		/* A broken pre-ZTP file must not stop the daemon. */
		log_err("%s (onboarding file ignored)", err);
		memset(&d.onb, 0, sizeof(d.onb));
		return -1;
	}
	return 0;
}

/* New health-check settings apply at once, not when the old timer fires
 * (up to a day later): a probe is due now, or, while one is on its way
 * (under the old timeout), the next one a new interval from now. */
static int
daemon_reload_health(unsigned diff)
{
	if (diff & CONFIG_PART_FALL_RISE)
		proxy_fsm_configure(&d.fsm, d.cfg.hc_fall, d.cfg.hc_rise);
	if ((diff & CONFIG_PART_HEALTH) == 0 || !event_timer_armed(&d.probe_timer))
		return 0;	/* unchanged, or no proxy is probed */
	log_info("reload: health check every %u s, timeout %u s, from now on",
	    d.cfg.hc_interval, d.cfg.hc_timeout);
	event_timer_arm(&d.probe_timer, probe_busy(&d.probe) ?
	    (uint64_t)d.cfg.hc_interval * 1000 : 1);
	return 0;
}

static int
daemon_reload_notify(unsigned diff)
{
	notify_configure(d.cfg.notify);
	return 0;
}

/* Log level and HAProxy's access lines, from the configuration. A file
 * that cannot be opened is tried again at the next reload. */
int
daemon_reload_log(const struct config *cfg)
{
	log_config_level(cfg->log_level);
	daemon_reload_retry &= ~(1u << DAEMON_RELOAD_LOG);
	if (log_access_configure(cfg->log_access, cfg->log_access_file) == -1) {
		log_err("access log %s: %s", cfg->log_access_file, strerror(errno));
		daemon_reload_retry |= 1u << DAEMON_RELOAD_LOG;
		return -1;
	}
	return 0;
}

static int
daemon_reload_log_part(unsigned diff)
{
	return daemon_reload_log(&d.cfg);
}

/* The control socket's read-only group, from the configuration. */
int
daemon_reload_group(void)
{
	const char *before = control_group_in_force();
	char was[CTL_GROUP_MAX];
	int rc = 0;

	snprintf(was, sizeof(was), "%s", before);
	if (control_set_group(d.cfg.read_group) == -1) {
		log_err("control socket %s: owner or mode: %s", d.sock_path,
		    strerror(errno));
		rc = -1;
	}
	if (strcmp(was, control_group_in_force()) == 0)
		return rc;
	if (control_group_in_force()[0] != '\0')
		log_info("control socket: members of group %s may use show, "
		    "ca export and test", control_group_in_force());
	else
		log_info("control socket: root only (no group %s on this box)",
		    d.cfg.read_group);
	return rc;
}

static int
daemon_reload_group_part(unsigned diff)
{
	return daemon_reload_group();
}

static int
daemon_reload_onboarding_part(unsigned diff)
{
	return daemon_reload_onboarding();
}

static int
daemon_reload_snoop(unsigned diff)
{
	return dhcp_snoop_configure(&d.cfg);
}

/* A channel that cannot be reopened keeps running as it was. */
static int
daemon_reload_peer(unsigned diff)
{
	int rc = peer_reconfigure(&d.cfg);

	peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	return rc;
}

static int
daemon_reload_forwarder(unsigned diff)
{
	struct forward_paths fp = { d.opts.run_dir, d.opts.state_dir, d.opts.log_file };

	if (forward_configure(&d.cfg, &fp) == -1) {
		log_err("reload: the forwarder could not be configured");
		return -1;
	}
	return 0;
}

static int
daemon_reload_metrics(unsigned diff)
{
	return metrics_configure(&d.cfg, d.opts.run_dir, daemon_ctl_metrics);
}

static int
daemon_reload_selection(unsigned diff)
{
	daemon_proxy_reselect();
	return 0;
}

/* In the order they are applied: the forwarder after the sources that
 * feed the selection, the selection last. */
static const struct daemon_reload_part daemon_reload_parts[] = {
	{ "health-check", CONFIG_PART_HEALTH | CONFIG_PART_FALL_RISE, false,
	    daemon_reload_health },
	{ "notify", CONFIG_PART_NOTIFY, false, daemon_reload_notify },
	[DAEMON_RELOAD_LOG] = { "log", CONFIG_PART_LOG, false, daemon_reload_log_part },
	{ "control", CONFIG_PART_CONTROL, true, daemon_reload_group_part },
	{ "onboarding", 0, true, daemon_reload_onboarding_part },
	{ "dhcp-snooping", CONFIG_PART_SELECTION | CONFIG_PART_INTERFACES, true,
	    daemon_reload_snoop },
	{ "ha", CONFIG_PART_HA | CONFIG_PART_SELECTION, true, daemon_reload_peer },
	{ "forwarder", CONFIG_PART_FORWARDER | CONFIG_PART_INTERCEPT |
	    CONFIG_PART_TLS | CONFIG_PART_UPSTREAM_AUTH, true, daemon_reload_forwarder },
	{ "metrics", CONFIG_PART_METRICS | CONFIG_PART_FORWARDER, true,
	    daemon_reload_metrics },
	{ "selection", CONFIG_PART_SELECTION, true, daemon_reload_selection },
};
#define DAEMON_RELOAD_NPARTS \
	(sizeof(daemon_reload_parts) / sizeof(daemon_reload_parts[0]))

static json_t *
daemon_reload_refused(const struct cfg_errors *err)
{
	json_t *reply;

	daemon_reload_log_errors(err);
	log_err("reload refused: the running configuration stays in force");
	reply = json_pack("{s:i, s:[]}", "status", 1, "errors");
	for (size_t i = 0; i < err->n; i++)
		json_array_append_new(json_object_get(reply, "errors"),
		    json_string(err->msg[i]));
	return reply;
}

/* Apply what `diff` and the retry set call for; the names of the parts
 * that failed go to `failed`, and their bits into the retry set. */
static void
daemon_reload_apply(unsigned diff, json_t *failed, char *names, size_t len)
{
	unsigned retry = daemon_reload_retry;
	size_t used = 0;

	daemon_reload_retry = 0;
	names[0] = '\0';
	for (size_t i = 0; i < DAEMON_RELOAD_NPARTS; i++) {
		const struct daemon_reload_part *p = &daemon_reload_parts[i];

		if (!p->always && (diff & p->parts) == 0 && (retry & (1u << i)) == 0)
			continue;
		if (p->apply(diff) == 0)
			continue;
		daemon_reload_retry |= 1u << i;
		json_array_append_new(failed, json_string(p->name));
		if (used < len)
			used += (size_t)snprintf(names + used, len - used, "%s%s",
			    used > 0 ? ", " : "", p->name);
	}
}

json_t *
daemon_reload(void)
{
	static struct cfg_errors err;
	char changed[256], names[256], msg[320];
	json_t *reply, *failed, *parts;
	unsigned diff;

	log_reopen();
	log_info("reload: reading %s", d.opts.config);
	if (!config_file_load(d.opts.config, &daemon_newcfg, &err))
		return daemon_reload_refused(&err);
	diff = config_diff(&d.cfg, &daemon_newcfg);
	log_info("reload: changed: %s", diff != 0 ?
	    config_diff_format(diff, changed, sizeof(changed)) : "nothing");
	d.cfg = daemon_newcfg;
	failed = json_array();
	daemon_reload_apply(diff, failed, names, sizeof(names));
	parts = json_array();
	for (unsigned i = 0; i < CONFIG_PART_COUNT; i++)
		if (diff & (1u << i))
			json_array_append_new(parts,
			    json_string(config_diff_part_name(1u << i)));
	if (json_array_size(failed) == 0) {
		log_info("reload: configuration in force");
		snprintf(msg, sizeof(msg), "configuration reloaded");
	} else {
		log_err("reload: configuration in force, not applied: %s", names);
		snprintf(msg, sizeof(msg), "configuration reloaded, not applied: %s "
		    "(see the log)", names);
	}
	reply = control_ok(json_string(msg));
	json_object_set_new(reply, "changed", parts);
	json_object_set_new(reply, "failed", failed);
	return reply;
}
