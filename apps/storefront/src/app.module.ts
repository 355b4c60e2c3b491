import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller.js';
import { OrdersProducer } from './producer.js';

@Module({ controllers: [OrdersController], providers: [OrdersProducer] })
export class StorefrontModule {}
