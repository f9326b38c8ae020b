// A paged region as the addon's C files share it (uffd.c owns the table; sampling.c answers minor faults).
#ifndef PAGEVISOR_REGION_H
#define PAGEVISOR_REGION_H
#include "pagevisor.h"
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define MAX_REGIONS 64
/** Faults the watchdog follows at once: one per waiting thread, so a few are plenty. */
#define WATCHED 256
#define QUEUE 4096u
#define READ_BATCH 64
#define MAX_SEGMENTS 32

/** Queue record flags: a write; a write to a write-protected page; a removal of pages [page, end). */
#define Q_WRITE 1
#define Q_WP 2
#define Q_REMOVE 4

/** Where pages [first, first + count) of the region's page space are mapped. */
typedef struct {
  uintptr_t base;
  uint32_t first, count;
} segment_t;

typedef struct {
  int used;
  int uffd;
  int stopfd;
  uint8_t *base; // this process's mapping (own regions); NULL for a peer's memory
  uint32_t pages;
  uint64_t features;
  segment_t seg[MAX_SEGMENTS];
  uint32_t segments;
  // A peer's memory: its pid, a pidfd to notice its exit, its memfd (-1 without) and a snapshot to fill from.
  pid_t pid;
  int pidfd;
  int memfd;
  int guardian; // the stand-down fd of the peer's guardian (guardian.c), -1 without one
  const uint8_t *snapshot;
  size_t snapshotBytes;
  pthread_t reader;
  int reading;
  pthread_mutex_t lock;
  // Queue: ring of page index (the first of a removal), its end (removals), flags and thread id.
  uint32_t qpage[QUEUE];
  uint32_t qend[QUEUE];
  uint8_t qflags[QUEUE];
  int32_t qtid[QUEUE];
  uint32_t qhead, qtail;
  int notified;
  int readerError;
  int64_t servingThread;
  napi_threadsafe_function tsfn;
  // The watchdog (set before start): a fault unanswered for deadlineMs is poisoned (1) or the peer killed (2).
  int64_t deadlineMs;
  int watchAction;
  uint32_t watched;
  uint32_t wpage[WATCHED];
  struct timespec wsince[WATCHED];
  uint32_t fired; // faults the watchdog acted on
  // Access sampling (sampling.c): a memfd-backed region whose sampled pages' minor faults are answered
  // by the reader thread and recorded in this ring, which the pager drains.
  int sampled;
  uint32_t *acc;
  uint32_t accHead, accTail;
} region_t;

/**
 * Accesses a sampled region's ring holds: the pager keeps at most 65536 sampled pages not yet touched,
 * each of which records one access, and the rest is room for threads that fault on the same page at once.
 */
#define ACCESS_RING (1u << 17)

/** The address of page `page` in the memory it is mapped in, or 0 when no segment maps it. */
uintptr_t pageAddress(const region_t *r, uint32_t page);
/**
 * The run of consecutive pages, mapped consecutively, starting at i: sets *end past it and returns the
 * first page's address; returns 0 (with *end = i + 1) when pages[i] is not mapped.
 */
uintptr_t pageRun(const region_t *r, const uint32_t *pages, uint32_t i, uint32_t count, uint32_t *end);
/** An ioctl on a uffd, retried while the kernel answers EAGAIN (see uffd.c); 0, or -1 with errno. */
int uffdIoctl(int fd, unsigned long request, void *arg, int64_t *progress);
/** The region `v` names; NULL with an exception pending. */
region_t *regionArg(napi_env env, napi_value v);

/** A call's arguments: the region (argument 0) and, for page calls, the pages and their count (1, 2). */
typedef struct {
  napi_value argv[6];
  region_t *r;
  uint32_t *pages;
  uint32_t count;
} call_t;

/** Reads up to six arguments (missing ones are undefined) and the region; false with an exception pending. */
int begin(napi_env env, napi_callback_info info, call_t *c);
/** The region, then the pages (a Uint32Array) and a count within it; false with an exception pending. */
int beginPages(napi_env env, napi_callback_info info, call_t *c, const char *what);

/** Makes `r` a sampled region (its access ring); 0, or -1 without memory. */
int setUpSampling(region_t *r);
/** Records an access to `page` in a sampled region's ring (lock held); one beyond its room is not recorded. */
void recordAccess(region_t *r, uint32_t page);
/** Answers a minor fault at `address` (reader thread, lock not held): UFFDIO_CONTINUE, or a wake. */
void answerMinor(region_t *r, uintptr_t address);
/** Adds the sampling methods (sampling.c) to the addon's exports. */
void defineSamplingMethods(napi_env env, napi_value exports);

#endif
