import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unzip, zip } from '../infra/zip.js';

describe('the zip archives Lambda functions are deployed as', () => {
  it('round-trip text and binary files, in folders, byte for byte', () => {
    const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
    const files = unzip(zip({ 'index.mjs': 'export const handler = () => 1;\n'.repeat(100), 'scripts/includes/wake.lua': '-- wake', 'data.bin': binary }));
    assert.deepEqual(Object.keys(files).sort(), ['data.bin', 'index.mjs', 'scripts/includes/wake.lua']);
    assert.equal(files['index.mjs'].toString(), 'export const handler = () => 1;\n'.repeat(100));
    assert.deepEqual(new Uint8Array(files['data.bin']), binary);
  });
});
