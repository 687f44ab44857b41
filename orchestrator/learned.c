/* Learned mode's table and its decisions. Pure: the daemon hands in the
 * table, the reply and the time, and carries out the result. */
#include <stdio.h>
#include <string.h>

#include "dhcp_lease.h"
#include "learned.h"
#include "ports.h"

static const char *const learned_state_names[LEARNED_NSTATE] = {
	[LEARNED_PENDING] = "pending", [LEARNED_RESOLVED] = "resolved",
	[LEARNED_NO_OPT43] = "no-option-43",
	[LEARNED_NO_SUB128] = "no-sub-option-128",
	[LEARNED_INVALID] = "invalid-value", [LEARNED_NAK] = "nak",
	[LEARNED_EXPIRED] = "expired", [LEARNED_LINK_DOWN] = "link-down",
};

const char *
learned_state_name(enum learned_state s)
{
	return (unsigned)s < LEARNED_NSTATE ? learned_state_names[s] : NULL;
}

bool
learned_state_parse(const char *name, enum learned_state *out)
{
	for (int s = 0; s < LEARNED_NSTATE; s++)
		if (strcmp(name, learned_state_names[s]) == 0) {
			*out = (enum learned_state)s;
			return true;
		}
	return false;
}

bool
learned_value_parse(const char *text, struct proxy_addr *out, const char **why)
{
	size_t len = strnlen(text, SF_TEXT_MAX);

	if (len == SF_TEXT_MAX) {
		*why = "too long";
		return false;
	}
	return addr_parse_proxy(text, len, out, why);
}

bool
learned_ifname_ok(const char *s, size_t n)
{
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		    ch == '-'))
			return false;
	}
	return true;
}

const struct dhcp_info *
learned_find(const struct dhcp_info *table, size_t n, const char *ifname)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].ifname, ifname) == 0)
			return &table[i];
	return NULL;
}

void
learned_clear(struct dhcp_info *info, const char *ifname, enum learned_state state)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->ifname, sizeof(info->ifname), "%s", ifname);
	info->state = state;
}

void
learned_dhcp_apply(struct dhcp_info *table, size_t n, const int64_t *saved,
    const char *ifname, const uint8_t mac[6], const struct dhcp_reply *r,
    int64_t now, struct learned_result *out)
{
	const struct dhcp_info *cur = learned_find(table, n, ifname);

	memset(out, 0, sizeof(*out));
	out->index = cur != NULL ? (size_t)(cur - table) : n;
	out->why = "";
	if (cur != NULL)
		out->info = *cur;
	else
		learned_clear(&out->info, ifname, LEARNED_PENDING);
	switch (dhcp_lease_apply(&out->info, ifname, mac, r, now, &out->why)) {
	case DHCP_LEASE_IGNORED:
		out->change = LEARNED_IGNORED;
		return;
	case DHCP_LEASE_REJECTED:
		out->change = LEARNED_REJECTED;
		return;
	case DHCP_LEASE_UPDATED:
		break;
	}
	if (cur == NULL || !dhcp_lease_same(cur, &out->info)) {
		out->change = LEARNED_CHANGED;
		out->persist = out->publish = true;
		return;
	}
	/* The latest word is the value in force: only the lease end moves. */
	out->change = LEARNED_RENEWED;
	table[out->index].lease_expiry = out->info.lease_expiry;
	out->persist = out->publish = now - saved[out->index] >= LEARNED_SAVE_MIN;
}

bool
learned_link(const struct dhcp_info *table, size_t n, const char *ifname,
    bool up, bool removed, struct dhcp_info *info)
{
	const struct dhcp_info *cur = learned_find(table, n, ifname);

	if ((up && !removed) || cur == NULL || cur->state == LEARNED_LINK_DOWN)
		return false;
	learned_clear(info, ifname, LEARNED_LINK_DOWN);
	return true;
}

/* Why a proxy of entry e cannot be used, NULL when it can. */
static const char *
learned_refusal(const struct dhcp_info *e, const struct proxy_addr *a,
    const uint32_t *local_ip, size_t nlocal_ip)
{
	if (e->state != LEARNED_RESOLVED)
		return "the interface's resolution-state is not resolved";
	if (!learned_ifname_ok(e->ifname, strnlen(e->ifname, sizeof(e->ifname))))
		return "interface name is invalid";
	/* Whatever its source: the DHCP server does not know which ports
	 * this box's forwarder uses. */
	if (ports_own_listener(a, local_ip, nlocal_ip))
		return PORTS_OWN_LISTENER_WHY;
	return NULL;
}

size_t
learned_local(const struct dhcp_info *table, size_t n,
    const struct config *cfg, int64_t now, const uint32_t *local_ip,
    size_t nlocal_ip, struct learned_cand *out, size_t max, size_t *dropped)
{
	size_t count = 0;

	*dropped = 0;
	for (size_t i = 0; i < n; i++) {
		const struct dhcp_info *e = &table[i];

		if (strnlen(e->ifname, sizeof(e->ifname)) == sizeof(e->ifname) ||
		    !config_iface_eligible(cfg, e->ifname) ||
		    (e->lease_expiry != 0 && e->lease_expiry <= now))
			continue;
		for (size_t j = 0; j < e->nproxy && j < SF_MAX_PROXIES; j++) {
			struct learned_cand *c = &out[count];
			const char *bad;

			if (count == max) {
				(*dropped)++;
				continue;
			}
			memset(c, 0, sizeof(*c));
			c->text = e->proxy[j];
			c->ifname = e->ifname;
			c->expiry = e->lease_expiry;
			c->valid = learned_value_parse(e->proxy[j], &c->addr, &c->reason);
			if (c->valid && (bad = learned_refusal(e, &c->addr, local_ip,
			    nlocal_ip)) != NULL) {
				c->valid = false;
				c->reason = bad;
			}
			if (c->valid)
				c->reason = "";
			count++;
		}
	}
	return count;
}
