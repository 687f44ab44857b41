/* Strict parser for the DHCP replies snooped on WAN interfaces (pure).
 *
 * The orchestrator reads every DHCP reply (udp 67 -> 68) arriving on an
 * eligible interface through NFQUEUE and learns the upstream proxy from
 * Option 43 (vendor-specific information, RFC 2132 section 8.4) sub-option
 * 128, whose value is the proxy as "address:port" text. The parser does
 * not validate the address; the caller does that with addr_parse_proxy().
 *
 * Every input is hostile: every read is preceded by a length check, option
 * instances with the same code are concatenated per RFC 3396 and capped,
 * and option overload (RFC 2132 section 9.3) is honoured. */
#ifndef DHCP_PARSE_H
#define DHCP_PARSE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DHCP message types, option 53 (RFC 2132 section 9.6). */
enum dhcp_msg {
	DHCP_MSG_DISCOVER = 1,
	DHCP_MSG_OFFER = 2,
	DHCP_MSG_REQUEST = 3,
	DHCP_MSG_DECLINE = 4,
	DHCP_MSG_ACK = 5,
	DHCP_MSG_NAK = 6,
	DHCP_MSG_RELEASE = 7,
	DHCP_MSG_INFORM = 8,
};

#define DHCP_PARSE_OPT_MAX	1024	/* concatenated bytes per option code */
#define DHCP_PARSE_OPTS_MAX	256	/* option instances per message */
#define DHCP_PARSE_PROXY_MAX	64	/* sub-option 128 text + NUL */
#define DHCP_PARSE_SUBOPT_PROXY	128	/* Option 43 sub-option: "address:port" */

struct dhcp_reply {
	uint8_t		 msg_type;	/* option 53: OFFER, ACK or NAK */
	uint8_t		 chaddr[6];	/* htype 1 (Ethernet), hlen 6 only */
	uint32_t	 xid;		/* host order */
	uint32_t	 ciaddr;	/* host order, like every address here */
	uint32_t	 yiaddr;
	uint32_t	 giaddr;	/* relay agent; 0 when none */
	uint32_t	 server_id;	/* option 54; 0 if absent */
	uint32_t	 ip_src;	/* IPv4 header; 0 from dhcp_parse_bootp() */
	uint32_t	 ip_dst;
	uint32_t	 lease_time;	/* option 51, seconds; 0 if absent */
	bool		 has_vendor;	/* option 43 present */
	bool		 has_proxy;	/* sub-option 128 present (maybe invalid) */
	/* Sub-option 128 as NUL-terminated text; set only when it is 1-63
	 * bytes of printable ASCII without spaces, otherwise empty. */
	char		 proxy[DHCP_PARSE_PROXY_MAX];
	/* NULL when proxy holds usable text, else a static reason such as
	 * "no option 43", "no sub-option 128", "sub-option 128 not
	 * printable". A reply without a proxy is still a valid reply. */
	const char	*proxy_problem;
};

/* Parse a whole IPv4 packet as NFQUEUE delivers it (IPv4 header, UDP
 * header, BOOTP message). Returns false and sets *why to a static reason
 * if the packet is not a well-formed DHCP OFFER, ACK or NAK from port 67
 * to port 68. The UDP checksum is not verified (veth and offloading
 * deliver partial checksums; the kernel has already accepted the packet). */
bool	dhcp_parse_packet(const uint8_t *pkt, size_t len,
	    struct dhcp_reply *out, const char **why);

/* Parse the BOOTP/DHCP message alone (the UDP payload). */
bool	dhcp_parse_bootp(const uint8_t *p, size_t len,
	    struct dhcp_reply *out, const char **why);

/* What the snooper needs from a DHCPDISCOVER or DHCPREQUEST that our own
 * DHCP client sent (host order; 0 when absent). */
struct dhcp_request {
	uint8_t		 msg_type;	/* DISCOVER or REQUEST */
	uint8_t		 chaddr[6];
	uint32_t	 xid;
	uint32_t	 ciaddr;
	uint32_t	 server_id;	/* option 54: the server chosen */
	uint32_t	 ip_src;
	uint32_t	 ip_dst;	/* unicast: the server renewed with */
};

/* Parse a whole IPv4 packet (IPv4 header, UDP header, BOOTP message) as a
 * DHCPDISCOVER or DHCPREQUEST from port 68 to port 67. Same strictness as
 * dhcp_parse_packet(); false with *why for anything else. */
bool	dhcp_parse_request(const uint8_t *pkt, size_t len,
	    struct dhcp_request *out, const char **why);

/* Static name of a message type ("ACK", ...), "unknown" otherwise. */
const char *dhcp_parse_msg_name(uint8_t msg_type);
#endif
