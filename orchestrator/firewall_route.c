/* The firewall owner's policy routing for TPROXY: packets the interception
 * table marks are routed to the local stack (ip rule pref P fwmark M/M
 * lookup T; local 0.0.0.0/0 dev lo table T), through rtnetlink (libmnl)
 * without forking ip(8). Each request is acknowledged by the kernel at
 * once (local netlink), so this does not wait on the network. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firewall_int.h"
#include "log.h"

/* Copies of the rule removed per call at most: an earlier version left one
 * per proxy switch (thousands after a DHCP flood). Bounded so a process
 * re-adding them as fast as we delete cannot hold the loop. */
#define FIREWALL_ROUTE_RULES_MAX	65536

struct firewall_route_nl {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
};

static int
firewall_route_open(struct firewall_route_nl *r)
{
	int one = 1;

	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (r->nl == NULL)
		return -1;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(r->nl);
		return -1;
	}
	/* Lets the kernel filter a route dump by table (Linux >= 4.20);
	 * without it the callback filters the same way. */
	mnl_socket_setsockopt(r->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned)time(NULL);
	return 0;
}

static void
firewall_route_close(struct firewall_route_nl *r)
{
	int e = errno;

	mnl_socket_close(r->nl);
	errno = e;
}

/* One request, its acknowledgement or error (errno); with cb, a dump
 * read to its end. */
static int
firewall_route_talk(struct firewall_route_nl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
    void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int rc = MNL_CB_OK;
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_REQUEST | (cb == NULL ? NLM_F_ACK : NLM_F_DUMP);
	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	/* Bounded: an acknowledgement, or a dump ending in NLMSG_DONE. */
	while (rc == MNL_CB_OK) {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, r->portid, cb, arg);
		if (cb == NULL && rc == MNL_CB_OK)
			break;		/* the acknowledgement */
	}
	return rc < 0 ? -1 : 0;
}

static struct nlmsghdr *
firewall_route_rule_msg(char *buf, uint16_t type, const uint32_t *prio)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = type;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = RT_TABLE_UNSPEC;
	/* Without a priority, a delete matches a copy at any priority. */
	if (prio != NULL)
		mnl_attr_put_u32(nlh, FRA_PRIORITY, *prio);
	mnl_attr_put_u32(nlh, FRA_FWMARK, FIREWALL_FWMARK);
	mnl_attr_put_u32(nlh, FRA_FWMASK, FIREWALL_FWMARK);
	mnl_attr_put_u32(nlh, FRA_TABLE, FIREWALL_RT_TABLE);
	return nlh;
}

static struct nlmsghdr *
firewall_route_local_msg(char *buf, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_HOST;
	rtm->rtm_type = RTN_LOCAL;
	mnl_attr_put_u32(nlh, RTA_TABLE, FIREWALL_RT_TABLE);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(INADDR_ANY));
	mnl_attr_put_u32(nlh, RTA_OIF, if_nametoindex("lo"));
	return nlh;
}

/* ---- observing ---- */

struct firewall_route_scan {
	struct firewall_route_obs obs;
	bool collect;		/* keep the priorities of the other copies */
	uint32_t *other;	/* priorities of copies not at our priority */
	size_t nother, cap;
};

#define FIREWALL_ROUTE_ATTR_MAX	(FRA_MAX > RTA_MAX ? FRA_MAX : RTA_MAX)

static int
firewall_route_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	/* Every attribute read here is a u32 (FRA_* and RTA_* alike). */
	if (type <= FIREWALL_ROUTE_ATTR_MAX && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static uint32_t
firewall_route_u32(const struct nlattr *a, uint32_t dflt)
{
	return a != NULL ? mnl_attr_get_u32(a) : dflt;
}

/* A rule fwmark M/M lookup T (of any priority, put in *prio). */
static bool
firewall_route_rule_match(const struct nlmsghdr *nlh, uint32_t *prio)
{
	const struct nlattr *tb[FIREWALL_ROUTE_ATTR_MAX + 1] = { NULL };
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*frh)) || frh->family != AF_INET ||
	    frh->action != FR_ACT_TO_TBL ||
	    mnl_attr_parse(nlh, sizeof(*frh), firewall_route_attr, tb) != MNL_CB_OK)
		return false;
	*prio = firewall_route_u32(tb[FRA_PRIORITY], 0);
	return firewall_route_u32(tb[FRA_FWMARK], 0) == FIREWALL_FWMARK &&
	    firewall_route_u32(tb[FRA_FWMASK], 0xffffffffu) == FIREWALL_FWMARK &&
	    firewall_route_u32(tb[FRA_TABLE], frh->table) == FIREWALL_RT_TABLE;
}

/* A route of table T; *local when it is local 0.0.0.0/0. */
static bool
firewall_route_local_match(const struct nlmsghdr *nlh, bool *local)
{
	const struct nlattr *tb[FIREWALL_ROUTE_ATTR_MAX + 1] = { NULL };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) || rtm->rtm_family != AF_INET ||
	    mnl_attr_parse(nlh, sizeof(*rtm), firewall_route_attr, tb) != MNL_CB_OK ||
	    firewall_route_u32(tb[RTA_TABLE], rtm->rtm_table) != FIREWALL_RT_TABLE)
		return false;
	*local = rtm->rtm_type == RTN_LOCAL && rtm->rtm_dst_len == 0;
	return true;
}

static int
firewall_route_rule_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_route_scan *s = arg;
	uint32_t prio;

	if (nlh->nlmsg_type != RTM_NEWRULE || !firewall_route_rule_match(nlh, &prio))
		return MNL_CB_OK;
	s->obs.nrules++;
	if (prio == FIREWALL_RULE_PRIORITY && !s->obs.rule_ours) {
		s->obs.rule_ours = true;
		return MNL_CB_OK;
	}
	if (s->collect)
		firewall_push(&s->other, &s->nother, &s->cap, FIREWALL_ROUTE_RULES_MAX,
		    &prio, sizeof(prio));
	return MNL_CB_OK;
}

static int
firewall_route_local_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_route_scan *s = arg;
	bool local;

	if (nlh->nlmsg_type == RTM_NEWROUTE && firewall_route_local_match(nlh, &local) && local)
		s->obs.route = true;
	return MNL_CB_OK;
}

static int
firewall_route_scan(struct firewall_route_nl *r, struct firewall_route_scan *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETRULE;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	if (firewall_route_talk(r, nlh, firewall_route_rule_entry, s) == -1)
		return -1;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	mnl_attr_put_u32(nlh, RTA_TABLE, FIREWALL_RT_TABLE);
	return firewall_route_talk(r, nlh, firewall_route_local_entry, s);
}

int
firewall_route_observe(struct firewall_route_obs *obs)
{
	struct firewall_route_scan s = { .collect = false };
	struct firewall_route_nl r;
	int rc;

	if (firewall_route_open(&r) == -1)
		return -1;
	rc = firewall_route_scan(&r, &s);
	firewall_route_close(&r);
	*obs = s.obs;
	return rc;
}

/* ---- changing ---- */

int
firewall_route_add(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct firewall_route_scan s = { .collect = true };
	struct firewall_route_nl r;
	struct nlmsghdr *nlh;
	int rc = -1;

	if (firewall_route_open(&r) == -1)
		return -1;
	/* Ours first, so marked packets are never without a rule. */
	nlh = firewall_route_rule_msg(buf, RTM_NEWRULE, &(uint32_t){ FIREWALL_RULE_PRIORITY });
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	if (firewall_route_talk(&r, nlh, NULL, NULL) == -1 && errno != EEXIST)
		goto out;
	nlh = firewall_route_local_msg(buf, RTM_NEWROUTE);
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	if (firewall_route_talk(&r, nlh, NULL, NULL) == -1)
		goto out;
	/* Then every other copy (another priority: an earlier version, or
	 * added by hand), each by its own priority. */
	if (firewall_route_scan(&r, &s) == 0)
		for (size_t i = 0; i < s.nother; i++)
			firewall_route_talk(&r, firewall_route_rule_msg(buf, RTM_DELRULE,
			    &s.other[i]), NULL, NULL);
	if (s.nother > 0)
		log_info("policy routing: %zu extra TPROXY rules removed", s.nother);
	rc = 0;
out:
	free(s.other);
	firewall_route_close(&r);
	return rc;
}

int
firewall_route_del(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct firewall_route_nl r;
	int rc = 0, i;

	if (firewall_route_open(&r) == -1)
		return -1;
	/* Every copy, until the kernel has none left. */
	for (i = 0; i < FIREWALL_ROUTE_RULES_MAX; i++)
		if (firewall_route_talk(&r, firewall_route_rule_msg(buf, RTM_DELRULE, NULL),
		    NULL, NULL) == -1) {
			if (errno != ENOENT)
				rc = -1;
			break;
		}
	if (i == FIREWALL_ROUTE_RULES_MAX) {
		log_err("policy routing: still TPROXY rules after %d deletions", i);
		rc = -1;
	}
	if (firewall_route_talk(&r, firewall_route_local_msg(buf, RTM_DELROUTE),
	    NULL, NULL) == -1 &&
	    errno != ESRCH && errno != ENOENT)
		rc = -1;
	firewall_route_close(&r);
	return rc;
}

bool
firewall_route_msg_ours(const struct nlmsghdr *nlh)
{
	uint32_t prio;
	bool local;

	switch (nlh->nlmsg_type) {
	case RTM_NEWRULE:
	case RTM_DELRULE:
		return firewall_route_rule_match(nlh, &prio);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return firewall_route_local_match(nlh, &local);
	default:
		return false;
	}
}
