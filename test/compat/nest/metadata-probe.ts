// Two classes whose constructor metadata shows whether the test transform emits decorator metadata.
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';

@Injectable()
export class Inbox {}

@Injectable()
export class Handler {
  constructor(readonly inbox: Inbox) {}
}
