/* What the files of the daemon's shell share: its one state (`d`) and the
 * steps one part asks of another. Only daemon*.c include this. */
#ifndef DAEMON_INT_H
#define DAEMON_INT_H
#include <jansson.h>
#include <sys/types.h>

#include "alarm.h"
#include "config.h"
#include "daemon.h"
#include "dhcp_pace.h"
#include "event.h"
#include "onboarding.h"
#include "probe.h"
#include "proxy_fsm.h"
#include "select.h"
#include "status.h"

#define DAEMON_PATH_MAX	512
struct daemon {
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
};

extern struct daemon d;

/* daemon_proxy.c: selection, probing, alarms */
void daemon_proxy_alarm_seq_restore(void);
void daemon_proxy_reselect(void);
void daemon_proxy_probe_done(unsigned gen, bool ok, const char *why, void *arg);
void daemon_proxy_probe_due(void *arg);
void daemon_proxy_traffic_failed(void *arg);
/* daemon_dhcp.c: learned by DHCP */
void daemon_dhcp_expiry_due(void *arg);
void daemon_dhcp_pace_due(void *arg);
struct dhcp_snooped;
void daemon_dhcp_reply(const struct dhcp_snooped *, void *arg);
json_t *daemon_dhcp_show(const struct status_view *);
void daemon_dhcp_link(const char *ifname, bool up, bool removed, void *arg);
void daemon_dhcp_restore(void);
/* daemon_peer.c: learned from the HA peer */
void daemon_peer_heard(const struct peer_info *, void *arg);
void daemon_peer_restore(void);
/* daemon_reload.c */
json_t *daemon_reload(void);
int daemon_reload_onboarding(void);
int daemon_reload_log(const struct config *);
int daemon_reload_group(void);
/* daemon_ctl.c: the control socket's requests */
struct metrics_snapshot;
json_t *daemon_ctl_request(const char *req, void *arg);
void daemon_ctl_metrics(struct metrics_snapshot *);
#endif
