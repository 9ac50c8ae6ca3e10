// Sign-in through the site's token handler (/auth/*, on the site's own domain): the refresh token
// lives in an HttpOnly cookie the page cannot read, and the access token only in this module's
// memory, fetched from POST /auth/token on each page load (of a signed-in reader) and renewed before
// it expires. No token is kept in localStorage, sessionStorage or a readable cookie, yet every tab
// and reload of the site is signed in.
import { config } from "./config.js";

const EARLY = 5 * 60 * 1000; // renew this long before expiry
// The token handler refuses POSTs without X-Essays-Session (CSRF). On AWS CloudFront signs the POSTs
// to the handler's function URL with the body's SHA-256, which the viewer must send: these are empty.
const HEADERS = {
  "X-Essays-Session": "1",
  "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
};
let current = null;
let timer = null;

// The token handler's readable hint (no secret): without it the reader is signed out, and no
// request is made (a visitor's page costs the handler nothing).
const hinted = () => document.cookie.split("; ").includes("essays_signed_in=1");

async function ask(fresh) {
  if (!hinted()) return null;
  const response = await fetch(`/auth/token${fresh ? "?fresh=1" : ""}`, {
    method: "POST",
    headers: HEADERS,
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(`the sign-in service answered ${response.status}`);
  const answer = await response.json();
  if (!answer.signedIn) return null;
  const tokens = { accessToken: answer.accessToken, expiresAt: answer.expiresAt * 1000, email: answer.email || "" };
  clearTimeout(timer);
  timer = setTimeout(
    () => {
      current = ask(true).catch(() => null);
    },
    Math.max(tokens.expiresAt - Date.now() - EARLY, 0),
  );
  return tokens;
}

// The signed-in reader's tokens, or null (also when the sign-in service cannot be reached).
export function session() {
  current ??= ask(false).catch(() => null);
  return current;
}

// A new access token: a new API Gateway authorizer cache key, so no decision cached for the old
// one (a Deny from before the reader paid) is used again.
export function refreshed() {
  current = ask(true).catch(() => null);
  return current;
}

// After the API refused the token: ask the token handler again next time.
export function forget() {
  clearTimeout(timer);
  current = null;
}

export function email(tokens) {
  return tokens?.email || "your account";
}

// A page of this site to come back to, never another site's address.
export function sitePath(value, fallback = "/") {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")
    ? value
    : fallback;
}

// An essay's page of this site (where a reader comes back to after paying), or false.
export const isEssayPath = (value) => /^\/essays\/[^/?#]+$/.test(sitePath(value, ""));

export function signInUrl(returnTo = location.pathname + location.search) {
  return `/auth/login?${new URLSearchParams({ returnTo: sitePath(returnTo) })}`;
}

export async function signUpUrl(returnTo = location.pathname + location.search) {
  const { signUpUrl } = await config().catch(() => ({}));
  const query = new URLSearchParams({ returnTo: sitePath(returnTo) });
  return signUpUrl ? `${signUpUrl}?${query}` : `/auth/login?signup=1&${query}`;
}

export function signIn(returnTo) {
  location.assign(signInUrl(returnTo));
}

export async function signOut() {
  forget();
  let next = "/";
  try {
    const response = await fetch("/auth/logout", { method: "POST", headers: HEADERS, credentials: "same-origin" });
    next = (await response.json()).next || "/";
  } catch {
    next = "/";
  }
  location.assign(next);
}
