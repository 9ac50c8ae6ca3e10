// The site's config.json (the user pool, the sign-up page...), fetched once per page. A module of its
// own so that auth.js can read it without importing core.js, which imports auth.js.
let configPromise = null;

export function config() {
  configPromise ??= fetch("/config.json").then((r) => {
    if (!r.ok) throw new Error(`config.json answered ${r.status}`);
    return r.json();
  });
  return configPromise;
}
