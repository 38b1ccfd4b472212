/**
 * The routed models as a language-model provider: any extension that asks `vscode.lm` for vendor
 * `byok-router` gets them, and every request goes through the folder's router.
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import type { Catalog } from '../core/catalog/types';
import type { ChatRequest } from '../core/chat';
import type { FolderTracker } from './folders';
import type { Log } from './log';
import { estimateTokens, toChatMessages, toChatTools } from './lm-messages';
import { servableModels } from './models';
import type { RoutingService } from './routing';
import type { RoutingSettings } from './settings';
import { ToolCallAssembler } from './tool-calls';

export const VENDOR = 'byok-router';

/** The model options a caller may pass through; anything else is dropped rather than forwarded blind. */
const modelOptionsSchema = z
  .object({
    temperature: z.number().optional(),
    top_p: z.number().optional(),
    max_tokens: z.number().int().positive().optional(),
    maxTokens: z.number().int().positive().optional(),
    stop: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .catch({});

export interface ProviderDeps {
  routing: RoutingService;
  settings: RoutingSettings;
  folders: FolderTracker;
  catalog: Catalog;
  log: Log;
  /** Fires when keys, secrets or settings change the list of models. */
  onDidChangeModels: vscode.Event<void>;
}

export class RoutedModelProvider implements vscode.LanguageModelChatProvider {
  readonly onDidChangeLanguageModelChatInformation: vscode.Event<void>;

  constructor(private readonly deps: ProviderDeps) {
    this.onDidChangeLanguageModelChatInformation = deps.onDidChangeModels;
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
      capabilities: { toolCalling: m.tools, imageInput: false },
    }));
  }

  async provideLanguageModelChatResponse(
    model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const opts = modelOptionsSchema.parse(options.modelOptions ?? {});
    const tools = toChatTools(options.tools);
    const request: ChatRequest = {
      model: model.id,
      messages: toChatMessages(messages),
      stream: true,
      ...(tools ? { tools, tool_choice: options.toolMode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto' } : {}),
      ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
      ...(opts.top_p !== undefined ? { top_p: opts.top_p } : {}),
      ...((opts.max_tokens ?? opts.maxTokens) ? { max_tokens: opts.max_tokens ?? opts.maxTokens } : {}),
      ...(opts.stop !== undefined ? { stop: opts.stop } : {}),
    };
    const calls = new ToolCallAssembler();
    const flush = () => {
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
        const choice = chunk.choices[0];
        if (!choice) return;
        if (choice.delta.content) progress.report(new vscode.LanguageModelTextPart(choice.delta.content));
        calls.add(choice.delta.tool_calls);
        // A tool call is reported once, whole: its arguments are complete when the choice finishes.
        if (choice.finish_reason) flush();
      },
    });
    flush();
    if (outcome.ok) return;
    if (outcome.error.kind === 'cancelled' || token.isCancellationRequested) throw new vscode.CancellationError();
    throw new Error(outcome.error.message);
  }

  async provideTokenCount(_model: vscode.LanguageModelChatInformation, text: string | vscode.LanguageModelChatRequestMessage): Promise<number> {
    return estimateTokens(text);
  }
}
