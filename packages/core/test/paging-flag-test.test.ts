import { describe, expect, it } from 'vitest';
import { MEM_EVENT_4_0, MEM_EVENT_4_2, pagingFlagTest, VM_EVENT_V7, xen } from '@pagevisor/core';

describe('pagingFlagTest: one DROP_PAGE test for every ABI', () => {
  it('reads vm_event paging flags from u.mem_paging.flags, not from flags', () => {
    const isDrop = pagingFlagTest(VM_EVENT_V7, 'DROP_PAGE');
    expect(isDrop(VM_EVENT_V7.create({ gfn: 1, pagingFlags: xen.MEM_PAGING_DROP_PAGE }))).toBe(true);
    expect(isDrop(VM_EVENT_V7.create({ gfn: 1, flags: xen.MEM_PAGING_DROP_PAGE }))).toBe(false);
  });

  it('reads mem_event paging flags from flags, by the age\'s own bits', () => {
    expect(pagingFlagTest(MEM_EVENT_4_2, 'DROP_PAGE')(MEM_EVENT_4_2.create({ gfn: 1, flags: xen.MEM_EVENT_FLAG_DROP_PAGE }))).toBe(true);
    expect(pagingFlagTest(MEM_EVENT_4_2, 'EVICT_FAIL')(MEM_EVENT_4_2.create({ gfn: 1, flags: xen.MEM_EVENT_FLAG_DROP_PAGE }))).toBe(false);
  });

  it('Xen 4.0 has no DROP_PAGE: its bit 1 is DOM_PAUSED, never a drop', () => {
    const isDrop = pagingFlagTest(MEM_EVENT_4_0, 'DROP_PAGE');
    expect(isDrop(MEM_EVENT_4_0.create({ gfn: 1, flags: xen.MEM_EVENT_FLAG_DROP_PAGE }))).toBe(false);
  });
});
