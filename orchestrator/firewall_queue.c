/* The firewall owner's one xt NFQUEUE rule through libnftnl + libmnl (see
 * firewall_int.h): flush + add, one batch. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firewall_int.h"

static struct nftnl_rule *
firewall_queue_rule(const char *table, const char *chain, uint16_t queue)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	struct xt_NFQ_info_v3 *info = calloc(1, XT_ALIGN(sizeof(*info)));

	if (r == NULL || e == NULL || info == NULL) {
		nftnl_rule_free(r);
		nftnl_expr_free(e);
		free(info);
		return NULL;
	}
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	info->queuenum = queue;
	info->queues_total = 1;
	/* Fail open: with no reader on the queue the packet is accepted. */
	info->flags = NFQ_FLAG_BYPASS;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	/* libnftnl takes ownership of info. */
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, XT_ALIGN(sizeof(*info)));
	nftnl_rule_add_expr(r, e);
	return r;
}

int
firewall_queue_set(const char *table, const char *chain, uint16_t queue,
    char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_nlmsg_batch *batch;
	struct mnl_socket *nl = NULL;
	struct nftnl_rule *r, *flush;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int rc = -1;
	ssize_t n;

	if ((r = firewall_queue_rule(table, chain, queue)) == NULL ||
	    (flush = nftnl_rule_alloc()) == NULL) {
		nftnl_rule_free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* DELRULE naming only the chain (no handle) flushes it. */
	nftnl_rule_set_u32(flush, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	nftnl_rule_set_str(flush, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(flush, NFTNL_RULE_CHAIN, chain);
	batch = mnl_nlmsg_batch_start(buf, sizeof(buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);
	nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch),
	    NFT_MSG_DELRULE, NFPROTO_IPV4, 0, seq++);
	nftnl_rule_nlmsg_build_payload(nlh, flush);
	mnl_nlmsg_batch_next(batch);
	nftnl_rule_free(flush);
	nlh = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(batch),
	    NFT_MSG_NEWRULE, NFPROTO_IPV4, NLM_F_APPEND | NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	mnl_nlmsg_batch_next(batch);
	nftnl_batch_end(mnl_nlmsg_batch_current(batch), seq++);
	mnl_nlmsg_batch_next(batch);
	nftnl_rule_free(r);

	if ((nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(batch),
	    mnl_nlmsg_batch_size(batch)) < 0) {
		snprintf(err, errlen, "netlink send: %s", strerror(errno));
		goto out;
	}
	/* One message: an error if the batch failed (either part, as the
	 * kernel aborts the whole transaction), else the new rule's ACK. */
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, 0, portid, NULL, NULL) < 0) {
		snprintf(err, errlen, "xt NFQUEUE rule refused: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	mnl_nlmsg_batch_stop(batch);
	if (nl != NULL)
		mnl_socket_close(nl);
	return rc;
}
