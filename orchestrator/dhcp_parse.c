/* Strict parser for snooped DHCP replies. Written in the style of OpenBSD
 * dhcpleased: the remaining length is checked before every read, and a
 * short read jumps to too_short. Nothing here allocates or keeps state.
 *
 * Decisions (learned mode snoops the WAN client's DHCP; docs/architecture.md):
 *  - Only the encapsulated form of Option 43 is understood (RFC 2132
 *    section 8.4: code, length, value sub-options), which is what ISC dhcpd
 *    sends with the `vendor-option-space` snippet of examples/dhcp/dhcpd.conf. A raw
 *    "address:port" payload would start with '1'..'9' = sub-option 49..57
 *    and is reported as "no sub-option 128" (or malformed), never guessed.
 *  - A missing end option (255) is tolerated: the end of the field ends
 *    the options, as ISC dhclient and systemd-networkd accept. An option
 *    whose length runs past the end of its field is rejected.
 *  - The UDP checksum is not verified: veth and checksum offload deliver
 *    partial checksums, and the kernel has already accepted the packet. */
#include <string.h>

#include "dhcp_parse.h"
#include "names.h"

/* Fixed BOOTP fields, RFC 2131 section 2, figure 1. */
#define BOOTP_OP		0
#define BOOTP_HTYPE		1
#define BOOTP_HLEN		2
#define BOOTP_XID		4
#define BOOTP_CIADDR		12
#define BOOTP_YIADDR		16
#define BOOTP_GIADDR		24
#define BOOTP_CHADDR		28
#define BOOTP_SNAME		44
#define BOOTP_SNAME_LEN		64
#define BOOTP_FILE		108
#define BOOTP_FILE_LEN		128
#define BOOTP_COOKIE		236
#define BOOTP_OPTIONS		240	/* first byte after the magic cookie */

#define BOOTREQUEST		1
#define BOOTREPLY		2
#define HTYPE_ETHER		1
#define HLEN_ETHER		6

#define DHO_PAD			0
#define DHO_VENDOR		43	/* RFC 2132 section 8.4 */
#define DHO_LEASE_TIME		51	/* RFC 2132 section 9.2 */
#define DHO_OVERLOAD		52	/* RFC 2132 section 9.3 */
#define DHO_MSG_TYPE		53	/* RFC 2132 section 9.6 */
#define DHO_SERVER_ID		54	/* RFC 2132 section 9.7 */
#define DHO_END			255

#define OVERLOAD_FILE		1
#define OVERLOAD_SNAME		2

#define IPPROTO_UDP_		17
#define PORT_BOOTPS		67
#define PORT_BOOTPC		68

enum dhcp_parse_area {
	AREA_OPTIONS,
	AREA_FILE,
	AREA_SNAME,
};

/* The aggregate option buffer of RFC 3396 section 5, reduced to what we
 * read: the concatenated length of every code, the first bytes of every
 * code (enough for the fixed-size options), and all of Option 43. */
struct dhcp_parse_opts {
	unsigned	 count;
	uint16_t	 len[256];
	bool		 seen[256];
	uint8_t		 head[256][4];
	uint8_t		 vendor[DHCP_PARSE_OPT_MAX];
};

static const char *const dhcp_parse_msg_names[] = {
	[DHCP_MSG_DISCOVER] = "DISCOVER", [DHCP_MSG_OFFER] = "OFFER",
	[DHCP_MSG_REQUEST] = "REQUEST", [DHCP_MSG_DECLINE] = "DECLINE",
	[DHCP_MSG_ACK] = "ACK", [DHCP_MSG_NAK] = "NAK",
	[DHCP_MSG_RELEASE] = "RELEASE", [DHCP_MSG_INFORM] = "INFORM",
};

static uint16_t
dhcp_parse_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
dhcp_parse_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

NAMES_ACCESSOR(dhcp_parse_msg_name, uint8_t, dhcp_parse_msg_names)

enum dhcp_parse_tlv { TLV_ITEM, TLV_END, TLV_SHORT };

/* The next code-length-value of a field laid out as options are (RFC 2132
 * section 2: pad and end are one byte, every other code is followed by its
 * length and value): TLV_ITEM with *code, *val, *vlen; TLV_END at the end
 * option or at the field's end; TLV_SHORT when a length or a value runs
 * past the field. The option fields and Option 43's sub-options both. */
static enum dhcp_parse_tlv
dhcp_parse_tlv(const uint8_t *p, size_t len, size_t *i, uint8_t *code,
    const uint8_t **val, uint8_t *vlen)
{
	while (*i < len && p[*i] == DHO_PAD)
		(*i)++;
	if (*i >= len || p[*i] == DHO_END)
		return TLV_END;
	*code = p[(*i)++];
	if (len - *i < 1)
		return TLV_SHORT;
	*vlen = p[(*i)++];
	if (len - *i < *vlen)
		return TLV_SHORT;
	*val = p + *i;
	*i += *vlen;
	return TLV_ITEM;
}

/* Walk one option field and append each instance to its code's aggregate
 * (RFC 3396 section 5). No end option: the field boundary ends it. */
static bool
dhcp_parse_area(const uint8_t *p, size_t len, enum dhcp_parse_area area,
    struct dhcp_parse_opts *o, const char **why)
{
	enum dhcp_parse_tlv t;
	const uint8_t *val;
	uint8_t code, olen;
	size_t i = 0;

	while ((t = dhcp_parse_tlv(p, len, &i, &code, &val, &olen)) == TLV_ITEM) {
		if (++o->count > DHCP_PARSE_OPTS_MAX) {
			*why = "too many options";
			return false;
		}
		/* RFC 2131 section 4.1: option overload MUST appear in the
		 * options field; anywhere else it would make us re-read the
		 * field we are reading. */
		if (code == DHO_OVERLOAD && area != AREA_OPTIONS) {
			*why = "option overload outside the options field";
			return false;
		}
		if ((size_t)o->len[code] + olen > DHCP_PARSE_OPT_MAX) {
			*why = "option longer than 1024 bytes";
			return false;
		}
		for (size_t k = 0; k < olen; k++) {
			size_t at = (size_t)o->len[code] + k;

			if (at < sizeof(o->head[code]))
				o->head[code][at] = val[k];
			if (code == DHO_VENDOR)
				o->vendor[at] = val[k];
		}
		o->len[code] = (uint16_t)(o->len[code] + olen);
		o->seen[code] = true;
	}
	if (t == TLV_SHORT) {
		*why = "option runs past the end of its field";
		return false;
	}
	return true;
}

/* Option 43 holds encapsulated vendor sub-options laid out like options
 * (RFC 2132 section 8.4). Sub-option 128 is the proxy as text; repeated
 * instances are concatenated like options are (RFC 3396). Problems here
 * only make the proxy unusable, never the reply. */
static void
dhcp_parse_vendor(const uint8_t *v, size_t len, struct dhcp_reply *r)
{
	uint8_t val[DHCP_PARSE_OPT_MAX], code, slen;
	size_t i = 0, vlen = 0;
	enum dhcp_parse_tlv t;
	const uint8_t *sub;

	while ((t = dhcp_parse_tlv(v, len, &i, &code, &sub, &slen)) == TLV_ITEM)
		if (code == DHCP_PARSE_SUBOPT_PROXY) {
			/* vlen + slen <= len <= sizeof(val): the sub-options
			 * cannot hold more bytes than Option 43 itself. */
			memcpy(val + vlen, sub, slen);
			vlen += slen;
			r->has_proxy = true;
		}
	if (t == TLV_SHORT) {
		r->proxy_problem = "option 43 sub-option runs past its end";
		return;
	}
	if (!r->has_proxy) {
		r->proxy_problem = "no sub-option 128";
		return;
	}
	/* RFC 2132 section 2: receivers of NVT ASCII options MUST delete
	 * trailing NULs, which some servers send. */
	while (vlen > 0 && val[vlen - 1] == '\0')
		vlen--;
	if (vlen == 0) {
		r->proxy_problem = "sub-option 128 empty";
		return;
	}
	if (vlen >= sizeof(r->proxy)) {
		r->proxy_problem = "sub-option 128 too long";
		return;
	}
	for (size_t k = 0; k < vlen; k++) {
		/* Printable ASCII without space: the text ends up in logs,
		 * state files and HAProxy configuration. */
		if (val[k] < 0x21 || val[k] > 0x7e) {
			r->proxy_problem = "sub-option 128 not printable";
			return;
		}
	}
	memcpy(r->proxy, val, vlen);
	r->proxy[vlen] = '\0';
	r->proxy_problem = NULL;
}

/* The part shared by replies and requests: the fixed header (op, Ethernet,
 * magic cookie), every option field the overload option names, and the
 * message type. The caller reads the rest from p and *o. */
static bool
dhcp_parse_message(const uint8_t *p, size_t len, uint8_t op,
    struct dhcp_parse_opts *o, uint8_t *msg_type, const char **why)
{
	uint8_t overload = 0;

	memset(o, 0, sizeof(*o));
	if (len < BOOTP_OPTIONS) {
		*why = "BOOTP message too short";
		return false;
	}
	if (p[BOOTP_OP] != op) {
		*why = op == BOOTREPLY ? "not a BOOTREPLY" : "not a BOOTREQUEST";
		return false;
	}
	if (p[BOOTP_HTYPE] != HTYPE_ETHER || p[BOOTP_HLEN] != HLEN_ETHER) {
		*why = "hardware type is not Ethernet";
		return false;
	}
	/* RFC 2131 section 3: the magic cookie 99.130.83.99. */
	if (dhcp_parse_get32(p + BOOTP_COOKIE) != 0x63825363) {
		*why = "bad magic cookie";
		return false;
	}
	if (!dhcp_parse_area(p + BOOTP_OPTIONS, len - BOOTP_OPTIONS,
	    AREA_OPTIONS, o, why))
		return false;

	/* RFC 2131 section 4.1 and RFC 3396 section 5: with option overload
	 * the file field, then the sname field, continue the options. */
	if (o->seen[DHO_OVERLOAD]) {
		if (o->len[DHO_OVERLOAD] != 1 || o->head[DHO_OVERLOAD][0] < 1 ||
		    o->head[DHO_OVERLOAD][0] > 3) {
			*why = "bad option overload";
			return false;
		}
		overload = o->head[DHO_OVERLOAD][0];
	}
	if ((overload & OVERLOAD_FILE) && !dhcp_parse_area(p + BOOTP_FILE,
	    BOOTP_FILE_LEN, AREA_FILE, o, why))
		return false;
	if ((overload & OVERLOAD_SNAME) && !dhcp_parse_area(p + BOOTP_SNAME,
	    BOOTP_SNAME_LEN, AREA_SNAME, o, why))
		return false;

	/* RFC 2131 section 3: every DHCP message carries option 53. */
	if (!o->seen[DHO_MSG_TYPE]) {
		*why = "no DHCP message type";
		return false;
	}
	if (o->len[DHO_MSG_TYPE] != 1) {
		*why = "bad DHCP message type length";
		return false;
	}
	*msg_type = o->head[DHO_MSG_TYPE][0];
	return true;
}

/* Option 54, RFC 2132 section 9.7: exactly four bytes when present. */
static bool
dhcp_parse_server_id(const struct dhcp_parse_opts *o, uint32_t *server_id,
    const char **why)
{
	*server_id = 0;
	if (!o->seen[DHO_SERVER_ID])
		return true;
	if (o->len[DHO_SERVER_ID] != 4) {
		*why = "bad server identifier length";
		return false;
	}
	*server_id = dhcp_parse_get32(o->head[DHO_SERVER_ID]);
	return true;
}

bool
dhcp_parse_bootp(const uint8_t *p, size_t len, struct dhcp_reply *out,
    const char **why)
{
	struct dhcp_parse_opts o;	/* about 3 KiB */
	struct dhcp_reply r;

	memset(&r, 0, sizeof(r));
	if (!dhcp_parse_message(p, len, BOOTREPLY, &o, &r.msg_type, why))
		return false;
	r.xid = dhcp_parse_get32(p + BOOTP_XID);
	r.ciaddr = dhcp_parse_get32(p + BOOTP_CIADDR);
	r.yiaddr = dhcp_parse_get32(p + BOOTP_YIADDR);
	r.giaddr = dhcp_parse_get32(p + BOOTP_GIADDR);
	memcpy(r.chaddr, p + BOOTP_CHADDR, sizeof(r.chaddr));

	/* A server sends OFFER, ACK or NAK (RFC 2131 table 3). */
	if (r.msg_type != DHCP_MSG_OFFER && r.msg_type != DHCP_MSG_ACK &&
	    r.msg_type != DHCP_MSG_NAK) {
		*why = "DHCP message type is not OFFER, ACK or NAK";
		return false;
	}
	if (!dhcp_parse_server_id(&o, &r.server_id, why))
		return false;
	if (o.seen[DHO_LEASE_TIME]) {
		if (o.len[DHO_LEASE_TIME] != 4) {
			*why = "bad lease time length";
			return false;
		}
		r.lease_time = dhcp_parse_get32(o.head[DHO_LEASE_TIME]);
	}

	if (o.seen[DHO_VENDOR]) {
		r.has_vendor = true;
		dhcp_parse_vendor(o.vendor, o.len[DHO_VENDOR], &r);
	} else
		r.proxy_problem = "no option 43";

	*out = r;
	return true;
}

/* The IPv4 and UDP headers around a BOOTP message from port sport to port
 * dport: *msg and *mlen delimit the message. */
static bool
dhcp_parse_udp(const uint8_t *pkt, size_t len, uint16_t sport, uint16_t dport,
    const uint8_t **msg, size_t *mlen, uint32_t *src, uint32_t *dst,
    const char **why)
{
	const uint8_t *udp;
	size_t ihl, total, ulen;

	/* IPv4 header, RFC 791 section 3.1. */
	if (len < 20)
		goto too_short;
	if (pkt[0] >> 4 != 4) {
		*why = "not IPv4";
		return false;
	}
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = dhcp_parse_get16(pkt + 2);
	if (ihl < 20 || total < ihl) {
		*why = "bad IPv4 header length";
		return false;
	}
	if (total > len)
		goto too_short;
	/* More-fragments flag or a fragment offset: we never reassemble. */
	if (dhcp_parse_get16(pkt + 6) & 0x3fff) {
		*why = "IPv4 fragment";
		return false;
	}
	if (pkt[9] != IPPROTO_UDP_) {
		*why = "not UDP";
		return false;
	}
	*src = dhcp_parse_get32(pkt + 12);
	*dst = dhcp_parse_get32(pkt + 16);

	/* UDP header, RFC 768. */
	if (total - ihl < 8)
		goto too_short;
	udp = pkt + ihl;
	if (dhcp_parse_get16(udp) != sport || dhcp_parse_get16(udp + 2) != dport) {
		*why = sport == PORT_BOOTPS ? "not from port 67 to port 68" :
		    "not from port 68 to port 67";
		return false;
	}
	/* Like the kernel's udp_rcv(): a UDP length beyond the IP payload is
	 * an error, a shorter one trims the payload. */
	ulen = dhcp_parse_get16(udp + 4);
	if (ulen < 8 || ulen > total - ihl) {
		*why = "bad UDP length";
		return false;
	}
	*msg = udp + 8;
	*mlen = ulen - 8;
	return true;

too_short:
	*why = "packet too short";
	return false;
}

bool
dhcp_parse_packet(const uint8_t *pkt, size_t len, struct dhcp_reply *out,
    const char **why)
{
	const uint8_t *msg;
	size_t mlen;
	uint32_t src, dst;

	if (!dhcp_parse_udp(pkt, len, PORT_BOOTPS, PORT_BOOTPC, &msg, &mlen,
	    &src, &dst, why) || !dhcp_parse_bootp(msg, mlen, out, why))
		return false;
	out->ip_src = src;
	out->ip_dst = dst;
	return true;
}

bool
dhcp_parse_request(const uint8_t *pkt, size_t len, struct dhcp_request *out,
    const char **why)
{
	struct dhcp_parse_opts o;
	struct dhcp_request q;
	const uint8_t *p;
	size_t plen;

	memset(&q, 0, sizeof(q));
	if (!dhcp_parse_udp(pkt, len, PORT_BOOTPC, PORT_BOOTPS, &p, &plen,
	    &q.ip_src, &q.ip_dst, why) ||
	    !dhcp_parse_message(p, plen, BOOTREQUEST, &o, &q.msg_type, why))
		return false;
	/* Only these two are answered by an ACK or NAK that could teach us
	 * something (RFC 2131 table 3; DISCOVER for rapid commit, RFC 4039). */
	if (q.msg_type != DHCP_MSG_DISCOVER && q.msg_type != DHCP_MSG_REQUEST) {
		*why = "DHCP message type is not DISCOVER or REQUEST";
		return false;
	}
	if (!dhcp_parse_server_id(&o, &q.server_id, why))
		return false;
	q.xid = dhcp_parse_get32(p + BOOTP_XID);
	q.ciaddr = dhcp_parse_get32(p + BOOTP_CIADDR);
	memcpy(q.chaddr, p + BOOTP_CHADDR, sizeof(q.chaddr));
	*out = q;
	return true;
}
