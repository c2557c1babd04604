import { EditorView } from "@uiw/react-codemirror";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

// The code editors' look, painted with the design tokens of app/globals.css (--code-* and the surfaces), so the
// dark scheme switches them with the rest of the page and every token colour keeps 4.5:1 on its background
// (e2e/a11y.spec.ts checks both schemes). Pass it with `theme="none"`.

const chrome = EditorView.theme({
  "&": { color: "var(--fg)", backgroundColor: "var(--bg)" },
  ".cm-content": { caretColor: "var(--fg)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
    { backgroundColor: "var(--code-selection)" },
  ".cm-activeLine": { backgroundColor: "var(--code-active-line)" },
  ".cm-gutters": {
    backgroundColor: "var(--bg-soft)",
    color: "var(--muted)",
    borderRight: "1px solid var(--line)",
  },
  ".cm-activeLineGutter": { backgroundColor: "var(--code-active-line)", color: "var(--fg)" },
  ".cm-tooltip": {
    backgroundColor: "var(--bg-raised)",
    color: "var(--fg)",
    border: "1px solid var(--line)",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: "var(--accent)",
    color: "var(--accent-fg)",
  },
  ".cm-completionDetail, .cm-completionInfo": { color: "var(--muted)" },
  ".cm-panels": { backgroundColor: "var(--bg-soft)", color: "var(--fg)" },
  ".cm-matchingBracket": {
    backgroundColor: "var(--code-selection)",
    outline: "1px solid var(--border-strong)",
  },
});

const highlight = HighlightStyle.define([
  { tag: t.meta, color: "var(--code-meta)" },
  { tag: t.link, textDecoration: "underline" },
  { tag: t.heading, textDecoration: "underline", fontWeight: "bold" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strong, fontWeight: "bold" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: t.keyword, color: "var(--code-keyword)" },
  { tag: [t.atom, t.bool, t.url, t.contentSeparator, t.labelName], color: "var(--code-atom)" },
  { tag: [t.literal, t.inserted], color: "var(--code-literal)" },
  { tag: [t.string, t.deleted], color: "var(--code-string)" },
  { tag: [t.regexp, t.escape, t.special(t.string)], color: "var(--code-regexp)" },
  { tag: t.definition(t.variableName), color: "var(--code-definition)" },
  { tag: t.local(t.variableName), color: "var(--code-local)" },
  { tag: [t.typeName, t.namespace], color: "var(--code-type)" },
  { tag: t.className, color: "var(--code-type)" },
  { tag: [t.special(t.variableName), t.macroName], color: "var(--code-special)" },
  { tag: t.definition(t.propertyName), color: "var(--code-property)" },
  { tag: t.comment, color: "var(--code-comment)", fontStyle: "italic" },
  { tag: t.invalid, color: "var(--danger)" },
]);

/** The editor theme and syntax colours of every CodeMirror in the dashboard (rules, actions, JSON). */
export const codeTheme = [chrome, syntaxHighlighting(highlight)];
