/** Folds stream chunks into the final OpenAI `chat.completion` the caller gets at the end. */
import { completionOf, type ChatChunk, type ChatCompletion, type FinishReason, type ToolCall, type Usage } from '../chat';
import { keepShape } from '../keep-shape';
import type { ReasoningDetail } from '../reasoning';

export class CompletionBuilder {
  private readonly text: string[] = [];
  private readonly reasoning: string[] = [];
  private readonly details: ReasoningDetail[] = [];
  private readonly tools: { id: string; name: string; args: string[] }[] = [];
  private finish: FinishReason | null = null;
  usage: Usage | undefined;
  id = '';
  chars = 0;

  add(chunk: ChatChunk) {
    if (!this.id && chunk.id) this.id = chunk.id;
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return;
    const d = choice.delta;
    if (d.content) {
      this.text.push(d.content);
      this.chars += d.content.length;
    }
    if (d.reasoning) this.reasoning.push(d.reasoning);
    if (d.reasoning_details) this.details.push(...d.reasoning_details);
    if (d.tool_calls) {
      for (const t of d.tool_calls) {
        let slot = this.tools[t.index];
        if (!slot) slot = this.tools[t.index] = { id: '', name: '', args: [] };
        if (t.id) slot.id = t.id;
        if (t.function?.name) slot.name = t.function.name;
        if (t.function?.arguments) {
          slot.args.push(t.function.arguments);
          this.chars += t.function.arguments.length;
        }
      }
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
  }

  build(model: string, created: number): ChatCompletion {
    const toolCalls: ToolCall[] = this.tools
      .filter(Boolean)
      .map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.args.join('') } }));
    return completionOf({
      id: this.id || `gen-${created}`,
      model,
      created,
      text: this.text,
      reasoning: this.reasoning,
      details: this.details,
      toolCalls,
      finish: this.finish,
      ...(this.usage ? { usage: this.usage } : {}),
    });
  }
}
keepShape(new CompletionBuilder());
