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

#define CERT_MAX	1024	/* minted names kept; more are refused */

/* Loads or creates the CA, prepares <certs_dir> with the default
 * certificate and the crt-list file, opens the request socket. */
int  cert_open(const char *ca_cert, const char *ca_key, const char *certs_dir,
    const char *run_dir, char *err, size_t errlen);
void cert_close(void);
const char *cert_crt_list(void);
/* The CA certificate as PEM (caller frees), NULL if none loaded. */
char *cert_ca_pem(void);
#endif
