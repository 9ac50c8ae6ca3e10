// A section's essays, /sections/{sectionId}?cursor=...: paged with the API's cursor.
import { ApiError, api, essayList, failure, h, main, pathId, start } from "./core.js";

async function page() {
  if (main().dataset.rendered) return; // the server rendered this page whole
  const id = pathId("/sections/");
  const query = new URLSearchParams(location.search);
  const limit = /^\d{1,2}$/.test(query.get("limit") || "") ? query.get("limit") : "20";
  const params = new URLSearchParams({ limit });
  if (query.get("cursor")) params.set("cursor", query.get("cursor"));
  let answer;
  try {
    answer = await api(`/sections/${encodeURIComponent(id)}/essays?${params}`);
  } catch (error) {
    // An expired or mangled page link: start again from the first page.
    if (error instanceof ApiError && error.status === 400 && query.get("cursor")) return location.replace(`/sections/${encodeURIComponent(id)}?limit=${limit}`);
    throw error;
  }
  const section = answer.section;
  document.title = `${section.name} essays · Essay library`;
  const next = new URLSearchParams({ limit });
  if (answer.nextCursor) next.set("cursor", answer.nextCursor);
  main().replaceChildren(
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("ol", {}, h("li", {}, h("a", { href: "/" }, "Library")), h("li", {}, section.level), h("li", {}, section.subject))),
    h("h1", {}, `${section.name} essays`),
    answer.essays.length ? essayList(answer.essays, () => null, "h2") : h("p", { class: "message" }, "This section has no essays yet."),
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      query.get("cursor") ? h("a", { href: `/sections/${encodeURIComponent(id)}?limit=${limit}` }, "First page") : null,
      answer.nextCursor ? h("a", { href: `/sections/${encodeURIComponent(id)}?${next}`, rel: "next" }, "Next page") : null,
    ),
  );
  main().setAttribute("aria-busy", "false");
}

start();
page().catch((error) => failure(error, "that section"));
