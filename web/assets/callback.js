// /callback: the user pool's managed login sends the reader back here with a code.
import { finishSignIn } from "./auth.js";
import { message } from "./core.js";

finishSignIn(new URLSearchParams(location.search))
  .then((returnTo) => location.replace(returnTo))
  .catch((error) => message("Sign-in did not complete.", `${error.message}. Go back to the page and sign in again.`));
