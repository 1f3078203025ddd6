/** The tasks of the many-machines test: each says which machine (state directory) ran it. */
export async function whereAmI(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return process.env.MPFLOW_STATE_DIR ?? 'unknown';
}
