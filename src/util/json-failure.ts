/** Why JSON.parse refused a text, in words that quote none of it. */

/**
 * V8 quotes up to ten characters of the text around the fault ('Unexpected token 'o', "token: s3cr"...
 * is not valid JSON'), and those may be a secret of the file (a token, a creds file given by mistake):
 * the quote goes, the reason stays.
 */
export function jsonFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const bare = text.replace(/(, )?"[\s\S]*"(\.\.\.)? is not valid JSON$/, "").trim();
  return bare === "" ? "not valid JSON" : bare;
}
