// /plans: the plans (GET /plans) with Subscribe. Stripe Checkout sends a reader who gave up here
// (?returnTo=/essays/...), and "Sign in to subscribe" comes back here with &subscribe=1, which goes
// straight on to the payment page: neither reads an essay, so neither spends a free one.

import { isEssayPath, session, signIn } from "./auth.js";
import { api, failure, h, joinLink, meterText, price, sentence, show, start } from "./core.js";
import { ENTITLED, manageButton, OWING, RETURN_KEY, subscribe } from "./subscribe.js";

async function page() {
  const query = new URLSearchParams(location.search);
  const fromStripe = isEssayPath(query.get("returnTo")); // Checkout's cancel URL carries it
  const kept = sessionStorage.getItem(RETURN_KEY); // this tab's note of the essay, if the cancel URL has none
  const returnTo = fromStripe ? query.get("returnTo") : isEssayPath(kept) ? kept : null;
  const go = query.get("subscribe") === "1";
  if (go) {
    // Back from the payment page must not open it again.
    query.delete("subscribe");
    history.replaceState(null, "", `/plans${query.size ? `?${query}` : ""}`);
  }
  document.title = "Plans · Essay library";
  const tokens = await session();
  const [plans, mine] = await Promise.all([
    api("/plans"),
    tokens ? api("/me/subscription", { token: tokens.accessToken }).catch(() => null) : null,
  ]);
  const status = h("p", { class: "status", role: "status" });
  const entitled = mine && ENTITLED.includes(mine.status);
  const owing = mine && OWING.includes(mine.status);
  const left = mine && !entitled ? meterText(mine.meter) : null;
  const action = () => {
    if (!tokens) {
      const back = `/plans?${new URLSearchParams({ ...(returnTo ? { returnTo } : {}), subscribe: "1" })}`;
      return [
        h("button", { type: "button", class: "primary", onclick: () => signIn(back) }, "Sign in to subscribe"),
        joinLink(back),
      ];
    }
    if (entitled)
      return h(
        "p",
        {},
        "You subscribe already: every essay is yours to read. ",
        h("a", { href: "/account" }, "Your account"),
      );
    if (owing)
      return [
        h("p", {}, "A payment for your subscription did not go through. Manage billing to update your card."),
        manageButton(status),
      ];
    return h(
      "button",
      { type: "button", class: "primary subscribe", onclick: () => subscribe(box, returnTo) },
      "Subscribe",
    );
  };
  const box = h(
    "section",
    { class: "plans wide", "aria-labelledby": "plans-heading" },
    h("h2", { id: "plans-heading" }, "Unlimited access to every essay"),
    h(
      "ul",
      { class: "plan-list" },
      plans.plans.map((plan) =>
        h("li", {}, h("strong", {}, plan.name), ": ", h("span", { class: "price" }, price(plan))),
      ),
    ),
    h(
      "ul",
      { class: "perks" },
      h("li", {}, "Full, formatted essays"),
      h("li", {}, "Teachers' comments and annotations"),
      h("li", {}, "Cancel any time"),
    ),
    left ? h("p", { class: "meter" }, sentence(left)) : null,
    action(),
    status,
  );
  show(
    h("h1", {}, "Subscribe to the essay library"),
    returnTo && !go
      ? h(
          "p",
          { class: "back" },
          fromStripe ? "No payment has been taken. " : null,
          h("a", { href: returnTo }, "Back to your essay"),
        )
      : null,
    box,
  );
  if (go && tokens && !entitled && !owing) subscribe(box, returnTo);
  else if (go && entitled && returnTo) location.replace(returnTo);
}

// Coming Back to this page from the payment page: show it afresh, not as it was left.
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});
start();
page().catch((error) => failure(error, "the plans"));
