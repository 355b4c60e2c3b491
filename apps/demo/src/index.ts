export { APPS, APP_NAMES, discoverApps, type AppDefinition, type AppKind } from './apps.js';
export { isLoopback } from '@orders/http-guard';
export { createControlApi, type ControlApiOptions, type HttpRoute, type LoadControl } from './control-api.js';
export {
  DEFAULT_PORTS,
  ensureTopics,
  offsetPorts,
  startDemo,
  type DemoOptions,
  type DemoPorts,
  type RunningDemo,
} from './demo.js';
export { APP_NODE_ARGS, APP_NODE_ENV, OLD_SPACE_MIB, SEMI_SPACE_MIB } from './node-options.js';
export { OrderTrickle, fakeOrder, type LoadOptions, type LoadStatus } from './load.js';
export {
  startMailCatcher,
  type CaughtMessage,
  type MailCatcher,
  type MailCatcherOptions,
} from './mail-catcher.js';
export {
  Supervisor,
  SupervisorError,
  type AppInfo,
  type InstanceInfo,
  type InstanceStatus,
  type RestartPolicy,
  type SupervisorOptions,
} from './supervisor.js';
export { startTraceReceiver, tracesApi, TraceStore, type SpanView, type TraceQueries } from './traces.js';
