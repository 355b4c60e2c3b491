/**
 * A tiny Nest microservice on the Kafka transport, as the business apps are built: a controller
 * whose `@EventPattern` handler receives a topic's records through a consumer group.
 * `postfixId: ''` stops Nest appending "-server" to the client and group ids, so the group shows up
 * on the broker under exactly the name given.
 */
import 'reflect-metadata';
import { Controller, Injectable, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';

export interface EventsApp {
  app: INestMicroservice;
  received: unknown[];
}

/** Starts the app; the topic is only known at run time, so the controller is declared here. */
export async function startEventsApp(bootstrap: string, topic: string, groupId: string): Promise<EventsApp> {
  const received: unknown[] = [];

  @Injectable()
  class Inbox {
    add(event: unknown): void {
      received.push(event);
    }
  }

  @Controller()
  class OrdersController {
    constructor(private readonly inbox: Inbox) {}

    @EventPattern<string>(topic)
    onOrder(@Payload() order: unknown): void {
      this.inbox.add(order);
    }
  }

  @Module({ controllers: [OrdersController], providers: [Inbox] })
  class EventsModule {}

  const app = await NestFactory.createMicroservice<MicroserviceOptions>(EventsModule, {
    logger: false,
    transport: Transport.KAFKA,
    options: {
      postfixId: '',
      client: { clientId: 'nest-compat', brokers: [bootstrap], logLevel: 0 },
      consumer: { groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 500 },
      subscribe: { fromBeginning: true },
    },
  });
  await app.listen();
  return { app, received };
}
