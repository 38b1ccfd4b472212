import assert from 'node:assert/strict';
import { Adapters } from '../../../src/core/providers/registry';

const adapters = new Adapters();
import type { AdapterCall } from '../../../src/core/providers/types';
import { RouteFailure } from '../../../src/core/errors';

const NOW = 1_750_000_000_000;

function call(provider: AdapterCall['provider'], options: AdapterCall['options'] = {}): AdapterCall {
  return {
    provider,
    request: { model: 'x', messages: [{ role: 'user', content: 'hi' }] },
    nativeModel: 'Llama-3.3-70B-Instruct',
    secret: 'key-0123456789',
    stream: false,
    options,
  };
}

describe('Azure AI Foundry requests', () => {
  it('posts to the resource models endpoint with the default api-version and the key in api-key', async () => {
    const spec = await adapters.get('azure-foundry').buildRequest(call('azure-foundry', { resource: 'contoso-ai' }));
    assert.equal(spec.url, 'https://contoso-ai.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview');
    assert.equal(spec.headers['api-key'], 'key-0123456789');
    assert.equal(spec.headers.authorization, undefined);
    assert.equal(JSON.parse(spec.body as string).model, 'Llama-3.3-70B-Instruct', 'the deployment name travels in the body');
  });

  it("uses the key's api-version and an endpoint given as …/models", async () => {
    const spec = await adapters
      .get('azure-foundry')
      .buildRequest(call('azure-foundry', { baseUrl: 'https://proxy.example.com/models/', apiVersion: '2025-04-01' }));
    assert.equal(spec.url, 'https://proxy.example.com/models/chat/completions?api-version=2025-04-01');
  });

  it("checks a key against the resource's free models list", async () => {
    const spec = await adapters.get('azure-foundry').validationRequest!(call('azure-foundry', { resource: 'contoso-ai' }));
    assert.equal(spec?.url, 'https://contoso-ai.services.ai.azure.com/openai/models?api-version=2024-10-21');
    assert.equal(spec?.method, 'GET');
    assert.equal(spec?.headers['api-key'], 'key-0123456789');
  });

  it('refuses a key that names neither resource nor endpoint, saying what is missing', () => {
    assert.throws(
      () => adapters.get('azure-foundry').buildRequest(call('azure-foundry')),
      (e: unknown) => e instanceof RouteFailure && /options\.resource/.test(e.error.message),
    );
  });
});

describe('Cohere compatibility requests', () => {
  it('leaves out tool_choice "auto", its default, and keeps "required"', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    const body = async (tool_choice: 'auto' | 'required') =>
      JSON.parse(
        (
          await adapters.get('cohere').buildRequest({
            ...call('cohere'),
            request: { model: 'x', messages: [{ role: 'user', content: 'hi' }], tools, tool_choice },
          })
        ).body as string,
      );
    assert.equal('tool_choice' in (await body('auto')), false);
    assert.equal((await body('required')).tool_choice, 'required');
    assert.equal((await body('auto')).tools[0].function.name, 'f');
  });
});

describe('provider rows: out-of-money codes and errors inside a 200', () => {
  it("treats Z.ai's 1113 (no balance) as a long wait and its 1302 (concurrency) as a short one", () => {
    const broke = adapters
      .get('z-ai')
      .classifyError(429, {}, JSON.stringify({ error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } }), NOW);
    assert.equal(broke.kind, 'rate_limited');
    assert.equal(broke.retryAfterMs, Number.POSITIVE_INFINITY);
    const busy = adapters.get('z-ai').classifyError(429, {}, JSON.stringify({ error: { code: '1302', message: 'High concurrency usage of this API' } }), NOW);
    assert.equal(busy.kind, 'rate_limited');
    assert.equal(busy.retryAfterMs, undefined);
  });

  it("treats Moonshot's exceeded_current_quota_error as a long wait", () => {
    const e = adapters
      .get('moonshotai')
      .classifyError(
        429,
        {},
        JSON.stringify({ error: { message: 'Your account is suspended, please check your plan and billing details', type: 'exceeded_current_quota_error' } }),
        NOW,
      );
    assert.equal(e.retryAfterMs, Number.POSITIVE_INFINITY);
  });

  it("does not apply one provider's quota codes to another", () => {
    const e = adapters.get('groq').classifyError(429, {}, JSON.stringify({ error: { code: '1113', message: 'x' } }), NOW);
    assert.equal(e.retryAfterMs, undefined);
  });

  it("reads MiniMax's base_resp in a 200 answer: 1004 is the key, 1008 an empty balance", () => {
    const minimax = adapters.get('minimax');
    const body = (code: number, msg: string) => JSON.stringify({ id: '', choices: null, base_resp: { status_code: code, status_msg: msg } });
    const parse = (text: string) => {
      try {
        minimax.parseCompletion(text, call('minimax'));
      } catch (e) {
        if (e instanceof RouteFailure) return e.error;
        throw e;
      }
      return undefined;
    };
    assert.equal(parse(body(1004, 'login fail'))?.kind, 'auth');
    const broke = parse(body(1008, 'insufficient balance'));
    assert.equal(broke?.kind, 'rate_limited');
    assert.equal(broke?.retryAfterMs, Number.POSITIVE_INFINITY);
    assert.equal(minimax.validationError!(body(1004, 'login fail'), NOW)?.kind, 'auth');
    assert.equal(minimax.validationError!(JSON.stringify({ id: 'x', choices: [], base_resp: { status_code: 0, status_msg: '' } }), NOW), undefined);
  });

  it("reads Cohere's check-api-key verdict, not just its status", () => {
    const cohere = adapters.get('cohere');
    assert.equal(cohere.validationError!(JSON.stringify({ valid: false }), NOW)?.kind, 'auth');
    assert.equal(cohere.validationError!(JSON.stringify({ valid: true, organization_id: 'o', owner_id: 'u' }), NOW), undefined);
  });
});
