/**
 * Diagnostics: what a user got wrong, collected (never thrown) and rendered once.
 *
 * Every check in spec/, model/ and compile/ returns Diagnostic values; the CLI renders them for humans
 * (`file:line:col: error CODE: message`, the snippet, the hint) or as JSON. Codes are stable and listed in
 * docs/diagnostics.md.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable code, e.g. E_UNKNOWN_FLOW_TARGET; documented in docs/diagnostics.md. */
  code: string;
  message: string;
  /** Canonical address of the object concerned (app/aides, flow/aides->payroll:8080, db/main). */
  address?: string;
  /** A did-you-mean or the list of valid values. */
  hint?: string;
  /** Path in the estate document (['applications','aides','flows',0,'to']); the pipeline turns it into
   *  file, line and column, so that checks never handle positions themselves. */
  path?: (string | number)[];
  file?: string;
  /** 1-based position in the file; absent when the problem has no single place. */
  line?: number;
  column?: number;
}

/** Sort diagnostics by position, then code, so output is stable. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

export function hasErrors(list: Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}

/**
 * Render one diagnostic for a terminal, Terraform-style: location, code, message, the offending line with
 * a caret, then the hint.
 */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: ` : '';
  const lines = [`${where}${d.severity} ${d.code}: ${d.message}${d.address ? ` (${d.address})` : ''}`];
  if (source !== undefined && d.line) {
    const text = source.split(/\r?\n/)[d.line - 1];
    if (text !== undefined) {
      lines.push(`  ${d.line} | ${text}`);
      lines.push(`  ${' '.repeat(String(d.line).length)} | ${' '.repeat(Math.max(0, (d.column ?? 1) - 1))}^`);
    }
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostics(list: Diagnostic[], source?: string): string {
  const sorted = sortDiagnostics(list);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  const body = sorted.map((d) => formatDiagnostic(d, source)).join('\n\n');
  const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return body ? `${body}\n\n${summary}` : summary;
}
