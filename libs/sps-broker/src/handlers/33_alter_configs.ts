/**
 * AlterConfigs (key 33), v0–1.
 * v0: resources with their complete new config set, validate_only.
 * v1: same as v0.
 * Not incremental, as in Kafka: a topic config not named in the request returns to its default.
 * A change that cannot be stored (disk full) is answered KAFKA_STORAGE_ERROR and changes nothing.
 */
import { ApiKey } from '@orders/kafka-protocol';
import { applyTopicOverrides } from '../config-resources.js';
import { defineHandler } from './handler.js';

interface AlterConfigsRequest {
  resources: Array<{
    resourceType: number;
    resourceName: string;
    configs: Array<{ name: string; value: string | null }>;
  }>;
  validateOnly: boolean;
}

export default defineHandler<AlterConfigsRequest>({
  apiKey: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  async handle(req, { state }) {
    const responses = [];
    for (const r of req.resources) {
      responses.push(
        await applyTopicOverrides(
          state,
          r.resourceType,
          r.resourceName,
          () =>
            Object.fromEntries(
              r.configs.map((c) => [c.name, c.value?.trim() ?? (null as unknown as string)]),
            ),
          req.validateOnly,
        ),
      );
    }
    return { throttleTimeMs: 0, responses };
  },
});
