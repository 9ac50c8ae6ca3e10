// What every page shares: calls to the API, small DOM helpers and page chores (the content and its
// aria-busy, messages, the pager), the header's search box with its suggestions and the sign-in button.

export class ApiError extends Error {
  // status 0: the API could not be reached (timedOut: it did not answer in time)
  constructor(status, body, timedOut = false) {
    super(body?.error?.message || `status ${status}`);
    this.status = status;
    this.body = body;
    this.timedOut = timedOut;
  }
}

export const TIMEOUT = 8000; // a hung API becomes a message with Retry after this long
// The API on the site's own origin (no CORS preflight): the distribution's /api/* behaviours, and
// locally the site server's proxy. Its direct URL still answers other clients.
export const API = "/api";

// One API call; JSON errors become ApiError (status 0: the API could not be reached or timed out).
export async function api(path, { token, method = "GET", body, timeout = TIMEOUT } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  let response;
  let data = null;
  try {
    response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
    });
    data = await response.json().catch(() => null);
  } catch {
    throw new ApiError(0, null, abort.signal.aborted);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// h("a", {href: "/"}, "text", child...): elements built from text, never from HTML strings.
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

export const main = () => document.getElementById("main");

// The page's content, leaving out the parts that are null: the page is no longer busy.
export function show(...nodes) {
  main().replaceChildren(...nodes.flat().filter((node) => node !== null && node !== undefined && node !== false));
  main().setAttribute("aria-busy", "false");
}

// Loading, empty, not found and failure states: always a heading and a plain message, never a blank
// page; `actions` are buttons or links (Retry, Start again...).
export function message(text, detail, ...actions) {
  show(
    h(
      "div",
      { class: "message", role: "status" },
      h("h1", {}, text),
      detail ? h("p", { class: "detail" }, detail) : null,
      actions.length ? h("p", { class: "actions" }, actions) : null,
    ),
  );
}

// A listing's pages (a section, search results, the review queue): "First page" once past it, "Next
// page" while there is one, each the listing's path with the query given (URLSearchParams; none: no link).
export function pager(path, first, next) {
  const href = (query) => (String(query) ? `${path}?${query}` : path);
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    first ? h("a", { href: href(first) }, "First page") : null,
    next ? h("a", { href: href(next), rel: "next" }, "Next page") : null,
  );
}

// "2 of 3 free essays left" as a sentence of its own: "2 of 3 free essays left."
export const sentence = (text) => `${text[0].toUpperCase()}${text.slice(1)}.`;

export const retryButton = (retry = () => location.reload()) =>
  h("button", { type: "button", class: "primary small", onclick: retry }, "Try again");

// What went wrong, in readers' words: not found, too slow, our outage. Never the API's own message.
export function failure(error, what, retry) {
  if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
    document.title = `Not found · Essay library`;
    document.head.append(h("meta", { name: "robots", content: "noindex" }));
    message(
      `Sorry, we could not find ${what}.`,
      "It may have been removed, or the link may be mistyped. Try searching for it instead.",
      h("a", { href: "/" }, "Browse the library"),
    );
  } else if (error instanceof ApiError && error.timedOut) {
    message(
      "The essay library is taking too long to answer.",
      "This is usually brief. Please try again in a moment.",
      retryButton(retry),
    );
  } else if (error instanceof ApiError && error.status === 0 && navigator.onLine === false) {
    message("You seem to be offline.", "Check your connection, then try again.", retryButton(retry));
  } else {
    message(
      "We're having problems at our end.",
      "Sorry about this: we are on it. Please try again in a moment.",
      retryButton(retry),
    );
  }
}

export function stars(rating) {
  if (!rating) return h("span", { class: "stars none" }, "Not yet rated");
  return h(
    "span",
    { class: "stars", role: "img", "aria-label": `Rated ${rating} out of 5 by a teacher` },
    "★".repeat(rating) + "☆".repeat(5 - rating),
  );
}

export function price(plan) {
  const amount = new Intl.NumberFormat("en-GB", { style: "currency", currency: plan.currency }).format(
    Number(plan.price),
  );
  return `${amount} a ${plan.period}`;
}

export function essayLink(essay) {
  return `/essays/${encodeURIComponent(essay.essayId)}`;
}

// A list of essays (related, search results, a section): title, snippet, rating.
export function essayList(essays, extra = () => null, heading = "h3") {
  return h(
    "ul",
    { class: "essay-list" },
    essays.map((essay) =>
      h(
        "li",
        {},
        h(heading, {}, h("a", { href: essayLink(essay) }, essay.title)),
        extra(essay),
        h("p", { class: "snippet" }, essay.snippet),
        stars(essay.rating),
      ),
    ),
  );
}

export function pathId(prefix) {
  const rest = location.pathname.slice(prefix.length);
  try {
    return decodeURIComponent(rest.replace(/\/$/, ""));
  } catch {
    return rest;
  }
}

// The meter in readers' words: "2 of 3 free essays left this month, resets 1 January".
export function meterText(meter) {
  if (!meter?.limit) return null;
  const left = Math.max(meter.limit - meter.used, 0);
  const resets = new Date(meter.resetsAt).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    timeZone: "UTC",
  });
  const essays = meter.limit === 1 ? "free essay" : "free essays";
  return `${left} of ${meter.limit} ${essays} left this month, resets ${resets}`;
}

// The search boxes' suggestions as they type (GET /search/suggest, prefix of the last word), as an
// ARIA combobox: arrows move through them, Enter opens the highlighted one or searches what was
// typed, Escape closes, the count is announced, and the list closes when focus leaves the box.
let boxes = 0;
function wireSuggestions(form) {
  const input = form.querySelector("input[name=q]");
  const old = form.querySelector(".suggestions");
  if (!input || !old || form.dataset.wired) return;
  form.dataset.wired = "yes";
  const id = `suggestions-${++boxes}`;
  const list = h("ul", { class: "suggestions", id, role: "listbox", "aria-label": "Suggested essay titles" });
  const live = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  old.replaceWith(list, live);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", id);
  input.setAttribute("aria-expanded", "false");
  let timer = null;
  let asked = "";
  let active = -1;
  const options = () => [...list.querySelectorAll("[role=option]")];
  const highlight = (index) => {
    const all = options();
    active = all.length ? (index + all.length) % all.length : -1;
    for (const [i, option] of all.entries()) option.setAttribute("aria-selected", String(i === active));
    if (active >= 0) input.setAttribute("aria-activedescendant", all[active].id);
    else input.removeAttribute("aria-activedescendant");
  };
  const close = () => {
    clearTimeout(timer);
    asked = "";
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const offer = (suggestions) => {
    list.replaceChildren(
      ...suggestions.map((s, i) =>
        h(
          "li",
          {
            id: `${id}-${i}`,
            role: "option",
            "aria-selected": "false",
            "data-href": essayLink(s),
            onmousedown: (e) => e.preventDefault(),
            onclick: () => location.assign(essayLink(s)),
          },
          s.title,
        ),
      ),
    );
    active = -1;
    input.setAttribute("aria-expanded", String(suggestions.length > 0));
    input.removeAttribute("aria-activedescendant");
    live.textContent = suggestions.length
      ? `${suggestions.length} ${suggestions.length === 1 ? "suggestion" : "suggestions"}: ` +
        "use the up and down arrows to choose."
      : "";
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) return close();
    timer = setTimeout(async () => {
      asked = q;
      try {
        const answer = await api(`/search/suggest?q=${encodeURIComponent(q)}`);
        if (asked === q && document.activeElement === input) offer(answer.suggestions.slice(0, 8));
      } catch {
        close(); // no suggestions: the search itself still works
      }
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    const open = input.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      highlight(active < 0 && event.key === "ArrowUp" ? -1 : active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault(); // the highlighted suggestion, not a search
      location.assign(options()[active].dataset.href);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  form.addEventListener("submit", close);
  form.addEventListener("focusout", (event) => {
    if (!form.contains(event.relatedTarget)) close();
  });
}

// "New here? Create an account": signing up comes back to `returnTo`.
export function joinLink(returnTo) {
  const open = async (event) => {
    event.preventDefault();
    const auth = await import("./auth.js");
    location.assign(await auth.signUpUrl(returnTo));
  };
  return h("p", { class: "join" }, "New here? ", h("a", { href: "#", onclick: open }, "Create an account"));
}

async function wireAccount() {
  const slot = document.getElementById("account");
  if (!slot) return;
  const auth = await import("./auth.js");
  const tokens = await auth.session();
  if (tokens) {
    slot.replaceChildren(
      h("a", { class: "who", href: "/account", title: `Signed in as ${auth.email(tokens)}` }, "Your account"),
      h("button", { type: "button", class: "link", onclick: () => auth.signOut() }, "Sign out"),
    );
  } else {
    slot.replaceChildren(
      h("a", { class: "join", href: await auth.signUpUrl() }, "Create an account"),
      h("button", { type: "button", class: "primary small", onclick: () => auth.signIn() }, "Sign in"),
    );
  }
}

let accountWired = false;
// Wires the search boxes on the page (again after a page renders new ones) and, once, the account slot.
export function start() {
  document.querySelectorAll("form.search").forEach(wireSuggestions);
  if (!accountWired) {
    accountWired = true;
    wireAccount().catch(() => null);
  }
}
