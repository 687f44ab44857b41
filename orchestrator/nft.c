/* libnftables wrapper. Rulesets are rendered elsewhere from validated
 * values only; this file just hands them to the kernel. */
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#include "nft.h"

static int
nft_run(const char *cmd, char *err, size_t errlen)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	int rc;

	if (ctx == NULL) {
		snprintf(err, errlen, "libnftables: out of memory");
		return -1;
	}
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	rc = nft_run_cmd_from_buffer(ctx, cmd);
	msg = nft_ctx_get_error_buffer(ctx);
	if (rc != 0) {
		size_t n;

		snprintf(err, errlen, "%s", msg && msg[0] ? msg : "nft failed");
		n = strlen(err);
		while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
			err[--n] = '\0';
	}
	nft_ctx_free(ctx);
	return rc == 0 ? 0 : -1;
}

int
nft_apply(const char *ruleset, char *err, size_t errlen)
{
	return nft_run(ruleset, err, errlen);
}

int
nft_delete_table(const char *family, const char *table)
{
	char cmd[128], err[256];

	/* "destroy" is newer than nftables 1.0.6: create-then-delete instead,
	 * in one transaction, so an absent table is not an error. */
	snprintf(cmd, sizeof(cmd), "add table %s %s\ndelete table %s %s\n",
	    family, table, family, table);
	return nft_run(cmd, err, sizeof(err));
}

bool
nft_table_exists(const char *family, const char *table)
{
	char cmd[128], err[256];

	snprintf(cmd, sizeof(cmd), "list table %s %s\n", family, table);
	return nft_run(cmd, err, sizeof(err)) == 0;
}
