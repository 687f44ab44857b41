/* The HA peer datagram. Every integer is big-endian; the layout is in
 * docs/ha.md. Decoding checks the remaining length before every read and
 * jumps to too_short when it runs out, and the encoding is canonical: a
 * decoded message encodes back to the same bytes (the fuzzer checks it). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "peer_msg.h"

/* Offsets of the fixed header. */
#define PM_MAGIC	0
#define PM_VERSION	4
#define PM_FLAGS	5
#define PM_NODE_LEN	6
#define PM_COUNT	7
#define PM_BOOT		8
#define PM_SEQ		16
#define PM_TIME		24
#define PM_ECHO_BOOT	32
#define PM_ECHO_TIME	40

struct pm_cursor {
	const uint8_t *p;
	size_t left;
};

static void
pm_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
pm_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void
pm_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t
pm_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Reads n bytes as a big-endian number; false when fewer are left. */
static bool
pm_take(struct pm_cursor *c, size_t n, uint64_t *v)
{
	if (c->left < n)
		return false;
	*v = pm_get(c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

/* Node names end up in the state file and in log lines: printable ASCII
 * (what statefile.c writes and reads back), no control characters. */
static bool
pm_node_ok(const char *s, size_t n)
{
	if (n == 0 || n > PEER_MSG_NODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

bool
peer_msg_node_ok(const char *node)
{
	return pm_node_ok(node, strnlen(node, CFG_NAME_MAX));
}

/* The checks decode makes on a candidate, shared with encode. */
static bool
pm_cand_ok(const struct peer_msg_cand *c, const char **why)
{
	if (!addr_usable(c->addr.ip, why))
		return false;
	if (c->addr.port == 0) {
		*why = "candidate port is 0";
		return false;
	}
	if (c->remaining == 0) {
		*why = "candidate lease has expired";
		return false;
	}
	if (!learned_ifname_ok(c->ifname, strnlen(c->ifname, IFNAMSIZ))) {
		*why = "candidate interface name is invalid";
		return false;
	}
	return true;
}

/* The header checks, shared by encode and decode. */
static bool
pm_header_ok(const struct peer_msg *m, const char **why)
{
	if ((m->flags & ~PEER_MSG_F_ALL) != 0) {
		*why = "unknown flags";
		return false;
	}
	if (!pm_node_ok(m->node, strnlen(m->node, sizeof(m->node)))) {
		*why = "node name is empty, too long or not printable";
		return false;
	}
	if (m->boot == 0 || m->seq == 0) {
		*why = "boot id or sequence number is 0";
		return false;
	}
	if ((m->flags & PEER_MSG_F_ECHO) == 0 &&
	    (m->echo_boot != 0 || m->echo_time_ms != 0)) {
		*why = "echo fields set without the echo flag";
		return false;
	}
	if ((m->flags & PEER_MSG_F_ECHO) != 0 && m->echo_boot == 0) {
		*why = "echo flag with a zero boot id";
		return false;
	}
	if (m->ncand > PEER_MSG_MAX_CAND) {
		*why = "too many candidates";
		return false;
	}
	return true;
}

static bool
pm_key_ok(const uint8_t *key, size_t keylen)
{
	return key != NULL && keylen >= PEER_MSG_KEY_MIN &&
	    keylen <= PEER_MSG_KEY_MAX;
}

bool
peer_msg_mac(const uint8_t *key, size_t keylen, const uint8_t *buf,
    size_t len, uint8_t out[PEER_MSG_MAC_LEN])
{
	unsigned int outlen = 0;

	if (!pm_key_ok(key, keylen))
		return false;
	/* The one-shot HMAC() is not deprecated in OpenSSL 3 (HMAC_CTX is). */
	if (HMAC(EVP_sha256(), key, (int)keylen, buf, len, out, &outlen) == NULL)
		return false;
	return outlen == PEER_MSG_MAC_LEN;
}

size_t
peer_msg_encode(const struct peer_msg *m, const uint8_t *key, size_t keylen,
    uint8_t *buf, size_t size)
{
	const char *why;
	size_t n, need, nodelen;

	if (!pm_key_ok(key, keylen) || !pm_header_ok(m, &why))
		return 0;
	nodelen = strlen(m->node);
	need = PEER_MSG_HDR_LEN + nodelen + PEER_MSG_MAC_LEN;
	for (size_t i = 0; i < m->ncand; i++) {
		if (!pm_cand_ok(&m->cand[i], &why))
			return 0;
		need += PEER_MSG_CAND_FIXED + strlen(m->cand[i].ifname);
	}
	if (need > size || need > PEER_MSG_MAX)
		return 0;

	pm_put32(buf + PM_MAGIC, PEER_MSG_MAGIC);
	buf[PM_VERSION] = PEER_MSG_VERSION;
	buf[PM_FLAGS] = m->flags;
	buf[PM_NODE_LEN] = (uint8_t)nodelen;
	buf[PM_COUNT] = (uint8_t)m->ncand;
	pm_put64(buf + PM_BOOT, m->boot);
	pm_put64(buf + PM_SEQ, m->seq);
	pm_put64(buf + PM_TIME, m->time_ms);
	pm_put64(buf + PM_ECHO_BOOT, m->echo_boot);
	pm_put64(buf + PM_ECHO_TIME, m->echo_time_ms);
	n = PEER_MSG_HDR_LEN;
	memcpy(buf + n, m->node, nodelen);
	n += nodelen;
	for (size_t i = 0; i < m->ncand; i++) {
		const struct peer_msg_cand *c = &m->cand[i];
		size_t iflen = strlen(c->ifname);

		pm_put32(buf + n, c->addr.ip);
		pm_put16(buf + n + 4, c->addr.port);
		pm_put32(buf + n + 6, c->remaining);
		buf[n + 10] = (uint8_t)iflen;
		memcpy(buf + n + PEER_MSG_CAND_FIXED, c->ifname, iflen);
		n += PEER_MSG_CAND_FIXED + iflen;
	}
	if (!peer_msg_mac(key, keylen, buf, n, buf + n))
		return 0;
	return n + PEER_MSG_MAC_LEN;
}

static bool
pm_decode_cand(struct pm_cursor *c, struct peer_msg_cand *out, const char **why)
{
	uint64_t ip, port, remaining, iflen;

	if (!pm_take(c, 4, &ip) || !pm_take(c, 2, &port) ||
	    !pm_take(c, 4, &remaining) || !pm_take(c, 1, &iflen))
		goto too_short;
	if (iflen == 0 || iflen >= IFNAMSIZ) {
		*why = "candidate interface name length out of range";
		return false;
	}
	if (c->left < iflen)
		goto too_short;
	/* Checked on the wire bytes: a NUL inside would shorten the name
	 * after the copy and let two datagrams mean the same thing. */
	if (!learned_ifname_ok((const char *)c->p, iflen)) {
		*why = "candidate interface name is invalid";
		return false;
	}
	memcpy(out->ifname, c->p, iflen);
	out->ifname[iflen] = '\0';
	c->p += iflen;
	c->left -= iflen;
	out->addr.ip = (uint32_t)ip;
	out->addr.port = (uint16_t)port;
	out->remaining = (uint32_t)remaining;
	return pm_cand_ok(out, why);

too_short:
	*why = "truncated candidate";
	return false;
}

bool
peer_msg_decode(const uint8_t *buf, size_t len, const uint8_t *key,
    size_t keylen, struct peer_msg *out, const char **why)
{
	uint8_t mac[PEER_MSG_MAC_LEN];
	struct pm_cursor c;
	size_t nodelen, body;

	memset(out, 0, sizeof(*out));
	if (!pm_key_ok(key, keylen)) {
		*why = "no usable key";
		return false;
	}
	if (len > PEER_MSG_MAX) {
		*why = "datagram too long";
		return false;
	}
	if (len < PEER_MSG_HDR_LEN + PEER_MSG_MAC_LEN)
		goto too_short;
	if (pm_get(buf + PM_MAGIC, 4) != PEER_MSG_MAGIC) {
		*why = "bad magic";
		return false;
	}
	if (buf[PM_VERSION] != PEER_MSG_VERSION) {
		*why = "unsupported version";
		return false;
	}
	/* Authenticate before looking at anything else: the rest of the
	 * parser only ever sees bytes made by a holder of the key. */
	body = len - PEER_MSG_MAC_LEN;
	if (!peer_msg_mac(key, keylen, buf, body, mac)) {
		*why = "HMAC computation failed";
		return false;
	}
	if (CRYPTO_memcmp(mac, buf + body, PEER_MSG_MAC_LEN) != 0) {
		*why = "bad HMAC (wrong key or altered datagram)";
		return false;
	}

	out->flags = buf[PM_FLAGS];
	nodelen = buf[PM_NODE_LEN];
	out->ncand = buf[PM_COUNT];
	out->boot = pm_get(buf + PM_BOOT, 8);
	out->seq = pm_get(buf + PM_SEQ, 8);
	out->time_ms = pm_get(buf + PM_TIME, 8);
	out->echo_boot = pm_get(buf + PM_ECHO_BOOT, 8);
	out->echo_time_ms = pm_get(buf + PM_ECHO_TIME, 8);
	c.p = buf + PEER_MSG_HDR_LEN;
	c.left = body - PEER_MSG_HDR_LEN;
	if (nodelen == 0 || nodelen > PEER_MSG_NODE_MAX) {
		*why = "node name length out of range";
		goto fail;
	}
	if (c.left < nodelen)
		goto too_short;
	if (!pm_node_ok((const char *)c.p, nodelen)) {
		*why = "node name is empty, too long or not printable";
		goto fail;
	}
	memcpy(out->node, c.p, nodelen);
	out->node[nodelen] = '\0';
	c.p += nodelen;
	c.left -= nodelen;
	if (!pm_header_ok(out, why))
		goto fail;
	for (size_t i = 0; i < out->ncand; i++)
		if (!pm_decode_cand(&c, &out->cand[i], why))
			goto fail;
	if (c.left != 0) {
		*why = "trailing bytes after the candidates";
		goto fail;
	}
	return true;

too_short:
	*why = "truncated datagram";
fail:
	memset(out, 0, sizeof(*out));
	return false;
}

bool
peer_msg_boot_parse(const char *buf, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	/* 1..20 digits, no leading zero, not 0, no overflow. */
	if (len == 0 || len > 20 || buf[0] == '0')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (buf[i] < '0' || buf[i] > '9')
			return false;
		d = (unsigned)(buf[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

uint64_t
peer_msg_boot_next(uint64_t last, int64_t realtime_ms)
{
	uint64_t next = last < UINT64_MAX ? last + 1 : UINT64_MAX;

	if (realtime_ms > 0 && (uint64_t)realtime_ms > next)
		next = (uint64_t)realtime_ms;
	return next;
}

size_t
peer_msg_gather(const struct dhcp_info *dhcp, size_t n,
    const struct config *cfg, int64_t now, const uint32_t *local_ip,
    size_t nlocal_ip, struct peer_local *out, size_t max, size_t *dropped)
{
	struct learned_cand local[LEARNED_MAX_LOCAL];
	size_t count = 0, nlocal, over;

	nlocal = learned_local(dhcp, n, cfg, now, local_ip, nlocal_ip, local,
	    LEARNED_MAX_LOCAL, &over);
	*dropped = over;
	for (size_t i = 0; i < nlocal; i++) {
		if (!local[i].valid)
			continue;
		if (count == max) {
			(*dropped)++;
			continue;
		}
		out[count].addr = local[i].addr;
		snprintf(out[count].ifname, sizeof(out[count].ifname), "%s",
		    local[i].ifname);
		out[count].expiry = local[i].expiry;
		count++;
	}
	return count;
}

void
peer_msg_fill(struct peer_msg *m, const struct peer_local *local, size_t n,
    int64_t now)
{
	m->ncand = 0;
	for (size_t i = 0; i < n && m->ncand < PEER_MSG_MAX_CAND; i++) {
		struct peer_msg_cand *c = &m->cand[m->ncand];
		int64_t left;

		if (local[i].expiry != 0 && local[i].expiry <= now)
			continue;	/* ended since it was published */
		c->addr = local[i].addr;
		snprintf(c->ifname, sizeof(c->ifname), "%s", local[i].ifname);
		if (local[i].expiry == 0)
			c->remaining = PEER_MSG_NO_EXPIRY;
		else {
			left = local[i].expiry - now;
			c->remaining = left >= (int64_t)PEER_MSG_NO_EXPIRY ?
			    PEER_MSG_NO_EXPIRY - 1 : (uint32_t)left;
		}
		m->ncand++;
	}
}

void
peer_msg_to_info(const struct peer_msg *m, int64_t now, struct peer_info *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->node, sizeof(out->node), "%s", m->node);
	out->up = true;
	out->last_heard = now;
	for (size_t i = 0; i < m->ncand && i < SF_MAX_PROXIES; i++) {
		char text[ADDR_STRLEN];

		addr_format(&m->cand[i].addr, text);
		snprintf(out->cand[i].proxy, sizeof(out->cand[i].proxy), "%s", text);
		snprintf(out->cand[i].source, sizeof(out->cand[i].source),
		    "dhcp:%s", m->cand[i].ifname);
		/* The peer's clock may differ from ours: only the remaining
		 * time crosses the wire, the absolute expiry is ours. */
		out->cand[i].lease_expiry =
		    m->cand[i].remaining == PEER_MSG_NO_EXPIRY ? 0 :
		    now + (int64_t)m->cand[i].remaining;
		out->ncand++;
	}
}

bool
peer_msg_info_same(const struct peer_info *a, const struct peer_info *b)
{
	if (strcmp(a->node, b->node) != 0 || a->up != b->up ||
	    a->ncand != b->ncand)
		return false;
	for (size_t i = 0; i < a->ncand; i++) {
		int64_t ea = a->cand[i].lease_expiry, eb = b->cand[i].lease_expiry;

		if (strcmp(a->cand[i].proxy, b->cand[i].proxy) != 0 ||
		    strcmp(a->cand[i].source, b->cand[i].source) != 0)
			return false;
		if ((ea == 0) != (eb == 0))
			return false;
		if (ea - eb > PEER_MSG_EXPIRY_SLACK || eb - ea > PEER_MSG_EXPIRY_SLACK)
			return false;
	}
	return true;
}
