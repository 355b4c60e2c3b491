// storefront: the checkout API — the producer of the `orders` stream.
import { bootstrapHttpApp } from '@orders/messaging';
import { StorefrontModule } from './app.module.js';
import { APP } from './producer.js';

await bootstrapHttpApp({ name: APP, module: StorefrontModule, defaultPort: 3000 });
