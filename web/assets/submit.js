// /submit: a signed-in reader sends their own essay (POST /me/submissions): title, level, subject
// and section from the library's own taxonomy (GET /sections), the essay pasted or as a Word file
// (.docx: posted straight to the uploads bucket with the presigned form of POST
// /me/submissions/uploads, then named by its uploadId), the declaration that it is their own work
// and how they are credited. Problems are told by the field they concern, the API's too.
import { ApiError, api, failure, h, main, show, start } from "./core.js";
import { signedIn } from "./members.js";

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const SENDING = 30000; // a Word file is converted while the reader waits: longer than a read
const LABELS = {
  title: "The title",
  level: "The level",
  subject: "The subject",
  section: "The section",
  body: "Your essay",
  file: "The Word document",
  ownWork: "The declaration",
  credit: "The credit",
  creditName: "The name to show",
};

// A problem with one field (or with the form, field "form"), in readers' words.
class Problem extends Error {
  constructor(field, text) {
    super(text);
    this.field = field;
  }
}

const megabytes = (bytes) => `${Math.floor(bytes / (1024 * 1024))} MB`;

// The API's message without the API: its field name becomes the label, its hints to developers go.
function plain(message) {
  return message
    .replace(/ \((?:[^()]*\b(?:GET|POST|PUT|DELETE) \/[^()]*|[a-zA-Z]+: true)\)/g, "")
    .replace(/ from GET \/sections/g, " from the lists")
    .replace(/\s*\.?$/, ".");
}

function fromApi(error, source) {
  if (error instanceof Problem) return error;
  const here = source === "file" ? "file" : "body";
  if (error instanceof ApiError && error.status === 400) {
    const message = error.body?.error?.message || "";
    const named = /^(title|level|subject|section|body|uploadId|ownWork|credit|creditName): (.*)$/s.exec(message);
    if (!named) return new Problem(here, plain(message.charAt(0).toUpperCase() + message.slice(1)));
    const field = named[1] === "uploadId" ? "file" : named[1] === "body" ? here : named[1];
    return new Problem(field, `${LABELS[field]} ${plain(named[2])}`);
  }
  if (error instanceof ApiError && error.status === 413) {
    return new Problem(here, "Your essay is too long to send: at most 200,000 characters (about 35,000 words).");
  }
  if (error instanceof ApiError && error.status === 401) {
    return new Problem(
      "form",
      "Your sign-in has expired. Please reload the page, sign in again and send your essay again.",
    );
  }
  if (error instanceof ApiError && error.timedOut) {
    return new Problem(
      "form",
      "The essay library is taking too long to answer. Your essay may have been sent: " +
        "look in My submissions before sending it again.",
    );
  }
  if (error instanceof ApiError && error.status === 0) {
    return new Problem("form", "Your essay could not be sent. Please check your connection and try again.");
  }
  return new Problem(
    "form",
    "We could not take your essay because of a problem at our end. Please try again in a moment.",
  );
}

// The .docx straight to the bucket, with the fields S3's policy checks (type and size), then its id.
async function upload(file, token) {
  const form = await api("/me/submissions/uploads", {
    token,
    method: "POST",
    body: { fileName: file.name, size: file.size },
    timeout: SENDING,
  });
  if (file.size > form.maxBytes) {
    throw new Problem(
      "file",
      `The document is larger than ${megabytes(form.maxBytes)}: remove its images, or paste the text instead.`,
    );
  }
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  data.append("file", new File([file], file.name, { type: DOCX }));
  let response;
  try {
    response = await fetch(form.url, { method: "POST", body: data });
  } catch {
    throw new Problem("file", "The document could not be uploaded. Please check your connection and try again.");
  }
  if (!response.ok) {
    const answer = await response.text().catch(() => "");
    throw new Problem(
      "file",
      answer.includes("EntityTooLarge")
        ? `The document is larger than ${megabytes(form.maxBytes)}: remove its images, or paste the text instead.`
        : "The document could not be uploaded. Please choose it again and send the essay again.",
    );
  }
  return form.uploadId;
}

// A labelled control with its hint and its error message, both read out with it.
function field(id, label, control, hint) {
  control.id = id;
  control.setAttribute("aria-describedby", [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" "));
  return h(
    "div",
    { class: "field", id: `${id}-field` },
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("p", { class: "field-error", id: `${id}-error` }),
    control,
  );
}

const option = (value, text = value) => h("option", { value }, text);

function choices(select, first, names) {
  select.replaceChildren(option("", first), ...names.map((name) => option(name)));
  select.disabled = names.length === 0;
}

function form(tree, tokens) {
  const title = h("input", { type: "text", name: "title", maxlength: "200", autocomplete: "off" });
  const level = h("select", { name: "level" });
  const subject = h("select", { name: "subject" });
  const section = h("select", { name: "section" });
  const levelNode = () => tree.levels.find((l) => l.name === level.value);
  const subjectNode = () => levelNode()?.subjects.find((s) => s.name === subject.value);
  choices(
    level,
    "Choose a level",
    tree.levels.map((l) => l.name),
  );
  choices(subject, "Choose the level first", []);
  choices(section, "Choose the subject first", []);
  level.addEventListener("change", () => {
    choices(subject, "Choose a subject", levelNode()?.subjects.map((s) => s.name) || []);
    choices(section, "Choose the subject first", []);
  });
  subject.addEventListener("change", () =>
    choices(section, "Choose a section", subjectNode()?.sections.map((s) => s.name) || []),
  );

  const file = h("input", { type: "file", name: "file", accept: `.docx,${DOCX}` });
  const body = h("textarea", { name: "body", rows: "14" });
  const fileField = field(
    "file",
    "Your essay as a Word document (.docx)",
    file,
    "Paragraphs, bold and italics are kept. Save other formats as .docx first.",
  );
  const bodyField = field("body", "Your essay's text", body, "Leave a blank line between paragraphs.");
  const source = (value, text, checked) =>
    h("label", { class: "choice" }, h("input", { type: "radio", name: "source", value, checked }), " ", text);
  const sources = h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, "How will you send it?"),
    source("file", "Upload a Word document", true),
    source("text", "Paste the text", false),
  );
  const chosen = () => sources.querySelector("input:checked").value;
  const showSource = () => {
    fileField.hidden = chosen() !== "file";
    bodyField.hidden = chosen() !== "text";
  };
  sources.addEventListener("change", showSource);

  const creditName = h("input", { type: "text", name: "creditName", maxlength: "100", autocomplete: "name" });
  const nameField = field("creditName", "The name to show", creditName, "For example your first name and school.");
  const credit = h(
    "fieldset",
    { class: "choices", id: "credit" },
    h("legend", {}, "When it is published"),
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name: "credit", value: "anonymous", checked: true }),
      " Publish it anonymously",
    ),
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name: "credit", value: "named" }),
      " Show my name on it",
    ),
  );
  const credited = () => credit.querySelector("input:checked").value;
  credit.addEventListener("change", () => {
    nameField.hidden = credited() !== "named";
  });
  nameField.hidden = true;

  const ownWork = h("input", { type: "checkbox", name: "ownWork", id: "ownWork", "aria-describedby": "ownWork-error" });
  const declaration = h(
    "div",
    { class: "field", id: "ownWork-field" },
    h("p", { class: "field-error", id: "ownWork-error" }),
    h(
      "label",
      { class: "choice" },
      ownWork,
      " This essay is my own work: I wrote it, and I may share it with the library's readers.",
    ),
  );

  const summary = h("div", { class: "error-summary", role: "alert", tabindex: "-1", hidden: true });
  const status = h("p", { class: "status", role: "status" });
  const send = h("button", { type: "submit", class: "primary" }, "Submit the essay");

  const clear = () => {
    summary.hidden = true;
    summary.replaceChildren();
    for (const error of main().querySelectorAll(".field-error")) error.textContent = "";
    for (const invalid of main().querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
  };
  const report = (problems) => {
    const list = h("ul", {});
    for (const problem of problems) {
      const target = document.getElementById(problem.field);
      const error = document.getElementById(`${problem.field}-error`);
      if (error && target) {
        error.textContent = problem.message;
        target.setAttribute("aria-invalid", "true");
        list.append(h("li", {}, h("a", { href: `#${problem.field}` }, problem.message)));
      } else {
        list.append(h("li", {}, problem.message));
      }
    }
    summary.replaceChildren(h("h2", {}, "Your essay was not sent"), list);
    summary.hidden = false;
    summary.focus();
  };
  const check = () => {
    const problems = [];
    if (!title.value.trim()) problems.push(new Problem("title", "Enter the essay's title."));
    if (!level.value) problems.push(new Problem("level", "Choose the level."));
    else if (!subject.value) problems.push(new Problem("subject", "Choose the subject."));
    else if (!section.value) problems.push(new Problem("section", "Choose the section."));
    if (chosen() === "file") {
      const chosenFile = file.files[0];
      if (!chosenFile) problems.push(new Problem("file", "Choose your Word document (.docx)."));
      else if (!/\.docx$/i.test(chosenFile.name)) {
        problems.push(
          new Problem("file", "Choose a Word document whose name ends in .docx (in Word: Save As, Word Document)."),
        );
      } else if (chosenFile.size === 0)
        problems.push(new Problem("file", "That document is empty: choose the one with your essay."));
    } else if (!body.value.trim()) problems.push(new Problem("body", "Paste your essay's text."));
    if (credited() === "named" && !creditName.value.trim()) {
      problems.push(new Problem("creditName", "Enter the name to show, or choose to publish it anonymously."));
    }
    if (!ownWork.checked)
      problems.push(new Problem("ownWork", "Tick the box to confirm that the essay is your own work."));
    return problems;
  };

  const submit = async (event) => {
    event.preventDefault();
    clear();
    const problems = check();
    if (problems.length) return report(problems);
    send.disabled = true;
    const how = chosen();
    try {
      const draft = {
        title: title.value.trim(),
        level: level.value,
        subject: subject.value,
        section: section.value,
        ownWork: true,
        credit: credited(),
      };
      if (credited() === "named") draft.creditName = creditName.value.trim();
      if (how === "file") {
        status.textContent = "Uploading your document…";
        draft.uploadId = await upload(file.files[0], tokens.accessToken);
        status.textContent = "Reading your document…";
      } else {
        draft.body = body.value;
        status.textContent = "Sending your essay…";
      }
      const made = await api("/me/submissions", {
        token: tokens.accessToken,
        method: "POST",
        body: draft,
        timeout: SENDING,
      });
      location.assign(`/submissions?sent=${encodeURIComponent(made.submissionId)}`);
    } catch (error) {
      status.textContent = "";
      report([fromApi(error, how)]);
    } finally {
      send.disabled = false;
    }
  };

  showSource();
  return h(
    "form",
    { class: "panel submission-form", novalidate: true, onsubmit: submit },
    summary,
    field("title", "Title", title),
    h(
      "fieldset",
      { class: "taxonomy" },
      h("legend", {}, "Where it belongs in the library"),
      field("level", "Level", level),
      field("subject", "Subject", subject),
      field("section", "Section", section),
    ),
    sources,
    fileField,
    bodyField,
    credit,
    nameField,
    declaration,
    h("p", { class: "actions" }, send, h("a", { href: "/submissions" }, "My submissions")),
    status,
  );
}

async function page() {
  document.title = "Submit your essay · Essay library";
  const tokens = await signedIn(
    "Submit your essay",
    "Sign in to send us an essay you wrote: teachers review it, and when it is published you earn free essays.",
  );
  if (!tokens) return;
  const tree = await api("/sections");
  show(
    h("h1", {}, "Submit your essay"),
    h(
      "p",
      { class: "lead" },
      "Send us an essay you wrote. A teacher reads it and may rate it, mark it and publish it in the library: " +
        "when it is published you earn free essays to read. Until then nobody else reads it.",
    ),
    form(tree, tokens),
  );
}

start();
page().catch((error) => failure(error, "the submission form"));
