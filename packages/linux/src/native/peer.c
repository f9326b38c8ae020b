// The handler's side of a peer handshake (docs/guides/linux.md, "Another process's memory"): a Unix
// socket that accepts one connection at a time on a native thread, reads the peer's credentials
// (SO_PEERCRED), a pidfd to notice its exit (SO_PEERPIDFD, else pidfd_open) and its one message with
// up to MAX_FDS descriptors (SCM_RIGHTS), and hands them to JavaScript, which checks everything before
// anything is allocated. Firecracker's side: src/vmm/src/persist.rs, guest_memory_from_uffd.
#define _GNU_SOURCE
#include "pagevisor.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

#define MAX_LISTENERS 8
#define MAX_FDS 4
#define MAX_MESSAGE 65536
/** How long a peer that connected has to send its message. */
#define MESSAGE_SECONDS 3

typedef struct {
  int used;
  int fd;
  int stopfd;
  pthread_t thread;
  napi_threadsafe_function tsfn;
} listener_t;

/** One connection, for JavaScript: who, what it sent, or why it could not be read. */
typedef struct {
  int pid, uid, gid, pidfd;
  int fds[MAX_FDS];
  int nfds;
  int err;
  const char *what;
  uint8_t *payload;
  size_t length;
} arrival_t;

static listener_t listeners[MAX_LISTENERS];
static pthread_mutex_t listenerTable = PTHREAD_MUTEX_INITIALIZER;

static void setInt(napi_env env, napi_value object, const char *name, int value) {
  napi_value v;
  napi_create_int32(env, value, &v);
  napi_set_named_property(env, object, name, v);
}

/** Runs on the JS thread: onPeer({ pid, uid, gid, pidfd, fds, payload, errno, error }). */
static void deliver(napi_env env, napi_value callback, void *context, void *data) {
  arrival_t *a = data;
  if (env == NULL || callback == NULL) {
    for (int i = 0; i < a->nfds; i++) close(a->fds[i]);
    if (a->pidfd >= 0) close(a->pidfd);
  } else {
    napi_value arrival, fds, v, undefined;
    napi_create_object(env, &arrival);
    setInt(env, arrival, "pid", a->pid);
    setInt(env, arrival, "uid", a->uid);
    setInt(env, arrival, "gid", a->gid);
    setInt(env, arrival, "pidfd", a->pidfd);
    setInt(env, arrival, "errno", a->err);
    napi_create_array_with_length(env, (size_t)a->nfds, &fds);
    for (int i = 0; i < a->nfds; i++) {
      napi_create_int32(env, a->fds[i], &v);
      napi_set_element(env, fds, (uint32_t)i, v);
    }
    napi_set_named_property(env, arrival, "fds", fds);
    void *copy;
    napi_create_buffer_copy(env, a->length, a->payload != NULL ? a->payload : (const uint8_t *)"", &copy, &v);
    napi_set_named_property(env, arrival, "payload", v);
    if (a->what != NULL) {
      napi_create_string_utf8(env, a->what, NAPI_AUTO_LENGTH, &v);
      napi_set_named_property(env, arrival, "error", v);
    }
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 1, &arrival, NULL);
  }
  free(a->payload);
  free(a);
}

/** Reads one connection's credentials and message into `a`; the connection is closed after. */
static void readArrival(int conn, arrival_t *a) {
  struct ucred cred;
  socklen_t len = sizeof cred;
  a->pidfd = -1;
  if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    a->err = errno;
    a->what = "SO_PEERCRED";
    return;
  }
  a->pid = cred.pid;
  a->uid = (int)cred.uid;
  a->gid = (int)cred.gid;
  // The pidfd names the process that connected even if its pid is reused later.
  len = sizeof a->pidfd;
  if (getsockopt(conn, SOL_SOCKET, SO_PEERPIDFD, &a->pidfd, &len) != 0) a->pidfd = (int)syscall(SYS_pidfd_open, cred.pid, 0);
  struct timeval timeout = {.tv_sec = MESSAGE_SECONDS};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  a->payload = malloc(MAX_MESSAGE);
  union {
    char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    struct cmsghdr align;
  } control;
  struct iovec iov = {.iov_base = a->payload, .iov_len = MAX_MESSAGE};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
  ssize_t got = a->payload == NULL ? -1 : recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  if (got < 0) {
    a->err = errno;
    a->what = errno == EAGAIN ? "no message within the time allowed" : "recvmsg";
    return;
  }
  a->length = (size_t)got;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < n && a->nfds < MAX_FDS; i++) memcpy(&a->fds[a->nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
  }
  if (msg.msg_flags & MSG_CTRUNC) {
    a->err = E2BIG;
    a->what = "more descriptors than a handshake has";
  }
}

static void *acceptMain(void *arg) {
  listener_t *l = arg;
  struct pollfd fds[2] = {{.fd = l->fd, .events = POLLIN}, {.fd = l->stopfd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) break;
    int conn = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) continue;
    arrival_t *a = calloc(1, sizeof *a);
    if (a == NULL) {
      close(conn);
      continue;
    }
    readArrival(conn, a);
    close(conn);
    if (napi_call_threadsafe_function(l->tsfn, a, napi_tsfn_blocking) != napi_ok) {
      for (int i = 0; i < a->nfds; i++) close(a->fds[i]);
      if (a->pidfd >= 0) close(a->pidfd);
      free(a->payload);
      free(a);
    }
  }
  return NULL;
}

/**
 * listen(path, mode, onPeer): a listener id. The socket is created with mode 0600 (the umask is set
 * around bind, so it is never wider, even for a moment) and then given `mode`; each connection is
 * read on a native thread and handed to onPeer on this thread.
 */
static napi_value Listen(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  size_t pathLength;
  int64_t mode;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &pathLength) != napi_ok || pathLength == 0 || pathLength >= sizeof path - 1 || argInt(env, argv[1], &mode) != 0 || (mode & ~0777) != 0) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "listen(path of at most 106 bytes, mode, onPeer)");
    return NULL;
  }
  pthread_mutex_lock(&listenerTable);
  int id = -1;
  for (int i = 0; i < MAX_LISTENERS && id < 0; i++)
    if (!listeners[i].used) id = i;
  if (id < 0) {
    pthread_mutex_unlock(&listenerTable);
    return fail(env, "UFFD_LIMIT", EMFILE, "too many sockets listening in this process");
  }
  listener_t *l = &listeners[id];
  memset(l, 0, sizeof *l);
  l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  memcpy(address.sun_path, path, pathLength);
  mode_t old = umask(0177);
  int bound = l->fd < 0 ? -1 : bind(l->fd, (struct sockaddr *)&address, sizeof address);
  int err = errno;
  umask(old);
  if (bound != 0 || chmod(path, (mode_t)mode) != 0 || listen(l->fd, 16) != 0) {
    if (bound == 0) err = errno;
    if (l->fd >= 0) close(l->fd);
    pthread_mutex_unlock(&listenerTable);
    return fail(env, "UFFD_LISTEN", err, bound != 0 ? "bind" : "chmod or listen");
  }
  l->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  napi_value name;
  napi_create_string_utf8(env, "pagevisor-peer", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[2], NULL, name, 0, 1, NULL, NULL, l, deliver, &l->tsfn);
  if (pthread_create(&l->thread, NULL, acceptMain, l) != 0) {
    err = errno;
    napi_release_threadsafe_function(l->tsfn, napi_tsfn_abort);
    close(l->fd);
    close(l->stopfd);
    pthread_mutex_unlock(&listenerTable);
    return fail(env, "UFFD_THREAD", err, "the accepting thread");
  }
  l->used = 1;
  pthread_mutex_unlock(&listenerTable);
  napi_value result;
  napi_create_int32(env, id, &result);
  return result;
}

/** The call's one integer argument, at least 0, in *out; false (a RangeError thrown, saying `usage`) otherwise. */
static int oneInt(napi_env env, napi_callback_info info, int64_t *out, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc == 1 && argInt(env, argv[0], out) == 0 && *out >= 0) return 1;
  napi_throw_range_error(env, "UFFD_ARGUMENT", usage);
  return 0;
}

/** stopListening(id): stops accepting and closes the socket (the caller removes its path). */
static napi_value StopListening(napi_env env, napi_callback_info info) {
  int64_t id;
  if (!oneInt(env, info, &id, "stopListening(id)")) return NULL;
  if (id >= MAX_LISTENERS || !listeners[id].used) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "no such listener");
    return NULL;
  }
  listener_t *l = &listeners[id];
  uint64_t one = 1;
  if (write(l->stopfd, &one, sizeof one) < 0) { /* cannot fail on an eventfd below its maximum */ }
  pthread_join(l->thread, NULL);
  napi_release_threadsafe_function(l->tsfn, napi_tsfn_release);
  close(l->fd);
  close(l->stopfd);
  pthread_mutex_lock(&listenerTable);
  l->used = 0;
  pthread_mutex_unlock(&listenerTable);
  return NULL;
}

/** describeFd(fd): { kind: 'userfaultfd' | 'memfd' | 'file' | 'other', size } of a received descriptor. */
static napi_value DescribeFd(napi_env env, napi_callback_info info) {
  napi_value result, v;
  int64_t fd;
  if (!oneInt(env, info, &fd, "describeFd(fd)")) return NULL;
  char link[64], target[256];
  snprintf(link, sizeof link, "/proc/self/fd/%d", (int)fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  target[n > 0 ? n : 0] = 0;
  struct stat st;
  int stated = fstat((int)fd, &st) == 0;
  const char *kind = strcmp(target, "anon_inode:[userfaultfd]") == 0 ? "userfaultfd" : strncmp(target, "/memfd:", 7) == 0 ? "memfd" : stated && S_ISREG(st.st_mode) ? "file" : "other";
  napi_create_object(env, &result);
  napi_create_string_utf8(env, kind, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "kind", v);
  napi_create_double(env, stated ? (double)st.st_size : 0, &v);
  napi_set_named_property(env, result, "size", v);
  return result;
}

int killByPidfd(int pidfd) { return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0); }

/** killPeer(pidfd): SIGKILL to a peer whose handshake was refused after it handed over its memory. */
static napi_value KillPeer(napi_env env, napi_callback_info info) {
  int64_t fd;
  if (!oneInt(env, info, &fd, "killPeer(pidfd)")) return NULL;
  if (killByPidfd((int)fd) != 0 && errno != ESRCH) return fail(env, "UFFD_KILL", errno, "pidfd_send_signal(SIGKILL)");
  return NULL;
}

/** closeFd(fd): closes a descriptor received from a peer and not adopted. */
static napi_value CloseFd(napi_env env, napi_callback_info info) {
  int64_t fd;
  if (!oneInt(env, info, &fd, "closeFd(fd)")) return NULL;
  close((int)fd);
  return NULL;
}

void definePeerMethods(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      METHOD("listen", Listen),
      METHOD("stopListening", StopListening),
      METHOD("describeFd", DescribeFd),
      METHOD("killPeer", KillPeer),
      METHOD("closeFd", CloseFd),
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}
