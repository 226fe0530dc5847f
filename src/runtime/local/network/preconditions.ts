/**
 * What the network layer needs from the host, checked before anything is created: Linux, root (network
 * administration and mounts for /run/netns), the `ip`, `nft` and `nsenter` tools, and bridge support.
 * Each problem comes with the command that fixes it.
 */
import { access, readFile } from 'node:fs/promises';
import { run } from '../run.ts';

export interface HostFacts {
  platform: NodeJS.Platform;
  uid: number;
  /** Effective capabilities (from /proc/self/status), when known. */
  capEff?: bigint;
  tools: Record<'ip' | 'nft' | 'nsenter', boolean>;
  bridge: boolean;
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

/** Pure: the problems these facts imply, each with its fix. */
export function networkProblems(facts: HostFacts): string[] {
  if (facts.platform !== 'linux') {
    return [`the local target needs Linux (network namespaces, bridges, nftables); this is ${facts.platform}: run it in a Linux VM or container with --privileged`];
  }
  const problems: string[] = [];
  const has = (cap: bigint) => facts.capEff !== undefined && ((facts.capEff >> cap) & 1n) === 1n;
  if (facts.uid !== 0 && !(has(CAP_NET_ADMIN) && has(CAP_SYS_ADMIN))) {
    problems.push('creating namespaces needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run it with sudo');
  } else if (facts.capEff !== undefined && !has(CAP_NET_ADMIN)) {
    problems.push('this process lacks CAP_NET_ADMIN (a restricted container?): run the container with --cap-add NET_ADMIN --cap-add SYS_ADMIN, or --privileged');
  }
  if (!facts.tools.ip) problems.push('`ip` (iproute2) is missing: apt-get install -y iproute2');
  if (!facts.tools.nft) problems.push('`nft` is missing: apt-get install -y nftables');
  if (!facts.tools.nsenter) problems.push('`nsenter` is missing: apt-get install -y util-linux');
  if (!facts.bridge) problems.push('the kernel has no bridge support loaded: modprobe bridge (kernel option CONFIG_BRIDGE)');
  return problems;
}

async function works(command: string[]): Promise<boolean> {
  try {
    await run(command, { timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads the host's facts (no change to the host). */
export async function hostFacts(): Promise<HostFacts> {
  let capEff: bigint | undefined;
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (hex) capEff = BigInt(`0x${hex}`);
  } catch {
    capEff = undefined;
  }
  const [ip, nft, nsenter] = await Promise.all([works(['ip', '-V']), works(['nft', '--version']), works(['nsenter', '--version'])]);
  let bridge = (await exists('/sys/module/bridge')) || (await exists('/proc/sys/net/bridge'));
  if (!bridge) {
    try {
      const release = (await readFile('/proc/sys/kernel/osrelease', 'utf8')).trim();
      const dep = await readFile(`/lib/modules/${release}/modules.dep`, 'utf8');
      bridge = /\/bridge\.ko/.test(dep);
    } catch {
      bridge = false;
    }
  }
  return { platform: process.platform, uid: process.getuid?.() ?? -1, ...(capEff !== undefined ? { capEff } : {}), tools: { ip, nft, nsenter }, bridge };
}
