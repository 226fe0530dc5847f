/**
 * `archipel secrets list|rotate`: the estate's generated secrets. `list` shows names, versions and dates,
 * never values; `rotate` makes a new version and re-writes every instance directory that holds it.
 * There is deliberately no verb that prints a value.
 */
import { hasSecretStore } from '../runtime/local/secrets/layer.ts';
import { SecretStore, SecretStoreError } from '../runtime/local/secrets/store.ts';
import { resolveEstateRef } from '../runtime/local/daemon/estate-ref.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const SUBCOMMANDS = ['list', 'rotate'] as const;

const USAGE = `usage: archipel secrets list FILE [--format json]
       archipel secrets rotate FILE NAME
       (or --estate NAME instead of FILE)

Secrets are generated at the estate's first \`up\` (one database credential per application and cluster,
replication and cache passwords), encrypted at rest under the state directory, and handed to each instance
as files only its uid can read.

  list      names, current version, versions kept, creation date (never values)
  rotate    a new version of NAME; every instance directory holding it is re-written

options:
  --estate NAME      name the estate instead of giving its file
  --format json      machine-readable output (list)

exit codes: 0 ok, 1 estate not up or store damaged, 2 bad input or usage`;

export const command: Command = {
  summary: 'list secrets (never values) or rotate one',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' }, estate: { type: 'string' } });
    const format = parseFormat(values.format);
    const [sub, ...rest] = positionals;
    if (!sub) throw new UsageError(`missing subcommand (valid subcommands: ${SUBCOMMANDS.join(', ')})`);
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand "${sub}" (valid subcommands: ${SUBCOMMANDS.join(', ')})`);
    const resolved = await resolveEstateRef(rest, values.estate, io);
    if (!resolved) return EXIT.USAGE;
    const { ref, rest: names } = resolved;
    if (sub === 'list' && names.length > 0) throw new UsageError(`unexpected argument "${names[0]}"`);
    if (sub === 'rotate' && names.length !== 1) throw new UsageError(names.length === 0 ? 'missing secret NAME' : 'one secret NAME expected');
    if (!(await hasSecretStore(ref.stateDir))) {
      io.err(`archipel secrets: estate ${ref.estate} has no secrets (not up: no store in ${ref.stateDir})\n`);
      return EXIT.FAILURE;
    }
    try {
      const store = await SecretStore.open(ref.stateDir);
      if (sub === 'list') {
        const list = await store.list();
        if (format === 'json') io.out(toJson({ estate: ref.estate, secrets: list }));
        else {
          const rows = [['NAME', 'VERSION', 'KEPT', 'CREATED'], ...list.map((s) => [s.name, String(s.version), s.versions.join(','), s.createdAt])];
          const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
          io.out(`${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`);
          if (list.length === 0) io.out('(no secrets)\n');
        }
        return EXIT.OK;
      }
      const name = names[0]!;
      const known = (await store.list()).map((s) => s.name);
      if (!known.includes(name)) throw new UsageError(`unknown secret "${name}" (valid names: ${known.join(', ') || 'none'})`);
      const rotated = await store.rotate(name);
      const copies = (await store.materialisations()).filter((m) => m.names.includes(name)).length;
      const result = { ...rotated, rewritten: copies };
      io.out(format === 'json' ? toJson(result) : `rotated ${name}: version ${rotated.version} (${rotated.createdAt}), re-written in ${copies} instance director${copies === 1 ? 'y' : 'ies'}\n`);
      return EXIT.OK;
    } catch (error) {
      if (!(error instanceof SecretStoreError)) throw error;
      io.err(`archipel secrets: ${error.message}\n`);
      return EXIT.FAILURE;
    }
  },
};
