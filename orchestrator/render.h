/* Template rendering (pure). Placeholders are {{NAME}}; every one in the
 * template must be given a value and every value must be used, so a typo
 * fails loudly instead of rendering an empty field. Values are produced
 * only by the typed setters below (numbers, dotted quads, interface names,
 * paths the daemon owns): nothing from DHCP, the peer or a file is ever
 * copied as text, so no newline, space or '#' can reach HAProxy or nft. */
#ifndef RENDER_H
#define RENDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RENDER_MAX_VARS	24
#define RENDER_NAME_MAX	32
#define RENDER_VALUE_MAX 512

struct render_vars {
	struct {
		char name[RENDER_NAME_MAX];
		char value[RENDER_VALUE_MAX];
		bool used;
	} v[RENDER_MAX_VARS];
	size_t n;
	bool overflow;		/* a setter refused a value or the table is full */
};

void render_init(struct render_vars *);
void render_set_uint(struct render_vars *, const char *name, unsigned long value);
void render_set_ip(struct render_vars *, const char *name, uint32_t ip);
/* A comma-separated list of port numbers: "80, 8080". */
void render_set_ports(struct render_vars *, const char *name, const uint16_t *p, size_t n);
/* A comma-separated list of quoted interface names: "\"kni254\"". Names
 * must match [A-Za-z0-9_.-]{1,15}. */
void render_set_ifnames(struct render_vars *, const char *name,
    const char (*ifs)[16], size_t n);
/* An absolute path of [A-Za-z0-9_./-] only. */
void render_set_word(struct render_vars *, const char *name, const char *word);
void render_set_path(struct render_vars *, const char *name, const char *path);

/* Renders into a malloc'd string; NULL with *why on any problem. */
char *render_template(const char *tmpl, struct render_vars *, const char **why);
#endif
