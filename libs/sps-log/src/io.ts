/** Small fd-level helpers: positional reads that fill the buffer, sync writes that finish, fsync. */
import * as fs from 'node:fs';
import { promisify } from 'node:util';

const readP = promisify(fs.read);
const fsyncP = promisify(fs.fsync);
const closeP = promisify(fs.close);

/** Reads up to `len` bytes at `position`; fewer only at end of file. Returns the bytes read. */
export async function preadFull(
  fd: number,
  buf: Buffer,
  offset: number,
  len: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < len) {
    const { bytesRead } = await readP(fd, buf, offset + done, len - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * preadFull on the calling thread. Only for bytes that were just written (the tail of the active
 * segment, still in the page cache): it skips the thread-pool round trip, where a read would
 * otherwise queue behind the fsyncs of acks=all producers.
 */
export function preadFullSync(
  fd: number,
  buf: Buffer,
  offset: number,
  len: number,
  position: number,
): number {
  let done = 0;
  while (done < len) {
    const bytesRead = fs.readSync(fd, buf, offset + done, len - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

export function pwriteAllSync(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
  }
}

export const fsync = (fd: number): Promise<void> => fsyncP(fd);
export const closeFd = (fd: number): Promise<void> => closeP(fd);

/** Opens read-write, creating the file if missing (never truncates, never O_APPEND: we write by position). */
export function openRw(path: string): number {
  return fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
}

/** fsyncs a directory so that created/renamed/removed entries are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsyncP(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `data` to `path` atomically: write a temp file, fsync it, rename over, fsync the folder. */
export async function writeFileAtomic(dir: string, path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    pwriteAllSync(fd, Buffer.from(data), 0);
    await fsyncP(fd);
  } finally {
    fs.closeSync(fd);
  }
  await fs.promises.rename(tmp, path);
  await fsyncDir(dir);
}
