/* rtnetlink requests for the TPROXY rule and local route. Each request is
 * acknowledged by the kernel at once (local netlink), so this does not
 * wait on the network. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "route.h"

/* Copies of the rule removed per call at most: an earlier version left one
 * per proxy switch (thousands after a DHCP flood). Bounded so a process
 * re-adding them as fast as we delete cannot hold the loop. */
#define ROUTE_RULES_MAX	65536

struct route_nl {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
};

static int
route_open(struct route_nl *r)
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
route_close(struct route_nl *r)
{
	int e = errno;

	mnl_socket_close(r->nl);
	errno = e;
}

/* One request, its acknowledgement or error (errno); with cb, a dump
 * read to its end. */
static int
route_talk(struct route_nl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
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
route_rule_msg(char *buf, uint16_t type, const uint32_t *prio)
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
	mnl_attr_put_u32(nlh, FRA_FWMARK, ROUTE_FWMARK);
	mnl_attr_put_u32(nlh, FRA_FWMASK, ROUTE_FWMARK);
	mnl_attr_put_u32(nlh, FRA_TABLE, ROUTE_TABLE);
	return nlh;
}

static struct nlmsghdr *
route_local_msg(char *buf, uint16_t type)
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
	mnl_attr_put_u32(nlh, RTA_TABLE, ROUTE_TABLE);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(INADDR_ANY));
	mnl_attr_put_u32(nlh, RTA_OIF, if_nametoindex("lo"));
	return nlh;
}

/* ---- observing ---- */

struct route_scan {
	struct route_obs obs;
	bool collect;		/* keep the priorities of the other copies */
	uint32_t *other;	/* priorities of copies not at ROUTE_PRIORITY */
	size_t nother, cap;
};

#define ROUTE_ATTR_MAX	(FRA_MAX > RTA_MAX ? FRA_MAX : RTA_MAX)

static int
route_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	/* Every attribute read here is a u32 (FRA_* and RTA_* alike). */
	if (type <= ROUTE_ATTR_MAX && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static uint32_t
route_u32(const struct nlattr *a, uint32_t dflt)
{
	return a != NULL ? mnl_attr_get_u32(a) : dflt;
}

/* A rule fwmark M/M lookup T (of any priority, put in *prio). */
static bool
route_rule_match(const struct nlmsghdr *nlh, uint32_t *prio)
{
	const struct nlattr *tb[ROUTE_ATTR_MAX + 1] = { NULL };
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*frh)) || frh->family != AF_INET ||
	    frh->action != FR_ACT_TO_TBL ||
	    mnl_attr_parse(nlh, sizeof(*frh), route_attr, tb) != MNL_CB_OK)
		return false;
	*prio = route_u32(tb[FRA_PRIORITY], 0);
	return route_u32(tb[FRA_FWMARK], 0) == ROUTE_FWMARK &&
	    route_u32(tb[FRA_FWMASK], 0xffffffffu) == ROUTE_FWMARK &&
	    route_u32(tb[FRA_TABLE], frh->table) == ROUTE_TABLE;
}

/* A route of table T; *local when it is local 0.0.0.0/0. */
static bool
route_local_match(const struct nlmsghdr *nlh, bool *local)
{
	const struct nlattr *tb[ROUTE_ATTR_MAX + 1] = { NULL };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) || rtm->rtm_family != AF_INET ||
	    mnl_attr_parse(nlh, sizeof(*rtm), route_attr, tb) != MNL_CB_OK ||
	    route_u32(tb[RTA_TABLE], rtm->rtm_table) != ROUTE_TABLE)
		return false;
	*local = rtm->rtm_type == RTN_LOCAL && rtm->rtm_dst_len == 0;
	return true;
}

static int
route_rule_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct route_scan *s = arg;
	uint32_t prio;

	if (nlh->nlmsg_type != RTM_NEWRULE || !route_rule_match(nlh, &prio))
		return MNL_CB_OK;
	s->obs.nrules++;
	if (prio == ROUTE_PRIORITY && !s->obs.rule_ours) {
		s->obs.rule_ours = true;
		return MNL_CB_OK;
	}
	if (!s->collect)
		return MNL_CB_OK;
	if (s->nother == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *p;

		if (cap > ROUTE_RULES_MAX || (p = realloc(s->other, cap * sizeof(*s->other))) == NULL)
			return MNL_CB_OK;
		s->other = p;
		s->cap = cap;
	}
	s->other[s->nother++] = prio;
	return MNL_CB_OK;
}

static int
route_local_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct route_scan *s = arg;
	bool local;

	if (nlh->nlmsg_type == RTM_NEWROUTE && route_local_match(nlh, &local) && local)
		s->obs.route = true;
	return MNL_CB_OK;
}

static int
route_scan(struct route_nl *r, struct route_scan *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETRULE;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	if (route_talk(r, nlh, route_rule_entry, s) == -1)
		return -1;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	mnl_attr_put_u32(nlh, RTA_TABLE, ROUTE_TABLE);
	return route_talk(r, nlh, route_local_entry, s);
}

int
route_tproxy_observe(struct route_obs *obs)
{
	struct route_scan s = { .collect = false };
	struct route_nl r;
	int rc;

	if (route_open(&r) == -1)
		return -1;
	rc = route_scan(&r, &s);
	route_close(&r);
	*obs = s.obs;
	return rc;
}

/* ---- changing ---- */

int
route_tproxy_add(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct route_scan s = { .collect = true };
	struct route_nl r;
	struct nlmsghdr *nlh;
	int rc = -1;

	if (route_open(&r) == -1)
		return -1;
	/* Ours first, so marked packets are never without a rule. */
	nlh = route_rule_msg(buf, RTM_NEWRULE, &(uint32_t){ ROUTE_PRIORITY });
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	if (route_talk(&r, nlh, NULL, NULL) == -1 && errno != EEXIST)
		goto out;
	nlh = route_local_msg(buf, RTM_NEWROUTE);
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	if (route_talk(&r, nlh, NULL, NULL) == -1)
		goto out;
	/* Then every other copy (another priority: an earlier version, or
	 * added by hand), each by its own priority. */
	if (route_scan(&r, &s) == 0)
		for (size_t i = 0; i < s.nother; i++)
			route_talk(&r, route_rule_msg(buf, RTM_DELRULE, &s.other[i]), NULL, NULL);
	if (s.nother > 0)
		log_info("policy routing: %zu extra TPROXY rules removed", s.nother);
	rc = 0;
out:
	free(s.other);
	route_close(&r);
	return rc;
}

int
route_tproxy_del(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct route_nl r;
	int rc = 0, i;

	if (route_open(&r) == -1)
		return -1;
	/* Every copy, until the kernel has none left. */
	for (i = 0; i < ROUTE_RULES_MAX; i++)
		if (route_talk(&r, route_rule_msg(buf, RTM_DELRULE, NULL), NULL, NULL) == -1) {
			if (errno != ENOENT)
				rc = -1;
			break;
		}
	if (i == ROUTE_RULES_MAX) {
		log_err("policy routing: still TPROXY rules after %d deletions", i);
		rc = -1;
	}
	if (route_talk(&r, route_local_msg(buf, RTM_DELROUTE), NULL, NULL) == -1 &&
	    errno != ESRCH && errno != ENOENT)
		rc = -1;
	route_close(&r);
	return rc;
}

bool
route_msg_ours(const struct nlmsghdr *nlh)
{
	uint32_t prio;
	bool local;

	switch (nlh->nlmsg_type) {
	case RTM_NEWRULE:
	case RTM_DELRULE:
		return route_rule_match(nlh, &prio);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return route_local_match(nlh, &local);
	default:
		return false;
	}
}
