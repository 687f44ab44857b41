/* The daemon's DHCP part: what snooped replies teach, paced, persisted
 * and published to the HA peer. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon_int.h"
#include "dhcp_lease.h"
#include "learned.h"
#include "dhcp_snoop.h"
#include "event.h"
#include "log.h"
#include "peer.h"
#include "fileio.h"
#include "statefile.h"

static void daemon_dhcp_store(size_t);

void
daemon_dhcp_expiry_due(void *arg)
{
	int64_t now = event_now();

	for (size_t i = 0; i < d.ndhcp; i++)
		if (dhcp_lease_expire(&d.dhcp[i], now)) {
			log_info("dhcp: lease on %s expired: its proxies are forgotten",
			    d.dhcp[i].ifname);
			daemon_dhcp_store(i);
			peer_publish(d.dhcp, d.ndhcp, &d.cfg, now);
		}
	daemon_proxy_reselect();
}

/* Persists d.dhcp[i]. */
static void
daemon_dhcp_store(size_t i)
{
	/* Writes follow DHCP replies: a full disk must not mean a line each. */
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(60, 1);
	const struct dhcp_info *info = &d.dhcp[i];
	char path[DAEMON_PATH_MAX];
	int rc = fileio_path(path, sizeof(path), d.dhcp_dir, info->ifname);

	if (rc == 0) {
		size_t len = 0;
		char *text = statefile_dump_dhcp(info, &len);

		rc = fileio_replace_owned(path, text, len, 0644);
	}
	if (rc == -1)
		log_limited(&rl, event_now(), LOG_ERR, "%s/%s: %s", d.dhcp_dir,
		    info->ifname, strerror(errno));
	d.dhcp_saved[i] = event_now();
}

/* The slot of the interface in d.dhcp; d.ndhcp when it has none. */
static size_t
daemon_dhcp_index(const char *ifname)
{
	const struct dhcp_info *cur = learned_find(d.dhcp, d.ndhcp, ifname);

	return cur != NULL ? (size_t)(cur - d.dhcp) : d.ndhcp;
}

void
daemon_dhcp_update(const struct dhcp_info *info)
{
	size_t i = daemon_dhcp_index(info->ifname);

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
	daemon_proxy_reselect();
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

void
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
		    info.ifname, learned_state_name(info.state), info.nproxy ? " " : "",
		    info.nproxy ? info.proxy[0] : "");
		daemon_dhcp_update(&info);
	}
	daemon_dhcp_pace_arm();
}

/* A snooped reply: believe it only as the interface's client would
 * (dhcp_guard), learn what it means (learned_dhcp_apply), and apply a
 * change at a bounded rate (dhcp_pace). Every line logged here is the
 * network's doing. */
void
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
	const struct dhcp_info *cur = learned_find(d.dhcp, d.ndhcp, s->ifname);
	const char *msg = dhcp_parse_msg_name(r->msg_type);
	struct dhcp_guard_ctx ctx = {
		.mac = s->mac, .bound_server = cur != NULL ? cur->server : 0,
		.prefix = s->prefix, .nprefix = s->nprefix, .now = event_now(),
	};
	enum dhcp_guard_verdict v;
	struct learned_result res;
	const struct dhcp_info *info = &res.info;
	uint64_t refused = 0;
	size_t i;
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
	learned_dhcp_apply(d.dhcp, d.ndhcp, d.dhcp_saved, s->ifname, s->mac, r,
	    ctx.now, &res);
	i = res.index;
	switch (res.change) {
	case LEARNED_IGNORED:	/* not reached: OFFERs left above */
		return;
	case LEARNED_REJECTED:
		d.dhcp_refused++;
		log_limited(&rl, ctx.now, LOG_WARN, "dhcp: %s on %s refused: %s",
		    msg, s->ifname, res.why);
		return;
	case LEARNED_RENEWED:
		/* The value in force is the latest word: a change held back
		 * from before is not. */
		if (d.dhcp_pace[i].held) {
			dhcp_pace_drop(&d.dhcp_pace[i]);
			daemon_dhcp_pace_arm();
		}
		if (!res.persist) {
			daemon_proxy_reselect();	/* re-arms the expiry timer */
			return;
		}
		break;
	case LEARNED_CHANGED:
		if (i < CFG_MAX_IFACE && !dhcp_pace_allow(&d.dhcp_pace[i], ctx.now,
		    &wait)) {
			dhcp_pace_hold(&d.dhcp_pace[i], info);
			log_limited(&held_rl, ctx.now, LOG_WARN, "dhcp: %s on %s: change "
			    "to %s%s%s held back %llds (changing too often)", msg,
			    s->ifname, learned_state_name(info->state),
			    info->nproxy ? " " : "", info->nproxy ? info->proxy[0] : "",
			    (long long)wait);
			daemon_dhcp_pace_arm();
			return;
		}
		if (i < CFG_MAX_IFACE)
			dhcp_pace_drop(&d.dhcp_pace[i]);
		log_info("dhcp: %s on %s: %s%s%s", msg, s->ifname,
		    learned_state_name(info->state), info->nproxy ? " " : "",
		    info->nproxy ? info->proxy[0] : "");
		break;
	}
	daemon_dhcp_update(info);
}

/* status_dhcp() plus what only the snooper knows: the replies refused
 * on each interface, by reason, and a change held back by pacing. */
json_t *
daemon_dhcp_show(const struct status_view *v)
{
	json_t *arr = status_dhcp(v), *o;
	size_t k;

	json_array_foreach(arr, k, o) {
		const char *ifname = json_string_value(json_object_get(o, "interface"));
		const struct dhcp_info *cur = learned_find(d.dhcp, d.ndhcp, ifname);
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

void
daemon_dhcp_link(const char *ifname, bool up, bool removed, void *arg)
{
	struct dhcp_info info;

	if (!learned_link(d.dhcp, d.ndhcp, ifname, up, removed, &info))
		return;
	log_info("dhcp: %s %s: its proxies are forgotten", ifname,
	    removed ? "removed" : "down");
	/* A change held back from before the link went down is stale. */
	dhcp_pace_drop(&d.dhcp_pace[daemon_dhcp_index(ifname)]);
	daemon_dhcp_update(&info);
}

/* One file of the DHCP state directory; false once the table is full. */
static bool
daemon_dhcp_restore_one(const char *name, void *arg)
{
	char path[DAEMON_PATH_MAX], err[CFG_ERR_LEN];
	struct dhcp_info *info = &d.dhcp[d.ndhcp];
	struct stat st;
	int64_t recorded;
	size_t len;
	char *buf;

	if (strstr(name, ".tmp") != NULL)
		return true;
	if (fileio_path(path, sizeof(path), d.dhcp_dir, name) == -1 ||
	    (buf = fileio_read(path, SF_FILE_MAX, O_NOFOLLOW, &len)) == NULL) {
		log_warn("%s: %s", path, strerror(errno));
		return true;
	}
	if (!statefile_parse_dhcp(buf, len, info, err))
		log_warn("%s: %s (ignored)", path, err);
	else if (strcmp(info->ifname, name) != 0)
		log_warn("%s: interface-name %s does not match the file name "
		    "(ignored)", path, info->ifname);
	else {
		/* The file is written when its ACK is seen: its time and the
		 * recorded end give the lease length. */
		recorded = info->lease_expiry;
		if (lstat(path, &st) == 0)
			info->lease_expiry = dhcp_lease_restored_end(recorded,
			    (int64_t)st.st_mtim.tv_sec, event_now());
		log_info("restored dhcp state of %s: %s, %zu proxies",
		    info->ifname, learned_state_name(info->state), info->nproxy);
		if (info->lease_expiry != recorded)
			log_info("dhcp: lease on %s kept until %llds from now (%llds "
			    "past its recorded end): the client may have renewed it "
			    "while mgmt-proxyd was stopped", info->ifname,
			    (long long)(info->lease_expiry - event_now()),
			    (long long)(info->lease_expiry - recorded));
		d.ndhcp++;
	}
	free(buf);
	return d.ndhcp < CFG_MAX_IFACE;
}

/* Restores what DHCP taught before a restart or reboot; a file that does
 * not parse is reported and skipped, never fatal. */
void
daemon_dhcp_restore(void)
{
	if (d.ndhcp < CFG_MAX_IFACE)
		(void)fileio_dir_each(d.dhcp_dir, daemon_dhcp_restore_one, NULL);
}
