import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from "@simplewebauthn/server";
import { describe, expect, it } from "vitest";
import { type AssertionKnobs, type RegistrationKnobs, SoftwareAuthenticator } from "./support/software-authenticator.ts";

// The test support is only worth its knobs if the library that the worker trusts reads its output as a
// browser's: each knob must move exactly the check it names, and nothing else.
const ORIGIN = "https://panel.example.com";
const RP_ID = "example.com";

async function registrationOptions() {
  return generateRegistrationOptions({
    rpName: "ScaiKey",
    rpID: RP_ID,
    userName: "admin@example.com",
    attestationType: "none",
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    supportedAlgorithmIDs: [-7, -257],
  });
}

async function register(authenticator: SoftwareAuthenticator, knobs: RegistrationKnobs = {}) {
  const options = await registrationOptions();
  const response = await authenticator.create(options, knobs);
  return { options, response, verify: () => verifyRegistration(response, options.challenge) };
}

function verifyRegistration(response: RegistrationResponseJSON, expectedChallenge: string) {
  return verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, supportedAlgorithmIDs: [-7, -257] });
}

async function registered(knobs: RegistrationKnobs = {}): Promise<{ authenticator: SoftwareAuthenticator; credential: WebAuthnCredential }> {
  const authenticator = new SoftwareAuthenticator(ORIGIN);
  const verification = await (await register(authenticator, knobs)).verify();
  if (!verification.verified) throw new Error("registration did not verify");
  return { authenticator, credential: verification.registrationInfo.credential };
}

async function signIn(authenticator: SoftwareAuthenticator, credential: WebAuthnCredential, knobs: AssertionKnobs = {}) {
  const options = await generateAuthenticationOptions({ rpID: RP_ID, userVerification: "required" });
  const response = await authenticator.get(options, knobs);
  return { response, verify: () => verifyAssertion(response, options.challenge, credential) };
}

function verifyAssertion(response: AuthenticationResponseJSON, expectedChallenge: string, credential: WebAuthnCredential) {
  return verifyAuthenticationResponse({ response, expectedChallenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID, credential });
}

describe("the software authenticator, as @simplewebauthn/server reads it", () => {
  it("registers a discoverable ES256 credential with attestation none", async () => {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const { options, response, verify } = await register(authenticator);
    const verification = await verify();
    expect(verification.verified).toBe(true);
    expect(verification.registrationInfo).toMatchObject({
      fmt: "none",
      aaguid: "5a5a5a5a-5a5a-5a5a-5a5a-5a5a5a5a5a5a",
      userVerified: true,
      credentialBackedUp: false,
      credentialDeviceType: "singleDevice",
      credential: { id: response.id, counter: 0 },
    });
    expect(response).toMatchObject({ rawId: response.id, type: "public-key", authenticatorAttachment: "platform" });
    expect(response.response.transports).toEqual(["hybrid", "internal"]);
    expect(authenticator.credentials).toMatchObject([{ id: response.id, rpId: RP_ID, userHandle: options.user.id }]);
  });

  it("signs in usernameless: the stored credential answers, counting up, with its user handle", async () => {
    const { authenticator, credential } = await registered();
    const first = await signIn(authenticator, credential);
    expect(await first.verify()).toMatchObject({ verified: true, authenticationInfo: { credentialID: credential.id, newCounter: 1, userVerified: true } });
    expect(first.response.response.userHandle).toBe(authenticator.credentials[0]?.userHandle);
    const second = await signIn(authenticator, { ...credential, counter: 1 });
    expect(await second.verify()).toMatchObject({ verified: true, authenticationInfo: { newCounter: 2 } });
  });

  it("a signature by a foreign key does not verify, and the library says so rather than throwing", async () => {
    const { authenticator, credential } = await registered();
    const { verify } = await signIn(authenticator, credential, { foreignKey: true });
    expect((await verify()).verified).toBe(false);
  });

  it("a synced passkey is backed up and keeps its counter at 0, which verifies against a stored 0", async () => {
    const { authenticator, credential } = await registered({ backedUp: true });
    const { verify } = await signIn(authenticator, credential);
    expect(await verify()).toMatchObject({
      verified: true,
      authenticationInfo: { newCounter: 0, credentialBackedUp: true, credentialDeviceType: "multiDevice" },
    });
  });

  it.each<[string, RegistrationKnobs, RegExp]>([
    ["origin", { origin: "https://panel.example.net" }, /origin/],
    ["RP id hash", { rpId: "example.net" }, /RP ID/],
    ["ceremony type", { type: "webauthn.get" }, /type/],
    ["challenge", { challenge: "bm90LWlzc3VlZC1ieS10aGUtc2VydmVy" }, /challenge/],
    ["user presence", { flags: { up: false } }, /User presence/],
    ["user verification", { flags: { uv: false } }, /User verification/],
    ["algorithm", { alg: -8 }, /Unexpected public key alg/],
    ["rawId", { rawId: "b3RoZXI" }, /Credential ID/],
    ["attestation object", { malformedAttestation: true }, /not supported or well formed/],
  ])("registration: the %s knob is refused", async (_, knobs, message) => {
    const { verify } = await register(new SoftwareAuthenticator(ORIGIN), knobs);
    await expect(verify()).rejects.toThrow(message);
  });

  it.each<[string, AssertionKnobs, RegExp]>([
    ["origin", { origin: "https://panel.example.net" }, /origin/],
    ["RP id hash", { rpId: "example.net" }, /RP ID/],
    ["ceremony type", { type: "webauthn.create" }, /type/],
    ["challenge", { challenge: "bm90LWlzc3VlZC1ieS10aGUtc2VydmVy" }, /challenge/],
    ["user presence", { flags: { up: false } }, /User not present/],
    ["user verification", { flags: { uv: false } }, /User verification/],
    ["rawId", { rawId: "b3RoZXI" }, /Credential ID/],
    ["counter regression", { signCount: 0 }, /counter/],
  ])("sign-in: the %s knob is refused", async (_, knobs, message) => {
    const { authenticator, credential } = await registered();
    const { verify } = await signIn(authenticator, { ...credential, counter: 5 }, { signCount: 6, ...knobs });
    await expect(verify()).rejects.toThrow(message);
  });

  it("the checks the library leaves to the worker: id and user handle are whatever the knobs say", async () => {
    const { authenticator, credential } = await registered();
    const { response } = await signIn(authenticator, credential, { id: "dW5rbm93bg", rawId: "dW5rbm93bg", userHandle: "b3RoZXItYWRtaW4" });
    expect(response).toMatchObject({ id: "dW5rbm93bg", rawId: "dW5rbm93bg", response: { userHandle: "b3RoZXItYWRtaW4" } });
    const withoutHandle = await signIn(authenticator, credential, { userHandle: null });
    expect(withoutHandle.response.response).not.toHaveProperty("userHandle");
  });

  it("get finds only credentials for the options' RP id", async () => {
    const { authenticator } = await registered();
    const options = await generateAuthenticationOptions({ rpID: "elsewhere.example", userVerification: "required" });
    await expect(authenticator.get(options)).rejects.toThrow(/NotAllowedError/);
  });
});
