/**
 * `archipel validate FILE [--format text|json]`: is this estate file acceptable, and if not, why.
 *
 * Runs the whole pure pipeline (parse, schema, meaning checks, compile) so that "valid" means `plan`
 * and `up` will accept the file too. Text: diagnostics with their snippet on stderr, a one-line summary
 * on stdout when valid. JSON: one document on stdout. Exit 0 valid (warnings allowed), 2 invalid or
 * unreadable.
 */
import { resolve } from 'node:path';
import { analyseEstateFile } from '../pipeline.ts';
import { formatDiagnostics, hasErrors } from '../spec/diagnostics.ts';
import { EXIT, UsageError, parseCommandArgs, parseFormat, toJson, type Command } from './command.ts';

const USAGE = `usage: archipel validate FILE [--format text|json]

Checks an estate file: YAML syntax, the schema, and the meaning checks (references, ports, address
capacity, objectives, retention, names). Every problem is reported at once, with file:line:column.

  --format text|json   text (default): diagnostics on stderr, a summary on stdout
                       json: {valid, errors, warnings, diagnostics} on stdout

exit codes: 0 valid (warnings allowed), 2 invalid, unreadable, or bad usage
codes: docs/diagnostics.md`;

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not an estate file',
};

function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}

export const command: Command = {
  summary: 'check an estate file and report every problem with its position',
  usage: USAGE,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
    const format = parseFormat(values.format);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'missing FILE' : `expected one FILE, got ${positionals.length}`);
    const file = positionals[0]!;
    const analysis = await analyseEstateFile(resolve(io.cwd, file));
    // Report the path as the user wrote it, not the absolute one.
    const diagnostics = analysis.diagnostics.map((d) => ({ ...d, file }));
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    const valid = !hasErrors(diagnostics);

    if (format === 'json') {
      io.out(toJson({ file, valid, errors, warnings, diagnostics }));
      return valid ? EXIT.OK : EXIT.USAGE;
    }
    const unreadable = diagnostics.find((d) => d.code === 'E_FILE');
    if (unreadable) {
      const errno = /\((E[A-Z]+)\)/.exec(unreadable.message)?.[1] ?? '';
      io.err(`archipel validate: ${file}: ${READ_ERRORS[errno] ?? unreadable.message}\n`);
      return EXIT.USAGE;
    }
    if (diagnostics.length > 0) io.err(`${formatDiagnostics(diagnostics, analysis.source)}\n`);
    if (!valid) return EXIT.USAGE;
    const spec = analysis.spec!;
    const apps = Object.keys(spec.applications).length;
    const dbs = Object.keys(spec.databases ?? {}).length;
    io.out(`${file}: valid (${count(apps, 'application')}, ${count(dbs, 'database')}, ${count(warnings, 'warning')})\n`);
    return EXIT.OK;
  },
};
