/* The daemon's one event loop: epoll over non-blocking descriptors, one
 * timerfd per timer, signals read from a signalfd. Nothing polls: with no
 * timer due and no input, epoll_wait sleeps. Written by hand rather than on
 * libevent because the daemon has a handful of descriptors and timers, and
 * timerfd/signalfd give exactly the needed semantics in ~150 lines. */
#ifndef EVENT_H
#define EVENT_H
#include <stdbool.h>
#include <stdint.h>

typedef void (*event_cb)(int fd, uint32_t events, void *arg);

struct event_timer {
	int fd;
	void (*cb)(void *arg);
	void *arg;
};

int  event_init(void);
void event_fini(void);
int  event_add(int fd, uint32_t events, event_cb cb, void *arg);
int  event_mod(int fd, uint32_t events);
void event_del(int fd);
/* event_del and close *fd, then -1 in it; nothing when it is -1. */
void event_close(int *fd);
/* Runs until event_break(); -1 on a loop error. */
int  event_run(void);
void event_break(void);

int  event_timer_init(struct event_timer *, void (*cb)(void *), void *arg);
/* event_timer_init unless the timer exists (fd not -1): a set-up retried
 * after a failure part way makes only what is missing. */
int  event_timer_ensure(struct event_timer *, void (*cb)(void *), void *arg);
/* (Re)arm to fire once after ms milliseconds. */
int  event_timer_arm(struct event_timer *, uint64_t ms);
void event_timer_stop(struct event_timer *);
bool event_timer_armed(const struct event_timer *);
void event_timer_fini(struct event_timer *);

/* Seconds of the realtime clock (lease expiry is wall-clock time) and of
 * the monotonic clock (intervals). */
int64_t event_now(void);
int64_t event_mono_ms(void);
#endif
