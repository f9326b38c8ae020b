/**
 * The signals the CLI stops gracefully on: Ctrl-C and `kill`.
 *
 * @example
 * ```ts
 * const signal: InterruptSignal = 'SIGTERM';
 * interrupt.receive(signal); // 'graceful'
 * ```
 */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

const EXIT_CODE: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * A request to stop, from SIGINT or SIGTERM. The first one asks the running command to stop
 * gracefully (its `signal` aborts): a pager pages everything back in, as xenpaging did on SIGTERM, and
 * the command writes its summary marked interrupted. A second one exits at once, after printing what
 * each command said it leaves behind.
 *
 * @example
 * ```ts
 * const interrupt = new Interrupt();
 * handleSignals(interrupt);
 * process.exitCode = await runCli(process.argv.slice(2), processIo, interrupt);
 * ```
 */
export class Interrupt {
  private readonly controller = new AbortController();
  private received: InterruptSignal | undefined;
  private readonly leftBehind = new Set<() => string | undefined>();

  /** Aborts at the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first signal received, if any. */
  get requested(): InterruptSignal | undefined {
    return this.received;
  }

  /** 130 after SIGINT, 143 after SIGTERM (128 + the signal's number, as shells report it). */
  get exitCode(): number {
    return this.received === undefined ? 0 : EXIT_CODE[this.received];
  }

  /**
   * Takes a signal: the first is a graceful stop, a later one a forced exit.
   *
   * @returns which of the two it is
   */
  receive(signal: InterruptSignal): 'graceful' | 'forced' {
    if (this.received !== undefined) return 'forced';
    this.received = signal;
    this.controller.abort(signal);
    return 'graceful';
  }

  /**
   * Registers what a forced exit would leave behind, as a line to print then (or `undefined` for
   * nothing); the callback may also clean up what is safe to remove at once.
   *
   * @returns a function that unregisters it, once the command has cleaned up itself
   */
  onForcedExit(describe: () => string | undefined): () => void {
    this.leftBehind.add(describe);
    return () => this.leftBehind.delete(describe);
  }

  /** What the registered commands leave behind, one line each. */
  forcedExitNotes(): string[] {
    return [...this.leftBehind].map((describe) => describe()).filter((line): line is string => line !== undefined);
  }
}

/**
 * Makes SIGINT and SIGTERM reach `interrupt`: the first prints that the command is stopping
 * gracefully, a second prints what is left where and exits at once with 130 or 143.
 *
 * @example
 * ```ts
 * const interrupt = new Interrupt();
 * handleSignals(interrupt);
 * await runCli(['run'], processIo, interrupt); // Ctrl-C: the pager pages everything in, exit 130
 * ```
 */
export function handleSignals(interrupt: Interrupt, err: (text: string) => void = (text) => process.stderr.write(text)): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupt.receive(signal) === 'graceful') {
        err(`\npagevisor: ${signal}: stopping gracefully (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again exits at once)\n`);
        return;
      }
      const notes = interrupt.forcedExitNotes();
      err(`\npagevisor: ${signal} again: exiting at once${notes.length === 0 ? '; nothing was left behind' : ''}\n${notes.map((note) => `pagevisor: left behind: ${note}\n`).join('')}`);
      process.exit(interrupt.exitCode);
    });
  }
}
