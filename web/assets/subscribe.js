// Subscribe and Manage billing, shared by the essay page, /plans and /account. Neither reads an
// essay: subscribing spends no free essay, and the reader comes back to `returnTo` after paying.

import { forget, isEssayPath, session, signIn } from "./auth.js";
import { api, h } from "./core.js";

const SLOW = 20000; // these two calls wait for Stripe too
export const RETURN_KEY = "essays.returnTo"; // a page path (not a token): if the success URL lacks it
export const ENTITLED = ["active", "trialing"]; // statuses that open every essay
export const OWING = ["past_due", "unpaid", "incomplete", "paused"]; // Stripe still charges these

export async function subscribe(box, returnTo) {
  const button = box.querySelector("button.subscribe");
  const status = box.querySelector(".status");
  const back = isEssayPath(returnTo) ? returnTo : null;
  if (button) button.disabled = true;
  status.textContent = "Opening the payment page…";
  const tokens = await session();
  if (!tokens) return signIn(`/plans?${new URLSearchParams({ ...(back ? { returnTo: back } : {}), subscribe: "1" })}`);
  try {
    const answer = await api("/checkout", {
      method: "POST",
      token: tokens.accessToken,
      body: back ? { returnTo: back } : undefined,
      timeout: SLOW,
    });
    if (back) sessionStorage.setItem(RETURN_KEY, back);
    else sessionStorage.removeItem(RETURN_KEY);
    location.assign(answer.url);
  } catch (error) {
    if (button) button.disabled = false;
    if (error.status === 401) {
      forget();
      return signIn();
    }
    if (error.status === 409) {
      // Stripe still charges a subscription of this reader (a failed payment, say): the portal fixes it.
      status.textContent =
        "Your account already has a subscription. " +
        "Manage billing to see it, or to update your card if a payment did not go through.";
      if (button) button.replaceWith(manageButton(status));
      return;
    }
    status.textContent = "The payment page could not be opened. Please try again in a moment.";
  }
}

export function manageButton(status) {
  return h(
    "button",
    { type: "button", class: "primary manage", onclick: (event) => openPortal(event.currentTarget, status) },
    "Manage billing",
  );
}

// POST /billing/portal: Stripe's customer portal, which sends the reader back to /account.
export async function openPortal(button, status) {
  button.disabled = true;
  status.textContent = "Opening the billing page…";
  try {
    const tokens = await session();
    if (!tokens) return signIn();
    const answer = await api("/billing/portal", { method: "POST", token: tokens.accessToken, timeout: SLOW });
    location.assign(answer.url);
  } catch (error) {
    button.disabled = false;
    status.textContent =
      error.status === 404
        ? "You have no billing account yet: it starts when you first subscribe."
        : "The billing page could not be opened. Please try again in a moment.";
  }
}
