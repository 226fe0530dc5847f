/**
 * A fast path for the YAML that estate files are made of, with node positions; everything else falls back.
 *
 * The `yaml` package is exact but slow (its lexer, parser and composer take tens of milliseconds for a
 * 60 KB estate); `validate` runs on every edit and in every verb. Estate files use a small part of YAML:
 * block mappings and sequences, one-line flow collections (`{ to: api }`, `[par-1, par-2]`), plain and
 * simply quoted scalars, comments; JSON files are one flow collection. This parser reads exactly that
 * and answers `undefined` (the caller then uses the `yaml` package) at the first thing outside it:
 * anchors, aliases, tags, block scalars, multi-line scalars, document markers, tabs, CR, unusual escapes,
 * duplicate keys, any syntax error. So it never has to be right about hard YAML, only to recognise it.
 * Scalars resolve with the YAML 1.2 core schema's own patterns, as the `yaml` package does; a unit test
 * compares values and positions with the `yaml` package on every example, fixture and generated estates.
 */

/** A node and where it starts (offset in the text), for locating diagnostics. */
export type FastNode =
  | { kind: 'map'; start: number; pairs: Map<string, { keyStart: number; value: FastNode }> }
  | { kind: 'seq'; start: number; items: FastNode[] }
  | { kind: 'scalar'; start: number; empty: boolean };

export interface FastDocument {
  /** The plain JavaScript value (as the `yaml` package's toJS gives it). */
  value: unknown;
  /** Absent for an empty document. */
  root?: FastNode;
}

/** Thrown inside the parser to give up; never escapes this module. */
class Unsupported extends Error {}

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** Plain scalars the core schema would resolve in ways this parser does not mirror (octal, hex, inf, nan). */
const EXOTIC = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** A plain key inside a flow mapping (sticky: matched in place, without slicing the text). */
const FLOW_KEY = /[A-Za-z0-9_$][A-Za-z0-9_$.\-/]*/y;

function resolvePlain(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === 't' || text[0] === 'T';
  if (INT.test(text) || FLOAT.test(text)) return Number(text);
  if (EXOTIC.test(text)) throw new Unsupported();
  return text;
}

/** Parse `text` if it stays within the supported subset; undefined means "use the full parser". */
export function fastParse(text: string): FastDocument | undefined {
  // Outside the subset by construction, or needing the full parser's care.
  if (text.includes('\t') || text.includes('\r') || text.includes('__proto__') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    return new FastParser(text).document();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class FastParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): FastDocument {
    const indent = this.nextContentLine();
    if (indent < 0) return { value: null };
    if (indent !== 0) throw new Unsupported();
    if (this.text.startsWith('---', this.pos) || this.text[this.pos] === '%') throw new Unsupported();
    const { value, node } = this.block(0, this.pos, true);
    if (this.nextContentLine() >= 0) throw new Unsupported();
    return { value, root: node };
  }

  /**
   * Move to the start of the next line holding content (not blank, not only a comment); return its
   * indentation, or -1 at the end. `pos` must be at a line start.
   */
  private nextContentLine(): number {
    const t = this.text;
    while (this.pos < t.length) {
      let p = this.pos;
      while (t.charCodeAt(p) === 32) p++;
      const c = t[p];
      if (c === undefined) {
        this.pos = t.length;
        return -1;
      }
      if (c !== '\n' && c !== '#') return p - this.pos;
      const end = t.indexOf('\n', p);
      this.pos = end < 0 ? t.length : end + 1;
    }
    return -1;
  }

  /** The block node whose first character is at `at` (column `indent`). */
  private block(indent: number, at: number, topLevel = false): { value: unknown; node: FastNode } {
    const t = this.text;
    const c = t[at];
    if (c === '-' && (t[at + 1] === ' ' || t[at + 1] === '\n' || at + 1 === t.length)) return this.blockSeq(indent, at);
    if (c === '[' || c === '{') {
      const result = this.flow(at, topLevel);
      this.endOfLine(result.end);
      return result;
    }
    return this.blockMap(indent, at);
  }

  private blockMap(indent: number, firstKey: number): { value: unknown; node: FastNode } {
    const t = this.text;
    const value: Record<string, unknown> = {};
    const pairs = new Map<string, { keyStart: number; value: FastNode }>();
    let at = firstKey;
    for (;;) {
      const key = this.key(at);
      if (pairs.has(key.text)) throw new Unsupported();
      let p = key.end + 1; // past ':'
      while (t.charCodeAt(p) === 32) p++;
      let entry: { value: unknown; node: FastNode };
      if (p >= t.length || t[p] === '\n' || t[p] === '#') {
        this.endOfLine(p);
        const next = this.nextContentLine();
        const nextIsSeq = next === indent && t[this.pos + next] === '-' && (t[this.pos + next + 1] === ' ' || t[this.pos + next + 1] === '\n');
        if (next > indent || nextIsSeq) entry = this.block(next, this.pos + next);
        else entry = { value: null, node: { kind: 'scalar', start: key.end + 1, empty: true } };
      } else {
        const inline = this.inline(p);
        this.endOfLine(inline.end);
        entry = inline;
        if (this.nextContentLine() > indent) throw new Unsupported(); // a multi-line scalar, or an error
      }
      value[key.text] = entry.value;
      pairs.set(key.text, { keyStart: key.start, value: entry.node });
      const next = this.pos < t.length ? this.nextContentLine() : -1;
      if (next < indent) return { value, node: { kind: 'map', start: firstKey, pairs } };
      if (next > indent || t[this.pos + next] === '-') throw new Unsupported();
      at = this.pos + next;
    }
  }

  private blockSeq(indent: number, first: number): { value: unknown; node: FastNode } {
    const t = this.text;
    const value: unknown[] = [];
    const items: FastNode[] = [];
    let at = first;
    for (;;) {
      let p = at + 1;
      while (t.charCodeAt(p) === 32) p++;
      if (p >= t.length || t[p] === '\n' || t[p] === '#' || t[p] === '-') throw new Unsupported(); // empty or nested items
      const column = indent + (p - at);
      if (this.looksLikeKey(p)) {
        const entry = this.blockMap(column, p);
        value.push(entry.value);
        items.push(entry.node);
      } else {
        const entry = this.inline(p);
        this.endOfLine(entry.end);
        value.push(entry.value);
        items.push(entry.node);
        if (this.nextContentLine() > indent) throw new Unsupported();
      }
      const next = this.pos < t.length ? this.nextContentLine() : -1;
      const dash = t[this.pos + next] === '-' && (t[this.pos + next + 1] === ' ' || t[this.pos + next + 1] === '\n');
      // A sequence may sit at its parent key's indentation: a key at that indentation ends it.
      if (next < indent || (next === indent && !dash)) return { value, node: { kind: 'seq', start: first, items } };
      if (next > indent) throw new Unsupported();
      at = this.pos + next;
    }
  }

  /** Is a block mapping key (plain or quoted, then ':' and a space or end of line) at `p`? */
  private looksLikeKey(p: number): boolean {
    const t = this.text;
    if (t[p] === '"' || t[p] === "'") {
      const end = t.indexOf(t[p]!, p + 1);
      return end > 0 && t[end + 1] === ':';
    }
    if (t[p] === '[' || t[p] === '{') return false;
    const eol = t.indexOf('\n', p);
    const line = t.slice(p, eol < 0 ? t.length : eol);
    const colon = line.search(/:( |$)/);
    const hash = line.search(/ #/);
    return colon > 0 && (hash < 0 || colon < hash);
  }

  /** A block mapping key at `p`: its text, start, and the offset of its ':'. */
  private key(p: number): { text: string; start: number; end: number } {
    const t = this.text;
    if (t[p] === '"' || t[p] === "'") {
      const s = this.quoted(p);
      if (t[s.end] !== ':' || !(t[s.end + 1] === ' ' || t[s.end + 1] === '\n' || s.end + 1 === t.length)) throw new Unsupported();
      return { text: s.value, start: p, end: s.end };
    }
    let q = p;
    while (q < t.length && t[q] !== '\n' && !(t[q] === ':' && (t[q + 1] === ' ' || t[q + 1] === '\n' || q + 1 === t.length))) q++;
    if (t[q] !== ':') throw new Unsupported();
    const text = t.slice(p, q).trimEnd();
    // Keys are names here: anything fancier (indicators, non-string keys) goes to the full parser.
    if (!/^[A-Za-z0-9_$][A-Za-z0-9_$.\-/]*$/.test(text) || typeof resolvePlain(text) !== 'string') throw new Unsupported();
    return { text, start: p, end: q };
  }

  /** A value on the rest of a line: flow collection, quoted or plain scalar. */
  private inline(p: number): { value: unknown; node: FastNode; end: number } {
    const t = this.text;
    const c = t[p]!;
    if (c === '[' || c === '{') return this.flow(p, false);
    if (c === '"' || c === "'") {
      const s = this.quoted(p);
      return { value: s.value, node: { kind: 'scalar', start: p, empty: false }, end: s.end };
    }
    if ('&*!|>%@`,]}#'.includes(c) || ((c === '?' || c === ':' || c === '-') && (t[p + 1] === ' ' || t[p + 1] === '\n'))) throw new Unsupported();
    let q = p;
    while (q < t.length && t[q] !== '\n' && !(t[q] === ' ' && t[q + 1] === '#')) q++;
    const raw = t.slice(p, q).trimEnd();
    if (/: |:$/.test(raw)) throw new Unsupported();
    return { value: resolvePlain(raw), node: { kind: 'scalar', start: p, empty: false }, end: p + raw.length };
  }

  /** Only spaces and maybe a comment from `p` to the end of the line; leaves `pos` at the next line. */
  private endOfLine(p: number): void {
    const t = this.text;
    let q = p;
    while (t.charCodeAt(q) === 32) q++;
    if (q < t.length && t[q] !== '\n') {
      if (t[q] !== '#' || (q === p && q > 0 && t[q - 1] !== ' ')) throw new Unsupported();
    }
    const end = t.indexOf('\n', q);
    this.pos = end < 0 ? t.length : end + 1;
  }

  /** A quoted scalar at `p`; end is the offset after the closing quote. Simple escapes only. */
  private quoted(p: number): { value: string; end: number } {
    const t = this.text;
    const quote = t[p];
    let out = '';
    let q = p + 1;
    for (;;) {
      const c = t[q];
      if (c === undefined || c === '\n') throw new Unsupported();
      if (c === quote) {
        if (quote === "'" && t[q + 1] === "'") {
          out += "'";
          q += 2;
          continue;
        }
        return { value: out, end: q + 1 };
      }
      if (c === '\\' && quote === '"') {
        const e = t[q + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t' };
        if (e === undefined || !(e in map)) throw new Unsupported();
        out += map[e];
        q += 2;
        continue;
      }
      out += c;
      q++;
    }
  }

  /** Skip spaces (and, inside a multi-line flow collection, newlines and comments). */
  private flowSpace(p: number, multiline: boolean): number {
    const t = this.text;
    for (;;) {
      const c = t[p];
      if (c === ' ') p++;
      else if (c === '\n' && multiline) p++;
      else if (c === '#' && multiline && (t[p - 1] === ' ' || t[p - 1] === '\n')) {
        const end = t.indexOf('\n', p);
        p = end < 0 ? t.length : end;
      } else return p;
    }
  }

  /**
   * A flow collection at `p`. Only a top-level one (a JSON file) may span lines: a nested one that does
   * must respect indentation rules this parser does not check, so it falls back.
   */
  private flow(p: number, multiline: boolean): { value: unknown; node: FastNode; end: number } {
    const t = this.text;
    const open = t[p];
    const close = open === '[' ? ']' : '}';
    let q = this.flowSpace(p + 1, multiline);
    if (open === '[') {
      const value: unknown[] = [];
      const items: FastNode[] = [];
      while (t[q] !== close) {
        const item = this.flowValue(q, multiline);
        value.push(item.value);
        items.push(item.node);
        q = this.flowSpace(item.end, multiline);
        if (t[q] === ',') q = this.flowSpace(q + 1, multiline);
        else if (t[q] !== close) throw new Unsupported();
      }
      return { value, node: { kind: 'seq', start: p, items }, end: q + 1 };
    }
    const value: Record<string, unknown> = {};
    const pairs = new Map<string, { keyStart: number; value: FastNode }>();
    while (t[q] !== close) {
      const keyStart = q;
      let key: string;
      if (t[q] === '"' || t[q] === "'") {
        const s = this.quoted(q);
        key = s.value;
        q = this.flowSpace(s.end, multiline);
        if (t[q] !== ':') throw new Unsupported();
        q++;
      } else {
        FLOW_KEY.lastIndex = q;
        const m = FLOW_KEY.exec(t);
        if (!m) throw new Unsupported();
        key = m[0];
        if (typeof resolvePlain(key) !== 'string') throw new Unsupported();
        q += key.length;
        if (t[q] !== ':' || !(t[q + 1] === ' ' || (multiline && t[q + 1] === '\n'))) throw new Unsupported();
        q++;
      }
      if (pairs.has(key)) throw new Unsupported();
      q = this.flowSpace(q, multiline);
      if (t[q] === ',' || t[q] === close) throw new Unsupported(); // an empty value
      const item = this.flowValue(q, multiline);
      value[key] = item.value;
      pairs.set(key, { keyStart, value: item.node });
      q = this.flowSpace(item.end, multiline);
      if (t[q] === ',') q = this.flowSpace(q + 1, multiline);
      else if (t[q] !== close) throw new Unsupported();
    }
    return { value, node: { kind: 'map', start: p, pairs }, end: q + 1 };
  }

  private flowValue(p: number, multiline: boolean): { value: unknown; node: FastNode; end: number } {
    const t = this.text;
    const c = t[p];
    if (c === undefined) throw new Unsupported();
    if (c === '[' || c === '{') return this.flow(p, multiline);
    if (c === '"' || c === "'") {
      const s = this.quoted(p);
      const after = this.flowSpace(s.end, multiline);
      if (t[after] === ':') throw new Unsupported(); // a single-pair mapping inside a sequence
      return { value: s.value, node: { kind: 'scalar', start: p, empty: false }, end: s.end };
    }
    if ('&*!|>%@`,]}#'.includes(c) || ((c === '?' || c === ':' || c === '-') && (t[p + 1] === ' ' || t[p + 1] === '\n'))) throw new Unsupported();
    let q = p;
    for (;;) {
      const d = t[q];
      if (d === undefined || d === '\n' || d === ',' || d === ']' || d === '}' || d === '[' || d === '{') break;
      if (d === ':' && (t[q + 1] === ' ' || t[q + 1] === '\n' || t[q + 1] === ',' || t[q + 1] === ']' || t[q + 1] === '}')) throw new Unsupported();
      if (d === ' ' && t[q + 1] === '#') throw new Unsupported();
      q++;
    }
    if (t[q] === '[' || t[q] === '{' || (t[q] === '\n' && !multiline)) throw new Unsupported();
    const raw = t.slice(p, q).trimEnd();
    if (t[q] === '\n' && multiline) {
      // A plain scalar followed by a line break inside a flow collection may continue on the next line.
      const next = this.flowSpace(q, true);
      if (t[next] !== ',' && t[next] !== ']' && t[next] !== '}') throw new Unsupported();
    }
    return { value: resolvePlain(raw), node: { kind: 'scalar', start: p, empty: false }, end: p + raw.length };
  }
}

/** 1-based line and column of offsets, by binary search over line starts. */
export function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}
