/** A program's main.ts bundled as workflow code, with mpflow's workflows and payload converter. */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { ownEntryPoints, ownModule } from '../compute/own-modules.js';
import { ProcessError } from '../mp-shim/errors.js';
import type { Program } from './program.js';

export const payloadConverterPath = ownModule('../workflows/payload-converter.ts', import.meta.url);
const workflowsPath = ownModule('../workflows/index.ts', import.meta.url);

const bundles = new Map<string, Promise<WorkflowBundle>>();

/** Bundles main.ts into the workflow sandbox once per process; `mpflow` resolves to this package's mp-shim. */
export function bundleProgram(program: Program): Promise<WorkflowBundle> {
  let bundle = bundles.get(program.main);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      payloadConverterPath,
      logger: quietBundlerLogger,
      webpackConfigHook: (config) => {
        // Module ids are paths relative to the context: from the program's directory, copies of a project at other paths (or run from another directory) bundle to the same code.
        config.context = program.dir;
        config.resolve ??= {};
        config.resolve.alias = { ...(config.resolve.alias as object), 'mpflow-program$': program.main, mpflow$: ownEntryPoints.mpflow, 'mpflow/fs$': ownEntryPoints['mpflow/fs'] };
        return config;
      },
    }).catch((error: Error) => {
      bundles.delete(program.main);
      throw new ProcessError(`cannot bundle ${program.main} as workflow code: ${error.message}`, { cause: error });
    });
    bundles.set(program.main, bundle);
  }
  return bundle;
}

/** The bundler logs every build at info level; mpflow prints only its warnings and errors. */
const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: object) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: object) => console.error(message, meta ?? ''),
};
