// Nest injects by the constructor's `design:paramtypes`; without decorator metadata it silently injects
// undefined. This guards the build and the test transform (vitest.config.ts `oxc.decorator`).
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { CustomerTable } from './customer-table.js';
import { CustomersController } from './customers.controller.js';
import { ForgetController } from './forget.controller.js';
import { CustomerStore } from './store.js';

describe('decorator metadata', () => {
  it('is emitted, so Nest can inject the controller its store', () => {
    expect(Reflect.getMetadata('design:paramtypes', CustomersController)).toEqual([
      CustomerStore,
      CustomerTable,
    ]);
    expect(Reflect.getMetadata('design:paramtypes', CustomerTable)).toEqual([CustomerStore]);
    expect(Reflect.getMetadata('design:paramtypes', ForgetController)).toEqual([CustomerTable]);
  });
});
