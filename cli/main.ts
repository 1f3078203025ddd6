/** The `mpflow` command: run programs on either engine, host workers, inspect runs, manage the dev stack. */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { optionalTsToDate } from '@temporalio/common/lib/time.js';
import protos from '@temporalio/proto';
import type { ComputeBackend } from '../compute/backend.js';
import { LambdaBackend } from '../compute/lambda/backend.js';
import type { CostReport } from '../compute/lambda/cost.js';
import { LocalBackend } from '../compute/local/backend.js';
import { devDown, devStatus, devUp, resolveEndpoints } from '../infra/dev-stack.js';
import { deployLambda, undeployLambda } from '../infra/lambda-deploy.js';
import { ValueError } from '../mp-shim/errors.js';
import { progressKey, type Dispatch, type JobProgress } from '../mp-shim/transport.js';
import { RedisStore, type OutputLine } from '../state/store.js';
import { FIRST_LINE, followOutput } from '../state/task-output.js';
import { checkStorage } from '../storage/index.js';
import { connectClient, connectWorker, historyWarning, mainResult, pinRun, queryHistory, queryProgress, startMain, unwrapFailure } from '../workers/client.js';
import { lambdaConfig, readConfig, storageUrl, type Config, type Endpoints } from '../workers/config.js';
import { runLocal } from '../workers/local-engine.js';
import { programNameOf, resolveProgram, type Program } from '../workers/program.js';
import { replayRun } from '../workers/replay.js';
import { bundleProgram } from '../workers/bundle.js';
import { typeProblems } from '../workers/check.js';
import { codecServer } from '../workers/codec-server.js';
import { codeVersion, halvesOf, pinnedVersionOf, runsOfOtherCode } from '../workers/version.js';
import { createWorker, dataConverter, installRuntime } from '../workers/worker.js';
import { parseCommandLine, type CommandLine } from './args.js';
import { renderPng } from './chart.js';
import { RUN_STATES, timelineChart, timelineOf } from './plot.js';
import { initProgram, nextSteps } from './init.js';
import { costLine, historyLine, progressLine, runsTable, toJson } from './output.js';

const USAGE = `usage:
  mpflow init <dir>
  mpflow check <program> [--json]
  mpflow run <program> [--engine temporal|local] [--backend local|lambda] [--dispatch auto|queue|activity] [--storage URL] [--workflow-id ID] [--entry NAME] [--task-queue NAME] [--no-worker] [--json] [-- args…]
  mpflow worker <program> [--backend local|lambda] [--task-queue NAME] [--json]
  mpflow deploy lambda <program> [--json]
  mpflow undeploy lambda <program> [--json]
  mpflow status <workflowId> [--json]
  mpflow list [program] [--status running|completed|failed|canceled|terminated|timed-out|continued-as-new] [--limit N] [--json]
  mpflow replay <workflowId> [program] [--json]
  mpflow upgrade <workflowId> <program> [--json]
  mpflow result <workflowId> [--json]
  mpflow logs <workflowId> [--json]
  mpflow plot <workflowId> [--out <file.png>] [--json]
  mpflow dev up [--s3] [--lambda] | down | status [--json]
  mpflow codec-server [--port 8333] [--origin <Web UI URL>]
every command: --verbose (the SDK's and Temporal Core's own logs too, as MPFLOW_LOG_LEVEL=debug)`;

async function main(argv: string[]): Promise<void> {
  const line = parseCommandLine(argv);
  const config: Config = { ...readConfig(), ...(line.flags.verbose ? { logLevel: 'debug' } : {}) };
  switch (line.command) {
    case 'init':
      return init(line);
    case 'check':
      return check(line, config);
    case 'run':
      return run(line, config);
    case 'worker':
      return worker(line, config);
    case 'status':
      return status(line, config);
    case 'list':
      return list(line, config);
    case 'codec-server':
      return serveCodec(line, config);
    case 'logs':
      return logs(line, config);
    case 'plot':
      return plot(line, config);
    case 'result':
      return result(line, config);
    case 'replay':
      return replay(line, config);
    case 'upgrade':
      return upgrade(line, config);
    case 'dev':
      return dev(line, config);
    case 'deploy':
    case 'undeploy':
      return deploy(line, config);
    default:
      throw new ValueError(`unknown command '${line.command ?? ''}'\n${USAGE}`);
  }
}

/** The program the command names, on the task queue `--task-queue` or MPFLOW_TASK_QUEUE names, else its own. */
function programOf(line: CommandLine, config: Config): Program {
  return resolveProgram(requireOperand(line, 'a program directory'), line.flags['task-queue'] ?? config.taskQueue);
}

function init(line: CommandLine): void {
  const dir = requireOperand(line, 'the directory to write the program into');
  const written = initProgram(dir);
  log(line, `wrote ${written.join(', ')}\n${nextSteps(dir)}`);
  emit(line, { written });
}

async function run(line: CommandLine, config: Config): Promise<void> {
  const program = programOf(line, config);
  const engine = line.flags.engine ?? 'temporal';
  if (engine !== 'temporal' && engine !== 'local') throw new ValueError(`--engine must be temporal or local, got '${engine}'`);
  const dispatch = (line.flags.dispatch ?? 'auto') as Dispatch;
  if (dispatch !== 'auto' && dispatch !== 'queue' && dispatch !== 'activity') throw new ValueError(`--dispatch must be auto, queue or activity, got '${dispatch}'`);
  const storage = storageUrl(config, line.flags.storage);
  const endpoints = await resolveEndpoints(config, { temporal: engine === 'temporal' });
  const store = await RedisStore.connect(endpoints.redisUrl, { cipher: config.cipher });
  const backend = computeBackend(line, config, program, store);
  const showProgress = progressPrinter();
  try {
    await Promise.all([backend.check?.(), checkStorage(storage)]);
    if (engine === 'local') {
      let cost: CostReport | undefined;
      const value = await runLocal({
        program,
        entry: line.flags.entry,
        args: line.args,
        store,
        backend,
        storage,
        lockLeaseMs: config.lockLeaseMs,
        pricing: config.pricing,
        onProgress: showProgress,
        onOutput: printTaskOutput,
        dispatch,
        onCost: (report) => (cost = report),
      });
      if (cost) log(line, costLine(cost));
      return emit(line, { engine, result: value, cost }, value);
    }
    const client = await connectClient(endpoints, dataConverter(config, store));
    const options = { dispatch, storage, cpuCount: backend.parallelism, pricing: config.pricing, historyLimit: config.historyLimit };
    // The worker polls before the run starts: a run is pinned to its code, which a worker must have declared.
    const hosted = line.flags['no-worker'] ? undefined : await hostWorker(config, endpoints, program, store, backend);
    const drive = async () => {
      const handle = await startMain(client, { program, entry: line.flags.entry, args: line.args, workflowId: line.flags['workflow-id'], options });
      log(line, `workflow ${handle.workflowId}${endpoints.webUiUrl ? `  ${webUiLink(endpoints, handle.workflowId)}` : ''}`);
      const watcher = setInterval(watchRun(handle, showProgress, (message) => log(line, message)), 500);
      const stopFollowing = followOutput(store.output, handle.workflowId, printTaskOutput, (message, error) => log(line, `${message}: ${error}`));
      try {
        return { handle, value: await mainResult(handle) };
      } finally {
        clearInterval(watcher);
        await stopFollowing();
      }
    };
    const { handle, value } = hosted ? await hosted.runUntil(drive) : await drive();
    // The last run of the chain keeps the final progress and the cost in its memo: a closed run is not queried.
    const memo = (await handle.describe()).memo;
    if (memo?.progress) showProgress(memo.progress as JobProgress[]);
    const cost = memo?.cost as CostReport | undefined;
    if (cost) log(line, costLine(cost));
    emit(line, { workflowId: handle.workflowId, result: value, cost }, value);
  } finally {
    await backend.close();
    await store.close();
  }
}

async function worker(line: CommandLine, config: Config): Promise<void> {
  const program = programOf(line, config);
  const endpoints = await resolveEndpoints(config, { temporal: true });
  const store = await RedisStore.connect(endpoints.redisUrl, { cipher: config.cipher });
  const backend = computeBackend(line, config, program, store);
  await backend.check?.();
  const hosted = await hostWorker(config, endpoints, program, store, backend);
  const version = await codeVersion(program);
  const client = await connectClient(endpoints, dataConverter(config, store));
  try {
    const others = await runsOfOtherCode(client, version);
    if (others.length) {
      const runs = others.map((run) => `${run.workflowId} (code ${run.buildId})`).join(', ');
      log(line, `this worker leaves alone ${others.length} open run(s) started with other code, which a worker of their code serves: ${runs}; \`mpflow replay <workflowId> ${line.operands[0]}\` tells whether this code can resume one`);
    }
    log(line, `worker for ${program.name} on task queue ${program.taskQueue}, code version ${version.buildId} (Ctrl-C stops it)`);
    await hosted.run();
  } finally {
    await client.connection.close();
    await backend.close();
    await store.close();
  }
}

async function status(line: CommandLine, config: Config): Promise<void> {
  const workflowId = requireOperand(line, 'a workflow id');
  await withClient(config, async (client, endpoints) => {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const running = description.status.name === 'RUNNING';
    // Only a worker can answer the progress query; a run whose workers are all gone still shows its status.
    const progress = running ? await queryProgress(handle).catch(() => undefined) : ((description.memo?.progress as JobProgress[] | undefined) ?? []);
    const history = running ? await queryHistory(handle).catch(() => undefined) : undefined;
    const run = history?.run ?? ((description.memo?.run as number | undefined) ?? 1);
    const warning = history && historyWarning(history);
    const cost = description.memo?.cost as CostReport | undefined;
    const codeVersion = pinnedVersionOf(description)?.buildId;
    const workers = await pollersOf(client, description.taskQueue, codeVersion);
    const activitiesInFlight = description.raw.pendingActivities?.length ?? 0;
    const report = { workflowId, status: description.status.name, run, checkpoints: run - 1, history, warning, startTime: description.startTime, closeTime: description.closeTime, codeVersion, workers, activitiesInFlight, progress, cost, webUi: webUiLink(endpoints, workflowId) };
    if (!line.flags.json) {
      console.log(`${workflowId}: ${report.status}, code version ${codeVersion ?? 'none (started before runs were pinned to their code)'}, ${activitiesInFlight} activities in flight`);
      console.log(`  ${history ? historyLine(history) : `run ${run} of the chain (${run - 1} checkpoints)`}`);
      if (warning) console.log(`  warning: ${warning}`);
      for (const worker of workers) console.log(`  worker ${worker.identity} on ${description.taskQueue}: code ${worker.buildId ?? 'unversioned'}, ${worker.runsThisCode ? "this run's code" : 'other code: it leaves this run alone'}`);
      if (!progress) console.log(`  no worker answered the progress query: start one with \`mpflow worker <program>\``);
      for (const job of progress ?? []) console.log(`  ${progressLine(job)}`);
      if (cost) console.log(`  ${costLine(cost)}`);
      if (report.webUi) console.log(`  ${report.webUi}`);
    }
    emit(line, report);
  });
}

/** `--status` of `mpflow list`, and how Temporal's visibility query names each. */
const LISTED_STATUSES: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
  'continued-as-new': 'ContinuedAsNew',
};
/** How long `mpflow list` waits for a worker to tell an open run's progress. */
const LIST_PROGRESS_WAIT_MS = 1_000;

/** The latest runs, newest first: of one program (its directory) when named, in one status when asked. */
async function list(line: CommandLine, config: Config): Promise<void> {
  const program = line.operands[0] === undefined ? undefined : programOf(line, config);
  const { status } = line.flags;
  if (status !== undefined && !(status in LISTED_STATUSES)) throw new ValueError(`--status takes ${Object.keys(LISTED_STATUSES).join(', ')}; got '${status}'`);
  const limit = Number(line.flags.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1) throw new ValueError(`--limit takes a whole number of runs, 1 or more; got '${line.flags.limit}'`);
  const query = ["WorkflowType = 'mainProgram'", program && `TaskQueue = '${program.taskQueue}'`, status && `ExecutionStatus = '${LISTED_STATUSES[status]}'`].filter(Boolean).join(' AND ');
  await withClient(config, async (client) => {
    const { executions } = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query, pageSize: limit });
    const runs = await Promise.all(
      executions.map(async ({ execution, taskQueue, status: code, startTime, closeTime, memo: encodedMemo }) => {
        const workflowId = execution!.workflowId!;
        const name = protos.temporal.api.enums.v1.WorkflowExecutionStatus[code!].replace('WORKFLOW_EXECUTION_STATUS_', '');
        // A memo this process cannot read (sealed with a key it lacks) costs the run its progress and cost, not the list.
        const memo = await decodeMapFromPayloads(client.options.loadedDataConverter, encodedMemo?.fields).catch(() => undefined);
        const open = name === 'RUNNING';
        // Only a worker can tell an open run's progress: a run none serves shows none.
        const asked = open ? queryProgress(client.workflow.getHandle(workflowId)).catch(() => undefined) : undefined;
        const progress = open ? await Promise.race([asked, sleep(LIST_PROGRESS_WAIT_MS, undefined)]) : (memo?.progress as JobProgress[] | undefined);
        const cost = memo?.cost as CostReport | undefined;
        const started = optionalTsToDate(startTime)!;
        return {
          workflowId,
          program: programNameOf(taskQueue!),
          status: name,
          run: (memo?.run as number | undefined) ?? 1,
          startTime: started,
          durationMs: (optionalTsToDate(closeTime) ?? new Date()).getTime() - started.getTime(),
          progress: progress && { chunks: sum(progress, 'chunks'), done: sum(progress, 'done'), failed: sum(progress, 'failed') },
          costUsd: cost?.estimatedUsd,
        };
      }),
    );
    if (!line.flags.json) console.log(runsTable(runs));
    emit(line, { query, runs });
  });
}

function sum(jobs: JobProgress[], field: 'chunks' | 'done' | 'failed'): number {
  return jobs.reduce((total, job) => total + job[field], 0);
}

async function result(line: CommandLine, config: Config): Promise<void> {
  const workflowId = requireOperand(line, 'a workflow id');
  await withClient(config, async (client) => {
    const value = await mainResult(client.workflow.getHandle(workflowId));
    emit(line, { workflowId, result: value }, value);
  });
}

/** A finished (or running) run's task output, as `mpflow run` printed it: `[chunk] line`. */
async function logs(line: CommandLine, config: Config): Promise<void> {
  const workflowId = requireOperand(line, 'a workflow id');
  const endpoints = await resolveEndpoints(config, { temporal: false });
  const store = await RedisStore.connect(endpoints.redisUrl, { cipher: config.cipher });
  try {
    const lines: OutputLine[] = [];
    for (let read, after = FIRST_LINE; (read = await store.output.read(workflowId, after)).lines.length > 0; after = read.last) {
      if (line.flags.json) lines.push(...read.lines);
      else for (const { chunk, text } of read.lines) console.log(taskOutputLine(chunk, text));
    }
    emit(line, { workflowId, lines });
  } finally {
    await store.close();
  }
}

/** Draws the run's timeline and its chunks' run times as a PNG (default `<workflowId>.png` here). */
async function plot(line: CommandLine, config: Config): Promise<void> {
  const workflowId = requireOperand(line, 'a workflow id');
  const endpoints = await resolveEndpoints(config, { temporal: false });
  const store = await RedisStore.connect(endpoints.redisUrl, { cipher: config.cipher });
  try {
    const events = await store.timeline.read(workflowId);
    if (events.length === 0) throw new ValueError(`no chunk of ${workflowId} has run: no timeline to plot (a run's timeline is kept 7 days after its last chunk)`);
    const timeline = timelineOf(events);
    const file = resolve(line.flags.out ?? `${workflowId}.png`);
    writeFileSync(file, await renderPng(timelineChart(workflowId, timeline)));
    const counts = Object.fromEntries(RUN_STATES.map((state) => [state, timeline.bars.filter((bar) => bar.state === state).length]));
    log(line, `wrote ${file}: ${Object.entries(counts).map(([state, count]) => `${count} ${state}`).join(', ')}`);
    emit(line, { workflowId, file, runs: counts });
  } finally {
    await store.close();
  }
}

/** Serves until stopped; the Web UI's codec endpoint (`--ui-codec-endpoint`, or its "Codec Server" setting) points here. */
async function serveCodec(line: CommandLine, config: Config): Promise<void> {
  const port = Number(line.flags.port ?? config.dev.codecPort);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new ValueError(`--port must be a TCP port, got '${line.flags.port}'`);
  const server = codecServer({ cipher: config.cipher, origin: line.flags.origin });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  log(line, `codec server http://127.0.0.1:${port} (POST /decode, /encode) for the Web UI at ${line.flags.origin ?? 'any origin'}`);
  await new Promise((resolve) => process.once('SIGTERM', resolve).once('SIGINT', resolve));
  server.close();
}

async function dev(line: CommandLine, config: Config): Promise<void> {
  switch (line.operands[0]) {
    case 'up': {
      const endpoints = await devUp(config.dev, { s3: line.flags.s3, lambda: line.flags.lambda });
      const s3 = endpoints.s3Endpoint ? `, S3 ${endpoints.s3Endpoint} (MPFLOW_S3_ENDPOINT=${endpoints.s3Endpoint})` : '';
      const lambda = endpoints.lambdaEndpoint ? `, Lambda ${endpoints.lambdaEndpoint} (MPFLOW_LAMBDA_ENDPOINT=${endpoints.lambdaEndpoint})` : '';
      log(line, `Temporal ${endpoints.temporalAddress} (Web UI ${endpoints.webUiUrl}), Redis ${endpoints.redisUrl}${s3}${lambda}`);
      return emit(line, endpoints);
    }
    case 'down':
      await devDown(config.dev);
      return emit(line, { stopped: true });
    case 'status': {
      const services = await devStatus(config.dev);
      if (!line.flags.json) for (const s of services) console.log(`${s.name.padEnd(9)} ${s.address.padEnd(16)} ${s.up ? 'up' : 'down'}${s.pid ? ` (pid ${s.pid})` : ''}`);
      return emit(line, { services });
    }
    default:
      throw new ValueError(`mpflow dev takes up, down or status\n${USAGE}`);
  }
}

/** `--backend`: worker threads here (default), or the program's Lambda function. */
function computeBackend(line: CommandLine, config: Config, program: Program, store: RedisStore): ComputeBackend {
  const name = line.flags.backend ?? 'local';
  if (name === 'local') return new LocalBackend(config.threads, store);
  if (name === 'lambda') return new LambdaBackend(lambdaConfig(config, program.name), store);
  throw new ValueError(`--backend must be local or lambda, got '${name}'`);
}

async function deploy(line: CommandLine, config: Config): Promise<void> {
  if (line.operands[0] !== 'lambda') throw new ValueError(`mpflow ${line.command} takes lambda <program>\n${USAGE}`);
  if (!line.operands[1]) throw new ValueError(`mpflow ${line.command} lambda needs a program directory\n${USAGE}`);
  const program = resolveProgram(line.operands[1]);
  const lambda = lambdaConfig(config, program.name);
  if (line.command === 'undeploy') {
    const deleted = await undeployLambda(lambda);
    log(line, deleted ? `deleted Lambda function ${lambda.functionName}` : `Lambda function ${lambda.functionName} does not exist`);
    return emit(line, { functionName: lambda.functionName, deleted });
  }
  const deployed = await deployLambda(program, lambda, config.cipher?.environment);
  log(line, `Lambda function ${deployed.functionName} version ${deployed.version} (${(deployed.zipBytes / 1e6).toFixed(1)} MB zip)${lambda.endpoint ? ` at ${lambda.endpoint}` : ''}`);
  emit(line, deployed);
}

async function hostWorker(config: Config, endpoints: Endpoints, program: Program, store: RedisStore, backend: ComputeBackend) {
  installRuntime(config);
  const connection = await connectWorker(endpoints);
  return createWorker({ config, connection, namespace: endpoints.temporalNamespace, program, store, backend });
}

/** Type-checks main.ts and tasks.ts and bundles main.ts as workflow code, running nothing; exit code 1 on any problem. */
async function check(line: CommandLine, config: Config): Promise<void> {
  const program = programOf(line, config);
  const types = await typeProblems(program);
  const bundled = types?.length ? undefined : await bundleProgram(program).then(() => true, (error: Error) => error.message);
  const problems = [...(types ?? []), ...(typeof bundled === 'string' ? [bundled] : [])];
  if (!line.flags.json) {
    if (types === undefined) console.error('mpflow: TypeScript is not installed here (npm install -D typescript): types not checked');
    console.log(problems.length ? problems.join('\n') : `ok: ${program.dir}: ${types ? 'main.ts and tasks.ts type-check, ' : ''}main.ts bundles as workflow code`);
  }
  emit(line, { program: program.dir, typeChecked: types !== undefined, bundled: bundled === true, problems });
  if (problems.length) process.exitCode = 1;
}

/** Replays a run's history against the program's current main.ts; exit code 1 when they diverge. */
async function replay(line: CommandLine, config: Config): Promise<void> {
  const workflowId = requireOperand(line, 'a workflow id');
  await withClient(config, async (client, _endpoints, converter) => {
    const description = await client.workflow.getHandle(workflowId).describe();
    const program = resolveProgram(line.operands[1] ?? programDirOf(description.taskQueue), description.taskQueue);
    installRuntime(config);
    const verdict = await replayRun(client, program, workflowId, converter);
    if (!line.flags.json) console.log(verdict.compatible ? 'compatible: this code can resume the run' : `diverges: ${verdict.divergence}`);
    log(line, `replayed ${verdict.events} events in ${(verdict.ms / 1000).toFixed(1)} s, memory +${verdict.memoryMb} MB: what a worker taking the run over pays before it carries on`);
    emit(line, { workflowId, program: program.dir, ...verdict });
    if (!verdict.compatible) process.exitCode = 1;
  });
}

/**
 * Moves an open run to the program's current code, which a worker of that code then takes on:
 * at once when only the tasks changed (a fix), after the replay check when main.ts changed.
 */
async function upgrade(line: CommandLine, config: Config): Promise<void> {
  const workflowId = requireOperand(line, 'a workflow id and a program directory');
  if (!line.operands[1]) throw new ValueError(`mpflow upgrade needs the program directory whose code the run moves to\n${USAGE}`);
  await withClient(config, async (client, _endpoints, converter) => {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') throw new ValueError(`${workflowId} is ${description.status.name}: only an open run can move to other code`);
    const program = resolveProgram(line.operands[1], description.taskQueue);
    const to = await codeVersion(program, description.taskQueue);
    const from = pinnedVersionOf(description);
    if (from?.buildId === to.buildId) return log(line, `${workflowId} already runs this code (${to.buildId})`);
    if (halvesOf(from?.buildId ?? '')?.workflow !== to.workflow) {
      installRuntime(config);
      const verdict = await replayRun(client, program, workflowId, converter);
      if (!verdict.compatible) throw new ValueError(`${workflowId} stays on its code: this main.ts cannot resume it (${verdict.divergence})`);
    }
    await pinRun(client, workflowId, program, { deploymentName: to.deploymentName, buildId: to.buildId });
    log(line, `${workflowId} moves from code ${from?.buildId ?? 'unpinned'} to ${to.buildId}: a worker of this code (\`mpflow worker ${line.operands[1]}\`) takes it on`);
    emit(line, { workflowId, from: from?.buildId, to: to.buildId });
  });
}

/** The program a run's task queue names (`mpflow-<name>`), as a directory `<name>` here. */
function programDirOf(taskQueue: string): string {
  const name = programNameOf(taskQueue);
  if (name === taskQueue || !existsSync(name)) throw new ValueError(`cannot tell the program of task queue ${taskQueue} from here: name its directory, \`mpflow replay <workflowId> <program>\``);
  return name;
}

/** The workers polling `taskQueue` for workflow tasks, and whether each runs the code `buildId`. */
async function pollersOf(client: Client, taskQueue: string, buildId: string | undefined) {
  const { pollers } = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType: protos.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW });
  return (pollers ?? []).map((poller) => ({ identity: poller.identity ?? 'unknown', buildId: poller.deploymentOptions?.buildId ?? undefined, runsThisCode: poller.deploymentOptions?.buildId === buildId }));
}

/** A client for the command, and the data converter it decodes payloads with (a replay decodes the same way). */
async function withClient(config: Config, use: (client: Client, endpoints: Endpoints, converter: DataConverter) => Promise<void>): Promise<void> {
  const endpoints = await resolveEndpoints(config, { temporal: true });
  const store = await RedisStore.connect(endpoints.redisUrl, { cipher: config.cipher });
  const converter = dataConverter(config, store);
  const client = await connectClient(endpoints, converter);
  try {
    await use(client, endpoints, converter);
  } finally {
    await client.connection.close();
    await store.close();
  }
}

function webUiLink(endpoints: Endpoints, workflowId: string): string | undefined {
  return endpoints.webUiUrl && `${endpoints.webUiUrl}/namespaces/${endpoints.temporalNamespace}/workflows/${encodeURIComponent(workflowId)}`;
}

function requireOperand(line: CommandLine, what: string): string {
  const operand = line.operands[0];
  if (!operand) throw new ValueError(`mpflow ${line.command} needs ${what}\n${USAGE}`);
  return operand;
}

/** What a task wrote, on the driver's stderr (stdout carries only the result), marked with its chunk. */
function printTaskOutput({ chunk, text }: OutputLine): void {
  process.stderr.write(`${taskOutputLine(chunk, text)}\n`);
}

function taskOutputLine(chunk: string, text: string): string {
  return `[${chunk}] ${text}`;
}

/** Human lines go to stderr, so stdout carries only results (and, with --json, one JSON object last). */
function log(line: CommandLine, message: string): void {
  if (!line.flags.json) console.error(message);
}

function emit(line: CommandLine, report: object, value?: unknown): void {
  if (line.flags.json) console.log(toJson(report));
  else if (arguments.length > 2) console.log(typeof value === 'string' ? value : inspect(value, { depth: 6, colors: process.stdout.isTTY }));
}

/**
 * What `mpflow run` shows while the run is open: its maps' progress, a line at each checkpoint,
 * and a warning once the history nears its limit.
 */
function watchRun(handle: WorkflowHandle, showProgress: (progress: JobProgress[]) => void, say: (message: string) => void): () => void {
  let run = 1;
  let warned = false;
  return () => {
    queryProgress(handle).then(showProgress, () => {});
    queryHistory(handle).then((history) => {
      if (history.run > run) say(`checkpoint: ${handle.workflowId} carries on in run ${(run = history.run)}`);
      const warning = historyWarning(history);
      if (warning && !warned) say(`warning: ${warning}`);
      warned = Boolean(warning);
    }, () => {});
  };
}

function progressPrinter(): (progress: JobProgress[]) => void {
  const shown = new Map<string, string>();
  return (progress) => {
    for (const job of progress) {
      const text = progressLine(job);
      if (shown.get(progressKey(job)) === text) continue;
      shown.set(progressKey(job), text);
      if (process.stderr.isTTY) process.stderr.write(`\r${text}${job.done === job.chunks ? '\n' : ''}`);
      else if (job.done === job.chunks) process.stderr.write(`${text}\n`);
    }
  };
}

main(process.argv.slice(2)).then(
  () => process.exit(),
  (error: unknown) => {
    const failure = unwrapFailure(error);
    const verbose = process.argv.includes('--verbose');
    console.error(!verbose && (failure instanceof ValueError || failure.name === 'SetupError') ? `mpflow: ${failure.message}` : failure);
    if (process.argv.includes('--json')) console.log(toJson({ error: { name: failure.name, message: failure.message, stack: failure.stack } }));
    process.exit(1);
  },
);
