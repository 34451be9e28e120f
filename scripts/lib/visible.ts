/**
 * Characters that act on a terminal or on how text reads rather than show:
 * controls (C0, C1 and DEL: escape sequences can clear the screen, retitle
 * the window or rewrite rows above), format characters (bidi controls, which
 * reorder what follows), line and paragraph separators, and every character
 * Unicode says to render as nothing (zero-width joiners, variation selectors,
 * tag characters, fillers). A backslash is one too, so an escape is never
 * ambiguous.
 */
const UNSAFE = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;

/** A value read from storage (or a file, or argv), safe to print to an operator's terminal: every unsafe character written as an escape. */
export function visible(text: string): string {
  return text.replace(UNSAFE, (char) => {
    if (char === "\\") return "\\\\";
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** A message line whose every interpolated value goes through `visible`. */
export function shown(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((line, text, index) => line + visible(String(values[index - 1])) + text);
}
