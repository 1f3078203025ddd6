/** A program's main.ts bundled as workflow code, with mpflow's workflows and payload converter. */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { ownModule, sandboxEntryPoints } from '../compute/own-modules.js';
import { SetupError } from '../mp-shim/errors.js';
import { shownPath, workflowCodeProblems } from './check.js';
import type { Program } from './program.js';

export const payloadConverterPath = ownModule('../workflows/payload-converter.ts', import.meta.url);
const workflowsPath = ownModule('../workflows/index.ts', import.meta.url);

const bundles = new Map<string, Promise<WorkflowBundle>>();

/**
 * Bundles main.ts into the workflow sandbox once per process; `mpflow` resolves to this
 * package's mp-shim. A failure is one line per problem (workflowCodeProblems), not webpack's report.
 */
export function bundleProgram(program: Program): Promise<WorkflowBundle> {
  let bundle = bundles.get(program.main);
  if (!bundle) {
    const report: string[] = [];
    bundle = bundleWorkflowCode({
      workflowsPath,
      payloadConverterPath,
      logger: bundlerLogger(report),
      webpackConfigHook: (config) => {
        // Module ids are paths relative to the context: from the program's directory, copies of a project at other paths (or run from another directory) bundle to the same code.
        config.context = program.dir;
        config.resolve ??= {};
        config.resolve.alias = { ...(config.resolve.alias as object), 'mpflow-program$': program.main, mpflow$: sandboxEntryPoints.mpflow, 'mpflow/fs$': sandboxEntryPoints['mpflow/fs'] };
        return config;
      },
    }).catch(async (error: Error) => {
      bundles.delete(program.main);
      const problems = await workflowCodeProblems(program);
      const reason = problems.length ? problems.join('\n') : `cannot bundle ${shownPath(program.main)} as workflow code: ${firstWebpackError(report.join('\n')) ?? error.message}`;
      throw new SetupError(reason, { cause: error });
    });
    bundles.set(program.main, bundle);
  }
  return bundle;
}

/** The bundler logs every build at info level, and webpack's whole report on an error: mpflow keeps the report for the error it throws, and prints warnings. */
function bundlerLogger(report: string[]) {
  return {
    log: () => {},
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (message: string) => console.warn(`mpflow: bundling main.ts: ${message}`),
    error: (message: string) => void report.push(message),
  };
}

/** Webpack's first `ERROR in` section, without the native backtrace swc adds to it. */
function firstWebpackError(report: string): string | undefined {
  const section = report.split(/\n(?=ERROR in )/).find((part) => part.startsWith('ERROR in '));
  return section?.split('\n\n')[0].replace(/\nStack backtrace:[\s\S]*/, '').trim();
}
