/**
 * A local AWS Lambda endpoint for development and tests (`mpflow dev up --lambda`). It answers
 * the Lambda API as AWS does for what mpflow uses: CreateFunction, GetFunction(Configuration),
 * UpdateFunctionCode/Configuration, PublishVersion, DeleteFunction, PutFunctionConcurrency and
 * Invoke (`RequestResponse`, `Event` → 202, `FunctionError: Unhandled`, 404 for an unknown
 * function, 429 `TooManyRequestsException` past the concurrency limit, the function's timeout).
 * Each concurrent invocation runs in a container process of its own, reused while warm; the
 * first use of one is a cold start. Faults can be injected (`PUT /_mpflow/faults`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzip } from './zip.js';

const RUNTIME = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));
const DEFAULT_TIMEOUT_S = 3;
const DEFAULT_MEMORY_MB = 128;
/** A warm container is kept this long after its last invocation. */
const KEEP_WARM_MS = 5 * 60_000;
/** Lambda's limit on a container's init phase (loading the handler), which does not count against the function's timeout. */
const INIT_TIMEOUT_MS = 10_000;
/**
 * Containers that start at once: an init is CPU-bound, and many at a time on a small machine
 * would all miss the init limit (64 cold starts on two cores take minutes). The rest wait
 * their turn, so a burst measures mpflow rather than the machine.
 */
const CONCURRENT_INITS = availableParallelism();
/** Lambda's limits on a synchronous invocation's request and response, and on an asynchronous one's event. */
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD_BYTES = 256 * 1024;

export interface Faults {
  /** Fractions of invocations that fail (FunctionError Unhandled), time out, or are throttled (429). */
  errors: number;
  timeouts: number;
  throttles: number;
}

export interface EndpointStats {
  invocations: number;
  coldStarts: number;
  throttled: number;
  timedOut: number;
  failed: number;
  injected: number;
}

interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  Timeout: number;
  MemorySize: number;
  Environment: { Variables: Record<string, string> };
  CodeSha256: string;
  CodeSize: number;
  Version: string;
  LastModified: string;
  State: 'Active';
  LastUpdateStatus: 'Successful';
}

interface LambdaFunction {
  latest: FunctionConfiguration;
  versions: Record<string, FunctionConfiguration>;
  reservedConcurrency?: number;
}

interface Container {
  process: ChildProcess;
  codeSha: string;
  /** Resolves when the handler is loaded (true), or false when the init phase ran out of time. */
  ready: Promise<boolean>;
  idleTimer?: NodeJS.Timeout;
}

export class LambdaEndpoint {
  readonly faults: Faults = { errors: 0, timeouts: 0, throttles: 0 };
  readonly stats: EndpointStats = { invocations: 0, coldStarts: 0, throttled: 0, timedOut: 0, failed: 0, injected: 0 };
  readonly #functions: Record<string, LambdaFunction>;
  readonly #idle = new Map<string, Container[]>();
  readonly #running = new Map<string, number>();
  readonly #containers = new Set<Container>();
  #initializing = 0;
  readonly #waitingToInit: (() => void)[] = [];

  /** `dir` keeps functions and their code across restarts; `concurrency` is the account's limit. */
  constructor(
    readonly dir: string,
    readonly concurrency = 1000,
  ) {
    mkdirSync(dir, { recursive: true });
    this.#functions = existsSync(this.#registry) ? JSON.parse(readFileSync(this.#registry, 'utf8')) : {};
  }

  listen(port: number, host = '127.0.0.1'): Promise<() => Promise<void>> {
    const server = createServer((request, response) => {
      this.#route(request, response).catch((error: Error) => send(response, 500, { message: error.message }, 'ServiceException'));
    });
    return new Promise((resolve) =>
      server.listen(port, host, () =>
        resolve(async () => {
          this.close();
          await new Promise((closed) => server.close(closed));
        }),
      ),
    );
  }

  close(): void {
    for (const container of this.#containers) container.process.kill('SIGKILL');
    this.#containers.clear();
    this.#idle.clear();
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    if (parts[0] === '_mpflow') {
      if (parts[1] === 'faults' && method === 'PUT') Object.assign(this.faults, JSON.parse(body.toString() || '{}'));
      return send(response, 200, parts[1] === 'stats' ? this.stats : this.faults);
    }
    const [, collection, name, action] = parts;
    if (collection !== 'functions') return send(response, 404, { message: `unknown path ${url.pathname}` }, 'ResourceNotFoundException');
    if (!name) return method === 'POST' ? this.#create(JSON.parse(body.toString()), response) : send(response, 405, { message: 'method not allowed' }, 'InvalidRequestContentException');
    const [functionName, nameQualifier] = functionNameOf(name);
    const fn = this.#functions[functionName];
    if (!(method === 'POST' && action === undefined) && !fn) {
      return send(response, 404, { Type: 'User', message: `Function not found: ${arn(functionName)}` }, 'ResourceNotFoundException');
    }
    const request_ = { fn: fn!, qualifier: url.searchParams.get('Qualifier') ?? nameQualifier ?? '$LATEST', body, response };
    switch (`${method} ${action ?? ''}`) {
      case 'POST invocations':
        return this.#invoke(request_, String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse'));
      case 'GET ':
        return send(response, 200, { Configuration: this.#configuration(request_), Code: { RepositoryType: 'S3', Location: '' }, Concurrency: fn!.reservedConcurrency === undefined ? undefined : { ReservedConcurrentExecutions: fn!.reservedConcurrency } });
      case 'GET configuration':
        return send(response, 200, this.#configuration(request_));
      case 'PUT code':
        return this.#updateCode(fn!, JSON.parse(body.toString()), response);
      case 'PUT configuration':
        return this.#updateConfiguration(fn!, JSON.parse(body.toString()), response);
      case 'POST versions':
        return send(response, 201, this.#publish(fn!));
      case 'PUT concurrency': {
        fn!.reservedConcurrency = JSON.parse(body.toString()).ReservedConcurrentExecutions;
        this.#save();
        return send(response, 200, { ReservedConcurrentExecutions: fn!.reservedConcurrency });
      }
      case 'DELETE ': {
        delete this.#functions[functionName];
        this.#save();
        return send(response, 204);
      }
      default:
        return send(response, 405, { message: `${method} ${url.pathname} is not supported by the local endpoint` }, 'InvalidRequestContentException');
    }
  }

  #create(input: Record<string, any>, response: ServerResponse): void {
    const name = input.FunctionName as string;
    if (this.#functions[name]) return send(response, 409, { Type: 'User', message: `Function already exist: ${name}` }, 'ResourceConflictException');
    const code = this.#storeCode(input.Code?.ZipFile);
    const latest: FunctionConfiguration = {
      FunctionName: name,
      FunctionArn: arn(name),
      Runtime: input.Runtime ?? 'nodejs20.x',
      Role: input.Role ?? '',
      Handler: input.Handler ?? 'index.handler',
      Timeout: input.Timeout ?? DEFAULT_TIMEOUT_S,
      MemorySize: input.MemorySize ?? DEFAULT_MEMORY_MB,
      Environment: { Variables: input.Environment?.Variables ?? {} },
      ...code,
      Version: '$LATEST',
      LastModified: new Date().toISOString(),
      State: 'Active',
      LastUpdateStatus: 'Successful',
    };
    this.#functions[name] = { latest, versions: {} };
    if (input.Publish) this.#publish(this.#functions[name]);
    this.#save();
    send(response, 201, latest);
  }

  #updateCode(fn: LambdaFunction, input: Record<string, any>, response: ServerResponse): void {
    Object.assign(fn.latest, this.#storeCode(input.ZipFile), { LastModified: new Date().toISOString() });
    const published = input.Publish ? this.#publish(fn) : fn.latest;
    this.#save();
    send(response, 200, published);
  }

  #updateConfiguration(fn: LambdaFunction, input: Record<string, any>, response: ServerResponse): void {
    for (const field of ['Handler', 'Timeout', 'MemorySize', 'Role', 'Runtime'] as const) if (input[field] !== undefined) (fn.latest as any)[field] = input[field];
    if (input.Environment) fn.latest.Environment = { Variables: input.Environment.Variables ?? {} };
    fn.latest.LastModified = new Date().toISOString();
    this.#save();
    send(response, 200, fn.latest);
  }

  /** Publishes $LATEST as the next version, unless the newest version already has its code and configuration. */
  #publish(fn: LambdaFunction): FunctionConfiguration {
    const numbers = Object.keys(fn.versions).map(Number);
    const newest = numbers.length ? fn.versions[String(Math.max(...numbers))] : undefined;
    const comparable = (config: FunctionConfiguration) => JSON.stringify({ ...config, Version: '', FunctionArn: '', LastModified: '' });
    const same = newest && comparable(newest) === comparable(fn.latest);
    if (same) return newest;
    const version = String((numbers.length ? Math.max(...numbers) : 0) + 1);
    fn.versions[version] = { ...fn.latest, Version: version, FunctionArn: `${fn.latest.FunctionArn}:${version}` };
    return fn.versions[version];
  }

  #configuration({ fn, qualifier }: { fn: LambdaFunction; qualifier: string }): FunctionConfiguration | undefined {
    return qualifier === '$LATEST' ? fn.latest : fn.versions[qualifier];
  }

  #storeCode(zipBase64: string | undefined): Pick<FunctionConfiguration, 'CodeSha256' | 'CodeSize'> {
    if (!zipBase64) throw new Error('Code.ZipFile is required');
    const archive = Buffer.from(zipBase64, 'base64');
    const sha = createHash('sha256').update(archive).digest('base64');
    const dir = this.#codeDir(sha);
    if (!existsSync(dir)) {
      for (const [name, content] of Object.entries(unzip(archive))) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
    }
    return { CodeSha256: sha, CodeSize: archive.length };
  }

  async #invoke({ fn, qualifier, body, response }: { fn: LambdaFunction; qualifier: string; body: Buffer; response: ServerResponse }, type: string): Promise<void> {
    const config = qualifier === '$LATEST' ? fn.latest : fn.versions[qualifier];
    if (!config) return send(response, 404, { Type: 'User', message: `Function not found: ${arn(fn.latest.FunctionName)}:${qualifier}` }, 'ResourceNotFoundException');
    const name = config.FunctionName;
    const limit = Math.min(fn.reservedConcurrency ?? this.concurrency, this.concurrency);
    if ((this.#running.get(name) ?? 0) >= limit || Math.random() < this.faults.throttles) {
      this.stats.throttled++;
      const reason = fn.reservedConcurrency === undefined ? 'ConcurrentInvocationLimitExceeded' : 'ReservedFunctionConcurrentInvocationLimitExceeded';
      return send(response, 429, { Reason: reason, Type: 'User', message: 'Rate Exceeded.' }, 'TooManyRequestsException');
    }
    const payloadLimit = type === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (body.length > payloadLimit) {
      return send(response, 413, { Type: 'User', message: `Request must be smaller than ${payloadLimit} bytes for the Invoke operation` }, 'RequestTooLargeException');
    }
    const requestId = randomUUID();
    const event = body.length ? JSON.parse(body.toString()) : {};
    this.stats.invocations++;
    this.#running.set(name, (this.#running.get(name) ?? 0) + 1);
    const done = this.#run(config, requestId, event).finally(() => this.#running.set(name, this.#running.get(name)! - 1));
    const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': config.Version };
    if (type === 'Event') {
      done.catch(() => {});
      return send(response, 202, undefined, undefined, headers);
    }
    if (type === 'DryRun') return send(response, 204, undefined, undefined, headers);
    const outcome = await done;
    if (outcome.ok && JSON.stringify(outcome.result).length > MAX_SYNC_PAYLOAD_BYTES) {
      this.stats.failed++;
      const errorMessage = `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`;
      return send(response, 200, { errorType: 'Function.ResponseSizeTooLarge', errorMessage }, undefined, { ...headers, 'x-amz-function-error': 'Unhandled' });
    }
    if (outcome.ok) return send(response, 200, outcome.result, undefined, headers);
    this.stats.failed++;
    send(response, 200, outcome.error, undefined, { ...headers, 'x-amz-function-error': 'Unhandled' });
  }

  async #run(config: FunctionConfiguration, requestId: string, event: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: object }> {
    const timeoutMs = config.Timeout * 1000;
    const timedOut = () => ({ ok: false as const, error: { errorType: 'Sandbox.Timedout', errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${config.Timeout.toFixed(2)} seconds` } });
    const roll = Math.random();
    if (roll < this.faults.errors) {
      this.stats.injected++;
      return { ok: false, error: { errorType: 'InjectedFault', errorMessage: `the local Lambda endpoint failed invocation ${requestId} on purpose (errors: ${this.faults.errors})`, trace: [] } };
    }
    if (roll < this.faults.errors + this.faults.timeouts) {
      this.stats.injected++;
      this.stats.timedOut++;
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      return timedOut();
    }
    const container = await this.#take(config);
    if (!(await container.ready) || container.process.exitCode !== null) {
      const exitCode = container.process.exitCode;
      this.#discard(container);
      if (exitCode !== null) return { ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited during init with exit status ${exitCode}` } };
      return { ok: false, error: { errorType: 'Runtime.InitTimeout', errorMessage: `${requestId} the handler did not load within ${INIT_TIMEOUT_MS / 1000} seconds` } };
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stats.timedOut++;
        this.#discard(container);
        resolve(timedOut());
      }, timeoutMs);
      const onMessage = (message: { requestId: string; ok: boolean; result?: unknown; error?: object }) => {
        if (message.requestId !== requestId) return;
        finish();
        this.#release(container);
        resolve(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error! });
      };
      const onExit = (code: number | null) => {
        finish();
        this.#discard(container);
        resolve({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}` } });
      };
      const finish = () => {
        clearTimeout(timer);
        container.process.off('message', onMessage);
        container.process.off('exit', onExit);
      };
      container.process.on('message', onMessage);
      container.process.once('exit', onExit);
      container.process.send({ requestId, event, deadline: Date.now() + timeoutMs });
    });
  }

  /** A warm container of this code, or a new one (a cold start) once fewer than CONCURRENT_INITS are starting. */
  async #take(config: FunctionConfiguration): Promise<Container> {
    const key = `${config.FunctionName}/${config.CodeSha256}/${config.Handler}/${config.MemorySize}/${JSON.stringify(config.Environment.Variables)}`;
    for (;;) {
      const warm = this.#idle.get(key)?.pop();
      if (warm) {
        clearTimeout(warm.idleTimer);
        return warm;
      }
      if (this.#initializing < CONCURRENT_INITS) break;
      await new Promise<void>((resolve) => this.#waitingToInit.push(resolve));
    }
    this.#initializing++;
    this.stats.coldStarts++;
    const child = fork(RUNTIME, [this.#codeDir(config.CodeSha256), config.Handler, config.FunctionName, String(config.MemorySize)], {
      env: { ...process.env, ...config.Environment.Variables, AWS_LAMBDA_FUNCTION_NAME: config.FunctionName, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.MemorySize) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), INIT_TIMEOUT_MS);
      child.once('message', () => {
        clearTimeout(timer);
        resolve(true);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true); // the invocation then reports the exit
      });
    });
    void ready.then(() => {
      this.#initializing--;
      this.#waitingToInit.shift()?.();
    });
    const container: Container = { process: child, codeSha: key, ready };
    this.#containers.add(container);
    child.once('exit', () => this.#discard(container));
    return container;
  }

  #release(container: Container): void {
    if (!this.#containers.has(container)) return;
    const idle = this.#idle.get(container.codeSha) ?? [];
    idle.push(container);
    this.#idle.set(container.codeSha, idle);
    container.idleTimer = setTimeout(() => this.#discard(container), KEEP_WARM_MS);
    container.idleTimer.unref();
    // An invocation waiting to start a container can take this one instead.
    this.#waitingToInit.shift()?.();
  }

  #discard(container: Container): void {
    clearTimeout(container.idleTimer);
    this.#containers.delete(container);
    const idle = this.#idle.get(container.codeSha);
    if (idle) this.#idle.set(container.codeSha, idle.filter((c) => c !== container));
    if (container.process.exitCode === null) container.process.kill('SIGKILL');
  }

  #codeDir(sha: string): string {
    return join(this.dir, 'code', sha.replace(/[/+=]/g, '_'));
  }

  get #registry(): string {
    return join(this.dir, 'functions.json');
  }

  #save(): void {
    writeFileSync(this.#registry, JSON.stringify(this.#functions, null, 2));
  }
}

function functionNameOf(name: string): [string, string | undefined] {
  const bare = name.startsWith('arn:') ? name.split(':').slice(6).join(':') : name;
  const [functionName, qualifier] = bare.split(':');
  return [functionName, qualifier];
}

function arn(name: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body?: unknown, errorType?: string, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}), ...headers });
  response.end(text);
}

/** Run as `node --import tsx infra/lambda-endpoint.ts <port> <dir>` by the dev stack. */
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [port, dir] = [Number(process.argv[2]), process.argv[3]];
  const endpoint = new LambdaEndpoint(dir, Number(process.env.MPFLOW_LAMBDA_CONCURRENCY) || 1000);
  await endpoint.listen(port);
  process.on('SIGTERM', () => {
    endpoint.close();
    process.exit(0);
  });
  console.error(`local Lambda endpoint on 127.0.0.1:${port}, functions in ${dir}`);
}
