// The essay page, /essays/{essayId}. At first render it makes at most 3 API requests:
//   visitor:      preview + plans + sections (in parallel)
//   subscriber:   the full essay
//   not subscribed: the full essay (403, whose body lists the plans) + preview + sections
// The related essays, below the fold, are fetched when the reader scrolls near them.
import { ApiError, api, config, essayList, failure, h, main, message, pathId, price, stars, start } from "./core.js";
import { session, signIn } from "./auth.js";

const PAYWALLED = "essay-body"; // the class JSON-LD's hasPart.cssSelector names
const RENDERED = main().dataset.rendered === "essay"; // the server sent the preview, related essays and plans

function documents(tree) {
  const total = (tree?.levels || []).reduce((sum, level) => sum + level.essayCount, 0);
  if (!total) return null;
  const shown = total >= 1000 ? `${(Math.floor(total / 1000) * 1000).toLocaleString("en-GB")}+` : total.toLocaleString("en-GB");
  return `${shown} ${total === 1 ? "document" : "documents"} available`;
}

function describe(text) {
  const clean = text.replace(/\s+/g, " ").trim();
  return clean.length <= 155 ? clean : `${clean.slice(0, clean.lastIndexOf(" ", 152))}…`;
}

async function seo(essay, description) {
  const { siteUrl } = await config();
  const url = `${siteUrl || location.origin}/essays/${encodeURIComponent(essay.essayId)}`;
  document.title = `${essay.title} · Essay library`;
  document.querySelector('meta[name="description"]').setAttribute("content", describe(description));
  document.querySelector('link[rel="canonical"]').setAttribute("href", url);
  const data = {
    "@context": "https://schema.org",
    "@type": "Article",
    headline: essay.title,
    description: describe(description),
    url,
    wordCount: essay.wordCount,
    articleSection: essay.breadcrumb.section.name,
    isAccessibleForFree: false,
    hasPart: { "@type": "WebPageElement", isAccessibleForFree: false, cssSelector: `.${PAYWALLED}` },
  };
  document.getElementById("structured-data").textContent = JSON.stringify(data);
}

function header(essay) {
  const crumb = essay.breadcrumb;
  return [
    h(
      "nav",
      { class: "breadcrumb", "aria-label": "Breadcrumb" },
      h("ol", {}, h("li", {}, crumb.level), h("li", {}, crumb.subject), h("li", {}, h("a", { href: `/sections/${encodeURIComponent(crumb.section.id)}` }, crumb.section.name))),
    ),
    h("h1", {}, essay.title),
    h("p", { class: "meta" }, stars(essay.rating), h("span", { class: "words" }, `${essay.wordCount.toLocaleString("en-GB")} words`)),
  ];
}

function preview(essay) {
  return [
    h(
      "section",
      { class: `${PAYWALLED} preview`, "aria-label": "Preview of the essay" },
      essay.extracts.map((extract) =>
        // The API's text ends in "...read more"; here that ending is the link to the plans.
        h("div", { class: "extract" }, h("h2", {}, extract.part), h("p", {}, extract.text.replace(/\s*\.\.\.read more$/, ""), " ", extract.readMore ? h("a", { class: "read-more", href: "#plans" }, "...read more") : null)),
      ),
    ),
    h("p", { class: "note" }, "The above preview is unformatted text"),
  ];
}

// Annotations, when the API sends them: {paragraph (1-based), start, end} offsets or a quoted passage, and a comment.
function annotate(paragraphs, annotations) {
  const notes = [];
  const marks = paragraphs.map(() => []);
  for (const note of annotations || []) {
    const comment = note.comment || note.note || note.text;
    const quote = note.quote || note.passage || note.highlight;
    let index = Number.isInteger(note.paragraph) ? note.paragraph - 1 : -1; // the API counts paragraphs from 1
    let from = note.start;
    let to = note.end;
    if (quote && !(Number.isInteger(from) && Number.isInteger(to))) {
      index = index >= 0 ? index : paragraphs.findIndex((p) => p.includes(quote));
      from = index >= 0 ? paragraphs[index].indexOf(quote) : -1;
      to = from + quote.length;
    }
    if (!comment || index < 0 || index >= paragraphs.length || !(from >= 0 && to > from && to <= paragraphs[index].length)) continue;
    if (marks[index].some((m) => from < m.to && m.from < to)) continue; // overlapping: keep the first
    notes.push(comment);
    marks[index].push({ from, to, n: notes.length });
  }
  const body = paragraphs.map((text, i) => {
    const pieces = [];
    let at = 0;
    for (const m of marks[i].sort((a, b) => a.from - b.from)) {
      pieces.push(text.slice(at, m.from), h("mark", { class: "annotated", id: `mark-${m.n}`, "aria-describedby": `note-${m.n}` }, text.slice(m.from, m.to)), h("sup", {}, h("a", { href: `#note-${m.n}` }, String(m.n))));
      at = m.to;
    }
    pieces.push(text.slice(at));
    return h("p", {}, pieces);
  });
  return { body, notes };
}

function full(essay) {
  const { body, notes } = annotate(essay.paragraphs, essay.annotations);
  return [
    h("section", { class: `${PAYWALLED} full`, "aria-label": "The essay" }, body),
    notes.length
      ? h(
          "section",
          { class: "annotations", "aria-labelledby": "annotations-heading" },
          h("h2", { id: "annotations-heading" }, "Annotated by experienced teachers"),
          h("ol", {}, notes.map((text, i) => h("li", { id: `note-${i + 1}` }, text, " ", h("a", { href: `#mark-${i + 1}`, "aria-label": `Back to passage ${i + 1}` }, "↩")))),
        )
      : null,
    essay.teacherComment ? h("section", { class: "teacher-comment", "aria-labelledby": "comment-heading" }, h("h2", { id: "comment-heading" }, "Teacher's comment"), h("p", {}, essay.teacherComment)) : null,
  ];
}

function foundIn(essay) {
  const crumb = essay.breadcrumb;
  return h(
    "p",
    { class: "found-in" },
    "This student written piece of work is one of many that can be found in our ",
    h("a", { href: `/sections/${encodeURIComponent(crumb.section.id)}` }, `${crumb.level} ${crumb.section.name}`),
    " section",
  );
}

function searchAgain() {
  return h(
    "section",
    { class: "search-again", "aria-labelledby": "search-again-heading" },
    h("h2", { id: "search-again-heading" }, "Not the one? Search for your essay title..."),
    h(
      "form",
      { class: "search", action: "/search", method: "get", role: "search" },
      h("label", { for: "search-again-q", class: "visually-hidden" }, "Essay title"),
      h("input", { id: "search-again-q", name: "q", type: "search", placeholder: "Search for your essay title...", autocomplete: "off", required: true, maxlength: "200" }),
      h("button", { type: "submit", class: "primary" }, "Search"),
      h("ul", { class: "suggestions", "aria-label": "Suggestions" }),
    ),
  );
}

function related(essay) {
  const section = h(
    "section",
    { class: "related", "aria-labelledby": "related-heading" },
    h("h2", { id: "related-heading" }, `Related ${essay.breadcrumb.section.name} essays`),
    h("p", { class: "message small", role: "status" }, "Loading related essays…"),
  );
  const load = async () => {
    try {
      const answer = await api(`/essays/${encodeURIComponent(essay.essayId)}/related?limit=8`);
      section.lastChild.replaceWith(answer.related.length ? essayList(answer.related) : h("p", { class: "message small" }, "No other essays in this section yet."));
    } catch {
      section.lastChild.replaceWith(h("p", { class: "message small" }, "The related essays could not be loaded just now."));
    }
  };
  const watcher = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      watcher.disconnect();
      load();
    }
  }, { rootMargin: "200px" });
  requestAnimationFrame(() => watcher.observe(section));
  return section;
}

function plansList(plans) {
  return h("ul", { class: "plan-list" }, plans.map((plan) => h("li", {}, h("strong", {}, plan.name), " ", price(plan))));
}

async function subscribe(box, plan) {
  const button = box.querySelector("button.subscribe");
  const status = box.querySelector(".status");
  button.disabled = true;
  status.textContent = "Opening the payment page…";
  try {
    const description = await api("/openapi.json");
    if (!description.paths?.["/checkout"]?.post) {
      button.hidden = true;
      status.textContent = "Online payment is not open yet: these are the plans you will be able to choose from.";
      return;
    }
    const tokens = await session();
    if (!tokens) return signIn();
    const answer = await api("/checkout", { method: "POST", token: tokens.accessToken, body: { plan: plan.name } });
    const target = answer.url || answer.checkoutUrl;
    if (!target) throw new ApiError(500, null);
    location.assign(target);
  } catch (error) {
    button.disabled = false;
    status.textContent = error.status === 404 ? "Online payment is not open yet: these are the plans you will be able to choose from." : "The payment page could not be opened; please try again in a moment.";
  }
}

function plansBox({ plans, tree, signedIn }) {
  const first = plans?.[0];
  const box = h(
    "aside",
    { id: "plans", class: signedIn ? "plans paywall" : "plans", "aria-labelledby": "plans-heading" },
    h("h2", { id: "plans-heading" }, signedIn ? "Subscribe to read the full essay" : "Unlimited access to the full essays"),
    signedIn ? h("p", {}, "Your account has no active subscription.") : null,
    first ? h("p", { class: "price" }, `Just ${price(first)}`) : h("p", { class: "price" }, "Plans from the library"),
    documents(tree) ? h("p", { class: "count" }, documents(tree)) : null,
    h("ul", { class: "perks" }, h("li", {}, "Full, formatted essays"), h("li", {}, "Teachers' comments and annotations"), h("li", {}, "Cancel any time")),
    plans?.length > 1 ? plansList(plans) : null,
    signedIn
      ? h("button", { type: "button", class: "primary subscribe", onclick: () => subscribe(box, first) }, "Subscribe")
      : h("button", { type: "button", class: "primary", onclick: () => signIn() }, "Sign in to subscribe"),
    h("p", { class: "status", role: "status" }),
  );
  return box;
}

function render(essay, parts, aside) {
  const article = h(
    "article",
    { class: "essay" },
    header(essay),
    h("div", { class: "columns" }, h("div", { class: "content" }, parts, foundIn(essay), searchAgain(), related(essay)), aside),
  );
  main().replaceChildren(article);
  main().setAttribute("aria-busy", "false");
  start();
}

const settled = (result) => (result.status === "fulfilled" ? result.value : null);

async function visitorPage(id, { plans = null, signedIn = false } = {}) {
  const [essay, planAnswer, tree] = await Promise.allSettled([
    api(`/essays/${encodeURIComponent(id)}/preview`),
    plans ? Promise.resolve({ plans }) : api("/plans"),
    api("/sections"),
  ]);
  if (essay.status === "rejected") throw essay.reason;
  const preview_ = essay.value;
  await seo(preview_, preview_.extracts[0]?.text.replace(/\s*\.\.\.read more$/, "") || preview_.title);
  render(preview_, preview(preview_), plansBox({ plans: settled(planAnswer)?.plans, tree: settled(tree), signedIn }));
}

async function page() {
  const id = pathId("/essays/");
  if (!id) return message("Sorry, we could not find that essay.");
  const tokens = await session();
  if (tokens) {
    try {
      const essay = await api(`/essays/${encodeURIComponent(id)}`, { token: tokens.accessToken });
      await seo(essay, essay.paragraphs[0] || essay.title);
      return render(essay, full(essay), null);
    } catch (error) {
      if (error.status === 403) return visitorPage(id, { plans: error.body?.error?.plans, signedIn: true });
      if (error.status !== 401) throw error;
      (await import("./auth.js")).forget(); // the token was refused: read on as a visitor
    }
  }
  return RENDERED ? enhance() : visitorPage(id);
}

// A visitor on the server's page: it shows everything already; the plans' button signs in.
function enhance() {
  document.querySelectorAll('[data-action="sign-in-to-subscribe"]').forEach((button) => button.addEventListener("click", () => signIn()));
}

start();
page().catch((error) => failure(error, "that essay"));
