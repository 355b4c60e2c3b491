// Nest injects by the constructor's `design:paramtypes`; without decorator metadata it silently injects
// undefined. This guards the build and the test transform (vitest.config.ts `oxc.decorator`).
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { Confirmations } from './confirmations.js';
import { EmailsController } from './emails.controller.js';
import { Mailer } from './mailer.js';
import { SentMailLog } from './store.js';

describe('decorator metadata', () => {
  it('is emitted, so Nest can inject the controller and the sender their collaborators', () => {
    expect(Reflect.getMetadata('design:paramtypes', EmailsController)).toEqual([Confirmations, SentMailLog]);
    expect(Reflect.getMetadata('design:paramtypes', Confirmations)).toEqual([Mailer, SentMailLog]);
  });
});
