// /account: the reader's subscription (status, renewal or end date), this month's free essays,
// Manage billing (Stripe's portal, which sends them back here) and Sign out.

import { email, session, signIn, signOut, signUpUrl } from "./auth.js";
import { api, failure, h, meterText, sentence, show, start } from "./core.js";
import { essaysPanel } from "./members.js";
import { ENTITLED, manageButton, OWING } from "./subscribe.js";

const day = (iso) =>
  new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

function standing(mine) {
  const until = mine.currentPeriodEnd ? day(mine.currentPeriodEnd) : null;
  const plan = mine.plan ? `${mine.plan} plan` : "Subscription";
  switch (mine.status) {
    case "active":
      return mine.cancelAtPeriodEnd
        ? [`${plan}: active until ${until}.`, "It will not renew: you have cancelled it."]
        : [`${plan}: active.`, `Renews on ${until}.`];
    case "trialing":
      return [`${plan}: free trial.`, `The trial ends on ${until}.`];
    case "past_due":
    case "unpaid":
    case "incomplete":
      return [
        `${plan}: a payment did not go through.`,
        "Update your card in Manage billing to keep reading every essay.",
      ];
    case "paused":
      return [`${plan}: paused.`, "Resume it in Manage billing."];
    case "canceled":
    case "incomplete_expired":
      return [`${plan}: ended${until ? ` on ${until}` : ""}.`, "Subscribe again to read every essay in full."];
    default:
      return ["You do not subscribe.", "Subscribe to read every essay in full."];
  }
}

// Every token issued until now is refused from here on (POST /me/signout), then this browser signs out.
async function signOutEverywhere(tokens, status) {
  try {
    await api("/me/signout", { token: tokens.accessToken, method: "POST" });
  } catch {
    status.textContent = "We could not sign you out of your other devices. Please try again.";
    return;
  }
  await signOut();
}

async function page() {
  document.title = "Your account · Essay library";
  const tokens = await session();
  if (!tokens) {
    return show(
      h("h1", {}, "Your account"),
      h(
        "div",
        { class: "message" },
        h("p", {}, "Sign in to see your subscription and your free essays."),
        h(
          "p",
          { class: "actions" },
          h("button", { type: "button", class: "primary small", onclick: () => signIn() }, "Sign in"),
          h("a", { href: await signUpUrl() }, "Create an account"),
        ),
      ),
    );
  }
  const mine = await api("/me/subscription", { token: tokens.accessToken });
  const [headline, detail] = standing(mine);
  const entitled = ENTITLED.includes(mine.status);
  const left = !entitled ? meterText(mine.meter) : null;
  // free essays earned by publishing their own work (GET /me/subscription's earnedEssays), for good
  const n = mine.earnedEssays ?? 0;
  const earned = n > 0 ? `${n} free essay${n === 1 ? "" : "s"} earned from your published work.` : null;
  const status = h("p", { class: "status", role: "status" });
  show(
    h("h1", {}, "Your account"),
    h("p", { class: "who" }, `Signed in as ${email(tokens)}`),
    h(
      "section",
      { class: "panel subscription", "aria-labelledby": "subscription-heading" },
      h("h2", { id: "subscription-heading" }, "Subscription"),
      h("p", { class: "standing" }, headline),
      h("p", {}, detail),
      h(
        "p",
        { class: "actions" },
        mine.status !== "none" ? manageButton(status) : null,
        !entitled && !OWING.includes(mine.status)
          ? h("a", { class: "button primary", href: "/plans" }, "Subscribe")
          : null,
      ),
      status,
    ),
    left || earned
      ? h(
          "section",
          { class: "panel meter", "aria-labelledby": "meter-heading" },
          h("h2", { id: "meter-heading" }, "Free essays"),
          left ? h("p", {}, sentence(left)) : null,
          earned ? h("p", { class: "earned" }, earned) : null,
        )
      : null,
    essaysPanel(tokens),
    h(
      "section",
      { class: "panel", "aria-labelledby": "signout-heading" },
      h("h2", { id: "signout-heading" }, "Signing out"),
      h(
        "p",
        {},
        "Sign out of this browser (every tab), or of every device you have signed in on: " +
          "a lost phone or a shared computer stops reading.",
      ),
      h(
        "p",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => signOut() }, "Sign out"),
        h(
          "button",
          { type: "button", class: "secondary", onclick: () => signOutEverywhere(tokens, status) },
          "Sign out everywhere",
        ),
      ),
    ),
  );
}

start();
page().catch((error) => failure(error, "your account"));
