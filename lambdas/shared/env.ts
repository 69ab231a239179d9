/** The environment a Lambda reads its settings from (process.env in Lambda, a plain object in tests). */
export type Environment = Record<string, string | undefined>;

/** Thrown at start-up for a missing or bad environment variable; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function requiredText(env: Environment, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigError(`environment variable ${name} is required`);
  return value;
}

/** A whole number within bounds, or the fallback when the variable is unset or empty. */
export function wholeNumber(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  // Digits only: Number() would also take '1e3', '0x10' or '-0'.
  if (!/^\s*\d+\s*$/.test(raw) || value < min || value > max) {
    throw new ConfigError(
      `environment variable ${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}

/** One of the allowed words (case-insensitive), or the fallback when the variable is unset or empty. */
export function oneOf<T extends string>(
  env: Environment,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const match = allowed.find((value) => value === raw.trim().toLowerCase());
  if (match === undefined) {
    throw new ConfigError(
      `environment variable ${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`,
    );
  }
  return match;
}
