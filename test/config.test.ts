import assert from 'node:assert/strict';
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
