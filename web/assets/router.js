// Every page route is served this one shell, web/index.html (the CloudFront Function in
// template.yaml and infra/essays_cli/website.py rewrite them to it); the path picks the page's module.
const PAGES = [
  // path, module, title while it loads, loading message
  [/^\/$/, "./home.js", null, "Loading the library…"],
  [/^\/essays\/[^/]+$/, "./essay.js", "Essay", "Loading the essay…"],
  [/^\/sections\/[^/]+$/, "./section.js", "Section", "Loading the section…"],
  [/^\/search$/, "./search.js", "Search", "Searching…"],
  [/^\/callback$/, "./callback.js", "Signing in", "Signing you in…"],
];

const [, module, title, loading] = PAGES.find(([path]) => path.test(location.pathname)) || [];
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
