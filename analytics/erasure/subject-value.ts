import schema from '../../contract/event.schema.json' with { type: 'json' };
import { codePointCount } from '../../contract/length-keywords';

// user_id and anonymous_id are both the contract's Identifier: an id outside it was never stored.
const IDENTIFIER = schema.$defs.Identifier;
const IDENTIFIER_PATTERN = new RegExp(IDENTIFIER.pattern, 'u');

/**
 * Why `value` cannot be a stored `user_id` or `anonymous_id` (so erasing it would find nothing,
 * which is almost always a mistyped id), or undefined when it can.
 */
export function invalidSubjectValue(value: string): string | undefined {
  const length = codePointCount(value);
  if (length < IDENTIFIER.minLength) return 'must not be empty';
  if (length > IDENTIFIER.maxLength) {
    return `is ${length} characters long; the event format allows at most ${IDENTIFIER.maxLength}`;
  }
  if (!IDENTIFIER_PATTERN.test(value)) return 'holds a control character, which the event format refuses';
  return undefined;
}
