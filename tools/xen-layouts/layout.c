/*
 * Prints, as one JSON object, the size of a Xen release's paging ring entry, the offsets and sizes of
 * the fields a pager reads, and the ring's slot count, compiled against that release's public headers
 * (x86-64). Built by measure.sh with -DERA=0 (4.0), 1 (4.1), 2 (4.2-4.5 mem_event) or 3 (vm_event).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "xen.h"
#if ERA == 3
#include "vm_event.h"
#define ENTRY vm_event_request_t
#define RING vm_event
#else
#include "mem_event.h"
#define ENTRY mem_event_request_t
#define RING mem_event
#endif

/* One level of indirection, so that RING expands before __CONST_RING_SIZE pastes it. */
#define SLOTS(ring) __CONST_RING_SIZE(ring, 4096)
static const char *sep = "";
#define FIELD(name, member) (printf("%s\"%s\": [%zu, %zu]", sep, name, offsetof(ENTRY, member), sizeof(((ENTRY *)0)->member)), sep = ", ")

int main(void)
{
    printf("{\"entryBytes\": %zu, \"ringSlots\": %u, \"fields\": {", sizeof(ENTRY), (unsigned)SLOTS(RING));
#if ERA == 0
    FIELD("gfn", gfn); FIELD("offset", offset); FIELD("p2mt", p2mt); FIELD("vcpuId", vcpu_id); FIELD("flags", flags);
#elif ERA == 1
    FIELD("type", type); FIELD("flags", flags); FIELD("vcpuId", vcpu_id); FIELD("gfn", gfn); FIELD("p2mt", p2mt); FIELD("reason", reason);
#elif ERA == 2
    FIELD("flags", flags); FIELD("vcpuId", vcpu_id); FIELD("gfn", gfn); FIELD("p2mt", p2mt); FIELD("reason", reason);
#else
    FIELD("version", version); FIELD("flags", flags); FIELD("reason", reason); FIELD("vcpuId", vcpu_id);
    FIELD("gfn", u.mem_paging.gfn); FIELD("p2mt", u.mem_paging.p2mt); FIELD("pagingFlags", u.mem_paging.flags);
#endif
    printf("}}\n");
    return 0;
}
