/**
 * `EmailStr` exactly as the FastAPI backend validates it: pydantic 2.13
 * `networks.validate_email` over email-validator 2.3
 * `validate_email(email, check_deliverability=False)` with every other option at
 * its default. The verdict, the reason string (the first error the libraries
 * raise) and the normalised address all match the Python stack.
 *
 * Python's view of text is reproduced where JavaScript differs: strings are
 * measured and indexed by code point, `str.strip()` and `\s` use Python's
 * whitespace set, and character properties follow the `unicodedata` of
 * Python 3.11 (Unicode 14.0). IDNA follows the `idna` package (3.13): its
 * UTS #46 mapping is read from the runtime's WHATWG URL parser, IDNA 2008
 * validity is derived from Unicode properties, and the tables below hold the
 * facts neither source offers.
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

/** email-validator's EmailSyntaxError; its message is the reason pydantic reports. */
class EmailSyntaxError extends Error {}

/** idna's IDNAError; email-validator quotes its message inside its own. */
class IdnaError extends Error {}

function reject(reason: string): never {
  throw new EmailSyntaxError(reason);
}

function failIdna(message: string): never {
  throw new IdnaError(message);
}

// ---------------------------------------------------------------------------
// pydantic.networks.validate_email
// ---------------------------------------------------------------------------

const MAX_EMAIL_LENGTH = 2048;

function validatePydanticEmail(value: string): string {
  if (codePoints(value).length > MAX_EMAIL_LENGTH) {
    reject(`Length must not exceed ${MAX_EMAIL_LENGTH} characters`);
  }
  const address = prettyEmailPattern().exec(value)?.[3] ?? value;
  return validateAddress(pyStrip(address));
}

/** Python's `str.isspace()` set, which is also what `\s` matches in a str pattern. */
const PY_WHITESPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/**
 * pydantic's `pretty_email_regex`, used with `fullmatch`. Python's `\w` is a
 * letter or number (or `_`) *known to its unicodedata*, so code points newer
 * than Unicode 14 are excluded; `.` is anything but a newline.
 */
const prettyEmailPattern = lazy(() => {
  const space = `[${PY_WHITESPACE}]`;
  const word = `(?:(?!${newerCodePointClass()})[\\p{L}\\p{N}]|[_!#$%&'*+\\-/=?^\`{|}~])`;
  return new RegExp(`^${space}*(?:((?:${word}+${space}+)*${word}+)|"((?:[^"]|")+)")?${space}*<([^\\n]+)>${space}*$`, "u");
});

// ---------------------------------------------------------------------------
// email_validator.validate_email
// ---------------------------------------------------------------------------

const CASE_INSENSITIVE_MAILBOX_NAMES = new Set([
  "info", "marketing", "sales", "support", "abuse", "noc", "security",
  "postmaster", "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp",
]);

function validateAddress(email: string): string {
  const { displayName, localPart, domainPart, quoted } = splitEmail(email);
  const local = normalizeLocalPart(localPart, quoted);
  const domain = validateDomainPart(domainPart);
  const normalized = `${local.text}@${domain.unicode}`;
  checkAddressLength(`${localPart}@${domainPart}`, normalized, `${local.ascii ?? local.text}@${domain.ascii}`);
  // Optional syntax is refused last, after every mandatory check.
  if (displayName) reject("A display name and angle brackets around the email address are not permitted here.");
  return normalized;
}

function normalizeLocalPart(localPart: string, quoted: boolean): LocalPart {
  const local = validateLocalPart(localPart, quoted);
  // RFC 6532 3.1: the NFC form is what callers keep, so it must be valid too.
  const text = local.text.normalize("NFC");
  if (text !== local.text) revalidateNormalizedLocalPart(text, quoted);
  if (quoted) reject("Quoting the part before the @-sign is not allowed here.");
  // RFC 2142 mailbox names are case-insensitive; an ASCII local part is already NFC.
  if (local.ascii !== null && CASE_INSENSITIVE_MAILBOX_NAMES.has(local.ascii.toLowerCase())) {
    const lower = local.ascii.toLowerCase();
    return { text: lower, ascii: lower };
  }
  return { text, ascii: local.ascii };
}

function revalidateNormalizedLocalPart(normalized: string, quoted: boolean): void {
  try {
    validateLocalPart(normalized, quoted);
  } catch (error) {
    if (error instanceof EmailSyntaxError) reject(`After Unicode normalization: ${error.message}`);
    throw error;
  }
}

function validateDomainPart(domainPart: string): { unicode: string; ascii: string } {
  if (domainPart === "") reject("There must be something after the @-sign.");
  if (domainPart.startsWith("[") && domainPart.endsWith("]")) rejectDomainLiteral(domainPart.slice(1, -1));
  return validateDomainName(domainPart);
}

// ---------------------------------------------------------------------------
// split_email: display name, local part, domain part
// ---------------------------------------------------------------------------

interface SplitEmail {
  displayName: boolean;
  localPart: string;
  domainPart: string;
  quoted: boolean;
}

function splitEmail(email: string): SplitEmail {
  const [left, right] = splitAtUnquotedSpecial(email, "@<");
  if (!right.startsWith("<")) return { displayName: false, ...splitLocalPart(left, right) };
  checkDisplayName(pyRstrip(left));
  if (!right.includes(">")) {
    reject("An open angle bracket at the start of the email address has to be followed by a close angle bracket at the end.");
  }
  const bracketed = right.replace(/ +$/, "");
  if (!bracketed.endsWith(">")) reject("There can't be anything after the email address.");
  const [local, domain] = splitAtUnquotedSpecial(bracketed.slice(1).replace(/>+$/, ""), "@");
  return { displayName: true, ...splitLocalPart(local, domain) };
}

function splitLocalPart(local: string, atAndDomain: string): Omit<SplitEmail, "displayName"> {
  const { value, quoted } = unquote(local);
  return { localPart: value, domainPart: atAndDomain.replace(/^@/, ""), quoted };
}

/**
 * Splits before the first special character that is outside quotes and not
 * combined by NFC with what follows (`<` plus U+0338 is `≮`, not a bracket).
 * Only a quote, a backslash, a special or an escaped character acts
 * differently when NFC merges it, so only those pay for normalising.
 */
function splitAtUnquotedSpecial(text: string, specials: string): [string, string] {
  const chars = codePoints(text);
  let insideQuote = false;
  let escaped = false;
  for (const [index, char] of chars.entries()) {
    const significant = char === '"' || char === "\\" || specials.includes(char) || (insideQuote && escaped);
    if (significant && firstCharacterAfterNfc(chars, index) !== char) continue;
    if (insideQuote) {
      insideQuote = escaped || char !== '"';
      escaped = !escaped && char === "\\";
    } else if (char === '"') {
      insideQuote = true;
    } else if (specials.includes(char)) {
      return [chars.slice(0, index).join(""), chars.slice(index).join("")];
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

/**
 * `unicodedata.normalize("NFC", text[index:])[0]`. An ASCII character never
 * composes with what precedes it, so normalising up to the next one gives the
 * same first character without normalising the whole remainder each time.
 */
function firstCharacterAfterNfc(chars: readonly string[], index: number): string | undefined {
  let end = index + 1;
  while (end < chars.length && codeOf(chars[end]) >= 0x80) end++;
  return codePoints(chars.slice(index, end).join("").normalize("NFC"))[0];
}

/** Removes surrounding quotes, undoing backslash escapes (any character may be escaped). */
function unquote(text: string): { value: string; quoted: boolean } {
  const chars = codePoints(text);
  if (chars[0] !== '"') return { value: text, quoted: false };
  let value = "";
  let escaped = false;
  for (const [index, char] of chars.entries()) {
    if (index === 0) continue;
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

function checkDisplayName(text: string): void {
  const { value, quoted } = unquote(text);
  if (!quoted) {
    const invalid = displaySet(value, (char) => char === "." || (!ATEXT_OR_DOT.test(char) && char !== " "));
    if (invalid) reject(`The display name contains invalid characters when not quoted: ${invalid}.`);
  }
  checkUnsafeCharacters(value, true);
}

// ---------------------------------------------------------------------------
// The local part (RFC 5322 3.2.3 dot-atom, RFC 6531 3.3 UTF-8, RFC 5321 4.1.2 quoted)
// ---------------------------------------------------------------------------

const ATEXT = "a-zA-Z0-9_!#$%&'*+\\-/=?^`{|}~";
const ATEXT_OR_DOT = new RegExp(`^[.${ATEXT}]$`);
const DOT_ATOM_TEXT = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
const ATEXT_INTL = `${ATEXT}\\u{80}-\\u{10FFFF}`;
const ATEXT_INTL_OR_DOT = new RegExp(`^[.${ATEXT_INTL}]$`, "u");
const DOT_ATOM_TEXT_INTL = new RegExp(`^[${ATEXT_INTL}]+(?:\\.[${ATEXT_INTL}]+)*$`, "u");
const QTEXT_INTL = /^[\x20-\x7e\u{80}-\u{10FFFF}]$/u;

/** `ascii` is null when the local part needs SMTPUTF8. */
interface LocalPart {
  text: string;
  ascii: string | null;
}

function validateLocalPart(local: string, quoted: boolean): LocalPart {
  if (local === "") reject("There must be something before the @-sign.");
  if (DOT_ATOM_TEXT.test(local)) return { text: local, ascii: local };
  if (DOT_ATOM_TEXT_INTL.test(local)) {
    checkUnsafeCharacters(local, false);
    return { text: local, ascii: null };
  }
  if (quoted) return validateQuotedLocalPart(local);
  const invalid = displaySet(local, (char) => !ATEXT_INTL_OR_DOT.test(char));
  if (invalid) reject(`The email address contains invalid characters before the @-sign: ${invalid}.`);
  checkDotAtom(
    local,
    "An email address cannot start with a {}.",
    "An email address cannot have a {} immediately before the @-sign.",
    false,
  );
  return reject("The email address contains invalid characters before the @-sign.");
}

/** The minimal quoting of RFC 5321 4.1.2: only quotes and backslashes are escaped. */
function validateQuotedLocalPart(local: string): LocalPart {
  const invalid = displaySet(local, (char) => !QTEXT_INTL.test(char));
  if (invalid) reject(`The email address contains invalid characters in quotes before the @-sign: ${invalid}.`);
  checkUnsafeCharacters(local, true);
  const text = `"${local.replace(/["\\]/g, "\\$&")}"`;
  return { text, ascii: /^[\x20-\x7e]*$/.test(local) ? text : null };
}

/** Characters that are valid but unsafe or not sensible in an address. */
function checkUnsafeCharacters(text: string, allowSpace: boolean): void {
  const unsafe = new Set(codePoints(text).filter((char, index) => isUnsafe(char, index, allowSpace)));
  if (unsafe.size > 0) {
    const names = [...unsafe].sort(byCodePoint).map(displayCharacter);
    reject(`The email address contains unsafe characters: ${names.join(", ")}.`);
  }
}

function isUnsafe(char: string, index: number, allowSpace: boolean): boolean {
  const category = generalCategory(char);
  if ("LNPS".includes(category.charAt(0))) return false;
  // A combining mark first would combine with whatever precedes the address.
  if (category.startsWith("M")) return index === 0;
  if (category === "Zs") return !allowSpace;
  return true;
}

/** RFC 5322 3.2.3 dot-atom, plus RFC 952 hyphen rules for host names. */
function checkDotAtom(label: string, startDescription: string, endDescription: string, isHostname: boolean): void {
  const describe = (template: string, what: string): string => template.replace("{}", what);
  if (label.endsWith(".")) reject(describe(endDescription, "period"));
  if (label.startsWith(".")) reject(describe(startDescription, "period"));
  if (label.includes("..")) reject("An email address cannot have two periods in a row.");
  if (!isHostname) return;
  if (label.endsWith("-")) reject(describe(endDescription, "hyphen"));
  if (label.startsWith("-")) reject(describe(startDescription, "hyphen"));
  if (label.includes(".-") || label.includes("-.")) {
    reject("An email address cannot have a period and a hyphen next to each other.");
  }
}

// ---------------------------------------------------------------------------
// The domain name
// ---------------------------------------------------------------------------

const HOSTNAME_CHARACTER = /^[a-zA-Z0-9\-.\u{80}-\u{10FFFF}]$/u;
const HOSTNAME_LABEL = "(?:(?:[a-zA-Z0-9][a-zA-Z0-9\\-]*)?[a-zA-Z0-9])";
const DOT_ATOM_TEXT_HOSTNAME = new RegExp(`^${HOSTNAME_LABEL}(?:\\.${HOSTNAME_LABEL})*$`);
const EMAIL_MAX_LENGTH = 254;
const DOMAIN_MAX_LENGTH = 253;
const DNS_LABEL_LENGTH_LIMIT = 63;
const SPECIAL_USE_DOMAIN_NAMES = ["arpa", "invalid", "local", "localhost", "onion", "test"];

function validateDomainName(domain: string): { unicode: string; ascii: string } {
  const invalid = displaySet(domain, (char) => !HOSTNAME_CHARACTER.test(char));
  if (invalid) reject(`The part after the @-sign contains invalid characters: ${invalid}.`);
  checkUnsafeCharacters(domain, false);
  const expandsToPeriod = displaySet(domain, (char) => inRanges(decomposesToFullStop(), codeOf(char)));
  if (expandsToPeriod) reject(`The part after the @-sign contains invalid characters: ${expandsToPeriod}.`);
  const mapped = idnaStep("The part after the @-sign contains invalid characters", () => uts46Remap(domain));
  const invalidMapped = displaySet(mapped, (char) => !HOSTNAME_CHARACTER.test(char));
  if (invalidMapped) {
    reject(`The part after the @-sign contains invalid characters after Unicode normalization: ${invalidMapped}.`);
  }
  checkDotAtom(
    mapped,
    "An email address cannot have a {} immediately after the @-sign.",
    "An email address cannot end with a {}.",
    true,
  );
  if (mapped.split(".").some(isReservedLdhLabel)) {
    reject(
      "An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.",
    );
  }
  const ascii = toAsciiDomain(mapped);
  checkAsciiDomain(ascii, domain);
  const unicode = idnaStep("The part after the @-sign is not valid IDNA", () => ascii.split(".").map(toUnicodeLabel).join("."));
  idnaStep("The part after the @-sign became invalid after normalizing to international characters", () => encodeDomain(unicode));
  return { unicode, ascii };
}

/** RFC 5890: a label with hyphens in positions 3 and 4 must be Punycode (`xn--`). */
function isReservedLdhLabel(label: string): boolean {
  const chars = codePoints(label);
  return chars[2] === "-" && chars[3] === "-" && !/^xn$/i.test(`${chars[0]}${chars[1]}`);
}

function toAsciiDomain(mapped: string): string {
  if (DOT_ATOM_TEXT_HOSTNAME.test(mapped)) return mapped;
  return idnaStep("The part after the @-sign is invalid", () => mapped.split(".").map(toAsciiLabel).join("."));
}

/** RFC 1035 2.3.4 / RFC 5321 4.5.3.1.2 lengths, then what global deliverability implies. */
function checkAsciiDomain(ascii: string, original: string): void {
  if (ascii.length > DOMAIN_MAX_LENGTH) {
    // Unchanged input is counted in characters, anything IDNA (or lower-casing) touched in bytes.
    const excess = ascii.length - DOMAIN_MAX_LENGTH;
    const reason = ascii === original
      ? lengthReason(ascii.length, DOMAIN_MAX_LENGTH)
      : `(${excess} byte${excess === 1 ? "" : "s"} too many after IDNA encoding)`;
    reject(`The email address is too long after the @-sign ${reason}.`);
  }
  const longLabel = ascii.split(".").find((label) => label.length > DNS_LABEL_LENGTH_LIMIT);
  if (longLabel !== undefined) {
    const reason = lengthReason(longLabel.length, DNS_LABEL_LENGTH_LIMIT);
    reject(`After the @-sign, periods cannot be separated by so many characters ${reason}.`);
  }
  if (!ascii.includes(".")) reject("The part after the @-sign is not valid. It should have a period.");
  // Every top-level domain currently ends with a letter.
  if (!/[A-Za-z]$/.test(ascii)) reject("The part after the @-sign is not valid. It is not within a valid top-level domain.");
  if (SPECIAL_USE_DOMAIN_NAMES.some((name) => ascii === name || ascii.endsWith(`.${name}`))) {
    reject("The part after the @-sign is a special-use or reserved name that cannot be used with email.");
  }
}

function idnaStep<T>(context: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof IdnaError) reject(`${context} (${error.message}).`);
    throw error;
  }
}

function lengthReason(length: number, limit: number): string {
  const excess = length - limit;
  return `(${excess} character${excess > 1 ? "s" : ""} too many)`;
}

/**
 * The original text, the normalised address and its IDNA ASCII form must each
 * fit in 254 UTF-8 octets (RFC 3696 errata 1690).
 */
function checkAddressLength(original: string, normalized: string, asciiForm: string): void {
  checkOriginalLength(original);
  checkTransformedLength(normalized, "after normalization");
  checkTransformedLength(asciiForm, "when the part after the @-sign is converted to IDNA ASCII");
}

function checkTransformedLength(address: string, context: string): void {
  const excess = utf8Length(address) - EMAIL_MAX_LENGTH;
  if (excess > 0) reject(`The email address is too long ${context} (${excess} byte${excess > 1 ? "s" : ""} too many).`);
}

function checkOriginalLength(address: string): void {
  const chars = codePoints(address);
  const excess = utf8Length(address) - EMAIL_MAX_LENGTH;
  if (excess <= 0) return;
  if (chars.length === utf8Length(address)) {
    reject(`The email address is too long ${lengthReason(chars.length, EMAIL_MAX_LENGTH)}.`);
  }
  // At most this many bytes per character, so at least this many characters too many.
  const widest = Math.max(...chars.map(utf8Length));
  const fewest = Math.max(1, Math.floor(excess / widest));
  const count = fewest === excess ? `${excess}` : `${fewest}-${excess}`;
  reject(`The email address is too long (${count} character${excess > 1 ? "s" : ""} too many).`);
}

// ---------------------------------------------------------------------------
// Domain literals (RFC 5321 4.1.3): parsed for the right message, never allowed
// ---------------------------------------------------------------------------

function rejectDomainLiteral(literal: string): never {
  // Python's `$` also matches before a final newline.
  if (/^[0-9.]+\n?$/.test(literal)) {
    const error = ipv4Error(literal);
    const explanation = `It is not an IPv4 address (${error}) or is missing an address literal tag`;
    if (error) reject(`The address in brackets after the @-sign is not valid: ${explanation}.`);
  } else if (literal.startsWith("IPv6:")) {
    const error = ipv6Error(literal.slice("IPv6:".length));
    if (error) reject(`The IPv6 address in brackets after the @-sign is not valid (${error}).`);
  } else if (!literal.includes(":")) {
    reject("The part after the @-sign in brackets is not an IPv4 address and has no address literal tag.");
  } else {
    const invalid = displaySet(literal, (char) => !/^[\x21-\xfa]$/u.test(char));
    if (invalid) reject(`The part after the @-sign contains invalid characters in brackets: ${invalid}.`);
    reject("The part after the @-sign contains an invalid address literal tag in brackets.");
  }
  return reject("A bracketed IP address after the @-sign is not allowed here.");
}

/** The message of the `ValueError` Python's `ipaddress.IPv4Address` raises, if any. */
function ipv4Error(text: string): string | undefined {
  if (text === "") return "Address cannot be empty";
  const octets = text.split(".");
  if (octets.length !== 4) return `Expected 4 octets in ${pyRepr(text)}`;
  const error = octets.map(octetError).find((message) => message !== undefined);
  return error && `${error} in ${pyRepr(text)}`;
}

function octetError(octet: string): string | undefined {
  if (octet === "") return "Empty octet not permitted";
  if (!/^[0-9]+$/.test(octet)) return `Only decimal digits permitted in ${pyRepr(octet)}`;
  if (octet.length > 3) return `At most 3 characters permitted in ${pyRepr(octet)}`;
  if (octet !== "0" && octet.startsWith("0")) return `Leading zeros are not permitted in ${pyRepr(octet)}`;
  return Number(octet) > 255 ? `Octet ${Number(octet)} (> 255) not permitted` : undefined;
}

/** The message of the `ValueError` Python 3.11's `ipaddress.IPv6Address` raises, if any. */
function ipv6Error(address: string): string | undefined {
  if (address.includes("/")) return `Unexpected '/' in ${pyRepr(address)}`;
  const percent = address.indexOf("%");
  if (percent === -1) return ipv6TextError(address);
  const scope = address.slice(percent + 1);
  if (scope === "" || scope.includes("%")) return `Invalid IPv6 address: "${pyRepr(address)}"`;
  return ipv6TextError(address.slice(0, percent));
}

function ipv6TextError(text: string): string | undefined {
  if (text === "") return "Address cannot be empty";
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
  const shape = ipv6ShapeError(parts);
  if (shape) return `${shape} in ${repr}`;
  const error = ipv6Groups(parts).map(hextetError).find((message) => message !== undefined);
  return error && `${error} in ${repr}`;
}

/** Where `::` may stand and how many groups may surround it. */
function ipv6ShapeError(parts: readonly string[]): string | undefined {
  const gaps = parts.slice(1, -1).filter((part) => part === "").length;
  if (gaps > 1) return "At most one '::' permitted";
  const leading = parts[0] === "";
  const trailing = parts.at(-1) === "";
  if (gaps === 0) {
    if (parts.length !== 8) return "Exactly 8 parts expected without '::'";
    if (leading) return "Leading ':' only permitted as part of '::'";
    return trailing ? "Trailing ':' only permitted as part of '::'" : undefined;
  }
  const gap = parts.indexOf("", 1);
  if (leading && gap !== 1) return "Leading ':' only permitted as part of '::'";
  if (trailing && gap !== parts.length - 2) return "Trailing ':' only permitted as part of '::'";
  return ipv6Groups(parts).length > 7 ? "Expected at most 7 other parts with '::'" : undefined;
}

/** Once the shape is valid, the only empty parts are those of the `::`. */
function ipv6Groups(parts: readonly string[]): string[] {
  return parts.filter((part) => part !== "");
}

function hextetError(hextet: string): string | undefined {
  if (!/^[0-9a-fA-F]*$/.test(hextet)) return `Only hex digits permitted in ${pyRepr(hextet)}`;
  return hextet.length > 4 ? `At most 4 characters permitted in ${pyRepr(hextet)}` : undefined;
}

// ---------------------------------------------------------------------------
// idna 3.13: UTS #46 mapping, IDNA 2008 labels (RFC 5891, 5892, 5893), Punycode
// ---------------------------------------------------------------------------

/** The WHATWG URL parser (a runtime global), typed here so no DOM library is needed. */
declare const URL: new (input: string) => { readonly hostname: string };

/**
 * `idna.uts46_remap(domain, std3_rules=False, transitional=False)`. The URL
 * parser applies the same UTS #46 table; each character is mapped on its own,
 * behind a prefix that neither composes with it nor upsets the bidi rule the
 * parser enforces (a Latin one, else a Hebrew one for right-to-left text).
 */
function uts46Remap(domain: string): string {
  const mappings = new Map<string, string>();
  const mapOnce = (char: string, index: number): string => {
    const mapped = mappings.get(char) ?? mapCharacter(char, index, domain);
    mappings.set(char, mapped);
    return mapped;
  };
  return codePoints(domain).map(mapOnce).join("").normalize("NFC");
}

function mapCharacter(char: string, index: number, domain: string): string {
  if (codeOf(char) < 0x80) return char.toLowerCase();
  for (const prefix of ["q", "\u05d0"]) {
    const mapped = hostnameOf(prefix + char);
    if (mapped !== undefined) return mapped.split(".").map(fromAsciiLabel).join(".").slice(prefix.length);
  }
  // Mapped to ASCII the URL parser forbids in a host (space, `/`, `<`, ...). Their mapping is the
  // lower-cased NFKC form (U+037A's has U+03B9 for U+0345, which changes nothing: its space is refused).
  if (inRanges(mapsToForbiddenAscii(), codeOf(char))) return char.normalize("NFKC").toLowerCase();
  return failIdna(`Codepoint ${unicodeNotation(codeOf(char))} not allowed at position ${index + 1} in ${pyRepr(domain)}`);
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
}

function fromAsciiLabel(label: string): string {
  return label.startsWith("xn--") ? (punycodeDecode(label.slice(4)) ?? label) : label;
}

/** `idna.alabel`. */
function toAsciiLabel(label: string): string {
  if (isAscii(label)) {
    toUnicodeLabel(label);
    if (label.length > DNS_LABEL_LENGTH_LIMIT) failIdna("Label too long");
    return label;
  }
  checkLabel(label);
  const encoded = `xn--${punycodeEncode(label)}`;
  if (encoded.length > DNS_LABEL_LENGTH_LIMIT) failIdna("Label too long");
  return encoded;
}

/** `idna.ulabel`. */
function toUnicodeLabel(label: string): string {
  if (!isAscii(label)) {
    checkLabel(label);
    return label;
  }
  const lower = label.toLowerCase();
  if (!lower.startsWith("xn--")) {
    checkLabel(lower);
    return lower;
  }
  // Hostname syntax has already excluded an empty `xn--` label or one ending in a hyphen.
  const decoded = punycodeDecode(lower.slice(4)) ?? failIdna("Invalid A-label");
  checkLabel(decoded);
  return decoded;
}

/** `idna.encode(domain)`, only for its errors. */
function encodeDomain(domain: string): void {
  if (domain.split(".").map(toAsciiLabel).join(".").length > DOMAIN_MAX_LENGTH) failIdna("Domain too long");
}

/** `idna.check_label`. */
function checkLabel(label: string): void {
  const chars = codePoints(label);
  const first = chars[0] ?? "";
  if (label.normalize("NFC") !== label) failIdna("Label must be in Normalization Form C");
  if (chars[2] === "-" && chars[3] === "-") failIdna("Label has disallowed hyphens in 3rd and 4th position");
  if (first === "-" || chars.at(-1) === "-") failIdna("Label must not start or end with a hyphen");
  if (generalCategory(first).startsWith("M")) failIdna("Label begins with an illegal combining character");
  chars.forEach((char, position) => checkCodePointClass(chars, position, label));
  checkBidi(chars, label);
}

function checkCodePointClass(chars: readonly string[], position: number, label: string): void {
  const code = codeOf(chars[position]);
  const codePoint = unicodeNotation(code);
  const where = `position ${position + 1}`;
  if (code === 0x200c || code === 0x200d) {
    // idna's `except ValueError` around the joiner rule also catches the rule's own refusal.
    if (!validJoiner(chars, position)) failIdna(`Unknown codepoint adjacent to joiner ${codePoint} at ${where} in ${pyRepr(label)}`);
  } else if (isContextO(code)) {
    if (!validContextO(chars, position)) failIdna(`Codepoint ${codePoint} not allowed at ${where} in ${pyRepr(label)}`);
  } else if (!isPvalid(chars[position] ?? "")) {
    failIdna(`Codepoint ${codePoint} at ${where} of ${pyRepr(label)} not allowed`);
  }
}

const PVALID_EXCEPTIONS = [0xdf, 0x3c2, 0x6fd, 0x6fe, 0xf0b, 0x3007];
const DISALLOWED_EXCEPTIONS = [0x640, 0x7fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b];
const UNSTABLE_OR_IGNORABLE =
  /[\p{Changes_When_NFKC_Casefolded}\p{Default_Ignorable_Code_Point}\p{White_Space}\p{Noncharacter_Code_Point}\p{Cn}]/u;
const LETTER_OR_DIGIT = /[\p{Ll}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{Nd}]/u;

/**
 * IDNA 2008 PVALID as RFC 5892 section 3 derives it, over the runtime's
 * Unicode data; idna also counts the Cherokee capitals (U+13A0..U+13F5),
 * whose case folding changed after RFC 5892, as PVALID.
 */
function isPvalid(char: string): boolean {
  const code = codeOf(char);
  if (PVALID_EXCEPTIONS.includes(code) || (code >= 0x13a0 && code <= 0x13f5)) return true;
  if (DISALLOWED_EXCEPTIONS.includes(code)) return false;
  if (code < 0x80) return /^[a-z0-9-]$/.test(char);
  if (UNSTABLE_OR_IGNORABLE.test(char)) return false;
  const inBlock = ([low, high]: readonly [number, number]): boolean => code >= low && code <= high;
  const ignorableBlock = [[0x20d0, 0x20ff], [0x1d100, 0x1d24f]] as const;
  const oldHangulJamo = [[0x1100, 0x11ff], [0xa960, 0xa97f], [0xd7b0, 0xd7ff]] as const;
  return !ignorableBlock.some(inBlock) && !oldHangulJamo.some(inBlock) && LETTER_OR_DIGIT.test(char);
}

function isContextO(code: number): boolean {
  const arabicIndicDigit = (code >= 0x660 && code <= 0x669) || (code >= 0x6f0 && code <= 0x6f9);
  return arabicIndicDigit || [0xb7, 0x375, 0x5f3, 0x5f4, 0x30fb].includes(code);
}

const KANA_OR_HAN = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]$/u;

/** RFC 5892 appendix A.3 to A.9. */
function validContextO(chars: readonly string[], position: number): boolean {
  const code = codeOf(chars[position]);
  const before = chars[position - 1] ?? "";
  const after = chars[position + 1] ?? "";
  if (code === 0xb7) return before === "l" && after === "l";
  if (code === 0x375) return /^\p{Script=Greek}$/u.test(after);
  if (code === 0x5f3 || code === 0x5f4) return /^\p{Script=Hebrew}$/u.test(before);
  if (code === 0x30fb) return chars.some((char) => char !== "\u30fb" && KANA_OR_HAN.test(char));
  const [low, high] = code <= 0x669 ? [0x6f0, 0x6f9] : [0x660, 0x669];
  return !chars.some((char) => codeOf(char) >= low && codeOf(char) <= high);
}

/** RFC 5892 appendix A.1 and A.2, with idna's `_combining_class` refusing unnamed characters. */
function validJoiner(chars: readonly string[], position: number): boolean {
  const before = chars[position - 1];
  if (before !== undefined && inRanges(viramas(), codeOf(before))) return true;
  if (codeOf(chars[position]) === 0x200d || (before !== undefined && !hasPythonName(before))) return false;
  const leftType = firstNonTransparentJoiningType(chars.slice(0, position).reverse());
  const rightType = firstNonTransparentJoiningType(chars.slice(position + 1));
  return (leftType === "L" || leftType === "D") && (rightType === "R" || rightType === "D");
}

function firstNonTransparentJoiningType(chars: readonly string[]): string | undefined {
  return chars.map(joiningType).find((type) => type !== "T");
}

function joiningType(char: string): string | undefined {
  const code = codeOf(char);
  const tables = joiningTypes();
  const listed = (["D", "R", "L"] as const).find((type) => inRanges(tables[type], code));
  if (listed) return listed;
  // Transparent is almost exactly the marks and format characters.
  const markOrFormat = /^[\p{Mn}\p{Me}\p{Cf}]$/u.test(char);
  return markOrFormat !== inRanges(tables.transparentExceptions, code) ? "T" : undefined;
}

const RIGHT_TO_LEFT = ["R", "AL", "AN"];

/** RFC 5893 section 2, applied only to labels holding right-to-left characters. */
function checkBidi(chars: readonly string[], label: string): void {
  const directions = chars.map(bidiClass);
  const unknown = directions.indexOf("");
  if (unknown !== -1) failIdna(`Unknown directionality in label ${pyRepr(label)} at position ${unknown + 1}`);
  if (!directions.some((direction) => RIGHT_TO_LEFT.includes(direction))) return;
  const first = directions[0] ?? "";
  if (first !== "R" && first !== "AL" && first !== "L") {
    failIdna(`First codepoint in label ${pyRepr(label)} must be directionality L, R or AL`);
  }
  const rtl = first !== "L";
  const allowed = rtl ? ["R", "AL", "AN", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"] : ["L", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"];
  const validEnd = rtl ? ["R", "AL", "EN", "AN"] : ["L", "EN"];
  const kind = rtl ? "right-to-left" : "left-to-right";
  let endsValid = false;
  let numberType: string | undefined;
  for (const [index, direction] of directions.entries()) {
    if (!allowed.includes(direction)) failIdna(`Invalid direction for codepoint at position ${index + 1} in a ${kind} label`);
    if (direction !== "NSM") endsValid = validEnd.includes(direction);
    if (rtl && (direction === "AN" || direction === "EN")) {
      numberType ??= direction;
      if (numberType !== direction) failIdna("Can not mix numeral types in a right-to-left label");
    }
  }
  if (!endsValid) failIdna("Label ends with illegal codepoint directionality");
}

/** Blocks whose default bidi class is AL, and those whose default is R (DerivedBidiClass.txt). */
const ARABIC_LETTER_BLOCKS = parseRanges("600-7bf,860-8ff,fb50-fdcf,fdf0-fdff,fe70-feff,10d00-10d3f,10ec0-10eff,10f30-10f6f,1ec70-1ecbf,1ed00-1ed4f,1ee00-1eeff");
const RIGHT_TO_LEFT_BLOCKS = parseRanges("590-5ff,7c0-85f,fb1d-fb4f,10800-10cff,10d40-10ebf,10f00-10f2f,10f70-10fff,1e800-1ec6f,1ecc0-1ecff,1ed50-1edff,1ef00-1efff");

/**
 * `unicodedata.bidirectional` for the characters a valid label can hold: the
 * default class of each block (Unicode's DerivedBidiClass), marks as NSM, and
 * the listed exceptions. Empty for code points Python's Unicode lacks.
 */
function bidiClass(char: string): string {
  const code = codeOf(char);
  if (inRanges(newerCodePoints(), code)) return "";
  const exception = bidiExceptions().find(([, ranges]) => inRanges(ranges, code));
  if (exception) return exception[0];
  if (code === 0x2d) return "ES";
  if (code >= 0x30 && code <= 0x39) return "EN";
  const category = generalCategory(char);
  if (category === "Mn" || category === "Me") return "NSM";
  if (inRanges(ARABIC_LETTER_BLOCKS, code)) return "AL";
  return inRanges(RIGHT_TO_LEFT_BLOCKS, code) ? "R" : "L";
}

/** RFC 3492 Punycode with Python's parameters. */
const PUNYCODE_DIGITS = "abcdefghijklmnopqrstuvwxyz0123456789";

function punycodeThreshold(position: number, bias: number): number {
  return Math.min(26, Math.max(1, 36 * (position + 1) - bias));
}

function adaptBias(delta: bigint, first: boolean, length: number): number {
  let scaled = first ? delta / 700n : delta / 2n;
  scaled += scaled / BigInt(length);
  let divisions = 0;
  while (scaled > 455n) {
    scaled /= 35n;
    divisions += 36;
  }
  return divisions + Number((36n * scaled) / (scaled + 38n));
}

function punycodeEncode(label: string): string {
  const codes = codePoints(label).map(codeOf);
  let output = codes.filter((code) => code < 0x80).map((code) => String.fromCodePoint(code)).join("");
  const basicLength = output.length;
  if (basicLength > 0) output += "-";
  let handled = basicLength;
  let next = 0x80;
  let delta = 0;
  let bias = 72;
  while (handled < codes.length) {
    const smallest = Math.min(...codes.filter((code) => code >= next));
    delta += (smallest - next) * (handled + 1);
    next = smallest;
    for (const code of codes) {
      if (code < next) delta++;
      if (code !== next) continue;
      output += encodeVariableLengthInteger(delta, bias);
      bias = adaptBias(BigInt(delta), handled === basicLength, handled + 1);
      delta = 0;
      handled++;
    }
    delta++;
    next++;
  }
  return output;
}

function encodeVariableLengthInteger(value: number, bias: number): string {
  let output = "";
  let remaining = value;
  for (let position = 0; ; position++) {
    const threshold = punycodeThreshold(position, bias);
    if (remaining < threshold) return output + PUNYCODE_DIGITS.charAt(remaining);
    output += PUNYCODE_DIGITS.charAt(threshold + ((remaining - threshold) % (36 - threshold)));
    remaining = Math.floor((remaining - threshold) / (36 - threshold));
  }
}

/**
 * Python's `bytes.decode("punycode")`: everything before the last hyphen is
 * taken literally, and any malformed input is an error (undefined). Arbitrary
 * precision, because a crafted label can encode an enormous delta.
 */
function punycodeDecode(encoded: string): string | undefined {
  const hyphen = encoded.lastIndexOf("-");
  const output = hyphen === -1 ? [] : codePoints(encoded.slice(0, hyphen));
  const digits = (hyphen === -1 ? encoded : encoded.slice(hyphen + 1)).toUpperCase();
  let code = 0x80n;
  let position = -1n;
  let bias = 72;
  for (let index = 0; index < digits.length; ) {
    const decoded = decodeVariableLengthInteger(digits, index, bias);
    if (decoded === undefined) return undefined;
    position += decoded.value + 1n;
    const slots = BigInt(output.length + 1);
    code += position / slots;
    if (code > 0x10ffffn) return undefined;
    position %= slots;
    output.splice(Number(position), 0, String.fromCodePoint(Number(code)));
    bias = adaptBias(decoded.value, index === 0, output.length);
    index = decoded.next;
  }
  return output.join("");
}

function decodeVariableLengthInteger(digits: string, start: number, bias: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  let weight = 1n;
  for (let index = start; index < digits.length; index++) {
    const digit = PUNYCODE_DIGITS.toUpperCase().indexOf(digits.charAt(index));
    if (digit === -1) return undefined;
    const threshold = punycodeThreshold(index - start, bias);
    value += BigInt(digit) * weight;
    if (digit < threshold) return { value, next: index + 1 };
    weight *= BigInt(36 - threshold);
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Python's str: code points, whitespace, repr, ordering
// ---------------------------------------------------------------------------

/** Python indexes a str by code point; a lone surrogate is one code point. */
function codePoints(text: string): string[] {
  return Array.from(text);
}

function codeOf(char: string | undefined): number {
  return char?.codePointAt(0) ?? -1;
}

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

function utf8Length(text: string): number {
  return codePoints(text).reduce((total, char) => {
    const code = codeOf(char);
    return total + (code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4);
  }, 0);
}

const PY_SPACE_CHARACTER = new RegExp(`^[${PY_WHITESPACE}]$`);

/** `str.strip()`; every Python whitespace character is a single UTF-16 unit. */
function pyStrip(text: string): string {
  let start = 0;
  while (start < text.length && PY_SPACE_CHARACTER.test(text.charAt(start))) start++;
  return pyRstrip(text.slice(start));
}

/** `str.rstrip()`. */
function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && PY_SPACE_CHARACTER.test(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

function byCodePoint(left: string, right: string): number {
  const a = codePoints(left);
  const b = codePoints(right);
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const difference = codeOf(a[index]) - codeOf(b[index]);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

const NON_PRINTABLE_CATEGORIES = new Set(["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"]);
const REPR_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** Python's `repr(str)`. */
function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  return quote + codePoints(text).map((char) => reprCharacter(char, quote)).join("") + quote;
}

function reprCharacter(char: string, quote: string): string {
  if (char === quote) return `\\${char}`;
  const escape = REPR_ESCAPES[char];
  if (escape !== undefined) return escape;
  if (char === " " || !NON_PRINTABLE_CATEGORIES.has(generalCategory(char))) return char;
  const code = codeOf(char);
  if (code < 0x100) return `\\x${hex(code, 2)}`;
  return code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

function unicodeNotation(code: number): string {
  return `U+${hex(code, 4).toUpperCase()}`;
}

/** email-validator's `safe_character_display`: visible characters quoted, the rest named. */
function displayCharacter(char: string): string {
  if (char === "\\") return '"\\"';
  if ("LNPS".includes(generalCategory(char).charAt(0))) return pyRepr(char);
  const code = codeOf(char);
  return unicodeName(code) ?? `U+${hex(code, code < 0xffff ? 4 : 8).toUpperCase()}`;
}

/** `", ".join(sorted({safe_character_display(c) for c in text if selected(c)}))`. */
function displaySet(text: string, selected: (char: string) => boolean): string {
  const displays = new Set(codePoints(text).filter(selected).map(displayCharacter));
  return [...displays].sort(byCodePoint).join(", ");
}

// ---------------------------------------------------------------------------
// Python 3.11's unicodedata (Unicode 14.0) over the runtime's Unicode data
// ---------------------------------------------------------------------------

const GENERAL_CATEGORIES = "Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co"
  .split(" ")
  .map((name) => [name, new RegExp(`^\\p{${name}}$`, "u")] as const);

/** Categories that changed between Unicode 14 and the runtime's newer data. */
const CATEGORY_CHANGES: ReadonlyMap<number, string> = new Map([[0x295, "Ll"], [0x1171e, "Mn"]]);

/** `unicodedata.category`. */
function generalCategory(char: string): string {
  const code = codeOf(char);
  if (inRanges(newerCodePoints(), code)) return "Cn";
  return CATEGORY_CHANGES.get(code) ?? GENERAL_CATEGORIES.find(([, pattern]) => pattern.test(char))?.[0] ?? "Cn";
}

/** Python 3.11 has a name for every assigned character except Tangut ideographs. */
function hasPythonName(char: string): boolean {
  const code = codeOf(char);
  const tangut = (code >= 0x17000 && code <= 0x187f7) || (code >= 0x18d00 && code <= 0x18d08);
  return !tangut && !["Cn", "Cc", "Co", "Cs"].includes(generalCategory(char));
}

/**
 * `unicodedata.name` for marks, separators and format characters, the only
 * characters email-validator names; variation selectors are named by number.
 */
function unicodeName(code: number): string | undefined {
  if (code >= 0xfe00 && code <= 0xfe0f) return `VARIATION SELECTOR-${code - 0xfe00 + 1}`;
  if (code >= 0xe0100 && code <= 0xe01ef) return `VARIATION SELECTOR-${code - 0xe0100 + 17}`;
  return characterNames().get(code);
}

// ---------------------------------------------------------------------------
// Tables, decoded on first use
// ---------------------------------------------------------------------------

type Ranges = readonly (readonly [number, number])[];

function inRanges(ranges: Ranges, code: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = ranges[middle] ?? [0, -1];
    if (code < start) high = middle - 1;
    else if (code > end) low = middle + 1;
    else return true;
  }
  return false;
}

/** `"a8,2d8-2dd"` (hex, ascending) as ranges. */
function parseRanges(encoded: string): Ranges {
  return encoded.split(",").map((item) => {
    const [start = "", end = start] = item.split("-");
    return [parseInt(start, 16), parseInt(end, 16)] as const;
  });
}

function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/** Assigned in the runtime's Unicode but not in Unicode 14.0, so unknown to Python 3.11. */
const newerCodePoints = lazy(() => parseRanges("88f,897,c5c,cdc,cf3,ece,1acf-1add,1ae0-1aeb,1b4e-1b4f,1b7f,1c89-1c8a,20c1,2427-2429,2b96,2ffc-2fff,31e4-31e5,31ef,a7cb-a7cf,a7d2,a7d4,a7da-a7dc,a7f1,fbc3-fbd2,fd90-fd91,fdc8-fdce,105c0-105f3,10940-10959,10d40-10d65,10d69-10d85,10d8e-10d8f,10ec2-10ec7,10ed0-10ed8,10efa-10eff,1123f-11241,11380-11389,1138b,1138e,11390-113b5,113b7-113c0,113c2,113c5,113c7-113ca,113cc-113d5,113d7-113d8,113e1-113e2,116d0-116e3,11b00-11b09,11b60-11b67,11bc0-11be1,11bf0-11bf9,11db0-11ddb,11de0-11de9,11f00-11f10,11f12-11f3a,11f3e-11f5a,1342f,13439-13455,13460-143fa,16100-16139,16d40-16d79,16ea0-16eb8,16ebb-16ed3,16ff2-16ff6,187f8-187ff,18cff,18d09-18d1e,18d80-18df2,1b132,1b155,1cc00-1ccfc,1cd00-1ceb3,1ceba-1ced0,1cee0-1cef0,1d2c0-1d2d3,1df25-1df2a,1e030-1e06d,1e08f,1e4d0-1e4f9,1e5d0-1e5fa,1e5ff,1e6c0-1e6de,1e6e0-1e6f5,1e6fe-1e6ff,1f6d8,1f6dc,1f774-1f77f,1f7d9,1f8b2-1f8bb,1f8c0-1f8c1,1f8d0-1f8d8,1fa54-1fa57,1fa75-1fa77,1fa87-1fa8a,1fa8e-1fa8f,1faad-1faaf,1fabb-1fabf,1fac6,1fac8,1facd-1facf,1fada-1fadc,1fadf,1fae8-1faea,1faef,1faf7-1faf8,1fbcb-1fbef,1fbfa,2b739-2b73f,2cea2-2cead,2ebf0-2ee5d,31350-33479"));

const newerCodePointClass = lazy(() => {
  const ranges = newerCodePoints().map(([start, end]) => `\\u{${hex(start, 1)}}-\\u{${hex(end, 1)}}`);
  return `[${ranges.join("")}]`;
});

/** Characters whose decomposition holds a full stop; email-validator refuses them before UTS #46 (U+FF0E is allowed). */
const decomposesToFullStop = lazy(() => parseRanges("2024-2026,2488-249b,33c2,33c7,33d8,fe52,1f100"));

/** Characters UTS #46 maps to ASCII the URL parser forbids in a host, so it cannot report their mapping. */
const mapsToForbiddenAscii = lazy(() => parseRanges("a8,af,b4,b8,2d8-2dd,37a,384-385,1fbd,1fbf-1fc1,1fcd-1fcf,1fdd-1fdf,1fed-1fee,1ffd-1ffe,2017,203e,2047-2049,2100-2101,2105-2106,2a74,309b-309c,fc5e-fc63,fdfa-fdfb,fe13,fe16,fe47-fe4c,fe55-fe56,fe5f,fe64-fe65,fe68,fe6a-fe6b,fe70,fe72,fe74,fe76,fe78,fe7a,fe7c,fe7e,ff03,ff05,ff0f,ff1a,ff1c,ff1e-ff20,ff3b-ff3e,ff5c,ffe3"));

/** Canonical combining class 9 (virama). */
const viramas = lazy(() => parseRanges("94d,9cd,a4d,acd,b4d,bcd,c4d,ccd,d3b-d3c,d4d,dca,e3a,eba,f84,1039-103a,1714-1715,1734,17d2,1a60,1b44,1baa-1bab,1bf2-1bf3,2d7f,a806,a82c,a8c4,a953,a9c0,aaf6,abed,10a3f,11046,11070,1107f,110b9,11133-11134,111c0,11235,112ea,1134d,11442,114c2,115bf,1163f,116b6,1172b,11839,1193d-1193e,119e0,11a34,11a47,11a99,11c3f,11d44-11d45,11d97"));

/** idna's joining types (Unicode 17); transparent ones are the marks and format characters, give or take these. */
const joiningTypes = lazy(() => ({
  D: parseRanges("620,626,628,62a-62e,633-63f,641-647,649-64a,66e-66f,678-687,69a-6bf,6c1-6c2,6cc,6ce,6d0-6d1,6fa-6fc,6ff,712-714,71a-71d,71f-727,729,72b,72d-72e,74e-758,75c-76a,76d-770,772,775-777,77a-77f,7ca-7ea,841-845,848,84a-853,855,860,862-865,868,886,889-88d,88f,8a0-8a9,8af-8b0,8b3-8b8,8ba-8c8,1807,1820-1878,1887-18a8,18aa,a840-a871,10ac0-10ac4,10ad3-10ad6,10ad8-10adc,10ade-10ae0,10aeb-10aee,10b80,10b82,10b86-10b88,10b8a-10b8b,10b8d,10b90,10bad-10bae,10d01-10d21,10d23,10ec3-10ec4,10ec6-10ec7,10f30-10f32,10f34-10f44,10f51-10f53,10f70-10f73,10f76-10f81,10fb0,10fb2-10fb3,10fb8,10fbb-10fbc,10fbe-10fbf,10fc1,10fc4,10fca,1e900-1e943"),
  R: parseRanges("622-625,627,629,62f-632,648,671-673,675-677,688-699,6c0,6c3-6cb,6cd,6cf,6d2-6d3,6d5,6ee-6ef,710,715-719,71e,728,72a,72c,72f,74d,759-75b,76b-76c,771,773-774,778-779,840,846-847,849,854,856-858,867,869-86a,870-882,88e,8aa-8ac,8ae,8b1-8b2,8b9,10ac5,10ac7,10ac9-10aca,10ace-10ad2,10add,10ae1,10ae4,10aef,10b81,10b83-10b85,10b89,10b8c,10b8e-10b8f,10b91,10ba9-10bac,10d22,10ec2,10f33,10f54,10f74-10f75,10fb4-10fb6,10fb9-10fba,10fbd,10fc2-10fc3,10fc9"),
  L: parseRanges("a872,10acd,10ad7,10d00,10fcb"),
  transparentExceptions: parseRanges("600-605,6dd,890-891,8e2,180e,200c-200d,2066-2069,110bd,110cd,1e94b"),
}));

/** Bidi classes of valid label characters that the block defaults above get wrong. */
const bidiExceptions = lazy(() =>
  Object.entries({
    AN: "660-669,10d30-10d39",
    BN: "200c-200d",
    EN: "6f0-6f9",
    L: "cbf,cc6,11a07-11a08,11c3f",
    ON: "b7,2b9-2ba,2c6-2cf,2ec,375,2e2f,30fb,a67f,a717-a71f,a788",
  }).map(([direction, ranges]) => [direction, parseRanges(ranges)] as const),
);

/**
 * Names from Python 3.11's unicodedata: a word list, then one entry per code
 * point (each word an index of one character, or of two past the first
 * `oneCharacterCodes` of the alphabet; entries ended by `,`), with `~hex~`
 * jumping to a code point.
 */
const characterNames = lazy(() => {
  const words = "SIGN VOWEL COMBINING LETTER MARK SMALL SIGNWRITING ARABIC BELOW LATIN ABOVE TAG SUBJOINED VOCALIC TIBETAN ZNAMENNY CONSONANT TONE U I E MYANMAR MIAO CYRILLIC O DEVANAGARI HEBREW TAI MUSICAL SYMBOL RIGHT ACCENT AA LEFT AI HIGH AU THAM II DOUBLE VIRAMA GLAGOLITIC UU ANUSVARA MARCHEN VISARGA DOT R KHMER GRANTHA WITH BALINESE CAPITAL MOUTH ON DIGIT GONDI SYRIAC VEDIC SOYOMBO SQUARE CANDRABINDU GUJARATI L NUKTA LIMBU TELUGU MALAYALAM SHARADA A BRAHMI KANNADA ZANABAZAR HALF ORIYA SAMARITAN SINHALA BENGALI LEPCHA OPEN RR SAURASHTRA TIRHUTA CHAKMA MAI NEWA POINT S FINAL GURMUKHI JAVANESE SIDDHAM SPACE CHAM DOTS KAITHI LOW MASARAM MAYEK MEETEI MODI RA TAMIL BHAIKSUKI CHARACTER LAO LL LONG OVERLAY SUNDANESE THAI AHOM AKURU ARROWHEAD DIVES DOGRA LENGTH MEDIAL NANDINAGARI OO ROTATION TWO VERTICAL BATAK HMONG LINE NUMBER RING SHORT EE INVERTED KHAROSHTHI KHOJKI POVYSHE REJANG SHAN TAKRI WORD ARROW GUNJALA KAREN KHUDAWADI OLD TILDE TONGUE KAYAH LA SOGDIAN STRAIGHT THAANA UP CANDRA DOWN MACRON NKO STROKE SVARITA THREE YA EGYPTIAN END HEAD HIEROGLYPH MODIFIER NAGRI NEUTRAL SYLOTI UE VIET ZERO BREVE CIRCLE CURLY KRYZHEM LI MONGOLIAN N NIZKO PA WA ACUTE ADLAM ALEF CIM DAMMA DIGA DOTTED ENCLOSING EYEBROWS EYES GRAVE GREEK JOINER KIKAKUI LIGATURE M MALO MENDE NOSE NYIAKENG PAHAWH PUACHUE PWO REVERSED TEETH WESTERN WRINKLED YUS CHEEKS COMMA FATHA G H HOOK INDEPENDENT KA KASRA KHOKHLOM LIPS MA MADDA NA OE ONE PARENTHESIS PLUS SARA SOLIDUS SUKUN TEDUNG TENSE VYSOKO W Y AE ALTERNATE ANUDATTA AT BASSA BEGIN BRIDGE BUGINESE CENTRE CIRCUMFLEX CLOSED D DIAERESIS EYEGAZE-WALLPLANE FILL FORWARD FOUR GEMINATION GORAZDO HAMZA IDEOGRAPHIC K KOMBUVA MILLIONS MON MOVEMENT NG NGA NOON PERMIC PRIZNAK SELECTOR SEPARATOR T TACK TALING THOUSANDS TONE-2 TONE-3 TONE-5 TRIPLE V VAH X YAJURVEDIC B BIG BRACKET C CENTRALIZATION CLUSTER-FINAL COPTIC CURVE DIRECTION DREAMY EN EYEGAZE-FLOORPLANE FORM FORMAT FREE HA HANIFI HARPOON IE INSERT INSIDE INSULAR ISOLATE KANG LAM LARGE LEFT-TO-RIGHT LOWER MAKASAR MOVEMENT-WALLPLANE OR P PARENTHESES RANGE REPA RIGHT-TO-LEFT RISING ROHINGYA ROUNDED SA SHA SHORTHAND STOP SUKU TAGALOG TONAL TSA UDATTA ULU UPPER UYGHUR VARIATION WANCHO WIDTH YEH ABBREVIATION AELA-PILLA ALAYHE ALI AND ANNOTATION ASTERISK BA BAR CA CAN CONTACT COUNCIL CURVED DA DAMMATAN DOWNWARDS EI EK EM ER ETHIOPIC EU EYE EYELASHES F FACE FATHATAN FIVE FIXED-FORM FOREHEAD FROWN GALI GAYANUKITTA HAA HALANTA HANUNOO HATAF HUNDRED INTERLINEAR INVISIBLE IOTIFIED JEGOGAN KASRATAN KATHAKA KAVYKA KETTI KHUEN KISS KRYZH LIGHT MANDAIC MEEM MIDDLE MOVEMENT-FLOORPLANE NO-BREAK OBLIQUE OF OUT OVAL OVER OVERLINE PEPET POSITION PRISHTHAMATRA PTHAHA QAMATS RECTANGLE ROUND RTAGS SANDHI SEGOL SGAW SHADDA SINGLE SIX SMILE STRANNO SUPERSCRIPT TA THO TILTING TITLO TONE-1 TOP TSATA TURNED WIDE WRINKLES Z ZQAPHA -A ACTIVATE ADEG AEDA-PILLA AIR AITON ALMOST ALTERNATING AM AN ANGLE ANTICLOCKWISE ARCH ASPIRATION ASTROLOGICAL AW AYAH BALUDA BAMUM BARB BEAM BINDI BLINK BOTTOM BOW BUHID BZUNG CALYA CARON CECAK CEDILLA CHA CHASHKA CLOCKWISE CONJOINING DAGESH DIRECTIONAL DOUBLED DUPLOYAN DZA EA EIGHT EMBEDDING EMPTY EQUAL EQUALS ERR ESASA FITA FLIP FOOTNOTE FOR GA GAETTA-PILLA GERESH GHUNNA HAIR HANGUL HASANTA HBASA HOLAM HORIZONTAL IA IN INHERENT INHIBIT INITIAL IOTATED IS-PILLA IYEK IZHE J JA JAW KARO KATAKANA-HIRAGANA KEMPLI KEMPUL KHA KHAMTI LAI LAING LEFTWARDS LENGA LENGTHENER LIP LOOP MADDAH MAKSURA MANICHAEAN MARKER MCHU MERKHA MODIFIER-2 MODIFIER-3 MODIFIER-4 MODIFIER-5 MODIFIER-6 NECK NGAS NINE NYA NYI OA OGONEK OMET ORNAMENT OVERLAP OVERLONG OVERRIDE PAA-PILLA PAMUDPOD PASANGAN PATAH PHA PHRASE PLOPHU PNEUMATA PODCHASHIE POP Q QAF QATAN QUAD RBASA READING REFORMED REVERSE RIGHTWARDS SAD SAFHA SEEN SEGMENT SEVEN SHAPES SHAPING SLUR SOFT SOUND SPIRITUS SREDNE START STEM STEP STICKING STRESS STRONG SUBJOINER SUCKED SWAPPING SYMMETRIC TAGBANWA TAIL TALL TELISHA TEN THA TIE TIP TO TONE-4 TSHA TSHES UA UUE VI VIETNAMESE WAW WULU YAWN YERU YEZIDI YI YU YY ZA ZADERZHKA ZAQEF ZHA ZIGZAG ZLA ZLAMA -KHYUD -PHRU AABAAFILI AAI AAU ABAFILI ACCENT-STACCATO ACUTE-GRAVE-ACUTE ACUTE-MACRON ADAK ADDAK AEE AFFRICATION AGAINST AGGRAVATED AHH AHSDA AIN AL-JUZ AL-LAKUNA ALAPH ALIF ALLAHOU ALPHA AMPERSAND AN-NISF ANAP ANCHOR ANG ANGULAR ANHU ANNUITY ANUSVARAYA AO APOSTROPHE APPLICATION APUN AQ AR-RUB ARDHACANDRA AS-SAJDA ASAT ASPER ASSALLAM ATH-THALATHA ATHARVAVEDIC ATIKRAMA ATNAH ATTACHING ATTHACAN AUGMENTATION AV AVAGRAHA AY AZU BACKSLASH BANTOC BARREE BARREKH BATHAMASAT BCAD BE BEN BEND BENDE BETA BETWEEN BHA BHATTIPROLU BINDU BISAH BITE BLOWING BODY BORZAYA BRACKETS BREVE-MACRON BUKY CAKRA CANCEL CANCELLATION CATAWA CAUDA CECEK CHATTAWA CHE CHEEK CHEINAP CHRIVI CIRCLING CIRCULAR COENG COLON COMMERCIAL CONTINUING CORNERS CRYPTOGRAMMIC DAGALGA DANTAYALAN DARGA DASIA DDA DDHA DE DEHI DEKA DELETION DEMESTVENNY DEPARTING DESCENDING DHA DIAERESIS-RING DIALYTIKA DIAMOND DIRGA DISC DISPUTED DJERV DJERVI DOBRO DOI DOIT DOLLAR DOTLESS DVISVARA DVOETOCHIE DZHA EARS EBEFILI EEBEEFILI EF EL EMPHATIC ENDEP ENG ENTERING EPACT EPENTHETIC ES ES-TE ESH ETH ETNAHTA EXCITEMENT EXCLAMATION EXTRA EYBEYFILI FAR FARSI FEMININE FERMATA FIGURE FILLED FILLER FIRST FLAG-1 FLAG-2 FLAG-3 FLAG-4 FLAG-5 FLATTENED FLUTTERING FORMATTING FOUR-PER-EM FRITU FROM FULL FUNCTION GADOL GDAN GEBA GEDOLA GEMINATE GERSHAYIM GHA GHE GLAGOLI GONG GRAPHEME GRAVE-ACUTE-GRAVE GRAVE-MACRON GREATER-THAN HAAM HAARU HAFUKH HAN-AKAT HARBAHAY HARD HARMONIC HASER HATHI HBASA-ESASA HERU HIGH-LOW HIP HIRIQ HOM HOMOTHETIC HORN HUNDREDS HYPHEN HYPHEN-MINUS IAN IANG IBIFILI IG ILUT ILUY IMAALA IN-ALAF INAP INDICATOR INFINITY ING IO IONG IS ISHMAAM ISOLATED IU JEEM JOINTS JUDEO-SPANISH KACHKA KAKABAT KAKO KAN KARAN KARSHANA KASHMIRI KE KEFULA KEMPHRENG KERET KES KEYCAP KHAH KHAV KHIT KHITAN KHUEN-LUE KILLER KOI KOINI KOMBU KON KOQNDON KORONIS KSSA KUPNAYA LANGUAGE LAYAR LCE LCI LDAN LENIS LESS-THAN LEVEL LEVEL-2 LEVEL-3 LICKING LIGATING LITTLE LJUDIJE LO LOCATION LOMKA LOURE LOW-MID LUM MAAYYAA MACRON-ACUTE MACRON-BREVE MACRON-GRAVE MAHAJANI MAHAPAKH MAITAIKHU MAPIQ MAR MARCATO MARCATO-STACCATO MASORA MATHEMATICAL MEDIUM MELIK MENDUT METEG MID MIDLINE MINUS MODIFIER-10 MODIFIER-11 MODIFIER-12 MODIFIER-13 MODIFIER-14 MODIFIER-15 MODIFIER-16 MODIFIER-7 MODIFIER-8 MODIFIER-9 MOKHASSAS MONOGRAPH MOVES MRACHNO MUKPHRENG MULTIPLE MUNAH MUQDAM MURE MUSIC MUUSIKATOAN MYSLITE NAA NARROW NASALIZATION NASHI NATIONAL NENOE NEQUDAA NHAY NI NIGGAHITA NIKAHIT NIKHAHIT NNA NOMINAL NON-JOINER NOT NOZHKA NUNG NYIN-DO OABOAFILI OBLACHKO OBOFILI OCCLUSION OER OEY OG OGHAM OI OLE OMEGA ONAP ONU OOBOOFILI OOE OTSECHKA OU OY PADMA PAKPAK PALATALIZATION PALATALIZED PALAUNG PALI PAMAAEH PAMEPET PAMINGKAL PANAELAENG PANEULEUNG PANGHULU PANGKON PANGLAYAR PANGOLAT PANGWISAD PANOLONG PANONGONAN PANYAKRA PANYANGGA PANYECEK PANYIKU PANYUKU PAO PARA PARAGRAPH PASHTA PAYEROK PAZER PE PENGKAL PENTASEME PERCENT PERISPOMENI PHAISTOS PHINTHU PHO PIASTRE PIZZICATO PODVERTKA POINTING POKOJI POKRYTIE POLNAYA POUND PRENKHA PRESSED PSILI PUFFED PUNCTUATION QADMA QARNEY QETANA QIF QUBUTS QUESTION QUOTATION QUSHSHAYA RA-KARA RADI RAFE RAHMATULLAH RAN RATHA RAVNO RAZSEKA REAHMUK RECTANGULAR RELAXED REREKAN RESH RETROFLEX REVIA RICEM RIGVEDIC RIM RIP RITSI RJES RNAM RO ROBAT ROG ROTUNDA RUKKAKHA RUMAI RWAHA SA-I SAH SAKOT SAKTA SALLALLAHOU SAM SAMVAT SAMYOK SANAH SANNYA SARI SAT SAW SCHROEDER SCHWA SCREEN SCRIPT SDONG SEAGULL SEMI-VOICED SEMICOLON SEMIVOWEL SGOR SH SHALSHELET SHARA SHCHA SHEVA SHIN SHTA SIDEWAYS SII SIMALUNGUN SIN SIX-PER-EM SKOBA SLOVO SMEAR SNA SNAKE SNAP SO SOROCHYA SOUNAP SPRECHGESANG SQUEEZED SSA STACCATISSIMO STACCATO SU SUAM SUBSCRIPT SUCKING SURANG SUSPENSION SVETLO TAH TAHALA TAKHALLUS TANA TANG TARUNG TASHEEL TASSI TAUM TE TEENS TEGEH TELU TENS TENUTO TERMINATOR TETRASEME TEVIR THANTHAKHAT THICK THIN THOUSAND THREE-DOT THREE-PER-EM TI TIFINAGH TIKHAYA TILT TIMES TIPEHA TIPPI TIRYAK TOANDAKHIAT TOCHKA TOGETHER TOLONG TOMPI TONE-6 TONE-B TONE-D TONE-G TONE-J TONE-M TONE-S TONE-V TONOS TOTO TOUCHING TREMOLO-1 TREMOLO-2 TREMOLO-3 TRESVETLO TRI TRIANGLE TRIISAP TRISEME TSE TSERE TSHUGS TSI TTA TTHA TUB TUKWENTIS TUP TUPNI TVRIDO TWO-CIRCLE UAN UANG UBUFILI UDAAT UDARKA UEE UEI UI UK UKRAINIAN UKU UNAP UNDERDOT UNG UOG UPRIGHT UPWARD UPWARDS UR US VA VARIKA VAV VE VEDE VIRIAM VISARGAYA VOCALIZATION VOICED VOICING VW VZMET WAAJIB WAQFA WASSALLAM WAVY WIDENING WIGGLES WIGGLY WIGNYAN WINK WO X-X YAKASH YAMAKKAN YANG YAR YAT YATI YENAP YERAH YERI YESTU YETIV YO YOMO YPOGEGRAMMENI YUI YUT YUUKALEAPINTU ZAH ZAIN ZARQA ZATA ZE ZELO ZEMLJA ZEVOK ZHE ZHIVETE ZINOR ZWARAKAY".split(" ");
  const alphabet = "#$%&'()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}";
  const oneCharacterCodes = 75;
  const names = new Map<number, string>();
  let code = 0;
  let entry: string[] = [];
  const data = "~20~p5~a0~sSp5~ad~uNx8~300~%q>C,%q4C,%qtC,%pi,%ps,%sY,%q),%R.,%qw,%qU.,%pX.,%Kq4C,%t:,%pSpV.,%KpSpV.,%Kq>C,%b,%p[q),%ssqQ.,%qQ.,%qKqQ.,%qQ.B,%q>C+,%q4C+,%Er3+,%Br3+,%Et'.,%x6,%EnpX+,%ppr3+,%prr3+,%qb#+,%y8#+,%yxqU+,%zcqU+,%R+,%qw+,%pX+,%qQ+,%t<,%u-,%pSpV+,%qq+,%p[Kt)+,%t:+,%qtC+,%q)+,%p[q)+,%pi+,%ps+,%p9pV,%Kp9pV,%pipE,%pYpupE,%pDpupE,%pYqdpE,%pDqdpE,%BnpX+,%p[qq+,%a+,%{*+,%r<.,%pSpi,%KsY,%q>5',%q45',%q?z<,%q?xh,%q?w9|$,%q?|u,%qq.,%tK#+,%KpSpV+,%Et'+,%y_pi.,%x5.,%t#tJue.,%EBpd+,%|Mpd+,%w|q@,%BpJ.,%EnpX.,%w`,%r<+,%EpJ+,%BpJ+,%BpJrzpppJ+,%BnpX.,%R.B,%r|+,%KpX+,%uy.,%Kq)+,%Kq),%Kps,%Kps+,%Kpi,%Kp[q),%KuEpd+,%-(&j,%-(&8,%-(&7,%-(&<,%-(&6,%-(&rA,%-(&qv,%-(&qT,%-(&qC,%-(&S,%-(&r2,%-(&r:,%-(&r<~483~%;so,%;yw,%;w-u:,%;zJu:,%;zE,%;sBr5#,%;r'#~591~>CwW,>Csd,>C{1,>Cuwu?,>Cuwwr,>C{o,>Czd,>C|{,>Cz5,>C|r,>C{c,>CtT,>CtTyJ,>Cww,>CzNz3,>Cu`wu,>Cz7,>CvQx',>CyI,>Cy),>Ct{,>Ct{xW,>Cw+,>CzM,>Cu`zO,>C|ova|t,>Cyl,>Cx?,>Cw1,>C}(,>'y0q*,>p/{4,>p/sAsd,>p/sAu6,>p/sAs_,>p/x3,>p/|1,>p/sd,>p/u6,>p/s_,>p/tZ,>p/tZx-tQ|R,>p/zQ,>p/tAr]y+,>p/y5~5bf~>p/zW~5c1~>p/{5R,>p/{:R~5c4~>'rpR,>'rYR~5c7~>p/s_u?~600~*pW#,*#z{,*tPty,*#uG,*#zy,*pW'.~610~*#zwrx|_,*#rxvM,*#zXrx,*#zVv8v@,*#{S,*(G{Q,*(GqBq6VrVVru,*(G|z,*(qR,*(q8,*(qX~61c~*&'~64b~*s7,*s*,*sG,*qR,*q8,*qX,*sf,*qe,*tv.,*r#.,*r#+,*{Lq6,*p[q8,*'r-tU,*}),*$#(r:.,*$#p[(r:.,*$#R+,*qKq8,*qRVpRp7,*|`r#+~670~*&skq6~6d6~*(GqBuFVrVVq6tw,*(GqBu>VrVVq6tw,*(GsPtarJ,*(GrVq6,*(GxL,*(Gpwp7,*(GuH,*pzsUt.~6df~*(Greq(,*(G|Kz_q(,*(GwDp{sUx],*(GsPxJrJ,*(p9uH,*(Gq]~6e7~*(Gru,*(Gr-~6ea~*tIqsp9ri,*tIqsGri,*reGriVwbqs,*(p9sP~70f~^rv'~711~^&skv6~730~^s^.,^s^+,^s^q:,^sw.,^sw+,^swq:,^uA.,^uA+,^q:u{t[,^q:u{v?,^tY.,^tY+,^x/q:,^tM.,^tM+,^zr,^w_R,^zT,^zp,^pRpSp7.,^pRpSp7+,^pwp7.,^pwp7+,^sTpV.,^sTpV+,^yL,^v]~7a6~pov&,pov#,pox<,powJ,po|>,poyp,powI,pow[,poye,poyc,poqe~7eb~pt%pYG5,pt%pYp95,pt%pYrc5,pt%pDw65,pt%pDG5,pt%pDp95,pt%pDrc5,pt%yQ',pt%KR.~7fd~ptw*~816~p#'t^,p#'xA,p#'yf,p#'tA~81b~p#'wR|w,p#$#pD8,p#$#8,p#$#u1D,p#$#pDD,p#$#D,p#$#u1j,p#$#pDj,p#$#j~825~p#$#pYj,p#$#pD6,p#$#6~829~p#$#pD7,p#$#7,p#$#<,p#$#qe,p#'yU~859~sOv.',sO|W',sOq|'~890~*zG'.,*z@'.~898~*(Gpcv4,*(p9pcxI,*(p9pcx@,*(p9pc{W,*q]|],*skq6yC,*tCq],*nq]sXq]~8ca~*(Gw^ru,*(Gruv[VpRp7+,*(Gpczt,*(G|y,*rWsaR.,*rWsaR+,*qe+,*rWq*+,*rWsaRrRq*+,*(p9um,*(GpcvH,*(GuF,*(Gv3,*(Gu>,*(Gr-VqX,*(p9r-VqX,*(GpcvN,*(GpcvJ,*(Gpcv;,*(Gpczv,*(GpczP,*(Gpc|^,*(GtPty,*(G#uG,*w=pzsUt.,*ssq8+,*q+qR,*q+q8,*q+qX,*q+s7,*q+s*,*q+sG,*5q`R.,*5pRp7.,*5tu.,*5q`R+,*5pRp7+,*5tu+,*p's7,*p's*,*p'sG,*(Gum,*qRVpX,*qRVR.,*qXVR+,*EpJ.,*BpJ.,*EpJ+,*BpJ+,*KBpJ.,*KBpJ.VR,*BpJ.VR,*q8VR,*'{7r-tU,=#p[b,=#b,=#O,=#Q~93a~=$#q_,=$#yq,=#e~93e~=$#D,=$#7,=$#J,=$#6,=$#N,=$#1S,=$#1p(,=$#pq8,=$#pY8,=$#8,=$#F,=$#pq<,=$#pY<,=$#<,=$#H,=#L,=$#s]8,=$#t-~951~=uV#rn,=uV#qm,=q>C,=q4C,=$#pqpD8,=$#q&,=$#uj~962~=$#1d,=$#1pC~981~p%#b,p%#O,p%#Q~9bc~p%#e~9be~p%$#D,p%$#7,p%$#J,p%$#6,p%$#N,p%$#1S,p%$#1p(~9c7~p%$#8,p%$#F~9cb~p%$#<,p%$#H,p%#L~9d7~p%HpM'~9e2~p%$#1d,p%$#1pC~9fe~p%sc'~a01~p2#v*t3,p2#t3,p2#Q~a3c~p2#e~a3e~p2$#D,p2$#7,p2$#J,p2$#6,p2$#N~a47~p2$#pZ,p2$#F~a4b~p2$#pP,p2$#H,p2#L~a51~p2#|?~a70~p2{p,p2v+~a75~p2#|h~a81~c#b,c#O,c#Q~abc~c#e~abe~c$#D,c$#7,c$#J,c$#6,c$#N,c$#1S,c$#1p(,c$#pq8~ac7~c$#8,c$#F,c$#pq<~acb~c$#<,c$#H,c#L~ae2~c$#1d,c$#1pC~afa~c#qe,c#sf,c#tv,c#{he.,c#q*e.,c#|;e.~b01~o#b,o#O,o#Q~b3c~o#e~b3e~o$#D,o$#7,o$#J,o$#6,o$#N,o$#1S,o$#1p(~b47~o$#8,o$#F~b4b~o$#<,o$#H,o#L~b55~o#sY,oFpM',oHpM'~b62~o$#1d,o$#1pC~b82~p?#O~bbe~p?$#D,p?$#7,p?$#J,p?$#6,p?$#N~bc6~p?$#8,p?$#pZ,p?$#F~bca~p?$#<,p?$#pP,p?$#H,p?#L~bd7~p?HpM'~c00~g#%b.,g#b,g#O,g#Q,g#%O.~c3c~g#e~c3e~g$#D,g$#7,g$#J,g$#6,g$#N,g$#1S,g$#1p(~c46~g$#8,g$#pZ,g$#F~c4a~g$#<,g$#pP,g$#H,g#L~c55~gpM',gFpM'~c62~g$#1d,g$#1pC~c81~l#b,l#O,l#Q~cbc~l#e~cbe~l$#D,l$#7,l$#J,l$#6,l$#N,l$#1S,l$#1p(~cc6~l$#8,l$#pZ,l$#F~cca~l$#<,l$#pP,l$#H,l#L~cd5~lpM',lFpM'~ce2~l$#1d,l$#1pC~d00~h#%O.,h#b,h#O,h#Q~d3b~h#pSs#L,h#v}L~d3e~h$#D,h$#7,h$#J,h$#6,h$#N,h$#1S,h$#1p(~d46~h$#8,h$#pZ,h$#F~d4a~h$#<,h$#pP,h$#H,h#L~d57~hHpM'~d62~h$#1d,h$#1pC~d81~p$#b,p$#vB,p$#|V~dca~p$#v5~dcf~p$$#rw,p$$#sJs{,p$$#q9s{,p$$#sJtc,p$$#q9tc,p$$#sJu3~dd6~p$$#q9u3~dd8~p$$#tS,p$$#r&,p$$#q9r&,p$$#xew2,p$$#r&s>rw,p$$#r&s>q9rw,p$$#r&s>s=,p$$#s=~df2~p$$#q9tS,p$$#q9s=~e31~pGpAp-x(~e34~pGpAqc7,pGpAqcJ,pGpAqcq&,pGpAqc|A,pGpAqc6,pGpAqcN,pGpAz>~e47~pGpAy*,pGpAp-s.,pGpAp-sm,pGpAp-|+,pGpAp-vw,pGpA{d,pGpAyZ,pGpA|i~eb1~pB$#p-xR~eb4~pB$#7,pB$#J,pB$#qj,pB$#ut,pB$#6,pB$#N,pB#yzL,pB$#p-xf,pB{.#xy~ec8~pB5p-s.,pB5p-sm,pB5p-{j,pB5p-vt,pBvs',pByX~f18~2t+#u|q2,2t+#{)|2~f35~2'u't8u*uz~f37~2'u't8{/sb~f39~2'rmu}~f3e~2#|kuh,2#y-uh~f71~2$#D,2$#7,2$#J,2$#6,2$#N,2$#1S,2$#1p(,2$#1d,2$#1pC,2$#8,2$#pZ,2$#<,2$#pP,2#zj{Jr+zl,2#zkv_,2$#qK7,2$#qKJ,2#u*uzyOs),2#{?xo,2's?~f86~2#xnsb,2#|jsb~f8d~20#xmrms%,20#tzs%,20#p[tzs%,20&qW,20&tm,20&tR,20&wx,20&r+,20&s$,20&t=,20&tg~f99~20&u),20&|4,20&|5,20&w.,20&w/,20&y[,20&sl,20&ub,20&s),20&w7,20&q^,20&q2,20&u7,20&r},20&vf,20&q[,20&rm,20&ug,20&tE,20&wG,20&q3,20&ux,20&uu,20&sx,20&px,20&p>,20&pl,20&rg,20&{G,20&rf,20&rM,20&j,20&xi,20&s9q3,20&s9px,20&s9p>~fc6~2Ayuws~102b~9$#u_D,9$#D,9$#7,9$#J,9$#6,9$#N,9$#8,9$#F,9$#r(J,9$#r(<,9$#8.,9#O,9#R+,9#Q,9#L,9#vK,94#pNpx,94#pNp>,94#pNq3,94#pNrM~1056~9$#1S,9$#1p(,9$#1d,9$#1pC~105e~94#r(pNq^,94#r(pNq[,94#r(pNpl~1062~9$#sepfs2,95'sepfx.,95'sepfxVz?~1067~9$#qMqJpfs2,9$#qMqJpfq&,9#qMqJpfsp,9#qMqJpfr6,9#qMqJpfr7,9#qMqJpfuf,9#qMqJpfr8~1071~9$#wtpf7,9$#pkq_,9$#pk6,9$#pkpZ~1082~94#papNq3,9$#paD,9$#pa8,9$#pa8.,9$#pap1qj,9#par6,9#par7,9#par8,9#pa{w,9#pas'r6,9#pas'r7,9#pas'wM5~108f~9#zqyyr8~109a~9#tnsp,9#tnr7,9$#s}j,9$#s}F~135d~s1%q|rz$pM',s1%$pM',s1%q|'~1680~yjp5'~1712~rk$#7,rk$#6,rk#L,rk#u4~1732~s@$#7,s@$#6,s@#u4~1752~t7$#7,t7$#6~1772~u]$#7,u]$#6~17b4~T$t_vG,T$t_D,T$#D,T$#7,T$#J,T$#qj,T$#ut,T$#6,T$#N,T$#ui,T$#q_,T$#px,T$#rP,T$#8,T$#qk,T$#F,T$#pP,T$#H,T#yY,T#z^,T#|x,T#yM,T#|.,T#vZ,T#zm,T#{r,T#xP,T#v2,T#zzz|,T#|U,T#w#,T#v^~17dd~T#vS~180b~q/rLrrr0q`,q/rLrrr0pR,q/rLrrr0pw,q/$r1,q/rLrrr0q{~1885~q/&rys<t/,q/&rys<pwt/~18a9~q/&rys<w)~1920~f$#j,f$#7,f$#6,f$#pZ,f$#F,f$#pP,f$#H,f$#8,f$#<,f0&px,f0&p>,f0&q3~1930~f(&qW,f(&r+,f(&O,f(&sl,f(&q^,f(&q2,f(&q[,f(&p>,f(&pl,f#yG,f#xX,f#zs~1a17~qr$#7,qr$#6,qr$#8,qr$#<,qr$#qk~1a55~?I4#pNp>,?I4#pNpl,?I4#pl{Uto,?I#p-rUto,?I4#p1r+,?I4#p9q2,?I4#GzZr]p9q2,?I4#q[,?I4#r},?I4#rf~1a60~?I#zu,?I$#j,?I$#p-{#,?I$#D,?I$#u_D,?I$#7,?I$#J,?I$#q&,?I$#uj,?I$#6,?I$#N,?I$#<,?I$#u++,?I$#yt,?I$#8,?I$#qk,?I$#pP,?I$#F,?I$#IF,?I$#u+.,?I#p-rU,?I#sp,?I#r6,?I#sKr7,?I#sKuf,?I#sKr8,?I#p>x%,?I#p-zx,?I#xaxS~1a7f~?I%w(R~1ab0~%tCqtC,%w8,%xD,%s+pd,%r9R,%|g+,%|cpV+,%p''+,%Kp''+,%sNrBpu+,%uWrBpu+,%r_.,%Kr_.,%r_+,%r_pE,%-(&qi+,%-(&ssqi+,%Eqa.E,%Bqa.B,%Eqa+E,%Bqa+B,%avn.,%pW#.,%p[Kt).,%qb#.,%Kqb#.,%Kqb#+,%r9q4C,%-(&rSqS,%-(&rSS,%-(&rSr2~1b00~W#roze,W#ropq,W#vv,W#{N,W#vi~1b34~W#za,W$#qf,W$#ro,W$#roz},W$#rj,W$#rjx>,W$#p>ra,W$#p>raqf,W$#pltr,W$#pltrqf,W$#r4,W$#r4ra,W$#r4qf,W$#r4raqf,W$#sZ,W$#sZqf,Wszsz~1b6b~W@A%{],W@A%wN,W@A%tl,W@A%tk,W@A%sF,W@A%tlVsF,W@A%tkVsF,W@A%vc,W@A%w{~1b80~pF#z/,pF#z',pF#z)~1ba1~pF4#y},pF4#z-,pF4#z0,pF$#z%,pF$#z1,pF$#z#,pF$#z*,pF$#y|,pF$#z$,pF#y{,pF#L,pF4#u5q[,pF4#u5q3~1be6~pT#{v,pT$#8,pT$#yv8,pT$#pZ,pT$#7,pT$#ti7,pT$#<,pT$#ti<,pT$#6,pT$#6tQ{9rf,pT4#r*,pT4#qT,pTz(,pTz+~1c24~p&0&px,p&0&p>,p&$#D,p&$#7,p&$#<,p&$#pP,p&$#6,p&$#N,p&$#8,p&4#r%,p&4#qC,p&4#d,p&4#q0,p&4#r^,p&4#S,p&4#r2,p&4#yb,p&4#rU,p&#zY,p&#e~1cd0~_5xT,_5{2,_5zH~1cd4~_#r=y7pv,_5r=v0qVpv,_5r=qVpv,_5r=sHqVpv,_5pq+,_5r=sHqVpv{%,_5Kpv,_5r9pv,_5sHqm,_5R+,_5pRp7+,_5pwp7+,_5zfxUqVpv,_5vOqVpv,_#Qpv,_#Qrn,_#qKQrn,_#Qqm,_#qKQqm,_#QrnVu^,_#QqmVu^~1ced~_#{q~1cf4~_5pq.~1cf7~_#vP,_5pX.,_5KpX.~1dc0~%q:q>C,%q:q4C,%{@+,%{O',%y%,%x#,%y',%v),%w},%v(,%-(&S+,%vo,%y&,%Kqt.,%u-.,%uy+,%xH+,%|N.,%|O.,%-(&wjp'j.,%-(&qk,%-(&vC,%-(&vU,%-(&rAt<,%-(&rSqv,%-(&wV,%-(&qS,%-&(XqS,%-(&r%,%-(&d,%-&(Xd,%-&(XqC,%-(&q0,%-&(Xq0,%-&(XS,%-(&Szo,%-(&p0,%-(&pDp0,%-(&sv,%-(&v9,%-(&r>,%-(&vd,%-(&{&,%-(&s5,%-(&dVKsQpi,%-(&<VsNrBpu,%-(&r^,%-(&wU,%-(&6VsNrBpu,%-(&qi,%-(&jVqw,%-(&<Vqw,%-(&6Vqw,%ppr3.,%sI.B,%sI.E,%R.E,%stp[qq+,%R+E,%w3',%Kp[q)+,%t#tJue+,%EpJ.,%BpJrzprpJ+~2000~rHu@,s/u@,rHp5,s/p5,{ip5,wmp5,{;p5,wap5,zLp5,{fp5,tVp5,q(rtp5,q(rty^,q(rtq@,rX',rb'~2028~pVr1,z4r1,rXtH,rbtH,u<tBwl,rXu2,rbu2,yPsSp5~205f~y2y1p5,pcq@,wqvE,sD{n,sDr1,sDqb~2066~rXrT,rbrT,wduWrT,u<tBrT,t`u[uZ,syu[uZ,t`*rJuL,sy*rJuL,yS[uK,y][uK~20d0~%ErO.,%BrO.,%pDpSpVpE,%pYpSpVpE,%t(pd.,%t?pd.,%Epd.,%Bpd.,%pXpE,%t?pXpE,%t(pXpE,%pwp7.,%q{p7.,%q;q*,%q;a,%q;w:,%q;q*vY,%EBpd.,%q;{',%q;x[,%q;|LzC|-,%uDqdpE,%KpSpupE,%vAA,%r9|H,%stqq.,%tqpdpE,%pDKqdpE,%uErOVt1s+,%tqrOVt1s+,%Epd+,%Bpd+,%r|.~2cef~rD%yW.,rD%uPvL,rD%uPxp~2d7f~{k4q@~2de0~%;&v`,%;&|S,%;&wy,%;&w0,%;&}&,%;&|},%;&qW,%;&wL,%;&s/,%;&rH,%;&<,%;&z8,%;&s0,%;&wS,%;&{Z,%;&rM,%;&|0,%;&vx,%;&rg,%;&{3,%;&tN,%;&wT,%;&j,%;&rP,%;&w>,%;&yD|D,%;&|l,%;&us,%;&sEj,%;&xwqO,%;&r?qO,%;&sEr?qO~3000~r$p5~302a~r$xr5',r$rc5',r$w55',r$wP5',tWsgR5',tWKR5'~3099~%tj|XuO',%tj{+uO'~a66f~%;|[,%;uar'#,%;sBr'#,%;{gr'#~a674~%;&|ErP,%;&7,%;&ur,%;&6,%;&x*#,%;&up,%;&uN#,%;&ym,%;sI,%;z6~a69e~%;&wK,%;&sE8~a6f0~t0%'xg,t0%'|7~a802~q%q##wE~a806~q%q##tX~a80b~q%q##O~a823~q%q#$#j,q%q#$#7,q%q#$#6,q%q#$#8,q%q#$#pP~a82c~q%q##qltX~a880~p)#O,p)#Q~a8b4~p)4#x&,p)$#D,p)$#7,p)$#J,p)$#6,p)$#N,p)$#1S,p)$#1p(,p)$#1d,p)$#1pC,p)$#8,p)$#pZ,p)$#F,p)$#<,p)$#pP,p)$#H,p)#L,p)#b~a8e0~%=[q(,%=[q`,%=[pR,%=[pw,%=[q{,%=[s8,%=[sh,%=[uJ,%=[tG,%=[u(,%=&j,%=&6,%=&qW,%=&q^,%=&q2,%=&p>,%=&uk,%=#vV~a8ff~=$#vW~a926~pkq.$q&,pkq.$8,pkq.$6,pkq.$pZ,pkq.$<,pkq.5u9,pkq.5t9,pkq.5t9u9~a947~p`$#7,p`$#6,p`$#8,p`$#F,p`$#<,p`$#H,p`$#s2,p`$#tF,p`4#r*,p`4#q0,p`4#S,p`4#qT,p`L~a980~p3#z.,p3#t;,p3#xl,p3#|d~a9b3~p3#t;{^,p3$#{V,p3$#{u,p3$#un,p3$#uny3,p3$#rj,p3$#rjy4,p3$#r4,p3$#w;yK,p3$#sZ,p34#xY,p34#z9,p34#vq,p3z&~a9e5~9#pa{$~aa29~p6$#D,p6$#7,p6$#J,p6$#s-,p6$#6,p6$#q_,p6$#<,p6$#F,p6$#H,p6$#q&,p64#px,p64#p>,p64#pl,p64#q3~aa43~p64#p1r*~aa4c~p64#p1qC,p64#p1qT~aa7b~9#z2pf5,9#?tpr6,9#?tpr8~aab0~?q'p-rU~aab2~?q'$7,?q'$q&,?q'$6~aab7~?q'p-x_,?q'$t]~aabe~?q'$t%,?q'5p-s.~aac1~?q'5p-sm~aaeb~p<p;$#J,p<p;$#N,p<p;$#v$,p<p;$#H,p<p;$#v%~aaf5~p<p;$#Q,p<p;L~abe3~p<p;$#yn,p<p;$#xB,p<p;$#v<,p<p;$#|n,p<p;$#{D,p<p;$#|G,p<p;$#vz,p<p;$#ya~abec~p<p;y#td,p<p;vFtd~fb1e~>p/xN|Q~fe20~%qBEn,%qBBn,%KpiEn,%KpiBn,%psEn,%psBn,%t@ps,%qBEn+,%qBBn+,%piEn+,%piBn+,%psEn+,%psBn+,%t@ps+,%;soEn,%;soBn~feff~q(rtsSp5~fff9~sCr{v=,sCr{r1,sCr{{a~101fd~z=w<#%sTpu~102e0~rDwQr5'~10376~%phr.&t&,%phr.&wA,%phr.&||,%phr.&yT,%phr.&{8~10a01~p]$#7,p]$#6,p]$#1S~10a05~p]$#8,p]$#<~10a0c~p]$pM',p]#KpX+,p]#O,p]#Q~10a38~p]#s#.,p]#vu,p]#R+~10a3f~p]L~10ae5~txrv'.,txrv'+~10d24~rNrd#x),rNrd#{R,rNrd#{T,rNrd#{X~10eab~uq%r#',uq%q]'~10f46~pm%R+,pm%pRp7+,pm%R.,pm%pRp7.,pm%rE.,pm%rE+,pm%qU.,pm%qU+,pm%pDqU+,pm%zb+,pm%pu+~10f82~phrq%R.,phrq%R+,phrq%pRp7.,phrq%pRp7+~11000~k#b,k#O,k#Q~11038~k$#D,k$#vgD,k$#7,k$#J,k$#6,k$#N,k$#1S,k$#1p(,k$#1d,k$#1pC,k$#8,k$#F,k$#<,k$#H,kL~11070~k#php?L~11073~k$#php?pY8,k$#php?pY<~1107f~kpWq@,p8#b,p8#O,p8#Q~110b0~p8$#D,p8$#7,p8$#J,p8$#6,p8$#N,p8$#8,p8$#F,p8$#<,p8$#H,p8#L,p8#e~110bd~p8pW#~110c2~p8$#1S~110cd~p8pW#.~11100~p+#b,p+#O,p+#Q~11127~p+$#j,p+$#7,p+$#J,p+$#6,p+$#N,p+$#8,p+$#F,p+$#<,p+$#H,p+$#yk,p+<',p+H',p+L,p+y$~11145~p+$#D,p+$#s-~11173~y(#e~11180~i#b,i#O,i#Q~111b3~i$#D,i$#7,i$#J,i$#6,i$#N,i$#1S,i$#1p(,i$#1d,i$#1pC,i$#8,i$#F,i$#<,i$#H,i#L~111c9~isc',i#e,i$p}',iwZpY$'~111ce~i$#s]8,i#p[b~1122c~p^$#D,p^$#7,p^$#J,p^$#6,p^$#8,p^$#F,p^$#<,p^$#H,p^#O,p^#L,p^#e,p^#sf~1123e~p^#qe~112df~pg#O,pg$#D,pg$#7,pg$#J,pg$#6,pg$#N,pg$#8,pg$#F,pg$#<,pg$#H,pg#e,pg#L~11300~U#%O.,U#b,U#O,U#Q~1133b~%vh+,U#e~1133e~U$#D,U$#7,U$#J,U$#6,U$#N,U$#1S,U$#1p(~11347~U$#pZ,U$#F~1134b~U$#pP,U$#H,U#L~11357~UHpM'~11362~U$#1d,U$#1pC~11366~%U[q(,%U[q`,%U[pR,%U[pw,%U[q{,%U[s8,%U[sh~11370~%U&j,%U&qW,%U&q^,%U&uk,%U&q2~11435~p.$#D,p.$#7,p.$#J,p.$#6,p.$#N,p.$#1S,p.$#1p(,p.$#1d,p.$#1pC,p.$#8,p.$#F,p.$#<,p.$#H,p.#L,p.#b,p.#O,p.#Q,p.#e~1145e~p.sc'~114b0~p*$#D,p*$#7,p*$#J,p*$#6,p*$#N,p*$#1S,p*$#1p(,p*$#1d,p*$#1pC,p*$#8,p*$#pY8,p*$#F,p*$#<,p*$#pY<,p*$#H,p*#b,p*#O,p*#Q,p*#L,p*#e~115af~p4$#D,p4$#7,p4$#J,p4$#6,p4$#N,p4$#1S,p4$#1p(~115b8~p4$#8,p4$#F,p4$#<,p4$#H,p4#b,p4#O,p4#Q,p4#L,p4#e~115dc~p4$#ql6,p4$#qlN~11630~p=$#D,p=$#7,p=$#J,p=$#6,p=$#N,p=$#1S,p=$#1p(,p=$#1d,p=$#1pC,p=$#8,p=$#F,p=$#<,p=$#H,p=#O,p=#Q,p=#L,p=#vI~116ab~pb#O,pb#Q,pb$#D,pb$#7,pb$#J,pb$#6,pb$#N,pb$#8,pb$#F,pb$#<,pb$#H,pb#L,pb#e~1171d~pH4#pNpl,pH4#pNp>,pH4#pNxvp>,pH$#j,pH$#D,pH$#7,pH$#J,pH$#6,pH$#N,pH$#8,pH$#t-,pH$#<,pH$#F,pH$#t%,pH#xb~1182c~pL$#D,pL$#7,pL$#J,pL$#6,pL$#N,pL$#1S,pL$#1p(,pL$#8,pL$#F,pL$#<,pL$#H,pL#O,pL#Q,pL#L,pL#e~11930~pKpI$#D,pKpI$#7,pKpI$#J,pKpI$#6,pKpI$#N,pKpI$#8~11937~pKpI$#F,pKpI$#<~1193b~pKpI#O,pKpI#b,pKpI#s?,pKpIL~11940~pKpIpNpx~11942~pKpIpNp>,pKpI#e~119d1~pO$#D,pO$#7,pO$#J,pO$#6,pO$#N,pO$#1S,pO$#1p(~119da~pO$#8,pO$#F,pO$#<,pO$#H,pO#O,pO#Q,pO#L~119e4~pO$#s]8~11a01~ma$#7,ma$#q&,ma$#6,ma$#8,ma$#q_,ma$#<,ma$#F,ma$#H,ma$#qK7,ma$pM'~11a33~map14',ma#L,ma#b,ma#bVu/,ma#pqVu/,ma#O,ma#Q~11a3b~marC&px,marC&p>,marC&pl,marC&|P~11a47~mauX~11a51~`$#7,`$#q&,`$#6,`$#8,`$#<,`$#q_,`$#F,`$#H,`$#1S,`$#1d,`$pM'~11a8a~`p14#qS,`p14#r%,`p14#r*,`p14#qv,`p14#q0,`p14#r>,`p14#qC,`p14#S,`p14#d,`p14#{0,`p14#p0,`p14#sx,`#O,`#Q,`q|',`uX~11c2f~p@$#D,p@$#7,p@$#J,p@$#6,p@$#N,p@$#1S,p@$#1p(,p@$#1d~11c38~p@$#8,p@$#F,p@$#<,p@$#H,p@#b,p@#O,p@#Q,p@#L~11c92~P0&qW,P0&tm,P0&tR,P0&r+,P0&s$,P0&t=,P0&tg,P0&u),P0&sl,P0&ub,P0&s),P0&q^,P0&q2,P0&u7,P0&r},P0&q[,P0&rm,P0&ug,P0&tE,P0&q3,P0&ux,P0&uu~11ca9~P0&px,P0&p>,P0&pl,P0&rg,P0&rf,P0&rM,P0&j,P$#D,P$#7,P$#6,P$#8,P$#<,P#O,P#b~11d31~p:]$#D,p:]$#7,p:]$#J,p:]$#6,p:]$#N,p:]$#1S~11d3a~p:]$#8~11d3c~p:]$#F,p:]$#<~11d3f~p:]$#H,p:]#O,p:]#Q,p:]#e,p:]#pq,p:]#s?,p:]L~11d47~p:]zU~11d8a~pe]$#D,pe]$#7,pe]$#J,pe]$#6,pe]$#N~11d90~pe]$#pZ,pe]$#F~11d93~pe]$#pP,pe]$#H,pe]#O,pe]#Q,pe]L~11ef3~rZ$#7,rZ$#6,rZ$#8,rZ$#<~13430~pyp|pSq@,pyp|t[q@,pyp|rQqnsquR,pyp|rQqnt5uR,pyp|rQqnsqpz,pyp|rQqnt5pz,pyp|pEsQ,pyp|qpuI,pyp|pzuI~16af0~qor;%G5,qor;%p95,qor;%y65,qor;%x}5,qor;%x15~16b30~qHpU'q7|6,qHpU'q7{B,qHpU'q7xZ,qHpU'q7x^,qHpU'q7{K,qHpU'q7x4,qHpU'q7{Y~16f4f~:#4p}s#~16f51~:#t*,:#uC|Y,:#uCt*,:$#j,:$#D,:$#v1,:$#t&,:$#v>,:$#<,:$#pP,:$#|f,:$#qi,:$#8,:$#rH,:$#wO,:$#yh,:$#7,:$#t],:$#x:,:$#x;,:$#xF,:$#rP,:$#J,:$#xK,:$#xE,:$#6,:$#ui,:$#|<,:$#|=,:$#N,:$#|B,:$#|I,:$#qj,:$#ur,:$#qk,:$#v-,:$#tL,:$#retL,:$#s0,:$#res0,:$#F,:$#s-,:$#H,:$#ys,:$#q0,:$#r*,:$#|J,:$#|v,:$#yi,:$#yg,:$#|Z,:$#x=,:$#tF,:$#xG,:$#|C~16f8f~:5B,:5sqB,:5.,:5+~16fe4~x`({(wc~16ff0~ulqluB's$,ulqluB'yV~1bc9d~tD{e&r0,tDK'~1bca0~rhrK&u0,rhrKw&u0,rhrKpruT,rhrKppuT~1cf00~3%'q}q1p0q-ZE,3%'q1p0q-ZE,3%'srZE,3%'q}q1ZE,3%'q1ZE,3%'uQZE,3%'qDp_ZE,3%'p_ZE,3%'qhZE,3%'qDp_p0qYZE,3%'p_p0qYZE,3%'qhp0qYZE,3%'q}q1p0q-ZB,3%'q1p0q-ZB,3%'srZB,3%'q}q1ZB,3%'q1ZB,3%'uQZB,3%'qDp_ZB,3%'p_ZB,3%'qhZB,3%'qDp_p0qYZB,3%'p_p0qYZB,3%'qhp0qYZB,3%'srp0q-,3%'qDp_p0q-,3%'sjqDp_,3%'p_p0q-,3%'p_sj,3%'qhp0q-,3%'qDp_sj,3%'q}qh,3%'}#,3%'Z,3%'z[,3%'{l,3%'vm,3%'|@,3%'zB,3%'x{,3%'xj,3%'xO,3%'}%,3%'{<,3%'z],3%'sMZE~1cf30~3%rlr`'yF,3%rlr`'{P,3%rlr`'|*,3%'uv,3%'w4uv,3%'yr,3%'u;,3%'u;VpSpu,3%'t>,3%'t>zF,3%'yd,3%'{Cy`,3%'{s,3%'wF,3%vRpSu.,3%'s(u.,3%'sM,3%rYrlr`xC,3r/p}xs,3r/p}xt,3r/p}rFtO,3r/p}sM,3r/p}zn~1d165~@A%uS,@A%{EuS,@A%|',@A%|(,@A%|)~1d16d~@A%vTR,@A%we,@A%wf,@A%wg,@A%wh,@A%wi,@Aqpt2,@Apzt2,@Aqpuc,@Apzuc,@AqpuM,@ApzuM,@Aqpu8,@Apzu8,@A%C,@A%{I,@A%{`,@A%{H,@A%y.,@A%y/,@A%v',@A%x|~1d185~@A%wB,@A%zh,@A%tO,@A%{>,@A%vb,@A%Kpj,@A%r9pj~1d1aa~@A%prt6,@A%ppt6,@A%x+,@A%{AzA~1d242~%q?@|/,%q?@{b,%q?@z:~1da00~)p{zg,)p{r[pn,)p{r[{m,)p{sRpn,)p{r[rE,)p{sRrE,)p{r)q*,)s6rFs[qFqzsn,)s6rFs[qFppr]pr,)s6rFs[qFppr]prsn,)q<pnpp,)q<pnq$,)q<pnpr,)rGq<q$pr,)rGq<prq$,)rGq<ppq$,)rGq<q$pp,)s:q$,)s:s&,)s:qN,)q=p',)q={F,)q=qu,)s3t4sg,)s3t4yH,)q=np',)q=stp',)q=nqu,)q=|ar),)s3|e,)s4pp,)s4pr,)s4wk,)qxpn,)qxpnK,)qxpnt$,)rIpn,)rIpnK,)rIpnt$,)qxs(,)rIs(,)qxv|,)qPzK,)qPq$,)qPuY,)qgqPG,)qgqPsQ,)qgqPp9,)wH,)qFq$,)qFs&,)qFsu,)qF|b,)s|vksV,)s|{Mt^~1da3b~)Yquq$,)Yquqz,)Yqus&,)Ysi,)YsiqN,)Ysip',)Ys;,)Ys;qN,)Ys;p',)Yp'q*,)Yp'qz,)Yp'qN,)Yp'sW,)Yp'sWqN,)Yp'sWuo,)Yp's`,)Yp's`qN,)Yp's`uo,)YsL,)YsLqz,)YsLqN,)Yqg,)Yqgqz,)YqguY,)qZzI{t,)ttrYsXrp,)ttrpsXrY,)Yw',)Ysusg,)YsuK,)pjuUsVw],)pjxuqZ,)pjudveqZ,)pjud|&rRY,)pjrRYz`,)pjyEv/vy,)pjqsuUsV,)pjqsrRY,)qL,)qLr),)qLZpj,)qLZpjr),)qLZqZ,)qLZqZr),)qLvjqZ,)r[th,)sRth,)u&,)tV,)wX~1da75~)rpvlsnwox2xM~1da84~)xzp{u&~1da9b~)qyt|,)qyt},)qyu#,)qyu$,)qyu%~1daa1~)pQt|,)pQt},)pQu#,)pQu$,)pQu%,)pQy@,)pQyA,)pQyB,)pQy9,)pQy:,)pQy;,)pQy<,)pQy=,)pQy>,)pQy?~1e000~%M&vX,%M&vp,%M&|T,%M&wz,%M&w@,%M&|q,%M&}'~1e008~%M&}$,%M&te,%M&tate,%M&7,%M&w?,%M&xQ,%M&xx,%M&yN,%M&yR,%M&yo,%M&zD,%M&zi,%M&{=,%M&|:,%M&|F,%M&wn,%M&x0~1e01b~%M&{6,%M&|3,%M&v{,%M&rg,%M&up,%M&|p,%M&|m~1e023~%M&us,%M&(qO~1e026~%M&|s,%M&tb(qO,%M&r?qO,%M&tbr?qO,%M&tN~1e130~qGqIpU{x,qGqIpU{|,qGqIpU{{,qGqIpU|#,qGqIpU{},qGqIpU{z,qGqIpU{y~1e2ae~|%#rc5~1e2ec~rs5|8,rs5|9,rs5xc,rs5xd~1e8d0~qEqA%pW{[,qEqA%pW{_,qEqA%pWx7,qEqA%pWr5,qEqA%pWuar5,qEqA%pWsBr5,qEqA%pWr'~1e944~q5v7ts,q5$ts,q5q|',q5r#,q54p},q5wv4p},q5e~e0001~xk/~e0020~/p5,/wY',/zS',/pW#,/wC#,/z;#,/v:,/vD,/Eqa,/Bqa,/r|,/qb#,/qQ,/x9,/wpri,/qd,/[q(,/[q`,/[pR,/[pw,/[q{,/[s8,/[sh,/[uJ,/[tG,/[u(,/w$,/{-,/xq#,/tK#,/x$#,/zR',/w%qn,/-X&j,/-X&r>,/-X&rA,/-X&qv,/-X&8,/-X&s5,/-X&qS,/-X&qT,/-X&7,/-X&tf,/-X&r%,/-X&d,/-X&qC,/-X&q0,/-X&<,/-X&r^,/-X&u=,/-X&S,/-X&p0,/-X&r2,/-X&6,/-X&r:,/-X&qi,/-X&r<,/-X&qj,/-X&sv,/Ear@,/uDqd,/Bar@,/qtC,/p9pV,/q>C,/-(&j,/-(&r>,/-(&rA,/-(&qv,/-(&8,/-(&s5,/-(&qS,/-(&qT,/-(&7,/-(&tf,/-(&r%,/-(&d,/-(&qC,/-(&q0,/-(&<,/-(&r^,/-(&u=,/-(&S,/-(&p0,/-(&r2,/-(&6,/-(&r:,/-(&qi,/-(&r<,/-(&qj,/-(&sv,/Eq+r@,/pSpV,/Bq+r@,/pi,vr/,";
  const finishEntry = (): void => {
    if (entry.length > 0) names.set(code++, entry.join(" "));
    entry = [];
  };
  for (let index = 0; index < data.length; index++) {
    const char = data.charAt(index);
    if (char === "~") {
      finishEntry();
      const end = data.indexOf("~", index + 1);
      code = parseInt(data.slice(index + 1, end), 16);
      index = end;
    } else if (char === ",") {
      finishEntry();
    } else {
      const digit = alphabet.indexOf(char);
      const word = digit < oneCharacterCodes
        ? digit
        : oneCharacterCodes + (digit - oneCharacterCodes) * alphabet.length + alphabet.indexOf(data.charAt(++index));
      entry.push(words[word] ?? "");
    }
  }
  finishEntry();
  return names;
});
