import assert from 'node:assert/strict';
import { runSoak, soakProblems } from './soak';

describe('fault soak (1,000 requests; `npm run soak` runs 10,000)', () => {
  it('ends every request in exactly the outcome its scripts call for, with nothing leaked', async () => {
    const r = await runSoak({ requests: 1000, seed: 7 });
    assert.deepEqual(soakProblems(r), []);
    assert.equal((r.outcomes.success ?? 0) + (r.outcomes.error ?? 0) + (r.outcomes.cancelled ?? 0), 1000);
    assert.ok(r.outcomes.error! > 0 && r.outcomes.cancelled! > 0 && r.outcomes.success! > 0, 'the mix exercised every outcome');
    assert.equal(r.attemptsRecorded, r.requestsSeen);
    assert.ok(r.attemptsRecorded > 1000, 'fallback happened');
    assert.equal(r.pooledUnderAlwaysUse, 0);
  }).timeout(180_000);
});
