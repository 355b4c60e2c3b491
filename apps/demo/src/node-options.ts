/**
 * How the demo runs each app's Node process. Nine processes share the machine, and most of an idle
 * app's private memory is not its data but V8's and glibc's headroom; these settings trim that headroom
 * where it costs no measurable CPU per order (README, Performance: "demo RSS"). deploy/docker-compose.yml
 * gives the app containers the same settings through NODE_OPTIONS and MALLOC_ARENA_MAX.
 */

/**
 * - `--max-semi-space-size`: V8's young generation grows to 2 × 16 MiB by default in every process
 *   (32 MiB reserved, ~10 MiB of it resident at idle); SEMI_SPACE_MIB caps it. Smaller than that and
 *   a consumer's batch (500 orders parsed, validated and written in one transaction) outgrows the
 *   nursery: its garbage is promoted and collected by the old generation's far costlier mark-compact.
 * - `--max-old-space-size`: a bound, so one app that runs away fails alone (with a heap-out-of-memory
 *   error in its log) instead of taking the machine's memory from the other eight; an app needs
 *   ~30 MiB of old space idle and under 150 MiB draining a 10,000-order spike.
 */
export const SEMI_SPACE_MIB = 4;
export const OLD_SPACE_MIB = 512;

export const APP_NODE_ARGS: readonly string[] = [
  `--max-semi-space-size=${SEMI_SPACE_MIB}`,
  `--max-old-space-size=${OLD_SPACE_MIB}`,
];

/**
 * glibc gives each thread that allocates its own 64 MiB malloc arena (Node has ~10 threads: V8's
 * compiler and GC workers, libuv's pool), and memory freed in one is not reused by another: two arenas
 * keep what V8's start-up compilation freed reusable. An explicit MALLOC_ARENA_MAX in the demo's own
 * environment wins.
 */
export const APP_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
