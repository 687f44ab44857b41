/* nftables through libnftables: each ruleset is applied as one transaction
 * (the kernel takes all of it or none), in-process, without forking nft. */
#ifndef NFT_H
#define NFT_H
#include <stdbool.h>
#include <stddef.h>

/* Apply a ruleset text. 0, or -1 with err holding nft's message. */
int nft_apply(const char *ruleset, char *err, size_t errlen);
/* Remove a table of ours if present ("ip mgmt_proxy_dhcp"). */
int nft_delete_table(const char *family, const char *table);
/* Whether a table is in the ruleset (false also when nft cannot tell). */
bool nft_table_exists(const char *family, const char *table);
#endif
