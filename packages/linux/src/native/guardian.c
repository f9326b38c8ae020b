// The guardian of a peer's memory: a small process forked when the handler adopts a peer, holding a
// copy of the peer's uffd. Firecracker keeps no copy of its own (src/vmm/src/persist.rs,
// send_uffd_handshake), so if the handler died holding the only one, the uffd would close and the
// peer's memory would turn into plain anonymous memory, reading zeros where its snapshot and its
// pages out were. The guardian outlives the handler by a moment: when the handler goes away without
// standing it down, it kills the peer first, then exits, and only then does the uffd close.
#define _GNU_SOURCE
#include "pagevisor.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/** What the handler writes to stand the guardian down (a graceful end: the peer lives on). */
#define STAND_DOWN 'r'

/** Runs in the forked child: only system calls from here on (the parent has threads). */
static void guard(int watch, int pidfd) {
  struct pollfd fds[2] = {{.fd = watch, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0 && errno == EINTR) continue;
    if (fds[1].revents) _exit(0); // the peer is gone: nothing to guard
    if (fds[0].revents) {
      char c = 0;
      ssize_t n = read(watch, &c, 1);
      if (n == 1 && c == STAND_DOWN) _exit(0);
      // The handler closed its end without a word: it died. The peer must not read zeros.
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      _exit(0);
    }
  }
}

int startGuardian(int uffd, int pidfd) {
  int pipefds[2];
  if (pipe2(pipefds, O_CLOEXEC) != 0) return -1;
  // Forked twice, so the guardian is nobody's child here (init reaps it) and leaves no zombie behind.
  pid_t child = fork();
  if (child < 0) {
    close(pipefds[0]);
    close(pipefds[1]);
    return -1;
  }
  if (child == 0) {
    if (fork() != 0) _exit(0);
    // Keep the pipe's read end, the peer's pidfd and its uffd, as 0, 1 and 2 (all three are above 2,
    // so no dup2 overwrites another); close everything else, so the guardian holds no socket, file or
    // other uffd of the handler's, nor the pipe's write end.
    dup2(pipefds[0], 0);
    dup2(pidfd, 1);
    dup2(uffd, 2);
    syscall(SYS_close_range, 3, ~0U, 0);
    guard(0, 1);
  }
  waitpid(child, NULL, 0);
  close(pipefds[0]);
  return pipefds[1];
}

void standDown(int fd) {
  if (fd < 0) return;
  char c = STAND_DOWN;
  if (write(fd, &c, 1) != 1) { /* the guardian is gone already: nothing to stand down */ }
  close(fd);
}
