/** `"name"`, with embedded double quotes doubled: safe for any identifier. */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`

/**
 * A string literal that means the same whatever `standard_conforming_strings` is: backslashes force the
 * `E''` form, where both `\` and `'` are escaped.
 */
export const quoteLiteral = (value: string): string =>
  value.includes("\\")
    ? `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`
    : `'${value.replace(/'/g, "''")}'`
