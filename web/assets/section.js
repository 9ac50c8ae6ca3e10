// A section's essays, /sections/{sectionId}?cursor=...: paged with the API's cursor.
import { ApiError, api, essayList, failure, h, main, pager, pathId, show, start } from "./core.js";

async function page() {
  if (main().dataset.rendered) return; // the server rendered this page whole
  const id = pathId("/sections/");
  const query = new URLSearchParams(location.search);
  const limit = /^\d{1,2}$/.test(query.get("limit") || "") ? query.get("limit") : "20";
  const params = new URLSearchParams({ limit });
  if (query.get("cursor")) params.set("cursor", query.get("cursor"));
  const path = `/sections/${encodeURIComponent(id)}`;
  let answer;
  try {
    answer = await api(`${path}/essays?${params}`);
  } catch (error) {
    // An expired or mangled page link: start again from the first page.
    if (error instanceof ApiError && error.status === 400 && query.get("cursor")) {
      return location.replace(`${path}?limit=${limit}`);
    }
    throw error;
  }
  const section = answer.section;
  document.title = `${section.name} essays · Essay library`;
  show(
    h(
      "nav",
      { class: "breadcrumb", "aria-label": "Breadcrumb" },
      h(
        "ol",
        {},
        h("li", {}, h("a", { href: "/" }, "Library")),
        h("li", {}, section.level),
        h("li", {}, section.subject),
      ),
    ),
    h("h1", {}, `${section.name} essays`),
    answer.essays.length
      ? essayList(answer.essays, () => null, "h2")
      : h("p", { class: "message" }, "This section has no essays yet."),
    pager(
      path,
      query.get("cursor") && new URLSearchParams({ limit }),
      answer.nextCursor && new URLSearchParams({ limit, cursor: answer.nextCursor }),
    ),
  );
}

start();
page().catch((error) => failure(error, "that section"));
