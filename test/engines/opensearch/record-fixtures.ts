// Re-records test/fixtures/opensearch/<scenario>.json from a real OpenSearch 2.19 node:
//   npx tsx test/engines/opensearch/record-fixtures.ts
// It builds and starts the engine suite's node (engines/opensearch), loads each scenario of
// test/lambdas/aggregator/support/scenarios.ts, and writes what the node answered to the adapter's
// searches. Run it after changing a scenario or the adapter's requests; scenarios.engine.ts fails
// while the committed files differ from what the node answers.
import { writeFileSync } from 'node:fs';
import { engineContext } from '../../../engines/context';
import { openSearchEngine } from '../../../engines/opensearch/engine';
import { scenarioFixtureFile } from '../../lambdas/aggregator/support/opensearch-fixture-server';
import { SCENARIOS } from '../../lambdas/aggregator/support/scenarios';
import { recordScenario } from './support/fixture-recorder';

const context = engineContext();
await openSearchEngine.prepare(context);
const node = await openSearchEngine.start(context);
try {
  for (const scenario of SCENARIOS) {
    const { fixture } = await recordScenario(node.url, scenario);
    writeFileSync(scenarioFixtureFile(scenario.id), `${JSON.stringify(fixture, null, 2)}\n`);
    context.progress(`recorded ${scenario.id}`);
  }
} finally {
  await node.stop();
}
