/**
 * A lab is data: what it teaches (title, the seed's claim, its doc), and three steps the runner can
 * execute — `start` prepares the demo state the lab needs, `check` verifies from the system's own
 * state that the learner did it, `solve` does the learner's steps itself (for CI and for teachers).
 */
import type { LabContext } from './context.js';

/** One thing `check` looks at: passed or not, and what to do about it when not. */
export interface Expectation {
  ok: boolean;
  /** What was checked, in the learner's words ("group email has 7 members"). */
  text: string;
  /** When not ok: what to do, or what the system shows instead. */
  hint?: string;
}

export interface Lab {
  /** Two digits, as in the doc's file name: `05`. */
  id: string;
  /** The doc: docs/workshop/<id>-<slug>.md */
  slug: string;
  title: string;
  /** How long it takes a learner, roughly. */
  minutes: number;
  /** The seed's claim the lab tests, in one line. */
  claim: string;
  /** Prepares the demo; returns lines to print (what was set up, where to begin). */
  start(ctx: LabContext): Promise<string[]>;
  check(ctx: LabContext): Promise<Expectation[]>;
  solve(ctx: LabContext): Promise<void>;
}

export const expect = (ok: boolean, text: string, hint?: string): Expectation => ({
  ok,
  text,
  ...(!ok && hint && { hint }),
});
