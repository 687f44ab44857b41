/* Plain-text rendering of the daemon's JSON replies, in the style of the
 * router CLI (=== framed tables). Pure apart from writing to `out`. */
#ifndef CTL_RENDER_H
#define CTL_RENDER_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#define CTL_MAX_COLS	8

struct ctl_table {
	size_t ncols;
	const char *head[CTL_MAX_COLS];
	json_t *rows;			/* array of arrays of strings */
};

void ctl_render_table(FILE *out, const struct ctl_table *);
void ctl_render_proxy(FILE *out, json_t *doc, bool detail);
void ctl_render_dhcp(FILE *out, json_t *doc);
void ctl_render_alarms(FILE *out, json_t *doc);
void ctl_render_forwarder(FILE *out, json_t *doc);
void ctl_render_certificates(FILE *out, json_t *doc);
void ctl_render_ha(FILE *out, json_t *doc);
#endif
