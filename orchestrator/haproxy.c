/* HAProxy's shell: carries out what the life-cycle machine (haproxy_fsm)
 * decides, turns what happens to its processes into the machine's events,
 * and logs the transitions. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cert.h"
#include "event.h"
#include "fileio.h"
#include "haproxy.h"
#include "haproxy_cli.h"
#include "haproxy_fsm.h"
#include "haproxy_health.h"
#include "haproxy_log.h"
#include "haproxy_map.h"
#include "haproxy_procs.h"
#include "haproxy_stats.h"
#include "log.h"
#include "passive.h"
#include "proc.h"
#include "templates.h"
#include "tunnel.h"

#define HAPROXY_PATH_MAX	512
#define HAPROXY_CHECK_MS	10000

static struct {
	char run[HAPROXY_PATH_MAX];
	char cfg[HAPROXY_PATH_MAX], cfg_new[HAPROXY_PATH_MAX];
	char pid[HAPROXY_PATH_MAX], master_sock[HAPROXY_PATH_MAX];
	char api[HAPROXY_PATH_MAX], check_log[HAPROXY_PATH_MAX];
	char lua[HAPROXY_PATH_MAX], lua_connect[HAPROXY_PATH_MAX];
	char health[HAPROXY_PATH_MAX];
	const char *log_file;
	struct haproxy_fsm fsm;
	pid_t master;		/* 0 when not running */
	/* The forwarder's one copy of the proxy in effect, read at each
	 * check: an apply that waited renders the proxy wanted by then. */
	const struct proxy_addr *proxy;
	char checked[ADDR_STRLEN];	/* the proxy of the rendering checked, for the log */
	/* The proxy a start, reload or change in progress loads, and the one
	 * the worker forwards through (if known: not after a failed load). */
	struct proxy_addr loading, running;
	bool running_known;
	/* A mode change asked for the sessions of the former proxy to end:
	 * if the next check is a change at run time, it ends them again right
	 * after the change (both proxies share one server, so the first
	 * shutdown cannot reach the sessions that begin before the change). */
	bool shutdown_at_switch;
	struct haproxy_cbs cb;
	struct event_timer settle, restart, gap;	/* fd -1 until haproxy_init */
	bool set_up;		/* every timer and the health check made */
	int log_rd;		/* read end of HAProxy's stdout/stderr */
	char log_buf[2048];	/* a partial line carried to the next read */
	size_t log_len;
	int exit_status;	/* of the master that just exited, for the log */
	const char *health_why;	/* of the health check that just ended */
	struct haproxy_counters counters;
} hp = { .log_rd = -1, .settle = { .fd = -1 }, .restart = { .fd = -1 },
    .gap = { .fd = -1 } };

static int
haproxy_path(char *buf, const char *name)
{
	return fileio_path(buf, HAPROXY_PATH_MAX, hp.run, name);
}

static void haproxy_run(const struct hfsm_ev *);
static void haproxy_health_result(bool ok, const char *why, void *arg);

static void
haproxy_event(enum hfsm_event type)
{
	struct hfsm_ev ev = { .type = type };

	haproxy_run(&ev);
}

static void
haproxy_settle_due(void *arg)
{
	haproxy_event(HFSM_EV_SETTLE_DUE);
}

static void
haproxy_restart_due(void *arg)
{
	haproxy_event(HFSM_EV_RESTART_DUE);
}

static void
haproxy_gap_over(void *arg)
{
	haproxy_event(HFSM_EV_GAP_OVER);
}

int
haproxy_init(const char *run_dir, const char *log_file)
{
	const char *lua = templates_get("cert-request.lua");
	const char *lua_connect = templates_get("connect-tunnel.lua");

	if (!hp.set_up) {
		/* A retry after a failure part way makes only what is missing:
		 * no timer leaks, none is left unmade. */
		haproxy_fsm_init(&hp.fsm);
		if (event_timer_ensure(&hp.restart, haproxy_restart_due, NULL) == -1 ||
		    event_timer_ensure(&hp.settle, haproxy_settle_due, NULL) == -1 ||
		    event_timer_ensure(&hp.gap, haproxy_gap_over, NULL) == -1 ||
		    haproxy_health_init(haproxy_health_result, NULL) == -1)
			return -1;
		hp.counters.since = event_now();
		hp.set_up = true;
	}
	snprintf(hp.run, sizeof(hp.run), "%s", run_dir);
	hp.log_file = log_file;
	if (haproxy_path(hp.cfg, "haproxy.cfg") == -1 ||
	    haproxy_path(hp.cfg_new, "haproxy.cfg.new") == -1 ||
	    haproxy_path(hp.pid, "haproxy.pid") == -1 ||
	    haproxy_path(hp.master_sock, "haproxy-master.sock") == -1 ||
	    haproxy_path(hp.api, "haproxy.sock") == -1 ||
	    haproxy_path(hp.check_log, "haproxy-check.log") == -1 ||
	    haproxy_path(hp.lua, "cert-request.lua") == -1 ||
	    haproxy_path(hp.lua_connect, "connect-tunnel.lua") == -1 ||
	    haproxy_path(hp.health, "haproxy-health.sock") == -1 ||
	    haproxy_map_init(run_dir) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (haproxy_stats_start(hp.api) == -1)
		return -1;
	if (lua == NULL || fileio_replace(hp.lua, lua, strlen(lua), 0644) == -1 ||
	    lua_connect == NULL || fileio_replace(hp.lua_connect, lua_connect,
	    strlen(lua_connect), 0644) == -1)
		return -1;
	return 0;
}

void
haproxy_kill_stale(void)
{
	haproxy_procs_kill_stale(hp.cfg, hp.pid);
}

/* The master's own "[NOTICE]   (PID) : Loading success." (1) or
 * "[WARNING]  (PID) : Loading failure!" (-1); 0 for any other line (access
 * lines start with an address, never with "["). */
static int
haproxy_line_loaded(const char *line)
{
	char tag[40];

	if (hp.master <= 0 || line[0] != '[')
		return 0;
	snprintf(tag, sizeof(tag), "(%ld) : Loading ", (long)hp.master);
	if ((line = strstr(line, tag)) == NULL)
		return 0;
	line += strlen(tag);
	if (strcmp(line, "success.") == 0)
		return 1;
	return strcmp(line, "failure!") == 0 ? -1 : 0;
}
static void
haproxy_check_log(void)
{
	size_t len;
	char *out = fileio_read(hp.check_log, FILEIO_READ_MAX, O_NOFOLLOW, &len);
	char *line, *save = NULL;
	int n = 0;

	if (out == NULL)
		return;
	/* The alerts, not the version banner. */
	for (line = strtok_r(out, "\n", &save); line != NULL && n < 8;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "[NOTICE]") != NULL)
			continue;
		log_err("haproxy -c: %s", line);
		n++;
	}
	free(out);
}
/* HAProxy's output, one log line per line. It is relayed instead of
 * sharing the log file because HAProxy sets its stdout non-blocking with
 * F_SETFL, which drops O_APPEND, and would then write over our lines. */
static void
haproxy_log_relay(int fd, uint32_t events, void *arg)
{
	char *nl;
	ssize_t n;
	int loaded;

	n = read(fd, hp.log_buf + hp.log_len, sizeof(hp.log_buf) - 1 - hp.log_len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Every HAProxy process is gone. */
		event_del(fd);
		close(fd);
		hp.log_rd = -1;
		hp.log_len = 0;
		return;
	}
	hp.log_len += (size_t)n;
	hp.log_buf[hp.log_len] = '\0';
	while ((nl = memchr(hp.log_buf, '\n', hp.log_len)) != NULL) {
		*nl = '\0';
		if (nl > hp.log_buf && !tunnel_line_is_echo(hp.log_buf)) {
			log_haproxy_line(hp.log_buf);
			tunnel_log_line(hp.log_buf);
			passive_log_line(hp.log_buf);
		}
		if ((loaded = haproxy_line_loaded(hp.log_buf)) != 0)
			haproxy_event(loaded > 0 ? HFSM_EV_LOADED : HFSM_EV_LOAD_FAILED);
		hp.log_len -= (size_t)(nl + 1 - hp.log_buf);
		memmove(hp.log_buf, nl + 1, hp.log_len);
	}
	if (hp.log_len == sizeof(hp.log_buf) - 1) {
		log_haproxy_line(hp.log_buf);	/* overlong: cut */
		hp.log_len = 0;
	}
}

static void
haproxy_master_exited(pid_t pid, int status, void *arg)
{
	hp.master = 0;
	hp.exit_status = status;
	haproxy_event(HFSM_EV_EXITED);
}

static void
haproxy_health_result(bool ok, const char *why, void *arg)
{
	struct hfsm_ev ev = { .type = HFSM_EV_HEALTH, .ok = ok };

	if (!ok)
		log_debug("HAProxy health check missed: %s", why);
	hp.health_why = why;
	haproxy_run(&ev);
}

/* Spawns the master; false (and no master) when it cannot. */
static bool
haproxy_spawn(void)
{
	char sock_arg[HAPROXY_PATH_MAX + 16];
	char *argv[] = { HAPROXY_BIN, "-W", "-db", "-f", hp.cfg, "-p", hp.pid,
	    "-S", sock_arg, NULL };
	int pfd[2];
	pid_t pid;

	snprintf(sock_arg, sizeof(sock_arg), "%s,mode,600", hp.master_sock);
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		log_err("cannot start HAProxy: pipe: %s", strerror(errno));
		return false;
	}
	pid = proc_spawn(argv, pfd[1], pfd[1], 0, haproxy_master_exited, NULL);
	close(pfd[1]);
	if (pid == -1) {
		close(pfd[0]);
		log_err("cannot start HAProxy: %s", strerror(errno));
		return false;
	}
	if (hp.log_rd != -1) {
		event_del(hp.log_rd);
		close(hp.log_rd);
	}
	hp.log_rd = pfd[0];
	hp.log_len = 0;
	if (fcntl(hp.log_rd, F_SETFL, O_NONBLOCK) == -1 ||
	    event_add(hp.log_rd, EPOLLIN, haproxy_log_relay, NULL) == -1)
		log_warn("HAProxy's log will not be relayed: %s", strerror(errno));
	hp.master = pid;
	hp.counters.starts++;
	hp.counters.started = event_now();
	log_info("HAProxy started (master %ld)", (long)pid);
	return true;
}

static void
haproxy_checked(pid_t pid, int status, void *arg)
{
	struct hfsm_ev ev = { .type = HFSM_EV_CHECKED, .gen = (unsigned)(uintptr_t)arg };

	/* A check of before a stop: its file may be the one checked now. */
	if (ev.gen != hp.fsm.gen)
		return;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_err("rendered HAProxy configuration refused: the last good one "
		    "stays on disk");
		haproxy_check_log();
		unlink(hp.cfg_new);
		/* The last good file may point at another proxy than the one
		 * wanted: the forwarder decides (it tears down and retries). */
		ev.type = HFSM_EV_REFUSED;
	} else if (rename(hp.cfg_new, hp.cfg) == -1) {
		log_err("%s: %s", hp.cfg, strerror(errno));
		ev.type = HFSM_EV_REFUSED;
	}
	haproxy_run(&ev);
}

static void
haproxy_switched(bool ok, const char *answer, void *arg)
{
	struct hfsm_ev ev = { .type = HFSM_EV_SWITCHED, .gen = (unsigned)(uintptr_t)arg };

	if (!ok) {
		/* The map file names the wanted proxy: a reload reads it. */
		log_warn("HAProxy: proxy change at run time failed (%.120s): "
		    "reloading instead", answer);
		ev.type = HFSM_EV_CHECKED;
	}
	haproxy_run(&ev);
}

/* Only the proxy changes: the worker is told at run time, without a
 * reload (which would drop every pooled tunnel, and whose replaced worker
 * HAProxy 2.6.12 may crash on its way out). Pooled connections carry
 * their proxy in their key, so none to the former proxy is used again. */
static bool
haproxy_switch(const struct hfsm_actions *act, bool shutdown, struct hfsm_ev *next)
{
	/* Not even in the file: a reload would not take it either. */
	*next = (struct hfsm_ev){ .type = HFSM_EV_REFUSED, .gen = act->gen };
	if (haproxy_map_write(hp.proxy) == -1)
		return true;
	hp.loading = *hp.proxy;
	if (haproxy_map_change(hp.api, hp.proxy, shutdown, haproxy_switched,
	    (void *)(uintptr_t)act->gen) == 0)
		return false;
	log_warn("HAProxy: proxy change at run time not sent: reloading instead");
	next->type = HFSM_EV_CHECKED;
	return true;
}

/* Renders the configuration and starts haproxy -c on it. What it decides
 * at once (unchanged, or not even rendered) is the next event; an
 * unchanged configuration with another proxy is a change at run time. */
static bool
haproxy_check(const struct hfsm_actions *act, struct hfsm_ev *next)
{
	char *argv[] = { HAPROXY_BIN, "-c", "-f", hp.cfg_new, NULL };
	bool shutdown = hp.shutdown_at_switch;	/* for this check only */
	const char *why = "";
	char err[256];
	char *text;
	pid_t pid;
	int fd;

	hp.shutdown_at_switch = false;
	*next = (struct hfsm_ev){ .type = HFSM_EV_REFUSED, .gen = act->gen };
	if (tunnel_write_files(hp.run, err, sizeof(err)) == -1) {
		log_err("HAProxy configuration not rendered: %s", err);
		return true;
	}
	addr_format(hp.proxy, hp.checked);
	text = haproxy_render(hp.run, cert_crt_list(), tunnel_inspect(), &why);
	if (text == NULL) {
		log_err("HAProxy configuration not rendered: %s", why);
		return true;
	}
	/* The running HAProxy already has this configuration (a reload of
	 * ours that changed nothing it uses): a reload would only cost the
	 * clients' idle keep-alive connections and pooled tunnels. */
	if (act->may_skip && hp.running_known) {
		size_t len;
		char *cur = fileio_read(hp.cfg, FILEIO_READ_MAX, O_NOFOLLOW, &len);
		bool same = cur != NULL && len == strlen(text) &&
		    memcmp(cur, text, len) == 0;

		free(cur);
		if (same) {
			free(text);
			if (addr_cmp(&hp.running, hp.proxy) != 0)
				return haproxy_switch(act, shutdown, next);
			/* A refused check may have left another proxy in the
			 * file, which a restart would read. */
			if (addr_cmp(haproxy_map_written(), hp.proxy) != 0)
				haproxy_map_write(hp.proxy);
			next->type = HFSM_EV_SAME;
			return true;
		}
	}
	/* The start or reload reads the wanted proxy from the map. */
	if (haproxy_map_write(hp.proxy) == -1) {
		free(text);
		return true;
	}
	if (fileio_replace(hp.cfg_new, text, strlen(text), 0600) == -1) {
		log_err("%s: %s", hp.cfg_new, strerror(errno));
		free(text);
		return true;
	}
	free(text);
	fd = open(hp.check_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	pid = proc_spawn(argv, fd, fd, HAPROXY_CHECK_MS, haproxy_checked,
	    (void *)(uintptr_t)act->gen);
	if (fd != -1)
		close(fd);
	if (pid == -1) {
		log_err("cannot run haproxy -c: %s", strerror(errno));
		return true;
	}
	return false;
}

/* Carries out act; true with *next when an action decided the next event
 * at once. Callbacks to the forwarder come last: they may step again. */
static bool
haproxy_carry_out(const struct hfsm_actions *act, struct hfsm_ev *next)
{
	unsigned f = act->flags;
	bool more = false;

	if (f & HFSM_ACT_SETTLE_STOP)
		event_timer_stop(&hp.settle);
	if (f & HFSM_ACT_GAP_STOP)
		event_timer_stop(&hp.gap);
	if (f & HFSM_ACT_GAP_ARM)
		event_timer_arm(&hp.gap, HFSM_RELOAD_GAP_MS);
	if (f & HFSM_ACT_HEALTH_STOP)
		haproxy_health_stop();
	if (f & HFSM_ACT_RESTART_STOP)
		event_timer_stop(&hp.restart);
	if ((f & HFSM_ACT_KILL_ALL) && haproxy_procs_signal(hp.cfg, SIGKILL) > 0 &&
	    (f & HFSM_ACT_RESTART_ARM))
		log_info("killed the workers the HAProxy master left behind");
	if (f & HFSM_ACT_RESTART_ARM)
		event_timer_arm(&hp.restart, act->delay_ms);
	if ((f & HFSM_ACT_TERM) && hp.master > 0)
		kill(hp.master, SIGTERM);
	if (f & HFSM_ACT_LOADED) {
		haproxy_stats_refresh();
		haproxy_health_start(hp.health);
		hp.running = hp.loading;
		hp.running_known = true;
	}
	if (f & HFSM_ACT_COUNT_SWITCH) {
		hp.running = hp.loading;
		hp.running_known = true;
		hp.counters.proxy_switches++;
		log_info("HAProxy: forwarding through %s (changed at run time, no reload)",
		    hp.checked);
	}
	if (f & HFSM_ACT_COUNT_RELOAD) {
		hp.counters.reloads++;
		hp.counters.last_reload = event_now();
	}
	if (f & HFSM_ACT_COUNT_REFUSAL)
		hp.counters.reload_failures++;
	if (f & HFSM_ACT_CHECK)
		more = haproxy_check(act, next);
	if ((f & HFSM_ACT_START) && !haproxy_spawn()) {
		/* No load began: nothing to settle, no files read. */
		*next = (struct hfsm_ev){ .type = HFSM_EV_EXITED };
		hp.exit_status = 0;
		return true;
	}
	if ((f & HFSM_ACT_RELOAD) && hp.master > 0) {
		log_info("HAProxy reload: forwarding through %s", hp.checked);
		kill(hp.master, SIGUSR2);
	}
	if (f & (HFSM_ACT_START | HFSM_ACT_RELOAD)) {
		/* Until its load is reported, what the worker runs is unknown. */
		hp.loading = *haproxy_map_written();
		hp.running_known = false;
		event_timer_arm(&hp.settle, HFSM_SETTLE_MS);
		if (hp.cb.loading != NULL)
			hp.cb.loading();
	}
	if ((f & HFSM_ACT_READY) && hp.cb.ready != NULL)
		hp.cb.ready();
	if ((f & HFSM_ACT_FAILED) && hp.cb.failed != NULL)
		hp.cb.failed();
	if ((f & HFSM_ACT_HUNG) && hp.cb.hung != NULL)
		hp.cb.hung();
	return more;
}

static void
haproxy_run(const struct hfsm_ev *ev)
{
	struct hfsm_actions act;
	struct hfsm_ev next;

	/* Bounded: an event decided at once is a check's (unchanged,
	 * unrenderable) or a failed spawn's, each a state further. */
	for (int i = 0; i < 8; i++) {
		haproxy_fsm_step(&hp.fsm, ev, event_mono_ms(), &act);
		haproxy_log_step(ev, &act, hp.exit_status, hp.health_why);
		if (!haproxy_carry_out(&act, &next))
			return;
		ev = &next;
	}
}

int
haproxy_apply(const struct proxy_addr *proxy, bool force)
{
	struct hfsm_ev ev = { .type = HFSM_EV_APPLY, .force = force };

	hp.proxy = proxy;
	haproxy_run(&ev);
	return 0;
}

static void
haproxy_sessions_done(bool ok, const char *answer, void *arg)
{
	if (!ok)
		log_warn("HAProxy: sessions of the previous proxy not cleared: %.80s",
		    answer);
}

void
haproxy_shutdown_sessions(void)
{
	struct hacli_cmd cmd[2] = { 0 };

	if (hp.master == 0)
		return;
	hp.shutdown_at_switch = true;
	haproxy_map_shutdown_cmds(cmd);
	hacli_run(hp.api, cmd, 2, haproxy_sessions_done, NULL);
}
void
haproxy_stop(bool wait)
{
	if (!hp.set_up)
		return;		/* never set up */
	haproxy_event(HFSM_EV_STOP);
	if (!wait || hp.master <= 0)
		return;
	/* At daemon exit the loop no longer runs: reap it here, bounded. */
	for (int i = 0; i < 50; i++) {
		if (waitpid(hp.master, NULL, WNOHANG) == hp.master)
			break;
		usleep(100000);
	}
	proc_forget(hp.master);
	hp.master = 0;
	hp.exit_status = 0;
	haproxy_event(HFSM_EV_EXITED);
	unlink(hp.pid);
}

bool
haproxy_running(void)
{
	return hp.master > 0;
}

bool
haproxy_loaded(void)
{
	return hp.master > 0 && haproxy_fsm_loaded(&hp.fsm);
}

bool
haproxy_answering(void)
{
	return hp.fsm.watch.state != HPW_NOT_ANSWERING;
}

const struct haproxy_counters *
haproxy_counters(void)
{
	return &hp.counters;
}

void
haproxy_on_events(const struct haproxy_cbs *cb)
{
	hp.cb = *cb;
}
