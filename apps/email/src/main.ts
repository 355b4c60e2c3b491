// email: consumer group `email` — sends every order's confirmation e-mail over SMTP and logs what it sent.
import { bootstrapConsumerApp } from '@orders/messaging';
import { EmailModule } from './app.module.js';
import { APP, SentMailLog } from './store.js';

const running = await bootstrapConsumerApp({
  name: APP,
  module: EmailModule,
  defaultPort: 3002,
  health: async () => ({ emailsSent: await running.app.get(SentMailLog).count() }),
});
