// /subscribed?session_id=...&returnTo=/essays/...: where Stripe Checkout sends a reader who paid.
// It waits for Stripe's webhook to reach us (polls GET /me/subscription), gets the reader a new
// access token (a new authorizer cache key: no Deny cached from before the payment applies to it),
// then takes them back to their essay, opened.

import { isEssayPath, refreshed, session, signIn } from "./auth.js";
import { api, h, main, message, show, start } from "./core.js";
import { ENTITLED, RETURN_KEY } from "./subscribe.js";

const EVERY = 1000;
const WAIT = 30000;
function destination() {
  const asked = new URLSearchParams(location.search).get("returnTo");
  if (isEssayPath(asked)) return asked;
  const kept = sessionStorage.getItem(RETURN_KEY);
  return isEssayPath(kept) ? kept : null;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function confirmed(tokens) {
  const until = Date.now() + WAIT;
  while (Date.now() < until) {
    try {
      const mine = await api("/me/subscription", { token: tokens.accessToken });
      if (ENTITLED.includes(mine.status)) return true;
    } catch {
      // an outage or a slow answer: keep waiting until the deadline
    }
    await pause(EVERY);
  }
  return false;
}

async function page() {
  document.title = "Thank you · Essay library";
  const back = destination();
  const tokens = await session();
  if (!tokens) {
    return message(
      "Thank you for subscribing",
      "Please sign in again to start reading: your subscription is on your account.",
      h("button", { type: "button", class: "primary small", onclick: () => signIn() }, "Sign in"),
    );
  }
  show(
    h(
      "div",
      { class: "message waiting" },
      h("h1", {}, "Thank you for subscribing"),
      h(
        "p",
        { role: "status" },
        back
          ? "We are confirming your payment, then your essay opens. This takes a few seconds."
          : "We are confirming your payment. This takes a few seconds.",
      ),
      h("p", { class: "spinner", "aria-hidden": "true" }),
    ),
  );
  main().setAttribute("aria-busy", "true"); // still waiting for the payment
  if (await confirmed(tokens)) {
    await refreshed();
    sessionStorage.removeItem(RETURN_KEY);
    location.replace(back || "/account");
    return;
  }
  message(
    "Your payment is still being confirmed",
    "It is taking longer than usual. You will not be charged twice: check again in a moment, or see your account.",
    h("button", { type: "button", class: "primary small", onclick: () => page() }, "Check again"),
    h("a", { href: "/account" }, "Your account"),
    back ? h("a", { href: back }, "Back to your essay") : null,
  );
}

start();
page();
