/**
 * Characters that act on a terminal or on how text reads rather than show:
 * C0 and C1 controls and DEL (escape sequences can clear the screen, retitle
 * the window or rewrite rows above), and the invisible format characters that
 * reorder or hide text (bidi controls, zero-width characters, line and
 * paragraph separators). A backslash is one too, so an escape is never ambiguous.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** A value read from storage, safe to print to an operator's terminal: every unsafe character written as `\xNN` or `\uNNNN`. */
export function visible(text: string): string {
  return text.replace(UNSAFE, (char) => {
    if (char === "\\") return "\\\\";
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
