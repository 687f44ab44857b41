/* Event loop on epoll. Handlers are kept in a small table indexed by
 * descriptor number; the daemon uses a few dozen descriptors at most. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "log.h"

#define EVENT_MAX_FD	1024

/* gen changes with every registration of a descriptor number, and each
 * epoll entry carries the gen it was registered with: an event still in
 * the current batch for a descriptor that a handler closed (and whose
 * number a new socket reused) is recognised as stale and dropped, instead
 * of reaching the new handler (a stale EPOLLOUT would pass for a connect
 * that has not happened). */
struct event_slot {
	event_cb cb;
	void *arg;
	uint32_t gen;
};

static int event_epfd = -1;
static bool event_stop;
static struct event_slot event_slots[EVENT_MAX_FD];

int
event_init(void)
{
	event_epfd = epoll_create1(EPOLL_CLOEXEC);
	return event_epfd == -1 ? -1 : 0;
}

void
event_fini(void)
{
	if (event_epfd != -1)
		close(event_epfd);
	event_epfd = -1;
}

static uint64_t
event_data(int fd)
{
	return (uint64_t)event_slots[fd].gen << 32 | (uint32_t)fd;
}

int
event_add(int fd, uint32_t events, event_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0 || fd >= EVENT_MAX_FD) {
		errno = EMFILE;
		return -1;
	}
	event_slots[fd].gen++;
	ev.data.u64 = event_data(fd);
	if (epoll_ctl(event_epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -1;
	event_slots[fd].cb = cb;
	event_slots[fd].arg = arg;
	return 0;
}

int
event_mod(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0 || fd >= EVENT_MAX_FD) {
		errno = EBADF;
		return -1;
	}
	ev.data.u64 = event_data(fd);
	return epoll_ctl(event_epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
event_del(int fd)
{
	if (fd < 0 || fd >= EVENT_MAX_FD)
		return;
	epoll_ctl(event_epfd, EPOLL_CTL_DEL, fd, NULL);
	event_slots[fd].cb = NULL;
	event_slots[fd].arg = NULL;
}

void
event_close(int *fd)
{
	if (*fd == -1)
		return;
	event_del(*fd);
	close(*fd);
	*fd = -1;
}

void
event_break(void)
{
	event_stop = true;
}

int
event_run(void)
{
	struct epoll_event evs[32];

	event_stop = false;
	while (!event_stop) {
		int n = epoll_wait(event_epfd, evs, 32, -1);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n && !event_stop; i++) {
			int fd = (int)(uint32_t)evs[i].data.u64;
			uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);

			/* A handler may have closed another descriptor of this
			 * batch, and a new one may have its number. */
			if (event_slots[fd].cb != NULL && event_slots[fd].gen == gen)
				event_slots[fd].cb(fd, evs[i].events, event_slots[fd].arg);
		}
	}
	return 0;
}

static void
event_timer_fired(int fd, uint32_t events, void *arg)
{
	struct event_timer *t = arg;
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;		/* spurious wake-up or re-armed meanwhile */
	t->cb(t->arg);
}

int
event_timer_init(struct event_timer *t, void (*cb)(void *), void *arg)
{
	t->cb = cb;
	t->arg = arg;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd == -1)
		return -1;
	if (event_add(t->fd, EPOLLIN, event_timer_fired, t) == -1) {
		close(t->fd);
		t->fd = -1;
		return -1;
	}
	return 0;
}

int
event_timer_ensure(struct event_timer *t, void (*cb)(void *), void *arg)
{
	return t->fd != -1 ? 0 : event_timer_init(t, cb, arg);
}

int
event_timer_arm(struct event_timer *t, uint64_t ms)
{
	struct itimerspec its = { 0 };

	if (ms == 0)
		ms = 1;		/* 0 would disarm */
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	return timerfd_settime(t->fd, 0, &its, NULL);
}

void
event_timer_stop(struct event_timer *t)
{
	struct itimerspec its = { 0 };

	if (t->fd != -1)
		timerfd_settime(t->fd, 0, &its, NULL);
}

bool
event_timer_armed(const struct event_timer *t)
{
	struct itimerspec its;

	if (t->fd == -1 || timerfd_gettime(t->fd, &its) == -1)
		return false;
	return its.it_value.tv_sec != 0 || its.it_value.tv_nsec != 0;
}

void
event_timer_fini(struct event_timer *t)
{
	if (t->fd == -1)
		return;
	event_close(&t->fd);
}

int64_t
event_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t
event_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
