// The admin panel's passkey flows against this API, as short as they can be: sign in (password and code, or a
// passkey), register, list, rename and remove passkeys, sign out. The panel keeps these steps; how it stores
// tokens, refreshes them and shows errors is its own. Bundled with @simplewebauthn/browser by build-assets.ts.
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";

const API = "/api/v1/admin/auth";
const $ = (id) => document.getElementById(id);

/** Login's 200 body; in memory only, so a reload signs out. */
let session = null;
/** The action a step-up 401 interrupted, run again once the admin has signed in again. */
let resume = null;

class ApiError extends Error {
  constructor(response, body) {
    super(typeof body?.detail === "string" ? body.detail : JSON.stringify(body?.detail ?? response.status));
    this.status = response.status;
    // RFC 9470: the token is valid, but its sign-in is older than this route allows (REAUTH_MAX_AGE).
    this.stepUp = /error="insufficient_user_authentication"/.test(response.headers.get("www-authenticate") ?? "");
  }
}

async function api(method, path, body, token = session?.access_token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json();
  if (!response.ok) throw new ApiError(response, data);
  return data;
}

/** Runs one click's work and shows how it ended; after a step-up 401, asks for a sign-in and keeps the work for after it. */
async function run(action) {
  status("Working…");
  try {
    status(await action());
  } catch (error) {
    if (error instanceof ApiError && error.stepUp) {
      resume = action;
      showSignedIn(false);
      status("This needs a recent sign-in: sign in again to continue.", true);
    } else {
      status(error.message, true);
    }
  }
}

async function signInWithPassword(form) {
  const body = { email: form.get("email"), password: form.get("password") };
  if (!$("code-field").hidden) body.mfa_code = form.get("mfa_code");
  try {
    return await signedIn(await api("POST", "/login", body, null));
  } catch (error) {
    // Said only to the right password: ask for the code, then send all three again.
    if (error.message === "MFA code required") $("code-field").hidden = false;
    throw error;
  }
}

/** Usernameless: no email is asked, the authenticator offers the passkeys it holds for this site. */
async function signInWithPasskey() {
  const optionsJSON = await api("POST", "/passkeys/login/options", {}, null);
  const response = await startAuthentication({ optionsJSON });
  return signedIn(await api("POST", "/passkeys/login/verify", { response }, null));
}

async function signedIn(tokens) {
  const previous = session;
  session = tokens;
  // Signing in again (for step-up) opened a new session: the old one is ended, not left behind.
  if (previous) await api("POST", "/logout", undefined, previous.access_token).catch(() => undefined);
  $("password-form").reset();
  $("code-field").hidden = true;
  $("who").textContent = tokens.user.email;
  $("amr").textContent = claims(tokens.access_token).amr.join(" + ");
  showSignedIn(true);
  const interrupted = resume;
  resume = null;
  if (interrupted) return interrupted();
  await listPasskeys();
  return "Signed in";
}

async function registerPasskey(name) {
  const optionsJSON = await api("POST", "/passkeys/register/options", {});
  const response = await startRegistration({ optionsJSON });
  const passkey = await api("POST", "/passkeys/register/verify", { response, name: name || null });
  $("register-form").reset();
  await listPasskeys();
  return `Registered "${passkey.name}"`;
}

async function listPasskeys() {
  const passkeys = await api("GET", "/passkeys");
  $("passkeys").replaceChildren(...passkeys.map(passkeyItem));
}

/** Text only (never HTML): a passkey's name is whatever its owner typed. */
function passkeyItem(passkey) {
  const item = document.createElement("li");
  const name = Object.assign(document.createElement("input"), { value: passkey.name, maxLength: 64, ariaLabel: "Passkey name" });
  const details = document.createElement("span");
  const lastUsed = passkey.last_used_at ? new Date(passkey.last_used_at).toLocaleString() : "never";
  details.textContent = `added ${new Date(passkey.created_at).toLocaleString()}, last used ${lastUsed}, ${passkey.backed_up ? "synced" : "this device only"}`;
  const path = `/passkeys/${encodeURIComponent(passkey.id)}`;
  const rename = button("Rename", async () => {
    const renamed = await api("PATCH", path, { name: name.value });
    await listPasskeys();
    return `Renamed to "${renamed.name}"`;
  });
  const remove = button("Remove", async () => {
    await api("DELETE", path);
    try {
      await listPasskeys();
    } catch (error) {
      if (error.status !== 401) throw error;
      // Removing a passkey ends the sessions it signed in: this one too, if it did.
      session = null;
      showSignedIn(false);
      return `Removed "${passkey.name}", which had signed this session in: sign in again`;
    }
    return `Removed "${passkey.name}"`;
  });
  item.append(name, rename, remove, details);
  return item;
}

function button(label, action) {
  const element = Object.assign(document.createElement("button"), { type: "button", textContent: label });
  element.addEventListener("click", () => run(action));
  return element;
}

async function signOut() {
  await api("POST", "/logout");
  session = null;
  showSignedIn(false);
  return "Signed out";
}

/** The access token's claims, to show `amr` (`pop` after a passkey). Display only: the API verifies tokens, the page does not. */
function claims(token) {
  const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(payload));
}

function showSignedIn(signedIn) {
  $("signed-in").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
}

function status(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

$("password-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(() => signInWithPassword(new FormData(event.target)));
});
$("passkey-sign-in").addEventListener("click", () => run(signInWithPasskey));
$("register-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(() => registerPasskey(new FormData(event.target).get("name")));
});
$("sign-out").addEventListener("click", () => run(signOut));
if (!browserSupportsWebAuthn()) status("This browser does not support passkeys (WebAuthn).", true);
