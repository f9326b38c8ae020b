// uffd-peer: plays the VMM's side of the handshake `pagevisor uffd-handler` accepts, for tests and the
// example, as Firecracker does on snapshot restore (docs: snapshotting/handling-page-faults-on-snapshot-resume.md):
// it maps its guest memory, registers it with a userfaultfd, connects to the handler's socket and sends
// one message: a JSON array of GuestRegionUffdMapping with the uffd as SCM_RIGHTS data (page_size_kib
// holds bytes, as Firecracker sends it), then closes its own uffd, as Firecracker does: from then on
// the handler's copy is the only one. With --memfd it
// uses Pagevisor's extension: the memory is a memfd, sent as a second descriptor, registered for
// write-protect faults too, so the handler can evict pages (a punch-hole) as well as serve them.
// Then it runs its steps on the memory and prints one line per step; it exits 0 if all passed.
//
// Build: cc -O2 -o uffd-peer uffd-peer.c
// Usage: uffd-peer --socket PATH --pages N [--segments K] [--memfd] [--uid U] [--bad MODE] [STEP ...]
//   steps:  check SEED          every page holds the pattern of SEED (see pattern())
//           write SEED          writes the pattern of SEED to every page
//           remove FIRST COUNT  gives pages back, as a balloon does (MADV_DONTNEED; MADV_REMOVE on a memfd)
//           zeros FIRST COUNT   those pages read as zeros
//           sleep MS | die (exits with status 3 on the spot, as a crashing VMM)
//   bad modes (a hostile or broken peer): json, outside, overlap, huge, notuffd, nofd, silent
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096ul
#define MAX_SEGMENTS 32

static uint8_t *memory; // the guest memory: segments one guard page apart
static unsigned long pages, segments = 1, perSegment;

/** Word i of page p in the pattern of `seed`: what the tests' snapshot files hold too. */
static uint64_t pattern(uint64_t seed, uint64_t p, uint64_t i) { return ((p * 512 + i) * 0x9E3779B97F4A7C15ull) ^ seed; }

/** The address of page p of the guest memory. */
static uint64_t *pageAt(unsigned long p) { return (uint64_t *)(memory + (p + p / perSegment) * PAGE); }

static void die(const char *what) {
  fprintf(stderr, "uffd-peer: %s: %s\n", what, strerror(errno));
  exit(2);
}

static int check(uint64_t seed) {
  for (unsigned long p = 0; p < pages; p++) {
    uint64_t *w = pageAt(p);
    for (unsigned long i = 0; i < 512; i++)
      if (w[i] != pattern(seed, p, i)) {
        printf("FAIL check %llu: page %lu word %lu is %#llx\n", (unsigned long long)seed, p, i, (unsigned long long)w[i]);
        return 0;
      }
  }
  printf("ok check %llu\n", (unsigned long long)seed);
  return 1;
}

static int zeros(unsigned long first, unsigned long count) {
  for (unsigned long p = first; p < first + count && p < pages; p++) {
    uint64_t *w = pageAt(p);
    for (unsigned long i = 0; i < 512; i++)
      if (w[i] != 0) {
        printf("FAIL zeros: page %lu word %lu is %#llx\n", p, i, (unsigned long long)w[i]);
        return 0;
      }
  }
  printf("ok zeros %lu %lu\n", first, count);
  return 1;
}

int main(int argc, char **argv) {
  const char *socketPath = NULL, *bad = NULL;
  int useMemfd = 0;
  long uid = -1;
  int at = 1;
  for (; at < argc && strncmp(argv[at], "--", 2) == 0; at++) {
    if (strcmp(argv[at], "--memfd") == 0) useMemfd = 1;
    else if (at + 1 >= argc) break;
    else if (strcmp(argv[at], "--socket") == 0) socketPath = argv[++at];
    else if (strcmp(argv[at], "--pages") == 0) pages = strtoul(argv[++at], NULL, 10);
    else if (strcmp(argv[at], "--segments") == 0) segments = strtoul(argv[++at], NULL, 10);
    else if (strcmp(argv[at], "--uid") == 0) uid = strtol(argv[++at], NULL, 10);
    else if (strcmp(argv[at], "--bad") == 0) bad = argv[++at];
    else break;
  }
  if (socketPath == NULL || pages == 0 || segments == 0 || segments > MAX_SEGMENTS || pages % segments != 0) {
    fprintf(stderr, "usage: uffd-peer --socket PATH --pages N [--segments K dividing N] [--memfd] [--uid U] [--bad MODE] [STEP ...]\n");
    return 64;
  }
  perSegment = pages / segments;
  if (uid >= 0 && (setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0)) die("setuid");
  setvbuf(stdout, NULL, _IOLBF, 0);

  // The memory: one reservation, a segment per mapping, a guard page after each.
  size_t span = (pages + segments) * PAGE;
  memory = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) die("mmap");
  int memfd = -1;
  if (useMemfd) {
    memfd = (int)syscall(SYS_memfd_create, "uffd-peer-memory", MFD_CLOEXEC);
    if (memfd < 0 || ftruncate(memfd, (off_t)(pages * PAGE)) != 0) die("memfd");
  }
  // Root may serve kernel accesses too (as KVM's are); anyone else gets a user-mode-only uffd.
  int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | (getuid() == 0 ? 0 : UFFD_USER_MODE_ONLY));
  if (uffd < 0) die("userfaultfd");
  struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_EVENT_REMOVE | (useMemfd ? UFFD_FEATURE_WP_HUGETLBFS_SHMEM : 0)};
  if (ioctl(uffd, UFFDIO_API, &api) != 0) die("UFFDIO_API");
  char json[8192];
  size_t used = 0;
  used += (size_t)snprintf(json + used, sizeof json - used, "[");
  for (unsigned long s = 0; s < segments; s++) {
    uint8_t *base = (uint8_t *)pageAt(s * perSegment);
    size_t bytes = perSegment * PAGE;
    int flags = useMemfd ? MAP_SHARED | MAP_FIXED : MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED;
    if (mmap(base, bytes, PROT_READ | PROT_WRITE, flags, memfd, useMemfd ? (off_t)(s * bytes) : 0) == MAP_FAILED) die("mmap of a segment");
    struct uffdio_register reg = {.range = {.start = (uintptr_t)base, .len = bytes}, .mode = UFFDIO_REGISTER_MODE_MISSING | (useMemfd ? UFFDIO_REGISTER_MODE_WP : 0)};
    if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) die("UFFDIO_REGISTER");
    uintptr_t announced = (uintptr_t)base;
    size_t pageSize = PAGE;
    if (bad != NULL && strcmp(bad, "outside") == 0) announced += span + (1ul << 30);
    if (bad != NULL && strcmp(bad, "overlap") == 0 && s == 1) announced -= 2 * PAGE; // over segment 0's last page
    if (bad != NULL && strcmp(bad, "huge") == 0) pageSize = 2ul << 20;
    used += (size_t)snprintf(json + used, sizeof json - used, "%s{\"base_host_virt_addr\":%lu,\"size\":%zu,\"offset\":%lu,\"page_size\":%zu,\"page_size_kib\":%zu}", s ? "," : "", (unsigned long)announced, bytes, s * bytes, pageSize, pageSize);
  }
  used += (size_t)snprintf(json + used, sizeof json - used, "]");
  if (bad != NULL && strcmp(bad, "json") == 0) used = (size_t)snprintf(json, sizeof json, "[{\"base_host_virt_addr\": 4096, \"size\"");

  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  strncpy(address.sun_path, socketPath, sizeof address.sun_path - 1);
  if (connect(sock, (struct sockaddr *)&address, sizeof address) != 0) die("connect");
  if (bad != NULL && strcmp(bad, "silent") == 0) {
    sleep(5);
    printf("ok silent\n");
    return 0;
  }
  int fds[2] = {uffd, memfd};
  int pipefds[2];
  if (bad != NULL && strcmp(bad, "notuffd") == 0) {
    if (pipe(pipefds) != 0) die("pipe");
    fds[0] = pipefds[0];
  }
  int nfds = bad != NULL && strcmp(bad, "nofd") == 0 ? 0 : useMemfd ? 2 : 1;
  union {
    char buf[CMSG_SPACE(sizeof fds)];
    struct cmsghdr align;
  } control;
  struct iovec iov = {.iov_base = json, .iov_len = used};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (nfds > 0) {
    msg.msg_control = control.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
  }
  if (sendmsg(sock, &msg, 0) != (ssize_t)used) die("sendmsg");
  close(uffd);
  if (memfd >= 0) close(memfd); // its mappings keep the memory
  printf("ok sent\n");
  if (bad != NULL) {
    // A broken handshake: nothing of this memory may be touched. Stay a moment, as a VMM would, so the
    // handler judges a live process.
    sleep(1);
    return 0;
  }

  int passed = 1;
  for (; at < argc && passed; at++) {
    const char *step = argv[at];
    unsigned long a = at + 1 < argc ? strtoul(argv[at + 1], NULL, 10) : 0, b = at + 2 < argc ? strtoul(argv[at + 2], NULL, 10) : 0;
    if (strcmp(step, "check") == 0) {
      passed = check(a);
      at++;
    } else if (strcmp(step, "write") == 0) {
      for (unsigned long p = 0; p < pages; p++)
        for (unsigned long i = 0; i < 512; i++) pageAt(p)[i] = pattern(a, p, i);
      printf("ok write %lu\n", a);
      at++;
    } else if (strcmp(step, "remove") == 0) {
      for (unsigned long p = a; p < a + b && p < pages; p++)
        if (madvise(pageAt(p), PAGE, useMemfd ? MADV_REMOVE : MADV_DONTNEED) != 0) die("madvise");
      printf("ok remove %lu %lu\n", a, b);
      at += 2;
    } else if (strcmp(step, "zeros") == 0) {
      passed = zeros(a, b);
      at += 2;
    } else if (strcmp(step, "sleep") == 0) {
      struct timespec t = {.tv_sec = (time_t)(a / 1000), .tv_nsec = (long)(a % 1000) * 1000000};
      nanosleep(&t, NULL);
      at++;
    } else if (strcmp(step, "die") == 0) {
      printf("ok die\n");
      _exit(3);
    } else {
      fprintf(stderr, "uffd-peer: unknown step %s\n", step);
      return 64;
    }
  }
  return passed ? 0 : 1;
}
