/* Candidates and active-proxy selection. Pure: the daemon hands in what it
 * knows, this file decides. */
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "ports.h"
#include "select.h"

static const char *const select_kind_names[] = {
	[SEL_STATIC] = "static", [SEL_ONBOARDING] = "onboarding",
	[SEL_DHCP] = "dhcp", [SEL_PEER] = "peer",
};

NAMES_ACCESSOR(select_kind_name, enum sel_kind, select_kind_names)

enum mp_mode
select_effective_mode(const struct config *cfg, const struct onboarding *onb)
{
	if (cfg->has_mp)
		return cfg->enabled ? cfg->mode : MODE_DISABLED;
	if (onb != NULL && onb->has_proxy)
		return MODE_STATIC;
	return MODE_DISABLED;
}

/* Copy for display: anything outside printable ASCII becomes '?', so a
 * hostile DHCP server cannot put escape sequences on an operator's tty. */
static void
select_copy_printable(char *dst, size_t dstlen, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < dstlen && src[i] != '\0'; i++)
		dst[i] = (src[i] > 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/* A new entry holding its source and text, NULL when the set is full. */
static struct candidate *
select_slot(struct cand_set *set, enum sel_kind kind, const char *source,
    const char *text, int64_t expiry)
{
	struct candidate *c;

	if (set->n >= SEL_MAX_CAND) {
		set->dropped++;
		return NULL;
	}
	c = &set->c[set->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->expiry = expiry;
	select_copy_printable(c->text, sizeof(c->text), text);
	select_copy_printable(c->source, sizeof(c->source), source);
	return c;
}

struct candidate *
select_add(struct cand_set *set, enum sel_kind kind, const char *source,
    const char *text, int64_t expiry)
{
	struct candidate *c = select_slot(set, kind, source, text, expiry);

	if (c == NULL)
		return NULL;
	c->valid = learned_value_parse(text, &c->addr, &c->reason);
	if (c->valid)
		c->reason = "";
	return c;
}

/* A local candidate learned_local() has parsed and judged already. */
static void
select_add_local(struct cand_set *set, const struct learned_cand *l)
{
	char source[SEL_SOURCE_MAX];
	struct candidate *c;

	snprintf(source, sizeof(source), "dhcp:%s", l->ifname);
	if ((c = select_slot(set, SEL_DHCP, source, l->text, l->expiry)) == NULL)
		return;
	c->valid = l->valid;
	c->addr = l->addr;
	c->reason = l->reason;
}

static void
select_gather_static(const struct sel_input *in, struct cand_set *out)
{
	const struct config *cfg = in->cfg;
	char text[ADDR_STRLEN];

	if (!cfg->has_mp) {
		if (in->onb != NULL && in->onb->has_proxy)
			select_add(out, SEL_ONBOARDING, "onboarding", in->onb->proxy, 0);
		return;
	}
	/* The config loader refuses static mode without exactly one entry. */
	for (size_t i = 0; i < cfg->nproxy; i++) {
		addr_format(&cfg->proxy[i].addr, text);
		select_add(out, SEL_STATIC, "static", text, 0);
	}
}

static void
select_gather_learned(const struct sel_input *in, struct cand_set *out)
{
	struct learned_cand local[SEL_MAX_CAND];
	char source[SEL_SOURCE_MAX];
	size_t n, over;

	n = learned_local(in->dhcp, in->ndhcp, in->cfg, in->now, in->local_ip,
	    in->nlocal_ip, local, SEL_MAX_CAND, &over);
	for (size_t i = 0; i < n; i++)
		select_add_local(out, &local[i]);
	out->dropped += over;
	if (in->peer == NULL)
		return;
	snprintf(source, sizeof(source), "peer:%s", in->peer->node);
	for (size_t j = 0; j < in->peer->ncand; j++) {
		int64_t exp = in->peer->cand[j].lease_expiry;

		if (exp != 0 && exp <= in->now)
			continue;	/* a peer never keeps a dead lease alive */
		select_add(out, SEL_PEER, source, in->peer->cand[j].proxy, exp);
	}
}

/* Whatever its source: the DHCP server, the peer or the file does not know
 * which ports this box's forwarder uses. */
static void
select_refuse_own(const struct sel_input *in, struct cand_set *out)
{
	for (size_t i = 0; i < out->n; i++) {
		struct candidate *c = &out->c[i];

		if (c->valid && ports_own_listener(&c->addr, in->local_ip,
		    in->nlocal_ip)) {
			c->valid = false;
			c->reason = PORTS_OWN_LISTENER_WHY;
		}
	}
}

void
select_gather(const struct sel_input *in, struct cand_set *out)
{
	out->n = 0;
	out->dropped = 0;
	switch (select_effective_mode(in->cfg, in->onb)) {
	case MODE_STATIC:
		select_gather_static(in, out);
		break;
	case MODE_LEARNED:
		select_gather_learned(in, out);
		break;
	case MODE_DISABLED:
		break;
	}
	select_refuse_own(in, out);
}

const struct candidate *
select_pick(struct cand_set *set)
{
	struct candidate *best = NULL;

	for (size_t i = 0; i < set->n; i++) {
		struct candidate *c = &set->c[i];

		c->selected = false;
		if (c->valid && (best == NULL || addr_cmp(&c->addr, &best->addr) < 0))
			best = c;
	}
	if (best != NULL)
		best->selected = true;
	return best;
}

static int64_t
select_earlier(int64_t next, int64_t e, int64_t now)
{
	return e > now && (next == 0 || e < next) ? e : next;
}

int64_t
select_next_expiry(const struct sel_input *in, const struct cand_set *set)
{
	int64_t next = 0;

	for (size_t i = 0; i < set->n; i++)
		next = select_earlier(next, set->c[i].expiry, in->now);
	for (size_t i = 0; i < in->ndhcp; i++)
		next = select_earlier(next, in->dhcp[i].lease_expiry, in->now);
	return next;
}
