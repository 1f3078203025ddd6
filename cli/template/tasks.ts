/**
 * What the processes run: exported functions, each call a task. A task runs on a worker
 * thread or on AWS Lambda, and runs again if its worker dies, so it may do I/O freely.
 */

export function square(x: number): number {
  return x * x;
}
