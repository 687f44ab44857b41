/* The HA pre-shared key file (shell). */
#ifndef PEER_KEY_H
#define PEER_KEY_H
#include <stddef.h>
#include <stdint.h>

#include "peer_msg.h"

/* Reads a key file: a regular file, not a symlink, owned by root or by us,
 * no group or other permission bits (0600 or stricter), 16..512 bytes once
 * one trailing newline ("\n" or "\r\n") is stripped. -1 with *why set
 * (and errno for system errors, else 0); the key itself is never logged. */
int  peer_key_load(const char *path, uint8_t key[PEER_MSG_KEY_MAX], size_t *len,
    const char **why);
#endif
