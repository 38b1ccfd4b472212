/** The canonical request → Gemini generateContent body, case by case. */
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../../src/core/chat';
import { isRouteFailure } from '../../../src/core/errors';
import { geminiBody, SKIP_SIGNATURE, toGeminiSchema } from '../../../src/core/providers/gemini/request';
import { ThoughtSignatureCache } from '../../../src/core/providers/gemini';
import { validateGenerate } from '../../../src/sim/gemini';

const none = new ThoughtSignatureCache();
const body = (req: Partial<ChatRequest>, model = 'gemini-2.5-flash', sigs = none) =>
  geminiBody({ model: 'google/x', messages: [{ role: 'user', content: 'hi' }], ...req } as ChatRequest, model, sigs) as Record<string, any>;

/** The simulator's copy of Google's validation, so every translated body is also checked as Google would. */
function acceptedByGoogle(b: unknown, model = 'gemini-2.5-flash', rejectCallIds = true) {
  const refusal = validateGenerate(b, { model, rejectCallIds, issuedSignatures: new Map() });
  assert.equal(refusal?.body, undefined);
}

describe('Gemini request translation', () => {
  it('moves system and developer messages into systemInstruction and maps assistant to model', () => {
    const b = body({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
    });
    assert.deepEqual(b.systemInstruction, { parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    assert.deepEqual(b.contents, [
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Bonjour' }] },
      { role: 'user', parts: [{ text: 'Again' }] },
    ]);
    acceptedByGoogle(b);
  });

  it('restores echoed thought signatures by call id, and the step’s signature to its first call when the id changed', () => {
    const detail = (id: string, data: string) => ({ type: 'reasoning.encrypted', id, data, format: 'google-gemini-v1' });
    const turn = (callIds: string[], details: unknown[]): ChatRequest => ({
      model: 'google/gemini-3-pro-preview',
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: callIds.map((id) => ({ id, type: 'function', function: { name: 'get_weather', arguments: '{}' } })),
          reasoning_details: details,
        } as never,
        ...callIds.map((id) => ({ role: 'tool' as const, tool_call_id: id, content: 'sunny' })),
      ],
    });
    const sigs = (r: ChatRequest) =>
      ((geminiBody(r, 'gemini-3-pro-preview', new ThoughtSignatureCache()).contents as any[])[1].parts as any[]).map((p) => p.thoughtSignature);
    assert.deepEqual(sigs(turn(['a', 'b'], [detail('a', 'SIG-A')])), ['SIG-A', undefined]);
    assert.deepEqual(sigs(turn(['renamed', 'b'], [detail('a', 'SIG-A')])), ['SIG-A', undefined]);
    assert.deepEqual(
      sigs(turn(['a'], [{ ...detail('a', 'SIG-X'), format: 'anthropic-claude-v1' }])),
      [SKIP_SIGNATURE],
      'another family’s detail is not a Gemini signature',
    );
  });

  it('merges consecutive same-role messages so turns alternate', () => {
    const b = body({
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
      ],
    });
    assert.deepEqual(b.contents, [{ role: 'user', parts: [{ text: 'one' }, { text: 'two' }] }]);
  });

  it('sends a data: URL image as inlineData and an https image as fileData', () => {
    const b = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=2' } },
            { type: 'image_url', image_url: { url: 'data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E' } },
          ],
        },
      ],
    });
    assert.deepEqual(b.contents[0].parts, [
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=2' } },
      { inlineData: { mimeType: 'image/svg+xml', data: Buffer.from('<svg/>').toString('base64') } },
    ]);
    acceptedByGoogle(b);
  });

  it('turns tool results into functionResponse parts named after the call, in one user turn, without ids', () => {
    const b = body({
      messages: [
        { role: 'user', content: 'Weather in Oslo and Bergen?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: '{"temp":3}' },
        { role: 'tool', tool_call_id: 'call_b', content: 'noon' },
      ],
    });
    assert.deepEqual(b.contents.slice(1), [
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }, { functionCall: { name: 'get_time', args: {} } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: { temp: 3 } } } },
          { functionResponse: { name: 'get_time', response: { output: 'noon' } } },
        ],
      },
    ]);
    acceptedByGoogle(b);
  });

  it('refuses a tool result whose call is nowhere in the conversation, naming the call id', () => {
    assert.throws(
      () =>
        body({
          messages: [
            { role: 'user', content: 'x' },
            { role: 'tool', tool_call_id: 'call_zz', content: 'r' },
          ],
        }),
      (e: unknown) => isRouteFailure(e) && e.error.kind === 'bad_request' && e.error.message.includes('call_zz'),
    );
  });

  it('replays a cached thought signature on the call it was issued for', () => {
    const sigs = new ThoughtSignatureCache();
    sigs.remember('call_a', 'SIG-A');
    const b = body(
      {
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
        ],
      },
      'gemini-3-pro-preview',
      sigs,
    );
    assert.equal(b.contents[1].parts[0].thoughtSignature, 'SIG-A');
  });

  it('marks the first call of a step with the documented skip value when Gemini 3 never signed it, and only for a model known to be Gemini 3 or later', () => {
    const messages = [
      { role: 'user' as const, content: 'Weather?' },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          { id: 'other_1', type: 'function' as const, function: { name: 'a', arguments: '{}' } },
          { id: 'other_2', type: 'function' as const, function: { name: 'b', arguments: '{}' } },
        ],
      },
      { role: 'tool' as const, tool_call_id: 'other_1', content: '1' },
      { role: 'tool' as const, tool_call_id: 'other_2', content: '2' },
    ];
    const g3 = body({ messages }, 'gemini-3-pro-preview');
    assert.deepEqual(
      g3.contents[1].parts.map((p: any) => p.thoughtSignature),
      [SKIP_SIGNATURE, undefined],
    );
    for (const model of ['gemini-2.5-pro', 'gemini-flash-latest']) {
      const older = body({ messages }, model);
      assert.deepEqual(
        older.contents[1].parts.map((p: any) => p.thoughtSignature),
        [undefined, undefined],
        model,
      );
    }
  });

  it('declares tools with a schema Gemini accepts and maps tool_choice to toolConfig', () => {
    const cases: [ChatRequest['tool_choice'], unknown][] = [
      ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
      ['required', { functionCallingConfig: { mode: 'ANY' } }],
      ['none', { functionCallingConfig: { mode: 'NONE' } }],
      [{ type: 'function', function: { name: 'get_weather' } }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } }],
    ];
    for (const [choice, expected] of cases) {
      const b = body({
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Weather for a city',
              parameters: {
                $schema: 'http://json-schema.org/draft-07/schema#',
                type: 'object',
                additionalProperties: false,
                properties: { city: { type: 'string' } },
                required: ['city'],
              },
            },
          },
          { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
        ],
        tool_choice: choice,
      });
      assert.deepEqual(b.tools, [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather for a city',
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
            { name: 'now' },
          ],
        },
      ]);
      assert.deepEqual(b.toolConfig, expected);
      acceptedByGoogle(b);
    }
  });

  it('rewrites JSON Schema idioms Gemini does not know and drops what it would reject', () => {
    const schema = toGeminiSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { Point: { type: 'object', properties: { x: { type: 'number', format: 'double' }, y: { type: 'number' } }, additionalProperties: false } },
      properties: {
        at: { $ref: '#/$defs/Point' },
        label: { type: ['string', 'null'], default: 'none', examples: ['a'] },
        mode: { const: 'fast' },
        when: { type: 'string', format: 'date-time' },
        uri: { type: 'string', format: 'uri' },
        tags: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
        either: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        merged: { allOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'boolean' } } }] },
        list: { type: 'array' },
      },
      required: ['at', 'ghost'],
    });
    assert.deepEqual(schema, {
      type: 'object',
      properties: {
        at: { type: 'object', properties: { x: { type: 'number', format: 'double' }, y: { type: 'number' } } },
        label: { type: 'string', nullable: true },
        mode: { type: 'string', enum: ['fast'] },
        when: { type: 'string', format: 'date-time' },
        uri: { type: 'string' },
        tags: { type: 'array', items: { type: 'string', nullable: true } },
        either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        merged: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'boolean' } }, required: ['a'] },
        list: { type: 'array', items: { type: 'string' } },
      },
      required: ['at'],
    });
    acceptedByGoogle({ contents: [{ role: 'user', parts: [{ text: 'x' }] }], tools: [{ functionDeclarations: [{ name: 'f', parameters: schema }] }] });
  });

  it('survives a self-referencing schema without looping', () => {
    const schema = toGeminiSchema({
      type: 'object',
      $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } },
      properties: { head: { $ref: '#/$defs/Node' } },
    });
    assert.deepEqual(schema, { type: 'object', properties: { head: { type: 'object', properties: { next: { type: 'object' } } } } });
  });

  it('maps sampling fields into generationConfig', () => {
    const b = body({
      max_tokens: 100,
      max_completion_tokens: 200,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      seed: 7,
      response_format: { type: 'json_object' },
    } as Partial<ChatRequest>);
    assert.deepEqual(b.generationConfig, {
      maxOutputTokens: 200,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
      seed: 7,
      responseMimeType: 'application/json',
    });
    assert.equal(body({}).generationConfig, undefined);
    acceptedByGoogle(b);
  });

  it('turns a system-only request into a user turn, since Gemini refuses empty contents', () => {
    const b = body({ messages: [{ role: 'system', content: 'Say hi.' }] });
    assert.deepEqual(b.contents, [{ role: 'user', parts: [{ text: 'Say hi.' }] }]);
    assert.equal(b.systemInstruction, undefined);
  });
});
