/* Which nftables notifications concern the owned tables, and whose
 * transaction they were (watch_nft_event in watch.c). */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>

#include "unit.h"
#include "watch.h"

#define SELF	4242u

static char buf[8192] __attribute__((aligned));

static struct nlmsghdr *
msg(uint16_t type, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | type);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	return nlh;
}

/* An object message naming its table (attribute 1 in every kind). */
static struct nlmsghdr *
obj(uint16_t type, uint8_t family, const char *table)
{
	struct nlmsghdr *nlh = msg(type, family);

	mnl_attr_put_strz(nlh, 1, table);
	return nlh;
}

static struct nlmsghdr *
gen(uint32_t pid)
{
	struct nlmsghdr *nlh = msg(NFT_MSG_NEWGEN, NFPROTO_UNSPEC);

	mnl_attr_put_u32(nlh, NFTA_GEN_ID, htonl(7));
	mnl_attr_put_u32(nlh, NFTA_GEN_PROC_PID, htonl(pid));
	mnl_attr_put_strz(nlh, NFTA_GEN_PROC_NAME, "nft");
	return nlh;
}

START_TEST(flush_by_another_process)
{
	unsigned batch = 0;

	ck_assert_uint_eq(watch_nft_event(obj(NFT_MSG_DELRULE, NFPROTO_INET, "mgmt_proxy"),
	    SELF, &batch), 0);
	ck_assert_uint_eq(watch_nft_event(obj(NFT_MSG_DELCHAIN, NFPROTO_IPV4,
	    "mgmt_proxy_dhcp"), SELF, &batch), 0);
	ck_assert_uint_eq(watch_nft_event(obj(NFT_MSG_DELTABLE, NFPROTO_INET, "filter"),
	    SELF, &batch), 0);
	ck_assert_uint_eq(watch_nft_event(gen(1), SELF, &batch),
	    WATCH_NFT_TABLE | WATCH_NFT_DHCP);
	ck_assert_uint_eq(batch, 0);
}
END_TEST

START_TEST(own_transaction_ignored)
{
	unsigned batch = 0;

	watch_nft_event(obj(NFT_MSG_DELTABLE, NFPROTO_INET, "mgmt_proxy"), SELF, &batch);
	watch_nft_event(obj(NFT_MSG_NEWTABLE, NFPROTO_INET, "mgmt_proxy"), SELF, &batch);
	ck_assert_uint_eq(watch_nft_event(gen(SELF), SELF, &batch), 0);
	/* Nothing carried into the next transaction. */
	ck_assert_uint_eq(watch_nft_event(gen(1), SELF, &batch), 0);
}
END_TEST

START_TEST(other_tables_and_families)
{
	unsigned batch = 0;

	/* Same names in another family are someone else's tables. */
	watch_nft_event(obj(NFT_MSG_DELTABLE, NFPROTO_IPV4, "mgmt_proxy"), SELF, &batch);
	watch_nft_event(obj(NFT_MSG_DELTABLE, NFPROTO_INET, "mgmt_proxy_dhcp"), SELF, &batch);
	watch_nft_event(obj(NFT_MSG_NEWRULE, NFPROTO_INET, "mgmt_proxy2"), SELF, &batch);
	ck_assert_uint_eq(watch_nft_event(gen(1), SELF, &batch), 0);
}
END_TEST

START_TEST(malformed_ignored)
{
	struct nlmsghdr *nlh;
	unsigned batch = 0;

	/* Not nftables. */
	nlh = obj(NFT_MSG_DELTABLE, NFPROTO_INET, "mgmt_proxy");
	nlh->nlmsg_type = (uint16_t)((NFNL_SUBSYS_QUEUE << 8) | NFT_MSG_DELTABLE);
	watch_nft_event(nlh, SELF, &batch);
	/* A name without its terminating NUL. */
	nlh = msg(NFT_MSG_DELTABLE, NFPROTO_INET);
	mnl_attr_put(nlh, 1, 10, "mgmt_proxy");
	watch_nft_event(nlh, SELF, &batch);
	/* Too short for its header. */
	nlh = msg(NFT_MSG_DELTABLE, NFPROTO_INET);
	nlh->nlmsg_len = NLMSG_LENGTH(1);
	watch_nft_event(nlh, SELF, &batch);
	ck_assert_uint_eq(batch, 0);
	/* A generation message without a pid is not ours. */
	watch_nft_event(obj(NFT_MSG_DELTABLE, NFPROTO_INET, "mgmt_proxy"), SELF, &batch);
	nlh = msg(NFT_MSG_NEWGEN, NFPROTO_UNSPEC);
	ck_assert_uint_eq(watch_nft_event(nlh, SELF, &batch), WATCH_NFT_TABLE);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		flush_by_another_process, own_transaction_ignored,
		other_tables_and_families, malformed_ignored, NULL,
	};

	return unit_suite_of("watch", NULL, NULL, tests);
}
