import { BackRing, type PagingAbi, type PagingMessage } from '@pagevisor/core';
import { P2mType, SimHypervisor, type SimDomain } from '@pagevisor/testing';

/** A small audited machine with one domain and paging enabled on `abiId`. */
export function simWith(abiId: string, options: { vcpus?: number; maxPages?: number; xenBugs?: boolean } = {}) {
  const hv = new SimHypervisor({ abi: abiId, audit: true, machineFrames: 8192, xenBugs: options.xenBugs ?? false });
  const d = hv.createDomain({ maxPages: options.maxPages ?? 1024, vcpus: options.vcpus ?? 2, seed: 11 });
  const channel = hv.enablePaging(d.domid, abiId);
  const abi = d.paging!.abi;
  const back = new BackRing(channel.ring);
  const drained: PagingMessage[] = [];
  return {
    hv,
    d,
    abi,
    back,
    id: d.domid,
    /** Requests on the ring now, read off it (they still owe responses). */
    requests(): PagingMessage[] {
      const n = back.drainRequests(abi, drained);
      return drained.slice(0, n).map((m) => ({ ...m }));
    },
    /** Answers `requests` with responses echoing gfn, vcpu and flags, then resumes once per response (4.1) or once. */
    answer(requests: PagingMessage[], edit: (m: PagingMessage) => void = () => undefined): void {
      const responses = requests.map((r) => {
        const m = abi.create({ ...r, opaque: undefined });
        if ('version' in m) m.version = Number(abi.generation);
        edit(m);
        return m;
      });
      back.pushResponses(abi, responses);
      const calls = abi.protocol.resume === 'one-per-call' ? responses.length : 1;
      for (let i = 0; i < calls; i++) hv.resume(d.domid);
    },
    type(gfn: number): string {
      return typeName(d.p2mType[gfn]!);
    },
    /** Nominate, copy, evict: the gfn is `paged` with its content in the returned buffer. */
    pageOut(gfn: number): Uint8Array {
      const mapFirst = abi.protocol.nominateRefs === 2;
      let mapping = mapFirst ? hv.mapForeign(d.domid, gfn, false) : undefined;
      hv.nominate(d.domid, gfn);
      mapping ??= hv.mapForeign(d.domid, gfn, false);
      const bytes = mapping.bytes.slice();
      hv.unmapForeign(mapping);
      hv.evict(d.domid, gfn);
      return bytes;
    },
  };
}

export function typeName(type: number): string {
  return Object.entries(P2mType).find(([, value]) => value === type)![0];
}

/** Flag bits of a request by name, whatever the ABI family. */
export function flagsOf(abi: PagingAbi, m: PagingMessage): string[] {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(abi.flagNames)) if ((m.flags & bit) !== 0) names.push(name);
  if ('pagingFlags' in m) for (const [name, bit] of Object.entries(abi.pagingFlagNames)) if ((m.pagingFlags & bit) !== 0) names.push(name);
  return names.sort();
}

export type SimContext = ReturnType<typeof simWith>;
export type { SimDomain };
