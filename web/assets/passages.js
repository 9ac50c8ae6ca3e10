// A teacher's selection in an essay's paragraphs as the API anchors annotations: the paragraph
// (1-based) and [start, end) offsets in its text as served. The API counts characters as Python
// does (code points), the browser in UTF-16 units: the two differ on characters outside the Basic
// Multilingual Plane (emoji, some CJK), so every offset crosses that line here. No DOM of its own:
// it reads the paragraphs it is given (elements with data-paragraph holding text and <mark>s only).

// UTF-16 index in `text` -> code points before it, and back.
export const toCodePoints = (text, units) => [...text.slice(0, units)].length;
export const toUnits = (text, points) => [...text].slice(0, points).join("").length;

const paragraphOf = (node) => (node?.nodeType === 1 ? node : node?.parentElement)?.closest("[data-paragraph]") || null;

// Characters of `paragraph` before (container, offset).
function unitsBefore(paragraph, container, offset) {
  const before = document.createRange();
  before.selectNodeContents(paragraph);
  before.setEnd(container, offset);
  return before.toString().length;
}

// The selection as a passage {paragraph, start, end, quote}, null when nothing in `root` is
// selected, or {error} when it cannot be one passage. Spaces at either end are left out (a
// double-click or a drag often takes the space after a word).
export function passageOf(range, root) {
  if (!range || range.collapsed) return null;
  const first = paragraphOf(range.startContainer);
  let last = paragraphOf(range.endContainer);
  if (!first || !root.contains(first) || !last || !root.contains(last)) {
    return root.contains(range.commonAncestorContainer) ||
      (first && root.contains(first)) ||
      (last && root.contains(last))
      ? { error: "Select a passage inside one paragraph of the essay." }
      : null;
  }
  const text = first.textContent;
  let start = unitsBefore(first, range.startContainer, range.startOffset);
  let end;
  if (last !== first && unitsBefore(last, range.endContainer, range.endOffset) === 0) {
    last = first; // a triple-click ends at the start of the next paragraph: the whole of this one
    end = text.length;
  } else {
    end = unitsBefore(last, range.endContainer, range.endOffset);
  }
  if (last !== first)
    return { error: "Select a passage inside one paragraph: annotate each paragraph's part on its own." };
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (start === end) return null;
  return {
    paragraph: Number(first.dataset.paragraph),
    start: toCodePoints(text, start),
    end: toCodePoints(text, end),
    quote: text.slice(start, end),
  };
}

// The annotations a passage would overlap (the API refuses overlaps: a passage is marked once).
export const overlaps = (passage, annotations) =>
  annotations.filter((a) => a.paragraph === passage.paragraph && a.start < passage.end && passage.start < a.end);

// A paragraph's text cut at its annotations: [text, {note, number, text}, text...], in order.
export function pieces(text, paragraph, annotations) {
  const marks = annotations
    .map((note, i) => ({ note, number: i + 1 }))
    .filter(({ note }) => note.paragraph === paragraph)
    .sort((a, b) => a.note.start - b.note.start);
  const result = [];
  let at = 0;
  for (const mark of marks) {
    const from = toUnits(text, mark.note.start);
    const to = toUnits(text, mark.note.end);
    if (from < at) continue; // overlapping (the API never serves one): the first one stands
    result.push(text.slice(at, from), { ...mark, text: text.slice(from, to) });
    at = to;
  }
  result.push(text.slice(at));
  return result.filter((piece) => piece !== "");
}
