/** One invariant of the hostile run: what must hold, whether it held, and the figure that says so. */
export interface Check {
  phase: string;
  name: string;
  passed: boolean;
  detail: string;
}

/** A figure printed in the final summary (no pass/fail of its own). */
export interface Figure {
  phase: string;
  name: string;
  value: string;
}

/** The run's invariants, figures and notes, printed as they are found and again at the end. */
export class Report {
  readonly checks: Check[] = [];
  readonly figures: Figure[] = [];
  readonly notes: string[] = [];

  /** `id` names the phase in the summary; `title` says what it does. */
  phase(id: string, title: string): PhaseReport {
    console.log(`\n== ${id}: ${title}`);
    return new PhaseReport(this, id);
  }

  get failed(): Check[] {
    return this.checks.filter((c) => !c.passed);
  }
}

/** What one phase adds to the report. */
export class PhaseReport {
  constructor(
    private readonly report: Report,
    readonly name: string,
  ) {}

  check(name: string, passed: boolean, detail: string): boolean {
    this.report.checks.push({ phase: this.name, name, passed, detail });
    console.log(`  ${passed ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    return passed;
  }

  figure(name: string, value: string): void {
    this.report.figures.push({ phase: this.name, name, value });
    console.log(`  ${name}: ${value}`);
  }

  note(text: string): void {
    this.report.notes.push(`[${this.name}] ${text}`);
    console.log(`  note: ${text}`);
  }

  progress(text: string): void {
    console.log(`  .. ${text}`);
  }
}

/** Left-aligned text columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
