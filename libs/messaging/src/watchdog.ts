/**
 * An app started by the demo dies with the demo, however the demo dies (SIGKILL included): the demo
 * spawns each app with an IPC channel, and the operating system closes that channel when the demo's
 * process ends, whatever ended it. The app then shuts down as on SIGTERM, so a restarted demo never
 * finds the old storefront on its port. Without a channel (run by hand, in a container) nothing
 * happens.
 */
export function onParentGone(stop: () => void): boolean {
  if (!process.channel) return false;
  // The channel must not keep an app alive on its own, only tell it when the demo is gone.
  process.channel.unref();
  process.once('disconnect', stop);
  return true;
}
