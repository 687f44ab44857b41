/* The management proxy alarm: state and its rendering. */
#include <stdio.h>
#include <time.h>

#include "alarm.h"

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
