export {
  checkHost,
  guardWrite,
  isLoopback,
  isWrite,
  ownNames,
  sendRefusal,
  type GuardOptions,
  type Refusal,
} from './guard.js';
