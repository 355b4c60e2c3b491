import { describe } from 'vitest';

// Consumer groups arrive in our broker's next milestone; until then every test here reads without a
// group (kcat -C, the Java AssignConsumer). Planned: kafkajs consumer.run with commits and restart,
// kcat -G, kafka-consumer-groups --describe/--reset-offsets, the Java subscribe() consumer.
describe.todo('consumer groups: kafkajs, kcat -G, Java subscribe(), kafka-consumer-groups');
