import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Location } from '../storage/s3.js';
import { Redis } from 'ioredis';
import { devS3Endpoint, resolveEndpoints } from '../infra/dev-stack.js';
import { readConfig } from '../workers/config.js';
import { mainResult, startMain } from '../workers/client.js';
import { ENGINES, freshStorage, harness, onEveryEngineAndStorage, STORAGES } from '../testing/harness.js';

const MiB = 1024 * 1024;

/** Every documented error: the call, Node's code, and Node's message with the path as the program wrote it. */
const DOCUMENTED_ERRORS = [
  ['readFile missing', 'ENOENT', "ENOENT: no such file or directory, open 'errors/missing'"],
  ['stat missing', 'ENOENT', "ENOENT: no such file or directory, stat 'errors/missing'"],
  ['access missing', 'ENOENT', "ENOENT: no such file or directory, access 'errors/missing'"],
  ['readdir missing', 'ENOENT', "ENOENT: no such file or directory, scandir 'errors/missing'"],
  ['rm missing', 'ENOENT', "ENOENT: no such file or directory, rm 'errors/missing'"],
  ['rename missing', 'ENOENT', "ENOENT: no such file or directory, rename 'errors/missing' -> 'errors/other'"],
  ['copyFile missing', 'ENOENT', "ENOENT: no such file or directory, copyfile 'errors/missing' -> 'errors/other'"],
  ['writeFile into a missing directory', 'ENOENT', "ENOENT: no such file or directory, open 'errors/missing/file.txt'"],
  ['mkdir under a missing directory', 'ENOENT', "ENOENT: no such file or directory, mkdir 'errors/missing/sub'"],
  ['open missing', 'ENOENT', "ENOENT: no such file or directory, open 'errors/missing'"],
  ['readFile a directory', 'EISDIR', "EISDIR: illegal operation on a directory, open 'errors/full'"],
  ['writeFile a directory', 'EISDIR', "EISDIR: illegal operation on a directory, open 'errors/full'"],
  ['unlink a directory', 'EISDIR', "EISDIR: illegal operation on a directory, unlink 'errors/full'"],
  ['copyFile a directory', 'EISDIR', "EISDIR: illegal operation on a directory, copyfile 'errors/full' -> 'errors/other'"],
  ['rename a file onto a directory', 'EISDIR', "EISDIR: illegal operation on a directory, rename 'errors/file.txt' -> 'errors/full'"],
  ['open a directory', 'EISDIR', "EISDIR: illegal operation on a directory, open 'errors/full'"],
  ['rm a directory', 'ERR_FS_EISDIR', 'Path is a directory: rm returned EISDIR (is a directory) errors/full'],
  ['readdir a file', 'ENOTDIR', "ENOTDIR: not a directory, scandir 'errors/file.txt'"],
  ['rmdir a file', 'ENOTDIR', "ENOTDIR: not a directory, rmdir 'errors/file.txt'"],
  ['writeFile under a file', 'ENOTDIR', "ENOTDIR: not a directory, open 'errors/file.txt/inner'"],
  ['mkdir under a file', 'ENOTDIR', "ENOTDIR: not a directory, mkdir 'errors/file.txt/sub'"],
  ['rename a directory onto a file', 'ENOTDIR', "ENOTDIR: not a directory, rename 'errors/full' -> 'errors/file.txt'"],
  ['rmdir a non-empty directory', 'ENOTEMPTY', "ENOTEMPTY: directory not empty, rmdir 'errors/full'"],
  ['mkdir existing', 'EEXIST', "EEXIST: file already exists, mkdir 'errors/full'"],
  ['mkdir over a file', 'EEXIST', "EEXIST: file already exists, mkdir 'errors/file.txt'"],
  ['writeFile wx existing', 'EEXIST', "EEXIST: file already exists, open 'errors/file.txt'"],
  ['copyFile COPYFILE_EXCL existing', 'EEXIST', "EEXIST: file already exists, copyfile 'errors/other-file.txt' -> 'errors/file.txt'"],
  ['open wx existing', 'EEXIST', "EEXIST: file already exists, open 'errors/file.txt'"],
  ['createWriteStream wx existing', 'EEXIST', "EEXIST: file already exists, open 'errors/file.txt'"],
  ['rename a directory into itself', 'EINVAL', "EINVAL: invalid argument, rename 'errors/full' -> 'errors/full/sub/inner'"],
  ['rm the storage root', 'EBUSY', "EBUSY: resource busy or locked, rm '.'"],
  ['write before the end of a handle', 'ESPIPE', "ESPIPE: invalid seek, write 'errors/handle.txt'"],
  ['read a closed handle', 'EBADF', "EBADF: bad file descriptor, read 'errors/file.txt'"],
  ['an absolute path', 'ERR_INVALID_ARG_VALUE', 'The argument \'path\' must be a path relative to the storage root. Received "/etc/passwd"'],
  ['a path above the root', 'ERR_INVALID_ARG_VALUE', 'The argument \'path\' must not lead outside the storage root. Received "errors/../../outside"'],
  ['open read-write', 'ERR_INVALID_ARG_VALUE', 'The argument \'flags\' must be \'r\', \'w\', \'wx\', \'a\' or \'ax\' (object storage has no read-write files). Received "r+"'],
];

onEveryEngineAndStorage('mpflow/fs', 'test/programs/files', (h) => {
  for (const where of ['main', 'task'] as const) {
    const inWhere = where === 'main' ? 'in the main program' : 'in a task';

    it(`text and binary round-trip ${inWhere}, through whole-file calls and handles`, async () => {
      assert.deepEqual(await h().run('scenario', 'textAndBinary', where, `text-${where}`), {
        text: 'héllo wörld ✓\nsecond line\n',
        binaryRoundTrips: true,
        positional: [4, [254, 255, 0, 1]],
        pastTheEnd: [4, [252, 253, 254, 255]],
        handleWritten: 'one two four',
        sizes: [30, 512],
        isFile: true,
      });
    });

    it(`directories are made, listed (sorted, recursively, with types), renamed and removed ${inWhere}`, async () => {
      const dir = `dirs-${where}`;
      assert.deepEqual(await h().run('scenario', 'directories', where, dir), {
        firstCreated: dir,
        again: null,
        copied: '1',
        listed: ['a', 'empty'],
        typed: [
          ['b', `${dir}/a`, true],
          ['one.txt', `${dir}/a`, false],
        ],
        tree: ['a', 'a/b', 'a/b/c', 'a/b/c/copy.txt', 'a/b/two.txt', 'a/one.txt', 'empty'],
        afterRenames: ['a', 'a/uno.txt', 'empty', 'moved', 'moved/c', 'moved/c/copy.txt', 'moved/two.txt'],
        remaining: ['a'],
        stats: [true, true, false],
      });
    });

    it(`every documented error carries Node's code and message ${inWhere}`, async () => {
      const seen = (await h().run('scenario', 'errors', where, 'errors')) as string[][];
      assert.deepEqual(seen, DOCUMENTED_ERRORS);
    });

    it(`a 20 MiB file streams out in parts and back in ranges ${inWhere}`, async () => {
      assert.deepEqual(await h().run('scenario', 'streams', where, `stream-${where}.bin`, 20), {
        bytesWritten: 20 * MiB,
        bytesRead: 20 * MiB,
        chunks: 20,
        checksumsMatch: true,
        size: 20 * MiB,
        ranged: [4, 4, 31, 31],
      });
    });
  }

  it("a task's streams are Node's: 'drain', end(cb), 'finish' then 'close', pipeline, 'error'; the file appears whole at 'finish'", async () => {
    assert.deepEqual(await h().run('nodeStreams', 'node-streams'), {
      writesBeforeFull: 7,
      events: ['ready', 'drain', 'finish', 'close', 'end callback'],
      visibleBeforeFinish: false,
      size: 8 * MiB + 10,
      droppedExists: false,
      firsts: 3,
      wxError: 'EEXIST',
    });
  });

  it('8 tasks write at once: their own streams whole, every append kept, a shared file replaced whole', async () => {
    const seen = (await h().run('concurrentWriters', 'writers', 8, 10)) as { written: unknown[]; log: string[]; sharedIsOneWritersWhole: boolean };
    assert.deepEqual(seen, {
      written: Array.from({ length: 8 }, (_, writer) => ({ writer, checksumsMatch: true, size: 10 * MiB })),
      log: Array.from({ length: 8 }, (_, writer) => `writer ${writer}`),
      sharedIsOneWritersWhole: true,
    });
  });

  it('a directory of 1,200 files lists whole and in order (S3 pages at 1,000 keys) and is removed whole', async () => {
    assert.deepEqual(await h().run('manyFiles', 'many', 1200), {
      listed: 1081,
      sorted: true,
      first: ['file-00001.txt', 'file-00002.txt', 'file-00003.txt'],
      tree: 1201,
      removed: true,
    });
  });
});

/**
 * Ranges of 32 MiB: the local S3 server (moto) copies a whole object to answer any range of
 * it, so 1 MiB ranges of 1 GiB would take it minutes. Memory stays flat either way.
 */
const READ_MEGABYTES = 32;

for (const storage of STORAGES) {
  describe(`1 GiB through a task's streams on ${storage} storage`, { timeout: 600_000 }, () => {
    it('arrives whole while the process holds a few parts at a time', async () => {
      const h = await harness(ENGINES[0], 'test/programs/files', { storage: freshStorage(storage) });
      try {
        const seen = (await h.run('scenario', 'streams', 'main', 'probe.bin', 1)) as { checksumsMatch: boolean };
        assert.equal(seen.checksumsMatch, true);
        const { rssRiseMB, ...rest } = (await h.run('largeStream', 'large.bin', 1024, READ_MEGABYTES)) as { rssRiseMB: number };
        assert.deepEqual(rest, { bytesWritten: 1024 * MiB, bytesRead: 1024 * MiB, chunks: 1024 / READ_MEGABYTES, checksumsMatch: true, size: 1024 * MiB, ranged: [4, 4, 31, 31] });
        assert.ok(rssRiseMB < 256, `resident memory rose ${rssRiseMB} MB while 1,024 MB streamed through`);
      } finally {
        await h.close();
      }
    });
  });
}

describe('file bytes in the main program travel by claim check, not through history', { timeout: 300_000 }, () => {
  /** Runs the 20 MiB stream scenario in the main program and returns its history's size in bytes. */
  async function historyBytesOfMainProgramStream(storage: string): Promise<number> {
    const h = await harness('temporal', 'test/programs/files', { storage });
    try {
      const handle = await startMain(h.client!, { program: h.program, entry: 'scenario', args: ['streams', 'main', 'claimed.bin', 20], taskQueue: h.taskQueue, options: { storage, cpuCount: 2, pricing: h.config.pricing } });
      assert.equal(((await mainResult(handle)) as { checksumsMatch: boolean }).checksumsMatch, true);
      const history = await handle.fetchHistory();
      return JSON.stringify(history).length;
    } finally {
      await h.close();
    }
  }

  it('with claims in Redis (the default), the history of 20 MiB written and read holds under 1 MB', async () => {
    const bytes = await historyBytesOfMainProgramStream(freshStorage('file'));
    assert.ok(bytes < 1_000_000, `history is ${bytes} bytes`);
  });

  it('with MPFLOW_CLAIM_CHECK=s3://…, claims are objects in S3 and none is added to Redis', async () => {
    const claims = `s3://mpflow-claims-${randomUUID().slice(0, 8)}/checks?endpoint=${encodeURIComponent(devS3Endpoint(readConfig().dev))}`;
    const before = process.env.MPFLOW_CLAIM_CHECK;
    process.env.MPFLOW_CLAIM_CHECK = claims;
    try {
      const redis = new Redis((await resolveEndpoints(readConfig(), { temporal: false })).redisUrl);
      const claimKeysBefore = (await redis.keys('*:claim:*')).length;
      const bytes = await historyBytesOfMainProgramStream(freshStorage('s3'));
      assert.ok(bytes < 1_000_000, `history is ${bytes} bytes`);
      const location = s3Location(new URL(claims));
      const listed = await location.client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: 'checks/claims/' }));
      assert.ok((listed.KeyCount ?? 0) >= 5, `${listed.KeyCount} claims in S3: at least the three 8 MiB parts written and two ranges read`);
      assert.equal((await redis.keys('*:claim:*')).length, claimKeysBefore);
      redis.disconnect();
    } finally {
      if (before === undefined) delete process.env.MPFLOW_CLAIM_CHECK;
      else process.env.MPFLOW_CLAIM_CHECK = before;
    }
  });
});
