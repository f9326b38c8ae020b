/*
 * Runs xenpaging's victim policy (tools/xenpaging/policy_default.c of a Xen checkout) on a sequence of
 * operations read from stdin, and prints every victim it chooses, one per line (-1: none). Written for
 * Pagevisor's policy test; the policy itself is compiled from Xen's own file, never copied here.
 *
 * Input: a first line "max_pages mru_size", then one operation per line:
 *   c     policy_choose_victim
 *   o G   G was paged out: policy_notify_paged_out, num_paged_out++
 *   i G   G was paged in: xenpaging_resume_page(notify_policy = 1)
 *   d G   G was dropped: policy_notify_dropped, then xenpaging_resume_page(notify_policy = 1)
 */
#include <stdio.h>
#include "policy.h"

static struct xenpaging paging;

/* xenpaging_resume_page's policy half (RELEASE-4.2.0 tools/xenpaging/xenpaging.c). */
static void resume_page(unsigned long gfn)
{
    if ( paging.num_paged_out > paging.policy_mru_size )
        policy_notify_paged_in(gfn);
    else
        policy_notify_paged_in_nomru(gfn);
    paging.num_paged_out--;
}

int main(void)
{
    char op;
    unsigned long gfn;
    if ( scanf("%lu %d", &paging.max_pages, &paging.policy_mru_size) != 2 || policy_init(&paging) != 0 )
        return 2;
    while ( scanf(" %c", &op) == 1 )
    {
        if ( op == 'c' )
        {
            unsigned long victim = policy_choose_victim(&paging);
            printf("%ld\n", victim == INVALID_MFN ? -1L : (long)victim);
            continue;
        }
        if ( scanf("%lu", &gfn) != 1 )
            return 2;
        if ( op == 'o' ) { policy_notify_paged_out(gfn); paging.num_paged_out++; }
        else if ( op == 'i' ) resume_page(gfn);
        else if ( op == 'd' ) { policy_notify_dropped(gfn); resume_page(gfn); }
        else return 2;
    }
    return 0;
}
