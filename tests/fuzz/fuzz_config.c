/* libFuzzer target: config_parse() on arbitrary bytes. Beyond "no crash",
 * it checks what the daemon relies on: a parsed config keeps its limits
 * (counts, static = one proxy, timeout <= interval, usable addresses), and
 * a refused one has errors that are NUL-terminated printable text naming
 * the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_config_terminated(const char *s, size_t size)
{
	if (strnlen(s, size) == size)
		abort();
}

static void
fuzz_config_ok(const struct config *c)
{
	const char *why;

	if (c->nproxy > CFG_MAX_PROXY || c->niface > CFG_MAX_IFACE ||
	    c->nintercept > CFG_MAX_INTERCEPT ||
	    c->nhttp_port > CFG_MAX_PORTS || c->nhttps_port > CFG_MAX_PORTS)
		abort();
	if (c->mode == MODE_STATIC && c->nproxy != 1)
		abort();
	if (c->hc_interval < 1 || c->hc_interval > 86400 ||
	    c->hc_timeout < 1 || c->hc_timeout > 60 ||
	    c->hc_timeout > c->hc_interval)
		abort();
	for (size_t i = 0; i < c->nproxy; i++) {
		if (c->proxy[i].addr.port == 0 ||
		    !addr_usable(c->proxy[i].addr.ip, &why))
			abort();
		fuzz_config_terminated(c->proxy[i].name, CFG_NAME_MAX);
	}
	for (size_t i = 0; i < c->niface; i++) {
		fuzz_config_terminated(c->iface[i].name, IFNAMSIZ);
		fuzz_config_terminated(c->iface[i].device, CFG_NAME_MAX);
		if (c->iface[i].name[0] == '\0')
			abort();
	}
	for (size_t i = 0; i < c->nintercept; i++)
		if (c->intercept_if[i][0] == '\0')
			abort();
	for (size_t i = 0; i < c->nhttp_port; i++)
		if (c->http_port[i] == 0)
			abort();
	for (size_t i = 0; i < c->nhttps_port; i++)
		if (c->https_port[i] == 0)
			abort();
	fuzz_config_terminated(c->router, CFG_NAME_MAX);
	fuzz_config_terminated(c->node, CFG_NAME_MAX);
	if (c->ca_cert[0] != '/' || c->ca_key[0] != '/' ||
	    c->ha_key_file[0] != '/')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	static struct cfg_errors e;

	if (config_parse("fuzz", (const char *)data, size, &c, &e)) {
		if (e.n != 0)
			abort();
		fuzz_config_ok(&c);
		return 0;
	}
	if (e.n == 0 || e.n > CFG_MAX_ERRORS)
		abort();
	for (size_t i = 0; i < e.n; i++) {
		fuzz_config_terminated(e.msg[i], CFG_ERR_LEN);
		if (strncmp(e.msg[i], "fuzz:", 5) != 0)
			abort();
		for (const char *p = e.msg[i]; *p != '\0'; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort();
	}
	return 0;
}
