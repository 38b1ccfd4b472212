/**
 * Model-filter globs, matched in time linear in the slug: the pattern becomes a list of tokens
 * and every position is tracked at once (a set of states, as a Thompson NFA runs), so nothing
 * backtracks. A pattern from a repository's settings must never be able to freeze the host;
 * regular-expression globs do, on `*a*a*a*a*…b` against a long slug.
 *
 * Syntax: `*` (any run without "/"), `**` (any run), `?` (one character but "/"), `[a-z]` and
 * `[!…]`/`[^…]` classes, `{a,b}` alternatives (nested, expanded), a leading `!` negates. Case is
 * ignored.
 */

type Token = { t: 'char'; c: string } | { t: 'any' } | { t: 'class'; negated: boolean; ranges: [string, string][] } | { t: 'star'; slash: boolean };

export const MAX_PATTERN_LENGTH = 256;
export const MAX_ALTERNATIVES = 64;

export class GlobError extends Error {}

/** `{a,b}x` → [`ax`, `bx`]; nested braces expand from the inside out, bounded. */
function expandBraces(p: string): string[] {
  const open = p.indexOf('{');
  if (open < 0) return [p];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < p.length; i++) {
    const ch = p[i];
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) {
      close = i;
      break;
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) throw new GlobError('unbalanced "{"');
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  const rests = expandBraces(p.slice(close + 1));
  for (let i = 0; i + 1 < bounds.length; i++) {
    for (const inner of expandBraces(p.slice(bounds[i]! + 1, bounds[i + 1]!))) {
      for (const rest of rests) {
        out.push(p.slice(0, open) + inner + rest);
        if (out.length > MAX_ALTERNATIVES) throw new GlobError(`expands to more than ${MAX_ALTERNATIVES} alternatives`);
      }
    }
  }
  return out;
}

function tokenize(p: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') {
      const globstar = p[i + 1] === '*';
      while (p[i + 1] === '*') i++;
      // Consecutive stars are one state: `***` is `**`, and `*` next to `**` adds nothing.
      const prev = tokens[tokens.length - 1];
      if (prev?.t === 'star') prev.slash ||= globstar;
      else tokens.push({ t: 'star', slash: globstar });
    } else if (ch === '?') tokens.push({ t: 'any' });
    else if (ch === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) throw new GlobError('unbalanced "["');
      let body = p.slice(i + 1, end);
      const negated = body[0] === '!' || body[0] === '^';
      if (negated) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j]!.toLowerCase(), body[j + 2]!.toLowerCase()]);
          j += 2;
        } else ranges.push([body[j]!.toLowerCase(), body[j]!.toLowerCase()]);
      }
      tokens.push({ t: 'class', negated, ranges });
      i = end;
    } else if (ch === ']' || ch === '{' || ch === '}') throw new GlobError(`unexpected "${ch}"`);
    else tokens.push({ t: 'char', c: ch.toLowerCase() });
  }
  return tokens;
}

function step(tok: Token, c: string): boolean {
  switch (tok.t) {
    case 'char':
      return tok.c === c;
    case 'any':
      return c !== '/';
    case 'class': {
      if (c === '/') return false;
      const hit = tok.ranges.some(([a, b]) => c >= a && c <= b);
      return hit !== tok.negated;
    }
    case 'star':
      return false;
  }
}

/**
 * One alternative as a matcher. Literal patterns and `prefix*` (the common shapes) are string
 * tests; everything else runs the state set: O(slug × tokens), never worse.
 */
function matcherFor(tokens: Token[]): (slug: string) => boolean {
  let lead = 0;
  while (lead < tokens.length && tokens[lead]!.t === 'char') lead++;
  const prefix = tokens
    .slice(0, lead)
    .map((t) => (t as { c: string }).c)
    .join('');
  if (lead === tokens.length) return (s) => s === prefix;
  const last = tokens[lead]!;
  if (lead === tokens.length - 1 && last.t === 'star') {
    return last.slash ? (s) => s.startsWith(prefix) : (s) => s.startsWith(prefix) && s.indexOf('/', prefix.length) < 0;
  }
  return (s) => s.startsWith(prefix) && run(tokens, s);
}

function run(tokens: Token[], slug: string): boolean {
  const n = tokens.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  const close = (set: Uint8Array) => {
    // A star may match nothing: its successor is reachable too.
    for (let i = 0; i < n; i++) if (set[i] && tokens[i]!.t === 'star') set[i + 1] = 1;
  };
  cur[0] = 1;
  close(cur);
  for (let k = 0; k < slug.length; k++) {
    const c = slug[k]!;
    next.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!cur[i]) continue;
      const tok = tokens[i]!;
      const to = tok.t === 'star' ? (tok.slash || c !== '/' ? i : -1) : step(tok, c) ? i + 1 : -1;
      if (to >= 0) {
        next[to] = 1;
        any = true;
      }
    }
    if (!any) return false;
    close(next);
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

/** Compiles a glob to a matcher, or throws GlobError saying what is wrong with it. */
export function compileGlob(pattern: string): (slug: string) => boolean {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new GlobError(`longer than ${MAX_PATTERN_LENGTH} characters`);
  const negated = pattern.startsWith('!');
  const alternatives = expandBraces(negated ? pattern.slice(1) : pattern).map((p) => matcherFor(tokenize(p)));
  if (alternatives.length === 1 && !negated) {
    const only = alternatives[0]!;
    return (slug: string) => only(slug.toLowerCase());
  }
  return (slug: string) => {
    const s = slug.toLowerCase();
    let hit = false;
    for (const m of alternatives) if ((hit = m(s))) break;
    return hit !== negated;
  };
}
