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

export function wholeNumber(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `environment variable ${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}
