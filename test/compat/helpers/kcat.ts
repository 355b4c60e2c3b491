import { run, runOk } from './exec.js';

/** One record as kcat prints it with -f '%k|%s|%h|%p|%o\n'. */
export interface KcatRecord {
  key: string;
  value: string;
  headers: string;
  partition: number;
  offset: number;
}

/** Produces `lines` ("key:value" each, -K:) with kcat; extra args e.g. ['-H', 'a=1', '-p', '0']. */
export async function kcatProduce(bootstrap: string, topic: string, lines: string[], extra: string[] = []) {
  await runOk('kcat', ['-b', bootstrap, '-P', '-t', topic, '-K:', ...extra], {
    input: lines.join('\n') + '\n',
    timeoutMs: 30_000,
  });
}

/** Reads a topic from the beginning to its current end (-o beginning -e), without a group. */
export async function kcatConsume(
  bootstrap: string,
  topic: string,
  extra: string[] = [],
): Promise<KcatRecord[]> {
  const out = await runOk(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%h|%p|%o\n', ...extra],
    { timeoutMs: 30_000 },
  );
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [key, value, headers, partition, offset] = l.split('|');
      return { key, value, headers, partition: Number(partition), offset: Number(offset) };
    });
}

/** kcat -L as text. */
export async function kcatList(bootstrap: string, extra: string[] = []): Promise<string> {
  const r = await run('kcat', ['-b', bootstrap, '-L', ...extra], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`kcat -L failed: ${r.stderr}`);
  return r.stdout;
}
