import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startFirecrawlSim, type FirecrawlSim } from '../../src/sim/firecrawl';
import { ALL_SIMS, env, nextGeneration, openIn, sims, storeTestSecrets, VENDOR } from './env';

const FC = 'fc-itest-firecrawl-key-000001';

describe('web search through the byok_webSearch tool', function () {
  this.timeout(60_000);
  let sim: FirecrawlSim;
  const config = () => vscode.workspace.getConfiguration('byokRouter');

  before(async () => {
    sim = await startFirecrawlSim({ validKeys: [FC], credits: 50 });
    await config().update('webSearch.baseUrl', sim.baseUrl, vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('byokRouter.setWebSearchKey', { secret: FC, expiresAt: '2027-03-04' }), true);
  });
  after(async () => {
    await config().update('webSearch.baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await sim.close();
  });

  it('is offered to every agent in the editor', () => {
    const tool = vscode.lm.tools.find((t) => t.name === 'byok_webSearch');
    assert.ok(tool, `byok_webSearch missing from ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
    assert.deepEqual((tool.inputSchema as { required?: string[] }).required, ['query']);
  });

  it('searches with the Firecrawl key and returns titles, URLs and excerpts to cite, recorded with its credits', async () => {
    const record = nextGeneration((r) => r.model === 'firecrawl/search');
    const result = await vscode.lm.invokeTool(
      'byok_webSearch',
      { input: { query: 'node 24 release', maxResults: 2 }, toolInvocationToken: undefined },
      new vscode.CancellationTokenSource().token,
    );
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /\[1\] Node\.js 24\.0\.0 \(Current\)\nURL: https:\/\/nodejs\.org\/en\/blog\/release\/v24\.0\.0/);
    assert.match(text, /cite them inline as \[n\]/);
    assert.equal(sim.searches()[0]!.authorization, `Bearer ${FC}`);
    assert.equal(sim.searches()[0]!.json.limit, 2);
    const r = await record;
    assert.equal(r.surface, 'tool:byok_webSearch');
    assert.equal(r.webSearchCredits, 4);
    assert.equal(r.outcome, 'success');
  });

  it('answers @byok /web with the search results as context and the sources listed', async () => {
    await storeTestSecrets();
    await openIn('dev', 'src/app.ts');
    await sims.reset(...ALL_SIMS);
    sim.remainingCredits = 50;
    await sims.enqueue('openai', [{ text: 'Node 24 ships V8 13.6 [1].' }]);
    const search = nextGeneration((r) => r.model === 'firecrawl/search' && r.surface === 'chat:web', 45_000);
    const answer = nextGeneration((r) => r.surface === 'chat', 45_000);
    await vscode.commands.executeCommand('workbench.action.chat.open', {
      query: '@byok /web what is new in node 24',
      isPartialQuery: false,
      modelSelector: { vendor: VENDOR, id: env.model },
    });
    assert.equal((await search).outcome, 'success');
    assert.equal((await answer).outcome, 'success');
    const [sent] = await sims.chats('openai');
    const system = sent!.json!.messages!.find((m) => m.role === 'system' && /Web search results/.test(String(m.content)));
    assert.ok(system, 'the search results went to the model as context');
    assert.match(String(system.content), /\[1\] Node\.js 24\.0\.0 \(Current\)\nURL: https:\/\/nodejs\.org/);
    assert.match(String(sent!.json!.messages!.at(-1)!.content), /what is new in node 24/);
  });

  it('hands the model Firecrawl’s own words when the credits run out', async () => {
    sim.remainingCredits = 0;
    const record = nextGeneration((r) => r.model === 'firecrawl/search');
    const result = await vscode.lm.invokeTool(
      'byok_webSearch',
      { input: { query: 'node' }, toolInvocationToken: undefined },
      new vscode.CancellationTokenSource().token,
    );
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /^Web search failed: Firecrawl: out of credits \(402\): Insufficient credits/);
    assert.equal((await record).attempts[0]!.status, 402);
  });
});
