/**
 * A program's code version: what a run was started with, so that only workers running the same
 * code take its workflow tasks and activities (Temporal's Worker Deployments: each worker
 * declares its version, each run is pinned to one). The version hashes the workflow bundle
 * (main.ts, what it imports, mpflow's workflow code) and the tasks (tasks.ts and the program's
 * own files it imports), so copies of a project at other paths or on other machines agree.
 */
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import type { Program } from './program.js';
import { bundleProgram } from './bundle.js';

export interface CodeVersion extends WorkerDeploymentVersion {
  /** The hash of the workflow bundle: a change here needs `mpflow replay` before a run moves to it. */
  workflow: string;
  /** The hash of the tasks: a change only here is a fix a paused run may take (`mpflow upgrade`). */
  tasks: string;
}

const HASH_LENGTH = 12;
const hashes = new Map<string, Promise<Pick<CodeVersion, 'workflow' | 'tasks'>>>();

/** The version of `program`'s code as this machine has it, in the deployment named after its task queue. */
export async function codeVersion(program: Program, taskQueue = program.taskQueue): Promise<CodeVersion> {
  let hashed = hashes.get(program.dir);
  if (!hashed) {
    hashed = Promise.all([workflowHash(program), tasksHash(program)]).then(([workflow, tasks]) => ({ workflow, tasks }));
    hashed.catch(() => hashes.delete(program.dir));
    hashes.set(program.dir, hashed);
  }
  const { workflow, tasks } = await hashed;
  return { deploymentName: taskQueue, buildId: buildIdOf(workflow, tasks), workflow, tasks };
}

/** `<workflow>-<tasks>`: a build id says which half of the code changed. */
function buildIdOf(workflow: string, tasks: string): string {
  return `${workflow}-${tasks}`;
}

/** The halves of a build id, or undefined for a build id mpflow did not make. */
export function halvesOf(buildId: string): Pick<CodeVersion, 'workflow' | 'tasks'> | undefined {
  const match = new RegExp(`^([0-9a-f]{${HASH_LENGTH}})-([0-9a-f]{${HASH_LENGTH}})$`).exec(buildId);
  return match ? { workflow: match[1], tasks: match[2] } : undefined;
}

async function workflowHash(program: Program): Promise<string> {
  const { code } = await bundleProgram(program);
  // The inline source map names the bundle's temporary file: everything before it is the code.
  const end = code.lastIndexOf('\n//# sourceMappingURL=');
  return hash(end === -1 ? code : code.slice(0, end));
}

/** The tasks module with the program's own files it imports; the packages it imports are each machine's own install. */
async function tasksHash(program: Program): Promise<string> {
  const bundled = await build({
    entryPoints: [program.tasks],
    absWorkingDir: program.dir,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return hash(bundled.outputFiles[0].text);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

export interface RunOfOtherCode {
  workflowId: string;
  buildId: string;
}

/** The open runs of `version`'s deployment pinned to other code: what a worker of `version` leaves alone. */
export async function runsOfOtherCode(client: Client, version: WorkerDeploymentVersion): Promise<RunOfOtherCode[]> {
  const mine = `${version.deploymentName}:${version.buildId}`;
  const query = `TemporalWorkerDeployment = '${version.deploymentName}' AND ExecutionStatus = 'Running' AND TemporalWorkerDeploymentVersion != '${mine}'`;
  const runs: RunOfOtherCode[] = [];
  for await (const run of client.workflow.list({ query })) {
    const [pinned] = (run.searchAttributes.TemporalWorkerDeploymentVersion ?? []) as string[];
    runs.push({ workflowId: run.workflowId, buildId: pinned?.slice(version.deploymentName.length + 1) ?? 'unknown' });
  }
  return runs;
}

/** The code version a run is pinned to, if it is pinned. */
export function pinnedVersionOf(description: WorkflowExecutionDescription): WorkerDeploymentVersion | undefined {
  const version = description.raw.workflowExecutionInfo?.versioningInfo?.versioningOverride?.pinned?.version;
  return version?.deploymentName && version.buildId ? { deploymentName: version.deploymentName, buildId: version.buildId } : undefined;
}
