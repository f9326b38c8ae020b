// Pagevisor's userfaultfd addon: paged regions of this process. One region is an anonymous private
// mapping registered with its own userfaultfd for missing and write-protect faults. A reader thread
// (never the pager's, never one that touches the region) reads fault messages into a queue and wakes
// the pager's thread through a thread-safe function; the pager drains the queue, populates pages
// (UFFDIO_COPY, UFFDIO_ZEROPAGE), and evicts them: write-protect (so a write in the window faults
// instead of being lost), copy out with process_vm_readv (a kernel access, so a page that is missing
// fails with EFAULT instead of blocking the pager: the uffd is UFFD_USER_MODE_ONLY), then
// MADV_DONTNEED and a wake. A region opened for access sampling (sampling.c) is a memfd mapped shared
// instead, read with pread and dropped with a punch-hole, its minor faults answered by the reader. A
// region may also be another process's memory, adopted from a handshake
// (peer.c): its uffd and mappings come from the peer, its bytes from a snapshot file, and eviction
// needs the peer's memfd (read with pread, dropped with a punch-hole). See docs/guides/linux.md.
#define _GNU_SOURCE
#include "region.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/userfaultfd.h>
#include <node_api.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef UFFDIO_POISON
// Linux 6.6 (commit fc71884a5f59), absent from older headers: values from include/uapi/linux/userfaultfd.h.
#define UFFD_FEATURE_POISON (1 << 14)
#define _UFFDIO_POISON (0x08)
struct uffdio_poison {
  struct uffdio_range range;
  __u64 mode;
  __s64 updated;
};
#define UFFDIO_POISON _IOWR(UFFDIO, _UFFDIO_POISON, struct uffdio_poison)
#endif

static region_t regions[MAX_REGIONS];
/**
 * Per slot, how many regions it has held: a region's id is its slot plus MAX_REGIONS times this, so the
 * id of a closed region never names the region that reuses its slot (a pager left running on a closed
 * region gets UFFD_REGION instead of paging someone else's memory).
 */
static int32_t generations[MAX_REGIONS];
static pthread_mutex_t table = PTHREAD_MUTEX_INITIALIZER;

napi_value fail(napi_env env, const char *code, int err, const char *what) {
  napi_value error, message, codeValue, errnoValue;
  char text[256];
  snprintf(text, sizeof text, "%s: %s", what, strerror(err));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &codeValue);
  napi_create_error(env, codeValue, message, &error);
  napi_create_int32(env, err, &errnoValue);
  napi_set_named_property(env, error, "errno", errnoValue);
  napi_throw(env, error);
  return NULL;
}

int argInt(napi_env env, napi_value v, int64_t *out) { return napi_get_value_int64(env, v, out) == napi_ok ? 0 : -1; }

void *typedData(napi_env env, napi_value v, size_t *length) {
  napi_typedarray_type type;
  void *data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &data, &buffer, &offset) != napi_ok) return NULL;
  return data;
}

region_t *regionArg(napi_env env, napi_value v) {
  int64_t id;
  if (argInt(env, v, &id) != 0 || id < 0 || id > INT32_MAX || !regions[id % MAX_REGIONS].used || generations[id % MAX_REGIONS] != id / MAX_REGIONS) {
    napi_throw_range_error(env, "UFFD_REGION", "no such paged region");
    return NULL;
  }
  return &regions[id % MAX_REGIONS];
}

/** Reads up to six arguments (missing ones are undefined) and the region; false with an exception pending. */
int begin(napi_env env, napi_callback_info info, call_t *c) {
  size_t argc = 6;
  napi_get_cb_info(env, info, &argc, c->argv, NULL, NULL);
  c->r = regionArg(env, c->argv[0]);
  return c->r != NULL;
}

/** The region, then the pages (a Uint32Array) and a count within it; false with an exception pending. */
int beginPages(napi_env env, napi_callback_info info, call_t *c, const char *what) {
  if (!begin(env, info, c)) return 0;
  size_t n;
  int64_t count;
  c->pages = typedData(env, c->argv[1], &n);
  if (c->pages == NULL || argInt(env, c->argv[2], &count) != 0 || count < 0 || (size_t)count > n) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", what);
    return 0;
  }
  c->count = (uint32_t)count;
  return 1;
}

/** Argument `at` as a typed array of at least `need` elements; NULL with an exception pending. */
static void *sizedArg(napi_env env, call_t *c, int at, size_t need, const char *what) {
  size_t n;
  void *data = typedData(env, c->argv[at], &n);
  if (data == NULL || n < need) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", what);
    return NULL;
  }
  return data;
}

/** A userfaultfd: the syscall, else /dev/userfaultfd (which root or the userfaultfd group may open). */
static int openUffd(int *how) {
  int flags = O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY;
  int fd = (int)syscall(SYS_userfaultfd, flags);
  *how = 0;
  if (fd >= 0) return fd;
  int sysErr = errno;
  int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
  if (dev < 0) {
    errno = sysErr;
    return -1;
  }
  fd = ioctl(dev, USERFAULTFD_IOC_NEW, flags);
  int devErr = errno;
  close(dev);
  *how = 1;
  errno = devErr;
  return fd;
}

/** probe(): { ok, errno, step, features, via } — what this kernel and this process may do. */
static napi_value Probe(napi_env env, napi_callback_info info) {
  napi_value result, v;
  napi_create_object(env, &result);
  int how;
  int fd = openUffd(&how);
  const char *step = "userfaultfd";
  int err = 0;
  uint64_t features = 0;
  if (fd < 0) {
    err = errno;
  } else {
    struct uffdio_api api = {.api = UFFD_API, .features = 0};
    if (ioctl(fd, UFFDIO_API, &api) != 0) {
      err = errno;
      step = "UFFDIO_API";
    } else {
      features = api.features;
    }
    close(fd);
  }
  napi_get_boolean(env, err == 0, &v);
  napi_set_named_property(env, result, "ok", v);
  napi_create_int32(env, err, &v);
  napi_set_named_property(env, result, "errno", v);
  napi_create_string_utf8(env, step, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "step", v);
  napi_create_double(env, (double)features, &v);
  napi_set_named_property(env, result, "features", v);
  napi_create_string_utf8(env, how ? "/dev/userfaultfd" : "syscall", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "via", v);
  return result;
}

/** Completes a region being created in slot `slot` (the table locked): its stop eventfd and lock; its id. */
static napi_value claim(napi_env env, region_t *r, int slot) {
  r->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  pthread_mutex_init(&r->lock, NULL);
  r->used = 1;
  generations[slot] = (generations[slot] + 1) % (INT32_MAX / MAX_REGIONS);
  int32_t id = slot + MAX_REGIONS * generations[slot];
  pthread_mutex_unlock(&table);
  napi_value result;
  napi_create_int32(env, id, &result);
  return result;
}

/** A free slot of the region table, which it leaves locked; -1 (unlocked) when there is none. */
static int freeSlot(void) {
  pthread_mutex_lock(&table);
  for (int i = 0; i < MAX_REGIONS; i++)
    if (!regions[i].used) {
      memset(&regions[i], 0, sizeof regions[i]);
      return i;
    }
  pthread_mutex_unlock(&table);
  return -1;
}

/** Closes what Create opened so far, unlocks the table and throws `code` for errno `e`. */
static napi_value createFailed(napi_env env, region_t *r, void *base, size_t bytes, int e, const char *code, const char *what) {
  if (base != NULL) munmap(base, bytes);
  if (r->memfd >= 0) close(r->memfd);
  free(r->acc);
  close(r->uffd);
  pthread_mutex_unlock(&table);
  return fail(env, code, e, what);
}

/**
 * create(pages, sampled): a region id. The mapping is anonymous and registered for missing and
 * write-protect faults; with `sampled`, it is a memfd mapped shared and registered for minor faults too
 * (sampling.c), which needs minor and write-protect faults on shmem (Linux 5.14 and 5.19).
 */
static napi_value Create(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t pages;
  bool sampled = false;
  if (argc < 1 || argInt(env, argv[0], &pages) != 0 || pages <= 0 || pages > (1ll << 28)) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "pages must be an integer in [1, 2^28]");
    return NULL;
  }
  if (argc > 1) napi_get_value_bool(env, argv[1], &sampled);
  int id = freeSlot();
  if (id < 0) return fail(env, "UFFD_LIMIT", EMFILE, "too many paged regions in this process");
  region_t *r = &regions[id];
  r->pidfd = r->memfd = r->guardian = -1;
  int how;
  r->uffd = openUffd(&how);
  if (r->uffd < 0) {
    pthread_mutex_unlock(&table);
    return fail(env, "UFFD_OPEN", errno, "userfaultfd");
  }
  // POISON, where the kernel has it (6.6), lets the watchdog end a fault nobody answers with SIGBUS.
  struct uffdio_api probe = {.api = UFFD_API, .features = 0};
  int probeFd = openUffd(&how);
  uint64_t offered = probeFd >= 0 && ioctl(probeFd, UFFDIO_API, &probe) == 0 ? probe.features : 0;
  if (probeFd >= 0) close(probeFd);
  const uint64_t shmemFeatures = UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
  if (sampled && (offered & shmemFeatures) != shmemFeatures) return createFailed(env, r, NULL, 0, ENOTSUP, "UFFD_KERNEL", "minor and write-protect faults on shmem (Linux 5.19)");
  struct uffdio_api api = {.api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_PAGEFAULT_FLAG_WP | (offered & UFFD_FEATURE_POISON) | (sampled ? shmemFeatures : 0)};
  if (ioctl(r->uffd, UFFDIO_API, &api) != 0) return createFailed(env, r, NULL, 0, errno, "UFFD_API", "UFFDIO_API (thread ids and write-protect faults)");
  r->features = api.features;
  size_t bytes = (size_t)pages * PAGE;
  if (sampled) {
    r->memfd = memfd_create("pagevisor-region", MFD_CLOEXEC);
    if (r->memfd < 0 || ftruncate(r->memfd, (off_t)bytes) != 0) return createFailed(env, r, NULL, 0, errno, "UFFD_MAP", "memfd_create of the region");
    if (setUpSampling(r) != 0) return createFailed(env, r, NULL, 0, ENOMEM, "UFFD_MAP", "the access ring");
  }
  void *base = sampled ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, r->memfd, 0) : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return createFailed(env, r, NULL, 0, errno, "UFFD_MAP", "mmap of the region");
  struct uffdio_register reg = {.range = {.start = (uintptr_t)base, .len = bytes}, .mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP | (sampled ? UFFDIO_REGISTER_MODE_MINOR : 0)};
  if (ioctl(r->uffd, UFFDIO_REGISTER, &reg) != 0) return createFailed(env, r, base, bytes, errno, "UFFD_REGISTER", sampled ? "UFFDIO_REGISTER (missing, write-protect and minor)" : "UFFDIO_REGISTER (missing and write-protect)");
  r->base = base;
  r->pages = (uint32_t)pages;
  r->seg[0] = (segment_t){.base = (uintptr_t)base, .first = 0, .count = (uint32_t)pages};
  r->segments = 1;
  return claim(env, r, id);
}

/**
 * adopt(uffd, memfd, pidfd, segments, pages, snapshotFd): a region over a peer's memory, from a
 * handshake the caller checked. segments is a Float64Array of (address, first page, pages) triples;
 * memfd, pidfd and snapshotFd are -1 when absent. The region owns uffd, memfd and pidfd from here
 * (closed by close, or now if adopting fails); the snapshot is mapped read-only and its fd left alone.
 */
static napi_value Adopt(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t uffd, memfd, pidfd, pages, snapfd;
  size_t n;
  double *segs = argc == 6 ? typedData(env, argv[3], &n) : NULL;
  if (segs == NULL || n == 0 || n % 3 != 0 || n / 3 > MAX_SEGMENTS || argInt(env, argv[0], &uffd) || argInt(env, argv[1], &memfd) || argInt(env, argv[2], &pidfd) || argInt(env, argv[4], &pages) || argInt(env, argv[5], &snapfd) || pages < 1 || pages > (1ll << 28)) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "adopt(uffd, memfd, pidfd, segments, pages, snapshotFd)");
    return NULL;
  }
  const uint8_t *snapshot = NULL;
  size_t snapshotBytes = (size_t)pages * PAGE;
  if (snapfd >= 0) {
    void *m = mmap(NULL, snapshotBytes, PROT_READ, MAP_PRIVATE, (int)snapfd, 0);
    if (m == MAP_FAILED) return fail(env, "UFFD_MAP", errno, "mmap of the snapshot file");
    snapshot = m;
  }
  int id = freeSlot();
  if (id < 0) {
    if (snapshot != NULL) munmap((void *)snapshot, snapshotBytes);
    return fail(env, "UFFD_LIMIT", EMFILE, "too many paged regions in this process");
  }
  region_t *r = &regions[id];
  r->uffd = (int)uffd;
  r->memfd = (int)memfd;
  r->pidfd = (int)pidfd;
  r->pages = (uint32_t)pages;
  r->snapshot = snapshot;
  r->snapshotBytes = snapshotBytes;
  r->segments = (uint32_t)(n / 3);
  for (uint32_t s = 0; s < r->segments; s++) r->seg[s] = (segment_t){.base = (uintptr_t)segs[3 * s], .first = (uint32_t)segs[3 * s + 1], .count = (uint32_t)segs[3 * s + 2]};
  r->guardian = r->pidfd >= 0 ? startGuardian(r->uffd, r->pidfd) : -1;
  return claim(env, r, id);
}

/**
 * view(id, threadId): an ArrayBuffer over the region, for the calling thread (each thread makes its
 * own). Refused to the thread that serves the region's faults: its first touch of a page that is out
 * would wait for itself.
 */
static napi_value View(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  region_t *r = c.r;
  int64_t thread = -1;
  argInt(env, c.argv[1], &thread);
  if (r->base == NULL) {
    napi_throw_error(env, "LINUX_STATE", "the region is another process's memory: only that process can touch it");
    return NULL;
  }
  if (r->reading && thread == r->servingThread) {
    napi_throw_error(env, "LINUX_STATE", "this thread serves the region's faults and must never touch it: touch it from another thread (a Worker), or run the pager in a Worker");
    return NULL;
  }
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, r->base, (size_t)r->pages * PAGE, NULL, NULL, &buffer) != napi_ok) {
    napi_throw_error(env, "UFFD_VIEW", "this Node.js cannot make an ArrayBuffer over external memory");
    return NULL;
  }
  return buffer;
}

uintptr_t pageAddress(const region_t *r, uint32_t page) {
  for (uint32_t s = 0; s < r->segments; s++) {
    const segment_t *g = &r->seg[s];
    if (page - g->first < g->count) return g->base + (uintptr_t)(page - g->first) * PAGE;
  }
  return 0;
}

/** The page mapped at `address`, or -1 outside every segment. */
static int64_t addressPage(const region_t *r, uintptr_t address) {
  for (uint32_t s = 0; s < r->segments; s++) {
    const segment_t *g = &r->seg[s];
    if (address >= g->base && address - g->base < (uintptr_t)g->count * PAGE) return g->first + (int64_t)((address - g->base) / PAGE);
  }
  return -1;
}

uintptr_t pageRun(const region_t *r, const uint32_t *pages, uint32_t i, uint32_t count, uint32_t *end) {
  uintptr_t at = pages[i] < r->pages ? pageAddress(r, pages[i]) : 0;
  uint32_t j = i + 1;
  if (at != 0)
    while (j < count && pages[j] == pages[j - 1] + 1 && pageAddress(r, pages[j]) == at + (uintptr_t)(j - i) * PAGE) j++;
  *end = j;
  return at;
}

static void callActivity(napi_env env, napi_value callback, void *context, void *data) {
  region_t *r = context;
  pthread_mutex_lock(&r->lock);
  r->notified = 0;
  pthread_mutex_unlock(&r->lock);
  if (env == NULL || callback == NULL) return;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, callback, 0, NULL, NULL);
}

/**
 * Queues the pages of [start, end) (addresses; a REMOVE event: the peer's MADV_DONTNEED or
 * MADV_REMOVE) one record per segment it crosses. Called with the lock held and room for the
 * segments: a region has at most MAX_SEGMENTS, and the reader reads only while READ_BATCH * MAX_SEGMENTS
 * records fit.
 */
static void queueRemoval(region_t *r, uintptr_t start, uintptr_t end) {
  for (uint32_t s = 0; s < r->segments; s++) {
    const segment_t *g = &r->seg[s];
    uintptr_t from = start > g->base ? start : g->base;
    uintptr_t limit = g->base + (uintptr_t)g->count * PAGE;
    uintptr_t to = end < limit ? end : limit;
    if (from >= to) continue;
    uint32_t at = r->qtail++ % QUEUE;
    r->qpage[at] = g->first + (uint32_t)((from - g->base) / PAGE);
    r->qend[at] = g->first + (uint32_t)((to - g->base + PAGE - 1) / PAGE);
    r->qflags[at] = Q_REMOVE;
    r->qtid[at] = -1;
  }
}

static int64_t msSince(const struct timespec *t0, const struct timespec *t1) { return (int64_t)(t1->tv_sec - t0->tv_sec) * 1000 + (t1->tv_nsec - t0->tv_nsec) / 1000000; }

/** Follows a fault on `page` (lock held), unless it is followed already or the watchdog is off. */
static void watchFault(region_t *r, uint32_t page) {
  if (r->watchAction == 0) return;
  for (uint32_t i = 0; i < r->watched; i++)
    if (r->wpage[i] == page) return;
  if (r->watched == WATCHED) return; // more waiting threads than followed: the rest go unwatched
  r->wpage[r->watched] = page;
  clock_gettime(CLOCK_MONOTONIC, &r->wsince[r->watched]);
  r->watched++;
}

/** pages[0 … count) were answered (copied, filled, woken, dropped): the watchdog stops following them. */
static void answered(region_t *r, const uint32_t *pages, uint32_t count) {
  if (r->watchAction == 0 || r->watched == 0) return;
  pthread_mutex_lock(&r->lock);
  for (uint32_t k = 0; k < count; k++)
    for (uint32_t i = 0; i < r->watched; i++)
      if (r->wpage[i] == pages[k]) {
        r->watched--;
        r->wpage[i] = r->wpage[r->watched];
        r->wsince[i] = r->wsince[r->watched];
        break;
      }
  pthread_mutex_unlock(&r->lock);
}


/**
 * The watchdog's round (reader thread): each fault unanswered for longer than the deadline ends in a
 * defined way instead of a hang: the page is poisoned (UFFDIO_POISON: the waiting thread gets SIGBUS)
 * or the peer is killed.
 */
static void watchRound(region_t *r) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  pthread_mutex_lock(&r->lock);
  for (uint32_t i = 0; i < r->watched;) {
    if (msSince(&r->wsince[i], &now) < r->deadlineMs) {
      i++;
      continue;
    }
    uint32_t page = r->wpage[i];
    r->watched--;
    r->wpage[i] = r->wpage[r->watched];
    r->wsince[i] = r->wsince[r->watched];
    r->fired++;
    if (r->watchAction == 2 && r->pidfd >= 0) {
      killByPidfd(r->pidfd);
    } else {
      struct uffdio_poison poison = {.range = {.start = pageAddress(r, page), .len = PAGE}, .mode = 0};
      // A peer that did not negotiate UFFD_FEATURE_POISON is killed instead: never left hanging.
      if (ioctl(r->uffd, UFFDIO_POISON, &poison) != 0 && r->pidfd >= 0) killByPidfd(r->pidfd);
    }
  }
  pthread_mutex_unlock(&r->lock);
}

static void *readerMain(void *arg) {
  region_t *r = arg;
  struct uffd_msg msgs[READ_BATCH];
  uint64_t minorAt[READ_BATCH];
  // The peer's pidfd (a peer's memory) turns readable when it exits; -1 is ignored by poll.
  struct pollfd fds[3] = {{.fd = r->uffd, .events = POLLIN}, {.fd = r->stopfd, .events = POLLIN}, {.fd = r->pidfd, .events = POLLIN}};
  for (;;) {
    // Read only as many messages as the queue has room for: the rest wait in the kernel.
    pthread_mutex_lock(&r->lock);
    uint32_t room = QUEUE - (r->qtail - r->qhead);
    pthread_mutex_unlock(&r->lock);
    // A removal may take a record per segment: read only as many messages as their records fit.
    room = r->segments > 1 ? room / r->segments : room;
    if (room == 0) {
      struct pollfd stop = {.fd = r->stopfd, .events = POLLIN};
      if (poll(&stop, 1, 1) > 0) break;
      continue;
    }
    int timeout = r->watchAction != 0 ? (int)(r->deadlineMs / 4 > 0 ? r->deadlineMs / 4 : 1) : -1;
    int ready = poll(fds, 3, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      r->readerError = errno;
      break;
    }
    if (r->watchAction != 0) watchRound(r);
    if (ready == 0) continue;
    if (fds[1].revents) break;
    if (fds[2].revents) {
      pthread_mutex_lock(&r->lock);
      r->readerError = ESRCH;
      int notify = !r->notified;
      r->notified = 1;
      pthread_mutex_unlock(&r->lock);
      if (notify) napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
      break;
    }
    if (!(fds[0].revents & POLLIN)) continue;
    size_t want = room < READ_BATCH ? room : READ_BATCH;
    ssize_t got = read(r->uffd, msgs, want * sizeof msgs[0]);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      r->readerError = errno;
      break;
    }
    int notify = 0;
    uint32_t minors = 0;
    pthread_mutex_lock(&r->lock);
    for (ssize_t i = 0; i < got / (ssize_t)sizeof msgs[0]; i++) {
      if (msgs[i].event == UFFD_EVENT_REMOVE) {
        queueRemoval(r, msgs[i].arg.remove.start, msgs[i].arg.remove.end);
        continue;
      }
      if (msgs[i].event != UFFD_EVENT_PAGEFAULT) continue;
      int64_t page = addressPage(r, msgs[i].arg.pagefault.address);
      if (page < 0) continue; // outside what was announced: the handshake checked the peer registered no more
      if (msgs[i].arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
        // A sampled page touched: an access for the policy, answered below without the pager.
        recordAccess(r, (uint32_t)page);
        minorAt[minors++] = msgs[i].arg.pagefault.address;
        continue;
      }
      uint32_t at = r->qtail++ % QUEUE;
      r->qpage[at] = (uint32_t)page;
      r->qend[at] = (uint32_t)page + 1;
      uint64_t f = msgs[i].arg.pagefault.flags;
      r->qflags[at] = (uint8_t)(((f & UFFD_PAGEFAULT_FLAG_WRITE) ? Q_WRITE : 0) | ((f & UFFD_PAGEFAULT_FLAG_WP) ? Q_WP : 0));
      r->qtid[at] = (int32_t)msgs[i].arg.pagefault.feat.ptid;
      watchFault(r, (uint32_t)page);
    }
    if (!r->notified && r->qtail != r->qhead) {
      r->notified = 1;
      notify = 1;
    }
    pthread_mutex_unlock(&r->lock);
    for (uint32_t i = 0; i < minors; i++) answerMinor(r, (uintptr_t)minorAt[i]);
    if (notify) napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
  }
  return NULL;
}

/** start(id, onActivity, threadId): the reader thread; onActivity runs on the calling thread when faults wait. */
static napi_value Start(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  region_t *r = c.r;
  if (r->reading) {
    napi_throw_error(env, "UFFD_STATE", "the region is already served");
    return NULL;
  }
  napi_value name;
  napi_create_string_utf8(env, "pagevisor-uffd", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, c.argv[1], NULL, name, 0, 1, NULL, NULL, r, callActivity, &r->tsfn) != napi_ok) {
    napi_throw_error(env, "UFFD_STATE", "cannot create the activity callback");
    return NULL;
  }
  // The callback must not keep the process alive on its own.
  napi_unref_threadsafe_function(env, r->tsfn);
  if (pthread_create(&r->reader, NULL, readerMain, r) != 0) {
    int e = errno;
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    return fail(env, "UFFD_THREAD", e, "the fault reader thread");
  }
  argInt(env, c.argv[2], &r->servingThread);
  r->reading = 1;
  return NULL;
}

/**
 * drain(id, pages, flags, who, max): moves up to max queued records out, a removal as one record per
 * page (flag Q_REMOVE); returns how many. Throws UFFD_PEER_GONE once a peer has exited and its records
 * are drained, UFFD_READ when reading failed.
 */
static napi_value Drain(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  region_t *r = c.r;
  int64_t max = 0;
  if (argInt(env, c.argv[4], &max) != 0 || max < 0) max = 0;
  uint32_t *pages = sizedArg(env, &c, 1, (size_t)max, "drain: fewer pages than max");
  uint8_t *flags = pages == NULL ? NULL : sizedArg(env, &c, 2, (size_t)max, "drain: fewer flags than max");
  int32_t *who = flags == NULL ? NULL : sizedArg(env, &c, 3, (size_t)max, "drain: fewer ids than max");
  if (who == NULL) return NULL;
  uint32_t n = 0;
  pthread_mutex_lock(&r->lock);
  while (n < max && r->qhead != r->qtail) {
    uint32_t at = r->qhead % QUEUE;
    pages[n] = r->qpage[at]++;
    flags[n] = r->qflags[at];
    who[n] = r->qtid[at];
    n++;
    if (r->qpage[at] >= r->qend[at]) r->qhead++;
  }
  int err = r->readerError;
  pthread_mutex_unlock(&r->lock);
  if (n == 0 && err == ESRCH) return fail(env, "UFFD_PEER_GONE", err, "the peer exited");
  if (n == 0 && err != 0) return fail(env, "UFFD_READ", err, "reading fault messages");
  napi_value result;
  napi_create_uint32(env, n, &result);
  return result;
}

enum { OK = 0, PRESENT = 1, RETRY = 2, FAILED = 3 };

/**
 * The kernel refuses UFFDIO_COPY, ZEROPAGE and WRITEPROTECT with EAGAIN while the peer's mappings are
 * changing (a REMOVE event not yet read, an madvise in flight); the reader thread reads the event and
 * the change completes within microseconds. So an EAGAIN is retried here, for up to a second.
 */
#define AGAIN_PAUSE_US 50
#define AGAIN_TRIES 20000

int uffdIoctl(int fd, unsigned long request, void *arg, int64_t *progress) {
  for (int tries = 0;; tries++) {
    if (progress != NULL) *progress = 0;
    if (ioctl(fd, request, arg) == 0) return 0;
    if (errno != EAGAIN || tries >= AGAIN_TRIES || (progress != NULL && *progress > 0)) return -1;
    usleep(AGAIN_PAUSE_US);
  }
}

static uint8_t outcomeOf(int err) { return err == EEXIST ? PRESENT : err == EAGAIN ? RETRY : FAILED; }

/**
 * UFFDIO_COPY of each page, a run per ioctl, from `bytes` (page i at bytes[i]) or, when `bytes` is NULL,
 * from the region's snapshot (page p at snapshot[p]); the copy wakes whoever waits.
 */
static void copyRuns(const region_t *r, const uint32_t *pages, uint32_t count, const uint8_t *bytes, uint64_t mode, uint8_t *outcome) {
  for (uint32_t i = 0, end; i < count;) {
    uintptr_t at = pageRun(r, pages, i, count, &end);
    if (at == 0) {
      outcome[i++] = FAILED;
      continue;
    }
    const uint8_t *src = bytes != NULL ? bytes + (size_t)i * PAGE : r->snapshot + (size_t)pages[i] * PAGE;
    struct uffdio_copy run = {.dst = at, .src = (uintptr_t)src, .len = (size_t)(end - i) * PAGE, .mode = mode};
    if (uffdIoctl(r->uffd, UFFDIO_COPY, &run, (int64_t *)&run.copy) == 0) {
      for (uint32_t k = i; k < end; k++) outcome[k] = OK;
      i = end;
      continue;
    }
    // Part of the run may be in: those pages are done, the first one failed; go on one page at a time.
    int err = errno;
    uint32_t done = run.copy > 0 ? (uint32_t)(run.copy / PAGE) : 0;
    for (uint32_t k = i; k < i + done; k++) outcome[k] = OK;
    i += done;
    if (i < end) {
      struct uffdio_copy one = {.dst = at + (uintptr_t)done * PAGE, .src = (uintptr_t)(src + (size_t)done * PAGE), .len = PAGE, .mode = mode};
      outcome[i] = uffdIoctl(r->uffd, UFFDIO_COPY, &one, (int64_t *)&one.copy) == 0 ? OK : outcomeOf(errno == 0 ? err : errno);
      i++;
    }
  }
}

/**
 * copy(id, pages, count, bytes, outcome, writeProtect): UFFDIO_COPY page i from bytes[i], a run per
 * ioctl, write-protected if asked (its first write then faults: dirty tracking); wakes waiters.
 */
static napi_value Copy(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "copy: count exceeds the pages")) return NULL;
  uint8_t *bytes = sizedArg(env, &c, 3, (size_t)c.count * PAGE, "copy: fewer bytes than pages");
  uint8_t *outcome = bytes == NULL ? NULL : sizedArg(env, &c, 4, c.count, "copy: fewer outcomes than pages");
  if (outcome == NULL) return NULL;
  bool writeProtect = false;
  napi_get_value_bool(env, c.argv[5], &writeProtect);
  copyRuns(c.r, c.pages, c.count, bytes, writeProtect ? UFFDIO_COPY_MODE_WP : 0, outcome);
  answered(c.r, c.pages, c.count);
  return NULL;
}

/** wake(id, pages, count): wakes whoever waits on each page (a fault already answered), a run per ioctl. */
static napi_value Wake(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "wake: count exceeds the pages")) return NULL;
  for (uint32_t i = 0, end; i < c.count; i = end) {
    uintptr_t at = pageRun(c.r, c.pages, i, c.count, &end);
    if (at == 0) continue;
    struct uffdio_range range = {.start = at, .len = (size_t)(end - i) * PAGE};
    ioctl(c.r->uffd, UFFDIO_WAKE, &range);
  }
  answered(c.r, c.pages, c.count);
  return NULL;
}

/** fill(id, pages, count, outcome): UFFDIO_COPY of each page from the region's snapshot; wakes waiters. */
static napi_value Fill(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "fill: count exceeds the pages")) return NULL;
  uint8_t *outcome = sizedArg(env, &c, 3, c.count, "fill: fewer outcomes than pages");
  if (outcome == NULL) return NULL;
  if (c.r->snapshot == NULL) {
    napi_throw_error(env, "UFFD_STATE", "fill: the region has no snapshot");
    return NULL;
  }
  copyRuns(c.r, c.pages, c.count, NULL, 0, outcome);
  answered(c.r, c.pages, c.count);
  return NULL;
}

/** zero(id, pages, count, outcome): UFFDIO_ZEROPAGE for each run; wakes waiters. */
static napi_value Zero(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "zero: count exceeds the pages")) return NULL;
  region_t *r = c.r;
  uint32_t *pages = c.pages, count = c.count;
  uint8_t *outcome = sizedArg(env, &c, 3, count, "zero: fewer outcomes than pages");
  if (outcome == NULL) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    uintptr_t at = pages[i] < r->pages ? pageAddress(r, pages[i]) : 0;
    if (at == 0) {
      outcome[i] = FAILED;
      continue;
    }
    struct uffdio_zeropage z = {.range = {.start = at, .len = PAGE}, .mode = 0};
    outcome[i] = uffdIoctl(r->uffd, UFFDIO_ZEROPAGE, &z, (int64_t *)&z.zeropage) == 0 ? OK : outcomeOf(errno);
  }
  answered(r, pages, count);
  return NULL;
}

/** protect(id, pages, count, on): write-protects (on) or releases and wakes (off) each page. */
static napi_value Protect(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "protect: count exceeds the pages")) return NULL;
  region_t *r = c.r;
  uint32_t *pages = c.pages, count = c.count;
  bool on = false;
  napi_get_value_bool(env, c.argv[3], &on);
  for (uint32_t i = 0, end; i < count; i = end) {
    uintptr_t at = pageRun(r, pages, i, count, &end);
    if (at != 0) {
      struct uffdio_writeprotect wp = {.range = {.start = at, .len = (size_t)(end - i) * PAGE}, .mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0};
      if (uffdIoctl(r->uffd, UFFDIO_WRITEPROTECT, &wp, NULL) != 0) return fail(env, "UFFD_PROTECT", errno, "UFFDIO_WRITEPROTECT");
    }
  }
  if (!on) answered(r, pages, count); // releasing the protection wakes the writer
  return NULL;
}

/**
 * readOut(id, pages, count, into, outcome): copies each page into into[i]. Own memory is read with
 * process_vm_readv on this process: a page that is not there fails (EFAULT) instead of faulting the
 * calling thread. A memfd (a sampled region's, a peer's) is read with pread (a hole reads as zeros,
 * and a sampled page is read without touching its mapping); a peer's memory without a memfd fails: reading the peer's anonymous memory could fault on its uffd, which this
 * very thread serves.
 */
static napi_value ReadOut(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "readOut: count exceeds the pages")) return NULL;
  region_t *r = c.r;
  uint32_t *pages = c.pages, count = c.count;
  uint8_t *into = sizedArg(env, &c, 3, (size_t)count * PAGE, "readOut: fewer bytes than pages");
  uint8_t *outcome = into == NULL ? NULL : sizedArg(env, &c, 4, count, "readOut: fewer outcomes than pages");
  if (outcome == NULL) return NULL;
  pid_t self = getpid();
  for (uint32_t i = 0, end; i < count;) {
    uintptr_t at = pageRun(r, pages, i, count, &end);
    if (at == 0 || (r->base == NULL && r->memfd < 0)) {
      outcome[i++] = FAILED;
      continue;
    }
    size_t len = (size_t)(end - i) * PAGE;
    ssize_t got;
    if (r->memfd < 0) {
      struct iovec local = {.iov_base = into + (size_t)i * PAGE, .iov_len = len};
      struct iovec remote = {.iov_base = (void *)at, .iov_len = len};
      got = process_vm_readv(self, &local, 1, &remote, 1, 0);
    } else {
      got = pread(r->memfd, into + (size_t)i * PAGE, len, (off_t)pages[i] * PAGE);
    }
    uint32_t done = got > 0 ? (uint32_t)(got / PAGE) : 0;
    for (uint32_t k = i; k < i + done; k++) outcome[k] = OK;
    i += done;
    if (i < end) outcome[i++] = FAILED; // not present: the next one starts a new run
  }
  return NULL;
}

/**
 * drop(id, pages, count): frees each run (own memory: MADV_DONTNEED; a peer's: a punch-hole in its
 * memfd), then wakes whoever waits on those pages (they fault again).
 */
static napi_value Drop(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "drop: count exceeds the pages")) return NULL;
  region_t *r = c.r;
  uint32_t *pages = c.pages, count = c.count;
  if (r->base == NULL && r->memfd < 0) return fail(env, "UFFD_DROP", EOPNOTSUPP, "a peer's memory without a memfd cannot be dropped");
  for (uint32_t i = 0, end; i < count; i = end) {
    uintptr_t at = pageRun(r, pages, i, count, &end);
    if (at == 0) continue;
    size_t len = (size_t)(end - i) * PAGE;
    if (r->memfd < 0) {
      if (madvise((void *)at, len, MADV_DONTNEED) != 0) return fail(env, "UFFD_DROP", errno, "madvise(MADV_DONTNEED)");
    } else if (fallocate(r->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)pages[i] * PAGE, (off_t)len) != 0) {
      return fail(env, "UFFD_DROP", errno, "fallocate(FALLOC_FL_PUNCH_HOLE) of the memfd");
    }
    struct uffdio_range wake = {.start = at, .len = len};
    ioctl(r->uffd, UFFDIO_WAKE, &wake);
  }
  answered(r, pages, count); // woken: each waiter faults anew, and is followed anew
  return NULL;
}

static void stopReader(region_t *r) {
  if (!r->reading) return;
  uint64_t one = 1;
  if (write(r->stopfd, &one, sizeof one) < 0) { /* cannot fail on an eventfd below its maximum */ }
  pthread_join(r->reader, NULL);
  napi_release_threadsafe_function(r->tsfn, napi_tsfn_release);
  r->reading = 0;
}

/**
 * release(id): stops the reader thread and unregisters the range: the region becomes plain memory
 * (a page never touched reads as zeros, as anonymous memory does). For a region with every page in.
 */
static napi_value Release(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  region_t *r = c.r;
  stopReader(r);
  for (uint32_t s = 0; s < r->segments; s++) {
    struct uffdio_range range = {.start = r->seg[s].base, .len = (size_t)r->seg[s].count * PAGE};
    if (ioctl(r->uffd, UFFDIO_UNREGISTER, &range) != 0) return fail(env, "UFFD_UNREGISTER", errno, "UFFDIO_UNREGISTER");
  }
  // Plain memory now: the peer is safe without a uffd, and its guardian may go.
  standDown(r->guardian);
  r->guardian = -1;
  return NULL;
}

/**
 * watch(id, deadlineMs, action): the watchdog, set before start: a fault unanswered for deadlineMs
 * ends with the page poisoned ('poison': the thread waiting on it gets SIGBUS) or the peer killed
 * ('kill'). Throws UFFD_KERNEL where poisoning needs UFFD_FEATURE_POISON and the uffd lacks it.
 */
static napi_value Watch(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  int64_t deadline, action;
  if (argInt(env, c.argv[1], &deadline) != 0 || deadline < 1 || argInt(env, c.argv[2], &action) != 0 || action < 1 || action > 2 || c.r->reading) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "watch(id, deadlineMs >= 1, action 1 poison | 2 kill), before start");
    return NULL;
  }
  if (action == 2 && c.r->pidfd < 0) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "watch: only a peer's memory has a peer to kill");
    return NULL;
  }
  if (action == 1 && c.r->base != NULL && !(c.r->features & UFFD_FEATURE_POISON)) return fail(env, "UFFD_KERNEL", ENOTSUP, "UFFDIO_POISON (Linux 6.6)");
  c.r->deadlineMs = deadline;
  c.r->watchAction = (int)action;
  return NULL;
}

/** watchdogFired(id): how many faults the watchdog has acted on. */
static napi_value WatchdogFired(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  napi_value result;
  napi_create_uint32(env, c.r->fired, &result);
  return result;
}

/** address(id): where this process's region is mapped (0 for a peer's memory), for /proc/self/smaps. */
static napi_value Address(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  napi_value result;
  napi_create_double(env, (double)(uintptr_t)c.r->base, &result);
  return result;
}

/** kill(id): SIGKILL to the peer whose memory the region is (through its pidfd: never another process). */
static napi_value Kill(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  if (c.r->pidfd < 0) {
    napi_throw_error(env, "UFFD_STATE", "kill: the region is this process's own memory");
    return NULL;
  }
  if (killByPidfd(c.r->pidfd) != 0 && errno != ESRCH) return fail(env, "UFFD_KILL", errno, "pidfd_send_signal(SIGKILL)");
  return NULL;
}

/**
 * close(id): stops the reader thread and unmaps the region, leaving an inaccessible reservation in its
 * place: a view used after close faults (SIGSEGV) instead of reading zeros. For a peer's memory it
 * closes this process's descriptors (uffd, memfd, pidfd) and unmaps the snapshot.
 */
static napi_value Close(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  region_t *r = c.r;
  stopReader(r);
  if (r->base != NULL) mmap(r->base, (size_t)r->pages * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  if (r->snapshot != NULL) munmap((void *)r->snapshot, r->snapshotBytes);
  if (r->memfd >= 0) close(r->memfd);
  free(r->acc);
  if (r->pidfd >= 0) close(r->pidfd);
  standDown(r->guardian); // the peer was released, has exited, or was killed: nothing left to guard
  close(r->uffd);
  close(r->stopfd);
  pthread_mutex_lock(&table);
  pthread_mutex_destroy(&r->lock);
  r->used = 0;
  pthread_mutex_unlock(&table);
  return NULL;
}

// --- baseline: the same faults served by C alone, for the benchmark ---

/** The seconds from `t0` to `t1`, as a JS number: what each baseline returns. */
static napi_value secondsBetween(napi_env env, const struct timespec *t0, const struct timespec *t1) {
  napi_value result;
  napi_create_double(env, (double)(t1->tv_sec - t0->tv_sec) + (double)(t1->tv_nsec - t0->tv_nsec) / 1e9, &result);
  return result;
}

typedef struct {
  int uffd;
  uint8_t *base;
  uint32_t pages;
  uint32_t perFault;
  uint8_t *source;
  volatile int stop;
} baseline_t;

static void *baselineHandler(void *arg) {
  baseline_t *b = arg;
  struct pollfd fd = {.fd = b->uffd, .events = POLLIN};
  struct uffd_msg msg;
  while (!b->stop) {
    if (poll(&fd, 1, 10) <= 0) continue;
    if (read(b->uffd, &msg, sizeof msg) != sizeof msg || msg.event != UFFD_EVENT_PAGEFAULT) continue;
    uint64_t page = (msg.arg.pagefault.address - (uintptr_t)b->base) / PAGE;
    uint64_t first = page - page % b->perFault;
    uint64_t n = first + b->perFault > b->pages ? b->pages - first : b->perFault;
    struct uffdio_copy c = {.dst = (uintptr_t)(b->base + first * PAGE), .src = (uintptr_t)b->source, .len = n * PAGE, .mode = 0};
    ioctl(b->uffd, UFFDIO_COPY, &c);
  }
  return NULL;
}

static void *baselineToucher(void *arg) {
  baseline_t *b = arg;
  for (uint32_t p = 0; p < b->pages; p++) b->base[(size_t)p * PAGE] += 1;
  return NULL;
}

/**
 * baseline(pages, perFault): seconds a C thread takes to touch `pages` missing pages of a fresh region
 * while a C handler thread answers each fault with one UFFDIO_COPY of `perFault` pages from a buffer.
 */
static napi_value Baseline(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t pages, perFault;
  if (argInt(env, argv[0], &pages) != 0 || argInt(env, argv[1], &perFault) != 0 || pages < 1 || perFault < 1 || perFault > 512) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "baseline(pages, perFault)");
    return NULL;
  }
  baseline_t b = {.pages = (uint32_t)pages, .perFault = (uint32_t)perFault};
  int how;
  b.uffd = openUffd(&how);
  if (b.uffd < 0) return fail(env, "UFFD_OPEN", errno, "userfaultfd");
  struct uffdio_api api = {.api = UFFD_API};
  ioctl(b.uffd, UFFDIO_API, &api);
  size_t bytes = (size_t)pages * PAGE;
  b.base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  b.source = aligned_alloc(PAGE, (size_t)perFault * PAGE);
  memset(b.source, 0x5a, (size_t)perFault * PAGE);
  struct uffdio_register reg = {.range = {.start = (uintptr_t)b.base, .len = bytes}, .mode = UFFDIO_REGISTER_MODE_MISSING};
  if (b.base == MAP_FAILED || ioctl(b.uffd, UFFDIO_REGISTER, &reg) != 0) {
    int e = errno;
    close(b.uffd);
    return fail(env, "UFFD_REGISTER", e, "baseline region");
  }
  pthread_t handler, toucher;
  pthread_create(&handler, NULL, baselineHandler, &b);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pthread_create(&toucher, NULL, baselineToucher, &b);
  pthread_join(toucher, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  b.stop = 1;
  pthread_join(handler, NULL);
  munmap(b.base, bytes);
  free(b.source);
  close(b.uffd);
  return secondsBetween(env, &t0, &t1);
}

/**
 * dropBaseline(pages, run, copy): seconds C takes to MADV_DONTNEED `pages` written pages of a plain
 * anonymous mapping, `run` pages per call: the reference for eviction. With `copy`, each run is first
 * copied into a buffer as large as the mapping (touched beforehand): the least an eviction that keeps
 * the bytes does, the floor for evicting written pages to a store in memory.
 */
static napi_value DropBaseline(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t pages, run;
  bool copy = false;
  if (argInt(env, argv[0], &pages) != 0 || argInt(env, argv[1], &run) != 0 || pages < 1 || pages > (1ll << 24) || run < 1 || run > 512) {
    napi_throw_range_error(env, "UFFD_ARGUMENT", "dropBaseline(pages, run, copy)");
    return NULL;
  }
  if (argc > 2) napi_get_value_bool(env, argv[2], &copy);
  size_t bytes = (size_t)pages * PAGE;
  uint8_t *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return fail(env, "UFFD_MAP", errno, "baseline mapping");
  uint8_t *kept = copy ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) : NULL;
  if (kept == MAP_FAILED) {
    munmap(base, bytes);
    return fail(env, "UFFD_MAP", errno, "baseline copy buffer");
  }
  for (int64_t p = 0; p < pages; p++) {
    base[(size_t)p * PAGE] = 1;
    if (kept != NULL) kept[(size_t)p * PAGE] = 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int64_t p = 0; p < pages; p += run) {
    int64_t n = p + run > pages ? pages - p : run;
    if (kept != NULL) memcpy(kept + (size_t)p * PAGE, base + (size_t)p * PAGE, (size_t)n * PAGE);
    madvise(base + (size_t)p * PAGE, (size_t)n * PAGE, MADV_DONTNEED);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  munmap(base, bytes);
  if (kept != NULL) munmap(kept, bytes);
  return secondsBetween(env, &t0, &t1);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      METHOD("probe", Probe),
      METHOD("create", Create),
      METHOD("view", View),
      METHOD("start", Start),
      METHOD("drain", Drain),
      METHOD("copy", Copy),
      METHOD("zero", Zero),
      METHOD("protect", Protect),
      METHOD("readOut", ReadOut),
      METHOD("drop", Drop),
      METHOD("address", Address),
      METHOD("watch", Watch),
      METHOD("watchdogFired", WatchdogFired),
      METHOD("wake", Wake),
      METHOD("fill", Fill),
      METHOD("adopt", Adopt),
      METHOD("kill", Kill),
      METHOD("release", Release),
      METHOD("close", Close),
      METHOD("baseline", Baseline),
      METHOD("dropBaseline", DropBaseline),
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  definePeerMethods(env, exports);
  defineSamplingMethods(env, exports);
  return exports;
}
