/**
 * Loading an estate file: YAML (or JSON, which is YAML) text -> the typed spec, with diagnostics that
 * point at file:line:column.
 *
 * Three stages, each turning user mistakes into diagnostics instead of exceptions: YAML syntax (ordinary
 * estate files through fast-yaml.ts, about ten times faster; anything else, and every error, through the
 * `yaml` package's positions; duplicate keys are their own code), then the zod schema, whose issues get a
 * stable code per kind (unknown key with a did-you-mean, wrong type, missing key, invalid value with the
 * valid ones, invalid name, duration, prefix). Meaning checks over a structurally valid spec live in
 * validate.ts. `locate` maps any document path back to a position, for this module and for the pipeline.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import type { Diagnostic } from './diagnostics.ts';
import { Cidr, Duration, Estate, Name, type EstateSpec } from './schema.ts';
import { suggest } from './suggest.ts';
import { fastParse, lineIndex, type FastNode } from './fast-yaml.ts';

export interface LoadedEstate {
  spec?: EstateSpec;
  diagnostics: Diagnostic[];
  /**
   * Position (1-based) of the node at a document path, or of its closest existing ancestor. A map entry
   * whose value is a scalar is located at the value, any other at its key; `at: 'key'` forces the key
   * (unknown keys, invalid record keys).
   */
  locate: (path: (string | number)[], at?: 'key' | 'value') => { line: number; column: number } | undefined;
}

type Path = (string | number)[];
type Position = { line: number; column: number };

/** The regex source zod reports for a string schema's pattern (probed once, so it follows schema.ts). */
function patternOf(schema: z.ZodType): string | undefined {
  const issue = schema.safeParse('\u0000').error?.issues[0] as { pattern?: unknown } | undefined;
  return typeof issue?.pattern === 'string' ? issue.pattern : undefined;
}
const PATTERN_CODES = new Map<string | undefined, string>([
  [patternOf(Name), 'E_INVALID_NAME'],
  [patternOf(Duration), 'E_INVALID_DURATION'],
  [patternOf(Cidr), 'E_INVALID_CIDR'],
]);
PATTERN_CODES.delete(undefined);

const DURATION_HINT = 'a whole number and a unit: 30s, 15m, 1h, 30d, 2w, 2y (months are not a unit: write 30d)';

/** Parse, check the structure, and index positions. Never throws for user input. */
export function loadEstateText(text: string, file: string): LoadedEstate {
  // The fast subset parser reads ordinary estate files in a fraction of the time; anything else (and
  // every syntax error) goes through the yaml package, which also gives the precise error positions.
  const fast = fastParse(text);
  if (fast) return checkStructure(fast.value, file, makeFastLocator(fast.root, text));

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = makeLocator(doc, lineCounter);
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  const result = (): LoadedEstate => ({ diagnostics, locate: locator });

  const seen = new Set<string>();
  for (const error of doc.errors) {
    // The parser sometimes reports one cause twice (a flow map and its enclosing flow sequence).
    const key = `${error.pos[0]}:${error.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const duplicate = error.code === 'DUPLICATE_KEY';
    diagnostics.push({
      severity: 'error',
      code: duplicate ? 'E_DUPLICATE_KEY' : 'E_YAML_SYNTAX',
      message: duplicate
        ? `duplicate key ${keyTextAt(text, error.pos[0])}: a key may appear only once in a mapping`
        : `YAML syntax: ${error.message}`,
      file,
      ...at(error.pos[0]),
      ...(duplicate ? { hint: 'merge the two entries or rename one' } : {}),
    });
  }
  if (diagnostics.length > 0) return result();

  let data: unknown;
  try {
    // The alias cap defends against "billion laughs" documents.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    diagnostics.push({ severity: 'error', code: 'E_YAML_SYNTAX', message: `YAML: ${(error as Error).message}`, file, line: 1, column: 1 });
    return result();
  }
  // zod drops a "__proto__" record key silently (prototype-pollution safety): report it instead, since
  // the schema allows no such key anywhere. The text test keeps the walk off the common path.
  if (text.includes('__proto__')) {
    for (const path of protoKeys(doc.contents, [])) {
      diagnostics.push({
        severity: 'error',
        code: 'E_INVALID_NAME',
        message: '"__proto__" is not a valid name: it would rewrite a JavaScript object\'s prototype',
        path,
        file,
        ...(locator(path, 'key') ?? {}),
        hint: 'names become interface, file and rule names: a-z, 0-9 and "-", starting with a letter',
      });
    }
  }
  return checkStructure(data, file, locator, diagnostics);
}

/** The schema stage over plain data, whichever parser produced it. */
function checkStructure(data: unknown, file: string, locator: LoadedEstate['locate'], diagnostics: Diagnostic[] = []): LoadedEstate {
  const result = (spec?: EstateSpec): LoadedEstate => ({ spec, diagnostics, locate: locator });
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push({
      severity: 'error',
      code: 'E_TYPE',
      message: `the estate file must be a mapping (estate:, zones:, applications: ...), got ${describeValue(data)}`,
      file,
      ...(locator([]) ?? { line: 1, column: 1 }),
      hint: 'start from examples/minimal.yaml',
    });
    return result();
  }

  const parsed = Estate.safeParse(data);
  if (parsed.success) return result(diagnostics.length ? undefined : parsed.data);
  for (const issue of parsed.error.issues) {
    for (const d of issueDiagnostics(issue as unknown as ZodIssue, data)) {
      diagnostics.push({ ...d, file, ...(locator(d.path ?? [], d.keyPosition ? 'key' : 'value') ?? {}) });
    }
  }
  for (const d of diagnostics) delete (d as { keyPosition?: boolean }).keyPosition;
  return result();
}

/** Document paths of every "__proto__" map key. */
function protoKeys(node: unknown, path: Path): Path[] {
  const found: Path[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === '__proto__') found.push([...path, key]);
      found.push(...protoKeys(pair.value, [...path, key]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => found.push(...protoKeys(item, [...path, i])));
  }
  return found;
}

/** The key written at an offset, quoted for a message (the parser's error range covers one character). */
function keyTextAt(text: string, offset: number): string {
  const match = /^("[^"\n]*"|'[^'\n]*'|[^:\s,{}[\]]+)/.exec(text.slice(offset, offset + 200));
  const key = match?.[1] ?? '';
  return key.startsWith('"') || key.startsWith("'") ? `"${key.slice(1, -1)}"` : `"${key}"`;
}

/** The fields of a zod v4 issue this module reads. */
interface ZodIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
  expected?: string;
  origin?: string;
  format?: string;
  pattern?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  issues?: ZodIssue[];
}

type PendingDiagnostic = Diagnostic & { keyPosition?: boolean };

function issueDiagnostics(issue: ZodIssue, data: unknown): PendingDiagnostic[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const where = displayPath(path);
  const address = addressOf(path);
  const base = { severity: 'error' as const, path, ...(address ? { address } : {}) };
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = validKeys(path);
      return (issue.keys ?? []).map((key) => ({
        ...base,
        ...(addressOf([...path, key]) ? { address: addressOf([...path, key]) } : {}),
        path: [...path, key],
        keyPosition: true,
        code: 'E_UNKNOWN_KEY',
        message: `unknown key "${key}" in ${where || 'the estate'}`,
        // YAML 1.2 has no merge key: "<<" is read as a plain key, which deserves a clearer word.
        hint: key === '<<' ? 'YAML merge keys (<<) are not supported: write the keys out' : suggest(key, valid, 'valid keys'),
      }));
    }
    case 'invalid_key': {
      const key = String(path[path.length - 1]);
      const inner = issue.issues?.[0];
      const enumKeys = validKeys(path.slice(0, -1));
      if (inner?.code === 'invalid_value' || (enumKeys.length > 0 && inner?.code !== 'invalid_format')) {
        return [{ severity: 'error', path, keyPosition: true, code: 'E_INVALID_VALUE', message: `"${key}" is not a valid key in ${displayPath(path.slice(0, -1))}`, hint: suggest(key, enumKeys) }];
      }
      // No address: an invalid name cannot make a canonical address.
      return [{ severity: 'error', path, keyPosition: true, code: 'E_INVALID_NAME', message: `"${key}" is not a valid name: ${inner?.message ?? issue.message}`, ...nameHint(key) }];
    }
    case 'invalid_type': {
      if (value === undefined && !hasKey(data, path)) {
        return [{ ...base, code: 'E_REQUIRED', message: `missing required key "${String(path[path.length - 1])}" in ${displayPath(path.slice(0, -1)) || 'the estate'}` }];
      }
      const expectedCode = issue.expected === 'string' ? PATTERN_CODES.get(patternAt(path)) : undefined;
      const typeHint = expectedCode === 'E_INVALID_DURATION' ? { hint: DURATION_HINT } : expectedCode === 'E_INVALID_NAME' ? nameHint('') : {};
      return [{ ...base, code: 'E_TYPE', message: `${where} must be ${describeExpected(issue.expected)}, got ${describeValue(value)}`, ...typeHint }];
    }
    case 'invalid_value': {
      const values = (issue.values ?? []).map(String);
      return [{ ...base, code: 'E_INVALID_VALUE', message: `${typeof value === 'string' ? `"${value}"` : describeValue(value)} is not a valid value for ${where}`, hint: suggest(String(value), values) }];
    }
    case 'invalid_format': {
      const code = (issue.format === 'regex' && PATTERN_CODES.get(issue.pattern)) || 'E_INVALID_FORMAT';
      const shown = typeof value === 'string' ? `"${value}"` : describeValue(value);
      if (code === 'E_INVALID_NAME') return [{ ...base, code, message: `${shown} is not a valid name (${where}): ${issue.message}`, ...nameHint(String(value)) }];
      if (code === 'E_INVALID_DURATION') return [{ ...base, code, message: `${shown} is not a valid duration (${where})`, hint: DURATION_HINT }];
      if (code === 'E_INVALID_CIDR') return [{ ...base, code, message: `${shown} is not a valid IPv4 prefix (${where})`, hint: 'write an address and a prefix length, such as 198.18.0.0/15' }];
      const reason = issue.format === 'url' ? 'must be a URL such as https://id.example.org' : issue.message;
      return [{ ...base, code, message: `${shown} is not valid for ${where}: ${reason}` }];
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = Number(small ? issue.minimum : issue.maximum);
      const exclusive = issue.inclusive === false;
      const bound = small ? (exclusive ? limit + 1 : limit) : exclusive ? limit - 1 : limit;
      const counted = issue.origin === 'array' ? ' item' : issue.origin === 'string' ? ' character' : '';
      const what = counted ? `have ${small ? 'at least' : 'at most'} ${bound}${counted}${bound === 1 ? '' : 's'}` : `be ${small ? 'at least' : 'at most'} ${bound}`;
      const got = Array.isArray(value) ? `${value.length}` : describeValue(value);
      return [{ ...base, code: 'E_RANGE', message: `${where} must ${what}, got ${got}` }];
    }
    default:
      return [{ ...base, code: 'E_SCHEMA', message: `${where || 'the estate'}: ${issue.message}` }];
  }
}

/** A hint for an invalid name: point out non-ASCII look-alikes and lengths, the usual culprits. */
function nameHint(name: string): { hint?: string } {
  const foreign = [...name].find((c) => c.codePointAt(0)! > 0x7e);
  if (foreign) {
    const code = foreign.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return { hint: `contains the non-ASCII character "${foreign}" (U+${code}): names are ASCII only, so that look-alikes cannot pass` };
  }
  if (name.length > 63) return { hint: `${name.length} characters: at most 63` };
  if (/[A-Z]/.test(name)) return { hint: `write it in lower case: "${name.toLowerCase()}"` };
  return { hint: 'names become interface, file and rule names: a-z, 0-9 and "-", starting with a letter' };
}

/** applications.aides.flows[0].to */
export function displayPath(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

const KIND_PREFIX: Record<string, string> = { applications: 'app', databases: 'db', caches: 'cache', buckets: 'bucket' };

/** The canonical address a document path falls under (app/aides for applications.aides.port). */
export function addressOf(path: Path): string | undefined {
  const prefix = KIND_PREFIX[String(path[0])];
  return prefix && path.length >= 2 ? `${prefix}/${String(path[1])}` : undefined;
}

function valueAt(data: unknown, path: Path): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function hasKey(data: unknown, path: Path): boolean {
  const parent = valueAt(data, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, path[path.length - 1]!);
}

function describeExpected(expected: string | undefined): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    default:
      return expected ?? 'another type';
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  if (typeof value === 'number') return `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}

// ---- walking the zod schema, for the valid keys at a path ------------------------------------------------

interface SchemaDef {
  type: string;
  shape?: Record<string, SchemaLike>;
  innerType?: SchemaLike;
  in?: SchemaLike;
  element?: SchemaLike;
  keyType?: SchemaLike;
  valueType?: SchemaLike;
  entries?: Record<string, string | number>;
}
interface SchemaLike {
  _zod: { def: SchemaDef };
}

function unwrap(schema: SchemaLike): SchemaLike {
  let s = schema;
  for (;;) {
    const def = s._zod.def;
    if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

function schemaAt(path: Path): SchemaLike | undefined {
  let s: SchemaLike | undefined = Estate as unknown as SchemaLike;
  for (const p of path) {
    const def: SchemaDef = unwrap(s)._zod.def;
    if (def.type === 'object') s = def.shape?.[String(p)];
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'array') s = def.element;
    else return undefined;
    if (!s) return undefined;
  }
  return unwrap(s);
}

/** The regex a string schema at a path enforces, as zod reports it. */
function patternAt(path: Path): string | undefined {
  const s = schemaAt(path);
  return s ? patternOf(s as unknown as z.ZodType) : undefined;
}

/** Keys an object accepts at a path (shape keys, or an enum-keyed record's keys); [] for free records. */
function validKeys(path: Path): string[] {
  const s = schemaAt(path);
  if (!s) return [];
  const def = s._zod.def;
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'record' && def.keyType) {
    const keyDef = unwrap(def.keyType)._zod.def;
    if (keyDef.type === 'enum') return Object.values(keyDef.entries ?? {}).map(String);
  }
  return [];
}

// ---- positions ---------------------------------------------------------------------------------------------

/** The same rules as makeLocator, over the fast parser's nodes. */
function makeFastLocator(root: FastNode | undefined, text: string): LoadedEstate['locate'] {
  const position = lineIndex(text);
  return (path, at) => {
    let node: FastNode | undefined = root;
    let found = root ? position(root.start) : { line: 1, column: 1 };
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      if (node?.kind === 'map') {
        const pair = node.pairs.get(String(segment));
        if (!pair) return found;
        const value: FastNode = pair.value;
        const preferValue = last && at !== 'key' && value.kind === 'scalar' && !value.empty;
        found = position(preferValue ? value.start : pair.keyStart);
        node = value;
      } else if (node?.kind === 'seq' && typeof segment === 'number') {
        const item: FastNode | undefined = node.items[segment];
        if (item === undefined) return found;
        found = position(item.start);
        node = item;
      } else {
        return found;
      }
    }
    return found;
  };
}

function makeLocator(doc: Document, lineCounter: LineCounter): LoadedEstate['locate'] {
  const index = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairsOf = (map: YAMLMap): Map<string, Pair> => {
    let m = index.get(map);
    if (!m) {
      m = new Map();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (!m.has(key)) m.set(key, pair);
      }
      index.set(map, m);
    }
    return m;
  };
  const pos = (node: unknown): Position | undefined => {
    const range = (node as Node | null)?.range;
    if (!range) return undefined;
    const p = lineCounter.linePos(range[0]);
    return { line: p.line, column: p.col };
  };
  return (path, at) => {
    let node: unknown = doc.contents;
    let found = pos(node) ?? { line: 1, column: 1 };
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = pairsOf(node).get(String(segment));
        if (!pair) return found;
        const value = pair.value as Node | null;
        const emptyValue = !value || (isScalar(value) && !!value.range && value.range[0] === value.range[1]);
        const valuePos = emptyValue ? undefined : pos(value);
        const keyPos = pos(pair.key);
        const preferValue = last && at !== 'key' && isScalar(value) && valuePos;
        found = (preferValue ? valuePos : keyPos) ?? found;
        node = value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) return found;
        found = pos(item) ?? found;
        node = item;
      } else {
        return found;
      }
    }
    return found;
  };
}
