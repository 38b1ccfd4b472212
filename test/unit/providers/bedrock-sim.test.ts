import assert from 'node:assert/strict';
import { request } from 'undici';
import { EventStreamDecoder, headerString } from '../../../src/core/http/eventstream';
import { signRequest } from '../../../src/core/providers/bedrock/sigv4';
import { BEDROCK_TEST_CREDENTIALS, startBedrockSim, type BedrockSim } from '../../../src/sim/bedrock';

const MODEL = 'us.amazon.nova-lite-v1:0';

describe('Bedrock simulator (contract)', () => {
  let sim: BedrockSim;
  before(async () => {
    sim = await startBedrockSim();
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.requests.length = 0;
  });

  async function send(path: string, body: unknown, opts: { sign?: boolean; headers?: Record<string, string> } = {}) {
    const url = `${sim.url}${path}`;
    const text = JSON.stringify(body);
    let headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    if (opts.sign !== false) {
      headers = signRequest({
        method: 'POST',
        url,
        headers,
        body: text,
        region: sim.region,
        service: 'bedrock',
        credentials: BEDROCK_TEST_CREDENTIALS,
        date: new Date(),
      });
    }
    const res = await request(url, { method: 'POST', headers, body: text });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) as Record<string, unknown> };
  }

  const path = (op: string) => `/model/${encodeURIComponent(MODEL)}/${op}`;
  const hi = { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };

  it('refuses an unsigned request the way AWS does', async () => {
    const res = await send(path('converse'), hi, { sign: false });
    assert.equal(res.status, 403);
    assert.match(String(res.headers['x-amzn-errortype']), /^MissingAuthenticationTokenException:/);
    assert.deepEqual(res.json(), { message: 'Missing Authentication Token' });
  });

  it('answers a signed Converse request with output, stopReason, usage and metrics', async () => {
    const res = await send(path('converse'), hi);
    assert.equal(res.status, 200);
    const body = res.json() as any;
    assert.equal(body.stopReason, 'end_turn');
    assert.equal(body.output.message.role, 'assistant');
    assert.match(body.output.message.content[0].text, /^Hello from bedrock sigv4:AKIDEXAMPLE$/);
    assert.equal(body.usage.totalTokens, body.usage.inputTokens + body.usage.outputTokens);
  });

  it('streams ConverseStream as binary event-stream frames ending with messageStop and metadata', async () => {
    const res = await send(path('converse-stream'), hi);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.amazon.eventstream');
    const frames = new EventStreamDecoder(1 << 20).push(res.bytes);
    const types = frames.map((f) => headerString(f, ':event-type'));
    assert.equal(types[0], 'messageStart');
    assert.deepEqual(types.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
    assert.ok(frames.every((f) => headerString(f, ':message-type') === 'event' && headerString(f, ':content-type') === 'application/json'));
  });

  const refusals: [string, unknown, string][] = [
    [
      'a conversation that starts with the assistant',
      { messages: [{ role: 'assistant', content: [{ text: 'x' }] }] },
      'A conversation must start with a user message.',
    ],
    [
      'roles that do not alternate',
      {
        messages: [
          { role: 'user', content: [{ text: 'a' }] },
          { role: 'user', content: [{ text: 'b' }] },
        ],
      },
      'A conversation must alternate between user and assistant roles.',
    ],
    [
      'a blank text block',
      { messages: [{ role: 'user', content: [{ text: ' ' }] }] },
      'The text field in the ContentBlock object at messages.0.content.0 is blank.',
    ],
    [
      'tool blocks without toolConfig',
      {
        messages: [
          { role: 'user', content: [{ text: 'a' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: {} } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ text: 'r' }] } }] },
        ],
      },
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    ],
    ['a field Converse does not have', { ...hi, model: 'x' }, 'extraneous key [model] is not permitted'],
  ];
  for (const [what, body, message] of refusals) {
    it(`answers ${what} with a ValidationException`, async () => {
      const res = await send(path('converse'), body);
      assert.equal(res.status, 400);
      assert.match(String(res.headers['x-amzn-errortype']), /^ValidationException:/);
      assert.ok(String(res.json().message).includes(message), String(res.json().message));
    });
  }
});
