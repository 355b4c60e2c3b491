import { Module } from '@nestjs/common';
import { Confirmations } from './confirmations.js';
import { EmailsController } from './emails.controller.js';
import { Mailer } from './mailer.js';
import { SentMailLog, openEmailDb } from './store.js';

@Module({
  controllers: [EmailsController],
  providers: [
    Confirmations,
    { provide: Mailer, useFactory: () => Mailer.fromEnv() },
    { provide: SentMailLog, useFactory: async () => new SentMailLog(await openEmailDb()) },
  ],
})
export class EmailModule {}
