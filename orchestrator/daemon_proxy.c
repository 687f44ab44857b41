/* The daemon's proxy part: selection, probing and alarms; carries out
 * what proxy_fsm decides. */
#include <errno.h>
#include <string.h>

#include "daemon_int.h"
#include "event.h"
#include "forward.h"
#include "ifaddr.h"
#include "log.h"
#include "notify.h"
#include "fileio.h"
#include "statefile.h"

/* ---- carrying out the state machine's decisions ---- */

/* The next alarm's number is stored before it is used: after a crash
 * the next run never shows an id again. */
static void
daemon_proxy_alarm_seq_store(unsigned seq)
{
	char buf[ALARM_SEQ_MAX];
	size_t n = alarm_seq_format(seq, buf);

	if (fileio_replace(d.alarm_seq_file, buf, n, 0644) == -1)
		log_err("%s: %s", d.alarm_seq_file, strerror(errno));
}

void
daemon_proxy_alarm_seq_restore(void)
{
	size_t len;
	char *buf = fileio_read(d.alarm_seq_file, ALARM_SEQ_MAX, 0, &len);

	if (buf == NULL) {
		if (errno != ENOENT)
			log_warn("%s: %s", d.alarm_seq_file, fileio_strerror(errno));
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
daemon_proxy_notify(unsigned flags, const char *id)
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

/* What the step did, logged before its effects. */
static void
daemon_proxy_log_step(const struct pfsm_actions *act)
{
	const struct pfsm_transition *tr = &act->tr;
	char a[ADDR_STRLEN] = "";

	if (act->flags & PFSM_ACT_FAIL_COUNTED)
		log_info("management proxy probe failed (%u of %u in a row before "
		    "unreachable)", act->count, act->need);
	if (act->flags & PFSM_ACT_OK_COUNTED)
		log_info("management proxy probe succeeded (%u of %u in a row before "
		    "reachable)", act->count, act->need);
	if (tr->from == tr->to)
		return;
	if (tr->has_target)
		addr_format(&tr->target, a);
	log_info("management proxy %s: %s -> %s (%s)", a[0] ? a : "N/A",
	    proxy_fsm_state_name(tr->from), proxy_fsm_state_name(tr->to), tr->cause);
}

static void
daemon_proxy_apply(const struct pfsm_actions *act)
{
	char a[ADDR_STRLEN];
	unsigned f = act->flags;
	char id[ALARM_ID_MAX] = "-";

	daemon_proxy_log_step(act);
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
	if (f & PFSM_ACT_STATE_WRITE) {
		size_t len = 0;
		char *text = statefile_dump_proxy(&act->effect, &len);

		if (fileio_replace_owned(d.proxy_file, text, len, 0644) == -1)
			log_err("%s: %s", d.proxy_file, strerror(errno));
	}
	if ((f & PFSM_ACT_STATE_REMOVE) && fileio_remove(d.proxy_file) == -1)
		log_err("%s: %s", d.proxy_file, strerror(errno));
	if (f & PFSM_ACT_ALARM_RAISE) {
		daemon_proxy_alarm_seq_store(d.alarm.seq + 1);
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
	daemon_proxy_notify(f, id);
}

void
daemon_proxy_reselect(void)
{
	uint32_t local[IFADDR_MAX];
	struct sel_input in = {
		.cfg = &d.cfg, .onb = &d.onb, .dhcp = d.dhcp, .ndhcp = d.ndhcp,
		.peer = d.have_peer ? &d.peer : NULL, .now = event_now(),
		.local_ip = local,
		.nlocal_ip = ifaddr_ipv4(local, IFADDR_MAX),
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
	daemon_proxy_apply(&act);
	/* A lease that runs out must end its candidate even if nothing else
	 * happens: wake up then and select again. */
	next = select_next_expiry(&in, &d.cands);
	if (next != 0)
		event_timer_arm(&d.expiry_timer, (uint64_t)(next - in.now) * 1000);
	else
		event_timer_stop(&d.expiry_timer);
}

/* A probe's result as the views show it. */
static void
daemon_proxy_probe_record(unsigned gen, bool ok, const char *why)
{
	d.last_probe = event_now();
	if (ok && gen == d.probe.gen) {
		d.probe_latency_ms = event_mono_ms() - d.probe_started_ms;
		d.probe_known = true;
	}
	snprintf(d.last_probe_error, sizeof(d.last_probe_error), "%s", ok ? "" : why);
	log_debug("probe %u: %s", gen, ok ? "ok" : why);
}

void
daemon_proxy_probe_done(unsigned gen, bool ok, const char *why, void *arg)
{
	struct pfsm_actions act;

	daemon_proxy_probe_record(gen, ok, why);
	proxy_fsm_probe_done(&d.fsm, gen, ok, event_now(), &act);
	daemon_proxy_apply(&act);
	/* A forwarder that failed earlier gets another chance while the
	 * proxy answers. */
	if (ok && d.fsm.in_effect)
		forward_retry();
}

void
daemon_proxy_probe_due(void *arg)
{
	struct pfsm_actions act;

	proxy_fsm_timer(&d.fsm, probe_busy(&d.probe), event_now(), &act);
	if (act.flags & PFSM_ACT_PROBE_LOST) {
		probe_cancel(&d.probe);
		daemon_proxy_probe_record(d.probe.gen, false,
		    "no answer within the interval");
	}
	daemon_proxy_apply(&act);
}

/* HAProxy logged a connection to the proxy in effect that failed: ask
 * the proxy now rather than at the next interval. */
void
daemon_proxy_traffic_failed(void *arg)
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
	daemon_proxy_apply(&act);
}
