/**
 * bench:compile: how long the pure pipeline takes, and how much memory, on estates of 154 (the region),
 * 1,000 and 5,000 applications.
 *
 * Each (size, run) is a fresh child process running bench/lib-compile.ts's measureOnce(): cold timings, as a
 * CLI invocation sees them, and a peak RSS that belongs to that size alone. Median of the runs per size.
 * Results on stdout (a table, then a one-line summary; `--format json` for the raw numbers), progress on
 * stderr. Exit 0 when measured (a missed target is reported, not failed: timings vary by machine), 1 when the
 * pipeline rejects an estate, 2 on bad usage.
 *
 *   npm run bench:compile [-- --sizes 154,1000,5000] [--runs 3] [--format text|json]
 */
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable, measureOnce, summarise, summaryLine, PipelineRejected, type Measurement } from './lib-compile.ts';

const SELF = fileURLToPath(import.meta.url);

function child(size: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', SELF, '--child', String(size)], { timeout: 300_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new PipelineRejected(`size ${size}: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as Measurement);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { sizes: { type: 'string' }, runs: { type: 'string' }, format: { type: 'string' }, child: { type: 'string' } }, strict: true }));
  } catch (error) {
    process.stderr.write(`bench:compile: ${(error as Error).message.split('\n')[0]} (valid options: --sizes, --runs, --format)\n`);
    return 2;
  }
  if (values.child) {
    try {
      process.stdout.write(`${JSON.stringify(measureOnce(Number(values.child)))}\n`);
      return 0;
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return 1;
    }
  }
  const sizes = (values.sizes ?? '154,1000,5000').split(',').map(Number);
  const runs = Number(values.runs ?? 3);
  const format = values.format ?? 'text';
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    process.stderr.write('bench:compile: --sizes takes positive integers separated by commas, --runs a positive integer\n');
    return 2;
  }
  if (format !== 'text' && format !== 'json') {
    process.stderr.write(`bench:compile: unknown format "${format}" (valid values: text, json)\n`);
    return 2;
  }
  // Other work on the machine inflates every figure: say how busy it was, next to the numbers.
  const machine = `${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at start`;
  const rows: Measurement[] = [];
  try {
    for (const size of sizes) {
      const measured: Measurement[] = [];
      for (let run = 1; run <= runs; run += 1) {
        process.stderr.write(`bench:compile: ${size} applications, run ${run}/${runs}\n`);
        measured.push(await child(size));
      }
      rows.push(summarise(measured));
    }
  } catch (error) {
    process.stderr.write(`bench:compile: the pipeline rejected a generated estate:\n${(error as Error).message}\n`);
    return 1;
  }
  if (format === 'json') process.stdout.write(`${JSON.stringify({ machine, runs, rows, summary: summaryLine(rows, runs) }, null, 2)}\n`);
  else process.stdout.write(`machine: ${machine}\n${formatTable(rows)}\n${summaryLine(rows, runs)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
