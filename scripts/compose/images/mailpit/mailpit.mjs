#!/usr/local/bin/node
// `/mailpit`: run the mail catcher on 0.0.0.0 (SMTP 1025, HTTP 8025); `/mailpit readyz`: exit 0 when
// its HTTP API answers, as Mailpit's own `readyz` command does.
const [command] = process.argv.slice(2);
if (command === 'readyz') {
  fetch('http://127.0.0.1:8025/api/v1/info', { signal: AbortSignal.timeout(2_000) }).then(
    (res) => process.exit(res.ok ? 0 : 1),
    () => process.exit(1),
  );
} else if (command) {
  console.error(`mailpit stand-in: unknown command '${command}' (only 'readyz')`);
  process.exit(2);
} else {
  const { startMailCatcher } = await import('/app/apps/demo/dist/mail-catcher.js');
  const catcher = await startMailCatcher({ host: '0.0.0.0', smtpPort: 1025, httpPort: 8025 });
  console.log(`mail catcher (Mailpit stand-in): SMTP ${catcher.smtpUrl}, HTTP ${catcher.httpUrl}`);
  const stop = () => catcher.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
