/** The command line: `mpflow <command> [operands] [--flags] [-- program arguments]`. */
import { ValueError } from '../mp-shim/errors.js';

export interface CommandLine {
  command?: string;
  operands: string[];
  flags: Partial<Record<'engine' | 'workflow-id' | 'entry' | 'dispatch' | 'storage' | 'backend' | 'task-queue' | 'status' | 'limit' | 'port' | 'origin' | 'out', string>> & Partial<Record<'json' | 'no-worker' | 's3' | 'lambda' | 'verbose', boolean>>;
  /** Arguments after `--`, each parsed as JSON where it parses (numbers, arrays, objects), else a string. */
  args: unknown[];
}

const VALUED = new Set(['engine', 'workflow-id', 'entry', 'dispatch', 'storage', 'backend', 'task-queue', 'status', 'limit', 'port', 'origin', 'out']);
const SWITCHES = new Set(['json', 'no-worker', 's3', 'lambda', 'verbose']);

export function parseCommandLine(argv: string[]): CommandLine {
  const terminator = argv.indexOf('--');
  const own = terminator === -1 ? argv : argv.slice(0, terminator);
  const line: CommandLine = { operands: [], flags: {}, args: terminator === -1 ? [] : argv.slice(terminator + 1).map(parseArgument) };
  for (let i = 0; i < own.length; i++) {
    const word = own[i];
    if (!word.startsWith('--')) {
      if (line.command === undefined) line.command = word;
      else line.operands.push(word);
      continue;
    }
    const [name, inline] = word.slice(2).split(/=(.*)/s, 2);
    if (SWITCHES.has(name)) {
      (line.flags as Record<string, boolean>)[name] = true;
    } else if (VALUED.has(name)) {
      const value = inline ?? own[++i];
      if (value === undefined) throw new ValueError(`--${name} needs a value`);
      (line.flags as Record<string, string>)[name] = value;
    } else {
      throw new ValueError(`unknown option --${name}`);
    }
  }
  return line;
}

function parseArgument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
