import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPlanJson, stableJson } from './plan-json.ts';
import { smallEstate } from './testing-fixture.ts';

test('stableJson sorts keys recursively, keeps array order, ends with a newline', () => {
  const text = stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, e: undefined });
  assert.equal(text, '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
});

test('stableJson does not depend on insertion order', () => {
  assert.equal(stableJson({ x: 1, y: { b: 2, a: 1 } }), stableJson({ y: { a: 1, b: 2 }, x: 1 }));
});

test('plan.json is the compiled estate, readable back', () => {
  const [artefact] = renderPlanJson(smallEstate());
  assert.equal(artefact!.path, 'plan.json');
  assert.deepEqual(JSON.parse(artefact!.content), JSON.parse(JSON.stringify(smallEstate())));
});
