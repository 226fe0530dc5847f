/**
 * The per-estate secret store: generated secrets (database credentials, later CA and signing keys), kept
 * outside the zones under `<stateDir>/secrets/`, encrypted at rest, and handed to instances as files.
 *
 * Layout (all root-owned, the directory 0700, files 0600):
 *   secrets/master.key  32 random bytes: the AES-256-GCM key. Whoever is root on the host can read it: the
 *                       encryption protects copies of the store (a backup, a leaked state dir), not a live root.
 *   secrets/store.json  per secret: versions {version, createdAt, iv, tag, data}; AAD binds each ciphertext to
 *                       its name and version, so a ciphertext moved to another name or version fails to open.
 *                       Also the materialisations (uid, gid, dir, names; never values) so rotate re-writes them.
 *   secrets/lock        an O_EXCL lock file held while the store is rewritten (daemon and CLI may both write).
 *
 * Values never leave this module except as files written by `materialise` (0400, owned by the instance uid,
 * in a directory only that uid's group can traverse) and through `reveal` for in-process use; no value is put
 * in argv, the environment, a log line or an error message.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { LockBusyError, withPidLock } from '../files.ts';

/** Secret names: dot-separated estate names (`db.main.api.password`), so they are safe as file names. */
export const SECRET_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}(\.[a-z][a-z0-9-]{0,62}){0,5}$/;
/** Versions kept per secret: the current one and the previous one (a rollback after a bad rotation). */
export const VERSIONS_KEPT = 2;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const LOCK_WAIT_MS = 5000;

/** A secret's public facts: never its value. */
export interface SecretInfo {
  name: string;
  version: number;
  createdAt: string;
  /** Versions still stored (current first). */
  versions: number[];
}

/** Who gets which secrets, where: recorded so that `rotate` can re-write them. */
export interface Materialisation {
  uid: number;
  gid: number;
  dir: string;
  names: string[];
}

export interface SecretStoreOptions {
  /** Injected clock (tests use a fixed one); created-at dates come from it. */
  now?: () => Date;
  /** Injected randomness for generated values (tests); keys and IVs always use node:crypto. */
  generate?: (name: string) => Buffer;
}

interface StoredVersion {
  version: number;
  createdAt: string;
  iv: string;
  tag: string;
  data: string;
}

interface StoreFile {
  format: 1;
  /** HMAC of a fixed label under the master key: tells "wrong key" apart from "tampered data". */
  keyId: string;
  secrets: Record<string, { versions: StoredVersion[] }>;
  materialised: Materialisation[];
}

/** Anything wrong with the store: the message names the secret, never its value. */
export class SecretStoreError extends Error {}

/** Throws a SecretStoreError unless `name` is a valid secret name. */
export function validateSecretName(name: string): string {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new SecretStoreError(`invalid secret name ${JSON.stringify(name)} (expected dot-separated names such as db.main.api.password)`);
  }
  return name;
}

/** A fresh random password: 32 bytes, base64url (43 characters, no padding, safe in any config file). */
export function randomSecret(): Buffer {
  return Buffer.from(randomBytes(32).toString('base64url'), 'utf8');
}

function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('archipel-secret-store-key-id').digest('hex').slice(0, 16);
}

function aadOf(name: string, version: number): Buffer {
  return Buffer.from(`archipel-secret\0${name}\0${version}`, 'utf8');
}

/** Writes a file atomically (temporary file + rename) with the given mode; never follows a planted link. */
async function writeAtomic(path: string, content: string | Buffer, mode: number, owner?: { uid: number; gid: number }): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  // 'wx' is O_CREAT|O_EXCL: it fails on an existing name, link or not, instead of writing through it.
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content);
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** The store of one estate. Open it with `SecretStore.open(stateDir)`. */
export class SecretStore {
  private constructor(
    readonly dir: string,
    private readonly key: Buffer,
    private readonly now: () => Date,
    private readonly generate: (name: string) => Buffer,
  ) {}

  /**
   * Opens (creating on first use) the store under `<stateDir>/secrets/`: directory 0700, master key 0600.
   * A store whose master key does not match its contents fails here, before anything is written.
   */
  static async open(stateDir: string, options: SecretStoreOptions = {}): Promise<SecretStore> {
    if (!isAbsolute(stateDir)) throw new SecretStoreError(`state directory must be an absolute path: ${stateDir}`);
    const dir = join(stateDir, 'secrets');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const info = await lstat(dir);
    if (!info.isDirectory()) throw new SecretStoreError(`${dir} is not a directory`);
    await chmod(dir, 0o700);
    const keyPath = join(dir, 'master.key');
    let key: Buffer;
    try {
      key = await readFile(keyPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      try {
        // O_EXCL: two processes opening a new store at once cannot each write a different key.
        await writeFile(keyPath, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
      } catch (raced) {
        if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      }
      key = await readFile(keyPath);
    }
    if (key.length !== KEY_BYTES) throw new SecretStoreError(`${keyPath} is not a ${KEY_BYTES}-byte key`);
    const store = new SecretStore(dir, key, options.now ?? (() => new Date()), options.generate ?? (() => randomSecret()));
    await store.load();
    return store;
  }

  private get storePath(): string {
    return join(this.dir, 'store.json');
  }

  /** Reads store.json (empty store when absent) and checks it was written under this master key. */
  private async load(): Promise<StoreFile> {
    let text: string;
    try {
      text = await readFile(this.storePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return { format: 1, keyId: keyIdOf(this.key), secrets: {}, materialised: [] };
    }
    let parsed: StoreFile;
    try {
      parsed = JSON.parse(text) as StoreFile;
    } catch {
      throw new SecretStoreError(`${this.storePath} is not valid JSON (damaged store)`);
    }
    if (parsed.format !== 1 || typeof parsed.secrets !== 'object' || !Array.isArray(parsed.materialised)) {
      throw new SecretStoreError(`${this.storePath} has an unknown format`);
    }
    if (parsed.keyId !== keyIdOf(this.key)) {
      throw new SecretStoreError(`the master key ${join(this.dir, 'master.key')} does not match the store (wrong key)`);
    }
    return parsed;
  }

  private async save(file: StoreFile): Promise<void> {
    await writeAtomic(this.storePath, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  }

  /** Runs `change` on a freshly read store under the lock, then saves it. */
  private async mutate<T>(change: (file: StoreFile) => Promise<T> | T): Promise<T> {
    // A lock left by a killed process is taken over; a live holder is waited for, within bounds.
    try {
      return await withPidLock(join(this.dir, 'lock'), { waitMs: LOCK_WAIT_MS }, async () => {
        const file = await this.load();
        const result = await change(file);
        await this.save(file);
        return result;
      });
    } catch (error) {
      if (error instanceof LockBusyError) throw new SecretStoreError(`the secret store is locked by process ${error.holder}`);
      throw error;
    }
  }

  private encrypt(name: string, version: number, value: Buffer): StoredVersion {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aadOf(name, version));
    const data = Buffer.concat([cipher.update(value), cipher.final()]);
    return {
      version,
      createdAt: this.now().toISOString(),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  private decrypt(name: string, stored: StoredVersion): Buffer {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(stored.iv, 'base64'));
      decipher.setAAD(aadOf(name, stored.version));
      decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(stored.data, 'base64')), decipher.final()]);
    } catch {
      throw new SecretStoreError(`secret ${name} version ${stored.version} fails authentication (tampered store or wrong key)`);
    }
  }

  /** Every secret's name, current version and dates, sorted by name. Never values. */
  async list(): Promise<SecretInfo[]> {
    const file = await this.load();
    return Object.keys(file.secrets)
      .sort()
      .map((name) => {
        const versions = file.secrets[name]!.versions;
        const current = versions[0]!;
        return { name, version: current.version, createdAt: current.createdAt, versions: versions.map((v) => v.version) };
      });
  }

  /** Recorded materialisations (uid, gid, dir, names), sorted by directory. */
  async materialisations(): Promise<Materialisation[]> {
    const file = await this.load();
    return [...file.materialised].sort((a, b) => a.dir.localeCompare(b.dir));
  }

  /** Creates each missing secret (version 1, a generated value); existing ones are left as they are. */
  async ensure(names: string[]): Promise<SecretInfo[]> {
    names.forEach(validateSecretName);
    await this.mutate((file) => {
      for (const name of [...new Set(names)].sort()) {
        if (file.secrets[name]) continue;
        file.secrets[name] = { versions: [this.encrypt(name, 1, this.generate(name))] };
      }
    });
    const wanted = new Set(names);
    return (await this.list()).filter((s) => wanted.has(s.name));
  }

  /** Stores a given value as a new version (CA and signing keys made elsewhere); returns the new version. */
  async put(name: string, value: Buffer): Promise<SecretInfo> {
    validateSecretName(name);
    await this.mutate((file) => this.addVersion(file, name, value));
    await this.rematerialise(name);
    return (await this.list()).find((s) => s.name === name)!;
  }

  private addVersion(file: StoreFile, name: string, value: Buffer): void {
    const entry = file.secrets[name] ?? { versions: [] };
    const next = (entry.versions[0]?.version ?? 0) + 1;
    entry.versions = [this.encrypt(name, next, value), ...entry.versions].slice(0, VERSIONS_KEPT);
    file.secrets[name] = entry;
  }

  /** The current value, decrypted and authenticated; for in-process use only (never log or print it). */
  async reveal(name: string): Promise<Buffer> {
    validateSecretName(name);
    const file = await this.load();
    const current = file.secrets[name]?.versions[0];
    if (!current) throw new SecretStoreError(`unknown secret ${name}`);
    return this.decrypt(name, current);
  }

  /**
   * Makes a new version of an existing secret (a freshly generated value) and re-writes every materialised
   * directory that holds it. Throws for an unknown name (a typo must not create a secret).
   */
  async rotate(name: string): Promise<SecretInfo> {
    validateSecretName(name);
    await this.mutate((file) => {
      if (!file.secrets[name]) {
        const known = Object.keys(file.secrets).sort();
        throw new SecretStoreError(`unknown secret ${name} (known secrets: ${known.join(', ') || 'none'})`);
      }
      this.addVersion(file, name, this.generate(name));
    });
    await this.rematerialise(name);
    return (await this.list()).find((s) => s.name === name)!;
  }

  private async rematerialise(name: string): Promise<void> {
    for (const m of await this.materialisations()) {
      if (m.names.includes(name)) await this.writeDir(m);
    }
  }

  /**
   * Writes the current value of each named secret as `<dir>/<name>` (0400, owned by uid:gid) in `dir`
   * (root:gid, 0750: only root and the instance's group can traverse it), removes secrets no longer listed,
   * and records the materialisation so that `rotate` re-writes it. Every name must exist.
   */
  async materialise(target: { uid: number; gid?: number; dir: string; names: string[] }): Promise<void> {
    const m: Materialisation = {
      uid: target.uid,
      gid: target.gid ?? target.uid,
      dir: target.dir,
      names: [...new Set(target.names)].sort(),
    };
    for (const id of [m.uid, m.gid]) {
      // uid 0 would make the files readable by root only, silently giving the instance nothing: a bug.
      if (!Number.isInteger(id) || id <= 0 || id > 0xfffffffe) throw new SecretStoreError(`invalid uid/gid ${id} for ${m.dir}`);
    }
    if (!isAbsolute(m.dir) || normalize(m.dir) !== m.dir || m.dir.endsWith('/')) {
      throw new SecretStoreError(`materialisation directory must be a normalised absolute path: ${m.dir}`);
    }
    m.names.forEach(validateSecretName);
    await this.writeDir(m);
    await this.mutate((file) => {
      file.materialised = [...file.materialised.filter((x) => x.dir !== m.dir), m];
    });
  }

  /** Removes a materialised directory and forgets it (an instance removed by `up` or `down`). */
  async unmaterialise(dir: string): Promise<void> {
    await this.mutate((file) => {
      file.materialised = file.materialised.filter((x) => x.dir !== dir);
    });
    await rm(dir, { recursive: true, force: true });
  }

  private async writeDir(m: Materialisation): Promise<void> {
    const values = new Map<string, Buffer>();
    for (const name of m.names) values.set(name, await this.reveal(name));
    await mkdir(join(m.dir, '..'), { recursive: true, mode: 0o711 });
    await mkdir(m.dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const info = await lstat(m.dir);
    if (!info.isDirectory()) throw new SecretStoreError(`${m.dir} is not a directory (refusing to write secrets through it)`);
    // Root owns the directory so the instance cannot swap its contents; its group may only read and traverse.
    await chown(m.dir, 0, m.gid);
    await chmod(m.dir, 0o750);
    for (const [name, value] of values) await writeAtomic(join(m.dir, name), value, 0o400, { uid: m.uid, gid: m.gid });
    for (const entry of await readdir(m.dir)) {
      if (!values.has(entry)) await rm(join(m.dir, entry), { force: true, recursive: true });
    }
  }
}
