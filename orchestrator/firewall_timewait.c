/* The TIME-WAIT sockets of intercepted connections, destroyed when
 * interception goes.
 *
 * HAProxy closes most client connections first (Connection: close, idle
 * keep-alive timeout, reload), so the router keeps a TIME-WAIT socket for
 * each, bound to the client's original destination. Once the table is
 * gone, a client SYN whose addresses and ports match one of them is tied to
 * it by TCP early demux before routing, and ip_forward() drops forwarded
 * packets that carry a socket: that connection attempt times out for up to
 * 60 s instead of going direct (seen in tests/integration/test_forward.sh,
 * 8 s curl timeout after a wrk run). So at teardown they are destroyed
 * (SOCK_DESTROY, CONFIG_INET_DIAG_DESTROY). They are told apart by their
 * local address: TPROXY leaves the original destination there, which is
 * not an address of this box; the router's own sockets always have one. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firewall_int.h"
#include "log.h"

#define FIREWALL_TW_MAX	65536

struct firewall_timewait_scan {
	struct in_addr local[64];	/* this box's IPv4 addresses */
	size_t nlocal;
	struct inet_diag_sockid *ids;
	size_t n, cap;
};

static bool
firewall_timewait_local(const struct firewall_timewait_scan *ts, uint32_t a)
{
	if ((ntohl(a) >> 24) == 127)
		return true;
	for (size_t i = 0; i < ts->nlocal; i++)
		if (ts->local[i].s_addr == a)
			return true;
	return false;
}

static int
firewall_timewait_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct firewall_timewait_scan *ts = arg;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
	    m->idiag_family != AF_INET || m->idiag_state != TCP_TIME_WAIT ||
	    firewall_timewait_local(ts, m->id.idiag_src[0]))
		return MNL_CB_OK;
	firewall_push(&ts->ids, &ts->n, &ts->cap, FIREWALL_TW_MAX, &m->id, sizeof(m->id));
	return MNL_CB_OK;
}

static void
firewall_timewait_req(struct nlmsghdr *nlh, uint16_t type, uint16_t flags, unsigned seq,
    const struct inet_diag_sockid *id)
{
	struct inet_diag_req_v2 *req;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_INET;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 1u << TCP_TIME_WAIT;
	if (id != NULL)
		req->id = *id;
}

void
firewall_timewait_forget(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct firewall_timewait_scan ts = { .nlocal = 0 };
	struct ifaddrs *ifa, *i;
	struct mnl_socket *nl;
	unsigned seq = (unsigned)time(NULL), portid;
	size_t done = 0;
	ssize_t n;
	int rc = MNL_CB_OK;

	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL && ts.nlocal < 64; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			ts.local[ts.nlocal++] = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
	freeifaddrs(ifa);
	if ((nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC)) == NULL)
		return;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	portid = mnl_socket_get_portid(nl);
	firewall_timewait_req(mnl_nlmsg_put_header(buf), SOCK_DIAG_BY_FAMILY, NLM_F_DUMP,
	    seq, NULL);
	if (mnl_socket_sendto(nl, buf, ((struct nlmsghdr *)buf)->nlmsg_len) < 0)
		goto out;
	/* Bounded: the dump ends with NLMSG_DONE (MNL_CB_STOP) or an error. */
	while (rc == MNL_CB_OK && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, firewall_timewait_entry, &ts);
	/* No acknowledgement asked: a socket gone meanwhile is no error. */
	for (size_t k = 0; k < ts.n; k++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

		firewall_timewait_req(nlh, SOCK_DESTROY, 0, seq + 1 + (unsigned)k, &ts.ids[k]);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			break;
		done++;
	}
	if (ts.n > 0)
		log_info("interception removed: %zu TIME-WAIT sockets of intercepted "
		    "connections destroyed", done);
out:
	free(ts.ids);
	mnl_socket_close(nl);
}
