/* HAProxy's configuration text (haproxy.h): templates/haproxy.cfg.tmpl
 * with only validated numbers, words and the daemon's own paths. */
#include <stdio.h>
#include <string.h>

#include "cert.h"
#include "fileio.h"
#include "haproxy.h"
#include "haproxy_map.h"
#include "render.h"
#include "templates.h"

#define HAPROXY_RENDER_PATH_MAX	512

char *
haproxy_render(const char *run_dir, const char *crt_list, bool inspect,
    const char **why)
{
	const char *tmpl = templates_get("haproxy.cfg.tmpl");
	const char *slash = strrchr(crt_list, '/');
	char minted[HAPROXY_RENDER_PATH_MAX], map[HAPROXY_RENDER_PATH_MAX];
	struct render_vars rv;

	if (tmpl == NULL) {
		*why = "no haproxy.cfg.tmpl compiled in";
		return NULL;
	}
	render_init(&rv);
	render_set_path(&rv, "RUN_DIR", run_dir);
	render_set_path(&rv, "CRT_LIST", crt_list);
	/* The names the crt-list holds are kept beside it (cert.h). */
	if (slash == NULL || snprintf(minted, sizeof(minted), "%.*s/%s",
	    (int)(slash - crt_list), crt_list, CERT_MINTED_FILE) >= (int)sizeof(minted))
		minted[0] = '\0';
	render_set_path(&rv, "MINTED_LIST", minted);
	if (fileio_path(map, sizeof(map), run_dir, HAPROXY_MAP_FILE) == -1)
		map[0] = '\0';
	render_set_path(&rv, "PROXY_MAP", map);
	render_set_uint(&rv, "HTTP_LISTEN_PORT", HAPROXY_HTTP_PORT);
	render_set_uint(&rv, "HTTPS_LISTEN_PORT", HAPROXY_HTTPS_PORT);
	render_set_word(&rv, "INSPECT_ACL", inspect ? "always_true" : "always_false");
	return render_template(tmpl, &rv, why);
}
