// Access sampling: reference bits for the pager's policy, taken as minor faults. A sampled region is a
// memfd mapped shared and registered for missing, write-protect and minor faults. Sampling a page drops
// its page-table entry with MADV_DONTNEED while its bytes stay in the memfd; the next access to it is a
// minor fault, which the reader thread answers at once with UFFDIO_CONTINUE (no round trip through the
// pager) and records in the region's access ring, which the pager drains. See docs/guides/linux.md.
#define _GNU_SOURCE
#include "region.h"
#include <errno.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef UFFDIO_CONTINUE_MODE_WP
// Linux 6.5, absent from older headers: the value in include/uapi/linux/userfaultfd.h.
#define UFFDIO_CONTINUE_MODE_WP ((__u64)1 << 1)
#endif

int setUpSampling(region_t *r) {
  r->acc = malloc(sizeof r->acc[0] * ACCESS_RING);
  if (r->acc == NULL) return -1;
  r->sampled = 1;
  return 0;
}

void recordAccess(region_t *r, uint32_t page) {
  if (r->accTail - r->accHead == ACCESS_RING) return;
  r->acc[r->accTail++ % ACCESS_RING] = page;
}

void answerMinor(region_t *r, uintptr_t address) {
  // Always mapped write-protected: whether the page was clean, or its eviction has just protected it,
  // a write after this faults to the pager, so no write escapes dirty tracking or an eviction's copy.
  struct uffdio_continue go = {.range = {.start = address & ~(uintptr_t)(PAGE - 1), .len = PAGE}, .mode = UFFDIO_CONTINUE_MODE_WP};
  if (uffdIoctl(r->uffd, UFFDIO_CONTINUE, &go, (int64_t *)&go.mapped) == 0 || errno == EEXIST) return;
  // The page left the memfd meanwhile (an eviction punched it out): wake the toucher, whose next try
  // is a missing fault the pager serves.
  struct uffdio_range wake = go.range;
  ioctl(r->uffd, UFFDIO_WAKE, &wake);
}

/** sample(id, pages, count): drops each run's page-table entries (MADV_DONTNEED); the bytes stay in the memfd. */
static napi_value Sample(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "sample: count exceeds the pages")) return NULL;
  region_t *r = c.r;
  if (!r->sampled) {
    napi_throw_error(env, "UFFD_STATE", "sample: the region was not opened for access sampling");
    return NULL;
  }
  for (uint32_t i = 0, end; i < c.count; i = end) {
    uintptr_t at = pageRun(r, c.pages, i, c.count, &end);
    if (at != 0 && madvise((void *)at, (size_t)(end - i) * PAGE, MADV_DONTNEED) != 0) return fail(env, "UFFD_SAMPLE", errno, "madvise(MADV_DONTNEED)");
  }
  return NULL;
}

/** accesses(id, into, max): moves up to max recorded accesses (pages) into `into`; returns how many. */
static napi_value Accesses(napi_env env, napi_callback_info info) {
  call_t c;
  if (!beginPages(env, info, &c, "accesses: max exceeds the array")) return NULL;
  region_t *r = c.r;
  uint32_t *into = c.pages, max = c.count;
  uint32_t k = 0;
  if (r->sampled) {
    pthread_mutex_lock(&r->lock);
    while (k < max && r->accHead != r->accTail) into[k++] = r->acc[r->accHead++ % ACCESS_RING];
    pthread_mutex_unlock(&r->lock);
  }
  napi_value result;
  napi_create_uint32(env, k, &result);
  return result;
}

/**
 * heldBytes(id): the bytes a sampled region's memfd holds (its allocated blocks): its resident memory,
 * which a shared mapping's Rss undercounts by the sampled pages not touched since. -1 for other regions.
 */
static napi_value HeldBytes(napi_env env, napi_callback_info info) {
  call_t c;
  if (!begin(env, info, &c)) return NULL;
  region_t *r = c.r;
  struct stat st;
  if (r->sampled && fstat(r->memfd, &st) != 0) return fail(env, "UFFD_STAT", errno, "fstat of the region's memfd");
  napi_value result;
  napi_create_double(env, r->sampled ? (double)st.st_blocks * 512 : -1, &result);
  return result;
}

void defineSamplingMethods(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {METHOD("sample", Sample), METHOD("accesses", Accesses), METHOD("heldBytes", HeldBytes)};
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}
