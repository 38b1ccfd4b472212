/**
 * `@byok`: answers through the router with the chat's model when it is one of ours (else the
 * folder's default model), ends each answer with the route that served it, and on failure lists
 * every attempt. `/route` shows the plan instead of sending anything; `/web` searches with the
 * Firecrawl key first and answers citing the sources.
 */
import * as vscode from 'vscode';
import { type Catalog, type ChatMessage, describeAttempt, formatPlan, type GenerationRecord, injectWebContext, routeLabel, type WebResult } from '../core';
import type { FolderTracker } from './folders';
import type { WebSearchService } from './web-search';
import { VENDOR } from './lm-provider';
import { defaultModel } from './models';
import type { RoutingService } from './folder-routers';
import type { RoutingSettings } from './routing-config';
import { chatSessionId } from './chat-session';

export const PARTICIPANT_ID = 'byokRouter.byok';

export interface ParticipantDeps {
  routing: RoutingService;
  settings: RoutingSettings;
  folders: FolderTracker;
  catalog: Catalog;
  extensionUri: vscode.Uri;
  /** `/web`: search with the Firecrawl key, then answer citing the sources. */
  web?: WebSearchService;
}

export interface ByokChatResult extends vscode.ChatResult {
  metadata: { generationId?: string; command?: string };
}

export function registerChatParticipant(deps: ParticipantDeps): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, (request, context, stream, token) => handle(deps, request, context, stream, token));
  participant.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
  return participant;
}

async function handle(
  deps: ParticipantDeps,
  request: vscode.ChatRequest,
  context: vscode.ChatContext,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<ByokChatResult> {
  const folder = deps.folders.active();
  const model = request.model?.vendor === VENDOR ? request.model.id : await defaultModel(folder, deps.routing, deps.settings, deps.catalog);
  if (!model) {
    stream.markdown('No model can be routed yet: add a provider key first.');
    stream.button({ command: 'byokRouter.addKey', title: 'Add Key' });
    return { metadata: {} };
  }

  if (request.command === 'route') {
    const plan = await deps.routing.routerFor(folder).explain(model);
    stream.markdown(`${fence(formatPlan(plan))}\n`);
    const ignored = deps.settings.forFolder(folder).ignored;
    if (ignored.length) stream.markdown(`\n${ignored.length} folder setting(s) ignored: ${ignored.map((d) => `\`${d.path}\``).join(', ')} (see the log).`);
    return { metadata: { command: 'route' } };
  }

  let messages: ChatMessage[] = [...history(context), { role: 'user', content: await withReferences(request) }];
  let sources: WebResult[] = [];
  if (request.command === 'web') {
    const found = await searchFor(deps, request.prompt, folder, stream, token);
    if (!found) return { metadata: { command: 'web' } };
    sources = found;
    messages = injectWebContext({ model, messages }, request.prompt, found).messages;
  }
  const outcome = await deps.routing.generate(
    { model, messages, stream: true },
    {
      folder,
      surface: 'chat',
      token,
      sessionId: chatSessionId(context.history, request, PARTICIPANT_ID),
      onChunk: (chunk) => {
        const text = chunk.choices[0]?.delta.content;
        if (text) stream.markdown(text);
      },
    },
  );
  if (outcome.ok) {
    if (sources.length) {
      stream.markdown(`\n\n**Sources**\n${sources.map((r, i) => `${i + 1}. [${escape(r.title)}](${r.url})`).join('\n')}`);
      for (const r of sources) {
        try {
          stream.reference(vscode.Uri.parse(r.url, true));
        } catch {
          /* a result URL the editor cannot parse is still listed above */
        }
      }
    }
    stream.markdown(`\n\n---\n${footer(outcome.record)}`);
    return { metadata: { generationId: outcome.record.id } };
  }
  if (outcome.error.kind === 'cancelled') return { metadata: { generationId: outcome.record.id } };
  const attempts = outcome.record.attempts.map((a) => `- ${escape(describeAttempt(a))}`);
  stream.markdown(
    [
      `**No route could answer ${escape(model)}** as caller \`${outcome.record.caller}\`.`,
      '',
      ...(attempts.length ? attempts : [`- ${escape(outcome.error.message)}`]),
    ].join('\n'),
  );
  stream.button({ command: 'byokRouter.explainRoute', title: 'Explain Route', arguments: [{ model, folder: folder?.name }] });
  return { metadata: { generationId: outcome.record.id }, errorDetails: { message: outcome.error.message } };
}

async function searchFor(
  deps: ParticipantDeps,
  query: string,
  folder: vscode.WorkspaceFolder | undefined,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<WebResult[] | undefined> {
  if (!query.trim()) {
    stream.markdown('Ask a question after `/web`, such as `/web what changed in Node.js 24`.');
    return undefined;
  }
  if (!deps.web || !(await deps.web.hasKey(folder))) {
    stream.markdown('Web search needs a Firecrawl key: add one in the Providers view, **Web search** section.');
    stream.button({ command: 'byokRouter.openProviders', title: 'Open Providers' });
    return undefined;
  }
  stream.progress(`Searching the web for "${query.slice(0, 80)}"…`);
  const r = await deps.web.search(query, { folder, surface: 'chat:web', limit: 5, token });
  if (!r.ok) {
    stream.markdown(`**Web search failed:** ${escape(r.error.message)}`);
    return undefined;
  }
  return r.results;
}

/** `Served by openai/key "prod-main" (prioritized) · caller prod · after 1 failed attempt` */
export function footer(record: GenerationRecord): string {
  const s = record.servedBy;
  const route = s ? routeLabel(s, { caller: false }) : 'unknown route';
  const failed = record.attempts.filter((a) => !a.ok).length;
  const extra = failed ? ` · after ${failed} failed attempt${failed === 1 ? '' : 's'}` : '';
  return `*Served by ${escape(route)} · caller ${escape(record.caller)} · ${escape(record.model)}${extra}*`;
}

function history(context: vscode.ChatContext): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const turn of context.history) {
    if (turn instanceof vscode.ChatRequestTurn) {
      if (turn.participant === PARTICIPANT_ID && turn.command !== 'route') out.push({ role: 'user', content: turn.prompt });
    } else if (turn instanceof vscode.ChatResponseTurn && turn.participant === PARTICIPANT_ID && turn.command !== 'route') {
      const text = turn.response
        .map((p) => (p instanceof vscode.ChatResponseMarkdownPart ? p.value.value : ''))
        .join('')
        .replace(/\n\n---\n\*Served by[^\n]*\*$/, '');
      if (text) out.push({ role: 'assistant', content: text });
    }
  }
  return out;
}

/** The prompt, with the text of referenced selections and files the user attached. */
async function withReferences(request: vscode.ChatRequest): Promise<string> {
  const parts = [request.prompt];
  for (const ref of request.references) {
    const v = ref.value;
    if (typeof v === 'string') parts.push(v);
    else if (v instanceof vscode.Location || v instanceof vscode.Uri) {
      const uri = v instanceof vscode.Uri ? v : v.uri;
      try {
        const doc = await vscode.workspace.openTextDocument(uri);
        const text = v instanceof vscode.Location ? doc.getText(v.range) : doc.getText();
        parts.push(`${vscode.workspace.asRelativePath(uri)}:\n${fence(text.slice(0, 100_000))}`);
      } catch {
        // A reference that cannot be read as text (a binary, a folder) is left out.
      }
    }
  }
  return parts.join('\n\n');
}

function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}\n${text}\n${f}`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+\-!|~]/g, (c) => `\\${c}`);
}
