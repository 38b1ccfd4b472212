import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChatRequest } from '../../../src/core/chat';
import { isRouteFailure, type RouteError } from '../../../src/core/errors';
import { ThinkingCache } from '../../../src/core/providers/anthropic/thinking-cache';
import {
  bedrockAuth,
  buildBedrockRequest,
  buildConverseBody,
  buildValidationRequest,
  classifyBedrockError,
  converseUrl,
  parseConverseResponse,
} from '../../../src/core/providers/bedrock';
import type { AdapterCall } from '../../../src/core/providers/types';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/bedrock', name), 'utf8');

const body = (request: Partial<ChatRequest>, cache = new ThinkingCache()) =>
  buildConverseBody({ request: { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...request } as ChatRequest }, cache) as Record<string, any>;

function failure(fn: () => unknown): RouteError {
  try {
    fn();
  } catch (e) {
    assert.ok(isRouteFailure(e), `expected a RouteFailure, got ${String(e)}`);
    return e.error;
  }
  assert.fail('expected a RouteFailure');
}

const call = (over: Partial<AdapterCall> = {}): AdapterCall => ({
  provider: 'amazon-bedrock',
  request: { model: 'anthropic/claude-haiku-4.5', messages: [{ role: 'user', content: 'hi' }] },
  nativeModel: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  secret: 'ABSKexampleapikey0001',
  stream: true,
  options: {},
  ...over,
});

describe('Bedrock Converse request translation', () => {
  it('gathers system and developer messages into system blocks', () => {
    const b = body({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric.' }] },
        { role: 'user', content: 'hi' },
      ],
    });
    assert.deepEqual(b.system, [{ text: 'Be brief.' }, { text: 'Use metric.' }]);
    assert.deepEqual(b.messages, [{ role: 'user', content: [{ text: 'hi' }] }]);
  });

  it('merges consecutive messages of one role and drops blank text', () => {
    const b = body({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: '  ' },
        { role: 'user', content: [{ type: 'text', text: 'b' }] },
        { role: 'assistant', content: 'c' },
        { role: 'assistant', content: 'd' },
      ],
    });
    assert.deepEqual(b.messages, [
      { role: 'user', content: [{ text: 'a' }, { text: 'b' }] },
      { role: 'assistant', content: [{ text: 'c' }, { text: 'd' }] },
    ]);
  });

  it('puts every tool result of an assistant turn into one user message, ahead of the user text', () => {
    const b = body({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 't2', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 't1', content: '3°C' },
        { role: 'tool', tool_call_id: 't2', content: '' },
        { role: 'user', content: 'thanks' },
      ],
    });
    assert.deepEqual(b.messages, [
      { role: 'user', content: [{ text: 'weather?' }] },
      {
        role: 'assistant',
        content: [
          { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Oslo' } } },
          { toolUse: { toolUseId: 't2', name: 'get_weather', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 't1', content: [{ text: '3°C' }] } },
          { toolResult: { toolUseId: 't2', content: [{ text: '(no output)' }] } },
          { text: 'thanks' },
        ],
      },
    ]);
  });

  it('sends tool arguments that are not a JSON object as an empty input rather than failing the turn', () => {
    const b = body({
      tools: [{ type: 'function', function: { name: 'f' } }],
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{broken' } }] },
      ],
    });
    assert.deepEqual(b.messages[1].content[0].toolUse.input, {});
  });

  it('opens with a user turn when the conversation starts with the assistant', () => {
    const b = body({
      messages: [
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'hi' },
      ],
    });
    assert.deepEqual(b.messages[0], { role: 'user', content: [{ text: '(conversation start)' }] });
    assert.equal(b.messages[1].role, 'assistant');
  });

  it('turns a data: URL image into image bytes', () => {
    const b = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } },
          ],
        },
      ],
    });
    assert.deepEqual(b.messages[0].content[1], { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } });
  });

  it('refuses an image URL, which Converse cannot fetch, as a bad request', () => {
    const e = failure(() => body({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }));
    assert.equal(e.kind, 'bad_request');
    assert.match(e.message, /data: URLs/);
  });

  it('maps sampling settings into inferenceConfig, clamping temperature to Bedrock’s 0–1', () => {
    const b = body({ max_tokens: 10, max_completion_tokens: 300, temperature: 1.7, top_p: 0.9, stop: 'END' });
    assert.deepEqual(b.inferenceConfig, { maxTokens: 300, temperature: 1, topP: 0.9, stopSequences: ['END'] });
    assert.equal(body({}).inferenceConfig, undefined);
  });

  const tools: ChatRequest['tools'] = [
    {
      type: 'function',
      function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
    },
  ];

  it('declares tools with their JSON schema and maps each tool choice', () => {
    const spec = {
      toolSpec: { name: 'lookup', description: 'Look up', inputSchema: { json: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } },
    };
    assert.deepEqual(body({ tools }).toolConfig, { tools: [spec] });
    assert.deepEqual(body({ tools, tool_choice: 'auto' }).toolConfig.toolChoice, { auto: {} });
    assert.deepEqual(body({ tools, tool_choice: 'required' }).toolConfig.toolChoice, { any: {} });
    assert.deepEqual(body({ tools, tool_choice: { type: 'function', function: { name: 'lookup' } } }).toolConfig.toolChoice, { tool: { name: 'lookup' } });
    assert.equal(body({ tools, tool_choice: 'none' }).toolConfig, undefined);
  });

  it('keeps toolConfig when tool blocks are in the history, even without declared tools', () => {
    const history: ChatRequest['messages'] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't', content: 'found' },
    ];
    assert.deepEqual(body({ messages: history }).toolConfig, {
      tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object', properties: {} } } } }],
    });
    const none = body({ messages: history, tools, tool_choice: 'none' }).toolConfig;
    assert.equal(none.tools.length, 1);
    assert.equal(none.toolChoice, undefined);
  });

  it('sends cachePoints for Claude and Nova, and none to models that refuse them', () => {
    const request = {
      model: 'm',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] },
      ],
    } as ChatRequest;
    const points = (nativeModel: string) => JSON.stringify(buildConverseBody({ request, nativeModel }, new ThinkingCache())).split('cachePoint').length - 1;
    assert.equal(points('global.anthropic.claude-haiku-4-5-20251001-v1:0'), 2);
    assert.equal(points('amazon.nova-pro-v1:0'), 2);
    assert.equal(points('meta.llama3-3-70b-instruct-v1:0'), 0);
  });

  it('replays the signed reasoning of the turn that made a tool call', () => {
    const cache = new ThinkingCache();
    cache.remember(['t1'], [{ type: 'thinking', thinking: 'Need weather.', signature: 'sig-abc' }]);
    const b = body(
      {
        tools,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 't1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'ok' },
        ],
      },
      cache,
    );
    assert.deepEqual(b.messages[1].content, [
      { reasoningContent: { reasoningText: { text: 'Need weather.', signature: 'sig-abc' } } },
      { text: 'Checking.' },
      { toolUse: { toolUseId: 't1', name: 'lookup', input: { q: 'a' } } },
    ]);
  });
});

describe('Bedrock endpoints and authentication', () => {
  it('percent-encodes the model id as one path segment of the region’s runtime host', () => {
    assert.equal(
      converseUrl(call()),
      'https://bedrock-runtime.us-east-1.amazonaws.com/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream',
    );
    assert.equal(
      converseUrl(
        call({
          stream: false,
          nativeModel: 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku',
          options: { region: 'eu-west-1' },
        }),
      ),
      'https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-haiku/converse',
    );
    assert.equal(
      converseUrl(call({ options: { baseUrl: 'http://127.0.0.1:9/' } })),
      'http://127.0.0.1:9/model/global.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream',
    );
  });

  it('treats a secret that is not JSON as a Bedrock API key', () => {
    assert.deepEqual(bedrockAuth('ABSKkey123456', undefined), { kind: 'bearer', token: 'ABSKkey123456' });
    const spec = buildBedrockRequest(call(), new Date());
    assert.equal(spec.headers.authorization, 'Bearer ABSKexampleapikey0001');
    assert.equal(spec.headers.accept, 'application/vnd.amazon.eventstream');
  });

  it('reads AWS credentials from JSON, including the shape the AWS CLI prints', () => {
    assert.deepEqual(bedrockAuth('{"accessKeyId":"AKIA1","secretAccessKey":"s","sessionToken":"t"}', undefined), {
      kind: 'sigv4',
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's', sessionToken: 't' },
    });
    assert.deepEqual(
      bedrockAuth('{"Credentials":{"AccessKeyId":"ASIA2","SecretAccessKey":"s2","SessionToken":"t2","Expiration":"2026-01-01T00:00:00Z"}}', 'sigv4'),
      {
        kind: 'sigv4',
        credentials: { accessKeyId: 'ASIA2', secretAccessKey: 's2', sessionToken: 't2' },
      },
    );
  });

  it('signs with SigV4 when the secret is credentials, and says what is wrong with a bad secret without quoting it', () => {
    const secret = JSON.stringify({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
    const spec = buildBedrockRequest(call({ secret, options: { region: 'eu-central-1' } }), new Date('2026-11-23T12:00:00Z'));
    assert.match(
      spec.headers.authorization!,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261123\/eu-central-1\/bedrock\/aws4_request, SignedHeaders=accept;content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    const bad = failure(() => bedrockAuth('{"accessKeyId":"AKIDSECRETISH"}', undefined));
    assert.equal(bad.kind, 'auth');
    assert.doesNotMatch(bad.message, /AKIDSECRETISH/);
    const notJson = failure(() => bedrockAuth('ABSKnotjsonsecret', 'sigv4'));
    assert.equal(notJson.kind, 'auth');
    assert.doesNotMatch(notJson.message, /ABSKnotjsonsecret/);
  });

  it('checks a key with ListFoundationModels on the control-plane host', () => {
    const spec = buildValidationRequest({ secret: 'ABSKkey123456', options: { region: 'ap-northeast-1' } }, new Date());
    assert.equal(spec.method, 'GET');
    assert.equal(spec.url, 'https://bedrock.ap-northeast-1.amazonaws.com/foundation-models?byOutputModality=TEXT');
    assert.equal(spec.headers.authorization, 'Bearer ABSKkey123456');
  });
});

describe('Bedrock Converse responses', () => {
  it('turns the documented tool-use response into a chat completion with usage counting cached tokens', () => {
    const cache = new ThinkingCache();
    const c = parseConverseResponse(fixture('converse-response-tool-use.json'), { nativeModel: 'm' }, cache);
    assert.equal(c.object, 'chat.completion');
    assert.deepEqual(c.choices[0]!.message, {
      role: 'assistant',
      content: "I'll check the weather in Seattle.",
      tool_calls: [
        { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Seattle","unit":"celsius"}' } },
      ],
    });
    assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(c.usage, { prompt_tokens: 1212, completion_tokens: 58, total_tokens: 1270, prompt_tokens_details: { cached_tokens: 800 } });
  });

  const withStop = (stopReason: string) =>
    JSON.stringify({
      output: { message: { role: 'assistant', content: [{ text: 'x' }] } },
      stopReason,
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    });

  for (const [stop, finish] of [
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ] as const) {
    it(`maps stopReason ${stop} to finish_reason ${finish}`, () => {
      assert.equal(parseConverseResponse(withStop(stop), { nativeModel: 'm' }).choices[0]!.finish_reason, finish);
    });
  }

  it('treats malformed model output as a server failure', () => {
    const e = failure(() => parseConverseResponse(withStop('malformed_tool_use'), { nativeModel: 'm' }));
    assert.equal(e.kind, 'server');
    assert.match(e.message, /malformed_tool_use/);
  });

  it('keeps reasoning text and remembers its signature for the tool loop', () => {
    const cache = new ThinkingCache();
    const text = JSON.stringify({
      output: {
        message: {
          role: 'assistant',
          content: [{ reasoningContent: { reasoningText: { text: 'hmm', signature: 'sig' } } }, { toolUse: { toolUseId: 'tu1', name: 'f', input: {} } }],
        },
      },
      stopReason: 'tool_use',
    });
    const c = parseConverseResponse(text, { nativeModel: 'm' }, cache);
    assert.equal(c.choices[0]!.message.reasoning, 'hmm');
    assert.equal(c.choices[0]!.message.content, null);
    assert.deepEqual(cache.recall(['tu1']), [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }]);
  });

  it('calls a body without an output message a server failure', () => {
    assert.equal(failure(() => parseConverseResponse('{"foo":1}', { nativeModel: 'm' })).kind, 'server');
    assert.equal(failure(() => parseConverseResponse('{not json', { nativeModel: 'm' })).kind, 'server');
  });
});

describe('Bedrock HTTP errors', () => {
  const aws = (status: number, type: string | undefined, message: string, bodyKey = 'message') =>
    classifyBedrockError(
      status,
      type ? { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` } : {},
      JSON.stringify({ [bodyKey]: message }),
      Date.now(),
    );

  const cases: [number, string, string][] = [
    [429, 'ThrottlingException', 'rate_limited'],
    [429, 'ModelNotReadyException', 'rate_limited'],
    [400, 'ServiceQuotaExceededException', 'rate_limited'],
    [403, 'AccessDeniedException', 'auth'],
    [403, 'UnrecognizedClientException', 'auth'],
    [403, 'InvalidSignatureException', 'auth'],
    [403, 'ExpiredTokenException', 'auth'],
    [400, 'ValidationException', 'bad_request'],
    [404, 'ResourceNotFoundException', 'bad_request'],
    [408, 'ModelTimeoutException', 'timeout'],
    [424, 'ModelErrorException', 'server'],
    [500, 'InternalServerException', 'server'],
    [503, 'ServiceUnavailableException', 'server'],
  ];
  for (const [status, type, kind] of cases) {
    it(`classifies ${status} ${type} as ${kind}`, () => {
      const e = aws(status, type, 'words from AWS');
      assert.equal(e.kind, kind);
      assert.equal(e.status, status);
      assert.equal(e.code, type);
      assert.equal(e.message.startsWith(`amazon-bedrock: HTTP ${status} ${type}: words from AWS`), true);
    });
  }

  it('reads the type from __type and the capitalised Message when the header is missing', () => {
    const e = classifyBedrockError(400, {}, JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', Message: 'bad field' }), Date.now());
    assert.equal(e.kind, 'bad_request');
    assert.equal(e.code, 'ValidationException');
    assert.match(e.message, /bad field/);
  });

  it('falls back to the status when the type is unknown, and survives an HTML body', () => {
    assert.equal(classifyBedrockError(502, {}, '<html>Bad Gateway</html>', Date.now()).kind, 'server');
    assert.equal(classifyBedrockError(403, {}, '', Date.now()).kind, 'auth');
  });

  it('keeps only the first paragraph of a signature mismatch, which echoes the signed headers', () => {
    const e = aws(
      403,
      'InvalidSignatureException',
      "The request signature we calculated does not match.\n\nThe Canonical String for this request should have been\n'x-amz-security-token:SECRET-TOKEN'",
    );
    assert.doesNotMatch(e.message, /SECRET-TOKEN/);
    assert.match(e.message, /check the secret access key/);
  });

  it('points at the clock when the signature expired', () => {
    assert.match(
      aws(403, 'InvalidSignatureException', 'Signature expired: 20250102T030405Z is now earlier than 20250102T031405Z').message,
      /check the system clock/,
    );
  });
});
