/* What onboarding-config.json supplies (types only, no I/O): selection
 * reads it, onboarding.c fills it. */
#ifndef ONBOARDING_INFO_H
#define ONBOARDING_INFO_H
#include <stdbool.h>

#define ONB_TEXT_MAX 64

struct onboarding {
	bool has_proxy;			/* a management-proxy object was given */
	char proxy[ONB_TEXT_MAX];	/* "address:port", printable ASCII only */
};
#endif
