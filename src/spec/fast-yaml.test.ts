import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { fastParse, lineIndex, type FastNode } from './fast-yaml.ts';

const ROOT = new URL('../../', import.meta.url);

/**
 * The fast parser must agree with the yaml package whenever it accepts a text: no error there, the same
 * value, and the same start offset for every key and node. Returns whether the fast path was taken.
 */
function agrees(text: string, label: string): boolean {
  const fast = fastParse(text);
  if (!fast) return false;
  const doc = parseDocument(text, { uniqueKeys: true });
  assert.deepEqual(doc.errors.map((e) => e.code), [], `${label}: the fast path accepted a text yaml rejects`);
  assert.deepEqual(fast.value, doc.toJS(), `${label}: values differ`);
  compareNodes(fast.root, doc.contents as Node | null, label);
  return true;
}

function compareNodes(fast: FastNode | undefined, node: Node | null, where: string): void {
  if (!fast || !node) {
    assert.equal(fast === undefined, node === null, `${where}: one side is empty`);
    return;
  }
  if (fast.kind === 'map') {
    assert.ok(isMap(node), `${where}: expected a map`);
    assert.equal(fast.start, node.range![0], `${where}: map start`);
    assert.equal(fast.pairs.size, node.items.length, `${where}: pair count`);
    for (const pair of node.items) {
      const key = String((pair.key as { value: unknown }).value);
      const mine = fast.pairs.get(key);
      assert.ok(mine, `${where}: missing key ${key}`);
      assert.equal(mine.keyStart, (pair.key as Node).range![0], `${where}.${key}: key start`);
      const value = pair.value as Node | null;
      if (mine.value.kind === 'scalar' && mine.value.empty) {
        assert.ok(isScalar(value) && value.value === null, `${where}.${key}: empty value`);
      } else {
        compareNodes(mine.value, value, `${where}.${key}`);
      }
    }
  } else if (fast.kind === 'seq') {
    assert.ok(isSeq(node), `${where}: expected a sequence`);
    assert.equal(fast.start, node.range![0], `${where}: sequence start`);
    assert.equal(fast.items.length, node.items.length, `${where}: item count`);
    fast.items.forEach((item, i) => compareNodes(item, node.items[i] as Node, `${where}[${i}]`));
  } else {
    assert.ok(isScalar(node), `${where}: expected a scalar`);
    assert.equal(fast.start, node.range![0], `${where}: scalar start`);
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(new URL(dir, ROOT), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${dir}${f}`)
    .sort();
}

test('the examples take the fast path and agree with the yaml package', () => {
  const examples = yamlFiles('examples/');
  assert.ok(examples.includes('examples/minimal.yaml'));
  for (const file of examples) assert.ok(agrees(readFileSync(new URL(file, ROOT), 'utf8'), file), `${file} fell back to the slow parser`);
});

test('every fixture either falls back or agrees', () => {
  let fastCount = 0;
  for (const file of yamlFiles('fixtures/')) if (agrees(readFileSync(new URL(file, ROOT), 'utf8'), file)) fastCount++;
  assert.ok(fastCount > 20, `only ${fastCount} fixtures took the fast path`);
});

test('accepted snippets resolve scalars as the YAML 1.2 core schema does', () => {
  const accepted = [
    'a: 1\nb: -2\nc: +3\nd: 1.5\ne: .5\nf: 1e3\ng: 08\nh: 1.\n',
    'a: true\nb: True\nc: FALSE\nd: ~\ne: null\nf: Null\ng:\nh: yes\ni: off\n',
    'a: 0s\nb: 2y\nc: --port\nd: https://x.example/y\ne: a#b\nf: a b  # comment\ng: x,y\n',
    "a: 'it''s'\nb: \"say \\\"hi\\\"\"\nc: \"a\\\\b\"\nd: ''\n\"e f\": 1\n",
    'list: [group:staff, "user:x", 1, true, a b]\nmap: { to: api, port: 8080 }\nempty: { a: [], b: {} }\n',
    'seq:\n- a\n- { b: 1 }\n- c: 1\n  d: [x]\nnext: 1\n',
    'outer:\n  # comment\n\n  inner:\n    - level: zone\n      every: 15m\n    - level: vault\n  after: x\n',
    '{"estate": "j",\n "zones": ["a",\n   "b"],\n "applications": {"web": {"port": 80}}}\n',
    'key  : v\na: [a, b, ]\nb: [ ]\nc: { }\nd: 1:2\ne: 12:30\nf: 1_000\ng: +.5\nh: 1.5e\ni: .\nj: x y  \n',
    'a: b\n  # an indented comment\nc: { a: 1 } # c\n',
    '- a: 1\n  b: 2\n- c: 3\n',
    '',
    '# only a comment\n',
    '- a\n- b\n',
  ];
  for (const text of accepted) assert.ok(agrees(text, JSON.stringify(text)), `fell back: ${JSON.stringify(text)}`);
});

test('anything outside the subset falls back to the full parser', () => {
  const rejected = [
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    'a: multi\n  line\n',
    'a: 1\na: 2\n',
    '---\na: 1\n',
    'a:\n\t- 1\n',
    'a: 1\r\n',
    'a: [1,\n  2]\n',
    'a: "\\u0041"\n',
    'a: 0x1f\n',
    'a: .inf\n',
    '1: a\n',
    'true: a\n',
    'a: b: c\n',
    '? a\n: b\n',
    'a: [b: c]\n',
    'a: {b}\n',
    'a: {b: }\n',
    '__proto__: {}\n',
    '  a: 1\n',
    'a:\n  - 1\n - 2\n',
    'a: [1, 2\n',
    'a: 1 # ok\n  b: 2\n',
    '- - a\n',
    '-\n',
    'a: "x":\n',
    'x: {a: 1}#c\n',
    'a: "b" c\n',
    'a: [b]c\n',
  ];
  for (const text of rejected) assert.equal(fastParse(text), undefined, JSON.stringify(text));
});

test('generated documents: whenever the fast path answers, it agrees with the yaml package', () => {
  // A small deterministic generator (no Math.random: failures must reproduce).
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const scalars = ['api', 'db/main', '8080', '-1', '1.5', 'true', 'False', '~', 'null', '0s', '30d', 'a b', 'a#b', 'a:b', 'x,y', '--port', 'https://a.b/c', "it's", 'say "hi"', '', 'ünïcode', '[x]', '#x', '- x', 'a: b'];
  const keys = ['to', 'port', 'name', 'web', 'api', 'flows', 'data', 'x-y', 'a.b', '$schema', 'tier'];
  const scalar = (flow: boolean): string => {
    const s = scalars[rand(scalars.length)]!;
    const style = rand(4);
    if (style === 0) return JSON.stringify(s);
    if (style === 1) return `'${s.replace(/'/g, "''")}'`;
    return flow && /[,[\]{}]/.test(s) ? JSON.stringify(s) : s;
  };
  const flowValue = (depth: number): string => {
    const r = rand(depth > 1 ? 1 : 3);
    if (r === 1) return `[${Array.from({ length: rand(3) }, () => flowValue(depth + 1)).join(', ')}]`;
    if (r === 2) return `{ ${Array.from({ length: rand(3) }, (_, i) => `${keys[(rand(keys.length) + i) % keys.length]}: ${flowValue(depth + 1)}`).join(', ')} }`;
    return scalar(true);
  };
  const block = (indent: number, depth: number): string[] => {
    const pad = ' '.repeat(indent);
    const lines: string[] = [];
    if (depth > 0 && rand(3) === 0) {
      for (let i = 0; i <= rand(3); i++) {
        if (rand(2) === 0) lines.push(`${pad}- ${flowValue(1)}`);
        else {
          const inner = block(indent + 2, depth - 1);
          if (inner[0]!.trimStart().startsWith('- ')) lines.push(`${pad}- ${flowValue(1)}`);
          else lines.push(`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1));
        }
      }
      return lines;
    }
    const used = new Set<string>();
    for (let i = 0; i <= rand(4); i++) {
      const key = keys[rand(keys.length)]!;
      if (used.has(key)) continue;
      used.add(key);
      const r = rand(depth > 0 ? 4 : 2);
      if (r === 0) lines.push(`${pad}${key}: ${scalar(false)}${rand(4) === 0 ? '  # note' : ''}`);
      else if (r === 1) lines.push(`${pad}${key}: ${flowValue(0)}`);
      else lines.push(`${pad}${key}:${rand(3) === 0 ? ' # nested' : ''}`, ...(rand(5) === 0 ? [''] : []), ...block(indent + 2 * (1 + rand(2)), depth - 1));
    }
    return lines;
  };
  let fastCount = 0;
  const total = 600;
  for (let i = 0; i < total; i++) {
    const text = `${block(0, 3).join('\n')}\n`;
    if (agrees(text, `generated #${i}:\n${text}`)) fastCount++;
  }
  assert.ok(fastCount > total / 10, `only ${fastCount} of ${total} generated documents took the fast path`);
});

test('lineIndex maps offsets to 1-based lines and columns', () => {
  const at = lineIndex('ab\ncd\n\nef');
  assert.deepEqual([at(0), at(1), at(3), at(6), at(7), at(8)], [
    { line: 1, column: 1 },
    { line: 1, column: 2 },
    { line: 2, column: 1 },
    { line: 3, column: 1 },
    { line: 4, column: 1 },
    { line: 4, column: 2 },
  ]);
});
