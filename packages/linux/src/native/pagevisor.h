// What the addon's C files share: N-API helpers (uffd.c) and the peer methods' registration (peer.c).
#ifndef PAGEVISOR_H
#define PAGEVISOR_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE 4096u

/** Throws an Error with `code`, "what: strerror(err)" and an errno property; returns NULL. */
napi_value fail(napi_env env, const char *code, int err, const char *what);
/** An int64 argument: 0, or -1 when `v` is not a number. */
int argInt(napi_env env, napi_value v, int64_t *out);
/** The data and element count of a typed array argument; NULL when `v` is not one. */
void *typedData(napi_env env, napi_value v, size_t *length);
/** SIGKILL to the process a pidfd names (never another, even if its pid is reused): 0, or -1 with errno. */
int killByPidfd(int pidfd);
/**
 * Forks the guardian of a peer's memory (guardian.c), holding a copy of its uffd: if this process dies
 * without standing it down, the guardian kills the peer. Returns the fd to stand it down with, or -1.
 */
int startGuardian(int uffd, int pidfd);
/** Stands the guardian down (the peer lives on) and closes `fd`; nothing for -1. */
void standDown(int fd);
/** An entry of a method table: `name` calls `fn`. */
#define METHOD(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_default, NULL}
/** Adds the peer methods (peer.c) to the addon's exports. */
void definePeerMethods(napi_env env, napi_value exports);

#endif
