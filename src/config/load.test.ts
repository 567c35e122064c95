import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ErrorCode, loadConfigFile } from './index.js';
import { TABLES } from './testing.js';

describe('reading the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'awsn-cfg-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a config file that cannot be read is a CFG_FILE problem', () => {
    const r = loadConfigFile(join(dir, 'missing.yaml'));
    assert.deepEqual(r.ok ? [] : r.problems.map((p) => p.code), [ErrorCode.File]);
  });

  test('a config file readable only by others than us is reported, not thrown', { skip: process.getuid?.() === 0 && 'root reads every file' }, () => {
    const file = join(dir, 'private.yaml');
    writeFileSync(file, TABLES);
    chmodSync(file, 0o000);
    const r = loadConfigFile(file);
    assert.deepEqual(r.ok ? [] : r.problems.map((p) => p.code), [ErrorCode.File]);
  });

  test('a file over 1 MiB is refused without reading it whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'awsnycast-big-'));
    try {
      const file = join(dir, 'big.yaml');
      writeFileSync(file, `${TABLES}${'#'.repeat(2 * 1024 * 1024)}\n`);
      const r = loadConfigFile(file);
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual(r.problems.map((p) => [p.code, p.line, p.col]), [['CFG_TOO_LARGE', 1, 1]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
