/**
 * The clients the bench times against one loopback simulator: the physical limit (a direct undici
 * call that parses each chunk), our router, and the peers as their users would call them. Each one
 * returns what it received, so a broken path is an error rather than a fast number.
 */
import { Agent, request } from 'undici';
import { bundledCatalog } from '../src/core/catalog/catalog';
import type { ChatRequest } from '../src/core/chat';
import type { HttpClient } from '../src/core/http/client';
import { parseConfig } from '../src/core/config/parse';
import { MapSecretSource } from '../src/core/ports';
import { Router } from '../src/core/routing/router';
import type { GatewayProcess } from './gateway-process';

export type ContenderName = 'direct' | 'router' | 'endpoint' | 'hop' | 'relay' | 'openai' | 'ai-sdk' | 'portkey';

export const LABELS: Record<ContenderName, string> = {
  direct: 'direct undici (parses each chunk)',
  router: 'BYOK Router (in process)',
  endpoint: 'BYOK Router local endpoint (its own process, as deployed)',
  hop: 'bare node:http pass-through hop in its own process (the floor under any local endpoint in Node)',
  relay: 'TCP relay in its own process (bytes piped both ways, no HTTP): what one more process on the path costs',
  openai: 'openai SDK',
  'ai-sdk': 'Vercel AI SDK',
  portkey: 'Portkey gateway (local process)',
};

export interface StreamResult {
  /** Content deltas received. */
  chunks: number;
  text: string;
}

export interface Contender {
  readonly name: ContenderName;
  /** One non-streaming request; resolves with the answer text. */
  complete(): Promise<string>;
  /** One streamed request; `onFirstToken` fires when the first content delta is in the caller's hands. */
  stream(onFirstToken: () => void): Promise<StreamResult>;
  /** CPU ms spent outside this process so far (a gateway process), for the CPU figures. */
  cpuElsewhereMs?(): number;
  close(): Promise<void>;
}

/** Everything routes to the same model: the router by slug, everyone else by the native id. */
export const SLUG = 'openai/gpt-4o-mini';
export const NATIVE = 'gpt-4o-mini';
export const KEY = 'sk-bench-0000000000001234';
export const MESSAGES = [{ role: 'user' as const, content: 'Say hello' }];

/** Keep-alive pool with the router's own settings, so the baseline gets no unfair advantage. */
export function benchAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 128, pipelining: 1 });
}

/**
 * Parses an SSE body the way a minimal OpenAI client must: every event, every chunk's JSON, by
 * splitting on blank lines — the same floor as peer-bench's direct-json. It used to run
 * eventsource-parser, whose per-event callbacks made the floor itself slower: at concurrency 50
 * the direct call then streamed 1.4× slower than the router, and the 1,000-chunk ratio read
 * 1.01× where the floor peer-bench uses gives 1.08×. Every client here (direct, endpoint, hop,
 * Portkey) reads with this; the router keeps its spec-complete parser.
 */
export async function readSseChunks(body: AsyncIterable<Uint8Array>, onFirstToken: () => void): Promise<StreamResult> {
  const decoder = new TextDecoder();
  let chunks = 0;
  let text = '';
  let buf = '';
  for await (const bytes of body) {
    buf += decoder.decode(bytes, { stream: true });
    let sep;
    while ((sep = buf.indexOf('\n\n')) !== -1) {
      const ev = buf.slice(0, sep);
      buf = buf.slice(sep + 2);
      if (!ev.startsWith('data: ')) continue;
      const data = ev.slice(6);
      if (data === '[DONE]') continue;
      const o = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
      const content = o.choices?.[0]?.delta?.content;
      if (content) {
        if (chunks++ === 0) onFirstToken();
        text += content;
      }
    }
  }
  return { chunks, text };
}

function contentOf(json: unknown): string {
  const c = (json as { choices?: { message?: { content?: string | null } }[] }).choices?.[0]?.message?.content;
  if (typeof c !== 'string') throw new Error(`no answer content in ${JSON.stringify(json).slice(0, 200)}`);
  return c;
}

/** The physical limit: one keep-alive pool, the body built and parsed by hand, nothing else. */
export function directContender(baseUrl: string): Contender {
  const agent = benchAgent();
  const url = `${baseUrl}/chat/completions`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
  return {
    name: 'direct',
    async complete() {
      const res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { ...headers, accept: 'application/json' },
        body: JSON.stringify({ model: NATIVE, messages: MESSAGES }),
      });
      if (res.statusCode !== 200) throw new Error(`direct: HTTP ${res.statusCode}: ${await res.body.text()}`);
      return contentOf(await res.body.json());
    },
    async stream(onFirstToken) {
      const body = JSON.stringify({ model: NATIVE, messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
      const res = await request(url, { method: 'POST', dispatcher: agent, headers: { ...headers, accept: 'text/event-stream' }, body });
      if (res.statusCode !== 200) throw new Error(`direct: HTTP ${res.statusCode}: ${await res.body.text()}`);
      return readSseChunks(res.body, onFirstToken);
    },
    close: () => agent.close(),
  };
}

/** A router with one prioritized key on the simulator; pooled access is off so nothing else is tried. */
export function benchRouter(baseUrl: string, extraKeys: unknown[] = [], secrets: Record<string, string> = {}, http?: HttpClient): Router {
  const { config, diagnostics } = parseConfig({
    callers: [{ name: 'bench' }],
    defaultCaller: 'bench',
    pooled: { enabled: false },
    keys: [{ id: 'k1', provider: 'openai', name: 'bench', tier: 'prioritized', options: { baseUrl } }, ...extraKeys],
  });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`bench config: ${JSON.stringify(errors)}`);
  return new Router({
    config,
    catalog: bundledCatalog(),
    secrets: new MapSecretSource(new Map(Object.entries({ k1: KEY, ...secrets }))),
    ...(http ? { http } : {}),
  });
}

export function routerContender(baseUrl: string): Contender {
  const router = benchRouter(baseUrl);
  const req = (stream: boolean): ChatRequest => ({ model: SLUG, messages: MESSAGES, ...(stream ? { stream: true } : {}) });
  return {
    name: 'router',
    async complete() {
      const o = await router.generate(req(false));
      if (!o.ok) throw new Error(`router: ${o.error.kind}: ${o.error.message}`);
      return o.response.choices[0]!.message.content ?? '';
    },
    async stream(onFirstToken) {
      let chunks = 0;
      let text = '';
      const o = await router.generate(req(true), {
        onChunk: (c) => {
          const content = c.choices[0]?.delta.content;
          if (content) {
            if (chunks++ === 0) onFirstToken();
            text += content;
          }
        },
      });
      if (!o.ok) throw new Error(`router: ${o.error.kind}: ${o.error.message}`);
      return { chunks, text };
    },
    close: () => router.close(),
  };
}

/** The official SDK as its README shows it: a plain client, retries off so a fault is not hidden. */
export async function openaiContender(baseUrl: string): Promise<Contender> {
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI({ baseURL: baseUrl, apiKey: KEY, maxRetries: 0 });
  return {
    name: 'openai',
    async complete() {
      const r = await client.chat.completions.create({ model: NATIVE, messages: MESSAGES });
      return r.choices[0]?.message.content ?? '';
    },
    async stream(onFirstToken) {
      const s = await client.chat.completions.create({ model: NATIVE, messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
      let chunks = 0;
      let text = '';
      for await (const c of s) {
        const content = c.choices[0]?.delta?.content;
        if (content) {
          if (chunks++ === 0) onFirstToken();
          text += content;
        }
      }
      return { chunks, text };
    },
    close: async () => {},
  };
}

/** `ai` with its OpenAI-compatible provider: generateText / streamText, retries off. */
export async function aiSdkContender(baseUrl: string): Promise<Contender> {
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  const { generateText, streamText } = await import('ai');
  const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
  const provider = createOpenAICompatible({ name: 'bench', baseURL: baseUrl, apiKey: KEY, includeUsage: true });
  const model = provider.chatModel(NATIVE);
  return {
    name: 'ai-sdk',
    async complete() {
      const r = await generateText({ model, messages: MESSAGES, maxRetries: 0 });
      return r.text;
    },
    async stream(onFirstToken) {
      let failure: unknown;
      const r = streamText({ model, messages: MESSAGES, maxRetries: 0, onError: ({ error }) => void (failure = error) });
      let chunks = 0;
      let text = '';
      for await (const delta of r.textStream) {
        if (!delta) continue;
        if (chunks++ === 0) onFirstToken();
        text += delta;
      }
      if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
      return { chunks, text };
    },
    close: async () => {},
  };
}

/**
 * A client of a gateway in a process of its own (the local endpoint, the bare hop, Portkey): the
 * same direct undici call, sent to the gateway; the gateway process's CPU counts as this
 * contender's too.
 */
export function gatewayContender(
  name: ContenderName,
  gateway: { url: string; headers: Record<string, string>; model: string; cpuMs?: () => number | undefined; close?: () => Promise<void> },
): Contender {
  const agent = benchAgent();
  const headers = { 'content-type': 'application/json', ...gateway.headers };
  const cpuMs = gateway.cpuMs;
  return {
    name,
    async complete() {
      const res = await request(gateway.url, {
        method: 'POST',
        dispatcher: agent,
        headers,
        body: JSON.stringify({ model: gateway.model, messages: MESSAGES }),
      });
      if (res.statusCode !== 200) throw new Error(`${name}: HTTP ${res.statusCode}: ${await res.body.text()}`);
      return contentOf(await res.body.json());
    },
    async stream(onFirstToken) {
      const body = JSON.stringify({ model: gateway.model, messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
      const res = await request(gateway.url, { method: 'POST', dispatcher: agent, headers, body });
      if (res.statusCode !== 200) throw new Error(`${name}: HTTP ${res.statusCode}: ${await res.body.text()}`);
      return readSseChunks(res.body, onFirstToken);
    },
    ...(cpuMs && cpuMs() !== undefined ? { cpuElsewhereMs: () => cpuMs() ?? 0 } : {}),
    async close() {
      await agent.close();
      await gateway.close?.();
    },
  };
}

/** Portkey's gateway, with its config header naming the simulator as the target (or two targets, for its fallback). */
export function portkeyContender(gatewayUrl: string, config: Record<string, unknown>, cpuMs?: () => number | undefined): Contender {
  return gatewayContender('portkey', {
    url: `${gatewayUrl}/v1/chat/completions`,
    headers: { authorization: `Bearer ${KEY}`, 'x-portkey-config': JSON.stringify(config) },
    model: NATIVE,
    ...(cpuMs ? { cpuMs } : {}),
  });
}

/** Portkey config for one OpenAI-compatible target at `baseUrl`. */
export function portkeySingle(baseUrl: string): Record<string, unknown> {
  return { provider: 'openai', api_key: KEY, custom_host: baseUrl };
}

/** The local endpoint as an assistant uses it: a caller token and the model slug. */
export function endpointContender(gateway: GatewayProcess): Contender {
  return gatewayContender('endpoint', {
    url: `${gateway.baseUrl}/chat/completions`,
    headers: { authorization: `Bearer ${gateway.token}` },
    model: SLUG,
    cpuMs: () => gateway.cpuMs(),
    close: () => gateway.close(),
  });
}

/** The bare hop, or the TCP relay under it: what the endpoint adds beyond the hop is the endpoint's own work. */
export function passThroughContender(name: 'hop' | 'relay', gateway: GatewayProcess): Contender {
  return gatewayContender(name, {
    url: `${gateway.baseUrl}/chat/completions`,
    // The hop sends the key itself; through the relay the client's request reaches the simulator as sent.
    headers: name === 'relay' ? { authorization: `Bearer ${KEY}` } : {},
    model: NATIVE,
    cpuMs: () => gateway.cpuMs(),
    close: () => gateway.close(),
  });
}
