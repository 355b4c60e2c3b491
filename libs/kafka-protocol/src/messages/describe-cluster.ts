/**
 * DescribeCluster (key 60), v0–1. Flexible from v0.
 * v1: endpointType (1 brokers, 2 controllers; KIP-919) in request and response.
 */
import { array, defineApi, field as f } from '../schema.js';

export const DescribeCluster = defineApi({
  name: 'DescribeCluster',
  apiKey: 60,
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: [
    f('includeClusterAuthorizedOperations', 'bool', '0+'),
    f('endpointType', 'int8', '1+', { default: 1 }),
  ],
  response: [
    f('throttleTimeMs', 'int32', '0+'),
    f('errorCode', 'int16', '0+'),
    f('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
    f('endpointType', 'int8', '1+', { default: 1 }),
    f('clusterId', 'string', '0+'),
    f('controllerId', 'int32', '0+', { default: -1 }),
    f(
      'brokers',
      array([
        f('brokerId', 'int32', '0+'),
        f('host', 'string', '0+'),
        f('port', 'int32', '0+'),
        f('rack', 'string', '0+', { nullable: '0+', default: null }),
      ]),
      '0+',
    ),
    f('clusterAuthorizedOperations', 'int32', '0+', { default: -2147483648 }),
  ],
});
