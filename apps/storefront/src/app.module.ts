import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller.js';
import { PlaceOrderRoute } from './place-order.route.js';
import { OrdersProducer } from './producer.js';

@Module({ controllers: [OrdersController], providers: [OrdersProducer, PlaceOrderRoute] })
export class StorefrontModule {}
