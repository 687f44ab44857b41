/* HAProxy life cycle. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "event.h"
#include "haproxy.h"
#include "haproxy_cli.h"
#include "haproxy_health.h"
#include "haproxy_stats.h"
#include "haproxy_watch.h"
#include "log.h"
#include "passive.h"
#include "proc.h"
#include "render.h"
#include "statefile.h"
#include "templates.h"
#include "tunnel.h"

#define HAPROXY_PATH_MAX	512
#define HAPROXY_CHECK_MS	10000
#define HAPROXY_SETTLE_MS	15000	/* a start or reload reports its end by then */
#define HAPROXY_RELOAD_GAP_MS	3000	/* from a load's end to the next reload */

static struct {
	char run[HAPROXY_PATH_MAX];
	char cfg[HAPROXY_PATH_MAX], cfg_new[HAPROXY_PATH_MAX];
	char pid[HAPROXY_PATH_MAX], master_sock[HAPROXY_PATH_MAX];
	char api[HAPROXY_PATH_MAX], check_log[HAPROXY_PATH_MAX];
	char lua[HAPROXY_PATH_MAX], lua_connect[HAPROXY_PATH_MAX];
	char health[HAPROXY_PATH_MAX];
	const char *log_file;
	pid_t master;		/* 0 when not running */
	pid_t checking;		/* haproxy -c in progress */
	bool want;		/* should be running */
	bool pending;		/* another apply arrived during the check */
	/* A start or reload the master has not yet reported done ("Loading
	 * success." / "Loading failure!"). A SIGUSR2 sent meanwhile is lost
	 * (seen: two reloads 90 ms apart left the first configuration in
	 * force) or kills a master still starting, so the next one waits. */
	bool settling;
	/* Settling still, after "Loading success.": a worker replaced within
	 * seconds of its start was seen to crash on exit (SIGSEGV in
	 * HAProxy 2.6.12's listener unbinding) and its successor to miss the
	 * listening sockets (new connections refused), so the next reload
	 * waits HAPROXY_RELOAD_GAP_MS. */
	bool gap;
	bool term_sent;		/* SIGTERM sent: the master is on its way out */
	bool loaded;		/* the master reported "Loading success." */
	bool force;		/* reload even if the rendered text is the same */
	void (*loading)(void);	/* called when a start or reload begins */
	void (*ready)(void);	/* called at each "Loading success." */
	void (*failed)(void);	/* a configuration was refused */
	void (*hung)(void);	/* the worker stopped answering */
	struct haproxy_watch watch;
	struct event_timer settle;
	struct proxy_addr proxy, pending_proxy;
	char crt_list[HAPROXY_PATH_MAX];
	int log_rd;		/* read end of HAProxy's stdout/stderr */
	char log_buf[2048];	/* a partial line carried to the next read */
	size_t log_len;
	struct event_timer restart;
	bool inited;
	bool reloading;		/* the load in progress is a reload (SIGUSR2) */
	struct haproxy_counters counters;
} hp;

static int
haproxy_path(char *buf, const char *name)
{
	int n = snprintf(buf, HAPROXY_PATH_MAX, "%s/%s", hp.run, name);

	return n < 0 || n >= HAPROXY_PATH_MAX ? -1 : 0;
}

char *
haproxy_render(const char *run_dir, const char *crt_list,
    const struct proxy_addr *proxy, bool inspect, const char **why)
{
	const char *tmpl = templates_get("haproxy.cfg.tmpl");
	const char *slash = strrchr(crt_list, '/');
	char minted[HAPROXY_PATH_MAX];
	struct render_vars rv;

	if (tmpl == NULL) {
		*why = "no haproxy.cfg.tmpl compiled in";
		return NULL;
	}
	render_init(&rv);
	render_set_path(&rv, "RUN_DIR", run_dir);
	render_set_path(&rv, "CRT_LIST", crt_list);
	/* The names the crt-list holds are kept beside it (cert.h). */
	if (slash == NULL || snprintf(minted, sizeof(minted), "%.*s/%s",
	    (int)(slash - crt_list), crt_list, CERT_MINTED_FILE) >= (int)sizeof(minted))
		minted[0] = '\0';
	render_set_path(&rv, "MINTED_LIST", minted);
	render_set_uint(&rv, "HTTP_LISTEN_PORT", HAPROXY_HTTP_PORT);
	render_set_uint(&rv, "HTTPS_LISTEN_PORT", HAPROXY_HTTPS_PORT);
	render_set_ip(&rv, "PROXY_IP", proxy->ip);
	render_set_uint(&rv, "PROXY_PORT", proxy->port);
	render_set_word(&rv, "INSPECT_ACL", inspect ? "always_true" : "always_false");
	return render_template(tmpl, &rv, why);
}

static void haproxy_restart_due(void *);
static void haproxy_settle_due(void *);
static int haproxy_start(void);
static void haproxy_health_result(bool ok, const char *why, void *arg);

int
haproxy_init(const char *run_dir, const char *log_file)
{
	const char *lua = templates_get("cert-request.lua");
	const char *lua_connect = templates_get("connect-tunnel.lua");

	if (!hp.inited) {
		hp.log_rd = -1;
		if (event_timer_init(&hp.restart, haproxy_restart_due, NULL) == -1 ||
		    event_timer_init(&hp.settle, haproxy_settle_due, NULL) == -1 ||
		    haproxy_health_init(haproxy_health_result, NULL) == -1)
			return -1;
		hp.counters.since = event_now();
		haproxy_watch_init(&hp.watch);
		hp.inited = true;
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
	    haproxy_path(hp.health, "haproxy-health.sock") == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (haproxy_stats_start(hp.api) == -1)
		return -1;
	if (lua == NULL || statefile_write_atomic(hp.lua, lua, strlen(lua), 0644) == -1 ||
	    lua_connect == NULL || statefile_write_atomic(hp.lua_connect, lua_connect,
	    strlen(lua_connect), 0644) == -1)
		return -1;
	return 0;
}

/* Sends sig to every HAProxy process that runs our configuration file:
 * master, workers, and a worker orphaned by a killed master, but never an
 * HAProxy of another configuration whose pid was reused (the pid file
 * alone proves nothing after a crash). sig 0 only counts them. */
static size_t
haproxy_signal_ours(int sig)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	if (dir == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		char path[64], target[sizeof(HAPROXY_BIN) + 16], cmd[4096];
		ssize_t len;
		long pid;
		char *end;
		int fd;

		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 1 || pid == (long)getpid())
			continue;
		/* A zombie has no exe link: it holds nothing any more. */
		snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		/* " (deleted)": the package was upgraded under it. */
		if (strncmp(target, HAPROXY_BIN, strlen(HAPROXY_BIN)) != 0 ||
		    (target[strlen(HAPROXY_BIN)] != '\0' &&
		    strcmp(target + strlen(HAPROXY_BIN), " (deleted)") != 0))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, cmd, sizeof(cmd));
		close(fd);
		if (len <= 0 || !haproxy_watch_cmdline_ours(cmd, (size_t)len, hp.cfg))
			continue;
		if (kill((pid_t)pid, sig) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

/* Start-up only: whatever an earlier run left must be gone before we bind
 * its listeners and queues again. Killed outright: a leftover of a dead
 * daemon has nothing worth a graceful stop, and a stopped (SIGSTOP) one
 * would never act on SIGTERM. */
void
haproxy_kill_stale(void)
{
	size_t n = haproxy_signal_ours(SIGKILL);

	if (n == 0)
		return;
	log_info("killed %zu HAProxy processes left by an earlier run (config %s)",
	    n, hp.cfg);
	for (int i = 0; i < 20 && haproxy_signal_ours(0) > 0; i++)
		usleep(50000);		/* bounded: 1 s */
	unlink(hp.pid);
}

static void haproxy_check(void);

/* The start or reload in progress is over: carry out an apply that waited. */
static void
haproxy_settled(void)
{
	hp.settling = false;
	hp.gap = false;
	event_timer_stop(&hp.settle);
	if (hp.pending && hp.checking == 0) {
		hp.pending = false;
		hp.proxy = hp.pending_proxy;
		haproxy_check();
	}
}

static void
haproxy_settle_due(void *arg)
{
	if (!hp.settling)
		return;
	if (!hp.gap)
		log_warn("HAProxy did not report the end of its start or reload "
		    "within %d s", HAPROXY_SETTLE_MS / 1000);
	haproxy_settled();
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
		if (nl > hp.log_buf) {
			log_haproxy_line(hp.log_buf);
			tunnel_log_line(hp.log_buf);
			passive_log_line(hp.log_buf);
		}
		if (hp.settling && !hp.gap &&
		    (loaded = haproxy_line_loaded(hp.log_buf)) != 0) {
			if (loaded > 0) {
				hp.gap = true;
				event_timer_arm(&hp.settle, HAPROXY_RELOAD_GAP_MS);
			} else
				haproxy_settled();
			if (loaded > 0 && hp.reloading) {
				hp.counters.reloads++;
				hp.counters.last_reload = event_now();
			} else if (loaded < 0 && hp.reloading)
				hp.counters.reload_failures++;
			hp.reloading = false;
			if (loaded > 0) {
				hp.loaded = true;
				haproxy_stats_refresh();
				haproxy_watch_loaded(&hp.watch, event_mono_ms());
				haproxy_health_start(hp.health);
				if (hp.ready != NULL && haproxy_loaded())
					hp.ready();
			} else if (hp.failed != NULL && hp.want)
				hp.failed();	/* still on the previous configuration */
		}
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
	bool stopped = hp.term_sent;
	unsigned delay;

	hp.master = 0;
	hp.term_sent = false;
	hp.loaded = false;
	haproxy_health_stop();
	if (hp.settling)
		haproxy_settled();
	if (stopped || !hp.want)
		haproxy_watch_stopped(&hp.watch, event_mono_ms());
	if (!hp.want) {
		log_info("HAProxy stopped");
		return;
	}
	if (stopped) {
		/* Stopped on purpose, wanted again since: start at once. */
		log_info("HAProxy stopped; starting it again");
		if (hp.checking == 0)
			haproxy_start();
		return;
	}
	delay = haproxy_watch_exited(&hp.watch, event_mono_ms());
	log_err("HAProxy exited unexpectedly (%s %d): restarting in %u ms",
	    WIFSIGNALED(status) ? "signal" : "status",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), delay);
	/* Its workers would linger until they notice, a stopped one for good,
	 * keeping listeners that TPROXY steers connections into. */
	if (haproxy_signal_ours(SIGKILL) > 0)
		log_info("killed the workers the HAProxy master left behind");
	event_timer_arm(&hp.restart, delay);
}

/* The worker has not answered for HPW_RESTART_MS: kill every process of
 * ours (SIGKILL works on a stopped one too) and start afresh at once. */
static void
haproxy_restart_hung(void)
{
	log_err("HAProxy has not answered for %d s: restarting it", HPW_RESTART_MS / 1000);
	hp.term_sent = true;	/* haproxy_master_exited starts it again */
	haproxy_signal_ours(SIGKILL);
}

static void
haproxy_health_result(bool ok, const char *why, void *arg)
{
	if (!ok)
		log_debug("HAProxy health check missed: %s", why);
	switch (haproxy_watch_result(&hp.watch, ok, event_mono_ms())) {
	case HPW_NONE:
		break;
	case HPW_FAIL_OPEN:
		log_err("HAProxy did not answer %d health checks in a row (%s)",
		    HPW_MISSES, why);
		if (hp.hung != NULL)
			hp.hung();
		break;
	case HPW_RESTORE:
		log_info("HAProxy answers its health checks again");
		if (hp.ready != NULL && haproxy_loaded())
			hp.ready();
		break;
	case HPW_RESTART:
		haproxy_restart_hung();
		break;
	}
}

static int
haproxy_start(void)
{
	char sock_arg[HAPROXY_PATH_MAX + 16];
	char *argv[] = { HAPROXY_BIN, "-W", "-db", "-f", hp.cfg, "-p", hp.pid,
	    "-S", sock_arg, NULL };
	int pfd[2];
	pid_t pid;

	snprintf(sock_arg, sizeof(sock_arg), "%s,mode,600", hp.master_sock);
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		log_err("cannot start HAProxy: pipe: %s", strerror(errno));
		return -1;
	}
	pid = proc_spawn(argv, pfd[1], pfd[1], 0, haproxy_master_exited, NULL);
	close(pfd[1]);
	if (pid == -1) {
		close(pfd[0]);
		log_err("cannot start HAProxy: %s", strerror(errno));
		return -1;
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
	hp.settling = true;
	hp.reloading = false;
	hp.counters.starts++;
	hp.counters.started = event_now();
	if (hp.loading != NULL)
		hp.loading();
	event_timer_arm(&hp.settle, HAPROXY_SETTLE_MS);
	log_info("HAProxy started (master %ld)", (long)pid);
	return 0;
}

static void
haproxy_restart_due(void *arg)
{
	if (hp.want && hp.master == 0 && hp.checking == 0)
		haproxy_start();
}

static void
haproxy_check_log(void)
{
	size_t len;
	char *out = statefile_read(hp.check_log, &len), *line, *save = NULL;
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

static void
haproxy_checked(pid_t pid, int status, void *arg)
{
	char a[ADDR_STRLEN];

	hp.checking = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_err("rendered HAProxy configuration refused: the last good one "
		    "stays on disk");
		haproxy_check_log();
		unlink(hp.cfg_new);
		/* The last good file may point at another proxy than the one
		 * wanted: the forwarder decides (it tears down and retries). */
		if (hp.failed != NULL && !hp.pending)
			hp.failed();
	} else if (rename(hp.cfg_new, hp.cfg) == -1) {
		log_err("%s: %s", hp.cfg, strerror(errno));
	} else if (!hp.want) {
		/* Disabled while the check ran: nothing to start. */
	} else if (hp.master > 0 && hp.term_sent) {
		/* Still exiting after a stop: haproxy_master_exited starts it. */
	} else if (hp.master > 0) {
		addr_format(&hp.proxy, a);
		log_info("HAProxy reload: forwarding through %s", a);
		kill(hp.master, SIGUSR2);
		hp.settling = true;
		hp.reloading = true;
		if (hp.loading != NULL)
			hp.loading();
		event_timer_arm(&hp.settle, HAPROXY_SETTLE_MS);
	} else {
		haproxy_watch_reset_backoff(&hp.watch);
		haproxy_start();
	}
	if (hp.pending && !hp.settling) {
		hp.pending = false;
		hp.proxy = hp.pending_proxy;
		haproxy_check();
	}
}

static void
haproxy_check(void)
{
	char *argv[] = { HAPROXY_BIN, "-c", "-f", hp.cfg_new, NULL };
	const char *why = "";
	char err[256];
	char *text;
	int fd;

	if (tunnel_write_files(hp.run, err, sizeof(err)) == -1) {
		log_err("HAProxy configuration not rendered: %s", err);
		if (hp.failed != NULL && hp.want)
			hp.failed();
		return;
	}
	text = haproxy_render(hp.run, hp.crt_list, &hp.proxy, tunnel_inspect(), &why);
	if (text == NULL) {
		log_err("HAProxy configuration not rendered: %s", why);
		return;
	}
	/* The running HAProxy already has this configuration (a reload of
	 * ours that changed nothing it uses): a reload would only cost the
	 * clients' idle keep-alive connections. */
	if (hp.master > 0 && !hp.term_sent && !hp.force) {
		size_t len;
		char *cur = statefile_read(hp.cfg, &len);
		bool same = cur != NULL && len == strlen(text) &&
		    memcmp(cur, text, len) == 0;

		free(cur);
		if (same) {
			free(text);
			return;
		}
	}
	hp.force = false;
	if (statefile_write_atomic(hp.cfg_new, text, strlen(text), 0600) == -1) {
		log_err("%s: %s", hp.cfg_new, strerror(errno));
		free(text);
		return;
	}
	free(text);
	fd = open(hp.check_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	hp.checking = proc_spawn(argv, fd, fd, HAPROXY_CHECK_MS, haproxy_checked, NULL);
	if (fd != -1)
		close(fd);
	if (hp.checking == -1) {
		hp.checking = 0;
		log_err("cannot run haproxy -c: %s", strerror(errno));
	}
}

int
haproxy_apply(const struct proxy_addr *proxy, const char *crt_list)
{
	snprintf(hp.crt_list, sizeof(hp.crt_list), "%s", crt_list);
	hp.want = true;
	if (hp.checking > 0 || hp.settling) {
		hp.pending = true;
		hp.pending_proxy = *proxy;
		return 0;
	}
	hp.proxy = *proxy;
	haproxy_check();
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
	/* HTTP requests and CONNECT tunnels through the previous proxy. */
	struct hacli_cmd cmd[2] = {
		{ strdup("shutdown sessions server be_proxy/proxy\n"), "", false },
		{ strdup("shutdown sessions server ls_connect/proxy\n"), "", false },
	};

	if (hp.master == 0 || cmd[0].text == NULL || cmd[1].text == NULL) {
		free(cmd[0].text);
		free(cmd[1].text);
		return;
	}
	hacli_run(hp.api, cmd, 2, haproxy_sessions_done, NULL);
}

void
haproxy_stop(bool wait)
{
	hp.want = false;
	hp.pending = false;
	hp.settling = false;
	hp.gap = false;
	if (hp.inited) {
		event_timer_stop(&hp.restart);
		event_timer_stop(&hp.settle);
		haproxy_health_stop();
	}
	if (hp.master <= 0)
		return;
	kill(hp.master, SIGTERM);
	hp.term_sent = true;
	if (!wait)
		return;
	/* At daemon exit the loop no longer runs: reap it here, bounded. */
	for (int i = 0; i < 50; i++) {
		if (waitpid(hp.master, NULL, WNOHANG) == hp.master)
			break;
		usleep(100000);
	}
	proc_forget(hp.master);
	hp.master = 0;
	hp.term_sent = false;
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
	return hp.master > 0 && hp.loaded && !hp.term_sent &&
	    hp.watch.state != HPW_NOT_ANSWERING;
}

const struct haproxy_counters *
haproxy_counters(void)
{
	return &hp.counters;
}

bool
haproxy_answering(void)
{
	return hp.watch.state != HPW_NOT_ANSWERING;
}

void
haproxy_force_reload(void)
{
	hp.force = true;
}

void
haproxy_on_loading(void (*cb)(void))
{
	hp.loading = cb;
}

void
haproxy_on_ready(void (*cb)(void))
{
	hp.ready = cb;
}

void
haproxy_on_failed(void (*cb)(void))
{
	hp.failed = cb;
}

void
haproxy_on_hung(void (*cb)(void))
{
	hp.hung = cb;
}
