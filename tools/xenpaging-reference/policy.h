/* The parts of xenpaging.h and policy.h that policy_default.c uses, for driver.c. */
#ifndef PAGEVISOR_XENPAGING_REFERENCE_POLICY_H
#define PAGEVISOR_XENPAGING_REFERENCE_POLICY_H
#include <errno.h>
#include <stdio.h>
typedef struct { int unused; } xc_interface;
struct xenpaging {
    xc_interface *xc_handle;
    unsigned long max_pages;
    int policy_mru_size;
    int use_poll_timeout;
    int num_paged_out;
};
#define INVALID_MFN (~0UL)
#define DPRINTF(...) ((void)0)
int policy_init(struct xenpaging *paging);
unsigned long policy_choose_victim(struct xenpaging *paging);
void policy_notify_paged_out(unsigned long gfn);
void policy_notify_paged_in(unsigned long gfn);
void policy_notify_paged_in_nomru(unsigned long gfn);
void policy_notify_dropped(unsigned long gfn);
#endif
