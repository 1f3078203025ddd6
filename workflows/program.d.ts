/** The program's main.ts, aliased into the workflow bundle by the worker. */
declare module 'mpflow-program' {
  const program: Record<string, unknown>;
  export = program;
}
