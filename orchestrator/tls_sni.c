/* TLS ClientHello SNI extraction.
 *
 * Wire format: RFC 8446 section 5.1 (records) and 4.1.2 (ClientHello),
 * RFC 5246 section 7.4.1.2 for TLS 1.2 hellos (same layout), RFC 6066
 * section 3 (server_name). A handshake message may be split over several
 * records (RFC 8446 section 5.1), so every read goes through a cursor that
 * steps over record headers; it checks the remaining length before each
 * read and reports whether the data ran out (more may come: PARTIAL) or a
 * length field contradicts its container (never valid: INVALID). */
#include <string.h>

#include "addr.h"
#include "tls_sni.h"

#define TLS_RECORD_HANDSHAKE	22
#define TLS_RECORD_HDR		5
#define TLS_RECORD_MAX		16384	/* RFC 8446 5.1: 2^14 */
#define TLS_HS_CLIENT_HELLO	1
#define TLS_HS_HDR		4
#define TLS_EXT_SERVER_NAME	0
#define TLS_SNI_HOST_NAME	0
#define TLS_RANDOM_LEN		32
#define TLS_SESSION_ID_MAX	32
#define HOSTNAME_MAX		253
#define LABEL_MAX		63

/* Reads one handshake message's bytes across TLS record boundaries. */
struct sni_cur {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 off;	/* next unread byte in buf */
	size_t		 frag;	/* unread bytes of the current record body */
	int		 err;	/* PARTIAL or INVALID once a read failed */
};

static bool
sni_next_record(struct sni_cur *c)
{
	const uint8_t *h;
	size_t rlen;

	if (c->len - c->off < TLS_RECORD_HDR) {
		c->err = TLS_SNI_PARTIAL;
		return false;
	}
	h = c->buf + c->off;
	rlen = (size_t)h[3] << 8 | h[4];
	/* RFC 8446 5.1: handshake messages must not be interleaved with
	 * other record types, and zero-length handshake fragments are not
	 * allowed. */
	if (h[0] != TLS_RECORD_HANDSHAKE || h[1] != 3 || rlen == 0 ||
	    rlen > TLS_RECORD_MAX) {
		c->err = TLS_SNI_INVALID;
		return false;
	}
	c->off += TLS_RECORD_HDR;
	c->frag = rlen;
	return true;
}

/* Copy n bytes to dst, or skip them when dst is NULL. `left` is what the
 * enclosing structure still holds; reading past it is a malformed hello. */
static bool
sni_read(struct sni_cur *c, size_t *left, uint8_t *dst, size_t n)
{
	size_t k;

	if (n > *left) {
		c->err = TLS_SNI_INVALID;
		return false;
	}
	*left -= n;
	while (n > 0) {
		if (c->frag == 0 && !sni_next_record(c))
			return false;
		if (c->off >= c->len) {
			c->err = TLS_SNI_PARTIAL;
			return false;
		}
		k = n;
		if (k > c->frag)
			k = c->frag;
		if (k > c->len - c->off)
			k = c->len - c->off;
		if (dst != NULL) {
			memcpy(dst, c->buf + c->off, k);
			dst += k;
		}
		c->off += k;
		c->frag -= k;
		n -= k;
	}
	return true;
}

static bool
sni_u8(struct sni_cur *c, size_t *left, size_t *v)
{
	uint8_t b[1];

	if (!sni_read(c, left, b, sizeof(b)))
		return false;
	*v = b[0];
	return true;
}

static bool
sni_u16(struct sni_cur *c, size_t *left, size_t *v)
{
	uint8_t b[2];

	if (!sni_read(c, left, b, sizeof(b)))
		return false;
	*v = (size_t)b[0] << 8 | b[1];
	return true;
}

static bool
sni_u24(struct sni_cur *c, size_t *left, size_t *v)
{
	uint8_t b[3];

	if (!sni_read(c, left, b, sizeof(b)))
		return false;
	*v = (size_t)b[0] << 16 | (size_t)b[1] << 8 | b[2];
	return true;
}

static bool
sni_invalid(struct sni_cur *c)
{
	c->err = TLS_SNI_INVALID;
	return false;
}

/* RFC 6066 3: ServerNameList of (name_type, opaque<1..2^16-1>) entries.
 * At most one host_name; other name types are skipped as the RFC's
 * extensibility requires. Sets *found when a valid host name was copied. */
static bool
sni_server_name(struct sni_cur *c, size_t elen, char *out, size_t outlen,
    bool *found)
{
	uint8_t name[HOSTNAME_MAX];
	size_t list, type, nlen;

	if (!sni_u16(c, &elen, &list))
		return false;
	if (list != elen || list == 0)
		return sni_invalid(c);
	while (list > 0) {
		if (!sni_u8(c, &list, &type) || !sni_u16(c, &list, &nlen))
			return false;
		if (type != TLS_SNI_HOST_NAME) {
			if (!sni_read(c, &list, NULL, nlen))
				return false;
			continue;
		}
		if (*found || nlen == 0 || nlen > HOSTNAME_MAX ||
		    nlen >= outlen)
			return sni_invalid(c);
		if (!sni_read(c, &list, name, nlen))
			return false;
		if (!tls_sni_hostname_valid((const char *)name, nlen))
			return sni_invalid(c);
		for (size_t i = 0; i < nlen; i++) {
			uint8_t ch = name[i];

			out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
		}
		out[nlen] = '\0';
		*found = true;
	}
	return true;
}

/* Walk the whole extension block, so that a hello is only accepted once
 * it is complete and consistent. */
static bool
sni_extensions(struct sni_cur *c, size_t *left, char *out, size_t outlen,
    bool *found)
{
	size_t total, type, elen;
	bool seen = false;

	if (!sni_u16(c, left, &total))
		return false;
	/* RFC 8446 4.1.2: the extensions fill the rest of the message. */
	if (total != *left)
		return sni_invalid(c);
	while (total > 0) {
		if (!sni_u16(c, &total, &type) || !sni_u16(c, &total, &elen))
			return false;
		if (elen > total)
			return sni_invalid(c);
		if (type == TLS_EXT_SERVER_NAME) {
			/* RFC 8446 4.2: no extension type appears twice. */
			if (seen)
				return sni_invalid(c);
			seen = true;
			total -= elen;
			if (!sni_server_name(c, elen, out, outlen, found))
				return false;
		} else if (!sni_read(c, &total, NULL, elen))
			return false;
	}
	*left = 0;
	return true;
}

static bool
sni_client_hello(struct sni_cur *c, char *out, size_t outlen, bool *found)
{
	size_t hlen = TLS_HS_HDR, type, left, n;

	if (!sni_u8(c, &hlen, &type) || !sni_u24(c, &hlen, &left))
		return false;
	if (type != TLS_HS_CLIENT_HELLO || left > TLS_SNI_HELLO_MAX)
		return sni_invalid(c);
	/* legacy_version (any 3.x) and random. */
	if (!sni_u8(c, &left, &n))
		return false;
	if (n != 3)
		return sni_invalid(c);
	if (!sni_read(c, &left, NULL, 1 + TLS_RANDOM_LEN))
		return false;
	if (!sni_u8(c, &left, &n))
		return false;
	if (n > TLS_SESSION_ID_MAX)
		return sni_invalid(c);
	if (!sni_read(c, &left, NULL, n))
		return false;
	/* cipher_suites<2..2^16-2>: pairs of bytes. */
	if (!sni_u16(c, &left, &n))
		return false;
	if (n < 2 || n % 2 != 0)
		return sni_invalid(c);
	if (!sni_read(c, &left, NULL, n))
		return false;
	/* legacy_compression_methods<1..2^8-1>. */
	if (!sni_u8(c, &left, &n))
		return false;
	if (n < 1)
		return sni_invalid(c);
	if (!sni_read(c, &left, NULL, n))
		return false;
	/* RFC 5246 7.4.1.2: a hello without extensions ends here. */
	if (left == 0)
		return true;
	return sni_extensions(c, &left, out, outlen, found);
}

int
tls_sni_parse(const uint8_t *payload, size_t len, char *out, size_t outlen)
{
	struct sni_cur c = { .buf = payload, .len = len };
	bool found = false;

	if (out == NULL || outlen == 0)
		return TLS_SNI_INVALID;
	out[0] = '\0';
	if (len == 0)
		return TLS_SNI_PARTIAL;
	/* Anything but a handshake record of a 3.x protocol (including an
	 * SSLv2-style hello, which cannot carry SNI) is not for us. */
	if (payload[0] != TLS_RECORD_HANDSHAKE || (len > 1 && payload[1] != 3))
		return TLS_SNI_NOT_TLS;
	if (!sni_client_hello(&c, out, outlen, &found)) {
		out[0] = '\0';
		return c.err;
	}
	return found ? TLS_SNI_FOUND : TLS_SNI_NONE;
}

const char *
tls_sni_result_name(int result)
{
	static const char *const names[] = {
		[TLS_SNI_FOUND] = "found",
		[TLS_SNI_NONE] = "no server name",
		[TLS_SNI_PARTIAL] = "truncated, need more data",
		[TLS_SNI_NOT_TLS] = "not TLS",
		[TLS_SNI_INVALID] = "invalid ClientHello",
	};

	if (result < 0 || (size_t)result >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[result];
}

bool
tls_sni_hostname_is_ipv4(const char *name, size_t len)
{
	const char *why;
	uint32_t ip;

	return addr_parse_ipv4(name, len, &ip, &why);
}

static bool
sni_ldh(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-';
}

bool
tls_sni_hostname_valid(const char *name, size_t len)
{
	size_t start = 0;
	bool numeric = true;	/* current label is all digits */

	if (name == NULL || len == 0 || len > HOSTNAME_MAX)
		return false;
	/* A trailing dot is refused rather than stripped: RFC 6066 3 sends
	 * names without it, and one spelling per name keeps file names and
	 * HAProxy's certificate store free of duplicates. */
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			size_t llen = i - start;

			if (llen == 0 || llen > LABEL_MAX ||
			    name[start] == '-' || name[i - 1] == '-')
				return false;
			if (i < len) {
				start = i + 1;
				numeric = true;
			}
			continue;
		}
		if (!sni_ldh(name[i]))
			return false;
		if (name[i] < '0' || name[i] > '9')
			numeric = false;
	}
	if (numeric)
		return tls_sni_hostname_is_ipv4(name, len);
	return true;
}
