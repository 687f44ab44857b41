/* The HA peer channel: socket, timers and the daemon callback around the
 * pure peer_msg.c. Timers (docs/ha.md): a datagram every PEER_KEEPALIVE_MS
 * and at once on every local change; the peer is down after PEER_DOWN_MS
 * without a fresh datagram. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "event.h"
#include "ifaddr.h"
#include "log.h"
#include "peer.h"
#include "fileio.h"
#include "peer_key.h"
#include "statefile.h"

static struct {
	int fd;
	bool timers;
	struct event_timer keepalive;
	struct event_timer dead;
	peer_update_cb cb;
	void *arg;

	/* What the running channel was opened with. */
	char self[CFG_NAME_MAX];
	struct cfg_endpoint listen;
	struct cfg_endpoint peer;
	char key_file[CFG_PATH_MAX];
	uint8_t key[PEER_MSG_KEY_MAX];
	size_t keylen;

	/* Our side: chosen once per process, kept across reloads so the
	 * sequence numbers of this boot id only ever grow. */
	char boot_file[CFG_PATH_MAX];	/* <state-dir>/ha-boot */
	uint64_t boot;
	uint64_t seq;
	struct peer_local local[PEER_MSG_MAX_CAND];
	size_t nlocal;
	int64_t last_send_ms;

	/* Their side. */
	struct peer_replay replay;
	bool echo;			/* we have something to echo */
	uint64_t echo_boot;
	uint64_t echo_time_ms;
	uint64_t fresh_boot;		/* the run of the last fresh datagram */
	struct peer_info cur;		/* as last reported to the daemon */
	bool reported;			/* cur has been reported at least once */
	int64_t heard;			/* the last fresh datagram (epoch s) */
} peer = { .fd = -1 };

/* The network decides what we log here: a flood must not fill the disk.
 * One budget per kind of line, so that a burst of one (replays, say) does
 * not hide another (a key mismatch) for a minute; debug lines have their
 * own, as they would otherwise use up the budget without being seen. */
enum { PEER_RL_SEND, PEER_RL_SOURCE, PEER_RL_DECODE, PEER_RL_REFUSED,
	PEER_RL_RUN, PEER_RL_DEBUG, PEER_RL_N };
static struct log_ratelimit peer_rl[PEER_RL_N] = {
	[PEER_RL_SEND] = LOG_RATELIMIT_INIT(60, 5),
	[PEER_RL_SOURCE] = LOG_RATELIMIT_INIT(60, 5),
	[PEER_RL_DECODE] = LOG_RATELIMIT_INIT(60, 5),
	[PEER_RL_REFUSED] = LOG_RATELIMIT_INIT(60, 5),
	[PEER_RL_RUN] = LOG_RATELIMIT_INIT(60, 5),
	[PEER_RL_DEBUG] = LOG_RATELIMIT_INIT(60, 5),
};

/* A key file that did not load, and what follows from it (then). */
static void
peer_key_log(const char *path, const char *why, const char *then)
{
	if (errno != 0)
		log_err("ha: key file %s: %s: %s; %s", path, why, strerror(errno),
		    then);
	else
		log_err("ha: key file %s: %s; %s", path, why, then);
}

static void
peer_sin(struct sockaddr_in *sin, const struct cfg_endpoint *e)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(e->ip);
	sin->sin_port = htons(e->port);
}

static void
peer_endpoint_fmt(const struct cfg_endpoint *e, char buf[ADDR_STRLEN])
{
	struct proxy_addr a = { e->ip, e->port };

	addr_format(&a, buf);
}

/* A non-blocking UDP socket bound to `listen`. IP_FREEBIND lets it bind
 * before the HA link has its address, so a slow link does not need a
 * daemon restart. */
static int
peer_socket(const struct cfg_endpoint *listen)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	peer_sin(&sin, listen);
	if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void
peer_report(const char *what)
{
	log_info("ha: peer %s %s: %s, %zu candidates", peer.cur.node[0] ?
	    peer.cur.node : "(unknown)", peer.cur.up ? "up" : "down", what,
	    peer.cur.ncand);
	peer.reported = true;
	if (peer.cb != NULL)
		peer.cb(&peer.cur, peer.arg);
}

/* Withdraws the peer's candidates. Also done when nothing has been heard
 * since start-up: the daemon may hold candidates restored from the last
 * run's peer-proxy.json that nobody vouches for any more. */
static void
peer_down(const char *what)
{
	if (peer.reported && !peer.cur.up)
		return;
	peer.cur.up = false;
	peer.cur.ncand = 0;
	memset(peer.cur.cand, 0, sizeof(peer.cur.cand));
	peer_report(what);
}

static void
peer_dead_due(void *arg)
{
	char why[64];

	snprintf(why, sizeof(why), "no fresh datagram for %d s",
	    PEER_DOWN_MS / 1000);
	peer_down(why);
}

static void
peer_send(void)
{
	uint8_t buf[PEER_MSG_MAX];
	struct sockaddr_in sin;
	struct peer_msg m;
	int64_t now = event_now();
	size_t len;

	if (peer.fd == -1)
		return;
	memset(&m, 0, sizeof(m));
	snprintf(m.node, sizeof(m.node), "%s", peer.self);
	m.boot = peer.boot;
	m.seq = ++peer.seq;
	peer.last_send_ms = event_mono_ms();
	m.time_ms = peer_replay_stamp(&peer.replay, peer.last_send_ms);
	if (peer.echo) {
		m.flags |= PEER_MSG_F_ECHO;
		m.echo_boot = peer.echo_boot;
		m.echo_time_ms = peer.echo_time_ms;
	}
	peer_msg_fill(&m, peer.local, peer.nlocal, now);
	len = peer_msg_encode(&m, peer.key, peer.keylen, buf, sizeof(buf));
	if (len == 0) {
		log_limited(&peer_rl[PEER_RL_SEND], now, LOG_ERR,
		    "ha: cannot encode a datagram (node name \"%s\" unusable?)",
		    peer.self);
		return;
	}
	peer_sin(&sin, &peer.peer);
	if (sendto(peer.fd, buf, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
		log_limited(&peer_rl[PEER_RL_SEND], now, LOG_WARN,
		    "ha: send to peer: %s", strerror(errno));
}

static void
peer_keepalive_due(void *arg)
{
	peer_send();
	event_timer_arm(&peer.keepalive, PEER_KEEPALIVE_MS);
}

/* An answer the peer needs to make progress: now, or as soon as the
 * minimum interval allows (the keepalive timer is brought forward), so
 * that two nodes never answer each other more often than that and no
 * answer is lost to the limit. */
static void
peer_reply(void)
{
	int64_t wait = peer.last_send_ms + PEER_REPLY_MIN_MS - event_mono_ms();

	if (wait <= 0)
		peer_send();
	else
		event_timer_arm(&peer.keepalive, (uint64_t)wait);
}

/* A fresh datagram: the peer hears us and we hear it. */
static void
peer_fresh(const struct peer_msg *m)
{
	struct peer_info info;
	int64_t now = event_now();
	bool was_up = peer.reported && peer.cur.up;

	peer.heard = now;
	event_timer_arm(&peer.dead, PEER_DOWN_MS);
	peer_msg_to_info(m, now, &info);
	if (peer.reported && peer_msg_info_same(&peer.cur, &info)) {
		/* A keepalive: tell the daemon only now and then, so the
		 * file's last-heard stays meaningful without a reselect on
		 * every datagram. */
		if (now - peer.cur.last_heard < PEER_HEARD_REFRESH_S)
			return;
		peer.cur.last_heard = now;
		if (peer.cb != NULL)
			peer.cb(&peer.cur, peer.arg);
		return;
	}
	peer.cur = info;
	peer_report(was_up ? "candidates changed" : "hears us and we hear it");
}

static void
peer_datagram(const uint8_t *buf, size_t len, const struct sockaddr_in *from)
{
	char src[ADDR_STRLEN];
	struct proxy_addr a = { ntohl(from->sin_addr.s_addr), ntohs(from->sin_port) };
	struct peer_msg m;
	enum peer_accept acc;
	const char *why;
	uint64_t old_boot = peer.replay.boot;
	bool had_boot = peer.replay.have_boot, new_run, first_fresh;
	int64_t now = event_now();

	addr_format(&a, src);
	if (a.ip != peer.peer.ip || a.port != peer.peer.port) {
		log_limited(&peer_rl[PEER_RL_SOURCE], now, LOG_WARN,
		    "ha: datagram from %s dropped: not the configured peer", src);
		return;
	}
	if (!peer_msg_decode(buf, len, peer.key, peer.keylen, &m, &why)) {
		log_limited(&peer_rl[PEER_RL_DECODE], now, LOG_WARN,
		    "ha: datagram from %s dropped: %s", src, why);
		return;
	}
	acc = peer_replay_accept(&peer.replay, &m, event_mono_ms(), &why);
	if (acc == PEER_REPLAY_REFUSED) {
		log_limited(&peer_rl[PEER_RL_REFUSED], now, LOG_WARN,
		    "ha: datagram from %s (node %s, seq %llu) dropped: %s", src,
		    m.node, (unsigned long long)m.seq, why);
		return;
	}
	peer.echo = true;
	peer.echo_boot = m.boot;
	peer.echo_time_ms = m.time_ms;
	new_run = !had_boot || old_boot != m.boot;
	if (new_run)
		log_limited(&peer_rl[PEER_RL_RUN], now, LOG_INFO,
		    "ha: node %s at %s started a new run (boot id %llu%s)",
		    m.node, src, (unsigned long long)m.boot, had_boot &&
		    m.boot < old_boot ? ", below the last: its counter went back" :
		    "");
	first_fresh = acc == PEER_REPLAY_FRESH && (peer.fresh_boot != m.boot ||
	    !peer.reported || !peer.cur.up);
	if (acc == PEER_REPLAY_FRESH) {
		peer.fresh_boot = m.boot;
		peer_fresh(&m);
	} else
		log_limited(&peer_rl[PEER_RL_DEBUG], now, LOG_DEBUG,
		    "ha: datagram from %s not counted yet: %s", src, why);
	/* Answer when the peer cannot count us fresh yet: its run is new to
	 * us, it does not hear us, or it has just proven that it does (its
	 * side then waits for a datagram of ours that echoes this one). So
	 * the channel comes up in about two round trips, not keepalives. */
	if (acc == PEER_REPLAY_ONEWAY || new_run || first_fresh)
		peer_reply();
}

static void
peer_readable(int fd, uint32_t events, void *arg)
{
	/* One byte more than the largest datagram shows one that is too big. */
	uint8_t buf[PEER_MSG_MAX + 1];
	struct sockaddr_in from;
	socklen_t fromlen;
	ssize_t n;

	/* Bounded, so a flood cannot starve the rest of the loop. */
	for (int i = 0; i < 64; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			/* ECONNREFUSED after an ICMP port unreachable: the
			 * peer's daemon is not running. Keepalives go on. */
			log_limited(&peer_rl[PEER_RL_DEBUG], event_now(), LOG_DEBUG,
			    "ha: receive: %s", strerror(errno));
			continue;
		}
		if (fromlen != sizeof(from) || from.sin_family != AF_INET)
			continue;
		peer_datagram(buf, (size_t)n > sizeof(buf) ? sizeof(buf) :
		    (size_t)n, &from);
	}
}

static void
peer_settings(const struct config *cfg)
{
	snprintf(peer.self, sizeof(peer.self), "%s", cfg->node);
	peer.listen = cfg->ha_listen;
	peer.peer = cfg->ha_peer;
	snprintf(peer.key_file, sizeof(peer.key_file), "%s", cfg->ha_key_file);
}

/* Our boot id: above the last one, kept in <state-dir>/ha-boot, so that
 * the peer can tell a restart of ours (higher) from a replay of an earlier
 * run (lower). The wall clock in ms is a floor for when the file is lost;
 * the file is what counts when the clock goes back (a box without a
 * battery-backed clock). Written before the first datagram is sent. */
static void
peer_boot_id(void)
{
	struct timespec ts;
	uint64_t last = 0;
	size_t len = 0;
	char *text, buf[32];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	text = fileio_read(peer.boot_file, sizeof(buf), O_NOFOLLOW, &len);
	if (text == NULL && errno != ENOENT)
		log_warn("ha: %s: %s; the boot id follows the clock only",
		    peer.boot_file, strerror(errno));
	else if (text != NULL && !peer_msg_boot_parse(text, len, &last))
		log_warn("ha: %s: not a boot id (ignored); the boot id follows "
		    "the clock only", peer.boot_file);
	free(text);
	peer.boot = peer_msg_boot_next(last, (int64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000);
	n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)peer.boot);
	if (fileio_replace(peer.boot_file, buf, (size_t)n, 0644) == -1)
		log_warn("ha: %s: %s; the next run's boot id will follow the "
		    "clock only", peer.boot_file, strerror(errno));
}

int
peer_open(const struct config *cfg, const char *state_dir,
    peer_update_cb on_update, void *arg)
{
	char l[ADDR_STRLEN], p[ADDR_STRLEN];
	const char *why;
	int n;

	peer.cb = on_update;
	peer.arg = arg;
	if (state_dir != NULL) {
		n = snprintf(peer.boot_file, sizeof(peer.boot_file), "%s/ha-boot",
		    state_dir);
		if (n < 0 || (size_t)n >= sizeof(peer.boot_file)) {
			log_err("ha: state directory path too long; the HA "
			    "channel stays closed");
			return -1;
		}
	}
	if (!cfg->ha_enabled || peer.fd != -1)
		return 0;
	peer_settings(cfg);
	if (!peer_msg_node_ok(peer.self)) {
		log_err("ha: node name \"%s\" cannot be sent to the peer "
		    "(1-63 printable ASCII characters); the HA channel stays "
		    "closed", peer.self);
		return -1;
	}
	if (peer_key_load(peer.key_file, peer.key, &peer.keylen, &why) == -1) {
		peer_key_log(peer.key_file, why, "the HA channel stays closed");
		return -1;
	}
	peer_endpoint_fmt(&peer.listen, l);
	peer_endpoint_fmt(&peer.peer, p);
	if ((peer.fd = peer_socket(&peer.listen)) == -1) {
		log_err("ha: cannot bind %s: %s; the HA channel stays closed", l,
		    strerror(errno));
		goto fail;
	}
	if (event_add(peer.fd, EPOLLIN, peer_readable, NULL) == -1)
		goto fail_loop;
	if (!peer.timers) {
		if (event_timer_init(&peer.keepalive, peer_keepalive_due, NULL) == -1)
			goto fail_loop;
		if (event_timer_init(&peer.dead, peer_dead_due, NULL) == -1) {
			event_timer_fini(&peer.keepalive);
			goto fail_loop;
		}
		peer.timers = true;
	}
	/* One boot id per process: a reopened channel (HA disabled, then
	 * enabled again) keeps it and its stamps. */
	if (peer.boot == 0) {
		peer_boot_id();
		peer_replay_init(&peer.replay, peer.self, NULL, peer.boot);
	} else
		peer_replay_forget(&peer.replay, peer.self, NULL);
	peer.echo = false;
	peer.fresh_boot = 0;
	log_info("ha: listening on %s, peer %s, node %s, boot id %llu", l, p,
	    peer.self, (unsigned long long)peer.boot);
	event_timer_arm(&peer.dead, PEER_DOWN_MS);
	event_timer_arm(&peer.keepalive, PEER_KEEPALIVE_MS);
	peer_send();
	return 0;

fail_loop:
	log_err("ha: event loop: %s", strerror(errno));
	if (peer.fd != -1) {
		event_del(peer.fd);
		close(peer.fd);
		peer.fd = -1;
	}
fail:
	OPENSSL_cleanse(peer.key, sizeof(peer.key));
	peer.keylen = 0;
	return -1;
}

void
peer_publish(const struct dhcp_info *dhcp, size_t n, const struct config *cfg,
    int64_t now)
{
	uint32_t local_ip[IFADDR_MAX];
	size_t nlocal_ip = ifaddr_ipv4(local_ip, IFADDR_MAX), dropped;

	peer.nlocal = peer_msg_gather(dhcp, n, cfg, now, local_ip, nlocal_ip,
	    peer.local, PEER_MSG_MAX_CAND, &dropped);
	if (dropped > 0)
		log_limited(&peer_rl[PEER_RL_SEND], now, LOG_WARN,
		    "ha: %zu learned proxies beyond %d not advertised to the peer",
		    dropped, PEER_MSG_MAX_CAND);
	peer_send();
}

void
peer_close(void)
{
	if (peer.fd != -1) {
		event_del(peer.fd);
		close(peer.fd);
		peer.fd = -1;
	}
	if (peer.timers) {
		event_timer_fini(&peer.keepalive);
		event_timer_fini(&peer.dead);
		peer.timers = false;
	}
	OPENSSL_cleanse(peer.key, sizeof(peer.key));
	peer.keylen = 0;
	peer.echo = false;
}

/* New settings for a running channel; what is bad leaves it untouched. */
static int
peer_update(const struct config *cfg)
{
	uint8_t key[PEER_MSG_KEY_MAX];
	char l[ADDR_STRLEN];
	size_t keylen;
	const char *why;
	bool rekey, rebind, rename;
	int fd = -1;

	if (!peer_msg_node_ok(cfg->node)) {
		log_err("ha: node name \"%s\" cannot be sent to the peer; "
		    "the running channel stays", cfg->node);
		return -1;
	}
	if (peer_key_load(cfg->ha_key_file, key, &keylen, &why) == -1) {
		peer_key_log(cfg->ha_key_file, why, "the running key stays");
		return -1;
	}
	rekey = keylen != peer.keylen || CRYPTO_memcmp(key, peer.key, keylen) != 0;
	rebind = cfg->ha_listen.ip != peer.listen.ip ||
	    cfg->ha_listen.port != peer.listen.port;
	rename = strcmp(cfg->node, peer.self) != 0 ||
	    cfg->ha_peer.ip != peer.peer.ip || cfg->ha_peer.port != peer.peer.port;
	if (rebind) {
		peer_endpoint_fmt(&cfg->ha_listen, l);
		if ((fd = peer_socket(&cfg->ha_listen)) == -1 ||
		    event_add(fd, EPOLLIN, peer_readable, NULL) == -1) {
			log_err("ha: cannot bind %s: %s; the running channel stays",
			    l, strerror(errno));
			if (fd != -1)
				close(fd);
			OPENSSL_cleanse(key, sizeof(key));
			return -1;
		}
		event_del(peer.fd);
		close(peer.fd);
		peer.fd = fd;
		log_info("ha: now listening on %s", l);
	}
	if (rekey) {
		OPENSSL_cleanse(peer.key, sizeof(peer.key));
		memcpy(peer.key, key, keylen);
		peer.keylen = keylen;
		log_info("ha: key changed (%s)", cfg->ha_key_file);
	}
	OPENSSL_cleanse(key, sizeof(key));
	peer_settings(cfg);
	/* Another key, name or peer is another trust relation: forget what
	 * we locked onto and start the handshake again. */
	if (rekey || rename) {
		peer_replay_forget(&peer.replay, peer.self, NULL);
		peer.echo = false;
		peer.fresh_boot = 0;
	}
	if (rebind || rekey || rename)
		peer_send();
	return 0;
}

int
peer_reconfigure(const struct config *cfg)
{
	if (!cfg->ha_enabled) {
		if (peer.fd == -1)
			return 0;
		log_info("ha: disabled by the configuration");
		peer_close();
		peer_down("HA is no longer configured");
		return 0;
	}
	if (peer.fd == -1)
		return peer_open(cfg, NULL, peer.cb, peer.arg);
	return peer_update(cfg);
}

void
peer_status(struct peer_status *st)
{
	memset(st, 0, sizeof(*st));
	st->open = peer.fd != -1;
	st->listen = peer.listen;
	st->peer = peer.peer;
	st->boot = peer.boot;
	st->peer_boot = peer.fresh_boot;
	st->heard = peer.heard;
	st->info = peer.cur;
	st->reported = peer.reported;
}
