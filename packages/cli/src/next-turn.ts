/** Gives the event loop a turn (signal handlers, timers, I/O) between two steps of a long command. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
