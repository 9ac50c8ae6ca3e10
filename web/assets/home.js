// The home page, /: the level > subject > section tree with essay counts (GET /sections).
import { api, failure, h, main, message, show, start } from "./core.js";

const count = (n) => `${n.toLocaleString("en-GB")} ${n === 1 ? "essay" : "essays"}`;

async function page() {
  if (main().dataset.rendered) return; // the server rendered this page whole
  const tree = await api("/sections");
  if (!tree.levels.length) return message("The library has no essays yet.", "Please come back soon.");
  show(
    h("h1", {}, "Browse the essay library"),
    h(
      "div",
      { class: "tree" },
      tree.levels.map((level) =>
        h(
          "section",
          { class: "level" },
          h("h2", {}, level.name, " ", h("span", { class: "count" }, count(level.essayCount))),
          level.subjects.map((subject) =>
            h(
              "div",
              { class: "subject" },
              h("h3", {}, subject.name, " ", h("span", { class: "count" }, count(subject.essayCount))),
              h(
                "ul",
                {},
                subject.sections.map((section) =>
                  h(
                    "li",
                    {},
                    h("a", { href: `/sections/${encodeURIComponent(section.id)}` }, section.name),
                    " ",
                    h("span", { class: "count" }, count(section.essayCount)),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

start();
page().catch((error) => failure(error, "the library"));
