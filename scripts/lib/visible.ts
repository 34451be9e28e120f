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

/**
 * East Asian wide and fullwidth characters, which take two terminal columns
 * (Unicode's East_Asian_Width W and F blocks, which JavaScript regexes cannot name).
 */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

/** How many columns a (visible) text takes in a terminal: combining marks none, wide characters two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /\p{M}/u.test(char) ? 0 : WIDE.test(char) ? 2 : 1;
  return width;
}
