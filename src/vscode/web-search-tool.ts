/**
 * `byok_webSearch`: a language-model tool any agent in the editor can call (Copilot agent mode,
 * `@byok`). It searches with the user's Firecrawl key and returns numbered sources with titles,
 * URLs, excerpts and page content, so the answer can cite them.
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import { CITE_INSTRUCTION, formatResults } from '../core';
import type { FolderTracker } from './folders';
import type { WebSearchService } from './web-search';

export const WEB_SEARCH_TOOL = 'byok_webSearch';

const inputSchema = z.object({ query: z.string().trim().min(1).max(1_000), maxResults: z.number().int().min(1).max(10).optional() }).strict();
export type WebSearchToolInput = z.infer<typeof inputSchema>;

export function registerWebSearchTool(web: WebSearchService, folders: FolderTracker): vscode.Disposable {
  return vscode.lm.registerTool<WebSearchToolInput>(WEB_SEARCH_TOOL, {
    prepareInvocation: (options) => ({ invocationMessage: `Searching the web for "${String(options.input?.query ?? '').slice(0, 100)}"` }),
    invoke: async (options, token) => {
      const input = inputSchema.safeParse(options.input);
      if (!input.success)
        throw new Error(`byok_webSearch: expected {"query": string, "maxResults"?: 1-10}: ${input.error.issues[0]?.message ?? 'invalid input'}`);
      const r = await web.search(input.data.query, { folder: folders.active(), surface: 'tool:byok_webSearch', limit: input.data.maxResults ?? 5, token });
      // A failure is a result the model can relay (out of credits, no key), not an exception that ends the turn.
      const text = r.ok ? `${formatResults(input.data.query, r.results)}\n\n${CITE_INSTRUCTION}` : `Web search failed: ${r.error.message}`;
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
    },
  });
}
