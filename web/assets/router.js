// Picks the page's module by path. The pages readers land on (/, essays, sections, search) arrive
// rendered by the server (functions/pages: <main data-rendered>), which the module then enhances; the
// client-only pages (/plans, /subscribed, /account, /submit, /submissions, /review) are the one shell,
// web/index.html, which the module fills in. (/callback and /auth/* are the token handler's: shared/http/session.py.)
const PAGES = [
  // path, module, title while it loads, loading message
  [/^\/$/, "./home.js", null, "Loading the library…"],
  [/^\/essays\/[^/]+$/, "./essay.js", "Essay", "Loading the essay…"],
  [/^\/sections\/[^/]+$/, "./section.js", "Section", "Loading the section…"],
  [/^\/search$/, "./search.js", "Search", "Searching…"],
  [/^\/plans$/, "./plans.js", "Plans", "Loading the plans…"],
  [/^\/subscribed$/, "./subscribed.js", "Thank you", "Confirming your subscription…"],
  [/^\/account$/, "./account.js", "Your account", "Loading your account…"],
  [/^\/submit$/, "./submit.js", "Submit your essay", "Loading the form…"],
  [/^\/submissions$/, "./submissions.js", "My submissions", "Loading your submissions…"],
  [/^\/review$/, "./review.js", "Review", "Loading the review…"],
];
// A reader's own pages and the teachers': never indexed.
const PRIVATE = ["./subscribed.js", "./account.js", "./submit.js", "./submissions.js", "./review.js"];

const rendered = document.getElementById("main").dataset.rendered;
const [, module, title, loading] = PAGES.find(([path]) => path.test(location.pathname)) || [];
if (rendered) {
  // The server's page is whole (its title, description and robots meta included): scripts only add
  // sign-in, the full essay and suggestions. Its 404 and error pages get the search box and sign-in.
  const again = rendered === "error" && document.querySelector('[data-action="start-again"]');
  if (again) location.replace(again.href); // an expired page link starts again by itself
  const enhancer =
    module && rendered !== "not-found" && rendered !== "error"
      ? import(module)
      : import("./core.js").then((core) => core.start());
  enhancer.catch(() => null);
} else {
  const status = document.querySelector("#main .message p");
  if (title) document.title = `${title} · Essay library`;
  if (!module || PRIVATE.includes(module)) {
    // Never indexed: a reader's own pages, and the shell under any other name (/index.html).
    document.head.append(Object.assign(document.createElement("meta"), { name: "robots", content: "noindex" }));
  }
  if (module) {
    status.textContent = loading;
    import(module).catch(() => {
      status.textContent = "This page could not be loaded. Please check your connection and reload it.";
    });
  } else {
    status.replaceWith(
      Object.assign(document.createElement("h1"), { textContent: "Sorry, there is no page at this address." }),
    );
    document.getElementById("main").setAttribute("aria-busy", "false");
  }
}
