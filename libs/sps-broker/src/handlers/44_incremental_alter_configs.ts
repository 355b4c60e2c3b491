/**
 * IncrementalAlterConfigs (key 44), v0.
 * v0: per config an operation: 0 SET, 1 DELETE (back to default), 2 APPEND and 3 SUBTRACT (list
 *     configs only; none of our topic configs is a list, so those get INVALID_CONFIG).
 * This is how `kafka-configs --alter --add-config retention.ms=…` changes a topic's TTL live.
 * A change that cannot be stored (disk full) is answered KAFKA_STORAGE_ERROR and changes nothing.
 * Groups (resource type 32): unknown names INVALID_CONFIG, changes refused with INVALID_REQUEST
 * (config-resources.ts says why), deleting overrides a no-op success.
 */
import { ApiKey } from '@orders/kafka-protocol';
import { applyTopicOverrides, refuseGroupConfigChange, ResourceType } from '../config-resources.js';
import { defineHandler } from './handler.js';

const SET = 0;
const DELETE = 1;

interface IncrementalAlterConfigsRequest {
  resources: Array<{
    resourceType: number;
    resourceName: string;
    configs: Array<{ name: string; configOperation: number; value: string | null }>;
  }>;
  validateOnly: boolean;
}

export default defineHandler<IncrementalAlterConfigsRequest>({
  apiKey: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 0,
  async handle(req, { state }) {
    const responses = [];
    for (const r of req.resources) {
      if (r.resourceType === ResourceType.GROUP) {
        responses.push(refuseGroupConfigChange(r.resourceName, r.configs, DELETE));
        continue;
      }
      responses.push(
        await applyTopicOverrides(
          state,
          r.resourceType,
          r.resourceName,
          (current) => {
            const next = { ...current };
            for (const c of r.configs) {
              if (c.configOperation === SET) next[c.name] = c.value?.trim() ?? (null as unknown as string);
              else if (c.configOperation === DELETE) delete next[c.name];
              else
                return `operation ${c.configOperation} (APPEND/SUBTRACT) applies only to list configs; '${c.name}' is not one`;
            }
            return next;
          },
          req.validateOnly,
        ),
      );
    }
    return { throttleTimeMs: 0, responses };
  },
});
