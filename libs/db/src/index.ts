export { databaseConfig, type DatabaseConfig, type Provider } from './config.js';
export {
  adapterFactory,
  openDatabase,
  type Database,
  type OpenDatabaseOptions,
  type PrismaClientClass,
} from './database.js';
export { applyMigrations } from './migrate.js';
export {
  oncePerOrder,
  oncePerOrders,
  isUniqueViolation,
  type OnceResult,
  type TransactionClient,
} from './once.js';
export {
  inTransaction,
  StatementError,
  MAX_PARAMETERS,
  type Row,
  type SqlTransaction,
  type SqlValue,
  type UpdateRule,
  type UpsertOptions,
} from './batch.js';
