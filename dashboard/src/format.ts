// How numbers and times read on every page. Times are UTC, as the windows and the API are.

const counts = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(undefined, {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

export function formatCount(value: number): string {
  return counts.format(value);
}

/** A rate as a percentage, or an em dash when it is unknown (no impressions). */
export function formatRate(value: number | null): string {
  return value === null ? '—' : percent.format(value);
}

const amounts = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** An amount without its currency sign (a table column already names the currency). */
export function formatAmount(value: number): string {
  return amounts.format(value);
}

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    // A code Intl does not know still shows, with its amount.
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** `2026-11-22 08:15` (UTC). */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `08:15` within a day, with the date when the day changes (axis ticks). */
export function formatTick(ms: number, withDate: boolean): string {
  const text = formatUtc(ms);
  return withDate ? text.slice(5) : text.slice(11);
}
