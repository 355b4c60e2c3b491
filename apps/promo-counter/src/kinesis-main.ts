// promo-counter, Kinesis dialect: `SPS_DIALECT=kinesis node apps/promo-counter/dist/kinesis-main.js`
// (see kinesis.ts). Counts the orders stream through the Kinesis API until SIGTERM/SIGINT.
import { startKinesisPromoCounter } from './kinesis.js';

if (process.env.SPS_DIALECT && process.env.SPS_DIALECT !== 'kinesis') {
  console.error(
    `kinesis-main.js is promo-counter's Kinesis mode; SPS_DIALECT=${process.env.SPS_DIALECT} runs main.js`,
  );
  process.exit(2);
}
const counter = await startKinesisPromoCounter();
console.log(
  JSON.stringify({
    app: 'promo-counter',
    dialect: 'kinesis',
    msg: 'counting orders through the Kinesis API',
  }),
);
const stop = async () => {
  await counter.close();
  console.log(JSON.stringify({ app: 'promo-counter', dialect: 'kinesis', msg: 'stopped' }));
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
