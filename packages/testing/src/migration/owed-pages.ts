/**
 * The destination's side of post-copy: which gfns it does not have yet (their pages are still at the
 * source), and who waits for them. A gfn is owed from the switch-over until its page lands in the
 * destination's store, or until the guest gives it up (a balloon): then a late copy is dropped.
 */
export class OwedPages {
  /** Per gfn: 1 while its page is at the source. */
  readonly bits: Uint8Array;
  private owedCount = 0;
  private waiters: { readonly gfns: Uint32Array; readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];
  private failure: { readonly error: unknown } | undefined;

  constructor(maxPages: number) {
    this.bits = new Uint8Array(maxPages);
  }

  /** gfns still owed. */
  get count(): number {
    return this.owedCount;
  }

  /** The gfns still owed, in order. */
  list(): Uint32Array {
    const out = new Uint32Array(this.owedCount);
    let n = 0;
    for (let gfn = 0; gfn < this.bits.length; gfn++) if (this.bits[gfn] === 1) out[n++] = gfn;
    return out;
  }

  /** The gfns that someone waits for and that are still owed (asked for again on a recovered connection). */
  waitedFor(): Uint32Array {
    const seen = new Uint8Array(this.bits.length);
    const out: number[] = [];
    for (const waiter of this.waiters) {
      for (const gfn of waiter.gfns) {
        if (this.bits[gfn] === 1 && seen[gfn] === 0) out.push(gfn);
        seen[gfn] = 1;
      }
    }
    return Uint32Array.from(out);
  }

  /** `gfn` is at the source now. */
  owe(gfn: number): void {
    if (this.bits[gfn] === 1) return;
    this.bits[gfn] = 1;
    this.owedCount++;
  }

  /** `gfn` is owed no longer (its page landed, or the guest gave it up); returns whether it was. */
  settle(gfn: number): boolean {
    if (this.bits[gfn] !== 1) return false;
    this.bits[gfn] = 0;
    this.owedCount--;
    return true;
  }

  /** Wakes whoever waited for pages that are all here now. */
  wake(): void {
    if (this.waiters.length === 0) return;
    const still = [];
    for (const waiter of this.waiters) {
      if (waiter.gfns.every((gfn) => this.bits[gfn] === 0)) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  /**
   * Resolves once none of `gfns` is owed.
   * @throws (rejects with) the error that ended the post-copy, once it has ended
   */
  whenHere(gfns: Uint32Array): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    if (gfns.every((gfn) => this.bits[gfn] === 0)) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ gfns, resolve, reject }));
  }

  /** The post-copy ended without these pages: every wait, present and future, fails with `error`. */
  fail(error: unknown): void {
    this.failure = { error };
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
  }
}
