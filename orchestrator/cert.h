/* Certificates for HTTPS inspection. HAProxy's Lua action (haproxy/
 * cert-request.lua) sends each new SNI to <run-dir>/cert.sock before the
 * TLS frontend answers; cert mints a leaf from the local CA, stores it
 * (key 0600) and lists it in the crt-list file so reloads keep it, loads
 * it through the runtime API, and only then answers "ok": the very first
 * handshake for a new name finds its certificate. */
#ifndef CERT_H
#define CERT_H
#include <stdbool.h>
#include <stddef.h>

#include "cert_lru.h"

/* Minted names kept, on disk and in HAProxy; beyond that the least
 * recently used one is evicted (cert_lru.h). */
#define CERT_MAX	1024

/* Loads or creates the CA, prepares <certs_dir> with the default
 * certificate and the crt-list file, opens the request socket. */
int  cert_open(const char *ca_cert, const char *ca_key, const char *certs_dir,
    const char *run_dir, char *err, size_t errlen);
void cert_close(void);
const char *cert_crt_list(void);
/* The minted names in force (show certificates); empty when closed. */
const struct cert_lru *cert_names(void);
/* Leaves minted since start-up (new names and renewals). */
uint64_t cert_minted(void);
/* Beside the crt-list: the names it lists, one a line (HAProxy's ACL of
 * names whose connections need not ask for a certificate). */
#define CERT_MINTED_FILE	"minted.lst"
const char *cert_minted_list(void);
/* The CA certificate as PEM (caller frees), NULL if none loaded. */
char *cert_ca_pem(void);
/* HAProxy starts or reloads: a new worker reads the crt-list file now and
 * may miss what is minted until it is ready... */
void cert_haproxy_loading(void);
/* ...so everything minted since, until the old worker has let go of the
 * runtime API (a second later), is loaded again once the start or reload is
 * over (ready, or failed: then into the worker still in charge). */
void cert_haproxy_settled(void);
#endif
