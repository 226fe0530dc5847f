/**
 * The CLI dispatcher: one file per verb (src/cli/<verb>.ts exporting `command`), loaded lazily so that
 * `archipel validate` never pays for the runtime's imports.
 */
import { EXIT, UsageError, processIo, type Command, type Io } from './command.ts';

const VERBS: Record<string, () => Promise<{ command: Command }>> = {
  validate: () => import('./validate.ts'),
  plan: () => import('./plan.ts'),
  graph: () => import('./graph.ts'),
  up: () => import('./up.ts'),
  down: () => import('./down.ts'),
  probe: () => import('./probe.ts'),
  fault: () => import('./fault.ts'),
  flows: () => import('./flows.ts'),
  status: () => import('./status.ts'),
  logs: () => import('./logs.ts'),
  exec: () => import('./exec.ts'),
  secrets: () => import('./secrets.ts'),
};

/** Verbs added by other modules register here (kept in one place so `--help` lists them all). */
export function verbs(): string[] {
  return Object.keys(VERBS).sort();
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    const lines = ['usage: archipel VERB [options]', '', 'verbs:'];
    for (const name of verbs()) {
      const { command } = await VERBS[name]!();
      lines.push(`  ${name.padEnd(10)} ${command.summary}`);
    }
    lines.push('', 'exit codes: 0 ok, 1 failure found, 2 bad input or usage', '');
    (verb ? io.out : io.err)(lines.join('\n'));
    return verb ? EXIT.OK : EXIT.USAGE;
  }
  if (verb === '--version') {
    io.out('archipel 0.1.0\n');
    return EXIT.OK;
  }
  const load = VERBS[verb];
  if (!load) {
    io.err(`archipel: unknown verb "${verb}" (valid verbs: ${verbs().join(', ')})\n`);
    return EXIT.USAGE;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.usage}\n`);
    return EXIT.OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`archipel ${verb}: ${error.message}\n\n${command.usage}\n`);
      return EXIT.USAGE;
    }
    throw error;
  }
}
