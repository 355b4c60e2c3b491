/**
 * The Java transactional producer (kafka-clients 4.x). Apache Kafka commits the transaction; sps has
 * no transaction coordinator yet and must refuse at once with an error the client treats as fatal
 * (before, a retriable COORDINATOR_NOT_AVAILABLE made initTransactions() block until max.block.ms).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileJava, jsonLines, runJava } from './helpers/java.js';
import { kafkajs, startTarget, uniqueTopic, type Target } from './helpers/target.js';
import { missing, requireTool } from './helpers/tools.js';

interface Outcome {
  committed?: number;
  error?: string;
  message?: string;
  ms: number;
}

describe.skipIf(missing('java'))('Java transactional producer', () => {
  let target: Target;

  beforeAll(async () => {
    requireTool('java');
    await compileJava();
    target = await startTarget();
  });

  afterAll(async () => {
    await target?.close();
  });

  it('initTransactions(): commits on Apache Kafka; on sps fails at once with TransactionalIdAuthorizationException, not a timeout', async () => {
    const topic = uniqueTopic('java-tx');
    const admin = kafkajs(target).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();

    const r = await runJava('TransactionalProducer', [target.bootstrap, topic, `${topic}-txid`, '5']);
    expect(r.code, r.stderr).toBe(0);
    const [outcome] = jsonLines<Outcome>(r.stdout);
    console.log(`[compat] Java transactional producer on ${target.name}: ${JSON.stringify(outcome)}`);
    if (target.name === 'kafka') {
      expect(outcome).toMatchObject({ committed: 5 });
    } else {
      // max.block.ms is 60 s: a retried (retriable) answer would end in a TimeoutException instead
      expect(outcome!.error).toBe('org.apache.kafka.common.errors.TransactionalIdAuthorizationException');
    }
  });
});
