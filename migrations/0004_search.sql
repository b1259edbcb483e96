-- Search over animals: full text on name, species and genetics, and trigram similarity for
-- the typos breeders make.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE animals ADD COLUMN search_doc text GENERATED ALWAYS AS (
    lower(coalesce(name, '') || ' ' || replace(species_key, '-', ' ') || ' ' || genetics_text)) STORED;
ALTER TABLE animals ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(name, '') || ' ' || replace(species_key, '-', ' ') || ' ' || genetics_text)) STORED;

CREATE INDEX animals_search_vector_idx ON animals USING gin (search_vector);
CREATE INDEX animals_search_trgm_idx ON animals USING gin (search_doc gin_trgm_ops);
CREATE INDEX animals_public_idx ON animals (id) WHERE visibility = 'public' AND archived_at IS NULL;

-- Public animals of every organization matching a query, best first. Full-text matches rank
-- above fuzzy ones; the fuzzy match catches misspellings ("bumblbee").
CREATE FUNCTION search_public_animals(q text, species text, lim int, skip int)
    RETURNS TABLE (id uuid, rank real)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    SET pg_trgm.word_similarity_threshold = 0.45
    AS $$
    SELECT a.id,
           (ts_rank(a.search_vector, websearch_to_tsquery('simple', q)) * 2
            + word_similarity(lower(q), a.search_doc))::real AS rank
    FROM animals a
    WHERE a.visibility = 'public' AND a.archived_at IS NULL
      AND (species IS NULL OR a.species_key = species)
      AND (a.search_vector @@ websearch_to_tsquery('simple', q) OR lower(q) <% a.search_doc)
    ORDER BY rank DESC, a.id
    LIMIT lim OFFSET skip
$$;
