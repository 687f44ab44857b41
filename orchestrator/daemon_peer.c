/* The daemon's HA peer part: the peer's candidates, kept across restarts. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "daemon_int.h"
#include "log.h"
#include "fileio.h"
#include "statefile.h"

void
daemon_peer_heard(const struct peer_info *info, void *arg)
{
	daemon_peer_update(info);
}

void
daemon_peer_update(const struct peer_info *info)
{
	size_t len = 0;
	char *text = statefile_dump_peer(info, &len);

	d.peer = *info;
	d.have_peer = true;
	if (fileio_replace_owned(d.peer_file, text, len, 0644) == -1)
		log_err("%s: %s", d.peer_file, strerror(errno));
	daemon_proxy_reselect();
}

void
daemon_peer_restore(void)
{
	char err[CFG_ERR_LEN];
	size_t len;
	char *buf = fileio_read(d.peer_file, SF_FILE_MAX, O_NOFOLLOW, &len);

	if (buf == NULL)
		return;
	if (statefile_parse_peer(buf, len, &d.peer, err)) {
		d.have_peer = true;
		log_info("restored %zu candidates of peer %s", d.peer.ncand, d.peer.node);
	} else
		log_warn("%s: %s (ignored)", d.peer_file, err);
	free(buf);
}
