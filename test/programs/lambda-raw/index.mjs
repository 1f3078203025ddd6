// A plain Lambda function (no mpflow) for checking the local endpoint against the Invoke API.
import { appendFileSync } from 'node:fs';

let warm = false;

export async function handler(event) {
  const coldStart = !warm;
  warm = true;
  const started = Date.now();
  switch (event.action) {
    case 'echo':
      return { echo: event.value, coldStart, pid: process.pid };
    case 'throw':
      throw new TypeError(`asked to fail: ${event.value}`);
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return { slept: event.ms, pid: process.pid };
    case 'spin':
      while (Date.now() - started < event.ms);
      return { pid: process.pid, started, ended: Date.now() };
    case 'mark':
      appendFileSync(event.path, `${event.value}\n`);
      return null;
    default:
      throw new Error(`unknown action ${event.action}`);
  }
}
