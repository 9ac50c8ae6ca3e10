// What every page shares: the site's config.json, calls to the API, small DOM helpers, the
// header's search box (with suggestions where the API offers them) and the sign-in button.
let configPromise = null;

export function config() {
  configPromise ??= fetch("/config.json").then((r) => {
    if (!r.ok) throw new ApiError(r.status, null);
    return r.json();
  });
  return configPromise;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `status ${status}`);
    this.status = status;
    this.body = body;
  }
}

// One API call; JSON errors become ApiError (status 0: the API could not be reached).
export async function api(path, { token, method = "GET", body } = {}) {
  const { apiUrl } = await config();
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(apiUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
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

// Loading, empty, not found and failure states: always a plain message, never a blank page.
export function message(text, detail) {
  main().replaceChildren(h("div", { class: "message", role: "status" }, h("p", {}, text), detail ? h("p", { class: "detail" }, detail) : null));
  main().setAttribute("aria-busy", "false");
}

export function failure(error, what) {
  if (error instanceof ApiError && error.status === 404) {
    document.title = `Not found · Essay library`;
    document.head.append(h("meta", { name: "robots", content: "noindex" }));
    message(`Sorry, we could not find ${what}.`, "It may have been removed, or the link may be mistyped. Try searching for it instead.");
  } else if (error instanceof ApiError && error.status === 400) {
    message("That request does not look right.", error.message);
  } else if (error instanceof ApiError && error.status === 0) {
    message("We could not reach the essay library.", "Please check your connection and try again.");
  } else {
    message("Something went wrong on our side.", "Please try again in a moment.");
  }
}

export function stars(rating) {
  if (!rating) return h("span", { class: "stars none" }, "Not yet rated");
  return h("span", { class: "stars", role: "img", "aria-label": `Rated ${rating} out of 5 by a teacher` }, "★".repeat(rating) + "☆".repeat(5 - rating));
}

export function price(plan) {
  const amount = new Intl.NumberFormat("en-GB", { style: "currency", currency: plan.currency }).format(Number(plan.price));
  return `${amount} a ${plan.period}`;
}

export function essayLink(essay) {
  return `/essays/${encodeURIComponent(essay.essayId)}`;
}

// A list of essays (related, search results, a section): title, snippet, rating.
export function essayList(essays, extra = () => null) {
  return h(
    "ul",
    { class: "essay-list" },
    essays.map((essay) =>
      h(
        "li",
        {},
        h("h3", {}, h("a", { href: essayLink(essay) }, essay.title)),
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

// Suggestions as the reader types, from GET /search/suggest where the API has it.
let suggestAvailable = sessionStorage.getItem("essays.suggest") !== "absent";
function wireSuggestions(form) {
  const input = form.querySelector("input[name=q]");
  const list = form.querySelector(".suggestions");
  if (!input || !list || form.dataset.wired) return;
  form.dataset.wired = "yes";
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2 || !suggestAvailable) return list.replaceChildren();
    timer = setTimeout(async () => {
      asked = q;
      try {
        const answer = await api(`/search/suggest?q=${encodeURIComponent(q)}`);
        if (asked !== q) return;
        list.replaceChildren(
          ...(answer.suggestions || []).slice(0, 8).map((s) => h("li", {}, h("a", { href: essayLink(s) }, s.title))),
        );
      } catch (error) {
        if (error.status === 404 || error.status === 403) {
          suggestAvailable = false; // this API has no suggestions: plain search only
          sessionStorage.setItem("essays.suggest", "absent");
        }
        list.replaceChildren();
      }
    }, 200);
  });
}

async function wireAccount() {
  const slot = document.getElementById("account");
  if (!slot) return;
  const auth = await import("./auth.js");
  const tokens = await auth.session();
  if (tokens) {
    slot.replaceChildren(
      h("span", { class: "who" }, `Signed in as ${auth.email(tokens)}`),
      h("button", { type: "button", class: "link", onclick: () => auth.signOut() }, "Sign out"),
    );
  } else {
    slot.replaceChildren(h("button", { type: "button", class: "primary small", onclick: () => auth.signIn() }, "Sign in"));
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
