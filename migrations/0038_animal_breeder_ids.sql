-- An import finds the organization's animals by the breeder's own permanent ID, kept among
-- their identifiers as breeder_id: a second import of a file updates them rather than
-- recording them again.
CREATE INDEX animals_breeder_id_idx ON animals (org_id, (identifiers->>'breeder_id'))
    WHERE identifiers ? 'breeder_id';
