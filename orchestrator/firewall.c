/* The firewall owner (see firewall.h): both tables through libnftables,
 * in-process and without forking nft; the rule and route through
 * firewall_route.c; the queue rule through firewall_queue.c. */
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall_int.h"
#include "log.h"

static struct {
	bool dhcp;		/* the snooping table is meant to be in place */
} fw;

/* One nftables transaction. 0, or -1 with err holding nft's message. */
static int
firewall_nft(const char *cmd, char *err, size_t errlen)
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

/* Whether a table is in the ruleset (false also when nft cannot tell). */
static bool
firewall_table_exists(const char *family, const char *table)
{
	char cmd[128], err[256];

	snprintf(cmd, sizeof(cmd), "list table %s %s\n", family, table);
	return firewall_nft(cmd, err, sizeof(err)) == 0;
}

/* Removes the named tables of ours, present or not, in one transaction.
 * "destroy" is newer than nftables 1.0.6: each is created, then deleted. */
static int
firewall_delete_tables(bool intercept, bool dhcp)
{
	char cmd[256], err[256];
	size_t n = 0;

	cmd[0] = '\0';
	if (intercept)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "add table %1$s %2$s\n"
		    "delete table %1$s %2$s\n", FIREWALL_FAMILY, FIREWALL_TABLE);
	if (dhcp && n < sizeof(cmd))
		snprintf(cmd + n, sizeof(cmd) - n, "add table %1$s %2$s\n"
		    "delete table %1$s %2$s\n", FIREWALL_DHCP_FAMILY, FIREWALL_DHCP_TABLE);
	if (firewall_nft(cmd, err, sizeof(err)) == -1) {
		log_err("nftables: our tables not removed: %s", err);
		return -1;
	}
	return 0;
}

/* Applies a rendered ruleset (freed here; NULL: not rendered, for `why`)
 * in one transaction. The texts name the failure in the log. */
static int
firewall_install(char *rules, const char *why, const char *not_rendered,
    const char *refused)
{
	char err[512];
	int rc;

	if (rules == NULL) {
		log_err("%s: %s", not_rendered, why);
		return -1;
	}
	rc = firewall_nft(rules, err, sizeof(err));
	free(rules);
	if (rc == -1)
		log_err("%s: %s", refused, err);
	return rc;
}

bool
firewall_push(void *arr, size_t *n, size_t *cap, size_t max, const void *item,
    size_t size)
{
	char *a;

	/* arr points at a pointer of another type: copied, never aliased. */
	memcpy(&a, arr, sizeof(a));
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;

		if (c > max || (a = realloc(a, c * size)) == NULL)
			return false;
		memcpy(arr, &a, sizeof(a));
		*cap = c;
	}
	memcpy(a + *n * size, item, size);
	(*n)++;
	return true;
}

/* ---- life cycle ---- */

void
firewall_open(void)
{
	bool t = firewall_table_exists(FIREWALL_FAMILY, FIREWALL_TABLE);
	bool dt = firewall_table_exists(FIREWALL_DHCP_FAMILY, FIREWALL_DHCP_TABLE);

	/* Whatever an earlier run left (kill -9, crash), whatever this run's
	 * configuration: what it wants is installed afresh. */
	if ((t || dt) && firewall_delete_tables(true, true) == 0)
		log_info("nftables: %s%s%s of an earlier run removed",
		    t ? "table " FIREWALL_FAMILY " " FIREWALL_TABLE : "",
		    t && dt ? " and " : "",
		    dt ? "table " FIREWALL_DHCP_FAMILY " " FIREWALL_DHCP_TABLE : "");
	firewall_route_del();
	firewall_timewait_forget();
	fw.dhcp = false;
}

void
firewall_close(void)
{
	/* Whether or not we installed them: no state of ours outlives us. */
	firewall_delete_tables(true, true);
	firewall_route_del();
	firewall_timewait_forget();
	fw.dhcp = false;
}

/* ---- interception ---- */

int
firewall_intercept_apply(const struct config *cfg, const struct proxy_addr *proxy)
{
	const char *why = "";
	char *rules = firewall_rules_intercept(cfg, proxy, &why);

	if (firewall_install(rules, why, "interception rules not rendered",
	    "interception rules refused by nftables") == -1)
		return -1;
	if (firewall_route_add() == -1) {
		log_err("policy routing for TPROXY failed: removing interception");
		firewall_intercept_remove();
		return -1;
	}
	return 0;
}

void
firewall_intercept_remove(void)
{
	firewall_delete_tables(true, false);
	firewall_route_del();
	firewall_timewait_forget();
}

/* ---- DHCP snooping ---- */

int
firewall_dhcp_apply(const struct config *cfg, const struct firewall_hw hw[])
{
	const char *why = "";
	char err[512];

	if (firewall_rules_dhcp_count(cfg) == 0) {
		firewall_dhcp_remove();
		return 0;
	}
	if (firewall_install(firewall_rules_dhcp(cfg, hw, &why), why,
	    "dhcp: snooping ruleset not rendered",
	    "dhcp: cannot install the snooping rule") == -1)
		return -1;
	fw.dhcp = true;
	/* Flush-and-add in one batch: exactly one queue rule, never none. */
	if (firewall_queue_set(FIREWALL_DHCP_TABLE, FIREWALL_DHCP_CHAIN, FIREWALL_DHCP_QUEUE,
	    err, sizeof(err)) == -1) {
		log_err("dhcp: cannot install the queue rule: %s", err);
		return -1;
	}
	return 0;
}

void
firewall_dhcp_remove(void)
{
	firewall_delete_tables(false, true);
	fw.dhcp = false;
}

bool
firewall_dhcp_installed(void)
{
	return fw.dhcp;
}

/* ---- observing (the watcher) ---- */

void
firewall_observe(const struct recon_want *want, struct recon_obs *o)
{
	struct firewall_route_obs ro;

	memset(o, 0, sizeof(*o));
	if (want->intercept) {
		o->table = firewall_table_exists(FIREWALL_FAMILY, FIREWALL_TABLE);
		if (firewall_route_observe(&ro) == 0) {
			o->nrules = ro.nrules;
			o->rule_ours = ro.rule_ours;
			o->route = ro.route;
		}
	}
	if (want->dhcp)
		o->dhcp_table = firewall_table_exists(FIREWALL_DHCP_FAMILY, FIREWALL_DHCP_TABLE);
}
