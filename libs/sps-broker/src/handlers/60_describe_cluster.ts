/**
 * DescribeCluster (key 60), v0–1. Flexible from v0.
 * v0: cluster id, controller id and the brokers (the Java AdminClient's describeCluster() uses it
 * instead of Metadata when the broker offers it). v1: endpoint_type (KIP-919): 1 = brokers; asking a
 * broker for controllers (2) is MISMATCHED_ENDPOINT_TYPE, as on Apache Kafka.
 * One node: this broker is the only broker and acts as the controller. There is no authorizer, so
 * cluster_authorized_operations stays at its "not provided" value.
 */
import { ApiKey, ErrorCode } from '@orders/kafka-protocol';
import { advertisedAddress } from '../address.js';
import { defineHandler } from './handler.js';

const BROKERS = 1;
const NOT_PROVIDED = -2147483648;

export default defineHandler<{ includeClusterAuthorizedOperations: boolean; endpointType?: number }>({
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const { nodeId, clusterId } = ctx.state.settings;
    const endpointType = req.endpointType ?? BROKERS;
    if (endpointType !== BROKERS)
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        errorMessage: `The request was sent to a broker endpoint; endpoint type ${endpointType} is not served here`,
        endpointType: BROKERS,
        clusterId,
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: NOT_PROVIDED,
      };
    const { host, port } = advertisedAddress(ctx);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKERS,
      clusterId,
      controllerId: nodeId,
      brokers: [{ brokerId: nodeId, host, port, rack: null }],
      clusterAuthorizedOperations: NOT_PROVIDED,
    };
  },
});
