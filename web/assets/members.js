// What the signed-in pages of contributors and teachers share: the sign-in gate, who the token
// says the reader is (its claims, read for display only: the API checks the token itself), dates
// in readers' words and the states of a submission.

import { session, signIn, signUpUrl } from "./auth.js";
import { h, show } from "./core.js";

// The reader's tokens, or null after showing `heading` and why to sign in.
export async function signedIn(heading, why) {
  const tokens = await session();
  if (tokens) return tokens;
  show(
    h("h1", {}, heading),
    h(
      "div",
      { class: "message" },
      h("p", {}, why),
      h(
        "p",
        { class: "actions" },
        h("button", { type: "button", class: "primary small", onclick: () => signIn() }, "Sign in"),
        h("a", { href: await signUpUrl() }, "Create an account"),
      ),
    ),
  );
  return null;
}

// The access token's claims (sub, cognito:groups...), or {} when it cannot be read.
export function claims(tokens) {
  try {
    const payload = tokens.accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

export const isTeacher = (tokens) => (claims(tokens)["cognito:groups"] || []).includes("teachers");

export const day = (iso) =>
  new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
export const time = (iso) => new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
export const moment = (iso) => `${day(iso)}, ${time(iso)}`;

export const words = (n) => `${Number(n || 0).toLocaleString("en-GB")} ${n === 1 ? "word" : "words"}`;

// A submission's state as its contributor and teachers read it.
export const STATES = {
  submitted: "Submitted",
  in_review: "In review",
  returned: "Returned with feedback",
  published: "Published",
  rejected: "Not accepted",
  withdrawn: "Withdrawn",
};

export const badge = (state) => h("span", { class: `state state-${state}` }, STATES[state] || state);

export const where = (item) =>
  h("p", { class: "where" }, [item.level, item.subject, item.section].filter(Boolean).join(" › "));

// A submission's state, length and day sent: the line under its title, for its contributor and teachers.
export const facts = (item, className) =>
  h(
    "p",
    { class: className },
    badge(item.state),
    h("span", {}, words(item.wordCount)),
    h("span", {}, `Sent ${day(item.createdAt)}`),
  );

// The account page's way in: the reader's own essays, and the review queue for teachers.
export function essaysPanel(tokens) {
  return [
    h(
      "section",
      { class: "panel", "aria-labelledby": "essays-heading" },
      h("h2", { id: "essays-heading" }, "Your essays"),
      h(
        "p",
        {},
        "Send us an essay you wrote. Teachers review it, and when it is published you earn free essays to read.",
      ),
      h(
        "p",
        { class: "actions" },
        h("a", { class: "button primary", href: "/submit" }, "Submit your essay"),
        h("a", { href: "/submissions" }, "My submissions"),
      ),
    ),
    isTeacher(tokens)
      ? h(
          "section",
          { class: "panel", "aria-labelledby": "teaching-heading" },
          h("h2", { id: "teaching-heading" }, "Teaching"),
          h("p", {}, "Review the essays readers have sent: annotate, rate and publish them."),
          h("p", { class: "actions" }, h("a", { href: "/review" }, "Review queue")),
        )
      : null,
  ];
}
