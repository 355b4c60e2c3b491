export { KinesisWorker, type KinesisWorkerOptions } from './worker.js';
export { ConditionalCheckFailed, LeaseTable, type Lease } from './lease-table.js';
