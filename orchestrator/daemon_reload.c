/* The daemon's reload: read the configuration again and apply it; a file
 * that does not load changes nothing. */
#include <errno.h>
#include <string.h>

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

static void
daemon_reload_log_errors(const struct cfg_errors *err)
{
	for (size_t i = 0; i < err->n; i++)
		log_err("%s", err->msg[i]);
	if (err->dropped > 0)
		log_err("(%zu more errors)", err->dropped);
}

void
daemon_reload_onboarding(void)
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
daemon_reload_health(void)
{
	if (!event_timer_armed(&d.probe_timer))
		return;		/* no proxy is probed */
	log_info("reload: health check every %u s, timeout %u s, from now on",
	    d.cfg.hc_interval, d.cfg.hc_timeout);
	event_timer_arm(&d.probe_timer, probe_busy(&d.probe) ?
	    (uint64_t)d.cfg.hc_interval * 1000 : 1);
}

/* Log level and HAProxy's access lines, from the configuration. */
void
daemon_reload_log(const struct config *cfg)
{
	log_config_level(cfg->log_level);
	if (log_access_configure(cfg->log_access, cfg->log_access_file) == -1)
		log_err("access log %s: %s", cfg->log_access_file, strerror(errno));
}

/* The control socket's read-only group, from the configuration. */
void
daemon_reload_group(void)
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

json_t *
daemon_reload(void)
{
	static struct cfg_errors err;
	struct forward_paths fp = { d.opts.run_dir, d.opts.state_dir, d.opts.log_file };
	bool hc_changed;
	json_t *reply;

	log_reopen();
	log_info("reload: reading %s", d.opts.config);
	if (!config_file_load(d.opts.config, &daemon_newcfg, &err)) {
		daemon_reload_log_errors(&err);
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
		daemon_reload_health();
	daemon_reload_log(&d.cfg);
	daemon_reload_group();
	daemon_reload_onboarding();
	dhcp_snoop_configure(&d.cfg);
	/* A channel that cannot be reopened keeps running as it was. */
	peer_reconfigure(&d.cfg);
	peer_publish(d.dhcp, d.ndhcp, &d.cfg, event_now());
	if (forward_configure(&d.cfg, &fp) == -1)
		log_err("reload: the forwarder could not be configured");
	metrics_configure(&d.cfg, d.opts.run_dir, daemon_ctl_metrics);
	daemon_proxy_reselect();
	log_info("reload: configuration in force");
	return control_ok(json_string("configuration reloaded"));
}
