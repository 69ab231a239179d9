/**
 * An object's members as they continue a JSON object's text: `,"a":1,"b":"x"` for
 * `{ a: 1, b: 'x', c: undefined }`, '' when no field is defined.
 */
export function jsonMembers(fields: object): string {
  const json = JSON.stringify(fields);
  return json === '{}' ? '' : `,${json.slice(1, -1)}`;
}
