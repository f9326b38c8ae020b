import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BackRing,
  BUILTIN_ABIS,
  FrontRing,
  MEM_EVENT_4_2,
  RING_PAGE_BYTES,
  RingError,
  RingSlotAccounting,
  SharedRing,
  VM_EVENT_V7,
  ringNotifyNeeded,
  type PagingAbi,
  type PagingMessage,
} from '@pagevisor/core';
import { rejection } from './support/rejection.js';


/** Writes all four header indexes, as a ring that has already run for a while would hold them. */
function ringAt(abi: PagingAbi, index: number, shared = false): SharedRing {
  const sring = SharedRing.create(abi.entryBytes, shared);
  sring.reqProd = index;
  sring.rspProd = index;
  sring.reqEvent = (index + 1) >>> 0;
  sring.rspEvent = (index + 1) >>> 0;
  return sring;
}

type Step = { kind: 'request'; count: number } | { kind: 'drain'; max: number } | { kind: 'respond'; count: number } | { kind: 'consume'; max: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), count: fc.nat({ max: 70 }) }),
  fc.record({ kind: fc.constant('drain' as const), max: fc.nat({ max: 70 }) }),
  fc.record({ kind: fc.constant('respond' as const), count: fc.nat({ max: 70 }) }),
  fc.record({ kind: fc.constant('consume' as const), max: fc.nat({ max: 70 }) }),
);

describe.each([MEM_EVENT_4_2, VM_EVENT_V7].map((abi) => [abi.id, abi] as const))('%s ring against an array model', (_, abi) => {
  it('delivers every request and response in order, across the 2^32 index wrap, with exact full/empty edges', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 0xffff_ffff - 3, 0xffff_ffff - abi.ringSlots, 0x7fff_fff0),
        fc.boolean(),
        fc.array(step, { maxLength: 60 }),
        (start, shared, steps) => {
          const sring = ringAt(abi, start, shared);
          const front = new FrontRing(sring, start);
          const back = new BackRing(sring, start);
          const size = sring.slots;
          // The model: requests in flight, requests consumed but unanswered, responses in flight.
          const published: number[] = [];
          const unanswered: number[] = [];
          const responses: number[] = [];
          let nextGfn = 1;
          const drained: PagingMessage[] = [];
          for (const s of steps) {
            const outstanding = published.length + unanswered.length + responses.length;
            expect(front.freeRequests).toBe(size - outstanding);
            expect(front.full).toBe(outstanding === size);
            expect(back.unconsumedRequests).toBe(published.length);
            expect(back.pendingResponses).toBe(unanswered.length);
            expect(front.unconsumedResponses).toBe(responses.length);
            if (s.kind === 'request') {
              const batch = Array.from({ length: s.count }, (_, i) => abi.create({ gfn: nextGfn + i }));
              if (s.count > size - outstanding) {
                expect(rejection(() => front.pushRequests(abi, batch))).toMatchObject({ code: 'RING_FULL' });
                continue;
              }
              front.pushRequests(abi, batch);
              for (let i = 0; i < s.count; i++) published.push(nextGfn++);
            } else if (s.kind === 'drain') {
              const n = back.drainRequests(abi, drained, s.max);
              const expected = published.splice(0, Math.min(s.max, published.length));
              expect(drained.slice(0, n).map((m) => m.gfn)).toEqual(expected);
              unanswered.push(...expected);
            } else if (s.kind === 'respond') {
              const batch = unanswered.slice(0, s.count).map((gfn) => abi.create({ gfn, flags: 1 }));
              if (s.count > unanswered.length) {
                expect(rejection(() => back.pushResponses(abi, Array.from({ length: s.count }, () => abi.create())))).toMatchObject({ code: 'RING_FULL' });
                continue;
              }
              back.pushResponses(abi, batch);
              responses.push(...unanswered.splice(0, s.count));
            } else {
              const out: PagingMessage[] = [];
              const n = front.consumeResponses(abi, out, s.max);
              expect(out.slice(0, n).map((m) => m.gfn)).toEqual(responses.splice(0, Math.min(s.max, responses.length)));
            }
            // The header always holds the published indexes.
            expect(sring.reqProd).toBe(front.reqProdPvt);
            expect(sring.rspProd).toBe(back.rspProdPvt);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('shared ring', () => {
  it('initialises like SHARED_RING_INIT and lays slots after the 64-byte header', () => {
    const sring = SharedRing.create(VM_EVENT_V7.entryBytes);
    expect([sring.reqProd, sring.reqEvent, sring.rspProd, sring.rspEvent]).toEqual([0, 1, 0, 1]);
    expect(sring.slotOffset(0)).toBe(64);
    expect(sring.slotOffset(9)).toBe(64 + 400);
    expect(sring.slotView(9).bytes.byteOffset).toBe(64 + 400);
    // The header is little-endian on the page, as Xen reads it.
    sring.reqProd = 0x01020304;
    expect([...new Uint8Array(sring.page, 0, 4)]).toEqual([4, 3, 2, 1]);
  });

  it('refuses a page that is not 4096 bytes', () => {
    expect(rejection(() => new SharedRing(new ArrayBuffer(RING_PAGE_BYTES - 1), 40))).toMatchObject({ code: 'RING_BUFFER' });
    expect(rejection(() => SharedRing.create(5000))).toMatchObject({ code: 'RING_BUFFER' });
  });

  it('works across two views of one SharedArrayBuffer, as front and back in two workers would', () => {
    const page = SharedRing.create(MEM_EVENT_4_2.entryBytes, true).page;
    const front = new FrontRing(new SharedRing(page, MEM_EVENT_4_2.entryBytes));
    const back = new BackRing(new SharedRing(page, MEM_EVENT_4_2.entryBytes));
    front.pushRequests(MEM_EVENT_4_2, [MEM_EVENT_4_2.create({ gfn: 5 })]);
    const out: PagingMessage[] = [];
    expect(back.drainRequests(MEM_EVENT_4_2, out)).toBe(1);
    expect(out[0]!.gfn).toBe(5);
  });

  it('follows the io/ring.h notify rule', () => {
    expect(ringNotifyNeeded(5, 3, 4)).toBe(true);
    expect(ringNotifyNeeded(5, 3, 5)).toBe(true);
    expect(ringNotifyNeeded(5, 3, 3)).toBe(false);
    expect(ringNotifyNeeded(5, 3, 9)).toBe(false);
    expect(ringNotifyNeeded(1, 0xffff_fffe, 0xffff_ffff)).toBe(true); // across the wrap
    const sring = SharedRing.create(40);
    const front = new FrontRing(sring);
    const back = new BackRing(sring);
    const abi = MEM_EVENT_4_2;
    expect(front.pushRequests(abi, [abi.create()])).toBe(true); // req_event starts at 1
    expect(front.pushRequests(abi, [abi.create()])).toBe(false); // back end has not re-armed
    back.drainRequests(abi, []); // drains to empty and arms req_event = req_cons + 1 = 3
    expect(sring.reqEvent).toBe(3);
    expect(front.pushRequests(abi, [abi.create()])).toBe(true);
    expect(back.pushResponses(abi, [abi.create(), abi.create()])).toBe(true);
  });

  it('refuses a producer index that runs more than a ring ahead', () => {
    const sring = SharedRing.create(40);
    const back = new BackRing(sring);
    sring.reqProd = 65;
    expect(rejection(() => back.drainRequests(MEM_EVENT_4_2, []))).toMatchObject({ code: 'RING_OVERFLOW', index: 65 });
    const front = new FrontRing(sring);
    sring.rspProd = 1;
    expect(rejection(() => front.consumeResponses(MEM_EVENT_4_2, []))).toMatchObject({ code: 'RING_OVERFLOW' });
  });

  it('returns the good entries before a bad one, then consumes and names the bad one', () => {
    const abi = VM_EVENT_V7;
    const sring = SharedRing.create(abi.entryBytes);
    const front = new FrontRing(sring);
    const back = new BackRing(sring);
    front.pushRequests(abi, [1, 2, 3].map((gfn) => abi.create({ gfn })));
    new DataView(sring.page).setUint32(sring.slotOffset(1) + 28, 0xffff_ffff, true); // gfn of index 1 ≥ 2^53
    const out: PagingMessage[] = [];
    expect(back.drainRequests(abi, out)).toBe(1);
    const error = rejection(() => back.drainRequests(abi, out));
    expect(error).toBeInstanceOf(RingError);
    expect(error).toMatchObject({ code: 'RING_BAD_ENTRY', index: 1 });
    expect(error.message).toContain('request at ring index 1 (slot 1) is not a valid vm_event/v7 entry');
    expect((error.cause as { code: string }).code).toBe('ABI_FIELD_RANGE');
    expect(back.drainRequests(abi, out)).toBe(1);
    expect(out[0]!.gfn).toBe(3);
    expect(back.pendingResponses).toBe(3); // the bad request still owes its response
  });

  it('publishes nothing when an encode in the batch fails', () => {
    const abi = VM_EVENT_V7;
    const sring = SharedRing.create(abi.entryBytes);
    const front = new FrontRing(sring);
    expect(() => front.pushRequests(abi, [abi.create(), abi.create({ gfn: -1 })])).toThrow();
    expect([front.reqProdPvt, sring.reqProd, front.freeRequests]).toEqual([0, 0, 8]);
  });
});

describe('4.2 slot accounting', () => {
  it('counts claims against free slots and releases them on put or cancel', () => {
    const abi = VM_EVENT_V7;
    const sring = SharedRing.create(abi.entryBytes);
    const front = new FrontRing(sring);
    const slots = new RingSlotAccounting(front);
    expect(slots.available).toBe(8);
    for (let i = 0; i < 6; i++) expect(slots.tryClaim('target')).toBe(true);
    expect(slots.tryClaim('foreign')).toBe(true);
    expect(slots.tryClaim('foreign')).toBe(true);
    expect(slots.available).toBe(0);
    expect(slots.tryClaim('foreign')).toBe(false); // Xen: -EBUSY
    slots.cancel('foreign');
    expect(slots.available).toBe(1);
    expect(slots.putRequest('target', abi, abi.create({ gfn: 1 }))).toBe(true);
    expect([slots.targetProducers, slots.foreignProducers, front.freeRequests, slots.available]).toEqual([5, 1, 7, 1]);
    expect(rejection(() => new RingSlotAccounting(front).cancel('target'))).toMatchObject({ code: 'RING_SLOT' });
    expect(rejection(() => new RingSlotAccounting(front).putRequest('foreign', abi, abi.create()))).toMatchObject({ code: 'RING_SLOT' });
  });
});

it('every built-in ABI runs a full request/response cycle on its ring', () => {
  for (const abi of BUILTIN_ABIS) {
    const sring = SharedRing.create(abi.entryBytes);
    const front = new FrontRing(sring);
    const back = new BackRing(sring);
    const requests = Array.from({ length: abi.ringSlots }, (_, i) => abi.create({ gfn: i, vcpuId: i }));
    front.pushRequests(abi, requests);
    expect(front.full).toBe(true);
    const drained: PagingMessage[] = [];
    expect(back.drainRequests(abi, drained)).toBe(abi.ringSlots);
    back.pushResponses(abi, drained);
    const responses: PagingMessage[] = [];
    expect(front.consumeResponses(abi, responses)).toBe(abi.ringSlots);
    expect(responses.map((m) => m.vcpuId)).toEqual(requests.map((m) => m.vcpuId));
    expect(front.freeRequests).toBe(abi.ringSlots);
  }
});
