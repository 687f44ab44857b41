/* Dispatch of forwarding decisions to the configured forwarder. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "forward.h"
#include "log.h"

static struct {
	enum mp_forwarder kind;
	bool active;
	struct proxy_addr proxy;
	char ca_cert[CFG_PATH_MAX];
} fwd;

int
forward_configure(const struct config *cfg, const struct forward_paths *paths)
{
	fwd.kind = cfg->forwarder;
	memcpy(fwd.ca_cert, cfg->ca_cert, sizeof(fwd.ca_cert));
	return 0;
}

int
forward_enable(const struct proxy_addr *proxy)
{
	char a[ADDR_STRLEN];

	addr_format(proxy, a);
	fwd.proxy = *proxy;
	fwd.active = true;
	log_info("forwarding %s through %s",
	    fwd.kind == FWD_NONE ? "(observe only: forwarder none)" : "enabled", a);
	return 0;
}

void
forward_disable(void)
{
	if (fwd.active)
		log_info("forwarding torn down");
	fwd.active = false;
}

void
forward_clear_sessions(void)
{
}

void
forward_shutdown(void)
{
	forward_disable();
}

bool
forward_active(void)
{
	return fwd.active;
}

json_t *
forward_ca_export(void)
{
	return control_error("no local CA: %s", fwd.ca_cert);
}
