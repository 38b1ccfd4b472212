/** `POST /v1/chat/completions`: already the core's normalized shape, so only model names and usage change. */
import { type ChatChunk, type ChatCompletion, type ChatRequest, chatRequestSchema, isPlainTextChunk } from '../core';
import { parseBody, sseData, type ClientApi, type ParsedRequest, type StreamEncoder } from './api';
import { errorBody } from './errors';

export const openAIChat: ClientApi = {
  family: 'openai',

  parse(body, resolveModel): ParsedRequest {
    const { stream_options, ...rest } = parseBody(chatRequestSchema, body) as ChatRequest & { stream_options?: { include_usage?: boolean } };
    const clientModel = rest.model;
    return { request: { ...rest, model: resolveModel(clientModel) }, clientModel, includeUsage: stream_options?.include_usage === true };
  },

  complete(response: ChatCompletion, parsed): ChatCompletion {
    return { ...response, model: parsed.clientModel };
  },

  stream(parsed): StreamEncoder {
    let id: string | undefined;
    let created = 0;
    const text = new TextChunkEncoder(parsed.clientModel);
    return {
      chunk(c: ChatChunk) {
        // Usage goes out once, at the end, and only when asked for (as OpenAI does).
        if (!c.choices.length) return '';
        id ??= c.id;
        created ||= c.created;
        return text.encode(c) ?? sseData({ id: c.id, object: c.object, created: c.created, model: parsed.clientModel, choices: c.choices });
      },
      end(response) {
        const usage =
          parsed.includeUsage && response.usage
            ? sseData({
                id: id ?? response.id,
                object: 'chat.completion.chunk',
                created: created || response.created,
                model: parsed.clientModel,
                choices: [],
                usage: response.usage,
              })
            : '';
        return `${usage}data: [DONE]\n\n`;
      },
      error(e) {
        return sseData(errorBody('openai', e));
      },
    };
  },
};

/**
 * The chunk nearly every streamed token is — one choice, a text delta and nothing else — written
 * as the stream's fixed head plus the text, which is all that changes from one to the next:
 * serializing the whole chunk each time was most of the endpoint's cost per chunk. Anything
 * else returns undefined and goes through JSON.stringify; the JSON is the same either way.
 */
export class TextChunkEncoder {
  private head = '';
  private headOf: { id: string; created: number; index: number } | undefined;

  constructor(private readonly model: string) {}

  encode(c: ChatChunk): string | undefined {
    if (!isPlainTextChunk(c)) return undefined;
    const choice = c.choices[0]!;
    const h = this.headOf;
    if (!h || h.id !== c.id || h.created !== c.created || h.index !== choice.index) {
      this.headOf = { id: c.id, created: c.created, index: choice.index };
      const chunk = `{"id":${JSON.stringify(c.id)},"object":"chat.completion.chunk","created":${JSON.stringify(c.created)},"model":${JSON.stringify(this.model)}`;
      this.head = `data: ${chunk},"choices":[{"index":${JSON.stringify(choice.index)},"delta":{"content":`;
    }
    return `${this.head}${JSON.stringify(choice.delta.content)}},"finish_reason":null}]}\n\n`;
  }
}
