/* The templates of templates/, compiled in by templates/embed.sh. */
#ifndef TEMPLATES_H
#define TEMPLATES_H

struct template_file {
	const char *name;	/* "haproxy.cfg.tmpl" */
	const char *text;
};

extern const struct template_file templates[];
/* The template's text, NULL if there is none of that name. */
const char *templates_get(const char *name);
#endif
