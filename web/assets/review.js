// /review: teachers' pages. Without ?submission=, the queue (GET /review/queue: oldest first, a page
// at a time). With ?submission=<id>, one essay to review (GET /review/submissions/{id}): claim it
// (one teacher at a time, for a while), select a passage with the mouse or the keyboard (Shift and
// the arrows: the essay is a read-only text box) to annotate it, delete annotations, set the star
// rating and the teacher's comment, then publish, return with feedback or reject with a reason.
// Everyone's actions are listed. The API decides who is a teacher: anyone else gets its 403 and
// a plain message here.
import { ApiError, api, essayLink, failure, h, message, pager, show, start, TIMEOUT } from "./core.js";
import { claims, day, facts, moment, signedIn, time, where, words } from "./members.js";
import { overlaps, passageOf, pieces } from "./passages.js";

const PAGE = 20;
const PUBLISHING = 30000; // publishing derives the essay (previews, related lists, search) while the teacher waits
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:\.\d+)?Z/g; // a moment in an action's detail, shown as a time
const KINDS = { strength: "Strength", improvement: "To improve", note: "Note" };
const ACTIONS = {
  submitted: "submitted it",
  claimed: "claimed it",
  "claim renewed": "kept it for longer",
  annotated: "annotated a passage",
  "annotation removed": "deleted an annotation",
  assessed: "rated it",
  published: "published it",
  returned: "returned it with feedback",
  rejected: "rejected it",
  withdrawn: "withdrew it",
};

const clip = (text) => (text.length > 120 ? `${text.slice(0, 117)}…` : text);

const forTeachers = () =>
  message(
    "This page is for teachers",
    "Teachers review the essays readers send in. If you are a teacher, sign in with your teacher's account.",
    h("a", { href: "/" }, "Browse the library"),
  );

// ---- the queue -----------------------------------------------------------------------------------

async function queue(tokens) {
  document.title = "Review queue · Essay library";
  const query = new URLSearchParams(location.search);
  const cursor = query.get("cursor");
  const answer = await api(`/review/queue?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
    token: tokens.accessToken,
  });
  const me = claims(tokens).sub;
  const claimState = (item) => {
    const held = item.claimedBy && item.claimExpiresAt && new Date(item.claimExpiresAt) > new Date();
    if (!held) return "Waiting";
    return item.claimedBy === me
      ? `Yours until ${time(item.claimExpiresAt)}`
      : `Being reviewed until ${time(item.claimExpiresAt)}`;
  };
  show(
    h("h1", {}, "Review queue"),
    h(
      "p",
      { class: "lead" },
      "Essays readers have sent, the longest waiting first. Open one to claim it and review it.",
    ),
    answer.items.length
      ? h(
          "table",
          { class: "queue" },
          h("caption", { class: "visually-hidden" }, "Essays waiting for review, oldest first"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Essay", "Where", "Length", "Sent", "Review"].map((name) => h("th", { scope: "col" }, name)),
            ),
          ),
          h(
            "tbody",
            {},
            answer.items.map((item) =>
              h(
                "tr",
                {},
                h(
                  "td",
                  {},
                  h("a", { href: `/review?submission=${encodeURIComponent(item.submissionId)}` }, item.title),
                ),
                h("td", {}, [item.level, item.subject, item.section].join(" › ")),
                h("td", {}, words(item.wordCount)),
                h("td", {}, day(item.submittedAt)),
                h("td", {}, claimState(item)),
              ),
            ),
          ),
        )
      : h(
          "div",
          { class: "message small" },
          h("p", {}, cursor ? "No more essays are waiting." : "No essays are waiting for review. Thank you!"),
        ),
    pager("/review", cursor && new URLSearchParams(), answer.cursor && new URLSearchParams({ cursor: answer.cursor })),
  );
}

// ---- one submission ------------------------------------------------------------------------------

class Review {
  constructor(tokens, id) {
    this.tokens = tokens;
    this.id = id;
    this.me = claims(tokens).sub;
    this.passage = null; // the selected passage, kept while the teacher writes the comment
    this.path = `/review/submissions/${encodeURIComponent(id)}`;
  }

  call(suffix, method = "GET", body = undefined, timeout = TIMEOUT) {
    return api(this.path + suffix, { token: this.tokens.accessToken, method, body, timeout });
  }

  async load() {
    this.item = await this.call("");
    this.render();
  }

  get mine() {
    const claim = this.item.claim;
    return Boolean(claim && claim.teacherId === this.me && new Date(claim.expiresAt) > new Date());
  }

  get open() {
    return ["submitted", "in_review"].includes(this.item.state);
  }

  // What the API refused, in a teacher's words.
  explain(error) {
    if (error instanceof ApiError && error.status === 409) {
      return "Someone else holds this essay now, or your claim has ended: reload the page, then claim it again.";
    }
    if (error instanceof ApiError && error.status === 400) {
      const text = error.body?.error?.message || "That was refused.";
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}`.replace(/ \(PUT [^)]*\)/, "").replace(/\.?$/, ".");
    }
    if (error instanceof ApiError && error.status === 401)
      return "Your sign-in has expired: reload the page to sign in again.";
    if (error instanceof ApiError && error.status === 0)
      return "The essay library could not be reached. Please check your connection and try again.";
    return "Something went wrong at our end. Please try again in a moment.";
  }

  // Runs an action with `button` busy; problems are told in `status`. Returns whether it worked.
  async act(button, status, work) {
    button.disabled = true;
    status.textContent = "";
    status.classList.remove("error");
    try {
      await work();
      return true;
    } catch (error) {
      status.textContent = this.explain(error);
      status.classList.add("error");
      return false;
    } finally {
      button.disabled = false;
    }
  }

  render() {
    const item = this.item;
    document.title = `Review: ${item.title} · Essay library`;
    show(
      h("p", { class: "back" }, h("a", { href: "/review" }, "Review queue")),
      h("h1", {}, item.title),
      facts(item, "meta review-meta"),
      where(item),
      this.claimPanel(),
      h(
        "div",
        { class: "columns review" },
        h("div", { class: "content" }, this.essay()),
        h(
          "aside",
          { class: "marking", "aria-label": "Annotations" },
          this.mine && this.open ? this.annotateForm() : null,
          this.annotationList(),
        ),
      ),
      this.open ? this.assessment() : this.outcome(),
      this.open && this.mine ? this.decisions() : null,
      this.history(),
    );
  }

  claimPanel() {
    if (!this.open) return null;
    const claim = this.item.claim;
    const status = h("p", { class: "status", role: "status" });
    const held = claim && new Date(claim.expiresAt) > new Date();
    const button = h(
      "button",
      { type: "button", class: this.mine ? "link" : "primary small" },
      this.mine ? "Keep it for longer" : "Claim it to review",
    );
    button.addEventListener("click", () =>
      this.act(button, status, async () => {
        await this.call("/claim", "POST");
        await this.load();
        document.getElementById("essay-text")?.focus();
      }),
    );
    if (this.mine) {
      return h(
        "div",
        { class: "message small claim" },
        h("p", {}, `You are reviewing this essay until ${time(claim.expiresAt)}. `, button),
        status,
      );
    }
    return h(
      "div",
      { class: "message small claim" },
      h(
        "p",
        {},
        held
          ? `Another teacher is reviewing this essay until ${time(claim.expiresAt)}. ` +
              "You can read it; claim it when they are done."
          : "Claim this essay to review it: while you hold it, no other teacher can change it.",
      ),
      held ? null : h("p", { class: "actions" }, button),
      status,
    );
  }

  essay() {
    const annotations = this.item.annotations || [];
    const editable = this.mine && this.open;
    const text = h(
      "div",
      {
        id: "essay-text",
        class: "essay-body full reviewing",
        tabindex: editable ? null : "0",
        role: editable ? "textbox" : "region",
        "aria-label": editable
          ? "The essay: select a passage to annotate it (the mouse, or Shift and the arrow keys)"
          : "The essay",
        "aria-readonly": editable ? "true" : null,
        "aria-multiline": editable ? "true" : null,
        // A read-only text box: the caret and the keyboard's selection work, nothing changes the text.
        contenteditable: editable ? "true" : null,
        spellcheck: "false",
        inputmode: editable ? "none" : null,
      },
      this.item.paragraphs.map((paragraph, i) =>
        h(
          "p",
          { "data-paragraph": String(i + 1) },
          pieces(paragraph, i + 1, annotations).map((piece) =>
            typeof piece === "string"
              ? piece
              : h(
                  "mark",
                  {
                    class: `annotated ${piece.note.kind}`,
                    "data-n": String(piece.number),
                    id: `passage-${piece.number}`,
                  },
                  piece.text,
                ),
          ),
        ),
      ),
    );
    if (editable) {
      for (const name of ["beforeinput", "paste", "drop", "cut"])
        text.addEventListener(name, (event) => event.preventDefault());
    }
    return text;
  }

  annotateForm() {
    const selected = h(
      "p",
      { class: "selected", id: "selected-passage", "aria-live": "polite" },
      "Select a passage in the essay.",
    );
    const comment = h("textarea", {
      id: "annotation-comment",
      rows: "4",
      maxlength: "1000",
      "aria-describedby": "selected-passage annotation-status",
    });
    const status = h("p", { class: "status", id: "annotation-status", role: "status" });
    const add = h("button", { type: "submit", class: "primary small" }, "Add the annotation");
    const kind = (value, checked) =>
      h("label", { class: "choice" }, h("input", { type: "radio", name: "kind", value, checked }), ` ${KINDS[value]}`);
    const form = h(
      "form",
      { class: "panel annotate", "aria-labelledby": "annotate-heading", novalidate: true },
      h("h2", { id: "annotate-heading" }, "Annotate a passage"),
      selected,
      h(
        "fieldset",
        { class: "choices" },
        h("legend", {}, "Kind"),
        kind("strength", true),
        kind("improvement", false),
        kind("note", false),
      ),
      h("label", { for: "annotation-comment" }, "Comment"),
      comment,
      h("p", { class: "actions" }, add),
      status,
    );
    const root = () => document.getElementById("essay-text");
    const follow = () => {
      const selection = document.getSelection();
      if (!selection.rangeCount || !root()) return;
      const passage = passageOf(selection.getRangeAt(0), root());
      if (!passage) return; // a click elsewhere (the comment box) keeps the passage chosen
      if (passage.error) {
        this.passage = null;
        selected.textContent = passage.error;
        return;
      }
      this.passage = passage;
      const clash = overlaps(passage, this.item.annotations || []);
      selected.textContent = clash.length
        ? `This passage overlaps annotation ${this.item.annotations.indexOf(clash[0]) + 1}: ` +
          "select another, or delete that one first."
        : `Selected in paragraph ${passage.paragraph}: “${clip(passage.quote)}”`;
    };
    document.addEventListener("selectionchange", follow);
    this.unfollow?.();
    this.unfollow = () => document.removeEventListener("selectionchange", follow);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const refused = (text) => {
        status.textContent = text;
        status.classList.add("error");
      };
      if (!this.passage) {
        return refused("Select a passage in the essay first (with the mouse, or Shift and the arrow keys).");
      }
      const clash = overlaps(this.passage, this.item.annotations || []);
      if (clash.length) {
        const number = this.item.annotations.indexOf(clash[0]) + 1;
        return refused(
          `That passage overlaps annotation ${number}: a passage is annotated once. ` +
            "Select another, or delete that one first.",
        );
      }
      if (!comment.value.trim()) return refused("Write a comment for the passage.");
      const { paragraph, start, end } = this.passage;
      const chosen = form.querySelector("input[name=kind]:checked").value;
      const done = await this.act(add, status, async () => {
        const answer = await this.call("/annotations", "POST", {
          paragraph,
          start,
          end,
          kind: chosen,
          comment: comment.value.trim(),
        });
        this.item.annotations = answer.annotations;
      });
      if (done) {
        this.passage = null;
        await this.reload(`Annotation added.`, "annotation-status");
      }
    });
    return form;
  }

  annotationList() {
    const annotations = this.item.annotations || [];
    const editable = this.mine && this.open;
    const status = h("p", { class: "status", id: "annotations-status", role: "status" });
    return h(
      "section",
      { class: "panel annotations", "aria-labelledby": "annotations-heading" },
      h("h2", { id: "annotations-heading" }, `Annotations (${annotations.length})`),
      annotations.length
        ? h(
            "ol",
            {},
            annotations.map((note, i) => {
              const remove = h(
                "button",
                { type: "button", class: "link", "aria-label": `Delete annotation ${i + 1}` },
                "Delete",
              );
              remove.addEventListener("click", () =>
                this.act(remove, status, async () => {
                  const answer = await this.call(`/annotations/${i}`, "DELETE");
                  this.item.annotations = answer.annotations;
                  await this.reload(`Annotation ${i + 1} deleted.`, "annotations-status");
                }),
              );
              return h(
                "li",
                { class: `annotation ${note.kind}` },
                h(
                  "p",
                  { class: "kind" },
                  h("a", { href: `#passage-${i + 1}` }, KINDS[note.kind] || note.kind),
                  ` · paragraph ${note.paragraph}`,
                ),
                h("blockquote", {}, note.quote),
                h("p", {}, note.comment),
                editable ? remove : null,
              );
            }),
          )
        : h("p", { class: "detail" }, "No passage is annotated yet."),
      status,
    );
  }

  // Re-reads the submission (its history too) and says what happened where the teacher was.
  async reload(said, where) {
    const scroll = window.scrollY;
    await this.load();
    window.scrollTo(0, scroll);
    const status = document.getElementById(where);
    if (status) {
      status.textContent = said;
      status.classList.remove("error");
    }
  }

  assessment() {
    const item = this.item;
    const editable = this.mine;
    const status = h("p", { class: "status", id: "assessment-status", role: "status" });
    const stars = h(
      "fieldset",
      { class: "rating", disabled: !editable },
      h("legend", {}, "Star rating"),
      [1, 2, 3, 4, 5].map((n) =>
        h(
          "label",
          { class: "star" },
          h("input", { type: "radio", name: "rating", value: String(n), checked: item.rating === n }),
          h("span", { "aria-hidden": "true" }, "★".repeat(n)),
          h("span", { class: "visually-hidden" }, `${n} ${n === 1 ? "star" : "stars"}`),
        ),
      ),
    );
    const comment = h(
      "textarea",
      { id: "teacher-comment", rows: "4", maxlength: "2000", disabled: !editable },
      item.teacherComment || "",
    );
    const save = h("button", { type: "submit", class: "secondary" }, "Save the rating and comment");
    const form = h(
      "form",
      { class: "panel assessment", "aria-labelledby": "assessment-heading", novalidate: true },
      h("h2", { id: "assessment-heading" }, "Rating and comment"),
      stars,
      h("label", { for: "teacher-comment" }, "Teacher's comment (shown with the essay)"),
      comment,
      editable ? h("p", { class: "actions" }, save) : null,
      status,
    );
    this.assessed = () => ({
      rating: Number(form.querySelector("input[name=rating]:checked")?.value) || null,
      teacherComment: comment.value.trim(),
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = this.assessed();
      if (!values.rating) {
        status.textContent = "Choose a star rating first.";
        return status.classList.add("error");
      }
      if (await this.act(save, status, () => this.call("/assessment", "PUT", values))) {
        await this.reload("Rating and comment saved.", "assessment-status");
      }
    });
    return form;
  }

  decisions() {
    const status = h("p", { class: "status", id: "decision-status", role: "status" });
    const publish = h("button", { type: "button", class: "primary" }, "Publish");
    publish.addEventListener("click", async () => {
      const values = this.assessed();
      if (!values.rating) {
        status.textContent = "Choose a star rating before publishing.";
        return status.classList.add("error");
      }
      let essayId = null;
      const done = await this.act(publish, status, async () => {
        await this.call("/assessment", "PUT", values); // what is on the page is what is published
        essayId = (await this.call("/publish", "POST", undefined, PUBLISHING)).essayId;
      });
      if (done) {
        this.unfollow?.();
        message(
          "Published",
          `“${this.item.title}” is in the library now, and its writer has earned their free essays.`,
          h("a", { class: "button primary", href: essayLink({ essayId }) }, "See it on the site"),
          h("a", { href: "/review" }, "Back to the queue"),
        );
      }
    });
    const reply = (id, label, button, path, key, missing) => {
      const text = h("textarea", { id, rows: "3", maxlength: "2000" });
      const send = h("button", { type: "submit", class: "secondary" }, button);
      return h(
        "form",
        {
          class: "decision",
          novalidate: true,
          onsubmit: async (event) => {
            event.preventDefault();
            if (!text.value.trim()) {
              status.textContent = missing;
              return status.classList.add("error");
            }
            if (await this.act(send, status, () => this.call(path, "POST", { [key]: text.value.trim() }))) {
              this.unfollow?.();
              await this.reload(
                `Done: the essay is ${path === "/return" ? "returned to its writer" : "rejected"}.`,
                "decision-status",
              );
            }
          },
        },
        h("label", { for: id }, label),
        text,
        h("p", { class: "actions" }, send),
      );
    };
    return h(
      "section",
      { class: "panel decisions", "aria-labelledby": "decisions-heading" },
      h("h2", { id: "decisions-heading" }, "Your decision"),
      h("p", {}, "Publish it with its rating, comment and annotations, or send it back to its writer."),
      h("p", { class: "actions" }, publish),
      reply(
        "feedback",
        "Feedback for the writer (what to improve)",
        "Return with feedback",
        "/return",
        "feedback",
        "Write the feedback for the writer first.",
      ),
      reply(
        "reason",
        "Why it cannot be published",
        "Reject",
        "/reject",
        "reason",
        "Write the reason for rejecting it first.",
      ),
      status,
    );
  }

  outcome() {
    const item = this.item;
    return h(
      "section",
      { class: "panel outcome", "aria-labelledby": "outcome-heading" },
      h("h2", { id: "outcome-heading" }, "Outcome"),
      item.state === "published" && item.essayId
        ? h("p", {}, "Published: ", h("a", { href: essayLink(item) }, "see it on the site"), ".")
        : null,
      item.rating ? h("p", {}, `Rated ${item.rating} out of 5.`) : null,
      item.teacherComment ? h("p", {}, `Teacher's comment: ${item.teacherComment}`) : null,
      item.feedback ? h("p", {}, `Feedback: ${item.feedback}`) : null,
      item.reason ? h("p", {}, `Reason: ${item.reason}`) : null,
      item.state === "withdrawn" ? h("p", {}, "Its writer withdrew it.") : null,
      // where a return or a rejection is confirmed (the decisions' panel is gone once it is made)
      h("p", { class: "status", id: "decision-status", role: "status" }),
    );
  }

  history() {
    const events = this.item.history || [];
    const WRITERS = ["submitted", "withdrawn"]; // the contributor's own actions (teachers never see their id)
    const who = (event) =>
      WRITERS.includes(event.action)
        ? "The writer"
        : event.actor === this.me
          ? "You"
          : `Teacher ${String(event.actor).slice(0, 8)}`;
    return h(
      "section",
      { class: "panel history", "aria-labelledby": "history-heading" },
      h("h2", { id: "history-heading" }, "History"),
      events.length
        ? h(
            "ol",
            {},
            events.map((event) =>
              h(
                "li",
                {},
                h("time", { datetime: event.at }, moment(event.at)),
                `: ${who(event)} ${ACTIONS[event.action] || event.action}`,
                event.detail ? ` (${event.detail.replace(ISO, (at) => time(at))})` : "",
              ),
            ),
          )
        : h("p", { class: "detail" }, "Nothing yet."),
    );
  }
}

async function page() {
  document.title = "Review · Essay library";
  const tokens = await signedIn("Review", "Teachers: sign in to review the essays readers send in.");
  if (!tokens) return;
  const id = new URLSearchParams(location.search).get("submission");
  try {
    if (id) await new Review(tokens, id).load();
    else await queue(tokens);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return forTeachers();
    throw error;
  }
}

start();
page().catch((error) => failure(error, "this essay"));
