import { encodeMigrationHeader, encodeMigrationRecord, isPagevisorError, MIGRATION_BATCH_PAGES, type Pager } from '@pagevisor/core';
import { OP_NANOS, type GuestRunner } from '../workloads/guest-runner.js';
import type { MigrationReceiver } from './migration-receiver.js';
import type { MigrationSender } from './migration-sender.js';
import type { OwedPages } from './owed-pages.js';
import type { PostcopySource } from './postcopy-source.js';
import { WireBroken } from './wire-broken.js';

/**
 * What the post-copy phase of a {@link migrate} did.
 *
 * @example
 * ```ts
 * const { postcopy } = await migrate({ ...options, mode: 'postcopy' });
 * console.log(postcopy?.requested, 'pages fetched on fault,', postcopy?.pushed, 'pushed');
 * ```
 */
export interface PostcopyFigures {
  /** Pages still at the source when the guest resumed on the destination. */
  readonly owed: number;
  /** Of them, pages the source's background push sent. */
  readonly pushed: number;
  /** Of them, pages sent in answer to the destination's requests (its faults, and its pager's page-ins). */
  readonly requested: number;
  /** PAGE_REQUEST records the destination sent on the return path. */
  readonly requests: number;
  /** Times the connection broke and was made again (QEMU's postcopy recovery). */
  readonly recoveries: number;
  /** Bytes on the return path. */
  readonly returnBytes: number;
  /** Virtual time from the resume on the destination until the last page arrived. */
  readonly ns: number;
}

/** What the post-copy phase works with. */
export interface PostcopyParts {
  readonly sender: MigrationSender;
  readonly receiver: MigrationReceiver;
  readonly source: PostcopySource;
  readonly owed: OwedPages;
  /** The destination's pager, started on the {@link PostcopyStore}. */
  readonly pager: Pager;
  /** The guest's workload on the destination (none: it is idle). */
  readonly runner?: GuestRunner;
  /** Virtual time of `bytes` on the link. */
  readonly transferNs: (bytes: number) => number;
  /** One way on the link, for each request's round trip. */
  readonly latencyNs: number;
  /** Attempts to make a broken connection again, over the whole phase. */
  readonly reconnects: number;
  /** Throws when a pager the phase needs has stopped. */
  readonly check: () => void;
}

/**
 * Post-copy's second half (QEMU's postcopy model, docs/guides/migration.md): the guest runs on the
 * destination while the source pushes its owed pages in the background; a page the destination's pager
 * needs first (a fault, or a page-in toward its target) is requested on the return path and sent at
 * once, ahead of the push. Sends take turns on the one connection. A connection that breaks is made
 * again: the destination sends what it still lacks and what its faults wait for, and the source goes on
 * from there (QEMU's postcopy-recover); the faults wait meanwhile. A record that arrives damaged is
 * treated the same (the CRC32 says so; QEMU's stream has none, and fails). It fails when the connection
 * cannot be made again, a pager stops, or a store fails.
 */
export class PostcopyPhase {
  private broken = false;
  private attempts = 0;
  /** Sends to the destination, one at a time. */
  private turn: Promise<void> = Promise.resolve();
  private failure: { readonly error: unknown } | undefined;
  private readonly figures = { owed: 0, pushed: 0, requested: 0, requests: 0, recoveries: 0, returnBytes: 0, ns: 0 };

  constructor(private readonly parts: PostcopyParts) {}

  /** Opens the return path (its headers); the destination's requests are answered from now on. */
  open(): void {
    this.figures.owed = this.parts.owed.count;
    this.returnPath(encodeMigrationHeader(this.parts.sender.header));
  }

  /**
   * The destination's request for owed pages (its {@link PostcopyStore} calls this): on the return path
   * to the source, which answers in its turn on the connection. Lost if the connection is down: the
   * recovery asks again.
   */
  request(gfns: Uint32Array): void {
    this.returnList('page-request', gfns);
    this.inTurn(() => this.answer()).catch(() => undefined); // a failure is the phase's, which run() throws
  }

  /** Pushes until nothing is owed, then sends END. @throws why the post-copy cannot finish */
  async run(): Promise<PostcopyFigures> {
    const { source, owed, runner } = this.parts;
    while (owed.count > 0) {
      this.parts.check();
      const bytes = await this.inTurn(() => this.pushNext());
      const ns = this.parts.transferNs(bytes);
      this.figures.ns += ns;
      if (runner !== undefined) await runner.run(() => this.parts.pager.settle(), Math.max(1, Math.floor(ns / OP_NANOS)));
      else await this.parts.pager.settle();
    }
    await this.inTurn(async () => {
      for (;;) {
        await this.recoverIfBroken();
        if (await this.sent(() => this.parts.sender.end())) return 0;
      }
    });
    this.figures.requests = source.asked.requests;
    return { ...this.figures };
  }

  /** Runs `task` after the sends before it; a failure ends the phase (every wait for an owed page fails with it). */
  private inTurn(task: () => Promise<number>): Promise<number> {
    const done = this.turn.then(() => {
      if (this.failure !== undefined) throw this.failure.error;
      return task();
    });
    this.turn = done.then(
      () => undefined,
      (error: unknown) => {
        if (this.failure === undefined) {
          this.failure = { error };
          this.parts.owed.fail(error);
        }
      },
    );
    return done;
  }

  /** The next push: requested pages first, then the next owed ones by gfn. @returns bytes sent */
  private async pushNext(): Promise<number> {
    await this.recoverIfBroken();
    const batch = this.parts.source.next(MIGRATION_BATCH_PAGES);
    if (batch.length === 0) throw new Error(`post-copy: ${this.parts.owed.count} pages are owed and none is left to send`);
    let bytes = 0;
    await this.sent(async () => {
      bytes = (await this.parts.sender.push(batch)).bytes;
      this.figures.pushed += batch.length;
    });
    return bytes;
  }

  /** Answers every request the source has read, ahead of the push. */
  private async answer(): Promise<number> {
    for (;;) {
      await this.recoverIfBroken();
      const asked = this.parts.source.takeRequested(MIGRATION_BATCH_PAGES);
      if (asked.length === 0) return 0;
      await this.sent(async () => {
        const { bytes } = await this.parts.sender.push(asked);
        this.figures.requested += asked.length;
        this.figures.ns += this.parts.transferNs(bytes) + 2 * this.parts.latencyNs;
      });
    }
  }

  /**
   * Runs a send; a broken connection loses it, and so does a record the destination found damaged (its
   * CRC32): the connection is made again and the pages sent again, instead of the guest being lost.
   * @returns whether it went through
   */
  private async sent(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (!(error instanceof WireBroken) && !isPagevisorError(error, 'MIGRATION_CHECKSUM')) throw error;
      this.broken = true;
      return false;
    }
  }

  /**
   * Makes a broken connection again: new readers on both sides, the source's headers, then on the return
   * path the destination's POSTCOPY_MISSING list (all it lacks) and a PAGE_REQUEST for what its faults
   * wait for.
   * @throws when every attempt failed
   */
  private async recoverIfBroken(): Promise<void> {
    const { sender, receiver, source, owed } = this.parts;
    while (this.broken) {
      if (this.attempts === this.parts.reconnects) {
        throw new Error(`post-copy: the connection broke and ${this.parts.reconnects} attempts to make it again failed; ${owed.count} of the guest's pages are still at the source`);
      }
      this.attempts++;
      this.broken = false;
      receiver.reconnect();
      source.reconnect();
      if (!(await this.sent(() => sender.reconnect()))) continue;
      this.returnPath(encodeMigrationHeader(sender.header));
      this.returnList('postcopy-missing', owed.list());
      this.figures.recoveries++;
      this.request(owed.waitedFor());
    }
  }

  /** `gfns` on the return path in records of `type`, {@link MIGRATION_BATCH_PAGES} at most each. */
  private returnList(type: 'page-request' | 'postcopy-missing', gfns: Uint32Array): void {
    for (let at = 0; at < gfns.length; at += MIGRATION_BATCH_PAGES) {
      const part = gfns.subarray(at, at + MIGRATION_BATCH_PAGES);
      this.returnPath(encodeMigrationRecord({ type, count: part.length, gfns: part }));
    }
  }

  /** Bytes from the destination to the source, on the same connection as the stream (lost while it is broken). */
  private returnPath(bytes: Uint8Array): void {
    if (this.broken) return;
    this.figures.returnBytes += bytes.length;
    this.parts.source.receive(bytes);
  }
}
