/* The forwarding machine on a simulated clock (forward_fsm.c), with
 * HAProxy's answers played by hand: the paths the integration tests found
 * bugs in. */
#include "forward_fsm.h"
#include "unit.h"

static struct forward_fsm f;
static struct ffsm_actions act;
static int64_t now;
/* What HAProxy does, as the shell would ask it. */
static bool hp_loaded, hp_answering;
static struct proxy_addr A = { 0xcb00710au, 3128 };	/* 203.0.113.10 */
static struct proxy_addr B = { 0xcb00710bu, 3128 };	/* 203.0.113.11 */

#define HAS(fl)	((act.flags & (fl)) != 0)

static void
step(struct ffsm_ev *e)
{
	e->hp_loaded = hp_loaded;
	e->hp_answering = hp_answering;
	forward_fsm_step(&f, e, now, &act);
}

static void
ev(enum ffsm_event type)
{
	struct ffsm_ev e = { .type = type };

	step(&e);
}

static void
configure(enum mp_forwarder kind, bool ca_ok, bool changed, bool force)
{
	struct ffsm_ev e = { .type = FFSM_EV_CONFIGURE, .kind = kind, .ca_ok = ca_ok,
	    .changed = changed, .force = force };

	step(&e);
}

static void
enable(const struct proxy_addr *p)
{
	struct ffsm_ev e = { .type = FFSM_EV_ENABLE, .proxy = *p };

	step(&e);
}

static const char *
status(bool running, bool *forwarding)
{
	return forward_fsm_status(&f, running, hp_answering, forwarding);
}

/* Forwarding through p: HAProxy loaded, the table in. */
static void
forwarding(const struct proxy_addr *p)
{
	enable(p);
	hp_loaded = true;
	ev(FFSM_EV_READY);
	ck_assert_int_eq(f.state, FFSM_ON);
}

/* Interception out, HAProxy stopped, forwarding that ran is gone. */
static void
torn_down_to(enum ffsm_state to)
{
	ck_assert_int_eq(f.state, to);
	ck_assert(HAS(FFSM_ACT_TABLE_DEL) && HAS(FFSM_ACT_HAPROXY_STOP));
	ck_assert(act.torn_down);
}

static void
setup(void)
{
	forward_fsm_init(&f);
	now = 5000;
	hp_loaded = false;
	hp_answering = true;
	configure(FWD_HAPROXY, true, true, false);
}

START_TEST(table_only_after_the_listeners)
{
	bool fw;

	ck_assert_int_eq(f.state, FFSM_OFF);
	ck_assert_str_eq(status(false, &fw), "off");
	enable(&A);
	ck_assert_int_eq(f.state, FFSM_WAITING);
	ck_assert(HAS(FFSM_ACT_APPLY));
	ck_assert(!HAS(FFSM_ACT_TABLE_ADD));	/* TPROXY would find no socket */
	ck_assert_int_eq(addr_cmp(&f.proxy, &A), 0);
	ck_assert_str_eq(status(false, &fw), "starting");
	ck_assert(!fw);
	hp_loaded = true;
	ev(FFSM_EV_READY);
	ck_assert_int_eq(f.state, FFSM_ON);
	ck_assert(HAS(FFSM_ACT_TABLE_ADD));
	ck_assert_int_eq(act.t.from, FFSM_WAITING);
	ck_assert_str_eq(act.t.cause, "HAProxy ready");
	ck_assert_str_eq(status(true, &fw), "forwarding");
	ck_assert(fw);
	ck_assert_str_eq(status(false, &fw), "starting");	/* died: restarting */
	ck_assert(!fw);
}
END_TEST

/* A running HAProxy keeps listening through its reload: a new proxy gets
 * the table (with its own address exempted) at once. */
START_TEST(new_proxy_while_listening_keeps_the_table)
{
	forwarding(&A);
	enable(&B);
	ck_assert_int_eq(f.state, FFSM_ON);
	ck_assert(HAS(FFSM_ACT_APPLY) && HAS(FFSM_ACT_TABLE_ADD));
	ck_assert(!HAS(FFSM_ACT_TABLE_DEL));
	ck_assert_int_eq(addr_cmp(&f.proxy, &B), 0);
}
END_TEST

START_TEST(refused_configuration_fails_and_retries)
{
	bool fw;

	enable(&A);
	ev(FFSM_EV_REFUSED);
	torn_down_to(FFSM_FAILED);
	ck_assert_str_eq(status(false, &fw), "failed");
	ck_assert(!forward_fsm_active(&f));
	/* The next successful probe tries again. */
	ev(FFSM_EV_RETRY);
	ck_assert_int_eq(f.state, FFSM_WAITING);
	ck_assert(HAS(FFSM_ACT_APPLY));
	/* A retry while forwarding does nothing. */
	hp_loaded = true;
	ev(FFSM_EV_READY);
	ev(FFSM_EV_RETRY);
	ck_assert_uint_eq(act.flags, 0);
}
END_TEST

START_TEST(hung_haproxy_loses_interception_then_gets_it_back)
{
	bool fw;

	forwarding(&A);
	hp_loaded = false;
	hp_answering = false;
	ev(FFSM_EV_HUNG);
	ck_assert_int_eq(f.state, FFSM_NOT_ANSWERING);
	ck_assert(HAS(FFSM_ACT_TABLE_DEL));
	ck_assert(!HAS(FFSM_ACT_HAPROXY_STOP));		/* HAProxy is kept */
	ck_assert_str_eq(status(true, &fw), "not-answering");
	ck_assert(!fw);
	ck_assert(forward_fsm_active(&f));		/* no loss reported */
	/* A new proxy meanwhile: HAProxy reloads, still no table. */
	enable(&B);
	ck_assert_int_eq(f.state, FFSM_NOT_ANSWERING);
	ck_assert(HAS(FFSM_ACT_APPLY) && !HAS(FFSM_ACT_TABLE_ADD));
	hp_loaded = hp_answering = true;
	ev(FFSM_EV_READY);
	ck_assert_int_eq(f.state, FFSM_ON);
	ck_assert(HAS(FFSM_ACT_TABLE_ADD));
	ck_assert_str_eq(status(true, &fw), "forwarding");
}
END_TEST

START_TEST(hung_while_waiting_needs_no_removal)
{
	enable(&A);
	hp_answering = false;
	ev(FFSM_EV_HUNG);
	ck_assert_int_eq(f.state, FFSM_NOT_ANSWERING);
	ck_assert_uint_eq(act.flags, 0);
}
END_TEST

START_TEST(table_refused_tears_down)
{
	forwarding(&A);
	ev(FFSM_EV_TABLE_FAILED);
	torn_down_to(FFSM_FAILED);
}
END_TEST

/* Another process that keeps removing the table is not fought: no retry
 * at probes within the hold, a reload asks again at once. */
START_TEST(lost_interception_holds_retries)
{
	forwarding(&A);
	{
		struct ffsm_ev e = { .type = FFSM_EV_LOST, .hold_ms = 60000 };

		step(&e);
	}
	torn_down_to(FFSM_FAILED);
	now += 59999;
	ev(FFSM_EV_RETRY);
	ck_assert_int_eq(f.state, FFSM_FAILED);
	ck_assert_uint_eq(act.flags, 0);
	now += 1;
	ev(FFSM_EV_RETRY);
	ck_assert_int_eq(f.state, FFSM_ON);
	ck_assert(HAS(FFSM_ACT_APPLY) && HAS(FFSM_ACT_TABLE_ADD));
}
END_TEST

START_TEST(reload_asks_again_during_the_hold)
{
	struct ffsm_ev e = { .type = FFSM_EV_LOST, .hold_ms = 60000 };

	forwarding(&A);
	step(&e);
	configure(FWD_HAPROXY, true, false, false);
	ck_assert_int_eq(f.state, FFSM_ON);
	ck_assert(HAS(FFSM_ACT_APPLY));
}
END_TEST

START_TEST(unchanged_reload_touches_nothing)
{
	forwarding(&A);
	configure(FWD_HAPROXY, true, false, false);
	ck_assert_uint_eq(act.flags, 0);
	ck_assert_int_eq(f.state, FFSM_ON);
	configure(FWD_HAPROXY, true, true, false);	/* interception changed */
	ck_assert(HAS(FFSM_ACT_APPLY) && HAS(FFSM_ACT_TABLE_ADD));
	ck_assert(!act.force);
}
END_TEST

/* Leaves minted from another CA are new files under the same names. */
START_TEST(ca_change_forces_the_reload)
{
	forwarding(&A);
	configure(FWD_HAPROXY, true, false, true);
	ck_assert(HAS(FFSM_ACT_APPLY));
	ck_assert(act.force);
}
END_TEST

START_TEST(no_ca_no_forwarding)
{
	bool fw;

	enable(&A);
	configure(FWD_HAPROXY, false, false, true);
	ck_assert_int_eq(f.state, FFSM_FAILED);
	ck_assert(HAS(FFSM_ACT_TABLE_DEL) && HAS(FFSM_ACT_HAPROXY_STOP));
	ev(FFSM_EV_RETRY);
	ck_assert_int_eq(f.state, FFSM_FAILED);	/* still no CA */
	ck_assert(!HAS(FFSM_ACT_APPLY));
	ck_assert_str_eq(status(false, &fw), "failed");
	configure(FWD_HAPROXY, true, false, true);
	ck_assert_int_eq(f.state, FFSM_WAITING);
	ck_assert(HAS(FFSM_ACT_APPLY));
}
END_TEST

START_TEST(disable_turns_everything_off)
{
	bool fw;

	forwarding(&A);
	ev(FFSM_EV_DISABLE);
	torn_down_to(FFSM_OFF);
	ck_assert_str_eq(status(true, &fw), "off");
	ev(FFSM_EV_RETRY);
	ck_assert_uint_eq(act.flags, 0);
	ev(FFSM_EV_READY);			/* a late report of HAProxy */
	ck_assert_int_eq(f.state, FFSM_OFF);
	ck_assert_uint_eq(act.flags, 0);
}
END_TEST

START_TEST(observe_mode_and_back)
{
	bool fw;

	configure(FWD_NONE, false, false, false);
	enable(&A);
	ck_assert_int_eq(f.state, FFSM_OBSERVING);
	ck_assert_uint_eq(act.flags, 0);
	ck_assert_str_eq(status(false, &fw), "observing");
	ck_assert(fw);
	/* From observing to forwarding: HAProxy starts. */
	configure(FWD_HAPROXY, true, true, false);
	ck_assert_int_eq(f.state, FFSM_WAITING);
	ck_assert(HAS(FFSM_ACT_APPLY));
	/* And back: interception and HAProxy go, the proxy stays in effect. */
	configure(FWD_NONE, false, false, false);
	ck_assert_int_eq(f.state, FFSM_OBSERVING);
	ck_assert(HAS(FFSM_ACT_TABLE_DEL) && HAS(FFSM_ACT_HAPROXY_STOP));
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(forward_fsm_state_name(FFSM_OFF), "off");
	ck_assert_str_eq(forward_fsm_state_name(FFSM_WAITING), "waiting");
	ck_assert_str_eq(forward_fsm_state_name(FFSM_NOT_ANSWERING), "not-answering");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		table_only_after_the_listeners,
		new_proxy_while_listening_keeps_the_table,
		refused_configuration_fails_and_retries,
		hung_haproxy_loses_interception_then_gets_it_back,
		hung_while_waiting_needs_no_removal,
		table_refused_tears_down, lost_interception_holds_retries,
		reload_asks_again_during_the_hold,
		unchanged_reload_touches_nothing,
		ca_change_forces_the_reload, no_ca_no_forwarding,
		disable_turns_everything_off, observe_mode_and_back, names,
		NULL,
	};

	return unit_suite_of("forward_fsm", setup, NULL, tests);
}
