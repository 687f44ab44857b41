/* rtnetlink link watcher. Only changes are reported: an interface that is
 * absent or down at start-up keeps its restored state, because after a
 * reboot the WAN may come up after the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/epoll.h>

#include "event.h"
#include "link.h"
#include "log.h"

static struct mnl_socket *link_nl;
static link_cb link_report;
static void *link_arg;

static int
link_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;	/* malformed name: ignore the attribute */
	tb[type] = attr;
	return MNL_CB_OK;
}

static int
link_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const char *name;
	bool up;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb) != MNL_CB_OK ||
	    tb[IFLA_IFNAME] == NULL)
		return MNL_CB_OK;
	name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	up = (ifm->ifi_flags & IFF_UP) && (ifm->ifi_flags & IFF_LOWER_UP);
	link_report(name, up, nlh->nlmsg_type == RTM_DELLINK, link_arg);
	return MNL_CB_OK;
}

static void
link_readable(int fd, uint32_t events, void *arg)
{
	static char buf[16384] __attribute__((aligned));

	for (int i = 0; i < 64; i++) {
		ssize_t n = mnl_socket_recvfrom(link_nl, buf, sizeof(buf));

		if (n <= 0) {
			if (n == -1 && errno == ENOBUFS)
				log_warn("link: netlink overrun, some link events lost");
			return;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, link_msg, NULL);
	}
}

int
link_open(link_cb cb, void *arg)
{
	int fd;

	link_report = cb;
	link_arg = arg;
	link_nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (link_nl == NULL)
		return -1;
	if (mnl_socket_bind(link_nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	fd = mnl_socket_get_fd(link_nl);
	if (event_add(fd, EPOLLIN, link_readable, NULL) == -1)
		goto fail;
	return 0;
fail:
	mnl_socket_close(link_nl);
	link_nl = NULL;
	return -1;
}

void
link_close(void)
{
	if (link_nl == NULL)
		return;
	event_del(mnl_socket_get_fd(link_nl));
	mnl_socket_close(link_nl);
	link_nl = NULL;
}
