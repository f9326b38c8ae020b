/** Runs `run` and returns the code of what it threw (`EBUSY`, ...), or undefined when it did not throw. */
export function errnoOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}
