/* NFQUEUE reader for DHCP replies (libnetfilter_queue) and packet tap for
 * our own client's requests. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp_snoop.h"
#include "event.h"
#include "firewall.h"
#include "log.h"

static struct {
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int fd;
	dhcp_snoop_cb cb;
	void *arg;
	const struct config *cfg;
	int tap;		/* packet socket: requests leaving, -1 if none */
	struct dhcp_snoop_if {
		char name[IF_NAMESIZE];
		struct dhcp_guard guard;
	} ifs[CFG_MAX_IFACE];
	size_t nifs;
	struct event_timer retry;	/* binding the queue again */
	bool retry_ok;
	unsigned tries;
} snoop = { .fd = -1, .tap = -1 };

#define DHCP_SNOOP_BIND_RETRY_MS	1000
#define DHCP_SNOOP_BIND_TRIES		30

/* The network decides what we log here: a flood must not fill the disk. */
static struct log_ratelimit snoop_rl = LOG_RATELIMIT_INIT(60, 1);
static struct log_ratelimit snoop_tap_rl = LOG_RATELIMIT_INIT(60, 1);
static struct log_ratelimit snoop_req_rl = LOG_RATELIMIT_INIT(60, 1);
static struct log_ratelimit snoop_fwd_rl = LOG_RATELIMIT_INIT(60, 1);

static int
dhcp_snoop_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (s == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(s, SIOCGIFHWADDR, &ifr);
	close(s);
	if (rc == -1)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static struct dhcp_snoop_if *
dhcp_snoop_slot(const char *ifname)
{
	for (size_t i = 0; i < snoop.nifs; i++)
		if (strcmp(snoop.ifs[i].name, ifname) == 0)
			return &snoop.ifs[i];
	return NULL;
}

const struct dhcp_guard *
dhcp_snoop_find_guard(const char *ifname)
{
	struct dhcp_snoop_if *sif = dhcp_snoop_slot(ifname);

	return sif != NULL ? &sif->guard : NULL;
}

/* The interface's pending requests, made on first use; NULL only when more
 * interfaces than configurable are eligible at once (cannot happen after
 * configure). */
static struct dhcp_guard *
dhcp_snoop_guard(const char *ifname)
{
	struct dhcp_snoop_if *sif = dhcp_snoop_slot(ifname);

	if (sif != NULL)
		return &sif->guard;
	if (snoop.nifs == CFG_MAX_IFACE)
		return NULL;
	sif = &snoop.ifs[snoop.nifs++];
	memset(sif, 0, sizeof(*sif));
	snprintf(sif->name, sizeof(sif->name), "%s", ifname);
	return &sif->guard;
}

static size_t
dhcp_snoop_prefixes(const char *ifname, struct dhcp_guard_prefix *p, size_t max)
{
	struct ifaddrs *ifa, *a;
	size_t n = 0;

	if (getifaddrs(&ifa) == -1)
		return 0;
	for (a = ifa; a != NULL && n < max; a = a->ifa_next) {
		if (a->ifa_addr == NULL || a->ifa_netmask == NULL ||
		    a->ifa_addr->sa_family != AF_INET || strcmp(a->ifa_name, ifname) != 0)
			continue;
		p[n].addr = ntohl(((struct sockaddr_in *)(void *)a->ifa_addr)->sin_addr.s_addr);
		p[n].mask = ntohl(((struct sockaddr_in *)(void *)a->ifa_netmask)->sin_addr.s_addr);
		n++;
	}
	freeifaddrs(ifa);
	return n;
}

/* One request seen leaving an interface: remember it if our client on an
 * eligible interface sent it. The tap also sees what this host forwards
 * for others (as outgoing): only a request from 0.0.0.0 or from an
 * address of the interface is our client's. Sending from port 68 or on a
 * packet socket here takes privilege. */
static void
dhcp_snoop_request(const uint8_t *pkt, size_t len, const struct sockaddr_ll *sll)
{
	struct dhcp_guard_prefix prefix[DHCP_GUARD_PREFIX_MAX];
	char ifname[IF_NAMESIZE];
	struct dhcp_request q;
	struct dhcp_guard *g;
	const char *why;
	uint8_t mac[6];

	if (sll->sll_pkttype != PACKET_OUTGOING ||
	    if_indextoname((unsigned)sll->sll_ifindex, ifname) == NULL ||
	    snoop.cfg == NULL || !config_iface_eligible(snoop.cfg, ifname))
		return;
	if (!dhcp_parse_request(pkt, len, &q, &why)) {
		/* RELEASE, DECLINE, INFORM: nothing to remember. */
		log_limited(&snoop_req_rl, event_now(), LOG_DEBUG,
		    "dhcp: request on %s not remembered: %s", ifname, why);
		return;
	}
	if (dhcp_snoop_mac(ifname, mac) == -1 || memcmp(mac, q.chaddr, 6) != 0 ||
	    (g = dhcp_snoop_guard(ifname)) == NULL)
		return;
	if (q.ip_src != 0 && !dhcp_guard_request_local(&q, prefix,
	    dhcp_snoop_prefixes(ifname, prefix, DHCP_GUARD_PREFIX_MAX))) {
		log_limited(&snoop_fwd_rl, event_now(), LOG_WARN, "dhcp: request on %s "
		    "not remembered: from %u.%u.%u.%u, not an address of %s (forwarded)",
		    ifname, q.ip_src >> 24, (q.ip_src >> 16) & 0xff,
		    (q.ip_src >> 8) & 0xff, q.ip_src & 0xff, ifname);
		return;
	}
	dhcp_guard_request(g, &q, event_now());
	log_debug("dhcp: %s on %s, xid %08x", dhcp_parse_msg_name(q.msg_type),
	    ifname, (unsigned)q.xid);
}

/* Drains the tap; also called before a reply is judged, so the request it
 * answers (copied to the tap before it even left) is known by then. */
static void
dhcp_snoop_tap_read(int fd, uint32_t events, void *arg)
{
	static uint8_t buf[2048];

	for (int i = 0; i < 64; i++) {	/* bounded: let other events run */
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
		    (struct sockaddr *)&sll, &sl);

		if (n == -1) {
			if (errno == ENOBUFS)
				log_limited(&snoop_tap_rl, event_now(), LOG_WARN,
				    "dhcp: request tap overrun, requests missed");
			return;
		}
		if ((size_t)n > sizeof(buf))	/* a request is far shorter */
			continue;
		dhcp_snoop_request(buf, (size_t)n, &sll);
	}
}

/* A read-only tap for IPv4 udp 68->67 frames leaving any interface. The
 * filter is attached before the bind, so nothing else is ever queued. */
static int
dhcp_snoop_tap_open(void)
{
	/* SOCK_DGRAM: the filter and recv see the IPv4 header at offset 0. */
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 11),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 9),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 7),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 5, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0),	/* sport << 16 | dport */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68u << 16 | 67u, 0, 2),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (s == -1)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1 ||
	    bind(s, (struct sockaddr *)&sll, sizeof(sll)) == -1 ||
	    event_add(s, EPOLLIN, dhcp_snoop_tap_read, NULL) == -1) {
		close(s);
		return -1;
	}
	return s;
}

static int
dhcp_snoop_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
    struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	struct dhcp_guard_prefix prefix[DHCP_GUARD_PREFIX_MAX];
	char ifname[IF_NAMESIZE] = "?";
	unsigned char *payload = NULL;
	struct dhcp_snooped s;
	struct dhcp_reply r;
	const char *why;
	uint8_t mac[6];
	int len;

	if (ph == NULL)
		return 0;
	/* Accept first: DHCP never waits on our parsing. */
	nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT, 0, NULL);
	len = nfq_get_payload(nfa, &payload);
	if (len <= 0 || if_indextoname(nfq_get_indev(nfa), ifname) == NULL)
		return 0;
	if (snoop.cfg == NULL || !config_iface_eligible(snoop.cfg, ifname))
		return 0;
	if (!dhcp_parse_packet(payload, (size_t)len, &r, &why)) {
		log_limited(&snoop_rl, event_now(), LOG_WARN,
		    "dhcp: malformed reply on %s dropped: %s", ifname, why);
		return 0;
	}
	if (dhcp_snoop_mac(ifname, mac) == -1) {
		log_limited(&snoop_rl, event_now(), LOG_WARN,
		    "dhcp: %s: no hardware address: %s", ifname, strerror(errno));
		return 0;
	}
	if (snoop.tap != -1)
		dhcp_snoop_tap_read(snoop.tap, EPOLLIN, NULL);
	s = (struct dhcp_snooped){ .ifname = ifname, .mac = mac, .reply = &r,
	    .guard = dhcp_snoop_guard(ifname), .prefix = prefix };
	if (s.guard == NULL)
		return 0;
	if (r.msg_type == DHCP_MSG_ACK || r.msg_type == DHCP_MSG_NAK)
		s.nprefix = dhcp_snoop_prefixes(ifname, prefix, DHCP_GUARD_PREFIX_MAX);
	snoop.cb(&s, snoop.arg);
	return 0;
}

static void
dhcp_snoop_readable(int fd, uint32_t events, void *arg)
{
	static char buf[65536] __attribute__((aligned));

	for (int i = 0; i < 64; i++) {	/* bounded: let other events run */
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n == -1) {
			if (errno == ENOBUFS)
				log_limited(&snoop_rl, event_now(), LOG_WARN,
				    "dhcp: queue overrun, replies passed unseen");
			return;
		}
		nfq_handle_packet(snoop.h, buf, (int)n);
	}
}

/* Binds queue DHCP_SNOOP_QUEUE to our handle. The kernel refuses (EPERM)
 * while another socket holds it: a process that inherited an earlier
 * daemon's socket, or a second reader. */
static int
dhcp_snoop_bind(void)
{
	snoop.qh = nfq_create_queue(snoop.h, DHCP_SNOOP_QUEUE, dhcp_snoop_packet, NULL);
	if (snoop.qh == NULL)
		return -1;
	if (nfq_set_mode(snoop.qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
		nfq_destroy_queue(snoop.qh);
		snoop.qh = NULL;
		return -1;
	}
	/* If we fall behind, the kernel accepts rather than drops; and the
	 * queue is short, so a hung (not dead) daemon holds back at most
	 * DHCP_SNOOP_QUEUE_MAXLEN replies before DHCP flows past it again.
	 * Verdicts are given at once, so a healthy daemon never fills it. */
	nfq_set_queue_flags(snoop.qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
	nfq_set_queue_maxlen(snoop.qh, DHCP_SNOOP_QUEUE_MAXLEN);
	return 0;
}

/* Until the queue is ours, replies bypass it (the rule's bypass flag):
 * DHCP works, only learning waits. */
static void
dhcp_snoop_bind_due(void *arg)
{
	if (dhcp_snoop_bind() == 0) {
		log_info("dhcp: netfilter queue %d bound after %u retries",
		    DHCP_SNOOP_QUEUE, snoop.tries + 1);
		return;
	}
	if (++snoop.tries >= DHCP_SNOOP_BIND_TRIES) {
		log_err("dhcp: netfilter queue %d still refused after %u retries (%s): "
		    "learning is off until the daemon restarts", DHCP_SNOOP_QUEUE,
		    snoop.tries, strerror(errno));
		return;
	}
	event_timer_arm(&snoop.retry, DHCP_SNOOP_BIND_RETRY_MS);
}

int
dhcp_snoop_open(dhcp_snoop_cb cb, void *arg)
{
	snoop.cb = cb;
	snoop.arg = arg;
	if (!snoop.retry_ok) {
		if (event_timer_init(&snoop.retry, dhcp_snoop_bind_due, NULL) == -1)
			return -1;
		snoop.retry_ok = true;
	}
	snoop.h = nfq_open();
	if (snoop.h == NULL)
		return -1;
	snoop.fd = nfq_fd(snoop.h);
	/* libnetfilter_queue opens its socket without close-on-exec. */
	if (fcntl(snoop.fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(snoop.fd, F_SETFL, fcntl(snoop.fd, F_GETFL) | O_NONBLOCK) == -1)
		goto fail;
	nfq_bind_pf(snoop.h, AF_INET);
	if (event_add(snoop.fd, EPOLLIN, dhcp_snoop_readable, NULL) == -1)
		goto fail;
	snoop.tries = 0;
	if (dhcp_snoop_bind() == -1) {
		log_warn("dhcp: netfilter queue %d refused (%s): retrying every %d ms, "
		    "at most %d times", DHCP_SNOOP_QUEUE, strerror(errno),
		    DHCP_SNOOP_BIND_RETRY_MS, DHCP_SNOOP_BIND_TRIES);
		event_timer_arm(&snoop.retry, DHCP_SNOOP_BIND_RETRY_MS);
	}
	/* Without the tap no reply can be matched to a request, so none is
	 * believed: learning stops, DHCP itself is unaffected. */
	if ((snoop.tap = dhcp_snoop_tap_open()) == -1)
		log_err("dhcp: cannot watch our client's requests: %s; "
		    "no reply will be believed", strerror(errno));
	return 0;
fail:
	nfq_close(snoop.h);
	snoop.h = NULL;
	snoop.fd = -1;
	/* Nobody will read the queue: a rule for it is only cost. */
	firewall_dhcp_remove();
	return -1;
}

int
dhcp_snoop_configure(const struct config *cfg)
{
	struct firewall_hw hw[CFG_MAX_IFACE];

	snoop.cfg = cfg;
	/* Interfaces no longer eligible forget their requests. */
	for (size_t i = 0; i < snoop.nifs;)
		if (!config_iface_eligible(cfg, snoop.ifs[i].name))
			snoop.ifs[i] = snoop.ifs[--snoop.nifs];
		else
			i++;
	/* The kernel's MAC, read again at every (re)install. An interface
	 * without one yet gets no forward rule until the next reload. */
	for (size_t i = 0; i < cfg->niface; i++)
		hw[i].known = dhcp_snoop_mac(cfg->iface[i].name, hw[i].addr) == 0;
	return firewall_dhcp_apply(cfg, hw);
}

void
dhcp_snoop_close(void)
{
	/* The rule goes before its reader. */
	firewall_dhcp_remove();
	if (snoop.tap != -1) {
		event_del(snoop.tap);
		close(snoop.tap);
	}
	snoop.tap = -1;
	snoop.nifs = 0;
	if (snoop.retry_ok)
		event_timer_stop(&snoop.retry);
	if (snoop.fd != -1)
		event_del(snoop.fd);
	if (snoop.qh != NULL)
		nfq_destroy_queue(snoop.qh);
	if (snoop.h != NULL)
		nfq_close(snoop.h);
	snoop.h = NULL;
	snoop.qh = NULL;
	snoop.fd = -1;
}
