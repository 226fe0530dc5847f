/**
 * Kernel names of the local target: every namespace and interface name derived from the estate name and a
 * canonical address, with a short hash, so that names fit Linux's 15-character limit, never depend on what
 * the user typed (only [a-z0-9-] reaches the kernel), and two estates side by side never collide.
 *
 * Namespaces: `ap<4 hex of estate>-<role letter><7 hex of address>` (15 characters): r router (zone/NAME),
 * i instance (app/web/par-1/0, db/main/par-1/0...), e edge (edge/ZONE), w witness (witness/NAME).
 * Interfaces live inside those namespaces, so they only need to be unique there: fixed names where one
 * namespace holds one of them (eth0, bb<peer index>, wt0, ed0), a role letter plus 7 hex otherwise
 * (bridges b..., router side of an instance link v..., witness side of a zone link z...).
 */
import { createHash } from 'node:crypto';

/** What a kernel name may look like (namespace file name and interface name alike). */
export const KERNEL_NAME = /^[a-z0-9-]{1,15}$/;

/** Interface of an instance or edge namespace towards its router. */
export const INSTANCE_IFACE = 'eth0';
/** Router side of the link to the zone's edge. */
export const EDGE_ROUTER_IFACE = 'ed0';
/** Edge side of the link to its router. */
export const EDGE_IFACE = 'eth0';
/** Router side of the link to the witness. */
export const WITNESS_ROUTER_IFACE = 'wt0';

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Throws (a bug, never a user error: names are hashes) unless the name is a valid kernel name. */
export function checkKernelName(name: string): string {
  if (!KERNEL_NAME.test(name)) throw new Error(`invalid kernel name "${name}" (must match ${KERNEL_NAME})`);
  return name;
}

export interface LocalNames {
  estate: string;
  /** `ap1a2b-`: every namespace of this estate starts with it. */
  prefix: string;
  /** Namespace of a zone's router (zone name, e.g. par-1). */
  router(zone: string): string;
  /** Namespace of an instance (its canonical address, e.g. app/web/par-1/0). */
  instance(address: string): string;
  /** Namespace of a zone's edge (zone name). */
  edge(zone: string): string;
  /** Namespace of the witness (its name, e.g. par-3). */
  witness(name: string): string;
  /** Bridge of a private network inside a router (network address, e.g. net/app/web). */
  bridge(network: string): string;
  /** Router side of an instance's link (instance address); the instance side is INSTANCE_IFACE. */
  instancePort(instance: string): string;
  /** Router side of the backbone link towards the router of zone index `peerIndex`. */
  backbone(peerIndex: number): string;
  /** Witness side of the link to a zone's router (zone name); the router side is WITNESS_ROUTER_IFACE. */
  witnessPort(zone: string): string;
  /** True when a namespace name belongs to this estate. */
  owns(namespace: string): boolean;
}

/**
 * The naming scheme of one estate. Every name handed out is checked against KERNEL_NAME and remembered:
 * two different addresses given the same name in one scope throw (a hash collision: a bug to fix here).
 */
export function localNames(estate: string): LocalNames {
  const prefix = `ap${hex(`estate:${estate}`, 4)}-`;
  const scopes = new Map<string, Map<string, string>>();
  const remember = (scope: string, name: string, address: string): string => {
    checkKernelName(name);
    let seen = scopes.get(scope);
    if (!seen) scopes.set(scope, (seen = new Map()));
    const previous = seen.get(name);
    if (previous !== undefined && previous !== address) {
      throw new Error(`kernel name collision: "${name}" for both ${previous} and ${address}`);
    }
    seen.set(name, address);
    return name;
  };
  const ns = (letter: string, address: string) => remember('netns', `${prefix}${letter}${hex(address, 7)}`, address);
  // Interfaces are scoped per router: one scope is enough to catch collisions among bridges and ports.
  const iface = (letter: string, address: string) => remember('iface', `${letter}${hex(address, 7)}`, address);
  return {
    estate,
    prefix,
    router: (zone) => ns('r', `zone/${zone}`),
    instance: (address) => ns('i', address),
    edge: (zone) => ns('e', `edge/${zone}`),
    witness: (name) => ns('w', `witness/${name}`),
    bridge: (network) => iface('b', network),
    instancePort: (instance) => iface('v', instance),
    backbone: (peerIndex) => {
      if (!Number.isInteger(peerIndex) || peerIndex < 0 || peerIndex > 99) throw new Error(`invalid zone index ${peerIndex}`);
      return checkKernelName(`bb${peerIndex}`);
    },
    witnessPort: (zone) => iface('z', `zone/${zone}`),
    owns: (namespace) => namespace.startsWith(prefix) && KERNEL_NAME.test(namespace),
  };
}
