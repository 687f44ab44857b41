/* What a reload changes: two configurations in, a set of parts out (pure).
 * Every field of struct config belongs to exactly one part, or to none
 * when it only says where a value stood in the file (an error position);
 * config_diff_fields is that classification, and a unit test checks that
 * it covers the whole struct, so a new field cannot be left out. */
#ifndef CONFIG_DIFF_H
#define CONFIG_DIFF_H
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum config_part {
	CONFIG_PART_SELECTION	= 1u << 0,	/* router, node, mode, proxies */
	CONFIG_PART_INTERFACES	= 1u << 1,	/* this node's network-interfaces */
	CONFIG_PART_FORWARDER	= 1u << 2,	/* haproxy | none */
	CONFIG_PART_HEALTH	= 1u << 3,	/* health-check interval, timeout */
	CONFIG_PART_FALL_RISE	= 1u << 4,	/* health-check fall, rise */
	CONFIG_PART_NOTIFY	= 1u << 5,
	CONFIG_PART_INTERCEPT	= 1u << 6,	/* interfaces and ports */
	CONFIG_PART_TLS		= 1u << 7,
	CONFIG_PART_UPSTREAM_AUTH = 1u << 8,
	CONFIG_PART_HA		= 1u << 9,
	CONFIG_PART_LOG		= 1u << 10,
	CONFIG_PART_CONTROL	= 1u << 11,	/* control.read-group */
	CONFIG_PART_METRICS	= 1u << 12,
};
#define CONFIG_PART_COUNT	13
#define CONFIG_PART_ALL		((1u << CONFIG_PART_COUNT) - 1)

/* How two values of a field compare. Strings compare up to their NUL
 * (what follows it is whatever an earlier value left), endpoints by
 * address and port (not their padding). */
enum config_diff_kind {
	CONFIG_DIFF_BYTES,	/* a scalar: bool, enum, number */
	CONFIG_DIFF_STR,	/* char[size] */
	CONFIG_DIFF_ENDPOINT,	/* struct cfg_endpoint */
	CONFIG_DIFF_STRS,	/* char[n][elem], `count` of them in use */
	CONFIG_DIFF_PORTS,	/* uint16_t[n], likewise */
	CONFIG_DIFF_PROXIES,	/* struct cfg_proxy[n], likewise */
	CONFIG_DIFF_IFACES,	/* struct cfg_iface[n], likewise */
};

/* One field of struct config and the part it belongs to (0: none). */
struct config_diff_field {
	const char *name;
	size_t offset, size, align;
	unsigned part;
	enum config_diff_kind kind;
	size_t elem;		/* lists: the size of one entry */
	size_t count;		/* lists: the offset of the size_t count */
};

extern const struct config_diff_field config_diff_fields[];
extern const size_t config_diff_nfields;

/* The parts whose values differ between old and new. */
unsigned config_diff(const struct config *old, const struct config *new_cfg);
/* "health-check", "tls", ...; NULL for anything but one part. */
const char *config_diff_part_name(unsigned part);
/* The names of the parts in `parts`, ", "-separated, into buf ("" for
 * none; cut short when buf is too small). Returns buf. */
char *config_diff_format(unsigned parts, char *buf, size_t len);
#endif
