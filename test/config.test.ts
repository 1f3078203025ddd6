import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lambdaConfig, readConfig, storageUrl } from '../workers/config.js';

describe('the configuration, read once from the environment', () => {
  it('defaults to the dev stack under .mpflow/, Redis claims and AWS list prices', () => {
    const config = readConfig({});
    assert.equal(config.endpoints.temporalAddress, undefined);
    assert.equal(config.endpoints.temporalNamespace, 'default');
    assert.match(config.dev.stateDir, /\/\.mpflow$/);
    assert.deepEqual([config.dev.temporalPort, config.dev.redisPort, config.dev.s3Port, config.dev.lambdaPort], [7233, 6399, 9399, 9398]);
    assert.equal(config.claimCheck, 'redis');
    assert.equal(config.lockLeaseMs, 60_000);
    assert.equal(lambdaConfig(config, 'pi').functionName, 'mpflow-pi');
  });

  it('takes every variable it documents', () => {
    const config = readConfig({ TEMPORAL_ADDRESS: 'temporal:7233', MPFLOW_REDIS_URL: 'redis://r:6379', MPFLOW_THREADS: '3', MPFLOW_LOCK_LEASE_MS: '1500', MPFLOW_LAMBDA_FUNCTION: 'f', AWS_REGION: 'eu-west-1', MPFLOW_LOG_LEVEL: 'debug' });
    assert.deepEqual([config.endpoints.temporalAddress, config.endpoints.redisUrl, config.threads, config.lockLeaseMs, config.logLevel], ['temporal:7233', 'redis://r:6379', 3, 1500, 'debug']);
    assert.equal(lambdaConfig(config, 'pi').functionName, 'f');
    assert.equal(lambdaConfig(config, 'pi').region, 'eu-west-1');
  });

  it("reaches Temporal as Temporal's own tools do: TEMPORAL_* variables over a profile of its config file", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mpflow-config-')), 'temporal.toml');
    writeFileSync(file, '[profile.cloud]\naddress = "my-ns.a1b2c.tmprl.cloud:7233"\nnamespace = "my-ns.a1b2c"\napi_key = "from-the-file"\n');
    const cloud = readConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    assert.deepEqual([cloud.endpoints.temporalAddress, cloud.endpoints.temporalNamespace, cloud.endpoints.temporalSecurity?.apiKey, cloud.endpoints.temporalSecurity?.tls], ['my-ns.a1b2c.tmprl.cloud:7233', 'my-ns.a1b2c', 'from-the-file', true]);
    const overridden = readConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud', TEMPORAL_API_KEY: 'from-the-environment' });
    assert.equal(overridden.endpoints.temporalSecurity?.apiKey, 'from-the-environment');
    const mtls = readConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT', TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY', TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    assert.deepEqual(mtls.endpoints.temporalSecurity?.tls, { serverNameOverride: 'temporal.internal', serverRootCACertificate: undefined, clientCertPair: { crt: new TextEncoder().encode('CERT'), key: new TextEncoder().encode('KEY') } });
  });

  it('takes encryption keys as id:base64 entries, the first sealing, and refuses a key of the wrong size', () => {
    const [k1, k2] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const cipher = readConfig({ MPFLOW_ENCRYPTION_KEY: `k2:${k2},k1:${k1}` }).cipher!;
    assert.equal(cipher.keyId, 'k2');
    const old = readConfig({ MPFLOW_ENCRYPTION_KEY: `k1:${k1}` }).cipher!;
    assert.deepEqual(Buffer.from(cipher.open(old.seal(Buffer.from('sealed under k1')))).toString(), 'sealed under k1');
    assert.deepEqual(cipher.seal(Buffer.from('same'), true), cipher.seal(Buffer.from('same'), true), 'values seal the same each time');
    assert.notDeepEqual(cipher.seal(Buffer.from('same')), cipher.seal(Buffer.from('same')), 'payloads do not');
    assert.throws(() => old.open(cipher.seal(Buffer.from('x'))), { name: 'SetupError', message: /data encrypted with key 'k2', which this process does not have/ });
    assert.throws(() => readConfig({ MPFLOW_ENCRYPTION_KEY: 'k1:c2hvcnQ=' }), { name: 'ValueError', message: /MPFLOW_ENCRYPTION_KEY must be id:base64 entries of 32-byte keys .*key 'k1' is not/ });
    assert.equal(readConfig({}).cipher, undefined);
  });

  it('names the variable and the value it cannot use', () => {
    assert.throws(() => readConfig({ MPFLOW_THREADS: 'many' }), { name: 'ValueError', message: "MPFLOW_THREADS must be a positive number, got 'many'" });
    assert.throws(() => readConfig({ MPFLOW_CLAIM_CHECK: 'disk' }), { name: 'ValueError', message: "MPFLOW_CLAIM_CHECK must be 'redis' or an s3://bucket/prefix URL, got 'disk'" });
  });

  it("gives a run's storage URL the configured S3 endpoint and region, so every process reaches the same server", () => {
    const config = readConfig({ MPFLOW_S3_ENDPOINT: 'http://127.0.0.1:9399', AWS_REGION: 'eu-west-1' });
    assert.equal(storageUrl(config, 's3://bucket/prefix'), 's3://bucket/prefix?endpoint=http%3A%2F%2F127.0.0.1%3A9399&region=eu-west-1');
    assert.equal(storageUrl(config, 's3://bucket/p?endpoint=http://other'), 's3://bucket/p?endpoint=http%3A%2F%2Fother&region=eu-west-1');
    assert.equal(storageUrl(config, '/tmp/files'), 'file:///tmp/files');
    assert.throws(() => storageUrl(config, 'ftp://host/x'), { name: 'ValueError' });
  });
});
