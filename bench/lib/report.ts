/**
 * Rows, statistics and the table `npm run bench` prints. Every measured row
 * compares a figure with a baseline taken in the same run on the same
 * machine, so a busy or slow machine moves both.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  unit: string;
  samples: number[];
}

export interface Budget {
  /** `>=`: the ratio must reach the value; `<=`: it must stay under it. */
  op: '>=' | '<=';
  value: number;
}

export type RowStatus = 'measured' | 'n/a' | 'skipped' | 'error';

export interface Row {
  id: string;
  name: string;
  status: RowStatus;
  figure: Summary | null;
  /** What the figure is compared with, and its numbers. */
  baseline: (Summary & { label: string }) | null;
  /** How the ratio is formed, e.g. "extension / boto3". */
  ratioOf: string;
  ratio: number | null;
  budget: Budget | null;
  pass: boolean | null;
  note?: string;
}

export function summarize(samples: number[], unit: string): Summary {
  if (!samples.length) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, unit, samples };
}

/** A measured row; pass/fail from the ratio and the budget. */
export function measuredRow(
  base: Pick<Row, 'id' | 'name' | 'ratioOf'> & { budget: Budget | null; note?: string },
  figure: Summary,
  baseline: (Summary & { label: string }) | null,
  ratio: number | null,
): Row {
  const pass = ratio === null || !base.budget ? null : base.budget.op === '>=' ? ratio >= base.budget.value : ratio <= base.budget.value;
  return { ...base, status: 'measured', figure, baseline, ratio, pass };
}

export function placeholderRow(
  base: Pick<Row, 'id' | 'name' | 'ratioOf'> & { budget: Budget | null },
  status: Exclude<RowStatus, 'measured'>,
  note: string,
): Row {
  return { ...base, status, figure: null, baseline: null, ratio: null, pass: null, note };
}

// ---------------------------------------------------------------------------
// formatting

function num(value: number, unit: string): string {
  switch (unit) {
    case 'µs':
      return `${Math.round(value).toLocaleString('en-US')} µs`;
    case 'ms':
      return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
    case 'B':
      return `${(value / 1024).toFixed(1)} KiB`;
    case 'MiB':
      return `${value.toFixed(1)} MiB`;
    default:
      return `${value.toPrecision(3)} ${unit}`;
  }
}

function describe(s: Summary): string {
  if (s.samples.length < 2 || s.min === s.max) return num(s.median, s.unit);
  return `${num(s.median, s.unit)} (${num(s.min, s.unit)}–${num(s.max, s.unit)})`;
}

export function formatTable(rows: Row[]): string {
  const header = ['row', 'figure (median, min–max)', 'baseline (same run)', 'ratio', 'budget', 'result'];
  const lines = rows.map((r) => {
    const figure = r.figure ? describe(r.figure) : r.status === 'n/a' ? `n/a (${r.note ?? ''})` : `${r.status}: ${r.note ?? ''}`;
    const baseline = r.baseline ? `${r.baseline.label} ${describe(r.baseline)}` : r.figure ? 'none' : '';
    const ratio = r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`;
    const budget = r.budget ? `${r.budget.op === '>=' ? '≥' : '≤'} ${r.budget.value}×` : '';
    const result = r.pass === null ? (r.status === 'measured' ? '' : r.status === 'n/a' ? '' : r.status) : r.pass ? 'pass' : 'FAIL';
    return [r.name, figure, baseline, ratio, budget, result];
  });
  // Long n/a notes span the columns after the name; keep them out of the width computation.
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.filter((l, j) => rows[j]!.figure || i === 0).map((l) => l[i]!.length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const notes = rows.filter((r) => r.figure && r.note).map((r) => `  ${r.name.split(' ')[0]}: ${r.note}`);
  return [render(header), widths.map((w) => '─'.repeat(w)).join('  '), ...lines.map(render), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}
