// Sign-in with the user pool's managed login: authorization code + PKCE (RFC 7636).
// Tokens live in this tab's sessionStorage only (never a cookie), and the access token is
// renewed with the refresh token a few minutes before it expires.
import { config } from "./core.js";

const KEY = "essays.tokens";
const PENDING = "essays.signin";
const EARLY = 5 * 60 * 1000; // renew this long before expiry
let timer = null;

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const redirectUri = () => `${location.origin}/callback`;

function stored() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

function keep(answer, previous) {
  const tokens = {
    accessToken: answer.access_token,
    idToken: answer.id_token || previous?.idToken || null,
    refreshToken: answer.refresh_token || previous?.refreshToken || null,
    expiresAt: Date.now() + (Number(answer.expires_in) || 3600) * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
  schedule(tokens);
  return tokens;
}

async function tokenRequest(fields) {
  const { userPool } = await config();
  const response = await fetch(`${userPool.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: userPool.clientId, ...fields }),
  });
  if (!response.ok) throw new Error(`the sign-in service answered ${response.status}`);
  return response.json();
}

async function refresh(tokens) {
  if (!tokens.refreshToken) return null;
  try {
    return keep(await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refreshToken }), tokens);
  } catch {
    forget();
    return null;
  }
}

function schedule(tokens) {
  clearTimeout(timer);
  const wait = tokens.expiresAt - Date.now() - EARLY;
  timer = setTimeout(() => {
    current = refresh(stored() || tokens);
  }, Math.max(wait, 0));
}

export function forget() {
  clearTimeout(timer);
  sessionStorage.removeItem(KEY);
}

// The signed-in reader's tokens (renewed first if they are about to expire), or null.
let current = null;
export function session() {
  current ??= (async () => {
    const tokens = stored();
    if (!tokens) return null;
    if (tokens.expiresAt - Date.now() < EARLY) return refresh(tokens);
    schedule(tokens);
    return tokens;
  })();
  return current;
}

export function email(tokens) {
  try {
    const part = (tokens.idToken || tokens.accessToken).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part));
    return claims.email || claims.username || "your account";
  } catch {
    return "your account";
  }
}

export async function signIn(returnTo = location.pathname + location.search) {
  const { userPool } = await config();
  const verifier = random(48);
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = random(24);
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, returnTo }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: userPool.clientId,
    redirect_uri: redirectUri(),
    scope: userPool.scopes || "openid email",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${userPool.domain}/oauth2/authorize?${query}`);
}

// On /callback: trade the code for tokens (with the verifier only this tab knows).
export async function finishSignIn(params) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  if (params.get("error")) throw new Error(params.get("error_description") || params.get("error"));
  if (!pending || !params.get("code") || params.get("state") !== pending.state) {
    throw new Error("this sign-in link is not the one this tab started; please sign in again");
  }
  const answer = await tokenRequest({
    grant_type: "authorization_code",
    code: params.get("code"),
    redirect_uri: redirectUri(),
    code_verifier: pending.verifier,
  });
  keep(answer, null);
  return pending.returnTo.startsWith("/") && !pending.returnTo.startsWith("//") ? pending.returnTo : "/";
}

export async function signOut() {
  forget();
  const { userPool } = await config();
  if (userPool.logout) {
    const query = new URLSearchParams({ client_id: userPool.clientId, logout_uri: `${location.origin}/` });
    location.assign(`${userPool.domain}/logout?${query}`);
  } else {
    location.assign("/");
  }
}
