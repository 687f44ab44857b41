/* The queue verdict for our nftables chains. This kernel family may lack
 * nft's native `queue` expression (CONFIG_NFT_QUEUE), while the xtables
 * NFQUEUE target is built in and reachable through nft_compat; so the one
 * rule "NFQUEUE --queue-num N --queue-bypass" is added with libnftnl as an
 * xt target, into a chain of our own table. All matching stays native nft
 * (rendered text); native rules `jump` to that chain. */
#ifndef NFTQ_H
#define NFTQ_H
#include <stdint.h>

/* Makes the queue rule the only rule of chain `chain` of table
 * `ip <table>`: flush and add in one atomic batch, so a reload never leaves
 * the chain empty and a restart never leaves two rules. */
int nftq_set_rule(const char *table, const char *chain, uint16_t queue,
    char *err, size_t errlen);
#endif
