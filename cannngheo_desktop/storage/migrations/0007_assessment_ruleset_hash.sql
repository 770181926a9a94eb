-- An assessment now keeps each indicator's verdict without its reason text; the reason is
-- rebuilt from the saved inputs when someone looks at it. To rebuild it under the rules that
-- were used, the assessment records which version of the ruleset's definition it was made
-- with: the fingerprint (SHA-256) of the definition. Rows saved before keep their reasons.
ALTER TABLE assessments ADD COLUMN ruleset_hash TEXT;
