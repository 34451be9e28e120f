/**
 * `EmailStr` as the FastAPI backend validates it: pydantic 2.13 `networks.validate_email` over
 * email-validator 2.3 `validate_email(email, check_deliverability=False)`, giving the same verdict,
 * reason (the first error raised) and normalised address. Internationalised domains are checked by
 * the runtime URL parser's UTS #46 rules instead of idna's IDNA 2008 tables, and characters are
 * classified by the runtime's Unicode data rather than Python 3.11's Unicode 14.
 */

export type EmailValidation = { ok: true; normalized: string } | { ok: false; reason: string };

export function validateEmail(input: string): EmailValidation {
  try {
    return { ok: true, normalized: validatePydanticEmail(input) };
  } catch (error) {
    if (error instanceof EmailSyntaxError) return { ok: false, reason: error.message };
    throw error;
  }
}

class EmailSyntaxError extends Error {}

function reject(reason: string): never {
  throw new EmailSyntaxError(reason);
}

// pydantic.networks.validate_email

/** Python's whitespace: `str.isspace()`, which both `\s` and `str.strip()` use. */
const PY_SPACE = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_SPACE_CHARACTER = new RegExp(`^${PY_SPACE}$`);
const LEADING_PY_SPACE = new RegExp(`^${PY_SPACE}+`);
/** Python's `\w` is a letter, a number or `_`. */
const NAME_CHARACTER = "[\\p{L}\\p{N}_!#$%&'*+\\-/=?^`{|}~]";
/** pydantic's `pretty_email_regex`, used with `fullmatch`; Python's `.` is anything but a newline. */
const PRETTY_EMAIL = new RegExp(`^${PY_SPACE}*(?:(?:${NAME_CHARACTER}+${PY_SPACE}+)*${NAME_CHARACTER}+|"[\\s\\S]+")?${PY_SPACE}*<([^\\n]+)>${PY_SPACE}*$`, "u");

function validatePydanticEmail(value: string): string {
  if ([...value].length > 2048) reject("Length must not exceed 2048 characters");
  const address = PRETTY_EMAIL.exec(value)?.[1] ?? value;
  return validateAddress(pyRstrip(address).replace(LEADING_PY_SPACE, ""));
}

/** `str.rstrip()`, by hand because a `[\s]+$` regex backtracks quadratically. */
function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && PY_SPACE_CHARACTER.test(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

// email_validator.validate_email

/** RFC 2142 mailbox names, which are case-insensitive. */
const CASE_INSENSITIVE_MAILBOX_NAMES = [
  "info",
  "marketing",
  "sales",
  "support",
  "abuse",
  "noc",
  "security",
  "postmaster",
  "hostmaster",
  "usenet",
  "news",
  "webmaster",
  "www",
  "uucp",
  "ftp",
];

function validateAddress(email: string): string {
  const { displayName, localPart, domainPart, quoted } = splitEmail(email);
  let { text: local, ascii: asciiLocal } = validateLocalPart(localPart, quoted);
  // RFC 6532 3.1: the NFC form is what is kept, so it must be valid too.
  const nfc = local.normalize("NFC");
  if (nfc !== local) {
    try {
      validateLocalPart(nfc, quoted);
    } catch (error) {
      throw error instanceof EmailSyntaxError ? new EmailSyntaxError(`After Unicode normalization: ${error.message}`) : error;
    }
    local = nfc;
  }
  // Optional syntax is refused only after the mandatory checks that apply to it.
  if (quoted) reject("Quoting the part before the @-sign is not allowed here.");
  if (asciiLocal !== undefined && CASE_INSENSITIVE_MAILBOX_NAMES.includes(asciiLocal.toLowerCase())) {
    asciiLocal = asciiLocal.toLowerCase();
    local = local.toLowerCase();
  }
  if (!domainPart) reject("There must be something after the @-sign.");
  if (domainPart.startsWith("[") && domainPart.endsWith("]")) rejectDomainLiteral(domainPart.slice(1, -1));
  const domain = validateDomainName(domainPart);
  const normalized = `${local}@${domain.unicode}`;
  // RFC 3696 errata 1690: 254 octets, for the input and for each form a caller may use.
  checkLength(`${localPart}@${domainPart}`);
  checkLength(normalized, "after normalization");
  checkLength(`${asciiLocal ?? local}@${domain.ascii}`, "when the part after the @-sign is converted to IDNA ASCII");
  if (displayName) reject("A display name and angle brackets around the email address are not permitted here.");
  return normalized;
}

function splitEmail(email: string): { displayName: boolean; localPart: string; domainPart: string; quoted: boolean } {
  let [left, right] = splitAtUnquoted(email, "@<");
  const displayName = right.startsWith("<");
  if (displayName) {
    const name = unquote(pyRstrip(left));
    const invalid = name.quoted ? "" : describeCharacters(name.value, (char) => !ATEXT_OR_SPACE.test(char));
    if (invalid) reject(`The display name contains invalid characters when not quoted: ${invalid}.`);
    checkUnsafeCharacters(name.value, true);
    if (!right.includes(">")) {
      reject("An open angle bracket at the start of the email address has to be followed by a close angle bracket at the end.");
    }
    right = right.replace(/ +$/, "");
    if (!right.endsWith(">")) reject("There can't be anything after the email address.");
    [left, right] = splitAtUnquoted(right.slice(1).replace(/>+$/, ""), "@");
  }
  const { value, quoted } = unquote(left);
  return { displayName, localPart: value, domainPart: right.replace(/^@/, ""), quoted };
}

/** Splits before the first of `specials` outside quotes. */
function splitAtUnquoted(text: string, specials: string): [string, string] {
  let insideQuote = false;
  let escaped = false;
  let end = 0;
  for (const char of text) {
    const start = end;
    end += char.length;
    // A character NFC merges with what follows (`<` + U+0338 is `≮`) is plain text; that only
    // matters for one that would change the state.
    const significant = char === '"' || char === "\\" || specials.includes(char) || (insideQuote && escaped);
    if (significant && mergesWithFollowing(text.slice(start), char)) continue;
    if (insideQuote) {
      insideQuote = escaped || char !== '"';
      escaped = !escaped && char === "\\";
    } else if (char === '"') {
      insideQuote = true;
    } else if (specials.includes(char)) {
      return [text.slice(0, start), text.slice(start)];
    }
  }
  if (text.includes("\uff20")) {
    reject('The email address has the "full-width" at-sign (@) character instead of a regular at-sign.');
  }
  if (text.includes("\ufe6b")) {
    reject('The email address has the "small commercial at" character instead of a regular at-sign.');
  }
  return reject("An email address must have an @-sign.");
}

/** email-validator's `normalize("NFC", text[i:])[0] != c`; only non-ASCII can merge with `char`. */
function mergesWithFollowing(text: string, char: string): boolean {
  const run = /^.[^\0-\x7f]*/su.exec(text)?.[0] ?? char;
  return !run.normalize("NFC").startsWith(char);
}

/** Removes surrounding quotes, undoing backslash escapes (any character may be escaped). */
function unquote(text: string): { value: string; quoted: boolean } {
  if (!text.startsWith('"')) return { value: text, quoted: false };
  const chars = [...text];
  let value = "";
  let escaped = false;
  for (let index = 1; index < chars.length; index++) {
    const char = chars[index] ?? "";
    if (escaped || (char !== "\\" && char !== '"')) {
      value += char;
      escaped = false;
    } else if (char === "\\") {
      escaped = true;
    } else {
      const extra = chars.slice(index + 1);
      if (extra.length > 0) reject(`Extra character(s) found after close quote: ${extra.map(displayCharacter).join(", ")}`);
      break;
    }
  }
  return { value, quoted: true };
}

// The local part: RFC 5322 3.2.3 dot-atom, RFC 6531 3.3 UTF-8, RFC 5321 4.1.2 quoted string

const ATEXT = "a-zA-Z0-9_!#$%&'*+\\-/=?^`{|}~";
const ATEXT_OR_SPACE = new RegExp(`^[ ${ATEXT}]$`);
const DOT_ATOM = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
const ATEXT_INTL = `${ATEXT}\\x80-\\u{10ffff}`;
const ATEXT_INTL_OR_DOT = new RegExp(`^[.${ATEXT_INTL}]$`, "u");
const DOT_ATOM_INTL = new RegExp(`^[${ATEXT_INTL}]+(?:\\.[${ATEXT_INTL}]+)*$`, "u");
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 5322 qtext excludes exactly these control characters.
const QTEXT_INTL = /^[^\0-\x1f\x7f]$/u;

/** `ascii` is undefined when the local part needs SMTPUTF8. */
function validateLocalPart(local: string, quoted: boolean): { text: string; ascii: string | undefined } {
  if (!local) reject("There must be something before the @-sign.");
  if (DOT_ATOM.test(local)) return { text: local, ascii: local };
  if (DOT_ATOM_INTL.test(local)) {
    checkUnsafeCharacters(local, false);
    return { text: local, ascii: undefined };
  }
  if (quoted) {
    const invalid = describeCharacters(local, (char) => !QTEXT_INTL.test(char));
    if (invalid) reject(`The email address contains invalid characters in quotes before the @-sign: ${invalid}.`);
    checkUnsafeCharacters(local, true);
    // RFC 5321 4.1.2: the minimal quoting, escaping only quotes and backslashes.
    const text = `"${local.replace(/["\\]/g, "\\$&")}"`;
    return { text, ascii: /^[ -~]*$/.test(local) ? text : undefined };
  }
  const invalid = describeCharacters(local, (char) => !ATEXT_INTL_OR_DOT.test(char));
  if (invalid) reject(`The email address contains invalid characters before the @-sign: ${invalid}.`);
  checkDotAtom(local, "An email address cannot start with a {}.", "An email address cannot have a {} immediately before the @-sign.", false);
  return reject("The email address contains invalid characters before the @-sign.");
}

const SAFE_CHARACTER = /[\p{L}\p{N}\p{P}\p{S}]/u;
const MARK = /\p{M}/u;
const SPACE_SEPARATOR = /\p{Zs}/u;

/**
 * Valid but unsafe characters: invisible, control, private or unassigned ones, separators (spaces
 * only where quoted) and a leading mark, which would combine with whatever precedes the address.
 */
function checkUnsafeCharacters(text: string, allowSpace: boolean): void {
  const unsafe = [...text].filter((char, index) => !SAFE_CHARACTER.test(char) && (MARK.test(char) ? index === 0 : !(allowSpace && SPACE_SEPARATOR.test(char))));
  if (unsafe.length > 0) {
    reject(`The email address contains unsafe characters: ${[...new Set(unsafe)].sort(byCodePoint).map(displayCharacter).join(", ")}.`);
  }
}

/** RFC 5322 3.2.3 periods, and for host names RFC 952 hyphens. */
function checkDotAtom(text: string, start: string, end: string, hostname: boolean): void {
  if (text.endsWith(".")) reject(end.replace("{}", "period"));
  if (text.startsWith(".")) reject(start.replace("{}", "period"));
  if (text.includes("..")) reject("An email address cannot have two periods in a row.");
  if (!hostname) return;
  if (text.endsWith("-")) reject(end.replace("{}", "hyphen"));
  if (text.startsWith("-")) reject(start.replace("{}", "hyphen"));
  if (text.includes(".-") || text.includes("-.")) reject("An email address cannot have a period and a hyphen next to each other.");
}

// The domain name

const HOSTNAME_CHARACTER = /^[-.a-zA-Z0-9\x80-\u{10ffff}]$/u;
/** Refused by email-validator before UTS #46 because their decomposition holds a full stop. */
const DECOMPOSES_TO_FULL_STOP = /[\u2024-\u2026\u2488-\u249b\u33c2\u33c7\u33d8\ufe52\u{1f100}]/u;

function validateDomainName(domain: string): { unicode: string; ascii: string } {
  let invalid = describeCharacters(domain, (char) => !HOSTNAME_CHARACTER.test(char));
  if (invalid) reject(`The part after the @-sign contains invalid characters: ${invalid}.`);
  checkUnsafeCharacters(domain, false);
  invalid = describeCharacters(domain, (char) => DECOMPOSES_TO_FULL_STOP.test(char));
  if (invalid) reject(`The part after the @-sign contains invalid characters: ${invalid}.`);
  const mapped = uts46Remap(domain);
  invalid = describeCharacters(mapped, (char) => !HOSTNAME_CHARACTER.test(char));
  if (invalid) reject(`The part after the @-sign contains invalid characters after Unicode normalization: ${invalid}.`);
  checkDotAtom(mapped, "An email address cannot have a {} immediately after the @-sign.", "An email address cannot end with a {}.", true);
  // RFC 5890: hyphens in the 3rd and 4th positions are reserved for Punycode (`xn--`).
  if (mapped.split(".").some((label) => /^(?!xn)..--/iu.test(label))) {
    reject("An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.");
  }
  // With the periods and hyphens placed, these characters are exactly RFC 952's host names.
  const ascii = /^[-.a-z0-9]+$/.test(mapped) ? mapped : mapped.split(".").map(toAsciiLabel).join(".");
  // RFC 1035 2.3.4 / RFC 5321 4.5.3.1.2.
  if (ascii.length > 253) {
    const excess = ascii.length - 253;
    // A domain IDNA (or lower-casing) changed is measured in bytes, an unchanged one in characters.
    const reason = ascii === domain ? lengthReason(excess) : `(${excess} byte${excess > 1 ? "s" : ""} too many after IDNA encoding)`;
    reject(`The email address is too long after the @-sign ${reason}.`);
  }
  const longLabel = ascii.split(".").find((label) => label.length > 63);
  if (longLabel) reject(`After the @-sign, periods cannot be separated by so many characters ${lengthReason(longLabel.length - 63)}.`);
  // Globally deliverable: dotless domains are banned (ICANN, 2013) and every TLD ends with a letter.
  if (!ascii.includes(".")) reject("The part after the @-sign is not valid. It should have a period.");
  if (!/[a-z]$/i.test(ascii)) reject("The part after the @-sign is not valid. It is not within a valid top-level domain.");
  if (/(?:^|\.)(?:arpa|invalid|local|localhost|onion|test)$/.test(ascii)) {
    reject("The part after the @-sign is a special-use or reserved name that cannot be used with email.");
  }
  const unicode = ascii
    .split(".")
    .map((label) => toUnicodeLabel(label, "The part after the @-sign is not valid IDNA"))
    .join(".");
  checkUnsafeCharacters(unicode, false);
  return { unicode, ascii };
}

function lengthReason(excess: number): string {
  return `(${excess} character${excess > 1 ? "s" : ""} too many)`;
}

/**
 * `idna.uts46_remap(domain, std3_rules=False, transitional=False)`. UTS #46 maps each code point
 * on its own, so each is put through the URL parser behind a prefix that keeps it a valid label
 * (a Latin one; a Hebrew one for right-to-left text). A code point mapped to ASCII the parser
 * forbids in a host maps to its lower-cased compatibility form.
 */
function uts46Remap(domain: string): string {
  const mapCharacter = (char: string, index: number): string => {
    if (char < "\x80") return char.toLowerCase();
    for (const prefix of ["q", "\u05d0"]) {
      const hostname = hostnameOf(prefix + char);
      if (hostname !== undefined) {
        return hostname
          .split(".")
          .map((label) => (label.startsWith("xn--") && decodePunycode(label.slice(4))) || label)
          .join(".")
          .slice(1);
      }
    }
    const compatible = char.normalize("NFKC").toLowerCase();
    if (/[^-.a-z0-9\x80-\u{10ffff}]/u.test(compatible)) return compatible;
    return reject(
      `The part after the @-sign contains invalid characters (Codepoint ${codePointNotation(char)} not allowed at position ${index + 1} in ${pyRepr(domain)}).`,
    );
  };
  return [...domain].map(mapCharacter).join("").normalize("NFC");
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
}

/** `idna.alabel`. */
function toAsciiLabel(label: string): string {
  const context = "The part after the @-sign is invalid";
  let ascii = label;
  if (/^[\0-\x7f]*$/.test(label)) toUnicodeLabel(label, context);
  else ascii = checkLabel(label, context);
  if (ascii.length > 63) reject(`${context} (Label too long).`);
  return ascii;
}

/** `idna.ulabel` for a lower-case ASCII label. */
function toUnicodeLabel(label: string, context: string): string {
  if (!label.startsWith("xn--")) return label;
  const decoded = decodePunycode(label.slice(4)) ?? reject(`${context} (Invalid A-label).`);
  checkLabel(decoded, context);
  return decoded;
}

/** RFC 5892 2.6, plus the Cherokee capitals, which idna keeps as their case folding changed after it. */
const IDNA_PVALID_EXCEPTIONS = "\\u00df\\u03c2\\u06fd\\u06fe\\u0f0b\\u3007\\u13a0-\\u13f5";
/** RFC 5892 2.6 DISALLOWED exceptions, then the ignorable and old Hangul jamo blocks (2.4, 2.9). */
const IDNA_EXCLUDED = "\\u0640\\u07fa\\u302e\\u302f\\u3031-\\u3035\\u303b\\u20d0-\\u20ff\\u{1d100}-\\u{1d24f}\\u1100-\\u11ff\\ua960-\\ua97f\\ud7b0-\\ud7ff";
/**
 * IDNA 2008 PVALID as RFC 5892 section 2 derives it from Unicode properties: letters, marks and
 * digits unchanged by NFKC case folding; plus the joiners, whose context the URL parser checks.
 */
const IDNA_VALID = new RegExp(
  `^(?:[${IDNA_PVALID_EXCEPTIONS}\\u200c\\u200d]|(?![${IDNA_EXCLUDED}]|\\p{Changes_When_NFKC_Casefolded})[-\\p{Ll}\\p{Lo}\\p{Lm}\\p{Mn}\\p{Mc}\\p{Nd}])$`,
  "u",
);

/**
 * `idna.check_label` with its messages, as far as Unicode properties reach; the URL parser then
 * applies the bidi (RFC 5893) and joiner (RFC 5892 A.1, A.2) rules. Returns the A-label.
 */
function checkLabel(label: string, context: string): string {
  const fail = (message: string): never => reject(`${context} (${message}).`);
  const chars = [...label];
  if (label.normalize("NFC") !== label) fail("Label must be in Normalization Form C");
  if (chars[2] === "-" && chars[3] === "-") fail("Label has disallowed hyphens in 3rd and 4th position");
  if (chars[0] === "-" || chars.at(-1) === "-") fail("Label must not start or end with a hyphen");
  if (MARK.test(chars[0] ?? "")) fail("Label begins with an illegal combining character");
  for (const [index, char] of chars.entries()) {
    const allowed = contextAllows(label, char, chars[index - 1] ?? "", chars[index + 1] ?? "");
    if (allowed === false) fail(`Codepoint ${codePointNotation(char)} not allowed at position ${index + 1} in ${pyRepr(label)}`);
    if (allowed === undefined && !IDNA_VALID.test(char)) {
      fail(`Codepoint ${codePointNotation(char)} at position ${index + 1} of ${pyRepr(label)} not allowed`);
    }
  }
  return hostnameOf(label) ?? fail("Label violates the bidi or joiner rules");
}

/** RFC 5892 appendix A.3 to A.9: whether a CONTEXTO character's context allows it; undefined for others. */
function contextAllows(label: string, char: string, before: string, after: string): boolean | undefined {
  if (char === "\u00b7") return before === "l" && after === "l";
  if (char === "\u0375") return /\p{Script=Greek}/u.test(after);
  if (char === "\u05f3" || char === "\u05f4") return /\p{Script=Hebrew}/u.test(before);
  if (char === "\u30fb") return /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(label);
  if (/[\u0660-\u0669]/.test(char)) return !/[\u06f0-\u06f9]/.test(label);
  if (/[\u06f0-\u06f9]/.test(char)) return !/[\u0660-\u0669]/.test(label);
  return undefined;
}

/**
 * Python's `bytes.decode("punycode")` (RFC 3492); undefined where it raises. Everything before the
 * last hyphen is taken literally.
 */
function decodePunycode(encoded: string): string | undefined {
  const hyphen = encoded.lastIndexOf("-");
  const output = [...encoded.slice(0, Math.max(hyphen, 0))];
  let code = 0x80;
  let position = -1;
  let bias = 72;
  for (let index = hyphen + 1; index < encoded.length; ) {
    const first = index === hyphen + 1;
    let delta = 0;
    for (let weight = 1, threshold = 36; ; threshold += 36) {
      const digit = index < encoded.length ? PUNYCODE_DIGITS.indexOf(encoded.charAt(index++)) : -1;
      if (digit < 0) return undefined;
      const clamped = Math.min(Math.max(threshold - bias, 1), 26);
      delta += digit * weight;
      if (digit < clamped) break;
      weight *= 36 - clamped;
    }
    position += delta + 1;
    code += Math.floor(position / (output.length + 1));
    // A label is at most 63 characters, so a delta too large for a double is far beyond U+10FFFF.
    if (code > 0x10ffff) return undefined;
    position %= output.length + 1;
    output.splice(position, 0, String.fromCodePoint(code));
    delta = Math.floor(delta / (first ? 700 : 2));
    delta += Math.floor(delta / output.length);
    for (bias = 0; delta > 455; bias += 36) delta = Math.floor(delta / 35);
    bias += Math.floor((36 * delta) / (delta + 38));
  }
  return output.join("");
}

const PUNYCODE_DIGITS = "abcdefghijklmnopqrstuvwxyz0123456789";

// Domain literals (RFC 5321 4.1.3): parsed for the right message, never allowed

function rejectDomainLiteral(literal: string): never {
  // Python's `$` also matches before a final newline.
  if (/^[0-9.]+\n?$/.test(literal)) {
    const error = ipv4Error(literal);
    if (error) {
      reject(`The address in brackets after the @-sign is not valid: It is not an IPv4 address (${error}) or is missing an address literal tag.`);
    }
  } else if (literal.startsWith("IPv6:")) {
    const error = ipv6Error(literal.slice(5));
    if (error) reject(`The IPv6 address in brackets after the @-sign is not valid (${error}).`);
  } else if (!literal.includes(":")) {
    reject("The part after the @-sign in brackets is not an IPv4 address and has no address literal tag.");
  } else {
    const invalid = describeCharacters(literal, (char) => !/^[!-\xfa]$/u.test(char));
    if (invalid) reject(`The part after the @-sign contains invalid characters in brackets: ${invalid}.`);
    reject("The part after the @-sign contains an invalid address literal tag in brackets.");
  }
  return reject("A bracketed IP address after the @-sign is not allowed here.");
}

/** The message of the error Python 3.11's `ipaddress.IPv4Address` raises, if any. */
function ipv4Error(address: string): string | undefined {
  if (!address) return "Address cannot be empty";
  const octets = address.split(".");
  if (octets.length !== 4) return `Expected 4 octets in ${pyRepr(address)}`;
  for (const octet of octets) {
    const error = !octet
      ? "Empty octet not permitted"
      : !/^[0-9]+$/.test(octet)
        ? `Only decimal digits permitted in ${pyRepr(octet)}`
        : octet.length > 3
          ? `At most 3 characters permitted in ${pyRepr(octet)}`
          : /^0./.test(octet)
            ? `Leading zeros are not permitted in ${pyRepr(octet)}`
            : Number(octet) > 255
              ? `Octet ${Number(octet)} (> 255) not permitted`
              : "";
    if (error) return `${error} in ${pyRepr(address)}`;
  }
  return undefined;
}

/** The message of the error Python 3.11's `ipaddress.IPv6Address` raises, if any. */
function ipv6Error(address: string): string | undefined {
  if (address.includes("/")) return `Unexpected '/' in ${pyRepr(address)}`;
  const [text = "", ...scope] = address.split("%");
  if (scope.length > 1 || scope[0] === "") return `Invalid IPv6 address: "${pyRepr(address)}"`;
  if (!text) return "Address cannot be empty";
  const repr = pyRepr(text);
  const parts = text.split(":");
  if (parts.length < 3) return `At least 3 parts expected in ${repr}`;
  const last = parts.at(-1) ?? "";
  if (last.includes(".")) {
    const error = ipv4Error(last);
    if (error) return `${error} in ${repr}`;
    parts.splice(-1, 1, "0", "0");
  }
  if (parts.length > 9) return `At most 8 colons permitted in ${repr}`;
  const skips = parts.slice(1, -1).filter((part) => !part).length;
  if (skips > 1) return `At most one '::' permitted in ${repr}`;
  let hextets = parts;
  if (skips) {
    const skip = parts.indexOf("", 1);
    let before = skip;
    let after = parts.length - skip - 1;
    if (!parts[0] && --before) return `Leading ':' only permitted as part of '::' in ${repr}`;
    if (!parts.at(-1) && --after) return `Trailing ':' only permitted as part of '::' in ${repr}`;
    if (before + after > 7) return `Expected at most 7 other parts with '::' in ${repr}`;
    hextets = [...parts.slice(0, before), ...parts.slice(parts.length - after)];
  } else if (parts.length !== 8) {
    return `Exactly 8 parts expected without '::' in ${repr}`;
  } else if (!parts[0]) {
    return `Leading ':' only permitted as part of '::' in ${repr}`;
  } else if (!parts.at(-1)) {
    return `Trailing ':' only permitted as part of '::' in ${repr}`;
  }
  for (const hextet of hextets) {
    if (!/^[0-9a-f]*$/i.test(hextet)) return `Only hex digits permitted in ${pyRepr(hextet)} in ${repr}`;
    if (hextet.length > 4) return `At most 4 characters permitted in ${pyRepr(hextet)} in ${repr}`;
  }
  return undefined;
}

// Lengths

function checkLength(address: string, context?: string): void {
  const excess = utf8Length(address) - 254;
  if (excess <= 0) return;
  const plural = excess > 1 ? "s" : "";
  if (context) reject(`The email address is too long ${context} (${excess} byte${plural} too many).`);
  // At most this many bytes per character, so at least this many characters too many.
  const fewest = Math.max(1, Math.floor(excess / Math.max(...[...address].map(utf8Length))));
  reject(`The email address is too long (${fewest === excess ? "" : `${fewest}-`}${excess} character${plural} too many).`);
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

// Python's view of characters

/** Python compares str by code point, JavaScript by UTF-16 unit. */
function byCodePoint(left: string, right: string): number {
  for (let index = 0; ; index++) {
    const a = left.codePointAt(index) ?? -1;
    const b = right.codePointAt(index) ?? -1;
    if (a !== b || a < 0) return a - b;
    if (a > 0xffff) index++;
  }
}

/** `", ".join(sorted({safe_character_display(c) for c in text if selected(c)}))`. */
function describeCharacters(text: string, selected: (char: string) => boolean): string {
  return [...new Set([...text].filter(selected).map(displayCharacter))].sort(byCodePoint).join(", ");
}

/** email-validator's `safe_character_display`: visible characters quoted, the rest named. */
function displayCharacter(char: string): string {
  if (char === "\\") return '"\\"';
  if (SAFE_CHARACTER.test(char)) return pyRepr(char);
  const code = char.codePointAt(0) ?? 0;
  return characterName(code) ?? `U+${hex(code, code < 0xffff ? 4 : 8).toUpperCase()}`;
}

function codePointNotation(char: string): string {
  return `U+${hex(char.codePointAt(0) ?? 0, 4).toUpperCase()}`;
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, "0");
}

const REPR_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** Python's `repr(str)`: non-printable characters are the separators and `C` categories, except the space. */
function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/(?! )[\\'\p{C}\p{Z}]/gu, (char) => {
    if (char === "'") return quote === "'" ? "\\'" : char;
    const code = char.codePointAt(0) ?? 0;
    return REPR_ESCAPES[char] ?? (code < 0x100 ? `\\x${hex(code, 2)}` : code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`);
  });
  return quote + escaped + quote;
}

/**
 * `unicodedata.name` for the unnamed-by-repr characters an address plausibly holds: spaces,
 * invisible format characters, emoji selectors and tags, and the marks of decomposed Latin text.
 * Others fall back to `U+XXXX`, as email-validator does for characters without a name.
 */
function characterName(code: number): string | undefined {
  if (code >= 0xfe00 && code <= 0xfe0f) return `VARIATION SELECTOR-${code - 0xfdff}`;
  if (code >= 0xe0100 && code <= 0xe01ef) return `VARIATION SELECTOR-${code - 0xe00ef}`;
  const tagged = String.fromCharCode(code - 0xe0000);
  if (code > 0xe0000 && code < 0xe0080 && /^[a-z]$/i.test(tagged)) {
    return `TAG LATIN ${tagged < "a" ? "CAPITAL" : "SMALL"} LETTER ${tagged.toUpperCase()}`;
  }
  return CHARACTER_NAMES[code];
}

const CHARACTER_NAMES: Readonly<Record<number, string>> = {
  32: "SPACE",
  160: "NO-BREAK SPACE",
  173: "SOFT HYPHEN",
  768: "COMBINING GRAVE ACCENT",
  769: "COMBINING ACUTE ACCENT",
  770: "COMBINING CIRCUMFLEX ACCENT",
  771: "COMBINING TILDE",
  772: "COMBINING MACRON",
  774: "COMBINING BREVE",
  775: "COMBINING DOT ABOVE",
  776: "COMBINING DIAERESIS",
  778: "COMBINING RING ABOVE",
  779: "COMBINING DOUBLE ACUTE ACCENT",
  780: "COMBINING CARON",
  803: "COMBINING DOT BELOW",
  807: "COMBINING CEDILLA",
  808: "COMBINING OGONEK",
  824: "COMBINING LONG SOLIDUS OVERLAY",
  1564: "ARABIC LETTER MARK",
  5760: "OGHAM SPACE MARK",
  6158: "MONGOLIAN VOWEL SEPARATOR",
  8192: "EN QUAD",
  8193: "EM QUAD",
  8194: "EN SPACE",
  8195: "EM SPACE",
  8196: "THREE-PER-EM SPACE",
  8197: "FOUR-PER-EM SPACE",
  8198: "SIX-PER-EM SPACE",
  8199: "FIGURE SPACE",
  8200: "PUNCTUATION SPACE",
  8201: "THIN SPACE",
  8202: "HAIR SPACE",
  8203: "ZERO WIDTH SPACE",
  8204: "ZERO WIDTH NON-JOINER",
  8205: "ZERO WIDTH JOINER",
  8206: "LEFT-TO-RIGHT MARK",
  8207: "RIGHT-TO-LEFT MARK",
  8232: "LINE SEPARATOR",
  8233: "PARAGRAPH SEPARATOR",
  8234: "LEFT-TO-RIGHT EMBEDDING",
  8235: "RIGHT-TO-LEFT EMBEDDING",
  8236: "POP DIRECTIONAL FORMATTING",
  8237: "LEFT-TO-RIGHT OVERRIDE",
  8238: "RIGHT-TO-LEFT OVERRIDE",
  8239: "NARROW NO-BREAK SPACE",
  8287: "MEDIUM MATHEMATICAL SPACE",
  8288: "WORD JOINER",
  8289: "FUNCTION APPLICATION",
  8290: "INVISIBLE TIMES",
  8291: "INVISIBLE SEPARATOR",
  8292: "INVISIBLE PLUS",
  8294: "LEFT-TO-RIGHT ISOLATE",
  8295: "RIGHT-TO-LEFT ISOLATE",
  8296: "FIRST STRONG ISOLATE",
  8297: "POP DIRECTIONAL ISOLATE",
  8419: "COMBINING ENCLOSING KEYCAP",
  12288: "IDEOGRAPHIC SPACE",
  65279: "ZERO WIDTH NO-BREAK SPACE",
  917505: "LANGUAGE TAG",
  917631: "CANCEL TAG",
};
