// Tests of the compile bench's arithmetic and, once the pipeline is built, of one real small measurement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, measureOnce, median, summarise, summaryLine, type Measurement } from './lib-compile.ts';

const row = (apps: number, totalMs: number, peakMb = 100): Measurement => ({
  apps, instances: apps * 2, networks: apps + 10, flows: apps * 5, declaredFlows: apps * 4, yamlBytes: apps * 350, artefacts: 9,
  parseValidateMs: totalMs / 2, compileMs: totalMs / 4, renderMs: totalMs / 4, totalMs, peakMb,
});

test('median: odd and even counts, unsorted input', () => {
  assert.equal(median([30, 10, 20]), 20);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), /nothing/);
});

test('summarise takes the per-column median and refuses runs that disagree on counts', () => {
  const s = summarise([row(1000, 900, 120), row(1000, 700, 110), row(1000, 800, 130)]);
  assert.equal(s.totalMs, 800);
  assert.equal(s.peakMb, 120);
  assert.throws(() => summarise([row(1000, 1), { ...row(1000, 1), flows: 1 }]), /disagree/);
});

test('table and summary line', () => {
  const rows = [row(154, 120), row(1000, 640, 150), row(5000, 3100, 600)];
  const lines = formatTable(rows).split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /apps\s+instances\s+networks\s+flows\s+parse\+validate ms\s+compile ms\s+render ms\s+total ms\s+peak MB/);
  assert.match(lines[2]!, /1000\s+2000\s+1010\s+5000\s+320\s+160\s+160\s+640\s+150$/);
  assert.equal(summaryLine(rows, 3), 'bench:compile: 1000 apps in 640 ms (target < 1000 ms: met), peak 150 MB; 5000 apps in 3100 ms, peak 600 MB (median of 3 cold runs)');
  assert.match(summaryLine([row(1000, 1200)], 1), /target < 1000 ms: MISSED/);
});

test('one real measurement of a small estate (once the pipeline is built)', (t) => {
  let m: Measurement;
  try {
    m = measureOnce(40);
  } catch (error) {
    if ((error as Error).message === 'not built yet') return t.skip('pipeline not built yet');
    throw error;
  }
  assert.equal(m.apps, 40);
  assert.ok(m.networks >= 40 && m.instances >= 80 && m.flows >= m.declaredFlows && m.artefacts > 0);
  assert.ok(m.totalMs >= m.compileMs && m.peakMb > 0);
});
