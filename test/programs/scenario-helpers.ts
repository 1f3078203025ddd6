/** Helpers for the test programs' main-program scenarios (workflow code: deterministic). */

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export const describeError = (error: unknown): string => `${(error as Error).name}: ${(error as Error).message}`;

/** `undefined` when `work` succeeds, else its error as `Name: message`, so scenarios can return it. */
export async function caught(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}
