import { _, type CodeKeywordDefinition, str } from 'ajv/dist/2020';

/**
 * `maxLength` and `minLength` as JSON Schema defines them (a string's length in Unicode code
 * points), generated so that code points are counted only when the UTF-16 length cannot decide:
 * a string has at most as many code points as UTF-16 units, and at least half as many. Ajv's own
 * rule counts the code points of every string, a loop over each character that took a third of
 * the validation of a typical event (user agents and URLs are long). Same keywords, same errors.
 */
export const codePointLengthLimits: CodeKeywordDefinition = {
  keyword: ['maxLength', 'minLength'],
  type: 'string',
  schemaType: 'number',
  error: {
    message: ({ keyword, schemaCode }) =>
      str`must NOT have ${keyword === 'maxLength' ? 'more' : 'fewer'} than ${schemaCode} characters`,
    params: ({ schemaCode }) => _`{limit: ${schemaCode}}`,
  },
  code(cxt) {
    const { keyword, data, schemaCode, gen } = cxt;
    const count = gen.scopeValue('func', { ref: codePointCount });
    cxt.fail(
      keyword === 'maxLength'
        ? _`${data}.length > ${schemaCode} && ${count}(${data}) > ${schemaCode}`
        : _`${data}.length < ${schemaCode} || (${data}.length < 2 * ${schemaCode} && ${count}(${data}) < ${schemaCode})`,
    );
  },
};

/** Code points in a string; a lone surrogate counts as one, as in ajv's own count. */
export function codePointCount(text: string): number {
  let count = 0;
  for (const _codePoint of text) count++;
  return count;
}
