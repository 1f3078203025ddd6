import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storagePath } from '../mp-shim/fs/paths.js';

describe('paths of mpflow/fs, relative to the storage root', () => {
  it('are normalized: empty parts and dots drop, `..` climbs', () => {
    assert.equal(storagePath('a//b/./c'), 'a/b/c');
    assert.equal(storagePath('a/b/../c'), 'a/c');
    assert.equal(storagePath('.'), '');
  });

  it('never lead outside the root: absolute paths and climbs above it are refused', () => {
    for (const path of ['/etc/passwd', 'C:\\\\x', '../x', 'a/../../x', 'a\0b']) {
      assert.throws(() => storagePath(path), { code: 'ERR_INVALID_ARG_VALUE' }, path);
    }
  });
});
