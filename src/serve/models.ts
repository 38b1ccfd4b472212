/**
 * Which catalog slug a client's model name means. Clients send their own defaults (Claude Code a
 * dated Claude id, Codex a `gpt-5-codex`), so names resolve through aliases, then the catalog's
 * slugs, then any provider's native id for a slug.
 */
import type { Catalog } from '../core';

/** What Claude Code and Codex CLI ask for out of the box, mapped to slugs in the bundled catalog. */
export const DEFAULT_MODEL_ALIASES: Readonly<Record<string, string>> = {
  // Claude Code
  'claude-sonnet-4-5-20250929': 'anthropic/claude-sonnet-4.5',
  'claude-sonnet-4-5': 'anthropic/claude-sonnet-4.5',
  'claude-sonnet-4-20250514': 'anthropic/claude-sonnet-4',
  'claude-opus-4-5-20251101': 'anthropic/claude-opus-4.5',
  'claude-opus-4-1-20250805': 'anthropic/claude-opus-4.1',
  'claude-opus-4-20250514': 'anthropic/claude-opus-4',
  'claude-haiku-4-5-20251001': 'anthropic/claude-haiku-4.5',
  'claude-3-5-haiku-20241022': 'anthropic/claude-haiku-4.5',
  'claude-3-5-haiku-latest': 'anthropic/claude-haiku-4.5',
  sonnet: 'anthropic/claude-sonnet-4.5',
  opus: 'anthropic/claude-opus-4.5',
  haiku: 'anthropic/claude-haiku-4.5',
  // Codex CLI
  'gpt-5-codex': 'openai/gpt-5',
  'gpt-5.1-codex': 'openai/gpt-5.1',
  'gpt-5.1-codex-max': 'openai/gpt-5.1',
  'gpt-5.1-codex-mini': 'openai/gpt-5-mini',
  'codex-mini-latest': 'openai/gpt-5-mini',
};

const FAMILY_FALLBACKS: [RegExp, string][] = [
  [/^claude-.*opus/, 'anthropic/claude-opus-4.5'],
  [/^claude-.*sonnet/, 'anthropic/claude-sonnet-4.5'],
  [/^claude-.*haiku/, 'anthropic/claude-haiku-4.5'],
  [/^gpt-[\d.]+-codex/, 'openai/gpt-5.1'],
];

export class ModelResolver {
  private readonly aliases: Map<string, string>;

  constructor(
    private readonly catalog: () => Catalog,
    aliases: Record<string, string> = {},
  ) {
    this.aliases = new Map(Object.entries({ ...DEFAULT_MODEL_ALIASES, ...aliases }));
  }

  resolve(name: string): string {
    const alias = this.aliases.get(name);
    if (alias) return alias;
    const catalog = this.catalog();
    if (catalog.get(name)) return name;
    // A provider's native id (`claude-sonnet-4-5`, `gpt-4o-mini`), with or without a date suffix.
    const undated = name.replace(/-\d{8}$/, '');
    for (const m of catalog.models.values()) {
      for (const offer of Object.values(m.providers)) if (offer.id === name || offer.id === undated) return m.slug;
    }
    // A newer Claude or Codex name than this build knows: the newest catalog model of its tier.
    for (const [re, slug] of FAMILY_FALLBACKS) if (re.test(name) && catalog.get(slug)) return slug;
    return name;
  }

  aliasNames(): string[] {
    return [...this.aliases.keys()];
  }
}
