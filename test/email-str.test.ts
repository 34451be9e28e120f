import { describe, expect, it } from "vitest";
import { type EmailValidation, validateEmail } from "../src/wire/email-address/email-str.ts";

// Every expectation is what pydantic 2.13's validate_email (email-validator 2.3,
// idna 3.13, Python 3.11) answers for the same input.
type Case = readonly [name: string, input: string, expected: EmailValidation];

function accepts(name: string, input: string, normalized: string): Case {
  return [name, input, { ok: true, normalized }];
}

function rejects(name: string, input: string, reason: string): Case {
  return [name, input, { ok: false, reason }];
}

const groups: Record<string, readonly Case[]> = {
  "reasons recorded from the backend": [
    rejects("no @-sign", "foo", "An email address must have an @-sign."),
    rejects("empty string", "", "An email address must have an @-sign."),
    rejects("single-label domain", "x@y", "The part after the @-sign is not valid. It should have a period."),
    rejects("single-label domain a@b", "a@b", "The part after the @-sign is not valid. It should have a period."),
    rejects("nothing after the @-sign", "a@", "There must be something after the @-sign."),
    rejects("nothing before the @-sign", "@x.com", "There must be something before the @-sign."),
    rejects("two periods in the local part", "john..doe@example.org", "An email address cannot have two periods in a row."),
    rejects("leading period", ".a@x.com", "An email address cannot start with a period."),
    rejects("trailing period on the domain", "user@example.org.", "An email address cannot end with a period."),
    rejects("space in the local part", "first last@example.com", "The email address contains invalid characters before the @-sign: SPACE."),
    rejects("double @-sign", "user@@example.com", "The part after the @-sign contains invalid characters: '@'."),
    rejects(".local", "user@printer.local", "The part after the @-sign is a special-use or reserved name that cannot be used with email."),
    rejects(".invalid", "user@printer.invalid", "The part after the @-sign is a special-use or reserved name that cannot be used with email."),
    rejects(".test", "user@printer.test", "The part after the @-sign is a special-use or reserved name that cannot be used with email."),
    rejects(".onion", "user@printer.onion", "The part after the @-sign is a special-use or reserved name that cannot be used with email."),
    rejects(".arpa", "user@1.0.0.127.in-addr.arpa", "The part after the @-sign is a special-use or reserved name that cannot be used with email."),
    rejects(".localhost", "user@printer.localhost", "The part after the @-sign is a special-use or reserved name that cannot be used with email."),
    rejects("numeric top-level domain", "user@host.123", "The part after the @-sign is not valid. It is not within a valid top-level domain."),
  ],
  "pydantic's wrapper: length cap, display name, strip": [
    accepts("lower-cases the domain only", "Admin@EXAMPLE.com", "Admin@example.com"),
    accepts("strips spaces", "  a@x.com ", "a@x.com"),
    accepts("strips tab and newline", "\ta@x.com\n", "a@x.com"),
    accepts("strips Python-only whitespace (U+001C, U+0085, U+3000)", "\u001c\u3000a@x.com\u0085", "a@x.com"),
    rejects("keeps U+FEFF, which JavaScript's trim() would strip", "\ufeffa@x.com", "The email address contains unsafe characters: ZERO WIDTH NO-BREAK SPACE."),
    accepts("unwraps a display name", "John <john@x.com>", "john@x.com"),
    accepts("unwraps a quoted display name", '"Doe, John" <john@x.com>', "john@x.com"),
    accepts("no-break space counts as whitespace in the display name", "John\u00a0<john@x.com>", "john@x.com"),
    accepts("unwraps bare angle brackets", "<a@x.com>", "a@x.com"),
    rejects("2048 characters pass the length cap", `${"a".repeat(2042)}@x.com`, "The email address is too long (1794 characters too many)."),
    rejects("2049 characters do not", `${"a".repeat(2043)}@x.com`, "Length must not exceed 2048 characters"),
    rejects("length is counted in code points", "\u{1F600}".repeat(2048), "An email address must have an @-sign."),
  ],
  "splitting the address": [
    rejects("full-width at-sign", "hello\uff20world.com", 'The email address has the "full-width" at-sign (@) character instead of a regular at-sign.'),
    rejects("small commercial at", "hello\ufe6bworld.com", 'The email address has the "small commercial at" character instead of a regular at-sign.'),
    rejects("text after a quoted local part", '"a"x@x.com', "Extra character(s) found after close quote: 'x'"),
    rejects("unquoted display name with a period", "Na.me <a@x.com>", "The display name contains invalid characters when not quoted: '.'."),
    rejects("display name with a combining mark", "N\u0301 <a@x.com>", "The display name contains invalid characters when not quoted: COMBINING ACUTE ACCENT."),
    rejects(
      "unclosed angle bracket",
      "Name <a@x.com",
      "An open angle bracket at the start of the email address has to be followed by a close angle bracket at the end.",
    ),
    rejects("text after the angle brackets", "Name <a@x.com> x", "There can't be anything after the email address."),
    rejects("display name email-validator parses", "<<a@x.com>>", "A display name and angle brackets around the email address are not permitted here."),
    rejects("< combined with U+0338 is not a bracket", "a<\u0338b@x.com", "The email address contains invalid characters before the @-sign: '<'."),
  ],
  "the local part": [
    accepts("NFC-normalises the local part", "e\u0301@x.com", "\u00e9@x.com"),
    accepts("keeps the local part's case", "John.Doe@x.com", "John.Doe@x.com"),
    accepts("lower-cases RFC 2142 role mailboxes", "INFO@x.com", "info@x.com"),
    accepts("accepts atext symbols", "!#$%&'*+-/=?^_`{|}~@x.com", "!#$%&'*+-/=?^_`{|}~@x.com"),
    accepts("accepts an internationalised local part", "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a"),
    accepts("accepts an emoji local part", "a\u{1F600}@x.com", "a\u{1F600}@x.com"),
    accepts("64 characters", `${"a".repeat(64)}@x.com`, `${"a".repeat(64)}@x.com`),
    accepts("65 characters (no local-part limit without strict=True)", `${"a".repeat(65)}@x.com`, `${"a".repeat(65)}@x.com`),
    rejects("period before the @-sign", "a.@x.com", "An email address cannot have a period immediately before the @-sign."),
    rejects("invalid characters are listed sorted", "a b,c@x.com", "The email address contains invalid characters before the @-sign: ',', SPACE."),
    rejects("backslash is shown in double quotes", "a\\b@x.com", 'The email address contains invalid characters before the @-sign: "\\".'),
    rejects("control character by code", "a\u0001b@x.com", "The email address contains invalid characters before the @-sign: U+0001."),
    rejects("quoted local part", '"a b"@x.com', "Quoting the part before the @-sign is not allowed here."),
    rejects("quoted local part that needs no quotes", '"ab"@x.com', "Quoting the part before the @-sign is not allowed here."),
    rejects("empty quoted local part", '""@x.com', "There must be something before the @-sign."),
    rejects("control character inside quotes", '"a\u0001b"@x.com', "The email address contains invalid characters in quotes before the @-sign: U+0001."),
    rejects("no-break space", "a\u00a0b@x.com", "The email address contains unsafe characters: NO-BREAK SPACE."),
    rejects("leading combining mark", "\u0301a@x.com", "The email address contains unsafe characters: COMBINING ACUTE ACCENT."),
    rejects("zero-width space", "a\u200bb@x.com", "The email address contains unsafe characters: ZERO WIDTH SPACE."),
    rejects("leading variation selector", "\ufe0fa@x.com", "The email address contains unsafe characters: VARIATION SELECTOR-16."),
    rejects("tag character", "a\u{E0041}@x.com", "The email address contains unsafe characters: TAG LATIN CAPITAL LETTER A."),
    rejects("private use, named by code", "a\ue000@x.com", "The email address contains unsafe characters: U+E000."),
    rejects("U+FFFF gets eight hex digits", "a\uffff@x.com", "The email address contains unsafe characters: U+0000FFFF."),
    rejects("unassigned code point", "a\u0378@x.com", "The email address contains unsafe characters: U+0378."),
    rejects("lone surrogate", "a\ud800@x.com", "The email address contains unsafe characters: U+D800."),
    rejects(
      "invalid only after NFC",
      "me.\u037e@example.com",
      "After Unicode normalization: The email address contains invalid characters before the @-sign: ';'.",
    ),
  ],
  "the domain": [
    accepts("IDNA-decodes the domain", "a@xn--bcher-kva.de", "a@b\u00fccher.de"),
    accepts("lower-cases and NFC-normalises a Unicode domain", "a@B\u00dcCHER.DE", "a@b\u00fccher.de"),
    accepts("ideographic full stop separates labels", "a@x\u3002com", "a@x.com"),
    accepts("full-width letters map to ASCII", "a@\uff21.com", "a@a.com"),
    accepts("sharp s is kept (non-transitional)", "a@stra\u00dfe.de", "a@stra\u00dfe.de"),
    accepts("capital I with dot", "a@\u0130x.com", "a@i\u0307x.com"),
    accepts(
      "right-to-left domain",
      "a@\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631",
      "a@\u0645\u062b\u0627\u0644.\u0625\u062e\u062a\u0628\u0627\u0631",
    ),
    rejects("Persian zero-width non-joiner in Punycode", "a@xn--mgba3gch31f060k.ir", "The email address contains unsafe characters: ZERO WIDTH NON-JOINER."),
    rejects("invalid character", "a@x!y.com", "The part after the @-sign contains invalid characters: '!'."),
    rejects("space", "a@x y.com", "The part after the @-sign contains invalid characters: SPACE."),
    rejects("no-break space", "a@x\u00a0y.com", "The email address contains unsafe characters: NO-BREAK SPACE."),
    rejects("one dot leader", "a@b\u2024.com", "The part after the @-sign contains invalid characters: '\u2024'."),
    rejects("digit full stop", "a@\u2488x.com", "The part after the @-sign contains invalid characters: '\u2488'."),
    rejects(
      "disallowed by UTS #46",
      "a@x\ufffdy.com",
      "The part after the @-sign contains invalid characters (Codepoint U+FFFD not allowed at position 2 in 'x\ufffdy.com').",
    ),
    rejects("maps to a space", "a@x\u00a8y.com", "The part after the @-sign contains invalid characters after Unicode normalization: SPACE."),
    rejects("maps to ASCII punctuation", "a@x\uff01y.com", "The part after the @-sign contains invalid characters after Unicode normalization: '!'."),
    rejects(
      "Greek question mark maps to a semicolon",
      "a@\u037e.com",
      "The part after the @-sign contains invalid characters after Unicode normalization: ';'.",
    ),
    rejects("period after the @-sign", "a@.x.com", "An email address cannot have a period immediately after the @-sign."),
    rejects("full-width period after the @-sign", "a@\uff0ex.com", "An email address cannot have a period immediately after the @-sign."),
    rejects("two periods", "a@x..com", "An email address cannot have two periods in a row."),
    rejects("hyphen after the @-sign", "a@-x.com", "An email address cannot have a hyphen immediately after the @-sign."),
    rejects("trailing hyphen", "a@x.com-", "An email address cannot end with a hyphen."),
    rejects("period next to a hyphen", "a@x-.com", "An email address cannot have a period and a hyphen next to each other."),
    rejects(
      "reserved LDH label",
      "a@ab--c.com",
      "An email address cannot have two letters followed by two dashes immediately after the @-sign or after a period, except Punycode.",
    ),
    rejects("xn-- with Unicode", "a@xn--\u00fc.com", "The part after the @-sign is invalid (Label has disallowed hyphens in 3rd and 4th position)."),
    rejects(
      "fraction maps to a disallowed slash",
      "a@x\u00bcy.com",
      "The part after the @-sign is invalid (Codepoint U+2044 at position 3 of 'x1\u20444y' not allowed).",
    ),
    rejects("emoji", "a@b\u{1F600}.com", "The part after the @-sign is invalid (Codepoint U+1F600 at position 2 of 'b\u{1F600}' not allowed)."),
    rejects(
      "Arabic-Indic digits mixed",
      "a@\u0661\u06f1.com",
      "The part after the @-sign is invalid (Codepoint U+0661 not allowed at position 1 in '\u0661\u06f1').",
    ),
    rejects("middle dot outside l·l", "a@\u00b7l.com", "The part after the @-sign is invalid (Codepoint U+00B7 not allowed at position 1 in '\u00b7l')."),
    accepts("middle dot inside l·l", "a@l\u00b7l.com", "a@l\u00b7l.com"),
    rejects(
      "label starting with a combining mark after mapping",
      "a@\u0e33x.com",
      "The part after the @-sign is invalid (Label begins with an illegal combining character).",
    ),
    rejects("invalid Punycode", "a@xn--zzzz.com", "The part after the @-sign is not valid IDNA (Invalid A-label)."),
    rejects(
      "Punycode for a disallowed character",
      "a@xn--ls8h.com",
      "The part after the @-sign is not valid IDNA (Codepoint U+1F4A9 at position 1 of '\u{1F4A9}' not allowed).",
    ),
    rejects("Punycode not in NFC", "a@xn--e-xbb.com", "The part after the @-sign is not valid IDNA (Label must be in Normalization Form C)."),
  ],
  "length limits at their boundaries": [
    accepts("254 octets", `${"a".repeat(248)}@x.com`, `${"a".repeat(248)}@x.com`),
    rejects("255 octets", `${"a".repeat(249)}@x.com`, "The email address is too long (1 character too many)."),
    accepts("254 octets of UTF-8", `${"\u00fc".repeat(124)}@x.com`, `${"\u00fc".repeat(124)}@x.com`),
    rejects("256 octets of UTF-8", `${"\u00fc".repeat(125)}@x.com`, "The email address is too long (1-2 characters too many)."),
    rejects(
      "too long only after NFC",
      "my.\ufb2c.address@" +
        "1111111111222222222233333333334444444444555555555.6666666666777777777788888888889999999999000000000.".repeat(2) +
        "11111111112222222222333333333344.info",
      "The email address is too long after normalization (1 byte too many).",
    ),
    rejects(
      "too long only in IDNA ASCII",
      "my.long.address@\u03bb111111111222222222233333333334444444444555555555.6666666666777777777788888888889999999999000000000.1111111111222222222233333333334444444444555555555.6666666666777777777788888888889999999999000000000.11111111112222222222333333.info",
      "The email address is too long when the part after the @-sign is converted to IDNA ASCII (1 byte too many).",
    ),
    accepts("63-character label", `a@${"b".repeat(63)}.com`, `a@${"b".repeat(63)}.com`),
    rejects("64-character label", `a@${"b".repeat(64)}.com`, "After the @-sign, periods cannot be separated by so many characters (1 character too many)."),
    accepts("Unicode label within 63 octets of Punycode", `a@${"\u00fc".repeat(54)}.com`, `a@${"\u00fc".repeat(54)}.com`),
    accepts("Unicode label over 63 octets of Punycode", `a@${"\u00fc".repeat(55)}.com`, `a@${"\u00fc".repeat(55)}.com`),
    rejects("253-character domain", `a@${"b.".repeat(125)}com`, "The email address is too long (1 character too many)."),
    rejects("254-character domain", `a@${"b.".repeat(125)}comx`, "The email address is too long after the @-sign (1 character too many)."),
    rejects(
      "254-character domain with capitals counts as IDNA",
      `a@${"B.".repeat(125)}comx`,
      "The email address is too long after the @-sign (1 byte too many after IDNA encoding).",
    ),
    rejects(
      "Unicode domain over 253 octets of IDNA",
      `a@\u00fc${"b".repeat(50)}.${"c".repeat(63)}.${"d".repeat(63)}.${"e".repeat(63)}.com`,
      "The email address is too long after the @-sign (1 byte too many after IDNA encoding).",
    ),
  ],
  "domain literals (never allowed)": [
    rejects("IPv4 literal", "a@[192.0.2.1]", "A bracketed IP address after the @-sign is not allowed here."),
    rejects(
      "three octets",
      "a@[1.2.3]",
      "The address in brackets after the @-sign is not valid: It is not an IPv4 address (Expected 4 octets in '1.2.3') or is missing an address literal tag.",
    ),
    rejects(
      "octet over 255",
      "a@[1.2.3.256]",
      "The address in brackets after the @-sign is not valid: It is not an IPv4 address (Octet 256 (> 255) not permitted in '1.2.3.256') or is missing an address literal tag.",
    ),
    rejects(
      "leading zero",
      "a@[01.2.3.4]",
      "The address in brackets after the @-sign is not valid: It is not an IPv4 address (Leading zeros are not permitted in '01' in '01.2.3.4') or is missing an address literal tag.",
    ),
    rejects(
      "trailing newline still parsed as IPv4",
      "a@[1.2.3.4\n]",
      "The address in brackets after the @-sign is not valid: It is not an IPv4 address (Only decimal digits permitted in '4\\n' in '1.2.3.4\\n') or is missing an address literal tag.",
    ),
    rejects("IPv6 literal", "a@[IPv6:2001:db8::1]", "A bracketed IP address after the @-sign is not allowed here."),
    rejects("two ::", "a@[IPv6:1::2::3]", "The IPv6 address in brackets after the @-sign is not valid (At most one '::' permitted in '1::2::3')."),
    rejects("prefix length", "a@[IPv6:::1/64]", "The IPv6 address in brackets after the @-sign is not valid (Unexpected '/' in '::1/64')."),
    rejects("empty scope", "a@[IPv6:::1%]", "The IPv6 address in brackets after the @-sign is not valid (Invalid IPv6 address: \"'::1%'\")."),
    rejects("bad hex", "a@[IPv6:g::1]", "The IPv6 address in brackets after the @-sign is not valid (Only hex digits permitted in 'g' in 'g::1')."),
    rejects(
      "embedded IPv4 too short",
      "a@[IPv6:::1.2.3]",
      "The IPv6 address in brackets after the @-sign is not valid (Expected 4 octets in '1.2.3' in '::1.2.3').",
    ),
    rejects("unknown tag", "a@[x:y]", "The part after the @-sign contains an invalid address literal tag in brackets."),
    rejects("space in a tagged literal", "a@[x y:z]", "The part after the @-sign contains invalid characters in brackets: SPACE."),
    rejects("untagged text", "a@[abc]", "The part after the @-sign in brackets is not an IPv4 address and has no address literal tag."),
  ],
  "further cases": [
    accepts("upper-case Punycode", "a@XN--BCHER-KVA.DE", "a@b\u00fccher.de"),
    accepts("Punycode with an upper-case TLD", "a@xn--bung-zra.DE", "a@\u00fcbung.de"),
    accepts("capital umlaut in the domain", "a@\u00dcbung.de", "a@\u00fcbung.de"),
    accepts("internationalised local part and domain", "m\u00fcller@ex\u00e4mple.com", "m\u00fcller@ex\u00e4mple.com"),
    accepts("combining mark inside a label", "a@b\u0301c.com", "a@b\u0301c.com"),
    accepts("Catalan middle dot", "a@col\u00b7legi.cat", "a@col\u00b7legi.cat"),
    accepts("katakana middle dot beside katakana", "a@\u30a2\u30fb.jp", "a@\u30a2\u30fb.jp"),
    rejects(
      "katakana middle dot without kana",
      "a@a\u30fbb.jp",
      "The part after the @-sign is invalid (Codepoint U+30FB not allowed at position 2 in 'a\u30fbb').",
    ),
    accepts("Cherokee capital", "a@\u13a0x.com", "a@\u13a0x.com"),
    accepts("full-width domain", "a@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d", "a@example.com"),
    rejects("trailing ideographic full stop", "a@example\u3002com\u3002", "An email address cannot end with a period."),
    rejects("maps to parentheses", "a@x\u2474y.com", "The part after the @-sign contains invalid characters after Unicode normalization: '(', ')'."),
    rejects("ideographic space in the domain", "a@x\u3000y.com", "The email address contains unsafe characters: IDEOGRAPHIC SPACE."),
    accepts("strips a trailing no-break space", "a@x.com\u00a0", "a@x.com"),
    accepts("dotted capital I is not a role mailbox", "\u0130NFO@x.com", "\u0130NFO@x.com"),
    rejects("escaped quote in a quoted local part", '"a\\"b"@x.com', "Quoting the part before the @-sign is not allowed here."),
    rejects("decomposed display name", "Jose\u0301 <a@x.com>", "The display name contains invalid characters when not quoted: COMBINING ACUTE ACCENT."),
    rejects(
      "curly quotes around a display name",
      "\u201cJohn\u201d <a@x.com>",
      "The display name contains invalid characters when not quoted: '\u201c', '\u201d'.",
    ),
    rejects(
      "flag emoji display name",
      "\u{1F3F4}\u{E0067}\u{E0062}\u{E007F} <a@x.com>",
      "The display name contains invalid characters when not quoted: '\u{1F3F4}', CANCEL TAG, TAG LATIN SMALL LETTER B, TAG LATIN SMALL LETTER G.",
    ),
    rejects("invalid Punycode in the TLD", "a@x.xn--zzzz", "The part after the @-sign is not valid IDNA (Invalid A-label)."),
    rejects("invalid Punycode beside a Unicode label", "a@\u00fc.xn--zzzz.com", "The part after the @-sign is invalid (Invalid A-label)."),
    rejects("Punycode ending in a hyphen", "a@xn--ab-.com", "An email address cannot have a period and a hyphen next to each other."),
    rejects(
      "five octets",
      "a@[1.2.3.4.5]",
      "The address in brackets after the @-sign is not valid: It is not an IPv4 address (Expected 4 octets in '1.2.3.4.5') or is missing an address literal tag.",
    ),
    rejects(
      "seven IPv6 groups",
      "a@[IPv6:1:2:3:4:5:6:7]",
      "The IPv6 address in brackets after the @-sign is not valid (Exactly 8 parts expected without '::' in '1:2:3:4:5:6:7').",
    ),
    rejects(
      "leading single colon",
      "a@[IPv6::1:2:3:4:5:6:7:8]",
      "The IPv6 address in brackets after the @-sign is not valid (Exactly 8 parts expected without '::' in ':1:2:3:4:5:6:7:8').",
    ),
    rejects(
      "apostrophe in an IPv6 literal",
      "a@[IPv6:'::]",
      'The IPv6 address in brackets after the @-sign is not valid (Only hex digits permitted in "\'" in "\'::").',
    ),
    rejects(
      "control character in an IPv6 literal",
      "a@[IPv6:\u0001::1]",
      "The IPv6 address in brackets after the @-sign is not valid (Only hex digits permitted in '\\x01' in '\\x01::1').",
    ),
  ],
};

for (const [group, cases] of Object.entries(groups)) {
  describe(group, () => {
    it.each(cases)("%s", (_name, input, expected) => {
      expect(validateEmail(input)).toEqual(expected);
    });
  });
}
