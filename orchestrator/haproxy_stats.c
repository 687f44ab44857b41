/* HAProxy's counters for show forwarder (see haproxy_stats.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "haproxy.h"
#include "haproxy_cli.h"
#include "haproxy_stats.h"
#include "log.h"
#include "num.h"

/* show stat prints ~100 fields per line, for a handful of frontends and
 * backends: room for ten times what the rendered configuration has. */
#define HASTATS_ANSWER_MAX	65536
#define HASTATS_FIELDS_MAX	128

static char hastats_answer[HASTATS_ANSWER_MAX];
static struct {
	struct hacli cli;
	char path[108];
	struct event_timer timer;
	bool started;
	struct haproxy_stats last;
	int64_t when;
} hs = { .cli = HACLI_INIT(hastats_answer) };

/* One "Name: value" line of show info. */
static unsigned
haproxy_stats_info(const char *line, size_t len, struct haproxy_stats *st)
{
	static const struct { const char *name; size_t off; unsigned bit; } keys[] = {
		{ "Pid", offsetof(struct haproxy_stats, pid), 1 },
		{ "Uptime_sec", offsetof(struct haproxy_stats, uptime), 2 },
		{ "CurrConns", offsetof(struct haproxy_stats, cur_conns), 4 },
		{ "CumConns", offsetof(struct haproxy_stats, cum_conns), 8 },
		{ "CumReq", offsetof(struct haproxy_stats, cum_req), 0 },
	};
	const char *colon = memchr(line, ':', len);
	size_t klen, vlen;
	const char *val;

	if (colon == NULL || colon + 1 >= line + len || colon[1] != ' ')
		return 0;
	klen = (size_t)(colon - line);
	val = colon + 2;
	vlen = len - klen - 2;
	if (klen == 7 && memcmp(line, "Version", 7) == 0) {
		if (vlen < sizeof(st->version) &&
		    strspn(val, "0123456789.-+abcdefghijklmnopqrstuvwxyz") >= vlen) {
			memcpy(st->version, val, vlen);
			st->version[vlen] = '\0';
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].name) == klen && memcmp(line, keys[i].name, klen) == 0 &&
		    num_u64(val, vlen, UINT64_MAX, (uint64_t *)(void *)((char *)st + keys[i].off)))
			return keys[i].bit;
	return 0;
}

/* Splits a CSV line of show stat (no quoting: HAProxy's names here are
 * ours, and no field holds a comma) into at most max fields. */
static size_t
haproxy_stats_split(const char *line, size_t len, const char **f, size_t *flen,
    size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len && n < max; i++)
		if (i == len || line[i] == ',') {
			f[n] = line + start;
			flen[n++] = i - start;
			start = i + 1;
		}
	return n;
}

static ssize_t
haproxy_stats_col(const char **f, const size_t *flen, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (flen[i] == strlen(name) && memcmp(f[i], name, flen[i]) == 0)
			return (ssize_t)i;
	return -1;
}

bool
haproxy_stats_parse(const char *answer, struct haproxy_stats *out)
{
	const char *hf[HASTATS_FIELDS_MAX], *f[HASTATS_FIELDS_MAX];
	size_t hlen[HASTATS_FIELDS_MAX], flen[HASTATS_FIELDS_MAX], nh = 0;
	ssize_t c_type = -1, c_ereq = -1, c_econ = -1, c_eresp = -1;
	unsigned seen = 0;
	const char *p = answer;

	memset(out, 0, sizeof(*out));
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		uint64_t v;

		if (len >= 2 && p[0] == '#' && p[1] == ' ') {
			/* The header of show stat names its columns. */
			nh = haproxy_stats_split(p + 2, len - 2, hf, hlen, HASTATS_FIELDS_MAX);
			c_type = haproxy_stats_col(hf, hlen, nh, "type");
			c_ereq = haproxy_stats_col(hf, hlen, nh, "ereq");
			c_econ = haproxy_stats_col(hf, hlen, nh, "econ");
			c_eresp = haproxy_stats_col(hf, hlen, nh, "eresp");
		} else if (nh > 0 && c_type >= 0 && memchr(p, ',', len) != NULL) {
			size_t n = haproxy_stats_split(p, len, f, flen, HASTATS_FIELDS_MAX);
			uint64_t type;

			if (n == nh && num_u64(f[c_type], flen[c_type], UINT64_MAX, &type)) {
				/* 0 frontend, 1 backend: each error once. */
				if (type == 0 && c_ereq >= 0 &&
				    num_u64(f[c_ereq], flen[c_ereq], UINT64_MAX, &v))
					out->req_errors += v;
				if (type == 1 && c_econ >= 0 &&
				    num_u64(f[c_econ], flen[c_econ], UINT64_MAX, &v))
					out->conn_errors += v;
				if (type == 1 && c_eresp >= 0 &&
				    num_u64(f[c_eresp], flen[c_eresp], UINT64_MAX, &v))
					out->resp_errors += v;
			}
		} else
			seen |= haproxy_stats_info(p, len, out);
		p += len;
		if (*p == '\n')
			p++;
	}
	out->valid = seen == 15;
	return out->valid;
}

static void
haproxy_stats_done(bool ok, const char *answer, void *arg)
{
	/* Failures are the health check's to report: never a line here. */
	struct haproxy_stats st;

	if (ok && haproxy_stats_parse(answer, &st)) {
		hs.last = st;
		hs.when = event_now();
	}
}

void
haproxy_stats_refresh(void)
{
	struct hacli_cmd cmd = { NULL, "Uptime_sec", false };

	if (!haproxy_loaded()) {
		hs.last.valid = false;	/* no figures of a HAProxy gone */
		return;
	}
	if (hs.cli.busy)
		return;
	if ((cmd.text = strdup("show info;show stat -1 3 -1\n")) == NULL)
		return;
	hacli_run_on(&hs.cli, hs.path, &cmd, 1, haproxy_stats_done, NULL);
}

static void
haproxy_stats_due(void *arg)
{
	event_timer_arm(&hs.timer, HASTATS_INTERVAL_MS);
	haproxy_stats_refresh();
}

int
haproxy_stats_start(const char *sock_path)
{
	snprintf(hs.path, sizeof(hs.path), "%s", sock_path);
	if (hs.started)
		return 0;
	if (event_timer_init(&hs.timer, haproxy_stats_due, NULL) == -1)
		return -1;
	hs.started = true;
	return event_timer_arm(&hs.timer, HASTATS_INTERVAL_MS);
}

const struct haproxy_stats *
haproxy_stats_last(int64_t *when)
{
	*when = hs.when;
	return &hs.last;
}
