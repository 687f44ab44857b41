/* Failed connections to the proxy, from HAProxy's access lines. */
#include <stddef.h>
#include <string.h>

#include "passive.h"

/* The backend/server pairs that connect to the proxy in effect. */
static const char *const passive_servers[] = {
	"be_proxy/proxy", "ls_connect/proxy",
};

static void (*passive_cb)(void *);
static void *passive_arg;

bool
passive_line_failed(const char *line)
{
	const char *be, *term, *p;
	size_t n;
	bool ours = false;

	/* The first " be=" is HAProxy's: the fields before it are addresses,
	 * a frontend name and a URL-encoded SNI, none of which holds a space. */
	if ((be = strstr(line, " be=")) == NULL)
		return false;
	be += 4;
	n = strcspn(be, " ");
	for (size_t i = 0; i < sizeof(passive_servers) / sizeof(passive_servers[0]); i++)
		ours |= strlen(passive_servers[i]) == n &&
		    memcmp(be, passive_servers[i], n) == 0;
	if (!ours)
		return false;
	/* The termination state ends the line (%ts: 2 letters, %tsc: 4); a
	 * request URI cannot hold a space, so it cannot fake the last field. */
	term = NULL;
	for (p = be; (p = strstr(p, " term=")) != NULL; p++)
		term = p + 6;
	if (term == NULL)
		return false;
	n = strlen(term);
	if ((n != 2 && n != 4) || strchr(term, ' ') != NULL)
		return false;
	return (term[0] == 'S' || term[0] == 's') && term[1] == 'C';
}

void
passive_open(void (*failed)(void *), void *arg)
{
	passive_cb = failed;
	passive_arg = arg;
}

void
passive_log_line(const char *line)
{
	if (passive_cb != NULL && passive_line_failed(line))
		passive_cb(passive_arg);
}
