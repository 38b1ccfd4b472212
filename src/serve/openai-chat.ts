/** `POST /v1/chat/completions`: already the core's normalized shape, so only model names and usage change. */
import { type ChatChunk, type ChatCompletion, type ChatRequest, chatRequestSchema } from '../core';
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
    return {
      chunk(c: ChatChunk) {
        // Usage goes out once, at the end, and only when asked for (as OpenAI does).
        if (!c.choices.length) return '';
        id ??= c.id;
        created ||= c.created;
        const { usage: _usage, ...rest } = c;
        return sseData({ ...rest, model: parsed.clientModel });
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
