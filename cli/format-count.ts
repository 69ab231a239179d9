/** A count with thousands separators, as every CLI report prints them. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
