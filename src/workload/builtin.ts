/**
 * The built-in workload: what an application without `run:` runs, a tiny HTTP server answering its name.
 *
 * It is busybox httpd serving a generated document root (index.html naming the instance, the health path
 * answering `ok`): about 0.4 MB of PSS per instance, so that the region's ~300 placeholder instances fit on a
 * laptop. Pure: this module only says what to write and what to run; the compute layer does it.
 */

/** A file of the generated document root, relative to it. */
export interface DocFile {
  path: string;
  content: string;
}

/** Where the document root is mounted inside the instance's mount namespace. */
export const WORKLOAD_ROOT = '/www';

const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * The document root of one instance: `index.html` says which instance answered (clients and tests check
 * load-balancing with it) and the health path holds `ok`.
 * A health path ending in `/` (a directory) gets an index.html; `..` and empty segments are refused.
 */
export function builtinDocumentRoot(instance: { address: string; app: string }, healthPath?: string): DocFile[] {
  const files: DocFile[] = [{ path: 'index.html', content: `${instance.address}\n` }];
  if (healthPath && healthPath !== '/') {
    const segments = healthPath.split('/').slice(1);
    const directory = segments[segments.length - 1] === '';
    if (directory) segments.pop();
    for (const segment of segments) {
      if (!PATH_SEGMENT.test(segment) || segment === '.' || segment === '..') {
        throw new Error(`health path ${JSON.stringify(healthPath)} has an invalid segment ${JSON.stringify(segment)}`);
      }
    }
    const path = directory ? [...segments, 'index.html'].join('/') : segments.join('/');
    if (path !== 'index.html') files.push({ path, content: 'ok\n' });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The built-in workload's command (argument array), run inside the instance's namespaces. */
export function builtinCommand(ip: string, port: number): string[] {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`invalid IPv4 address ${JSON.stringify(ip)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
  // -f: stay in the foreground so that runit supervises the server itself; -v logs requests to stderr.
  return ['/usr/bin/busybox', 'httpd', '-f', '-p', `${ip}:${port}`, '-h', WORKLOAD_ROOT];
}
