/* Link state from rtnetlink (libmnl): an eligible interface going down or
 * away loses its learned proxies at once, not at lease expiry. */
#ifndef LINK_H
#define LINK_H
#include <stdbool.h>

/* removed: the interface is gone; otherwise up tells its state. */
typedef void (*link_cb)(const char *ifname, bool up, bool removed, void *arg);

int  link_open(link_cb, void *arg);
void link_close(void);
#endif
