/* The proxy map of HAProxy's configuration and its change at run time
 * (see haproxy_map.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "haproxy_map.h"
#include "log.h"

#define HAPROXY_MAP_KEY		"active"
#define HAPROXY_MAP_PATH_MAX	512

static char haproxy_map_answer[2048];

static struct {
	char path[HAPROXY_MAP_PATH_MAX];
	struct proxy_addr written;
	struct hacli cli;	/* its own client: never busy with certificates */
	char expect[ADDR_STRLEN + 16];	/* what "get map" answers */
} hm = { .cli = HACLI_INIT(haproxy_map_answer) };

int
haproxy_map_init(const char *run_dir)
{
	if (fileio_path(hm.path, sizeof(hm.path), run_dir, HAPROXY_MAP_FILE) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
haproxy_map_write(const struct proxy_addr *proxy)
{
	char a[ADDR_STRLEN], line[ADDR_STRLEN + sizeof(HAPROXY_MAP_KEY) + 2];

	addr_format(proxy, a);
	snprintf(line, sizeof(line), HAPROXY_MAP_KEY " %s\n", a);
	if (fileio_replace(hm.path, line, strlen(line), 0644) == -1) {
		log_err("%s: %s", hm.path, strerror(errno));
		return -1;
	}
	hm.written = *proxy;
	return 0;
}

const struct proxy_addr *
haproxy_map_written(void)
{
	return &hm.written;
}

void
haproxy_map_shutdown_cmds(struct hacli_cmd cmd[2])
{
	hacli_cmd(&cmd[0], "", "shutdown sessions server be_proxy/proxy\n");
	hacli_cmd(&cmd[1], "", "shutdown sessions server ls_connect/proxy\n");
}

int
haproxy_map_change(const char *api, const struct proxy_addr *proxy, bool shutdown,
    hacli_done done, void *arg)
{
	struct hacli_cmd cmd[5] = { 0 };
	char a[ADDR_STRLEN];
	size_t n = 0;

	addr_format(proxy, a);
	snprintf(hm.expect, sizeof(hm.expect), "value=\"%s\"", a);
	/* One command for the whole change: no request sees half of it. */
	hacli_cmd(&cmd[n++], "", "set map %s " HAPROXY_MAP_KEY " %s\n", hm.path, a);
	hacli_cmd(&cmd[n++], hm.expect, "get map %s " HAPROXY_MAP_KEY "\n", hm.path);
	hacli_cmd(&cmd[n++], "server ssl setting updated",
	    "set server be_origin/origin ssl on\n");
	if (shutdown) {
		haproxy_map_shutdown_cmds(&cmd[n]);
		n += 2;
	}
	return hacli_run_on(&hm.cli, api, cmd, n, done, arg);
}
