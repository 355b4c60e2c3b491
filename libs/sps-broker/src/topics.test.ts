/**
 * Topic metadata changes are all or nothing across a full disk and crashes. Faults are injected
 * through the registry's io seam (a failing topics.json write = ENOSPC, a failing log open =
 * EMFILE); a crash is a reopen without close().
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '@orders/kafka-protocol';
import { DEFAULT_BROKER_LOG } from './configs.js';
import { silentLogger } from './logger.js';
import { realTopicIo, TopicRegistry, type TopicRegistryIo } from './topics.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

/** Real io, with switches to make the next writes or log opens fail. */
function faultyIo() {
  const faults = { failWrites: false, failOpenAfter: Infinity, opened: 0 };
  const io: TopicRegistryIo = {
    writeFileAtomic: (file, text) =>
      faults.failWrites ? Promise.reject(errno('ENOSPC')) : realTopicIo.writeFileAtomic(file, text),
    openLog: (dir, config) =>
      ++faults.opened > faults.failOpenAfter
        ? Promise.reject(errno('EMFILE'))
        : realTopicIo.openLog(dir, config),
  };
  return { io, faults };
}

async function dataDir() {
  const d = await mkdtemp(path.join(os.tmpdir(), 'sps-topics-'));
  dirs.push(d);
  return d;
}

const open = (dir: string, io: TopicRegistryIo = realTopicIo) =>
  TopicRegistry.open(dir, DEFAULT_BROKER_LOG, silentLogger, io);
const logFolders = (dir: string) => readdirSync(path.join(dir, 'logs')).sort();
const registered = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'topics.json'), 'utf8')).topics.map((t: { name: string }) => t.name);

describe('topic metadata is all or nothing', () => {
  it('a create whose commit fails (disk full) leaves no topic and no folder', async () => {
    const dir = await dataDir();
    const { io, faults } = faultyIo();
    const topics = await open(dir, io);
    await topics.create('kept', 1);
    faults.failWrites = true;
    await expect(topics.create('doomed', 3)).rejects.toThrow(/ENOSPC/);
    expect(topics.get('doomed')).toBeUndefined();
    expect(logFolders(dir)).toEqual(['kept-0']);
    faults.failWrites = false;
    await topics.create('doomed', 3); // the name is free again
    expect(registered(dir)).toEqual(['kept', 'doomed']);
  });

  it('a create that runs out of descriptors part way closes and removes what it opened', async () => {
    const dir = await dataDir();
    const { io, faults } = faultyIo();
    const topics = await open(dir, io);
    faults.failOpenAfter = 5;
    await expect(topics.create('wide', 10)).rejects.toThrow(/EMFILE/);
    expect(topics.get('wide')).toBeUndefined();
    expect(logFolders(dir)).toEqual([]);
  });

  it('adding partitions that cannot be committed leaves the topic as it was', async () => {
    const dir = await dataDir();
    const { io, faults } = faultyIo();
    const topics = await open(dir, io);
    await topics.create('t', 2);
    faults.failWrites = true;
    await expect(topics.addPartitions('t', 5)).rejects.toThrow(/ENOSPC/);
    expect(topics.get('t')!.partitions).toHaveLength(2);
    expect(logFolders(dir)).toEqual(['t-0', 't-1']);
  });

  it('a config change that cannot be stored changes nothing, in memory or after a restart', async () => {
    const dir = await dataDir();
    const { io, faults } = faultyIo();
    const topics = await open(dir, io);
    await topics.create('t', 1, { 'retention.ms': '60000' });
    faults.failWrites = true;
    await expect(topics.setOverrides('t', { 'retention.ms': '1000' })).rejects.toThrow(/ENOSPC/);
    expect(topics.get('t')!.overrides).toEqual({ 'retention.ms': '60000' });
    expect(topics.partition('t', 0)!.config.retentionMs).toBe(60000);
    const again = await open(dir);
    expect(again.get('t')!.overrides).toEqual({ 'retention.ms': '60000' });
  });

  it('a delete on a full disk frees the data first, and a restart finishes it', async () => {
    const dir = await dataDir();
    const { io, faults } = faultyIo();
    const topics = await open(dir, io);
    await topics.create('big', 2);
    await topics.create('other', 1);
    const log = topics.partition('big', 0)!;
    log.append(encodeRecordBatch({ records: [{ value: 'x'.repeat(10_000) }] }));
    await log.flush();
    faults.failWrites = true; // topics.json cannot be rewritten
    await topics.delete('big');
    expect(topics.get('big')).toBeUndefined();
    // the data is gone (space freed); only empty marker folders are left
    const markers = logFolders(dir).filter((n) => n.endsWith('-delete'));
    expect(markers).toHaveLength(2);
    for (const m of markers) expect(readdirSync(path.join(dir, 'logs', m))).toEqual([]);
    expect(registered(dir)).toContain('big');

    const again = await open(dir); // crash and restart
    expect(again.get('big')).toBeUndefined();
    expect(again.get('other')).toBeDefined();
    expect(registered(dir)).toEqual(['other']);
    expect(logFolders(dir)).toEqual(['other-0']);
  });

  it('a delete interrupted after marking is finished at start-up', async () => {
    const dir = await dataDir();
    const topics = await open(dir);
    const t = await topics.create('half', 1);
    renameSync(path.join(dir, 'logs', 'half-0'), path.join(dir, 'logs', `half-0.${t.id}-delete`));
    const again = await open(dir);
    expect(again.get('half')).toBeUndefined();
    expect(logFolders(dir)).toEqual([]);
  });

  it('start-up removes partition folders no topic owns, and keeps the owned ones', async () => {
    const dir = await dataDir();
    const topics = await open(dir);
    await topics.create('real', 2);
    for (const orphan of ['ghost-0', 'real-2']) {
      mkdirSync(path.join(dir, 'logs', orphan));
      writeFileSync(path.join(dir, 'logs', orphan, '00000000000000000000.log'), 'x');
    }
    const again = await open(dir);
    expect(again.get('real')!.partitions).toHaveLength(2);
    expect(logFolders(dir)).toEqual(['real-0', 'real-1']);
    expect(existsSync(path.join(dir, 'topics.json.tmp'))).toBe(false);
  });
});
