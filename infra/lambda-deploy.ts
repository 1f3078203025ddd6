/**
 * `mpflow deploy lambda <program>`: bundles the program's tasks with the Lambda handler
 * (esbuild), zips them with the Lua scripts the state store loads, and creates or updates the
 * function, then publishes a version. Idempotent: an unchanged program publishes no new version.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { ValueError } from '../mp-shim/errors.js';
import { lambdaClient, type LambdaConfig } from '../compute/lambda/backend.js';
import { ownEntryPoints, ownModule } from '../compute/own-modules.js';
import type { Program } from '../workers/program.js';
import { zip } from './zip.js';

const HANDLER = ownModule('../compute/lambda/handler.ts', import.meta.url);
const SCRIPTS = new URL('../state/scripts/', import.meta.url);
/** A role ARN for local endpoints, which do not check it. */
const LOCAL_ROLE = 'arn:aws:iam::000000000000:role/mpflow-local';
const WAIT = { maxWaitTime: 300, minDelay: 1, maxDelay: 5 };

export interface Deployed {
  functionName: string;
  version: string;
  codeSha256: string;
  zipBytes: number;
}

/** The function's code: one ES module, `index.handler`, beside the Lua scripts it reads. */
export async function buildArchive(program: Program): Promise<Buffer> {
  const bundled = await build({
    stdin: {
      contents: `import * as tasks from ${JSON.stringify(program.tasks)};\nimport { lambdaHandler } from ${JSON.stringify(HANDLER)};\nexport const handler = lambdaHandler(tasks);\n`,
      resolveDir: program.dir,
      sourcefile: 'index.mjs',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    // The tasks' `mpflow` is the one the handler belongs to: one copy of mpflow in the bundle.
    alias: ownEntryPoints,
    format: 'esm',
    target: 'node20',
    write: false,
    // Tasks' stacks name their own files: Node maps them through this (NODE_OPTIONS below).
    sourcemap: 'inline',
    // msgpackr's optional native decoder: without it msgpackr runs in plain JavaScript.
    external: ['msgpackr-extract'],
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __mpflowRequire } from 'node:module'; const require = __mpflowRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const files: Record<string, Uint8Array> = { 'index.mjs': bundled.outputFiles[0].contents };
  for (const entry of readdirSync(SCRIPTS, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const relative = `${entry.parentPath.slice(fileURLToPath(SCRIPTS).length)}/${entry.name}`.replace(/^\/+/, '');
    files[`scripts/${relative}`] = readFileSync(new URL(relative, SCRIPTS));
  }
  return zip(files);
}

/** Deploys `program`'s tasks; `environment` adds to the function's variables (MPFLOW_ENCRYPTION_KEY, when set). */
export async function deployLambda(program: Program, config: LambdaConfig, environment: Record<string, string> = {}): Promise<Deployed> {
  const archive = await buildArchive(program);
  const client = lambdaClient(config);
  const settings = {
    FunctionName: config.functionName,
    Handler: 'index.handler',
    Runtime: 'nodejs20.x' as const,
    Timeout: config.timeoutSeconds,
    MemorySize: config.memoryMb,
    Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...environment } },
  };
  try {
    const current = await configurationOf(client, config.functionName);
    if (current) {
      // Only what changed is updated: an unchanged program leaves the function (and its versions) as they are.
      if (current.CodeSha256 !== createHash('sha256').update(archive).digest('base64')) {
        await client.send(new UpdateFunctionCodeCommand({ FunctionName: config.functionName, ZipFile: archive }));
        await waitUntilFunctionUpdatedV2({ client, ...WAIT }, { FunctionName: config.functionName });
      }
      const wanted = { Handler: settings.Handler, Runtime: settings.Runtime, Timeout: settings.Timeout, MemorySize: settings.MemorySize, Variables: settings.Environment.Variables };
      const actual = { Handler: current.Handler, Runtime: current.Runtime, Timeout: current.Timeout, MemorySize: current.MemorySize, Variables: current.Environment?.Variables ?? {} };
      if (JSON.stringify(wanted) !== JSON.stringify(actual)) {
        await client.send(new UpdateFunctionConfigurationCommand(settings));
        await waitUntilFunctionUpdatedV2({ client, ...WAIT }, { FunctionName: config.functionName });
      }
    } else {
      const role = config.roleArn ?? (config.endpoint ? LOCAL_ROLE : undefined);
      if (!role) throw new ValueError(`creating Lambda function ${config.functionName} needs an execution role: set MPFLOW_LAMBDA_ROLE_ARN (see the README for its policy)`);
      await client.send(new CreateFunctionCommand({ ...settings, Role: role, Code: { ZipFile: archive } }));
      await waitUntilFunctionActiveV2({ client, ...WAIT }, { FunctionName: config.functionName });
    }
    const published = await client.send(new PublishVersionCommand({ FunctionName: config.functionName }));
    return { functionName: config.functionName, version: published.Version!, codeSha256: published.CodeSha256!, zipBytes: archive.length };
  } finally {
    client.destroy();
  }
}

/** Deletes the function and its versions; a function that is not there is already undeployed. */
export async function undeployLambda(config: LambdaConfig): Promise<boolean> {
  const client = lambdaClient(config);
  try {
    if (!(await configurationOf(client, config.functionName))) return false;
    await client.send(new DeleteFunctionCommand({ FunctionName: config.functionName }));
    return true;
  } finally {
    client.destroy();
  }
}

async function configurationOf(client: ReturnType<typeof lambdaClient>, functionName: string): Promise<FunctionConfiguration | undefined> {
  try {
    return (await client.send(new GetFunctionCommand({ FunctionName: functionName }))).Configuration;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
