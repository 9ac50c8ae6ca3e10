// Picks the page's module by path. The pages readers land on (/, essays, sections, search) arrive
// rendered by the server (functions/pages: <main data-rendered>), which the module then enhances; the
// client-only pages (/callback) are the one shell, web/index.html, which the module fills in.
const PAGES = [
  // path, module, title while it loads, loading message
  [/^\/$/, "./home.js", null, "Loading the library…"],
  [/^\/essays\/[^/]+$/, "./essay.js", "Essay", "Loading the essay…"],
  [/^\/sections\/[^/]+$/, "./section.js", "Section", "Loading the section…"],
  [/^\/search$/, "./search.js", "Search", "Searching…"],
  [/^\/callback$/, "./callback.js", "Signing in", "Signing you in…"],
];

const rendered = document.getElementById("main").dataset.rendered;
const [, module, title, loading] = PAGES.find(([path]) => path.test(location.pathname)) || [];
if (rendered) {
  // The server's page is whole (its title, description and robots meta included): scripts only add
  // sign-in, the full essay and suggestions. Its 404 and error pages get the search box and sign-in.
  const enhancer = module && rendered !== "not-found" && rendered !== "error" ? import(module) : import("./core.js").then((core) => core.start());
  enhancer.catch(() => null);
} else {
  const status = document.querySelector("#main .message p");
  if (title) document.title = `${title} · Essay library`;
  if (!module || module === "./callback.js") {
    // Never indexed: the sign-in return, and the shell under any other name (/index.html).
    document.head.append(Object.assign(document.createElement("meta"), { name: "robots", content: "noindex" }));
  }
  if (module) {
    status.textContent = loading;
    import(module).catch(() => {
      status.textContent = "This page could not be loaded. Please check your connection and reload it.";
    });
  } else {
    status.textContent = "Sorry, there is no page at this address.";
    document.getElementById("main").setAttribute("aria-busy", "false");
  }
}
