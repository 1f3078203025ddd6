/**
 * What mpflow's processes print while they run: one line per event, on stderr (stdout carries
 * only results), `time run message`. By default only what matters to the user: mpflow's own
 * warnings, a chunk's failed attempt with why, and what stops a run here (a failing workflow
 * task, a failed worker). The SDK's and Core's own logs (workflow task
 * timings, queries of closed runs, task tokens) appear at debug level: MPFLOW_LOG_LEVEL=debug or
 * `--verbose`.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { OWN_LOG_ENTRY } from '../workflows/definitions.js';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

interface Entry extends LogMetadata, Partial<typeof OWN_LOG_ENTRY> {
  workflowId?: string;
  activityType?: string;
  activityId?: string;
  attempt?: number;
  error?: { message?: string; nonRetryable?: boolean; cause?: { message?: string } };
  taskToken?: unknown;
}

export class OneLineLogger implements Logger {
  constructor(private readonly level: 'warn' | 'debug') {}

  log(level: LogLevel, message: string, meta: Entry = {}): void {
    const text = this.level === 'debug' ? describeAll(level, message, meta) : describeForUser(level, message, meta);
    if (text !== undefined) process.stderr.write(`${new Date().toISOString()} ${meta.workflowId ?? '-'} ${text}\n`);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

function describeForUser(level: LogLevel, message: string, meta: Entry): string | undefined {
  const said = `${message}${meta.error ? `: ${errorText(meta.error)}` : ''}`;
  if (meta.mpflow && LEVELS.indexOf(level) >= LEVELS.indexOf('WARN')) return said;
  // The run cannot go on here (its workflow task fails and is retried, or the worker fails): the user must hear why.
  if (level === 'ERROR' || /Failing workflow task/.test(message)) return said.split('\n')[0];
  // A failure not retried reaches the caller as the error itself; one retried is said here only.
  if (message === 'Activity failed' && meta.activityType && !meta.error?.nonRetryable) {
    return `${meta.activityType} ${meta.activityId ?? ''} attempt ${meta.attempt ?? 1} failed, retrying: ${errorText(meta.error)}`;
  }
  return undefined;
}

function describeAll(level: LogLevel, message: string, meta: Entry): string | undefined {
  if (LEVELS.indexOf(level) < LEVELS.indexOf('DEBUG')) return undefined;
  const { taskToken: _token, workflowId: _id, ...rest } = meta;
  const details = Object.entries(rest).map(([key, value]) => `${key}=${key === 'error' ? JSON.stringify(errorText(value as Entry['error'])) : JSON.stringify(value)}`);
  return `${level} ${message}${details.length ? ` ${details.join(' ')}` : ''}`;
}

function errorText(error: Entry['error']): string {
  if (!error) return 'no error given';
  const cause = error.cause?.message;
  return cause && cause !== error.message ? `${error.message} (${cause})` : String(error.message ?? error);
}
