// Nest injects by the constructor's `design:paramtypes`; without decorator metadata it silently injects
// undefined. This guards the build and the test transform (vitest.config.ts `oxc.decorator`).
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { PromoFeed } from './feed.js';
import { PromosController } from './promos.controller.js';
import { PromoStore } from './store.js';

describe('decorator metadata', () => {
  it('is emitted, so Nest can inject the controller its store and feed', () => {
    expect(Reflect.getMetadata('design:paramtypes', PromosController)).toEqual([PromoStore, PromoFeed]);
  });
});
