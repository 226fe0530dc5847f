/**
 * The one-process namespace configurator (netcfg.c): built once per host with the system C compiler into
 * a root-only cache, then fed every namespace's `ip -batch` lines at once. When it cannot be built (no
 * compiler), callers fall back to one `nsenter ... ip -batch` per namespace: slower, same result.
 */
import { createHash } from 'node:crypto';
import { access, chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run, RunError } from '../../run.ts';

const SOURCE = new URL('./netcfg.c', import.meta.url).pathname;

/** Where the built helper is kept: $ARCHIPEL_CACHE_DIR or /var/cache/archipel (0700: root runs it). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ARCHIPEL_CACHE_DIR || '/var/cache/archipel';
}

/**
 * The helper's path, building it when the source changed; no path (and the reason) when it cannot be built
 * or ARCHIPEL_NETCFG=ip asks for the `ip` fallback.
 */
export async function netcfgBinary(env: NodeJS.ProcessEnv = process.env): Promise<{ path?: string; reason?: string }> {
  if (env.ARCHIPEL_NETCFG === 'ip') return { reason: 'ARCHIPEL_NETCFG=ip' };
  const source = await readFile(SOURCE);
  const dir = cacheDir(env);
  const path = join(dir, `archipel-netcfg-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  try {
    await access(path);
    return { path };
  } catch {
    // not built yet
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const temporary = `${path}.${process.pid}.tmp`;
    await run(['cc', '-O2', '-Wall', '-o', temporary, SOURCE], { timeoutMs: 60_000 });
    await rename(temporary, path);
    return { path };
  } catch (error) {
    await rm(`${path}.${process.pid}.tmp`, { force: true });
    return { reason: (error as Error).message.split('\n')[0]! };
  }
}

/**
 * Runs the helper on namespaces' batches; calls `done(name)` for each namespace fully configured (also when
 * a later one fails), then rethrows the failure.
 */
export async function runNetcfg(binary: string, items: { name: string; batch: string[] }[], done: (name: string) => void): Promise<void> {
  if (items.length === 0) return;
  const input = items.map((i) => `@ns ${i.name}\n${i.batch.join('\n')}\n`).join('');
  const collect = (stdout: string) => {
    for (const line of stdout.split('\n')) if (line.startsWith('ok ')) done(line.slice(3));
  };
  try {
    collect((await run([binary], { input, timeoutMs: 120_000 })).stdout);
  } catch (error) {
    if (error instanceof RunError) collect(error.stdout);
    throw error;
  }
}
