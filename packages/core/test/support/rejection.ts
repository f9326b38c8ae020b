/** Runs `run` and returns what it threw; fails the test if it threw nothing. */
export function rejection(run: () => unknown): Error & { code?: string; errno?: string; index?: number } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error to be thrown');
}
