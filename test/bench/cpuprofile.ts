/** A V8 .cpuprofile (from `node --cpu-prof` or the inspector's Profiler.stop), read by the bench's summaries. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** A frame's script as a short name: from node_modules/, libs/ or apps/ on, else the file name. */
export function shortenUrl(url: string): string {
  const p = url.replace(/^file:\/\//, '');
  const i = p.indexOf('node_modules/');
  if (i >= 0) return p.slice(i);
  const lib = p.search(/(libs|apps)\//);
  return lib >= 0 ? p.slice(lib) : path.basename(p) || '(native)';
}
