/* The control verbs with their access level, and the access decision
 * (pure: the socket code in control.c supplies the peer's credentials). */
#include <stdio.h>
#include <string.h>

#include "ctl_verbs.h"

/* In the order of the CLI's usage; indexed by id. */
static const struct ctl_verb ctl_verbs[CTL_VERB_COUNT] = {
	[CTL_SHOW_PROXY] = { CTL_SHOW_PROXY, "show management-proxy",
	    CTL_ACCESS_READ, " [detail] [--json]", true },
	[CTL_SHOW_DHCP] = { CTL_SHOW_DHCP, "show dhcp learned-proxies",
	    CTL_ACCESS_READ, " [--json]", true },
	[CTL_SHOW_ALARMS] = { CTL_SHOW_ALARMS, "show alarms",
	    CTL_ACCESS_READ, " [--json]", true },
	[CTL_SHOW_FORWARDER] = { CTL_SHOW_FORWARDER, "show forwarder",
	    CTL_ACCESS_READ, " [--json]", true },
	[CTL_SHOW_CERTIFICATES] = { CTL_SHOW_CERTIFICATES, "show certificates",
	    CTL_ACCESS_READ, " [--json]", true },
	[CTL_SHOW_HA] = { CTL_SHOW_HA, "show ha", CTL_ACCESS_READ, " [--json]", true },
	[CTL_RELOAD] = { CTL_RELOAD, "reload", CTL_ACCESS_ROOT, "", false },
	[CTL_CA_EXPORT] = { CTL_CA_EXPORT, "ca export", CTL_ACCESS_READ, "", false },
	[CTL_TEST] = { CTL_TEST, CTL_VERB_TEST, CTL_ACCESS_READ,
	    " URL [--json] [--timeout SECONDS]", true },
};

const struct ctl_verb *
ctl_verbs_find(const char *request)
{
	for (size_t i = 0; i < CTL_VERB_COUNT; i++)
		if (strcmp(ctl_verbs[i].request, request) == 0)
			return &ctl_verbs[i];
	return NULL;
}

const struct ctl_verb *
ctl_verbs_get(enum ctl_verb_id id)
{
	return &ctl_verbs[id];
}

const char *
ctl_verbs_access_name(enum ctl_access a)
{
	return a == CTL_ACCESS_ROOT ? "root" : "read";
}

enum ctl_role
ctl_verbs_role(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
    gid_t group)
{
	if (uid == 0)
		return CTL_ROLE_ROOT;
	if (group == (gid_t)-1)
		return CTL_ROLE_NONE;
	if (gid == group)
		return CTL_ROLE_READER;
	for (size_t i = 0; i < ngroups; i++)
		if (groups[i] == group)
			return CTL_ROLE_READER;
	return CTL_ROLE_NONE;
}

bool
ctl_verbs_allowed(const struct ctl_verb *verb, enum ctl_role role,
    const char *group_name, char *why, size_t len)
{
	if (role == CTL_ROLE_ROOT)
		return true;
	if (role == CTL_ROLE_NONE) {
		if (group_name[0] != '\0')
			snprintf(why, len, "permission denied: not root and "
			    "not in group %s", group_name);
		else
			snprintf(why, len, "permission denied: only root may "
			    "use mgmt-proxyd");
		return false;
	}
	if (verb != NULL && verb->access == CTL_ACCESS_ROOT) {
		snprintf(why, len, "permission denied: %s needs root",
		    verb->request);
		return false;
	}
	return true;
}

bool
ctl_verbs_group_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= CTL_GROUP_MAX ||
	    !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		    name[i] == '-'))
			return false;
	return true;
}
