// Search results, /search?q=...&cursor=...: paged with the API's cursor. A query no title matches
// word for word falls back to titles starting with what was typed (the suggestions' prefix match),
// and an expired page link starts again from the first page.
import { ApiError, api, essayList, failure, h, main, message, pager, show, start } from "./core.js";

const where = ({ breadcrumb: crumb }) =>
  crumb ? h("p", { class: "where" }, `${crumb.level} › ${crumb.subject} › ${crumb.section.name}`) : null;

// Titles starting with what was typed (the last word a prefix), when no title has its words.
async function startingWith(q) {
  const prefix = await api(`/search/suggest?${new URLSearchParams({ q })}`).catch(() => null);
  if (!prefix?.suggestions?.length) return false;
  // Suggestions carry no snippet and no breadcrumb: the list shows their titles and ratings.
  show(h("h1", {}, `Essays starting with “${q}”`), essayList(prefix.suggestions, where, "h2"));
  return true;
}

async function page() {
  const query = new URLSearchParams(location.search);
  const q = (query.get("q") || "").trim();
  if (main().dataset.rendered) {
    // The server rendered this page whole; when it found nothing, try the typed words as a prefix.
    if (q && !query.get("cursor") && !main().querySelector(".essay-list")) await startingWith(q);
    return;
  }
  document.querySelectorAll("form.search input[name=q]").forEach((input) => {
    input.value = q;
  });
  if (!q) return message("Search the essay library", "Type some words of an essay's title in the search box.");
  document.title = `${q} · Search · Essay library`;
  const params = new URLSearchParams({ q, limit: "10" });
  if (query.get("cursor")) params.set("cursor", query.get("cursor"));
  let answer;
  try {
    answer = await api(`/search?${params}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    // An old page link: start again.
    if (query.get("cursor")) return location.replace(`/search?${new URLSearchParams({ q })}`);
    return message(`Nothing to search for in “${q}”`, "Try other words from the essay's title.");
  }
  if (!answer.results.length && !query.get("cursor") && (await startingWith(q))) return;
  if (!answer.results.length) return message(`No essay titles match “${q}”`, "Try fewer or other words.");
  show(
    h("h1", {}, `Essays matching “${q}”`),
    essayList(answer.results, where, "h2"),
    pager(
      "/search",
      query.get("cursor") && new URLSearchParams({ q }),
      answer.nextCursor && new URLSearchParams({ q, cursor: answer.nextCursor }),
    ),
  );
}

start();
page().catch((error) => failure(error, "those essays"));
