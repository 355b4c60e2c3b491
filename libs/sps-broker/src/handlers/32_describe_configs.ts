/**
 * DescribeConfigs (key 32), v0–2.
 * v0: is_default per config.
 * v1: include_synonyms; config_source and synonyms replace is_default.
 * v2: same as v1.
 * Topic configs are the topic's overrides over the broker defaults (retention.ms is the seed's TTL);
 * broker configs are reported read-only. Group configs (resource type 32, `kafka-configs
 * --entity-type groups`) are Kafka 4.4's, all at their defaults, for any group name (as Kafka).
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import {
  describeBrokerConfigs,
  describeGroupConfigs,
  describeTopicConfigs,
  ResourceType,
} from '../config-resources.js';
import { defineHandler } from './handler.js';

interface DescribeConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; configurationKeys: string[] | null }>;
  includeSynonyms?: boolean;
}

export default defineHandler<DescribeConfigsRequest>({
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 2,
  handle(req, { state }) {
    const results = req.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      let configs;
      if (r.resourceType === ResourceType.TOPIC) {
        if (!state.topics.get(r.resourceName))
          return {
            ...base,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: `topic '${r.resourceName}' does not exist`,
            configs: [],
          };
        configs = describeTopicConfigs(state, r.resourceName, req.includeSynonyms ?? false);
      } else if (r.resourceType === ResourceType.BROKER) {
        configs = describeBrokerConfigs(state);
      } else if (r.resourceType === ResourceType.GROUP) {
        configs = describeGroupConfigs(req.includeSynonyms ?? false);
      } else {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `resource type ${r.resourceType} is not supported`,
          configs: [],
        };
      }
      const wanted = r.configurationKeys;
      if (wanted) configs = configs.filter((c) => wanted.includes(c.name));
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
    });
    return { throttleTimeMs: 0, results };
  },
});
