-- The user search (server/store/user-search.ts) reads the metadata text columns as jsonb through this function:
-- a document that jsonb cannot read (not JSON, e.g. hand-edited; or a \u0000 or lone-surrogate escape, which
-- JSON.stringify writes) reads as NULL, so it matches no metadata clause, instead of failing the whole query.
-- PostgreSQL 15 has no non-throwing check (pg_input_is_valid and IS JSON came in 16), so the cast runs in an
-- exception block, a subtransaction per call; the search calls it once per row and document, after the cheap
-- filters. PARALLEL UNSAFE: a subtransaction cannot start in a parallel operation. IMMUTABLE: jsonb input depends
-- on nothing but the text, which lets the planner memoize repeated documents.
CREATE FUNCTION portcullis_try_jsonb(doc text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE
AS $$
BEGIN
  RETURN doc::jsonb;
EXCEPTION
  -- Not JSON (22P02), an escape jsonb cannot hold (22P05), nesting or size past jsonb's limits (54001, 54000).
  WHEN invalid_text_representation OR untranslatable_character OR statement_too_complex OR program_limit_exceeded THEN
    RETURN NULL;
END
$$;
