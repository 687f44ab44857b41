/* Reconciliation of the kernel state the daemon owns (pure: no I/O, the
 * clock passed in). The watcher (watch.c) reports what it observed; this
 * says what was lost, whether to repair it, and when to give up.
 *
 * Owned state: the interception table `inet mgmt_proxy`, the TPROXY
 * ip rule and the local route of table 4790 (all wanted while
 * interception is in force), and the DHCP snooping table
 * `ip mgmt_proxy_dhcp` (wanted while snooping is configured). */
#ifndef RECONCILE_H
#define RECONCILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What was lost or altered (a bit set). */
#define RECON_TABLE		0x01u	/* inet mgmt_proxy is gone */
#define RECON_TABLE_ALTERED	0x02u	/* another process changed it */
#define RECON_RULE		0x04u	/* the ip rule is gone */
#define RECON_RULE_EXTRA	0x08u	/* more than one copy of it */
#define RECON_ROUTE		0x10u	/* the local route of table 4790 is gone */
#define RECON_DHCP		0x20u	/* ip mgmt_proxy_dhcp is gone */
#define RECON_DHCP_ALTERED	0x40u	/* another process changed it */
#define RECON_INTERCEPT	(RECON_TABLE | RECON_TABLE_ALTERED | RECON_RULE | \
			 RECON_RULE_EXTRA | RECON_ROUTE)

/* Repairs allowed within RECON_WINDOW_MS; one more means another process
 * keeps undoing them, and fighting it would only churn. */
#define RECON_MAX_REPAIRS	5
#define RECON_WINDOW_MS		60000
/* Events come in bursts (a ruleset flush is one message per object): the
 * check waits for a quiet RECON_QUIET_MS, at most RECON_LATEST_MS after
 * the first event. */
#define RECON_QUIET_MS		200
#define RECON_LATEST_MS		1000

struct recon_want {
	bool intercept;
	bool dhcp;
};

struct recon_obs {
	bool table;		/* inet mgmt_proxy listed */
	bool table_altered;	/* events from another process touched it */
	unsigned nrules;	/* copies of the ip rule */
	bool rule_ours;		/* one at the fixed priority */
	bool route;
	bool dhcp_table;
	bool dhcp_altered;
};

enum recon_verdict {
	RECON_OK,		/* nothing lost */
	RECON_REPAIR,		/* re-install what is lost */
	RECON_GIVE_UP,		/* repair budget spent: tear interception down */
};

struct reconcile {
	int64_t repairs[RECON_MAX_REPAIRS];	/* mono ms of the last repairs */
	size_t next;
	int64_t first_event;	/* mono ms, 0 = no event pending */
};

void reconcile_init(struct reconcile *);
/* What differs from what is wanted. */
unsigned reconcile_lost(const struct recon_want *, const struct recon_obs *);
/* Whether to repair `lost` now; RECON_REPAIR is counted against the
 * budget. */
enum recon_verdict reconcile_decide(struct reconcile *, unsigned lost, int64_t now_ms);
/* An event arrived: in how many ms to look (debounced, bounded). */
int64_t reconcile_event(struct reconcile *, int64_t now_ms);
/* The check ran: the next event starts a new burst. */
void reconcile_checked(struct reconcile *);
/* "table inet mgmt_proxy, ip rule ..." for the log. */
void reconcile_describe(unsigned lost, char *buf, size_t len);
#endif
