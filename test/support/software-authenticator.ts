import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { encodeBase64Url } from "../../src/encoding/base64.ts";

/**
 * A passkey provider in software, for tests inside workerd: ES256 keys in WebCrypto, attestation
 * `none`, discoverable credentials only (WebAuthn Level 3, §6). It plays the browser too: it writes
 * clientDataJSON and the JSON forms `toJSON()` gives. Every field a relying party checks has a knob,
 * so a test can break exactly one of them.
 */

/** What a test can bend in either ceremony (§7.1 and §7.2 list what the server checks). */
export interface CeremonyKnobs {
  /** clientDataJSON.origin; the authenticator's own origin otherwise. */
  origin?: string;
  /** The RP id whose SHA-256 goes into authenticator data; the options' otherwise. */
  rpId?: string;
  /** clientDataJSON.type; `webauthn.create` / `webauthn.get` otherwise. */
  type?: string;
  /** clientDataJSON.challenge; the options' otherwise. */
  challenge?: string;
  /** User present / verified (default true); backup eligible / backed up (default: the credential's). */
  flags?: { up?: boolean; uv?: boolean; be?: boolean; bs?: boolean };
  /** The JSON's `id` and `rawId`; the credential id otherwise (both, so either can differ). */
  id?: string;
  rawId?: string;
}

export interface RegistrationKnobs extends CeremonyKnobs {
  /** The new credential's id (e.g. one already registered); 16 random bytes otherwise. */
  credentialId?: Uint8Array;
  /** The COSE algorithm the public key claims (ES256, -7, otherwise). */
  alg?: number;
  /** A synced passkey: backup eligible and backed up, its counter always 0. */
  backedUp?: boolean;
  /** Cut the attestation object short, so it is not CBOR. */
  malformedAttestation?: boolean;
}

export interface AssertionKnobs extends CeremonyKnobs {
  /** Which stored credential answers; the newest one for the RP id otherwise. */
  credentialId?: string;
  /** The signature counter reported; the next one otherwise (0 for a synced passkey). */
  signCount?: number;
  /** `response.userHandle`: a string, or null to leave it out; the credential's otherwise. */
  userHandle?: string | null;
  /** Sign with a key the server never saw. */
  foreignKey?: boolean;
}

export interface StoredCredential {
  id: string;
  rpId: string;
  userHandle: string;
  keyPair: CryptoKeyPair;
  signCount: number;
  backedUp: boolean;
}

/** §6.1 flags. */
const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;
/** An AAGUID no metadata service knows, so the server must fall back to its own name. */
const AAGUID = new Uint8Array(16).fill(0x5a);

export class SoftwareAuthenticator {
  /** The resident credentials, newest last. */
  readonly credentials: StoredCredential[] = [];

  /** The page the browser part writes into clientDataJSON. */
  readonly origin: string;

  // No parameter property: the latency bench loads this file in Node, which only strips types.
  constructor(origin: string) {
    this.origin = origin;
  }

  /** navigator.credentials.create() then `toJSON()`. */
  async create(options: PublicKeyCredentialCreationOptionsJSON, knobs: RegistrationKnobs = {}): Promise<RegistrationResponseJSON> {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const keyPair = await generateEs256Pair();
    const rawCredentialId = knobs.credentialId ?? crypto.getRandomValues(new Uint8Array(16));
    const credential: StoredCredential = {
      id: encodeBase64Url(rawCredentialId),
      rpId,
      userHandle: options.user.id,
      keyPair,
      signCount: 0,
      backedUp: knobs.backedUp ?? false,
    };
    const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", keyPair.publicKey)) as ArrayBuffer);
    // RFC 9053 §7.1.1: an EC2 key is its x and y coordinates, after the 0x04 of the uncompressed point.
    const coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, knobs.alg ?? -7],
        [-1, 1],
        [-2, publicKey.slice(1, 33)],
        [-3, publicKey.slice(33)],
      ]),
    );
    const attestedCredentialData = concat(AAGUID, uint(rawCredentialId.length, 2), rawCredentialId, coseKey);
    const authenticatorData = await this.authenticatorData(credential, knobs, AT, attestedCredentialData);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authenticatorData],
      ]),
    );
    const clientData = this.clientData("webauthn.create", options.challenge, knobs);
    this.credentials.push(credential);
    return {
      id: knobs.id ?? credential.id,
      rawId: knobs.rawId ?? credential.id,
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: { credProps: { rk: true } },
      response: {
        clientDataJSON: encodeBase64Url(clientData),
        attestationObject: encodeBase64Url(knobs.malformedAttestation ? attestationObject.slice(0, 20) : attestationObject),
        authenticatorData: encodeBase64Url(authenticatorData),
        publicKeyAlgorithm: knobs.alg ?? -7,
        publicKey: encodeBase64Url(new Uint8Array((await crypto.subtle.exportKey("spki", keyPair.publicKey)) as ArrayBuffer)),
        transports: ["hybrid", "internal"],
      },
    };
  }

  /** navigator.credentials.get() then `toJSON()`: usernameless, so it picks from its own store. */
  async get(options: PublicKeyCredentialRequestOptionsJSON, knobs: AssertionKnobs = {}): Promise<AuthenticationResponseJSON> {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const allowed = options.allowCredentials?.map((descriptor) => descriptor.id) ?? [];
    const credential = this.credentials.findLast(
      (candidate) =>
        candidate.rpId === rpId && (knobs.credentialId ?? candidate.id) === candidate.id && (allowed.length === 0 || allowed.includes(candidate.id)),
    );
    if (!credential) throw new Error(`NotAllowedError: no credential for ${rpId}`);
    credential.signCount = knobs.signCount ?? (credential.backedUp ? 0 : credential.signCount + 1);
    const authenticatorData = await this.authenticatorData(credential, knobs, 0);
    const clientData = this.clientData("webauthn.get", options.challenge, knobs);
    const signedOver = concat(authenticatorData, new Uint8Array(await crypto.subtle.digest("SHA-256", clientData)));
    const signingKey = knobs.foreignKey ? (await generateEs256Pair()).privateKey : credential.keyPair.privateKey;
    const signature = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signingKey, signedOver));
    const userHandle = knobs.userHandle === undefined ? credential.userHandle : knobs.userHandle;
    return {
      id: knobs.id ?? credential.id,
      rawId: knobs.rawId ?? credential.id,
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON: encodeBase64Url(clientData),
        authenticatorData: encodeBase64Url(authenticatorData),
        signature: encodeBase64Url(derSignature(signature)),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }

  /** §6.1: rpIdHash, flags, signCount, then (registration) the attested credential data. */
  private async authenticatorData(credential: StoredCredential, knobs: CeremonyKnobs, extraFlags: number, attested = new Uint8Array()) {
    const rpIdHash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(knobs.rpId ?? credential.rpId)));
    const { up = true, uv = true, be = credential.backedUp, bs = credential.backedUp } = knobs.flags ?? {};
    const flags = (up ? UP : 0) | (uv ? UV : 0) | (be ? BE : 0) | (bs ? BS : 0) | extraFlags;
    return concat(rpIdHash, Uint8Array.of(flags), uint(credential.signCount, 4), attested);
  }

  /** §5.8.1 CollectedClientData, serialized as a browser does. */
  private clientData(type: string, challenge: string, knobs: CeremonyKnobs): Uint8Array {
    const collected = { type: knobs.type ?? type, challenge: knobs.challenge ?? challenge, origin: knobs.origin ?? this.origin, crossOrigin: false };
    return new TextEncoder().encode(JSON.stringify(collected));
  }
}

async function generateEs256Pair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** The subset of CBOR (RFC 8949) that attestation `none` and a COSE key need. */
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function cbor(value: Cbor): Uint8Array {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const utf8 = new TextEncoder().encode(value);
    return concat(cborHead(3, utf8.length), utf8);
  }
  if (value instanceof Uint8Array) return concat(cborHead(2, value.length), value);
  return concat(cborHead(5, value.size), ...[...value].flatMap(([key, item]) => [cbor(key), cbor(item)]));
}

/** RFC 8949 §3: major type in the top three bits, then the argument in the shortest form. */
function cborHead(majorType: number, argument: number): Uint8Array {
  const major = majorType << 5;
  if (argument < 24) return Uint8Array.of(major | argument);
  if (argument < 0x100) return Uint8Array.of(major | 24, argument);
  if (argument < 0x10000) return concat(Uint8Array.of(major | 25), uint(argument, 2));
  return concat(Uint8Array.of(major | 26), uint(argument, 4));
}

/** WebCrypto signs ECDSA as r ‖ s; WebAuthn wants the ASN.1 DER SEQUENCE of two INTEGERs (§6.5.5). */
function derSignature(rawSignature: Uint8Array): Uint8Array {
  const integer = (half: Uint8Array) => {
    let start = 0;
    while (start < half.length - 1 && half[start] === 0) start++;
    const trimmed = half.slice(start);
    // A set top bit would read as negative: prefix a zero byte.
    const positive = (trimmed[0] ?? 0) & 0x80 ? concat(Uint8Array.of(0), trimmed) : trimmed;
    return concat(Uint8Array.of(0x02, positive.length), positive);
  };
  const body = concat(integer(rawSignature.slice(0, 32)), integer(rawSignature.slice(32)));
  return concat(Uint8Array.of(0x30, body.length), body);
}

/** Big-endian unsigned integer in `byteLength` bytes. */
function uint(value: number, byteLength: number): Uint8Array {
  return Uint8Array.from({ length: byteLength }, (_, index) => Math.floor(value / 256 ** (byteLength - 1 - index)) % 256);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
