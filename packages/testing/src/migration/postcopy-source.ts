import { MigrationStreamReader } from '@pagevisor/core';

/**
 * The source's side of post-copy: the pages it still owes the destination and has not sent, the
 * destination's requests read from the return path, and the order of the background push (requested
 * pages first, then the rest by gfn, as QEMU's postcopy sends a requested page before resuming its
 * scan). A page is sent once; a connection made again starts from the destination's own list.
 */
export class PostcopySource {
  /** Per gfn: 1 while the page is owed and not sent (the sender's switch-over marks them). */
  readonly unsent: Uint8Array;
  private unsentCount = 0;
  private cursor = 0;
  /** Requested gfns in arrival order; those before `requestedAt` are taken. */
  private requested: number[] = [];
  private requestedAt = 0;
  private reader = new MigrationStreamReader();
  /** PAGE_REQUEST records read, and the gfns they asked for. */
  readonly asked = { requests: 0, pages: 0 };

  constructor(maxPages: number) {
    this.unsent = new Uint8Array(maxPages);
  }

  /** Counts what the switch-over marked owed. */
  begin(): void {
    this.unsentCount = 0;
    for (const bit of this.unsent) this.unsentCount += bit;
  }

  /** The return path made again: a new reader, and nothing owed until the destination's POSTCOPY_MISSING says what. */
  reconnect(): void {
    this.reader = new MigrationStreamReader();
    this.unsent.fill(0);
    this.unsentCount = 0;
    this.cursor = 0;
    this.requested = [];
    this.requestedAt = 0;
  }

  /** Bytes from the return path: requests are queued, a POSTCOPY_MISSING list (after a reconnect) is owed again. */
  receive(bytes: Uint8Array): void {
    for (const record of this.reader.push(bytes)) {
      if (record.type === 'page-request') {
        this.asked.requests++;
        this.asked.pages += record.count;
        for (let i = 0; i < record.count; i++) this.requested.push(record.gfns[i]!);
      } else if (record.type === 'postcopy-missing') {
        for (let i = 0; i < record.count; i++) {
          const gfn = record.gfns[i]!;
          this.unsentCount += 1 - this.unsent[gfn]!;
          this.unsent[gfn] = 1;
        }
      } else throw new RangeError(`${record.type} record on the return path, which carries only PAGE_REQUEST and POSTCOPY_MISSING`);
    }
  }

  /** Takes up to `max` requested pages that are not sent yet. */
  takeRequested(max: number): Uint32Array {
    const out: number[] = [];
    while (this.requestedAt < this.requested.length && out.length < max) {
      const gfn = this.requested[this.requestedAt++]!;
      if (this.take(gfn)) out.push(gfn);
    }
    if (this.requestedAt === this.requested.length) {
      this.requested = [];
      this.requestedAt = 0;
    }
    return Uint32Array.from(out);
  }

  /** The next push: requested pages first, then the next unsent ones by gfn, up to `max`. */
  next(max: number): Uint32Array {
    const out = Array.from(this.takeRequested(max));
    const size = this.unsent.length;
    for (let seen = 0; seen < size && out.length < max && this.unsentCount > 0; seen++) {
      const gfn = this.cursor;
      this.cursor = gfn + 1 === size ? 0 : gfn + 1;
      if (this.take(gfn)) out.push(gfn);
    }
    return Uint32Array.from(out);
  }

  private take(gfn: number): boolean {
    if (this.unsent[gfn] !== 1) return false;
    this.unsent[gfn] = 0;
    this.unsentCount--;
    return true;
  }
}
