/**
 * The routed models as a language-model provider: any extension that asks `vscode.lm` for vendor
 * `byok-router` gets them, and every request goes through the folder's router.
 */
import * as vscode from 'vscode';
import { type Catalog, type ChatRequest, type ReasoningDetail, TokenCounter, TOKENS_PER_IMAGE, TOKENS_PER_MESSAGE, type Usage } from '../core';
import type { FolderTracker } from './folders';
import type { Log } from './log';
import { countable, MIME, reasoningOut, thinkingPayload } from './lm-convert';
import { DataPartCtor, partsOf, toChatMessages, toChatTools } from './lm-messages';
import { servableModels } from './models';
import { loadBundledTokenizer } from './tokenizer-loader';
import type { RoutingService } from './folder-routers';
import type { RoutingSettings } from './routing-config';
import { ToolCallAssembler } from './tool-calls';
import { readModelOptions, requestOptions } from './lm-options';

export const VENDOR = 'byok-router';

export interface ProviderDeps {
  routing: RoutingService;
  settings: RoutingSettings;
  folders: FolderTracker;
  catalog: Catalog;
  log: Log;
  /** Token counting; by default OpenAI's tokenizer from dist/tokenizer.js, loaded on the first count. */
  tokens?: TokenCounter;
  /** Fires when keys, secrets or settings change the list of models. */
  onDidChangeModels: vscode.Event<void>;
}

export class RoutedModelProvider implements vscode.LanguageModelChatProvider {
  readonly onDidChangeLanguageModelChatInformation: vscode.Event<void>;

  private readonly tokens: TokenCounter;

  constructor(private readonly deps: ProviderDeps) {
    this.onDidChangeLanguageModelChatInformation = deps.onDidChangeModels;
    this.tokens = deps.tokens ?? new TokenCounter(loadBundledTokenizer);
  }

  async provideLanguageModelChatInformation(options: vscode.PrepareLanguageModelChatModelOptions): Promise<vscode.LanguageModelChatInformation[]> {
    const models = await servableModels(this.deps.routing, this.deps.settings, this.deps.catalog);
    if (!models.length && !options.silent) {
      void vscode.window.showInformationMessage('BYOK Router has no models yet: add a provider key first.', 'Add Key').then((c) => {
        if (c) void vscode.commands.executeCommand('byokRouter.addKey');
      });
    }
    return models.map((m) => ({
      id: m.slug,
      name: m.name,
      family: m.family,
      version: m.slug,
      detail: 'BYOK Router',
      tooltip: `${m.slug}, routed through your keys (${m.routes} route${m.routes === 1 ? '' : 's'} in this folder's plan)`,
      maxInputTokens: m.contextLength,
      maxOutputTokens: m.maxOutput,
      capabilities: { toolCalling: m.tools, imageInput: m.vision },
    }));
  }

  async provideLanguageModelChatResponse(
    model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const opts = readModelOptions(options.modelOptions);
    const tools = toChatTools(options.tools);
    const converted = toChatMessages(messages);
    for (const note of converted.notes) this.deps.log.info(`lm: ${model.id}: ${note}`);
    for (const note of converted.bookkeeping) this.deps.log.debug(`lm: ${model.id}: ${note}`);
    if (converted.images && this.deps.catalog.get(model.id)?.vision === false) {
      throw new Error(
        `${model.name} (${model.id}) does not take images: pick a model with image input, or remove the ${converted.images === 1 ? 'image' : `${converted.images} images`}.`,
      );
    }
    const request: ChatRequest = {
      model: model.id,
      messages: converted.messages,
      stream: true,
      ...(tools ? { tools, tool_choice: options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto' } : {}),
      ...requestOptions(opts),
    };
    const calls = new ToolCallAssembler();
    const details: ReasoningDetail[] = [];
    let reasoning = '';
    let usage: Usage | undefined;
    let responseId = '';
    /** Reasoning goes out once, ahead of the tool calls it led to, for the consumer to echo on the next turn. */
    const reportThinking = () => {
      const whole = reasoningOut(details, reasoning);
      details.length = 0;
      reasoning = '';
      if (whole.length)
        this.reportData(progress, thinkingPayload(responseId, whole.map((d) => (d.type === 'reasoning.text' ? d.text : '')).join(''), whole), MIME.thinking);
    };
    const flush = () => {
      reportThinking();
      for (const c of calls.drain()) {
        if (c.malformed) this.deps.log.warn(`lm: ${model.id} sent tool call "${c.name}" with arguments that are not a JSON object; passing {}`);
        progress.report(new vscode.LanguageModelToolCallPart(c.id, c.name, c.input));
      }
    };
    const outcome = await this.deps.routing.generate(request, {
      folder: this.deps.folders.active(),
      surface: 'lm',
      token,
      onChunk: (chunk) => {
        if (chunk.usage) usage = chunk.usage;
        if (!responseId && chunk.id) responseId = chunk.id;
        const choice = chunk.choices[0];
        if (!choice) return;
        const d = choice.delta;
        if (d.content) progress.report(new vscode.LanguageModelTextPart(d.content));
        if (d.reasoning) {
          reasoning += d.reasoning;
          if (opts.showReasoning) progress.report(new vscode.LanguageModelTextPart(d.reasoning));
        }
        if (d.reasoning_details) details.push(...d.reasoning_details);
        calls.add(d.tool_calls);
        // A tool call is reported once, whole: its arguments are complete when the choice finishes.
        if (choice.finish_reason) flush();
      },
    });
    flush();
    if (outcome.ok) {
      usage ??= outcome.response.usage;
      if (usage) this.reportData(progress, new TextEncoder().encode(JSON.stringify(usagePayload(usage))), MIME.usage);
      return;
    }
    if (outcome.error.kind === 'cancelled' || token.isCancellationRequested) throw new vscode.CancellationError();
    throw new Error(outcome.error.message);
  }

  async provideTokenCount(model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    if (typeof text === 'string') return this.tokens.count(model.family, text);
    const c = countable(partsOf(text));
    return (await this.tokens.count(model.family, c.text)) + c.images * TOKENS_PER_IMAGE + TOKENS_PER_MESSAGE;
  }

  /** A data part, on hosts whose API has them (1.105 and later); older hosts simply get none. */
  private reportData(progress: vscode.Progress<vscode.LanguageModelResponsePart>, data: Uint8Array, mimeType: string) {
    if (!DataPartCtor) return;
    progress.report(new DataPartCtor(data, mimeType) as unknown as vscode.LanguageModelResponsePart);
  }
}

/** The `usage` part: OpenAI's usage shape, which is what Copilot Chat reads from it. */
export function usagePayload(u: Usage): Record<string, unknown> {
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    total_tokens: u.total_tokens,
    prompt_tokens_details: { cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0, cache_write_tokens: u.prompt_tokens_details?.cache_write_tokens ?? 0 },
    ...(u.completion_tokens_details?.reasoning_tokens !== undefined
      ? { completion_tokens_details: { reasoning_tokens: u.completion_tokens_details.reasoning_tokens } }
      : {}),
  };
}
