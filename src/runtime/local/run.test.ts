import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunError, run, runAll } from './run.ts';

test('run passes arguments as an array and feeds stdin', async () => {
  const { stdout } = await run(['cat'], { input: 'a; rm -rf / $(x)\n' });
  assert.equal(stdout, 'a; rm -rf / $(x)\n');
  const echo = await run(['printf', '%s|', 'one two', '$HOME']);
  assert.equal(echo.stdout, 'one two|$HOME|');
});

test('a failing command rejects with its stderr and exit code', async () => {
  await assert.rejects(run(['sh', '-c', 'echo boom >&2; exit 3']), (error: unknown) => {
    assert.ok(error instanceof RunError);
    assert.equal(error.code, 3);
    assert.match(error.message, /exit 3\nboom/);
    return true;
  });
  await assert.rejects(run(['archipel-no-such-program']), /not found/);
});

test('a command past its timeout is killed', async () => {
  await assert.rejects(run(['sleep', '5'], { timeoutMs: 50 }), /timed out/);
});

test('runAll bounds parallelism and reports the first failure', async () => {
  let inFlight = 0;
  let most = 0;
  const done: number[] = [];
  await runAll([1, 2, 3, 4, 5, 6], 2, async (n) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    done.push(n);
  });
  assert.equal(most, 2);
  assert.deepEqual(done.sort(), [1, 2, 3, 4, 5, 6]);
  await assert.rejects(runAll([1, 2], 2, async (n) => { if (n === 2) throw new Error('two'); }), /two/);
});
