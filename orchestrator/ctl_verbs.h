/* The control verbs and who may use them: one table, read by the daemon
 * (to refuse) and by mgmt-proxyctl (to know a command before it asks).
 *
 * Two access levels: root may do everything; members of the read-only
 * group (mgmt-proxy.control.read-group) may look (show, ca export, test)
 * but not change anything (reload). */
#ifndef CTL_VERBS_H
#define CTL_VERBS_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum ctl_access { CTL_ACCESS_READ, CTL_ACCESS_ROOT };

/* Who is asking, from the socket's peer credentials. */
enum ctl_role { CTL_ROLE_NONE, CTL_ROLE_READER, CTL_ROLE_ROOT };

/* Each verb's id: the daemon's answer and the CLI's rendering are tables
 * indexed by it. */
enum ctl_verb_id {
	CTL_SHOW_PROXY, CTL_SHOW_DHCP, CTL_SHOW_ALARMS, CTL_SHOW_FORWARDER,
	CTL_SHOW_CERTIFICATES, CTL_SHOW_HA, CTL_RELOAD, CTL_CA_EXPORT, CTL_TEST,
	CTL_VERB_COUNT
};

struct ctl_verb {
	enum ctl_verb_id id;
	const char *request;		/* the request line, exactly */
	enum ctl_access access;
	const char *args;		/* the CLI's words after it, for its usage */
	bool document;			/* the result is a JSON document (--json) */
};

#define CTL_VERB_TEST	"test"		/* what `test URL` needs to know */
#define CTL_WHY_MAX	128
#define CTL_GROUP_MAX	33		/* a group name (32) and its NUL */
#define CTL_GROUP_DEFAULT "mgmt-proxy"

/* The verb of a request line; NULL when there is none. */
const struct ctl_verb *ctl_verbs_find(const char *request);
/* The verb of an id (every id has one). */
const struct ctl_verb *ctl_verbs_get(enum ctl_verb_id);
const char *ctl_verbs_access_name(enum ctl_access);
/* The role of a peer: uid 0 is root; a process whose primary or one of
 * whose supplementary groups is `group` is a reader; `group` is
 * (gid_t)-1 when no read-only group is in force. */
enum ctl_role ctl_verbs_role(uid_t uid, gid_t gid, const gid_t *groups,
    size_t ngroups, gid_t group);
/* True when `role` may use `verb`; else `why` says so, e.g.
 * "permission denied: reload needs root". `group_name` is "" without a
 * read-only group. */
bool ctl_verbs_allowed(const struct ctl_verb *verb, enum ctl_role role,
    const char *group_name, char *why, size_t len);
/* A group name as useradd(8) accepts it: [a-z_][a-z0-9_-]*, at most 32. */
bool ctl_verbs_group_name_ok(const char *name);
#endif
