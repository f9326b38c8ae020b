import { HypervisorError, PTE_ACCESSED, PTE_DIRTY, PTE_PRESENT, type PteLocation, type PvDomainInfo, type PvPort } from '@pagevisor/core';
import type { SimDomain } from '../sim-domain.js';
import type { MachineFrames } from '../machine-frames.js';
import { INVALID_MFN, PAGE_BYTES } from '../sim-constants.js';
import { P2mTree } from './p2m-tree.js';

const ENTRIES = 512;
const PTE_RW = 0x2;

/**
 * A page-table page of a PV guest.
 *
 * @example
 * ```ts
 * for (const [mfn, table] of hv.pv.guest(domid).tables) console.log(mfn, `L${table.level}`);
 * ```
 */
export interface PageTable {
  /** 1 (L1, maps pages) to 4 (L4, the root). */
  readonly level: number;
  /** Its 512 entries: frame × 4096 + flags. */
  readonly ptes: Float64Array;
}

/**
 * One PV guest's state beyond its frames: its p2m tree, page tables, pins, grants, suspension.
 *
 * @example
 * ```ts
 * const guest = hv.pv.guest(domid);
 * guest.p2m.get(100); guest.pinned.get(guest.root); // 4
 * ```
 */
export interface PvGuest {
  /** The guest's p2m (Linux's three-level tree). */
  readonly p2m: P2mTree;
  /** Page-table frames: level and 512 PTEs (frame × 4096 + flags). */
  readonly tables: Map<number, PageTable>;
  /** The root (L4) table's frame. */
  root: number;
  /** Pinned frames and their levels. */
  readonly pinned: Map<number, number>;
  /** Grant references and the frames they grant. */
  readonly grants: Map<number, number>;
  /** Shut down with SHUTDOWN_suspend. */
  suspended: boolean;
  /** A PAE guest on a larger host. */
  readonly pae: boolean;
}

/**
 * Faults a test can inject into the next PV operations.
 *
 * @example
 * ```ts
 * hv.pv.faults = { exchange: true }; // the next XENMEM_exchange fails once
 * ```
 */
export interface PvFaults {
  /** `XENMEM_exchange` fails. */
  exchange?: boolean;
  /** PTE updates fail once this many more have succeeded. */
  updatesBeforeFailure?: number;
  /** Pinning fails. */
  pin?: boolean;
}

/**
 * The simulator's PV side ({@link PvPort}): guests with real page tables (L4 → L3 → L2 → L1, every RAM
 * pfn mapped once, Accessed and Dirty bits set as a running guest leaves them), pinned tables, a grant
 * table, suspend and resume, `XENMEM_exchange` and MMU updates that preserve A/D bits.
 *
 * @example
 * ```ts
 * const guest = hv.createPvDomain({ maxPages: 4096 });
 * hv.pv.suspend(guest.domid);
 * hv.pv.faults = { exchange: true }; // the next XENMEM_exchange fails
 * ```
 */
export class SimPv implements PvPort {
  /** Faults to inject ({@link PvFaults}); each fires once. */
  faults: PvFaults = {};
  private readonly guests = new Map<number, PvGuest>();

  constructor(
    private readonly frames: MachineFrames,
    private readonly domainOf: (domid: number) => SimDomain,
    private readonly frameBytes: (mfn: number) => Uint8Array,
  ) {}

  /**
   * Makes `domain` (a PV domain just created) a PV guest: its p2m tree from its frames, with the E820
   * holes mapped 1:1 (`set_phys_range_identity`, as Linux does at boot), and page tables in its last
   * RAM pages mapping every RAM pfn; the L4 is pinned, as Linux pins its pgd.
   */
  adopt(domain: SimDomain, pae: boolean): PvGuest {
    const p2m = new P2mTree();
    for (const range of domain.e820) if (range.type !== 'ram') p2m.setRangeIdentity(range.start, range.end);
    const ram: number[] = [];
    for (let pfn = 0; pfn < domain.maxPages; pfn++) {
      const mfn = domain.p2m.mfn[pfn]!;
      if (mfn === INVALID_MFN) continue;
      p2m.set(pfn, BigInt(mfn));
      ram.push(pfn);
    }
    const l1Count = Math.ceil(ram.length / ENTRIES);
    const tablePfns = ram.splice(ram.length - (l1Count + 3), l1Count + 3);
    const guest: PvGuest = { p2m, tables: new Map(), root: -1, pinned: new Map(), grants: new Map(), suspended: false, pae };
    const table = (pfn: number, level: number) => {
      const mfn = domain.p2m.mfn[pfn]!;
      guest.tables.set(mfn, { level, ptes: new Float64Array(ENTRIES) });
      return mfn;
    };
    const [l4, l3, l2, ...l1s] = tablePfns.map((pfn, i) => table(pfn, i === 0 ? 4 : i === 1 ? 3 : i === 2 ? 2 : 1));
    guest.tables.get(l4!)!.ptes[0] = l3! * PAGE_BYTES + PTE_PRESENT + PTE_RW + PTE_ACCESSED;
    guest.tables.get(l3!)!.ptes[0] = l2! * PAGE_BYTES + PTE_PRESENT + PTE_RW + PTE_ACCESSED;
    l1s.forEach((l1, i) => (guest.tables.get(l2!)!.ptes[i] = l1 * PAGE_BYTES + PTE_PRESENT + PTE_RW + PTE_ACCESSED));
    // Every RAM pfn (tables included) is mapped by one L1 entry; some dirty, as a running guest leaves them.
    [...ram, ...tablePfns].forEach((pfn, i) => {
      const flags = PTE_PRESENT + PTE_RW + PTE_ACCESSED + (pfn % 3 === 0 ? PTE_DIRTY : 0);
      guest.tables.get(l1s[Math.floor(i / ENTRIES)]!)!.ptes[i % ENTRIES] = domain.p2m.mfn[pfn]! * PAGE_BYTES + flags;
    });
    guest.root = l4!;
    guest.pinned.set(l4!, 4);
    this.guests.set(domain.domid, guest);
    return guest;
  }

  /** The guest, for tests and tools. */
  guest(domid: number): PvGuest {
    const guest = this.guests.get(domid);
    if (!guest) throw new HypervisorError('ESRCH', `domain ${domid} is not a PV guest`, { domid });
    return guest;
  }

  pvDomain(domid: number): PvDomainInfo | undefined {
    const guest = this.guests.get(domid);
    return guest ? { suspended: guest.suspended, pae: guest.pae } : undefined;
  }

  /** `SHUTDOWN_suspend`. */
  suspend(domid: number): void {
    this.guest(domid).suspended = true;
  }

  resumeDomain(domid: number): void {
    this.guest(domid).suspended = false;
  }

  pinnedLevel(domid: number, mfn: number): number {
    return this.guest(domid).pinned.get(mfn) ?? 0;
  }

  pin(domid: number, mfn: number, level: number): void {
    if (this.faults.pin) {
      this.faults.pin = false;
      throw new HypervisorError('EINVAL', `MMUEXT_PIN_L${level}_TABLE of mfn 0x${mfn.toString(16)} failed`, { domid });
    }
    this.guest(domid).pinned.set(mfn, level);
  }

  unpin(domid: number, mfn: number): void {
    this.guest(domid).pinned.delete(mfn);
  }

  /** Grants `gfn`'s frame under `ref` (a backend maps it). */
  grant(domid: number, ref: number, gfn: number): void {
    this.guest(domid).grants.set(ref, this.domainOf(domid).p2m.mfn[gfn]!);
  }

  isGranted(domid: number, mfn: number): boolean {
    for (const granted of this.guest(domid).grants.values()) if (granted === mfn) return true;
    return false;
  }

  ptesPointingTo(domid: number, mfn: number): PteLocation[] {
    const found: PteLocation[] = [];
    for (const [table, { ptes }] of this.guest(domid).tables) {
      for (let index = 0; index < ENTRIES; index++) {
        const pte = ptes[index]!;
        if (pte % 2 === 1 && Math.floor(pte / PAGE_BYTES) === mfn) found.push({ table, index });
      }
    }
    return found;
  }

  readPte(domid: number, at: PteLocation): number {
    return this.tableAt(domid, at.table).ptes[at.index]!;
  }

  updatePte(domid: number, at: PteLocation, pte: number): void {
    if (this.faults.updatesBeforeFailure !== undefined && this.faults.updatesBeforeFailure-- <= 0) {
      this.faults.updatesBeforeFailure = undefined;
      throw new HypervisorError('EINVAL', `mmu_update of table 0x${at.table.toString(16)} entry ${at.index} failed`, { domid });
    }
    const ptes = this.tableAt(domid, at.table).ptes;
    const old = ptes[at.index]!;
    const ad = (old % PAGE_BYTES) & (PTE_ACCESSED | PTE_DIRTY);
    ptes[at.index] = pte - ((pte % PAGE_BYTES) & (PTE_ACCESSED | PTE_DIRTY)) + ad; // MMU_PT_UPDATE_PRESERVE_AD
  }

  exchange(domid: number, mfn: number, gpfn: number): number {
    const frames = this.frames;
    if (this.faults.exchange) {
      this.faults.exchange = false;
      throw new HypervisorError('EBUSY', `XENMEM_exchange of mfn 0x${mfn.toString(16)} failed`, { domid });
    }
    // steal_page: only the allocation's reference may be held.
    if (frames.tables.owner[mfn] !== domid || frames.tables.allocated[mfn] !== 1 || frames.tables.refs[mfn] !== 1) {
      throw new HypervisorError('EBUSY', `XENMEM_exchange: mfn 0x${mfn.toString(16)} has other references`, { domid });
    }
    const fresh = frames.allocate(domid);
    frames.tables.m2p[fresh] = gpfn;
    frames.tables.written.set(fresh, new Uint8Array(PAGE_BYTES));
    const guest = this.guest(domid);
    const table = guest.tables.get(mfn);
    if (table) {
      guest.tables.delete(mfn);
      guest.tables.set(fresh, table);
      if (guest.root === mfn) guest.root = fresh;
    }
    frames.release(mfn); // freed: an offlining frame becomes offlined
    return fresh;
  }

  readFrame(mfn: number): Uint8Array {
    return this.frameBytes(mfn);
  }

  writeFrame(mfn: number, bytes: Uint8Array): void {
    this.frames.tables.written.set(mfn, bytes.slice());
  }

  setP2m(domid: number, gpfn: number, mfn: number): void {
    this.guest(domid).p2m.set(gpfn, BigInt(mfn));
    this.domainOf(domid).p2m.mfn[gpfn] = mfn;
  }

  /**
   * The guest's view through its page tables: for each L1 entry reached from the root, the pfn its
   * frame backs and its flags. Frames may move; the view must not (unless an exchange reported −2).
   */
  pageTableView(domid: number): string[] {
    const guest = this.guest(domid);
    const view: string[] = [];
    const walk = (mfn: number, level: number): void => {
      const table = guest.tables.get(mfn);
      if (!table) {
        view.push(`L${level} missing`);
        return;
      }
      for (let i = 0; i < ENTRIES; i++) {
        const pte = table.ptes[i]!;
        if (pte === 0) continue;
        const target = Math.floor(pte / PAGE_BYTES);
        if (level > 1 && pte % 2 === 1) walk(target, level - 1);
        else view.push(`${this.frames.tables.m2p[target]}:${pte % PAGE_BYTES}`);
      }
    };
    walk(guest.root, 4);
    return view;
  }

  private tableAt(domid: number, table: number): PageTable {
    const found = this.guest(domid).tables.get(table);
    if (!found) throw new HypervisorError('EINVAL', `mfn 0x${table.toString(16)} is not a page table of domain ${domid}`, { domid });
    return found;
  }
}
