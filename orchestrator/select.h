/* Candidates and active-proxy selection (pure).
 * From every valid candidate of every source, the lowest numeric IPv4
 * wins, then the lowest port.
 * Deterministic and source-agnostic, so both HA nodes agree. */
#ifndef SELECT_H
#define SELECT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "learned.h"
#include "onboarding_info.h"

#define SEL_MAX_CAND	64
#define SEL_TEXT_MAX	64
#define SEL_SOURCE_MAX	(CFG_NAME_MAX + 8)

enum sel_kind { SEL_STATIC, SEL_ONBOARDING, SEL_DHCP, SEL_PEER };

struct candidate {
	char text[SEL_TEXT_MAX];	/* as received, printable only */
	char source[SEL_SOURCE_MAX];	/* static | onboarding | dhcp:IF | peer:NODE */
	enum sel_kind kind;
	struct proxy_addr addr;		/* meaningful when valid */
	bool valid;
	const char *reason;		/* why invalid; static string */
	bool selected;
	int64_t expiry;			/* epoch s, 0 = none */
};

struct cand_set {
	struct candidate c[SEL_MAX_CAND];
	size_t n;
	size_t dropped;			/* candidates beyond SEL_MAX_CAND */
};

/* The mode in effect: the configuration's when it has a management-proxy
 * element (enabled: false means disabled), else static when the onboarding
 * file supplies a proxy (pre-ZTP), else disabled. */
enum mp_mode select_effective_mode(const struct config *, const struct onboarding *);

/* Everything selection looks at. dhcp[] and peer may hold interfaces and
 * entries that do not count; select_gather() filters them. */
struct sel_input {
	const struct config *cfg;
	const struct onboarding *onb;
	const struct dhcp_info *dhcp;
	size_t ndhcp;
	const struct peer_info *peer;	/* NULL when no HA peer */
	int64_t now;			/* epoch seconds, for lease expiry */
	const uint32_t *local_ip;	/* this box's IPv4 addresses, host order */
	size_t nlocal_ip;
};

/* Adds one candidate, validating it. Returns the entry, NULL when full. */
struct candidate *select_add(struct cand_set *, enum sel_kind, const char *source,
    const char *text, int64_t expiry);
/* Collects the candidates that count in the effective mode:
 * static -> the configured entry, or the onboarding one with no
 * management-proxy element; learned -> the local ones as learned_local()
 * lists and judges them (the same the peer is sent) and the peer's;
 * expired leases are left out. A candidate that reaches one of HAProxy's
 * own listeners (ports_own_listener) is listed, invalid. */
void select_gather(const struct sel_input *, struct cand_set *out);
/* Marks and returns the winner among valid candidates, NULL if none. */
const struct candidate *select_pick(struct cand_set *);
/* When the daemon must select again without any other event (0 = never):
 * the earliest future expiry among the counted candidates and the DHCP
 * leases of in->dhcp (a lease without a usable proxy must still end). */
int64_t select_next_expiry(const struct sel_input *, const struct cand_set *);
const char *select_kind_name(enum sel_kind);
#endif
