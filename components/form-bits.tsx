/** The message for one field, next to its control (announced by screen readers through aria-describedby). */
export function FieldError({ name, fields }: { name: string; fields: Record<string, string> }) {
  const message = fields[name];
  if (!message) return null;
  return (
    <span id={`${name}-error`} className="field-error" role="alert">
      {message}
    </span>
  );
}

/** The outcome line under a form: the error (if any) or the saved confirmation. */
export function FormStatus({ error, saved }: { error: string | null; saved: string | null }) {
  if (error)
    return (
      <p role="alert" className="form-error">
        {error}
      </p>
    );
  if (saved)
    return (
      <p role="status" className="form-saved">
        {saved}
      </p>
    );
  return null;
}
