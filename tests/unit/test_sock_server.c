/* The stream server (sock_server.c) on the real event loop, with clients
 * of this process on a unix socket in a temporary directory. Waits are
 * bounded far above the deadlines under test: what is checked is who is
 * closed and who is not, never how fast. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "event.h"
#include "sock_server.h"
#include "unit.h"

static struct sockaddr_un sun = { .sun_family = AF_UNIX };
static char dir[64];
static struct event_timer stop;
static bool answer;		/* request hook: reply "ok\n" or hold */

static enum sock_input
t_input(struct sock_client *c)
{
	return strchr(c->req, '\n') != NULL ? SOCK_INPUT_COMPLETE : SOCK_INPUT_MORE;
}

static void
t_request(struct sock_client *c)
{
	if (answer)
		sock_server_reply(c, "ok\n");
}

static const struct sock_server_ops t_ops = { .input = t_input, .request = t_request };

static void
t_stop(void *arg)
{
	event_break();
}

static void
t_run(unsigned ms)
{
	event_timer_arm(&stop, ms);
	ck_assert_int_eq(event_run(), 0);
}

/* A server for one test, listening; it answers requests or holds them. */
static void
t_open(struct sock_server *s, size_t slots, size_t req_max, int64_t request_ms,
    int64_t deadline_ms, bool evict_idle, enum sock_full full, bool answers)
{
	answer = answers;
	*s = (struct sock_server){ .name = "t", .slots = slots, .req_max = req_max,
	    .backlog = 4, .request_ms = request_ms, .deadline_ms = deadline_ms,
	    .evict_idle = evict_idle, .full = full };
	snprintf(dir, sizeof(dir), "/tmp/test_sock_server.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s.sock", dir);
	ck_assert_int_eq(event_init(), 0);
	ck_assert_int_eq(event_timer_init(&stop, t_stop, NULL), 0);
	s->ops = &t_ops;
	s->lfd = -1;
	s->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 5);
	ck_assert_int_eq(sock_server_init(s), 0);
	ck_assert_int_eq(sock_server_listen(s, (struct sockaddr *)&sun, sizeof(sun), 0077), 0);
}

static void
t_close(struct sock_server *s)
{
	sock_server_fini(s);
	event_timer_fini(&stop);
	event_fini();
	rmdir(dir);
}

static int
t_connect(const char *send)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (send != NULL)
		ck_assert_int_eq(write(fd, send, strlen(send)), (ssize_t)strlen(send));
	return fd;
}

/* True once the server closed fd (EOF after whatever it sent). */
static bool
t_closed(int fd)
{
	char buf[64];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	return n == 0 || (n == -1 && errno != EAGAIN);
}

/* Runs the loop until fd is closed, at most `bound` ms. */
static bool
t_wait_closed(int fd, unsigned bound)
{
	for (unsigned t = 0; t < bound; t += 50) {
		if (t_closed(fd))
			return true;
		t_run(50);
	}
	return t_closed(fd);
}

START_TEST(request_deadline_before_a_later_answer_deadline)
{
	/* A request waiting long for its answer must not postpone the
	 * deadline of a client accepted after it that sends nothing. */
	struct sock_server s;
	int waiting, idle;

	t_open(&s, 4, 64, 100, 60000, false, SOCK_FULL_CLOSE, false);
	waiting = t_connect("name\n");
	t_run(300);	/* past its request deadline: the timer now waits for its answer's */
	idle = t_connect(NULL);
	ck_assert(t_wait_closed(idle, 10000));
	ck_assert(!t_closed(waiting));
	close(waiting);
	close(idle);
	t_close(&s);
}
END_TEST

START_TEST(answer_then_close)
{
	struct sock_server s;
	char buf[8] = "";
	int fd;

	t_open(&s, 2, 64, 5000, 5000, false, SOCK_FULL_CLOSE, true);
	fd = t_connect("x\n");
	t_run(50);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT), 3);
	ck_assert_str_eq(buf, "ok\n");
	ck_assert(t_wait_closed(fd, 10000));
	close(fd);
	t_close(&s);
}
END_TEST

/* One client sending `send` to a server with these bounds is closed. */
static void
t_expect_closed(size_t req_max, int64_t request_ms, int64_t deadline_ms,
    const char *send)
{
	struct sock_server s;
	int fd;

	t_open(&s, 2, req_max, request_ms, deadline_ms, false, SOCK_FULL_CLOSE, false);
	fd = t_connect(send);
	ck_assert(t_wait_closed(fd, 10000));
	close(fd);
	t_close(&s);
}

START_TEST(closed_at_each_bound)
{
	t_expect_closed(64, 100, 60000, NULL);			/* no request in time */
	t_expect_closed(64, 60000, 200, "held\n");		/* no answer in time */
	t_expect_closed(8, 60000, 60000, "0123456789");	/* request too long */
}
END_TEST

START_TEST(full_the_oldest_idle_makes_room)
{
	struct sock_server s;
	int a, b, c;

	t_open(&s, 2, 64, 60000, 60000, true, SOCK_FULL_BACKLOG, false);
	a = t_connect(NULL);
	t_run(50);
	b = t_connect(NULL);
	t_run(50);
	c = t_connect("name\n");
	ck_assert(t_wait_closed(a, 10000));
	t_run(50);
	ck_assert(!t_closed(b));
	ck_assert(!t_closed(c));
	/* b is still idle: the next newcomer closes it; c, which asked,
	 * stays. */
	close(t_connect("other\n"));
	ck_assert(t_wait_closed(b, 10000));
	ck_assert(!t_closed(c));
	close(a);
	close(b);
	close(c);
	t_close(&s);
}
END_TEST

START_TEST(full_of_requests_newcomers_wait_in_the_backlog)
{
	struct sock_server s;
	int a, b;

	t_open(&s, 1, 64, 60000, 60000, true, SOCK_FULL_BACKLOG, false);
	a = t_connect("one\n");
	t_run(50);
	b = t_connect("two\n");		/* in the backlog: not refused */
	t_run(100);
	ck_assert(!t_closed(a));
	ck_assert(!t_closed(b));
	ck_assert(s.c[0].complete);
	ck_assert_str_eq(s.c[0].req, "one\n");
	/* The slot frees: the waiting one is taken and read. */
	sock_server_drop(&s.c[0]);
	t_run(100);
	ck_assert(t_closed(a));
	ck_assert(s.c[0].fd != -1 && s.c[0].complete);
	ck_assert_str_eq(s.c[0].req, "two\n");
	close(a);
	close(b);
	t_close(&s);
}
END_TEST

START_TEST(a_client_carries_its_peer_credentials)
{
	/* Read once at accept: the owner's role checks use these. */
	struct sock_server s;
	int fd;

	t_open(&s, 1, 64, 60000, 60000, false, SOCK_FULL_CLOSE, false);
	fd = t_connect("x\n");
	t_run(50);
	ck_assert_int_ne(s.c[0].fd, -1);
	ck_assert_int_eq(s.c[0].uid, geteuid());
	ck_assert_int_eq(s.c[0].gid, getegid());
	ck_assert(s.c[0].privileged);
	close(fd);
	t_close(&s);
}
END_TEST

START_TEST(a_failed_init_keeps_nothing)
{
	/* No descriptor left for the deadline timer: the init fails, and the
	 * next one must not find a half-made server and call it ready. */
	struct sock_server s = { .name = "t", .slots = 2, .req_max = 64, .ops = &t_ops,
	    .lfd = -1 };
	struct rlimit old, low;
	int lowest;

	ck_assert_int_eq(event_init(), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ne(lowest, -1);
	close(lowest);
	low = (struct rlimit){ .rlim_cur = (rlim_t)lowest, .rlim_max = old.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ck_assert_int_eq(sock_server_init(&s), -1);
	ck_assert_ptr_null(s.c);
	ck_assert_int_eq(sock_server_init(&s), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(sock_server_init(&s), 0);
	ck_assert_ptr_nonnull(s.c);
	sock_server_fini(&s);
	event_fini();
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		request_deadline_before_a_later_answer_deadline, closed_at_each_bound,
		answer_then_close, full_the_oldest_idle_makes_room,
		full_of_requests_newcomers_wait_in_the_backlog, a_failed_init_keeps_nothing,
		a_client_carries_its_peer_credentials,
	};
	Suite *s = suite_create("sock_server");
	TCase *tc = tcase_create("sock_server");

	tcase_set_timeout(tc, 60);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}
