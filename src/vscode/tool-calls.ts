/** Streamed tool-call deltas, collected until each call is whole (the editor wants each call once, complete). */
import type { ToolCallDelta } from '../core';

export interface CompleteToolCall {
  id: string;
  name: string;
  input: object;
  /** The arguments were not a JSON object; `input` is empty. */
  malformed: boolean;
}

/** Collects streamed tool-call deltas (by index) until each call's arguments are complete. */
export class ToolCallAssembler {
  private readonly calls = new Map<number, { id?: string; name?: string; args: string }>();

  add(deltas: readonly ToolCallDelta[] | undefined) {
    for (const d of deltas ?? []) {
      const c = this.calls.get(d.index) ?? { args: '' };
      if (d.id) c.id = d.id;
      if (d.function?.name) c.name = (c.name ?? '') + d.function.name;
      if (d.function?.arguments) c.args += d.function.arguments;
      this.calls.set(d.index, c);
    }
  }

  /** Every call collected so far, in index order; the assembler is empty afterwards. */
  drain(): CompleteToolCall[] {
    const out = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => {
        const input = parseObject(c.args);
        return { id: c.id ?? `call_${index}`, name: c.name ?? 'unknown', input: input ?? {}, malformed: input === undefined };
      });
    this.calls.clear();
    return out;
  }
}

function parseObject(text: string): object | undefined {
  if (!text.trim()) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
