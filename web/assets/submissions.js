// /submissions: a contributor's own essays (GET /me/submissions, newest first, "Show more" for the
// next page), each with its state: submitted, in review, returned with the teacher's feedback,
// published (a link to it and the free essays it earned), not accepted (the reason), withdrawn.
// Withdraw (DELETE /me/submissions/{id}) until it is published, after a confirmation.
import { ApiError, api, essayLink, failure, h, show, start } from "./core.js";
import { facts, signedIn, where } from "./members.js";

const WITHDRAWABLE = ["submitted", "in_review", "returned"];

function what(item) {
  switch (item.state) {
    case "submitted":
      return [h("p", {}, "Waiting for a teacher to review it.")];
    case "in_review":
      return [h("p", {}, "A teacher is reviewing it.")];
    case "returned":
      return [
        h("p", {}, "A teacher sent it back with feedback. Improve it, then submit it again."),
        item.feedback ? h("blockquote", { class: "feedback" }, item.feedback) : null,
      ];
    case "published": {
      const earned = item.freeEssaysEarned;
      return [
        h("p", {}, "It is in the library: ", h("a", { href: essayLink(item) }, "read it on the site"), "."),
        earned
          ? h("p", { class: "earned" }, `You earned ${earned} free ${earned === 1 ? "essay" : "essays"} to read.`)
          : null,
        item.credit === "named" && item.creditName
          ? h("p", { class: "detail" }, `Credited to ${item.creditName.replace(/\.$/, "")}.`)
          : null,
      ];
    }
    case "rejected":
      return [
        h("p", {}, "A teacher did not accept it for the library."),
        item.reason ? h("blockquote", { class: "feedback" }, item.reason) : null,
      ];
    case "withdrawn":
      return [h("p", {}, "You withdrew it: teachers no longer see it.")];
    default:
      return [];
  }
}

function card(item, tokens) {
  const status = h("p", { class: "status", role: "status" });
  const actions = h("p", { class: "actions" });
  const article = h(
    "li",
    { class: "submission", id: `submission-${item.submissionId}` },
    h("h2", {}, item.title),
    facts(item, "meta"),
    where(item),
    what(item),
    actions,
    status,
  );
  const offer = () => {
    // (replaceChildren(null) would write "null": nothing is no argument)
    actions.replaceChildren(
      ...(WITHDRAWABLE.includes(item.state)
        ? [
            h(
              "button",
              { type: "button", class: "secondary small", onclick: confirm, "aria-label": `Withdraw ${item.title}` },
              "Withdraw",
            ),
          ]
        : []),
    );
    actions.hidden = !actions.childElementCount;
  };
  const withdraw = async () => {
    status.textContent = "Withdrawing…";
    try {
      await api(`/me/submissions/${encodeURIComponent(item.submissionId)}`, {
        token: tokens.accessToken,
        method: "DELETE",
      });
      const fresh = await api(`/me/submissions/${encodeURIComponent(item.submissionId)}`, {
        token: tokens.accessToken,
      }).catch(() => ({
        ...item,
        state: "withdrawn",
      }));
      article.replaceWith(card(fresh, tokens));
      document.querySelector(`#submission-${CSS.escape(item.submissionId)} h2`)?.setAttribute("tabindex", "-1");
      document.querySelector(`#submission-${CSS.escape(item.submissionId)} h2`)?.focus();
    } catch (error) {
      offer();
      status.textContent =
        error instanceof ApiError && error.status === 409
          ? "It can no longer be withdrawn: a teacher has just published or declined it. Reload the page to see it."
          : "It could not be withdrawn. Please check your connection and try again.";
    }
  };
  function confirm() {
    status.textContent = "";
    const yes = h("button", { type: "button", class: "primary small", onclick: withdraw }, "Yes, withdraw it");
    actions.replaceChildren(
      h("span", {}, "Withdraw it? Teachers will no longer see it."),
      yes,
      h("button", { type: "button", class: "link", onclick: offer }, "Keep it"),
    );
    yes.focus();
  }
  offer();
  return article;
}

async function page() {
  document.title = "My submissions · Essay library";
  const tokens = await signedIn("My submissions", "Sign in to see the essays you have sent and their review.");
  if (!tokens) return;
  const first = await api("/me/submissions", { token: tokens.accessToken });
  const sent = new URLSearchParams(location.search).get("sent");
  const thanks = sent && first.items.find((item) => item.submissionId === sent);
  const list = h("ol", { class: "submissions" });
  const more = h("p", { class: "actions" });
  const add = (answer) => {
    list.append(...answer.items.map((item) => card(item, tokens)));
    more.replaceChildren(
      answer.cursor
        ? h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: async (event) => {
                event.target.disabled = true;
                try {
                  add(
                    await api(`/me/submissions?cursor=${encodeURIComponent(answer.cursor)}`, {
                      token: tokens.accessToken,
                    }),
                  );
                } catch {
                  event.target.disabled = false;
                  more.append(h("span", { role: "status" }, " They could not be loaded. Please try again."));
                }
              },
            },
            "Show more",
          )
        : "",
    );
  };
  show(
    h("h1", {}, "My submissions"),
    thanks
      ? h(
          "div",
          { class: "message small done", role: "status" },
          h(
            "p",
            {},
            `Thank you: “${thanks.title}” is submitted. ` +
              "A teacher will review it, and you will see its progress here.",
          ),
        )
      : null,
    first.items.length
      ? h("p", { class: "lead" }, "The essays you have sent, newest first.")
      : h("div", { class: "message small" }, h("p", {}, "You have not sent an essay yet.")),
    list,
    more,
    h(
      "p",
      { class: "actions" },
      h("a", { class: "button primary", href: "/submit" }, "Submit an essay"),
      h("a", { href: "/account" }, "Your account"),
    ),
  );
  add(first);
  if (sent) history.replaceState(null, "", "/submissions"); // a reload does not thank them again
}

start();
page().catch((error) => failure(error, "your submissions"));
