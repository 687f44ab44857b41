/* The management proxy alarm: state and its rendering. */
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "alarm.h"
#include "num.h"

void
alarm_raise(struct alarm *a, const struct proxy_addr *proxy, int64_t now)
{
	a->active = true;
	a->seq++;
	a->raised = now;
	a->proxy = *proxy;
}

void
alarm_clear(struct alarm *a)
{
	a->active = false;
}

void
alarm_id(const struct alarm *a, const char *node, const char *router,
    char buf[ALARM_ID_MAX])
{
	snprintf(buf, ALARM_ID_MAX, "%s.%s:%u", node, router, a->seq);
}

void
alarm_time(int64_t t, char buf[ALARM_TIME_MAX])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, ALARM_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool
alarm_seq_parse(const char *buf, size_t len, unsigned *seq)
{
	uint64_t v;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	/* The next raise adds one: the largest must leave room for it. */
	if (!num_u64(buf, len, UINT_MAX - 1u, &v))
		return false;
	*seq = (unsigned)v;
	return true;
}

size_t
alarm_seq_format(unsigned seq, char buf[ALARM_SEQ_MAX])
{
	return (size_t)snprintf(buf, ALARM_SEQ_MAX, "%u\n", seq);
}
