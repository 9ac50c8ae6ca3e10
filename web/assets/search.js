// Search results, /search?q=...&cursor=...: paged with the API's cursor.
import { api, essayList, failure, h, main, message, start } from "./core.js";

async function page() {
  if (main().dataset.rendered) return; // the server rendered this page whole
  const query = new URLSearchParams(location.search);
  const q = (query.get("q") || "").trim();
  document.querySelectorAll("form.search input[name=q]").forEach((input) => {
    input.value = q;
  });
  if (!q) return message("Type some words of an essay's title in the search box.");
  document.title = `${q} · Search · Essay library`;
  const params = new URLSearchParams({ q, limit: "10" });
  if (query.get("cursor")) params.set("cursor", query.get("cursor"));
  const answer = await api(`/search?${params}`);
  if (!answer.results.length) return message(`No essay titles match “${q}”.`, "Try fewer or different words.");
  const next = new URLSearchParams({ q });
  if (answer.nextCursor) next.set("cursor", answer.nextCursor);
  main().replaceChildren(
    h("h1", {}, `Essays matching “${q}”`),
    essayList(answer.results, (hit) => h("p", { class: "where" }, `${hit.breadcrumb.level} › ${hit.breadcrumb.subject} › ${hit.breadcrumb.section.name}`)),
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      query.get("cursor") ? h("a", { href: `/search?${new URLSearchParams({ q })}` }, "First page") : null,
      answer.nextCursor ? h("a", { href: `/search?${next}`, rel: "next" }, "Next page") : null,
    ),
  );
  main().setAttribute("aria-busy", "false");
}

start();
page().catch((error) => failure(error, "those essays"));
