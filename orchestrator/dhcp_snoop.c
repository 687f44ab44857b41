/* NFQUEUE reader for DHCP replies (libnetfilter_queue). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp_snoop.h"
#include "event.h"
#include "log.h"
#include "nft.h"
#include "nftq.h"

static struct {
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int fd;
	dhcp_snoop_cb cb;
	void *arg;
	const struct config *cfg;
	bool table;
	struct event_timer retry;	/* binding the queue again */
	bool retry_ok;
	unsigned tries;
} snoop = { .fd = -1 };

#define DHCP_SNOOP_BIND_RETRY_MS	1000
#define DHCP_SNOOP_BIND_TRIES		30

/* The network decides what we log here: a flood must not fill the disk. */
static struct log_ratelimit snoop_rl = LOG_RATELIMIT_INIT(60, 1);

int
dhcp_snoop_ruleset(const struct config *cfg, char *buf, size_t len)
{
	size_t n = 0, count = 0;
	int w;

#define SNOOP_PUT(...) do {						\
	w = snprintf(buf + n, len - n, __VA_ARGS__);			\
	if (w < 0 || (size_t)w >= len - n)				\
		return -1;						\
	n += (size_t)w;							\
} while (0)

	if (len == 0)
		return -1;
	buf[0] = '\0';
	/* Never `delete table`: that would drop the queue rule too, and DHCP
	 * replies would pass unseen until nftq put it back. The jump rule is
	 * replaced in this one transaction; dhcp_queue keeps its rule. */
	SNOOP_PUT("add table ip %1$s\n"
	    "add chain ip %1$s prerouting { type filter hook prerouting priority raw; "
	    "policy accept; }\n"
	    "add chain ip %1$s %2$s\n"
	    "flush chain ip %1$s prerouting\n"
	    "add rule ip %1$s prerouting iifname { ", DHCP_SNOOP_TABLE, DHCP_SNOOP_CHAIN);
	for (size_t i = 0; i < cfg->niface; i++) {
		/* Names passed the config loader's ifname check: [A-Za-z0-9_.-]. */
		if (!config_iface_eligible(cfg, cfg->iface[i].name))
			continue;
		SNOOP_PUT("%s\"%s\"", count++ ? ", " : "", cfg->iface[i].name);
	}
	/* The queue verdict itself is set by nftq (see nftq.h). */
	SNOOP_PUT(" } udp sport 67 udp dport 68 jump %s\n", DHCP_SNOOP_CHAIN);
#undef SNOOP_PUT
	if (count == 0) {
		buf[0] = '\0';
		return 0;
	}
	return (int)n;
}

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

static int
dhcp_snoop_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
    struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	char ifname[IF_NAMESIZE] = "?";
	unsigned char *payload = NULL;
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
	snoop.cb(ifname, mac, &r, snoop.arg);
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
	return 0;
fail:
	nfq_close(snoop.h);
	snoop.h = NULL;
	snoop.fd = -1;
	return -1;
}

int
dhcp_snoop_configure(const struct config *cfg)
{
	char rules[4096], err[512];
	int n;

	snoop.cfg = cfg;
	n = dhcp_snoop_ruleset(cfg, rules, sizeof(rules));
	if (n == -1) {
		log_err("dhcp: snooping ruleset too large");
		return -1;
	}
	if (n == 0) {
		if (snoop.table)
			nft_delete_table("ip", DHCP_SNOOP_TABLE);
		snoop.table = false;
		return 0;
	}
	if (nft_apply(rules, err, sizeof(err)) == -1) {
		log_err("dhcp: cannot install the snooping rule: %s", err);
		return -1;
	}
	snoop.table = true;
	/* Flush-and-add in one batch: exactly one queue rule, never none
	 * (also after a kill -9 left the previous daemon's table behind). */
	if (nftq_set_rule(DHCP_SNOOP_TABLE, DHCP_SNOOP_CHAIN, DHCP_SNOOP_QUEUE, err,
	    sizeof(err)) == -1) {
		log_err("dhcp: cannot install the queue rule: %s", err);
		return -1;
	}
	return 0;
}

void
dhcp_snoop_close(void)
{
	if (snoop.table)
		nft_delete_table("ip", DHCP_SNOOP_TABLE);
	snoop.table = false;
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
