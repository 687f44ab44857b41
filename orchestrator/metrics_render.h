/* The Prometheus text exposition (format 0.0.4) of the daemon's figures:
 * a pure function of a snapshot, so a unit test checks every line. Each
 * family gets one HELP and one TYPE line; a state or mode is one series per
 * possible value with 0 or 1, so a query never depends on a label that
 * appears and disappears. */
#ifndef METRICS_RENDER_H
#define METRICS_RENDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct metrics_snapshot {
	const char *version, *router, *node;
	const char *mode;		/* config_mode_name() of the effective mode */
	const char *state;		/* proxy_fsm_state_name() of the state */
	const char *active;		/* "A.B.C.D:P", NULL when none in effect */
	size_t cand_valid, cand_invalid;
	bool alarm;
	bool probe_known;		/* a probe succeeded since start-up */
	int64_t probe_latency_ms;	/* of the last successful probe */
	int64_t state_since;		/* epoch s */
	uint64_t dhcp_acks, dhcp_refused;
	bool ha_enabled, peer_up;
	uint64_t tunnels_opened, tunnels_refused;
	size_t certificates, certificates_max;
	uint64_t certificates_minted;
	bool haproxy;			/* forwarder haproxy: its lines follow */
	bool haproxy_running;
	uint64_t haproxy_reloads, haproxy_starts, haproxy_proxy_changes;
	bool haproxy_figures;		/* the next three were read */
	uint64_t haproxy_cur_conns, haproxy_cum_conns;
};

/* The whole document, malloc'd and NUL-terminated (caller frees), or NULL
 * when out of memory. Label values are escaped (\\, \", \n). */
char *metrics_render(const struct metrics_snapshot *, size_t *len);
#endif
