/**
 * Test helper: check a rendered file with the real tool (`nft -c -f`, `haproxy -c -f`) through a temporary
 * file. Tells why a check cannot run (tool absent, not root) so a test can skip with that message.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why `tool` cannot be run here, or undefined when it can. */
export async function unavailable(tool: string, needsRoot: boolean): Promise<string | undefined> {
  if (needsRoot && process.getuid?.() !== 0) return `${tool} checks need root`;
  try {
    await run(tool, ['--version']);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // haproxy has no --version (it answers -v) but exits 1 with a usage text: present.
    return code === 'ENOENT' ? `${tool} is not installed` : undefined;
  }
}

/** Run `tool ...args FILE` on `content`; resolves with the tool's output, rejects with it on failure. */
export async function checkWith(tool: string, args: string[], name: string, content: string): Promise<{ stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'archipel-render-'));
  try {
    const file = join(dir, name);
    await writeFile(file, content);
    return await run(tool, [...args, file], { maxBuffer: 16 * 1024 * 1024 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
