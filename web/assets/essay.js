// The essay page, /essays/{essayId}. At first render it makes at most 3 API requests:
//   visitor:      preview + plans + sections (in parallel)
//   subscriber:   the full essay
//   metered:      the full essay (its `access` carries the meter) + plans, for the Subscribe box
//   not subscribed: the full essay (403, whose body lists the plans and the meter) + preview + sections
// The related essays, below the fold, are fetched when the reader scrolls near them.
import { forget, session, signIn } from "./auth.js";
import { config } from "./config.js";
import {
  ApiError,
  api,
  essayList,
  failure,
  h,
  joinLink,
  main,
  message,
  meterText,
  pathId,
  price,
  retryButton,
  sentence,
  show,
  stars,
  start,
} from "./core.js";

// subscribe.js is fetched on the first click: a visitor's page never needs it.
const subscribe = (...args) => import("./subscribe.js").then((module) => module.subscribe(...args));

const PAYWALLED = "essay-body"; // the class JSON-LD's hasPart.cssSelector names
const RENDERED = main().dataset.rendered === "essay"; // the server sent the preview, related essays and plans

function documents(tree) {
  const total = (tree?.levels || []).reduce((sum, level) => sum + level.essayCount, 0);
  if (!total) return null;
  const shown =
    total >= 1000 ? `${(Math.floor(total / 1000) * 1000).toLocaleString("en-GB")}+` : total.toLocaleString("en-GB");
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
      h(
        "ol",
        {},
        h("li", {}, crumb.level),
        h("li", {}, crumb.subject),
        h("li", {}, h("a", { href: `/sections/${encodeURIComponent(crumb.section.id)}` }, crumb.section.name)),
      ),
    ),
    h("h1", {}, essay.title),
    h(
      "p",
      { class: "meta" },
      stars(essay.rating),
      h("span", { class: "words" }, `${essay.wordCount.toLocaleString("en-GB")} words`),
      essay.contributor && h("span", { class: "by" }, `Contributed by ${essay.contributor.name}`),
    ),
  ];
}

function preview(essay) {
  return [
    h(
      "section",
      { class: `${PAYWALLED} preview`, "aria-label": "Preview of the essay" },
      essay.extracts.map((extract) =>
        // An extract the essay goes on after (`readMore`) ends in a link to the plans.
        h(
          "div",
          { class: "extract" },
          h("h2", {}, extract.part),
          h(
            "p",
            {},
            extract.text,
            extract.readMore ? [" ", h("a", { class: "read-more", href: "#plans" }, "...read more")] : null,
          ),
        ),
      ),
    ),
    h("p", { class: "note" }, "The above preview is unformatted text"),
  ];
}

// The teachers' annotations as the API anchors them: characters start to end of paragraph `paragraph`
// (counted from 1) are the passage, and `comment` the note. Offsets count characters as Python does
// (code points, not JavaScript's UTF-16 units). The loader refuses overlapping passages; one that
// overlaps or does not fit its paragraph is left out rather than marked wrongly.
function annotate(paragraphs, annotations = []) {
  const chars = paragraphs.map((text) => Array.from(text));
  const notes = [];
  const marks = paragraphs.map(() => []);
  for (const { paragraph, start: from, end: to, comment } of annotations) {
    const length = chars[paragraph - 1]?.length;
    if (!(from >= 0 && to > from && to <= length)) continue;
    if (marks[paragraph - 1].some((m) => from < m.to && m.from < to)) continue;
    notes.push(comment);
    marks[paragraph - 1].push({ from, to, n: notes.length });
  }
  const body = chars.map((text, i) => {
    const cut = (a, b) => text.slice(a, b).join("");
    const pieces = [];
    let at = 0;
    for (const m of marks[i].sort((a, b) => a.from - b.from)) {
      pieces.push(
        cut(at, m.from),
        h("mark", { class: "annotated", id: `mark-${m.n}`, "aria-describedby": `note-${m.n}` }, cut(m.from, m.to)),
        h("sup", {}, h("a", { href: `#note-${m.n}` }, String(m.n))),
      );
      at = m.to;
    }
    pieces.push(cut(at));
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
          h(
            "ol",
            {},
            notes.map((text, i) =>
              h(
                "li",
                { id: `note-${i + 1}` },
                text,
                " ",
                h("a", { href: `#mark-${i + 1}`, "aria-label": `Back to passage ${i + 1}` }, "↩"),
              ),
            ),
          ),
        )
      : null,
    essay.teacherComment
      ? h(
          "section",
          { class: "teacher-comment", "aria-labelledby": "comment-heading" },
          h("h2", { id: "comment-heading" }, "Teacher's comment"),
          h("p", {}, essay.teacherComment),
        )
      : null,
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
      { class: "search", action: "/search", method: "get", role: "search", "aria-label": "Search again" },
      h("label", { for: "search-again-q", class: "visually-hidden" }, "Essay title"),
      h("input", {
        id: "search-again-q",
        name: "q",
        type: "search",
        placeholder: "Search for your essay title...",
        autocomplete: "off",
        required: true,
        maxlength: "200",
      }),
      h("button", { type: "submit", class: "primary" }, "Search"),
      h("ul", { class: "suggestions" }),
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
      section.lastChild.replaceWith(
        answer.related.length
          ? essayList(answer.related)
          : h("p", { class: "message small" }, "No other essays in this section yet."),
      );
    } catch {
      section.lastChild.replaceWith(
        h("p", { class: "message small" }, "The related essays could not be loaded just now."),
      );
    }
  };
  const watcher = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        watcher.disconnect();
        load();
      }
    },
    { rootMargin: "200px" },
  );
  requestAnimationFrame(() => watcher.observe(section));
  return section;
}

function plansList(plans) {
  return h(
    "ul",
    { class: "plan-list" },
    plans.map((plan) => h("li", {}, h("strong", {}, plan.name), " ", price(plan))),
  );
}

// The page to come back to after paying (or giving up): this essay.
const here = () => location.pathname;
const plansFor = (returnTo) => `/plans?${new URLSearchParams({ returnTo, subscribe: "1" })}`;

function subscribeBox({ id, heading, lines, plans, tree, signedIn }) {
  const first = plans?.[0];
  const box = h(
    "section",
    { id: "plans", class: signedIn ? "plans paywall" : "plans", "aria-labelledby": "plans-heading" },
    h("h2", { id: "plans-heading" }, heading),
    lines.map((line) => (line ? h("p", { class: line.cls || "" }, line.text) : null)),
    first ? h("p", { class: "price" }, `Just ${price(first)}`) : h("p", { class: "price" }, "Plans from the library"),
    documents(tree) ? h("p", { class: "count" }, documents(tree)) : null,
    h(
      "ul",
      { class: "perks" },
      h("li", {}, "Full, formatted essays"),
      h("li", {}, "Teachers' comments and annotations"),
      h("li", {}, "Cancel any time"),
    ),
    plans?.length > 1 ? plansList(plans) : null,
    signedIn
      ? h("button", { type: "button", class: "primary subscribe", onclick: () => subscribe(box, here()) }, "Subscribe")
      : [
          // Signing in to subscribe goes straight on to the payment page: it spends no free essay.
          h(
            "button",
            { type: "button", class: "primary", onclick: () => signIn(plansFor(here())) },
            "Sign in to subscribe",
          ),
          joinLink(plansFor(here())),
        ],
    h("p", { class: "status", role: "status" }),
  );
  box.dataset.essay = id;
  return box;
}

function plansBox({ id, plans, tree, signedIn, meter }) {
  const left = meter ? meterText(meter) : null;
  return subscribeBox({
    id,
    plans,
    tree,
    signedIn,
    heading: signedIn ? "Subscribe to read the full essay" : "Unlimited access to the full essays",
    lines: signedIn
      ? [left ? { text: sentence(left), cls: "meter" } : { text: "Your account has no active subscription." }]
      : [],
  });
}

// A signed-in reader reading one of their free essays: the meter, and Subscribe (which spends nothing).
function meteredBox({ id, access, plans }) {
  const left = meterText(access);
  return subscribeBox({
    id,
    plans,
    signedIn: true,
    heading: "You are reading a free essay",
    lines: [{ text: sentence(left), cls: "meter" }, { text: "Subscribe for every essay in full, with no limit." }],
  });
}

function render(essay, parts, aside) {
  const article = h(
    "article",
    { class: "essay" },
    header(essay),
    h(
      "div",
      { class: "columns" },
      h("div", { class: "content" }, parts, foundIn(essay), searchAgain(), related(essay)),
      aside,
    ),
  );
  show(article);
  start();
}

const settled = (result) => (result.status === "fulfilled" ? result.value : null);

async function visitorPage(id, { plans = null, signedIn = false, meter = null } = {}) {
  const [answer, planAnswer, tree] = await Promise.allSettled([
    api(`/essays/${encodeURIComponent(id)}/preview`),
    plans ? Promise.resolve({ plans }) : api("/plans"),
    api("/sections"),
  ]);
  if (answer.status === "rejected") throw answer.reason;
  const essay = answer.value;
  await seo(essay, essay.extracts[0]?.text || essay.title);
  const box = plansBox({ id, plans: settled(planAnswer)?.plans, tree: settled(tree), signedIn, meter });
  render(essay, preview(essay), box);
}

async function page() {
  const id = pathId("/essays/");
  if (!id) return message("Sorry, we could not find that essay.");
  const tokens = await session();
  if (tokens) {
    try {
      const essay = await api(`/essays/${encodeURIComponent(id)}`, { token: tokens.accessToken });
      await seo(essay, essay.paragraphs[0] || essay.title);
      const metered = essay.access?.kind === "metered" && essay.access.limit;
      return render(
        essay,
        full(essay),
        metered
          ? meteredBox({ id, access: essay.access, plans: (await api("/plans").catch(() => null))?.plans })
          : null,
      );
    } catch (error) {
      if (error.status === 403)
        return visitorPage(id, { plans: error.body?.error?.plans, signedIn: true, meter: error.body?.error?.meter });
      if (error.status !== 401) throw error;
      forget(); // the token was refused: read on as a visitor
    }
  }
  return RENDERED ? enhance() : visitorPage(id);
}

// A visitor on the server's page: it shows everything already. "Sign in to subscribe" comes back to
// the payment page, not to this essay (which would spend a free one).
function enhance() {
  for (const button of document.querySelectorAll('[data-action="sign-in-to-subscribe"]')) {
    button.addEventListener("click", () => signIn(plansFor(here())));
  }
}

// The server's page stays when the full essay cannot be had: a notice above it says why, with Retry.
function notice(error) {
  const slow = error instanceof ApiError && error.timedOut;
  main().prepend(
    h(
      "div",
      { class: "message notice", role: "alert" },
      h(
        "p",
        {},
        h("strong", {}, slow ? "The essay library is taking too long to answer." : "We're having problems at our end."),
        " We could not open the full essay just now: here is its preview.",
      ),
      h("p", { class: "actions" }, retryButton()),
    ),
  );
}

start();
page().catch((error) =>
  RENDERED && !(error instanceof ApiError && [400, 404].includes(error.status))
    ? notice(error)
    : failure(error, "that essay"),
);
