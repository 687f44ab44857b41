/* The one alarm this feature raises:
 * critical, category service, source ManagementProxy. Each raise gets the
 * next sequence number, so an operator can tell one outage from the next. */
#ifndef ALARM_H
#define ALARM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

#define ALARM_MESSAGE	"Management Proxy is unreachable"
#define ALARM_SEVERITY	"critical"
#define ALARM_CATEGORY	"service"
#define ALARM_SOURCE	"ManagementProxy"
#define ALARM_ID_MAX	(2 * CFG_NAME_MAX + 16)
#define ALARM_TIME_MAX	32

struct alarm {
	bool active;
	unsigned seq;			/* last sequence number used */
	int64_t raised;			/* epoch seconds */
	struct proxy_addr proxy;
};

void alarm_raise(struct alarm *, const struct proxy_addr *, int64_t now);
void alarm_clear(struct alarm *);
/* "NODE.ROUTER:N" */
void alarm_id(const struct alarm *, const char *node, const char *router,
    char buf[ALARM_ID_MAX]);
/* Sequence numbers go on across restarts: the last one used is kept in
 * a state file of one decimal line, written before the number is used. */
#define ALARM_SEQ_FILE	"alarm-seq"
#define ALARM_SEQ_MAX	16
/* Pure: the file's content; false when it is not one number. */
bool alarm_seq_parse(const char *buf, size_t len, unsigned *seq);
/* Pure: the content for seq; its length. */
size_t alarm_seq_format(unsigned seq, char buf[ALARM_SEQ_MAX]);
/* ISO-8601 UTC, "2026-11-24T13:23:17Z" */
void alarm_time(int64_t t, char buf[ALARM_TIME_MAX]);
#endif
