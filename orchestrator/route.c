/* rtnetlink requests for the TPROXY rule and local route. Each request is
 * acknowledged by the kernel at once (local netlink), so this does not
 * wait on the network. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <time.h>

#include "route.h"

static int
route_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	unsigned portid;
	int rc = -1, e = 0;
	ssize_t n;

	if (nl == NULL)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		goto out;
	rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL) < 0 ? -1 : 0;
	e = errno;
out:
	mnl_socket_close(nl);
	if (e != 0)
		errno = e;
	return rc;
}

static struct nlmsghdr *
route_rule_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_FWMARK, ROUTE_FWMARK);
	mnl_attr_put_u32(nlh, FRA_FWMASK, ROUTE_FWMARK);
	mnl_attr_put_u32(nlh, FRA_TABLE, ROUTE_TABLE);
	return nlh;
}

static struct nlmsghdr *
route_local_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
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

int
route_tproxy_add(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	if (route_talk(route_rule_msg(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL)) == -1 &&
	    errno != EEXIST)
		return -1;
	if (route_talk(route_local_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE)) == -1)
		return -1;
	return 0;
}

int
route_tproxy_del(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int rc = 0;

	/* A rule may have been added twice by hand: remove every copy. */
	for (int i = 0; i < 8; i++)
		if (route_talk(route_rule_msg(buf, RTM_DELRULE, 0)) == -1) {
			if (errno != ENOENT)
				rc = -1;
			break;
		}
	if (route_talk(route_local_msg(buf, RTM_DELROUTE, 0)) == -1 &&
	    errno != ESRCH && errno != ENOENT)
		rc = -1;
	return rc;
}
