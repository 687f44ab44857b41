/* The owned-state watcher: netlink events in, repairs out (see watch.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event.h"
#include "firewall.h"
#include "log.h"
#include "watch.h"

/* What the events since the last check touched (and watch.h). */
#define WATCH_ROUTE	0x4u	/* our rule or route table */
#define WATCH_RESYNC	0x8u	/* events were lost: look at everything */

/* A flush of a large ruleset is one message per object. */
#define WATCH_RCVBUF	(1 << 20)

static struct {
	struct mnl_socket *nft, *rt;
	struct event_timer timer;
	bool timer_ok;
	struct watch_ops ops;
	struct reconcile rec;
	unsigned batch;		/* nftables objects of the transaction being read */
	unsigned pending;	/* touched since the last check */
} w;

/* Lost state is logged per check: bounded by the repair budget, and by
 * this bucket in case of a storm. */
static struct log_ratelimit watch_rl = LOG_RATELIMIT_INIT(10, 10);

static void
watch_note(unsigned what)
{
	w.pending |= what;
	if (w.timer_ok)
		event_timer_arm(&w.timer,
		    (uint64_t)reconcile_event(&w.rec, event_mono_ms()));
}

/* Every nftables object message names its table in attribute 1
 * (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE,
 * NFTA_SET_ELEM_LIST_TABLE, NFTA_OBJ_TABLE, NFTA_FLOWTABLE_TABLE). */
unsigned
watch_nft_event(const struct nlmsghdr *nlh, uint32_t self, unsigned *batch)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	uint16_t type = nlh->nlmsg_type;

	if (NFNL_SUBSYS_ID(type) != NFNL_SUBSYS_NFTABLES ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*g)))
		return 0;
	if (NFNL_MSG_TYPE(type) == NFT_MSG_NEWGEN) {
		/* The end of a transaction: whose was it? */
		unsigned touched = *batch;
		uint32_t pid = 0;

		mnl_attr_for_each(a, nlh, sizeof(*g))
			if (mnl_attr_get_type(a) == NFTA_GEN_PROC_PID &&
			    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				pid = ntohl(mnl_attr_get_u32(a));
		*batch = 0;
		return pid != self ? touched : 0;
	}
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		const char *name;

		if (mnl_attr_get_type(a) != 1 ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		name = mnl_attr_get_str(a);
		if (g->nfgen_family == NFPROTO_INET && strcmp(name, FIREWALL_TABLE) == 0)
			*batch |= WATCH_NFT_TABLE;
		else if (g->nfgen_family == NFPROTO_IPV4 &&
		    strcmp(name, FIREWALL_DHCP_TABLE) == 0)
			*batch |= WATCH_NFT_DHCP;
		break;
	}
	return 0;
}

static int
watch_nft_msg(const struct nlmsghdr *nlh, void *arg)
{
	unsigned touched = watch_nft_event(nlh, (uint32_t)getpid(), &w.batch);

	if (touched != 0)
		watch_note(touched);
	return MNL_CB_OK;
}

static int
watch_rt_msg(const struct nlmsghdr *nlh, void *arg)
{
	if (firewall_route_msg_ours(nlh))
		watch_note(WATCH_ROUTE);
	return MNL_CB_OK;
}

static void
watch_read(struct mnl_socket *nl, mnl_cb_t cb)
{
	static char buf[65536] __attribute__((aligned));

	/* Bounded per wake-up; the rest waits for the next one. */
	for (int i = 0; i < 64; i++) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n <= 0) {
			/* Events were dropped: what they said is unknown, so
			 * look at what is there. Only presence is checked then:
			 * another process's busy ruleset must not spend the
			 * repair budget on changes that may not concern us. */
			if (n == -1 && errno == ENOBUFS) {
				w.batch = 0;
				watch_note(WATCH_RESYNC);
			}
			return;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, cb, NULL);
	}
}

static void
watch_nft_readable(int fd, uint32_t events, void *arg)
{
	watch_read(w.nft, watch_nft_msg);
}

static void
watch_rt_readable(int fd, uint32_t events, void *arg)
{
	watch_read(w.rt, watch_rt_msg);
}

static void
watch_observe(const struct recon_want *want, unsigned touched, struct recon_obs *o)
{
	firewall_observe(want, o);
	o->table_altered = want->intercept && (touched & WATCH_NFT_TABLE) != 0;
	o->dhcp_altered = want->dhcp && (touched & WATCH_NFT_DHCP) != 0;
}

static void
watch_check(void *arg)
{
	int64_t now = event_mono_ms();
	struct recon_want want;
	struct recon_obs obs;
	unsigned touched = w.pending, lost;
	char what[256], why[384];

	w.pending = 0;
	reconcile_checked(&w.rec);
	w.ops.want(&want);
	watch_observe(&want, touched, &obs);
	lost = reconcile_lost(&want, &obs);
	reconcile_describe(lost, what, sizeof(what));
	switch (reconcile_decide(&w.rec, lost, now)) {
	case RECON_OK:
		return;
	case RECON_REPAIR:
		log_limited(&watch_rl, event_now(), LOG_WARN,
		    "owned state lost: %s: re-installing", what);
		if ((lost & RECON_INTERCEPT) && w.ops.repair_intercept() == -1) {
			snprintf(why, sizeof(why), "%s, and re-installing it failed", what);
			w.ops.lost_intercept(why);
		}
		if ((lost & (RECON_DHCP | RECON_DHCP_ALTERED)) && w.ops.repair_dhcp() == -1)
			log_limited(&watch_rl, event_now(), LOG_ERR,
			    "dhcp: snooping table not re-installed: learning stops "
			    "until the next reload");
		return;
	case RECON_GIVE_UP:
		snprintf(why, sizeof(why), "%s, more than %d times within %d s: "
		    "another process keeps removing it", what, RECON_MAX_REPAIRS,
		    RECON_WINDOW_MS / 1000);
		if (lost & RECON_INTERCEPT)
			w.ops.lost_intercept(why);
		else
			log_limited(&watch_rl, event_now(), LOG_ERR,
			    "owned state lost: %s: left as is until the next reload", why);
		return;
	}
}

static struct mnl_socket *
watch_socket(int bus, unsigned groups, int group, event_cb cb)
{
	struct mnl_socket *nl = mnl_socket_open2(bus, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int size = WATCH_RCVBUF;

	if (nl == NULL)
		return NULL;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0 ||
	    (group != 0 && mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group,
	    sizeof(group)) < 0) ||
	    event_add(mnl_socket_get_fd(nl), EPOLLIN, cb, NULL) == -1) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

int
watch_open(const struct watch_ops *ops)
{
	w.ops = *ops;
	reconcile_init(&w.rec);
	if (event_timer_init(&w.timer, watch_check, NULL) == -1)
		return -1;
	w.timer_ok = true;
	w.nft = watch_socket(NETLINK_NETFILTER, 0, NFNLGRP_NFTABLES, watch_nft_readable);
	w.rt = watch_socket(NETLINK_ROUTE, RTMGRP_IPV4_RULE | RTMGRP_IPV4_ROUTE, 0,
	    watch_rt_readable);
	if (w.nft == NULL || w.rt == NULL) {
		watch_close();
		return -1;
	}
	return 0;
}

void
watch_close(void)
{
	struct mnl_socket **s[] = { &w.nft, &w.rt };

	for (size_t i = 0; i < 2; i++)
		if (*s[i] != NULL) {
			event_del(mnl_socket_get_fd(*s[i]));
			mnl_socket_close(*s[i]);
			*s[i] = NULL;
		}
	if (w.timer_ok)
		event_timer_fini(&w.timer);
	w.timer_ok = false;
}
