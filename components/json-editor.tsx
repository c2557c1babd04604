"use client";

import { useMemo } from "react";
import CodeMirror, { EditorView } from "@uiw/react-codemirror";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter } from "@codemirror/lint";
import { codeTheme } from "./code-theme";

/** Why `text` is not an acceptable metadata document, or null: it must parse and be a JSON object. */
export function jsonObjectProblem(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `Not valid JSON: ${err instanceof Error ? err.message : "parse error"}`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return 'Must be a JSON object, like {"key": "value"}.';
  return null;
}

/**
 * A CodeMirror 6 JSON editor with inline parse errors (lint markers in the text, the message below). Tab leaves
 * the editor, so the form stays keyboard usable; Escape then Tab also works inside CodeMirror.
 */
export function JsonEditor({
  id,
  label,
  value,
  onChange,
  problem,
  readOnly = false,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  /** The message to show under the editor (client-side parse problem or the server's refusal). */
  problem: string | null;
  readOnly?: boolean;
}) {
  const extensions = useMemo(
    () => [
      ...codeTheme,
      json(),
      linter(jsonParseLinter()),
      lintGutter(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        "aria-label": label,
        ...(problem ? { "aria-invalid": "true", "aria-describedby": `${id}-error` } : {}),
      }),
    ],
    [id, label, problem],
  );
  return (
    <div className="json-editor" data-testid={`${id}-editor`}>
      <span className="json-editor-label" id={`${id}-label`}>
        {label}
      </span>
      <CodeMirror
        theme="none"
        value={value}
        onChange={onChange}
        extensions={extensions}
        editable={!readOnly}
        readOnly={readOnly}
        indentWithTab={false}
        basicSetup={{ foldGutter: false, autocompletion: false }}
        minHeight="6rem"
        maxHeight="20rem"
      />
      {problem && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
