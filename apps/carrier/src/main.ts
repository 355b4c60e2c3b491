// carrier: a simulated shipping company's HTTP API (the external dependency that can fail).
import { bootstrapHttpApp } from '@orders/messaging';
import { CarrierModule } from './app.module.js';

await bootstrapHttpApp({ name: 'carrier', module: CarrierModule, defaultPort: 3007 });
